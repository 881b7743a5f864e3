"""Incremental batch ingestion: new files in, changed files replaced, unchanged skipped.

``ingest`` turns one PDF into a parsed document; this module decides which files to read and
writes what they hold to the catalog (``Workspace.ingest`` calls it, then derives the rest).

Files are read by worker processes (``workers``), ahead of the one being stored, while the
catalog writes stay here, one document after the other in the order of the batch: the
result is the same whatever the number of workers. Each document goes in inside one
transaction, so a failure or a kill in the middle of a batch never leaves a half-written
document: the next run picks up where this one stopped. Whatever goes wrong with one file
(I/O, permissions, a symlink loop, a parser error, a hang, memory) fails that file alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat as stat_mod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .catalog import Catalog, FileState
from .config import Limits
from .errors import BadDocumentError, CeserError
from .files import sha256_file
from .ingest import EXTRACTION_VERSION, parse_pdf
from .ingest.metadata import given_changed
from .ingest.ocr import OCR_HINT, tesseract_available
from .ingest.pdfread import vanished
from .models import Document, ParsedDocument
from .pace import Pace as Pace  # the time left of a batch, for the CLI's and the app's bars
from .workers import ExtractionPool


class Reporter(Protocol):
    """Receives progress events (the CLI draws progress bars, the app a st.progress)."""

    def file_started(self, name: str, index: int, total: int) -> None: ...
    def page_done(self, page: int, pages: int, name: str | None = None) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...


class SilentReporter:
    def file_started(self, name: str, index: int, total: int) -> None:
        pass

    def page_done(self, page: int, pages: int, name: str | None = None) -> None:
        pass

    def file_done(self, name: str, status: str) -> None:
        pass


@dataclass
class BatchSummary:
    """What a batch did to each file (names as given on disk)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    moved: list[dict[str, str]] = field(default_factory=list)
    textless: dict[str, list[int]] = field(default_factory=dict)
    reread: list[str] = field(default_factory=list)  # updated: same file, newer extraction
    # updated: same file, its metadata.toml entry added, changed or removed since
    regiven: list[str] = field(default_factory=list)
    # new files whose content is already a document (its file still there): not stored again
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {"file": ..., "of": ...}
    # --prune held back: it would have removed more than the share allowed without --yes
    prune_refused: dict[str, Any] | None = None
    empty_folders: list[str] = field(default_factory=list)  # folders given without any PDF

    @property
    def ok(self) -> bool:
        return not self.failed and self.prune_refused is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "moved": self.moved,
            "reread": self.reread,
            "duplicates": self.duplicates,
        }
        if self.regiven:
            out["metadata_given"] = self.regiven
        if self.prune_refused is not None:
            out["prune_refused"] = self.prune_refused
        if self.empty_folders:
            out["empty_folders"] = self.empty_folders
        if self.textless:
            out["pages_without_text"] = {
                "files": self.textless,
                "hint": OCR_HINT,
            }
        return out


