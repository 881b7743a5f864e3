"""Reading order of a page: rows of words into column lines, headings that part the columns,
lines and tables ordered run by run.

The gutters (columns.py) and the bands with gutters of their own (bands.py) say where the
columns are; here each line gets its column, a heading that parts two runs of columns is made
full-width, and the page is read run by run, the left column of a run before the right one.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from .bands import Band
from .columns import FULL, column_of, dominant_size, hanging_marks, rows, spans_gutter
from .lines import ZONE, Line, TableItem
from .rawpage import Word


def even_sizes(lines: list[Line]) -> bool:
    """Give the lines of a scanner's invisible text layer one size.

    Such a layer sizes each line by its height, not by its font: a page whose lines come in
    eight sizes or more, none shared by a third of them, is one. Its lines near the median
    size take the size of its taller lines (so that a size change no longer cuts a
    paragraph); headings, much larger, keep theirs.
    """
    long = [ln for ln in lines if len(ln.text) > 20]
    if len(long) < 10:
        return False
    sizes = Counter(round(ln.size, 1) for ln in long)
    if len(sizes) < 8 or sizes.most_common(1)[0][1] > len(long) / 3:
        return False
    middle = statistics.median(ln.size for ln in long)
    # the lines with both ascenders and descenders are as tall as the font: the upper sizes
    full = sorted(ln.size for ln in long)[int(0.8 * (len(long) - 1))]
    for ln in lines:
        if 0.75 * middle <= ln.size <= 1.25 * middle:
            ln.size = full
    return True


def group_columns(
    words: list[Word], gutters: list[float], band: Band | None = None
) -> list[tuple[int, list[Word]]]:
    """Return the rows of words with their column (FULL for a row across a gutter); a band's
    columns are numbered from its base."""
    if not gutters:
        return [(band.base if band else 0, row) for row in rows(words)]
    grouped: list[tuple[int, list[Word]]] = []
    rest: list[Word] = []
    hanging: dict[int, float] = {}
    for row in rows(words):
        marks = hanging_marks(row, gutters)
        hanging |= marks
        space = band.space if band else None
        if any(
            spans_gutter(row, g, {k for k, v in marks.items() if v == g}, space) for g in gutters
        ):
            grouped.append((FULL, row))
        else:
            rest.extend(row)
    # column lines are grouped per column, so that baselines of another column never mix in
    by_col: dict[int, list[Word]] = {}
    for w in rest:
        col = column_of(w.x1 - 0.01, w.x1, gutters) + (id(w) in hanging)
        by_col.setdefault(col, []).append(w)
    base = band.base if band else 0
    for col in sorted(by_col):
        grouped += [(base + col, r) for r in rows(by_col[col])]
    return grouped


def mark_separators(lines: list[Line], height: float, cuts: Sequence[float] = ()) -> None:
    """Mark as full-width (FULL) the headings that part two runs of columns.

    A heading that spans the columns but is shorter than one of them lies in the first column
    only. It still parts the page: the columns above it are read before it, those below after.
    It is told from a line of that column by the room around it: it is bold or larger, with
    space above it, no other column beside it or close above or below it, and every other
    column starting again below it, level with each other, no lower than the line that
    follows it in its own column; or, at the foot of its column, every other column ending
    above it. cuts: the tops of the tables across the columns; each parts the columns as a
    page's foot does (a table's title set at the foot of the first column, over the table,
    when the other columns end higher).
    """
    inner = [
        ln
        for ln in lines
        if ln.col != FULL and ln.top > height * ZONE and ln.bottom < height * (1 - ZONE)
    ]
    if not inner:
        return
    size = dominant_size([w for ln in inner for w in ln.words])
    by_col: dict[int, list[Line]] = {}
    for ln in inner:
        by_col.setdefault(ln.col, []).append(ln)
    for col, own in by_col.items():
        others = [ln for ln in inner if ln.col != col]
        own.sort(key=lambda ln: ln.top)
        gaps = [b.top - a.bottom for a, b in pairwise(own) if b.top > a.bottom]
        gap = statistics.median(gaps) if gaps else 0.0
        for s, first in enumerate(own[:-1]):
            if s and first.top - own[s - 1].bottom <= 1.5 * gap + 1:
                continue
            for e in range(s, min(s + 3, len(own) - 1)):
                run = own[s : e + 1]
                if not all(ln.bold or ln.size >= 1.1 * size for ln in run):
                    break
                top, bottom, nxt = first.top, own[e].bottom, own[e + 1].top
                # the other columns keep clear of it, as of a heading's own spacing
                clear = 0.5 * max(ln.size for ln in run)
                if any(o.top < bottom + 0.6 * clear and o.bottom > top - clear for o in others):
                    break
                below: dict[int, float] = {}
                for o in others:
                    if o.top >= bottom:
                        below[o.col] = min(below.get(o.col, o.top), o.top)
                above = any(o.bottom <= top for o in others)
                # the other columns start again together, at the latest beside the next line
                level = max(below.values(), default=0.0) - min(below.values(), default=0.0) <= 2
                if above and below and level and max(below.values()) <= nxt + 2:
                    for ln in run:
                        ln.col = FULL
                    break
        band = [o for o in others if o.band == own[0].band]
        for lo, hi in pairwise([-1.0, *sorted(cuts), height + 1]):
            piece = [ln for ln in own if lo <= ln.top < hi]
            if piece:
                _mark_trailing(piece, [o for o in band if lo <= o.top < hi], size, gap)


def _mark_trailing(own: list[Line], others: list[Line], size: float, gap: float) -> None:
    """Mark as full-width a heading that ends its column below every other column of its
    band: it heads what comes after the columns (a table, the next band), not the top of the
    next column."""
    for s in range(max(1, len(own) - 3), len(own)):
        run = own[s:]
        if own[s].top - own[s - 1].bottom <= 1.5 * gap + 1:
            continue
        if not all(ln.bold or ln.size >= 1.1 * size for ln in run):
            continue
        if others and all(o.bottom <= own[s].top for o in others):
            for ln in run:
                ln.col = FULL
        return


def _top(item: Line | TableItem) -> float:
    return item.top if isinstance(item, Line) else item.region.top


def reading_order(lines: list[Line], tables: list[TableItem]) -> list[Line | TableItem]:
    """Order a page's items: runs of columns parted by full-width items, the left column of
    a run read before the right one; a band with columns of its own is a run of its own."""
    items: list[Line | TableItem] = [*lines, *tables]
    items.sort(key=_top)
    out: list[Line | TableItem] = []
    segment: list[Line | TableItem] = []
    for item in items:
        if item.col == FULL or (segment and _band(item) != _band(segment[-1])):
            out.extend(sorted(segment, key=lambda i: (i.col, _top(i))))
            segment = []
        if item.col == FULL:
            out.append(item)
        else:
            segment.append(item)
    out.extend(sorted(segment, key=lambda i: (i.col, _top(i))))
    return out


def _band(item: Line | TableItem) -> int:
    return item.band if isinstance(item, Line) else 0
