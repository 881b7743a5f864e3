"""Uploads: checked, renamed safely and written into the corpus folder, never outside it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import pypdfium2 as pdfium

from ..errors import CeserError

MAX_BYTES = 50 * 1024 * 1024  # keep in line with server.maxUploadSize in .streamlit/config.toml
MAX_NAME = 120
ENV_CORPUS = "CESER_CORPUS"


class UploadError(CeserError):
    """An uploaded file was refused; nothing was written."""


@dataclass(frozen=True)
class SavedUpload:
    """Where an upload was written: status is "nouveau", "identique" or "renommé"."""

    original: str
    path: Path
    status: str


def sanitize_filename(name: str) -> str:
    """Return a safe file name: no folder part, ASCII letters, digits, '-', '_', '.pdf' suffix."""
    base = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")
    stem = stem[: MAX_NAME - 4] or "document"
    return f"{stem}.pdf"


def check_pdf(name: str, data: bytes, max_bytes: int = MAX_BYTES) -> None:
    """Raise UploadError unless data is a non-empty PDF under max_bytes that pdfium can open."""
    if not name.lower().endswith(".pdf"):
        raise UploadError(f"{name} : seuls les fichiers PDF (.pdf) sont acceptés.")
    if not data:
        raise UploadError(f"{name} : le fichier est vide.")
    if len(data) > max_bytes:
        raise UploadError(
            f"{name} : {len(data) / 1e6:.1f} Mo, au-delà de la limite de "
            f"{max_bytes / 1e6:.0f} Mo. Déposez-le directement dans le dossier du corpus."
        )
    if b"%PDF-" not in data[:1024]:
        raise UploadError(f"{name} : ce n'est pas un PDF (en-tête %PDF- absent).")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise UploadError(f"{name} : PDF illisible ou endommagé ({e}).") from e
    try:
        if len(doc) == 0:
            raise UploadError(f"{name} : le PDF ne contient aucune page.")
    finally:
        doc.close()


def _inside(folder: Path, target: Path) -> bool:
    return target.resolve().parent == folder.resolve()


def _write_new(folder: Path, target: Path, data: bytes) -> bool:
    """Write data as target, never over an existing name; return False if target is taken.

    The bytes go first to a temporary file that only this call can have created (a random
    name opened with O_EXCL, inside folder: a planted « .NAME.pdf.part » link is never
    followed), then take target's name by a hard link, which fails rather than replace.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: rename, the name checked just before
            if os.path.lexists(target):
                return False
            os.replace(tmp, target)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def save_upload(folder: Path, name: str, data: bytes, max_bytes: int = MAX_BYTES) -> SavedUpload:
    """Check data and write it into folder under a sanitised name; return where it went.

    A file of the same name and content is left as it is; a different file of the same
    name gets a numbered name (rapport-2.pdf), so an upload never overwrites a document.
    Nothing is ever written through a link or outside folder.
    """
    check_pdf(name, data, max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    safe = sanitize_filename(name)
    stem = safe[:-4]
    digest = hashlib.sha256(data).hexdigest()
    for n in range(1, 1000):
        candidate = folder / (safe if n == 1 else f"{stem}-{n}.pdf")
        if os.path.lexists(candidate):  # a link, even one planted to a file outside, is skipped
            same = (
                not candidate.is_symlink()
                and candidate.is_file()
                and hashlib.sha256(candidate.read_bytes()).hexdigest() == digest
            )
            if same:
                return SavedUpload(name, candidate, "identique")
            continue
        if not _inside(folder, candidate):
            raise UploadError(f"{name} : nom de fichier refusé.")
        if _write_new(folder, candidate, data):
            return SavedUpload(name, candidate, "nouveau" if n == 1 else "renommé")
    raise UploadError(f"{name} : trop de fichiers portent déjà ce nom dans {folder}.")


def corpus_folder(document_paths: list[str], home: Path) -> Path:
    """Return where uploads go: $CESER_CORPUS, else the folder holding most documents."""
    env = os.environ.get(ENV_CORPUS)
    if env:
        return Path(env).expanduser()
    counts: dict[Path, int] = {}
    for p in document_paths:
        parent = Path(p).parent
        counts[parent] = counts.get(parent, 0) + 1
    if counts:
        return max(counts.items(), key=lambda kv: (kv[1], str(kv[0])))[0]
    return home / "corpus"
