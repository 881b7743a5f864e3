"""Time left in an ingestion batch, from the pace so far, on a fake clock."""

from __future__ import annotations

from typing import Any

from ceser_explorer.app.import_page import ProgressReporter
from ceser_explorer.batch import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_follows_the_pages_read_per_second() -> None:
    clock = Clock()
    pace = Pace(clock)
    pace.file_started("a.pdf", 0, 3)
    assert pace.seconds_left() is None and pace.text() == ""  # no page read yet
    clock.now += 4
    pace.page_done(2, 10)  # 2 pages in 4 s: 2 s a page
    # 8 pages left in a.pdf, then 2 files of 10 pages (the average so far)
    assert pace.seconds_left() == (8 + 2 * 10) * 2
    clock.now += 16
    pace.page_done(10, 10)
    pace.file_done("a.pdf", "added")
    assert pace.seconds_left() == 2 * 10 * 2
    pace.file_started("b.pdf", 1, 3)  # unchanged: no page, counts as a file of none
    pace.file_done("b.pdf", "unchanged")
    pace.file_started("c.pdf", 2, 3)
    clock.now += 2
    pace.page_done(1, 4)  # 11 pages in 22 s; 3 pages left, the last file
    assert pace.seconds_left() == 3 * 22 / 11
    assert pace.text() == "environ 6 s restantes"
    clock.now += 6
    pace.page_done(4, 4)
    assert pace.seconds_left() == 0 and pace.text() == ""


def test_long_estimates_are_said_in_minutes() -> None:
    clock = Clock()
    pace = Pace(clock)
    pace.file_started("gros.pdf", 0, 5)
    clock.now += 10
    pace.page_done(1, 30)  # 10 s a page, 29 + 4 × 30 pages left
    assert pace.text() == "environ 25 min restantes"


class Bar:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def progress(self, value: float, text: Any = None) -> None:
        self.calls.append((value, text))


def test_import_progress_names_the_file_its_pages_and_the_time_left() -> None:
    clock, bar = Clock(), Bar()
    rep = ProgressReporter(bar, clock)
    rep.file_started("/corpus/avis.pdf", 0, 2)
    assert bar.calls[-1] == (0.0, "Fichier 1/2 : avis.pdf")
    clock.now += 3
    rep.page_done(1, 4)
    value, text = bar.calls[-1]
    assert value == 1 / 8
    # 3 pages left here and 4 in the next file, at 3 s a page
    assert text == "Fichier 1/2 : avis.pdf — page 1/4 — environ 21 s restantes"
    rep.file_done("/corpus/avis.pdf", "duplicate")
    assert bar.calls[-1][1].startswith("Fichier 1/2 : avis.pdf — doublon")


def test_pages_read_ahead_by_workers_count_for_their_own_file() -> None:
    clock = Clock()
    pace = Pace(clock)
    pace.file_started("a.pdf", 0, 3)
    clock.now += 4
    pace.page_done(2, 4, "a.pdf")
    pace.page_done(2, 6, "b.pdf")  # a second worker reads the next file meanwhile
    # 4 pages read in 4 s; 2 + 4 pages left in a and b, then c as the average (5 pages)
    assert pace.pages_left() == 2 + 4 + 5
    assert pace.seconds_left() == 11
    pace.page_done(4, 4, "a.pdf")
    pace.file_done("a.pdf", "added")
    pace.file_started("b.pdf", 1, 3)
    assert pace.read["b.pdf"] == (2, 6)  # what was read ahead is not forgotten


def test_time_left_waits_for_the_embedding_when_it_is_the_slower() -> None:
    clock = Clock()
    pace = Pace(clock)
    pace.file_started("a.pdf", 0, 1)
    pace.vectors(0, 0)
    clock.now += 10
    pace.page_done(10, 10)  # every page read in 10 s
    pace.vectors(20, 100)  # 20 passages of 100 embedded in 10 s: 40 s to go
    assert pace.seconds_left() == 40
    assert pace.text() == "environ 40 s restantes"
