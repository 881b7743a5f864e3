"""The time a batch has left, from what it has done so far.

Fed by the reporter events (files, pages, passages embedded), the CLI and the Import page
show its estimate. Files are read by workers ahead of the one being stored, so pages are
counted per file, whichever file they come from. Files not opened yet are assumed to hold
as many pages as the files seen so far did on average (files skipped as unchanged count as
none): all a batch knows before it opens them. Embedding runs alongside reading; the time
left is that of the slower of the two.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

# A progress callback: (done, total), the one signature of every long step.
Progress = Callable[[int, int], None]


class Pace:
    """Count pages, files and passages embedded; estimate the seconds the batch has left."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.start: float | None = None
        self.index = 0  # of the file being stored
        self.total = 0  # files in the batch
        self.current = ""  # the file being stored
        self.read: dict[str, tuple[int, int]] = {}  # file -> (pages read, pages) once opened
        self.finished: set[str] = set()
        self.embedded = 0  # passages embedded so far
        self.to_embed = 0  # passages known to need embedding so far
        self.embed_start: float | None = None

    def file_started(self, name: str, index: int, total: int) -> None:
        if self.start is None:
            self.start = self.clock()
        self.index, self.total, self.current = index, total, name

    def page_done(self, page: int, pages: int, name: str | None = None) -> None:
        if self.start is None:
            self.start = self.clock()
        self.read[name or self.current] = (page, pages)

    def file_done(self, name: str, status: str) -> None:
        self.finished.add(name)

    def vectors(self, done: int, total: int) -> None:
        """Passages embedded so far, of those known to need it."""
        if self.embed_start is None:
            self.embed_start = self.clock()
        self.embedded, self.to_embed = done, total

    @property
    def pages_read(self) -> int:
        return sum(page for page, _ in self.read.values())

    @property
    def pages_known(self) -> int:
        """Pages of the files opened so far."""
        return sum(pages for _, pages in self.read.values())

    def pages_left(self) -> float:
        """Pages not read yet: of the files opened, then the average of the files seen."""
        seen = self.finished | self.read.keys()
        per_file = self.pages_known / max(len(seen), 1)
        files_after = max(self.total - len(seen), 0)
        return sum(n - p for p, n in self.read.values()) + files_after * per_file

    def seconds_left(self) -> float | None:
        """Return the estimated seconds left, or None before the first page is read."""
        read = self.pages_read
        if self.start is None or read == 0:
            return None
        elapsed = self.clock() - self.start
        if elapsed <= 0:
            return None
        pages_left = self.pages_left()
        left = pages_left * elapsed / read
        if self.embed_start is not None and self.embedded > 0:
            per_page = self.to_embed / read  # passages a page gives, so far
            passages_left = self.to_embed - self.embedded + pages_left * per_page
            rate = (self.clock() - self.embed_start) / self.embedded
            left = max(left, passages_left * rate)
        return left

    def text(self) -> str:
        """Return the estimate in French (« environ 40 s restantes »), or "" without one."""
        seconds = self.seconds_left()
        if seconds is None or seconds <= 0:
            return ""
        if seconds < 90:
            return f"environ {max(math.ceil(seconds), 1)} s restantes"
        return f"environ {math.ceil(seconds / 60)} min restantes"