def _absolute(path: Path) -> Path:
    """Return the resolved path, or the absolute one when it cannot be resolved (a loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _is_candidate(path: Path) -> bool:
    """A PDF name that is no folder: regular files, and links or special files that the
    batch must report rather than skip in silence."""
    if path.suffix.lower() != ".pdf":
        return False
    try:
        return not stat_mod.S_ISDIR(path.stat().st_mode)
    except OSError:
        return path.is_symlink()  # broken or looping link: reported by name


def collect_pdfs(
    paths: Iterable[str | Path], failed: list[dict[str, str]] | None = None
) -> list[Path]:
    """Return the PDF files named or found (recursively) under the given paths.

    A path that is neither a folder nor a PDF goes to failed (raises CeserError when failed
    is None)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        try:
            if p.is_dir():
                found.extend(sorted(q for q in p.rglob("*") if _is_candidate(q)))
            elif p.exists() or p.is_symlink():
                found.append(p)
            elif p.suffix.lower() == ".pdf":
                raise CeserError(f"{p} : fichier introuvable. Vérifiez le chemin.")
            else:
                raise CeserError(f"{p} : ni dossier ni fichier PDF. Vérifiez le chemin.")
        except (CeserError, OSError) as e:
            if failed is None:
                raise
            message = str(e) if isinstance(e, CeserError) else _os_message(str(p), e)
            failed.append({"file": str(p), "error": message})
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = _absolute(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _without_pdf(paths: Iterable[str | Path], files: list[Path]) -> list[str]:
    """Return the folders given that hold no PDF (a wrong path, a folder not yet filled)."""
    out = []
    for raw in paths:
        p = Path(raw)
        with contextlib.suppress(OSError):
            if p.is_dir() and not any(_absolute(f).is_relative_to(_absolute(p)) for f in files):
                out.append(str(p))
    return out


def _os_message(name: str, e: OSError | RuntimeError) -> str:
    """One line for a file the system would not let us read."""
    code = getattr(e, "errno", None)
    if code == errno.ELOOP or (isinstance(e, RuntimeError) and "loop" in str(e).lower()):
        return f"{name} : boucle de liens symboliques. Corrigez le lien ou retirez-le du dossier."
    if code in (errno.EACCES, errno.EPERM):
        return f"{name} : accès refusé. Vérifiez les droits du fichier (chmod) puis relancez."
    if code in (errno.ENOENT, errno.ENOTDIR):
        return str(vanished(name))
    reason = getattr(e, "strerror", None) or type(e).__name__
    return f"{name} : lecture impossible ({reason}). Vérifiez le fichier et le disque."


def _file_state(file: Path, name: str) -> os.stat_result:
    """Return the file's stat; raise BadDocumentError for what is no regular file."""
    try:
        st = file.stat()
    except FileNotFoundError as e:
        if file.is_symlink():
            raise BadDocumentError(
                name, "lien symbolique cassé", "corrigez le lien ou retirez-le du dossier"
            ) from e
        raise vanished(name) from e
    if not stat_mod.S_ISREG(st.st_mode):
        raise BadDocumentError(
            name,
            "ce n'est pas un fichier ordinaire (dossier, tube ou périphérique)",
            "donnez un fichier PDF ou retirez ce nom du dossier",
        )
    return st


class _Reader:
    """Reads the batch's files in worker processes ahead of the one being stored.

    It guesses from the catalog, before the file's turn, which files need reading (new or
    changed content); the file's turn decides for good, and a file read for nothing is
    dropped, one not read ahead is read then."""

    def __init__(
        self,
        catalog: Catalog,
        files: list[Path],
        limits: Limits,
        workers: int,
        ocr: bool,
        reporter: Reporter,
    ) -> None:
        self.catalog = catalog
        self.files = files
        self.limits = limits
        self.ocr = ocr
        self.rep = reporter
        self.workers = workers
        self.ahead = 2 * max(workers, 1)
        self.planned = 0  # files[:planned] were considered for reading ahead
        self.shas: dict[str, tuple[int, int, str]] = {}  # path -> (size, mtime_ns, sha)
        self.batch_shas: set[str] = set()
        self.pool: ExtractionPool | None = None

    def _pool(self) -> ExtractionPool:
        if self.pool is None:
            self.pool = ExtractionPool(
                self.workers,
                file_seconds=self.limits.file_seconds,
                memory_mb=self.limits.memory_mb,
                limits=self.limits,
                on_page=lambda key, page, pages: self.rep.page_done(
                    page, pages, str(self.files[key])
                ),
            )
        return self.pool

    def sha(self, file: Path, st: os.stat_result) -> str:
        key = str(file)
        cached = self.shas.get(key)
        if cached and cached[:2] == (st.st_size, st.st_mtime_ns):
            return cached[2]
        sha = sha256_file(file)
        self.shas[key] = (st.st_size, st.st_mtime_ns, sha)
        return sha

    def read_ahead(self, index: int) -> None:
        """Queue the files after index (and index itself) that will likely need reading."""
        if self.workers <= 0:
            return
        while self.planned < min(index + self.ahead, len(self.files)):
            j = self.planned
            self.planned += 1
            try:
                if self._needs_reading(self.files[j]):
                    self._pool().submit(j, self.files[j], str(self.files[j]), self.ocr)
            except Exception:  # the file's own turn reports what is wrong
                continue
        if self.pool is not None:
            self.pool.pump()

    def _needs_reading(self, file: Path) -> bool:
        st = file.stat()
        if not stat_mod.S_ISREG(st.st_mode):
            return False
        doc = self.catalog.document_by_path(str(file.resolve()))
        current = _current(doc, file)
        if current and doc is not None and (doc.size, doc.mtime) == (st.st_size, st.st_mtime):
            return False
        sha = self.sha(file, st)
        if current and doc is not None and doc.sha256 == sha:
            return False
        if doc is None and (sha in self.batch_shas or self.catalog.documents_by_sha(sha)):
            return False  # moved or a duplicate: read at its turn if it must be
        self.batch_shas.add(sha)
        return True

    def parse(self, index: int, name: str) -> ParsedDocument:
        """Return the document of files[index], read ahead or now."""
        file = self.files[index]
        if self.workers <= 0:
            return parse_pdf(
                file,
                on_page=lambda p, n: self.rep.page_done(p, n, str(file)),
                ocr=self.ocr,
                limits=self.limits,
            )
        pool = self._pool()
        if not pool.submitted(index):
            pool.submit(index, file, name, self.ocr)
        return pool.result(index)

    def done(self, index: int) -> None:
        if self.pool is not None:
            self.pool.discard(index)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def ingest_paths(
    catalog: Catalog,
    paths: Iterable[str | Path],
    prune: bool = False,
    reporter: Reporter | None = None,
    on_stored: Callable[[Document], None] | None = None,
    ocr: bool | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
    yes: bool = False,
) -> BatchSummary:
    """Bring the catalog in line with the PDF files under paths; return what changed.

    workers: extraction processes (default: limits.workers; 0 reads in this process, without
    the wall time and memory limits). prune: remove the documents whose file is gone from
    under the paths given, but never more than limits.prune_max_share of them unless yes.
    """
    rep = reporter or SilentReporter()
    limits = limits or Limits.from_env()
    paths = list(paths)
    summary = BatchSummary()
    files = collect_pdfs(paths, summary.failed)
    summary.empty_folders = _without_pdf(paths, files)
    use_ocr = tesseract_available() if ocr is None else ocr
    reader = _Reader(
        catalog, files, limits, limits.workers if workers is None else workers, use_ocr, rep
    )
    try:
        for index, file in enumerate(files):
            name = str(file)
            rep.file_started(name, index, len(files))
            try:
                reader.read_ahead(index)
                status = _ingest_one(catalog, file, summary, reader, index, on_stored)
            except Exception as e:
                status = "failed"
                message = _failure_message(name, e)
                summary.failed.append({"file": name, "error": message})
                if isinstance(e, BadDocumentError):
                    with contextlib.suppress(Exception):  # a full disk: reported anyway
                        catalog.record_failure(str(_absolute(file)), message)
            finally:
                reader.done(index)
            rep.file_done(name, status)
    finally:
        reader.close()
    if prune:
        _prune(catalog, paths, summary, limits.prune_max_share, yes)
    return summary


def _failure_message(name: str, e: Exception) -> str:
    """One line naming the file and what to do, whatever the error."""
    if isinstance(e, CeserError):
        return " ".join(str(e).split())
    if isinstance(e, OSError) or (isinstance(e, RuntimeError) and "loop" in str(e).lower()):
        return _os_message(name, e)
    detail = " ".join(str(e).split())[:200]
    return (
        f"{name} : erreur inattendue ({type(e).__name__}: {detail}). "
        "Relancez « ceser ingest » ; si l'erreur revient, retirez le fichier et signalez-la."
    )


def _current(doc: Document | None, file: Path) -> bool:
    """Whether a stored reading of file holds: read by this extraction, and with the metadata
    that metadata.toml gives it now (an entry added, changed or removed since is read again)."""
    if doc is None or doc.extraction < EXTRACTION_VERSION:
        return False
    stored = {"title": doc.title, "body": doc.body, "kind": doc.kind, "date": doc.date or ""}
    return not given_changed(file, stored, dict(doc.meta_sources))


def _ingest_one(
    catalog: Catalog,
    file: Path,
    summary: BatchSummary,
    reader: _Reader,
    index: int,
    on_stored: Callable[[Document], None] | None,
) -> str:
    name = str(file)
    st = _file_state(file, name)
    path = str(file.resolve())
    doc = catalog.document_by_path(path)
    current = _current(doc, file)
    if current and doc is not None and doc.size == st.st_size and doc.mtime == st.st_mtime:
        summary.unchanged.append(name)
        return "unchanged"
    try:
        sha = reader.sha(file, st)
    except FileNotFoundError as e:
        raise vanished(name) from e
    state = FileState(path, st.st_size, st.st_mtime, sha)
    if current and doc is not None and doc.sha256 == sha:
        catalog.update_file_state(doc.doc_id, state)
        summary.unchanged.append(name)
        return "unchanged"
    if doc is None:
        for other in catalog.documents_by_sha(sha):
            if not Path(other.path).exists():
                summary.moved.append({"from": other.path, "to": name})
                if _current(other, file):
                    catalog.update_file_state(other.doc_id, state)
                    summary.unchanged.append(name)
                    return "moved"
                doc = other  # moved, and read by an older extraction: read again in its place
                break
    if doc is None:
        # the same content under another name (stored before, or earlier in this batch)
        for other in catalog.documents_by_sha(sha):
            if Path(other.path).exists():
                summary.duplicates.append({"file": name, "of": other.path})
                return "duplicate"
    try:
        parsed = reader.parse(index, name)
    except BadDocumentError as e:
        # name the file as the user gave it
        raise BadDocumentError(name, e.reason, e.hint) from e
    stored = catalog.store_document(state, parsed, replace=doc)
    if parsed.textless_pages:
        summary.textless[name] = list(parsed.textless_pages)
    if on_stored is not None:
        on_stored(stored)
    if doc is None:
        summary.added.append(name)
        return "added"
    summary.updated.append(name)
    if doc.sha256 == sha:  # the file did not change: the extraction did, or its metadata.toml
        (summary.reread if doc.extraction < EXTRACTION_VERSION else summary.regiven).append(name)
    return "updated"


def _gone(path: str) -> bool:
    """True when the file is not there (a folder that cannot be read says nothing)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _prune(
    catalog: Catalog,
    paths: list[str | Path],
    summary: BatchSummary,
    max_share: float,
    yes: bool,
) -> None:
    """Remove the documents under paths whose file is gone (see ``ingest_paths``)."""
    roots: list[tuple[str, bool]] = []
    for raw in paths:
        try:
            root = Path(raw).resolve(strict=True)  # a folder that is not there prunes nothing
        except (OSError, RuntimeError):
            continue
        roots.append((str(root), root.is_dir()))

    def under(path: str) -> bool:
        return any(
            path.startswith(root.rstrip(os.sep) + os.sep) if is_dir else path == root
            for root, is_dir in roots
        )

    scope = [d for d in catalog.documents() if under(d.path)]
    gone = [d for d in scope if _gone(d.path)]
    if not gone:
        return
    if len(gone) > max_share * len(scope) and not yes:
        summary.prune_refused = {
            "would_remove": [d.path for d in gone],
            "documents_under_paths": len(scope),
            "max_share": max_share,
            "error": (
                f"--prune retirerait {len(gone)} documents sur {len(scope)} sous les chemins "
                f"donnés (plus de {max_share:.0%}) : rien n'a été retiré. Vérifiez que le "
                "dossier est bien monté, puis relancez avec --yes pour confirmer."
            ),
        }
        return
    for doc in gone:
        catalog.remove_document(doc.doc_id)
        summary.removed.append(doc.path)
