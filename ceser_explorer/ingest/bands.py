"""Bands of a page whose gutters are not the page's: columns that move or start mid-page.

The gutters that columns.py finds hold for a whole page. A page may change its columns
halfway down: one column of intro above two, columns of other widths below a table, a text
box or a sidebar that the body text runs beside for a few lines only. Such a band shows as a
vertical strip free of words, over consecutive rows, with words on both sides of it in
several of them, that no gutter of the page explains; its rows are read with gutters of their
own.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .columns import dominant_size, rows
from .rawpage import TableRegion, Word

MIN_EVIDENCE = 4  # rows whose words come close to the strip, on each side
BAND_COLUMNS = 100  # column numbers of band k start at k * BAND_COLUMNS


@dataclass(frozen=True)
class Band:
    """Rows between top and bottom read with their own gutters; their columns are numbered
    from base (so that they sort after the page's own columns and apart from other bands)."""

    top: float
    bottom: float
    gutters: tuple[float, ...]
    base: int
    space: float  # the width of the strip found free: a row parted by as much is two columns

    def holds(self, row: list[Word]) -> bool:
        mid = sum((w.top + w.bottom) / 2 for w in row) / len(row)
        return self.top <= mid <= self.bottom


@dataclass
class _Run:
    a: float
    b: float
    first: int
    last: int
    evidence: int


def find_bands(
    words: list[Word], width: float, gutters: list[float], tables: list[TableRegion]
) -> list[Band]:
    """Return the bands of a page whose columns differ from the page's gutters (maybe none)."""
    if len(words) < 24:
        return []
    lines = rows(words)
    # a table parts what is above it from what is below it, as a row that covers its width
    for t in tables:
        lines.append([Word("", t.x0, t.top, t.x1, t.bottom, 0.0)])
    lines.sort(key=lambda r: min(w.top for w in r))
    lo, hi = 0.15 * width, 0.85 * width
    runs: list[_Run] = []
    for k, row in enumerate(lines):
        if not row[0].text:
            continue
        least = max(0.75 * dominant_size(row), 5.0)
        ordered = sorted(row, key=lambda w: w.x0)
        for left, right in pairwise(ordered):
            a, b = left.x1, right.x0
            if b - a < least or b < lo or a > hi:
                continue
            if any(r.first <= k <= r.last and r.a < b and a < r.b for r in runs):
                continue
            runs.append(_extend(lines, k, a, b, least))
    found: list[tuple[int, int, list[float], float]] = []  # first row, last row, gutters, space
    for run in sorted(runs, key=lambda r: r.first):
        if run.evidence < MIN_EVIDENCE or any(run.a - 1 <= g <= run.b + 1 for g in gutters):
            continue
        first, last = run.first, run.last
        band_words = [w for r in lines[first : last + 1] for w in r if w.text]
        if gutters and not any(w.x0 < g - 1 < g + 1 < w.x1 for w in band_words for g in gutters):
            continue  # the page's gutters part these rows already
        gutter = (run.a + run.b) / 2
        if not _columns_both_sides(band_words, gutter, width):
            continue
        same = next((f for f in found if f[0] <= first + 1 and last - 1 <= f[1]), None)
        if same is not None:  # another gutter of the same band (three columns)
            same[2].append(gutter)
            continue
        for f in found:  # a row free in two strips (a heading between bands) goes to the first
            if f[0] <= first <= f[1]:
                first = f[1] + 1
        if last - first + 1 < MIN_EVIDENCE:
            continue
        found.append((first, last, [gutter], 0.9 * (run.b - run.a)))
    out: list[Band] = []
    for first, last, own, space in found:
        band_words = [w for r in lines[first : last + 1] for w in r if w.text]
        # the page's gutters that the band keeps: those no word of the band covers
        kept = [g for g in gutters if not any(w.x0 < g < w.x1 for w in band_words)]
        top = min(w.top for w in lines[first])
        bottom = max(w.bottom for w in lines[last])
        base = (len(out) + 1) * BAND_COLUMNS
        out.append(Band(top, bottom, tuple(sorted([*kept, *own])), base, space))
    return out


def _extend(lines: list[list[Word]], k: int, a: float, b: float, least: float) -> _Run:
    """Return the run of rows around row k that keep one strip of [a, b] free of words.

    The strip narrows to what every row of the run leaves free; a row that leaves less than
    least free ends the run. Its evidence is the number of rows whose words come close to
    the strip on its left, or on its right, whichever is fewer: the lines of two columns hug
    it on both sides (each column's rows may sit at other heights), the room at the end of
    short lines has nothing on its right.
    """
    run = _Run(a, b, k, k, 0)
    for step in (-1, 1):
        j = k + (step if step > 0 else 0)
        while 0 <= j < len(lines):
            free = _free_part(lines[j], run.a, run.b)
            if free is None or free[1] - free[0] < least:
                break
            run.a, run.b = free
            if step < 0:
                run.first = j
            else:
                run.last = j
            j += step
    reach = 3 * least

    def hugs(r: list[Word]) -> tuple[bool, bool]:
        return (
            any(run.a - reach <= w.x1 <= run.a for w in r),
            any(run.b <= w.x0 <= run.b + reach for w in r),
        )

    # a row at either end that comes near the strip on neither side (a heading above or
    # below the columns) is no part of the band
    while run.first < run.last and not any(hugs(lines[run.first])):
        run.first += 1
    while run.last > run.first and not any(hugs(lines[run.last])):
        run.last -= 1
    sides = [hugs(r) for r in lines[run.first : run.last + 1]]
    run.evidence = min(sum(left for left, _ in sides), sum(right for _, right in sides))
    return run


def _free_part(row: list[Word], a: float, b: float) -> tuple[float, float] | None:
    """Return the widest part of [a, b] that no word of the row covers (None: none)."""
    edges = [a]
    for w in sorted(row, key=lambda w: w.x0):
        if w.x1 <= a or w.x0 >= b:
            continue
        edges += [w.x0, w.x1]
    edges.append(b)
    best: tuple[float, float] | None = None
    for x0, x1 in zip(edges[::2], edges[1::2], strict=False):
        if x1 > x0 and (best is None or x1 - x0 > best[1] - best[0]):
            best = (x0, x1)
    return best


def _columns_both_sides(words: list[Word], gutter: float, width: float) -> bool:
    """Return True when both sides of the strip hold lines of text, not a band of bullets or
    numbers beside a list, nor a few labels."""
    left = [w for w in words if w.x1 <= gutter]
    right = [w for w in words if w.x0 >= gutter]
    if min(len(left), len(right)) < 8:
        return False
    return all(max(w.x1 for w in s) - min(w.x0 for w in s) > 0.12 * width for s in (left, right))
