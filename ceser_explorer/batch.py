"""Incremental batch ingestion: new files in, changed files replaced, unchanged skipped.

``ingest`` turns one PDF into a parsed document; this module decides which files to read and
writes what they hold to the catalog (``Workspace.ingest`` calls it, then derives the rest).

Each document goes in inside one transaction, so a failure or a kill in the middle of a
batch never leaves a half-written document: the next run picks up where this one stopped.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .catalog import Catalog, FileState
from .config import Limits
from .errors import BadDocumentError, CeserError
from .ingest import EXTRACTION_VERSION, parse_pdf
from .ingest.pdfread import OCR_HINT, vanished
from .models import Document


class Reporter(Protocol):
    """Receives progress events (the CLI draws progress bars, the app a st.progress)."""

    def file_started(self, name: str, index: int, total: int) -> None: ...
    def page_done(self, page: int, pages: int) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...


class SilentReporter:
    def file_started(self, name: str, index: int, total: int) -> None:
        pass

    def page_done(self, page: int, pages: int) -> None:
        pass

    def file_done(self, name: str, status: str) -> None:
        pass


# -- time left ------------------------------------------------------------------------------
# Fed by the reporter events, the CLI and the Import page show its estimate. Files not started
# yet are assumed to hold as many pages as the files seen so far did on average (files skipped
# as unchanged count as none): all a batch knows before it opens them.


class Pace:
    """Count pages and files as they are done; estimate the seconds the batch has left."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.start: float | None = None
        self.index = 0  # of the file being read
        self.total = 0  # files in the batch
        self.page = 0  # pages done in the file being read
        self.pages = 0  # pages of the file being read (0 until its first page)
        self.done_pages = 0  # pages done in the files finished
        self.done_files = 0

    def file_started(self, name: str, index: int, total: int) -> None:
        if self.start is None:
            self.start = self.clock()
        self.index, self.total, self.page, self.pages = index, total, 0, 0

    def page_done(self, page: int, pages: int) -> None:
        self.page, self.pages = page, pages

    def file_done(self, name: str, status: str) -> None:
        self.done_pages += self.page
        self.done_files += 1
        self.page = self.pages = 0

    def seconds_left(self) -> float | None:
        """Return the estimated seconds left, or None before the first page is read."""
        read = self.done_pages + self.page
        if self.start is None or read == 0:
            return None
        elapsed = self.clock() - self.start
        if elapsed <= 0:
            return None
        files_seen = self.done_files + (1 if self.pages else 0)
        per_file = (self.done_pages + self.pages) / max(files_seen, 1)
        files_after = max(self.total - self.index - 1, 0)
        left = (self.pages - self.page) + files_after * per_file
        return left * elapsed / read

    def text(self) -> str:
        """Return the estimate in French (« environ 40 s restantes »), or "" without one."""
        seconds = self.seconds_left()
        if seconds is None or seconds <= 0:
            return ""
        if seconds < 90:
            return f"environ {max(math.ceil(seconds), 1)} s restantes"
        return f"environ {math.ceil(seconds / 60)} min restantes"


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
    # new files whose content is already a document (its file still there): not stored again
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {"file": ..., "of": ...}

    @property
    def ok(self) -> bool:
        return not self.failed

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
        if self.textless:
            out["pages_without_text"] = {
                "files": self.textless,
                "hint": OCR_HINT,
            }
        return out


def collect_pdfs(paths: Iterable[str | Path]) -> list[Path]:
    """Return the PDF files named or found (recursively) under the given paths."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(
                sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf" and q.is_file())
            )
        elif p.exists() or p.suffix.lower() == ".pdf":
            found.append(p)
        else:
            raise CeserError(f"{p} : ni dossier ni fichier PDF. Vérifiez le chemin.")
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_paths(
    catalog: Catalog,
    paths: Iterable[str | Path],
    prune: bool = False,
    reporter: Reporter | None = None,
    on_stored: Callable[[Document], None] | None = None,
    ocr: bool | None = None,
    limits: Limits | None = None,
) -> BatchSummary:
    """Bring the catalog in line with the PDF files under paths; return what changed."""
    rep = reporter or SilentReporter()
    files = collect_pdfs(paths)
    summary = BatchSummary()
    for index, file in enumerate(files):
        name = str(file)
        rep.file_started(name, index, len(files))
        try:
            status = _ingest_one(catalog, file, summary, rep, on_stored, ocr, limits)
        except BadDocumentError as e:
            catalog.record_failure(str(file.resolve()), str(e))
            summary.failed.append({"file": name, "error": str(e)})
            status = "failed"
        except CeserError as e:
            summary.failed.append({"file": name, "error": str(e)})
            status = "failed"
        rep.file_done(name, status)
    if prune:
        for doc in catalog.documents():
            if not Path(doc.path).exists():
                catalog.remove_document(doc.doc_id)
                summary.removed.append(doc.path)
    return summary


def _ingest_one(
    catalog: Catalog,
    file: Path,
    summary: BatchSummary,
    rep: Reporter,
    on_stored: Callable[[Document], None] | None,
    ocr: bool | None,
    limits: Limits | None = None,
) -> str:
    name = str(file)
    path = str(file.resolve())
    try:
        st = file.stat()
    except FileNotFoundError as e:
        raise vanished(name) from e
    doc = catalog.document_by_path(path)
    current = doc is not None and doc.extraction >= EXTRACTION_VERSION
    if current and doc is not None and doc.size == st.st_size and doc.mtime == st.st_mtime:
        summary.unchanged.append(name)
        return "unchanged"
    try:
        sha = sha256_file(file)
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
                if other.extraction >= EXTRACTION_VERSION:
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
        parsed = parse_pdf(file, on_page=rep.page_done, ocr=ocr, limits=limits)
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
    if doc.sha256 == sha:
        summary.reread.append(name)
    return "updated"
