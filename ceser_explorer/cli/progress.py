"""The one progress display of the CLI: a bar on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..workspace import Pace
from .env import console

ProgressFn = Callable[[int, int], None]


def bar(label: str = "{task.description}") -> Progress:
    """Return the progress display of every long command: label, bar, count, time, on stderr."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def progress(description: str, enabled: bool | None = None) -> Iterator[ProgressFn | None]:
    """Yield a callback (done, total) drawing a bar on stderr, or None off a terminal."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield None
        return
    with bar() as display:
        task = display.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            display.update(task, completed=done, total=total)

        yield update


class FileProgress:
    """Bars per file and per page for ``ceser ingest`` (the ingest reporter protocol), with
    the time left at the pace so far (see pace.Pace) on the pages bar."""

    def __init__(self, display: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self.display = display
        self.pace = Pace(clock)
        self.files = display.add_task("Documents", total=None)
        self.pages = display.add_task("Pages", total=None, visible=False)
        self.embedding: TaskID | None = None

    def _pages_label(self) -> str:
        left = self.pace.text()
        return f"Pages · {left}" if left else "Pages"

    def file_started(self, name: str, index: int, total: int) -> None:
        self.pace.file_started(name, index, total)
        self.display.update(
            self.files, total=total, completed=index, description=f"Documents · {name}"
        )
        self.display.update(
            self.pages, completed=0, total=None, visible=True, description=self._pages_label()
        )

    def page_done(self, page: int, pages: int) -> None:
        self.pace.page_done(page, pages)
        self.display.update(
            self.pages, completed=page, total=pages, description=self._pages_label()
        )

    def file_done(self, name: str, status: str) -> None:
        self.pace.file_done(name, status)
        self.display.advance(self.files)
        self.display.update(self.pages, visible=False)

    def vectors(self, done: int, total: int) -> None:
        """Show the embedding of the new passages, after the files."""
        if self.embedding is None:
            self.embedding = self.display.add_task("Vecteurs", total=total)
        self.display.update(self.embedding, completed=done, total=total)


@contextmanager
def file_progress(enabled: bool) -> Iterator[FileProgress | None]:
    """Yield the per-file and per-page bars of an ingestion, or None off a terminal."""
    if not enabled:
        yield None
        return
    with bar() as display:
        yield FileProgress(display)
