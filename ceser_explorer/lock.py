"""One writer at a time: a lock file in the data folder, held while a command writes.

Ingest, reindex, classify apply, check --repair and the Explorer's import take it (through
``Workspace``); a second writer waits for the first, or with ``wait=False`` stops at once
with « une indexation est déjà en cours (pid N) ». Readers (search, the explorer) never
take it: SQLite's WAL lets them read the last committed state while a writer works.

The lock is ``fcntl.flock`` on ``ceser.lock``: the kernel releases it when its holder
exits, killed or not, so a crash never leaves a stale lock behind. The holder's pid is
written inside for the message of those who wait.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import CeserError

LOCK_FILE = "ceser.lock"


class WriterBusyError(CeserError):
    """Another process is writing to the data folder (and the caller would not wait)."""

    def __init__(self, pid: str) -> None:
        self.pid = pid
        super().__init__(
            f"une indexation est déjà en cours (pid {pid}) : attendez sa fin, ou relancez sans "
            "--no-wait pour l'attendre."
        )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _holder(fd: int) -> str:
    """Return the pid written in the lock file ("?" while its holder has not written it)."""
    for _ in range(20):
        raw = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if raw:
            return raw
        time.sleep(0.01)
    return "?"


@contextmanager
def writer_lock(
    home: Path, wait: bool = True, notify: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the data folder's writer lock for the block (waiting for it, unless not wait)."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # an extraction worker re-imports the caller's script before it runs: a script that
        # ingests at import would wait here for the lock its own parent holds, file after file
        raise CeserError(
            "un processus de lecture a relancé le script qui indexe (il l'importe au démarrage) :"
            " placez l'appel à ingest() sous « if __name__ == '__main__': »."
        )
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise CeserError(
            f"verrou {path} impossible à ouvrir ({e.strerror}) : vérifiez les droits du dossier "
            "des données."
        ) from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            if not wait:
                raise WriterBusyError(pid) from None
            (notify or _stderr)(f"une indexation est déjà en cours (pid {pid}), attente…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def holder(home: Path) -> int | None:
    """Return the pid of the process writing to the data folder now, or None (read from the
    lock file without touching the lock: a killed writer's pid is ignored)."""
    try:
        raw = (home / LOCK_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not raw.isdigit():
        return None
    pid = int(raw)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return pid
