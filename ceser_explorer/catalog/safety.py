"""Keeping the catalog safe: a damaged file is never taken for a new one, and backups.

SQLite would happily open an empty (0-byte) file as a new database, and the next ingest
would fill it: the documents of the old catalog would be gone without a word. A catalog
file that exists but is empty, is not a SQLite file or cannot be read is refused, with the
path and the backup to restore. ``backup`` copies a catalog with SQLite's online backup
API (a consistent snapshot, even while an ingest writes) and remembers where, so that the
refusal can name the copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import CatalogError

HEADER = b"SQLite format 3\x00"
BACKUPS_LOG = "backups.log"  # in the data folder: one line per backup, "time<TAB>path"


class DamagedCatalogError(CatalogError):
    """The catalog file exists but cannot be read as a catalog."""


def last_backup(home: Path) -> Path | None:
    """Return the most recent backup written by ``ceser backup`` that still exists."""
    log = home / BACKUPS_LOG
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        _, _, path = line.partition("\t")
        if path and Path(path).is_file():
            return Path(path)
    return None


def damaged_error(path: Path, reason: str) -> DamagedCatalogError:
    """Return the refusal of a damaged catalog file: its path, why, and what to restore."""
    found = last_backup(path.parent)
    restore = (
        f"restaurez la dernière copie : cp {found} {path}"
        if found
        else "restaurez votre dernière copie (« ceser backup DEST ») à sa place"
    )
    return DamagedCatalogError(
        f"catalogue {path} endommagé ({reason}) : il n'est pas pris pour un catalogue neuf. "
        f"{restore[:1].upper()}{restore[1:]} ; sans copie, déplacez-le ailleurs puis relancez "
        "« ceser ingest » sur vos PDF."
    )


def refuse_damaged(path: Path) -> None:
    """Raise DamagedCatalogError when an existing catalog file is empty or not SQLite."""
    try:
        with path.open("rb") as f:
            head = f.read(len(HEADER))
    except FileNotFoundError:
        return  # a fresh data folder: the catalog is created
    except OSError as e:
        raise CatalogError(
            f"catalogue {path} illisible ({e.strerror}) : vérifiez ses droits et le disque."
        ) from e
    if not head:
        raise damaged_error(path, "fichier vide, 0 octet")
    if head != HEADER:
        raise damaged_error(path, "ce n'est pas un fichier SQLite")


def create(path: Path, prepare: Callable[[sqlite3.Connection], object]) -> None:
    """Create a new catalog at path whole: built under a temporary name (prepare sets it up),
    then linked into place. A process killed while creating it leaves no 0-byte catalog
    behind, so that an empty ``catalog.sqlite`` can only mean damage."""
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            prepare(db)
        finally:
            db.close()
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def backup(db: sqlite3.Connection, dest: Path, home: Path, source: Path) -> Path:
    """Copy the catalog open in db to dest (a file, or a folder that receives a dated file)
    through SQLite's online backup API; check the copy; return its path."""
    dest = dest.expanduser()
    if dest.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = dest / f"catalog-{stamp}.sqlite"
    if dest.resolve() == source.resolve():
        raise CatalogError(f"{dest} est le catalogue lui-même : choisissez une autre destination.")
    if not dest.parent.is_dir():
        raise CatalogError(f"dossier {dest.parent} absent : créez-le ou choisissez-en un autre.")
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        copy = sqlite3.connect(tmp)
        try:
            db.backup(copy)  # all pages in one step: one consistent snapshot
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        if result != "ok":
            raise CatalogError(
                f"copie {dest} incohérente ({result}) : lancez « ceser check » sur le catalogue."
            )
        os.replace(tmp, dest)
    except OSError as e:
        raise CatalogError(
            f"copie du catalogue vers {dest} impossible ({e.strerror or e}) : vérifiez la place "
            "et les droits du dossier."
        ) from e
    finally:
        tmp.unlink(missing_ok=True)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    # a read-only data folder: the copy is made anyway, only not remembered
    with contextlib.suppress(OSError), (home / BACKUPS_LOG).open("a", encoding="utf-8") as log:
        log.write(f"{when}\t{dest.resolve()}\n")
    return dest
