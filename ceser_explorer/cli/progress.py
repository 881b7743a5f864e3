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
from ..workspace import Progress as ProgressFn  # rich has its own Progress
from .env import console


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
    """Bars of ``ceser ingest`` (the ingest reporter protocol): documents stored, pages read
    by the workers (every file read so far, ahead of the one stored included), passages
    embedded, and the time left at the pace so far (see pace.Pace)."""

    def __init__(self, display: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self.display = display
        self.pace = Pace(clock)
        self.files = display.add_task("Documents", total=None)
        self.pages = display.add_task("Pages lues", total=None, visible=False)
        self.embedding: TaskID | None = None

    def _pages_label(self) -> str:
        left = self.pace.text()
        return f"Pages lues · {left}" if left else "Pages lues"

    def _pages(self) -> None:
        read = self.pace.pages_read
        self.display.update(
            self.pages,
            completed=read,
            total=round(read + self.pace.pages_left()) or None,
            visible=True,
            description=self._pages_label(),
        )

    def file_started(self, name: str, index: int, total: int) -> None:
        self.pace.file_started(name, index, total)
        self.display.update(
            self.files, total=total, completed=index, description=f"Documents · {name}"
        )

    def page_done(self, page: int, pages: int, name: str | None = None) -> None:
        self.pace.page_done(page, pages, name)
        self._pages()

    def file_done(self, name: str, status: str) -> None:
        self.pace.file_done(name, status)
        self.display.advance(self.files)

    def vectors(self, done: int, total: int) -> None:
        """Show the passages embedded, of those stored so far (embedding follows reading)."""
        self.pace.vectors(done, total)
        if self.embedding is None:
            self.embedding = self.display.add_task("Passages vectorisés", total=total)
        self.display.update(self.embedding, completed=done, total=total)
        self.display.update(self.pages, description=self._pages_label())


@contextmanager
def file_progress(enabled: bool) -> Iterator[FileProgress | None]:
    """Yield the per-file and per-page bars of an ingestion, or None off a terminal."""
    if not enabled:
        yield None
        return
    with bar() as display:
        yield FileProgress(display)
