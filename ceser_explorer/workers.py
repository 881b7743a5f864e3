"""Extraction in worker processes: PDFs read in parallel, each under a wall time and a
memory cap, results handed back in the order the batch asks for them.

Workers are forked from a fork server that has imported the extraction modules and loaded
the French lexicon once (``ceser_explorer.warm``), so a worker starts in milliseconds and a
worker killed for a hung file is replaced at once. The parent never forks itself: it may
run Chroma's and ONNX Runtime's threads, which a plain fork would copy half-way.

A worker reads one file at a time and sends back its pages as they are read, then the
parsed document (or the reason it could not be read). Whatever a file does to its worker
(an exception, a hang past ``file_seconds``, memory past ``memory_mb``, a crash) costs that
file alone: the parent reports it in one line and starts another worker.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .config import Limits
from .errors import BadDocumentError, cause_of
from .models import ParsedDocument

# Test hook: a worker asked to read a file of this name sleeps instead (a file that hangs).
ENV_TEST_HANG = "CESER_TEST_HANG_FILE"
_PRELOAD = ["ceser_explorer.warm"]

PageEvent = Callable[[int, int, int], None]  # (key, page, pages)


@dataclass(frozen=True)
class _Failure:
    reason: str
    hint: str


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        cap = memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _failure(e: Exception, memory_mb: int) -> _Failure:
    """What a worker reports for a file it could not read."""
    if cause_of(e, MemoryError) is not None:
        return _Failure(
            f"mémoire dépassée (limite de {memory_mb} Mo par processus de lecture)",
            "augmentez CESER_WORKER_MEMORY_MB ou retirez le fichier du dossier",
        )
    if isinstance(e, BadDocumentError):
        return _Failure(e.reason, e.hint)
    detail = " ".join(str(e).split())[:200]  # a parser bug must cost this file only
    return _Failure(
        f"erreur de lecture ({type(e).__name__}: {detail})",
        "re-téléchargez ou ré-exportez le fichier, sinon signalez-le",
    )


def _serve(conn: Connection, memory_mb: int, hang: str | None = None) -> None:
    """A worker's loop: read (key, path, ocr, limits) tasks until told to stop or the parent
    goes."""
    from .ingest import parse_pdf

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract: one core per worker
    _limit_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if task is None:
            return
        key, path, ocr, limits = task

        def page(number: int, pages: int, key: int = key) -> None:
            conn.send(("page", key, number, pages))

        try:
            if hang and Path(path).name == hang:
                time.sleep(3600)
            result: Any = parse_pdf(path, on_page=page, ocr=ocr, limits=limits)
        except Exception as e:
            result = _failure(e, memory_mb)
        try:
            conn.send(("done", key, result))
        except MemoryError:
            conn.send(("done", key, _Failure("document trop gros à transmettre", "scindez-le")))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Worker:
    process: Any
    conn: Connection
    key: int | None = None  # the file it reads
    name: str = ""
    since: float = 0.0


class ExtractionPool:
    """Worker processes that read PDFs; ``submit`` files, ``result`` them in any order."""

    def __init__(
        self,
        workers: int,
        file_seconds: float = 0.0,
        memory_mb: int = 0,
        on_page: PageEvent | None = None,
        clock: Callable[[], float] = time.monotonic,
        limits: Limits | None = None,
    ) -> None:
        self.size = max(workers, 1)
        self.limits = limits or Limits()  # what one document may cost, sent with each task
        self.file_seconds = file_seconds
        self.memory_mb = memory_mb
        self.on_page = on_page
        self.clock = clock
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._workers: list[_Worker] = []
        self._queue: deque[tuple[int, str, str, bool]] = deque()
        self._results: dict[int, ParsedDocument | BadDocumentError] = {}
        self._names: dict[int, str] = {}

    # -- the parent's side ---------------------------------------------------------------------

    def submit(self, key: int, path: Path, name: str, ocr: bool) -> None:
        """Queue a file (name: as the user gave it, for messages) to be read by a worker."""
        self._names[key] = name
        self._queue.append((key, str(path), name, ocr))
        self._dispatch()

    def submitted(self, key: int) -> bool:
        return key in self._names

    def result(self, key: int) -> ParsedDocument:
        """Wait for the file submitted under key; return its document or raise its error."""
        if key not in self._names:
            raise KeyError(key)
        while key not in self._results:
            self._pump(block=True)
        self._names.pop(key, None)
        found = self._results.pop(key)
        if isinstance(found, BadDocumentError):
            raise found
        return found

    def discard(self, key: int) -> None:
        """Forget a file's result (read ahead for nothing)."""
        self._results.pop(key, None)
        self._names.pop(key, None)
        self._queue = deque(t for t in self._queue if t[0] != key)

    def pump(self) -> None:
        """Take in what workers sent and give idle ones the next files, without waiting."""
        self._pump(block=False)

    def close(self) -> None:
        """Stop every worker (killing one still reading)."""
        for w in self._workers:
            try:
                if w.key is None:
                    w.conn.send(None)
                else:
                    w.process.kill()
            except (BrokenPipeError, OSError):
                pass
        for w in self._workers:
            w.process.join(timeout=5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self._workers = []

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_serve,
            args=(child, self.memory_mb, os.environ.get(ENV_TEST_HANG)),
            name="ceser-lecture",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        return worker

    def _dispatch(self) -> None:
        while self._queue:
            idle = next((w for w in self._workers if w.key is None), None)
            if idle is None:
                if len(self._workers) >= self.size:
                    return
                idle = self._start()
            key, path, name, ocr = self._queue.popleft()
            try:
                idle.conn.send((key, path, ocr, self.limits))
            except (BrokenPipeError, OSError):
                self._retire(idle)
                self._queue.appendleft((key, path, name, ocr))
                continue
            idle.key, idle.name, idle.since = key, name, self.clock()

    def _died(self, worker: _Worker) -> None:
        code = worker.process.exitcode
        self._fail(
            worker,
            f"le processus de lecture s'est arrêté (code {code})",
            "le fichier dépasse sans doute la mémoire permise (CESER_WORKER_MEMORY_MB) ;"
            " ré-exportez-le ou retirez-le du dossier"
            if code is None or code < 0  # killed
            else "son message d'erreur est affiché plus haut",
        )

    def _retire(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._workers.remove(worker)

    def _fail(self, worker: _Worker, reason: str, hint: str) -> None:
        assert worker.key is not None
        self._results[worker.key] = BadDocumentError(worker.name, reason, hint)
        worker.key = None
        self._retire(worker)

    def _pump(self, block: bool) -> None:
        busy = [w for w in self._workers if w.key is not None]
        if not busy:
            self._dispatch()
            return
        timeout = 0.0
        if block:
            timeout = 0.5
            if self.file_seconds > 0:
                now = self.clock()
                first = min(w.since + self.file_seconds for w in busy)
                timeout = min(max(first - now, 0.0), 0.5)
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
        for w in busy:
            if w.conn in ready:
                self._receive(w)
        for w in [w for w in self._workers if w.key is not None]:
            if not w.process.is_alive() and not w.conn.poll():
                self._died(w)
            elif (
                self.file_seconds > 0
                and self.clock() - w.since > self.file_seconds
                and not w.conn.poll()
            ):
                self._fail(
                    w,
                    f"lecture interrompue après {self.file_seconds:g} s (limite par fichier)",
                    "augmentez CESER_FILE_SECONDS ou retirez le fichier du dossier",
                )
        self._dispatch()

    def _receive(self, w: _Worker) -> None:
        while w.key is not None and w.conn.poll():
            try:
                message = w.conn.recv()
            except (EOFError, OSError):  # the worker died (its end of the pipe is closed)
                w.process.join(timeout=2)
                self._died(w)
                return
            kind, key = message[0], message[1]
            if kind == "page":
                if self.on_page is not None:
                    self.on_page(key, message[2], message[3])
                continue
            found = message[2]
            if isinstance(found, _Failure):
                found = BadDocumentError(w.name, found.reason, found.hint)
            if key in self._names:  # else discarded while it was read
                self._results[key] = found
            w.key = None
