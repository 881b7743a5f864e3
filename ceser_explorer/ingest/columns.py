"""Words to rows and columns: the gutters of a page, which column each word belongs to.

A gutter is a vertical band free of words that parts lines side by side, not the ragged ends
of the same lines; a row that runs across it is full-width (FULL). Works on plain words, so
that layout.py can order lines without caring how the columns were found.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from .rawpage import Word

FULL = -1  # column index of a line that spans the gutter
_MARK = re.compile(r"^(?:[•–—▪■●◦►➢✓-]|\d{1,2}[.)]|[a-hA-H][.)]|[IVXLC]{1,6}[.)])$")


def dominant_size(words: list[Word]) -> float:
    sizes: Counter[float] = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def rows(words: list[Word]) -> list[list[Word]]:
    """Group words whose vertical middles are close into rows, top to bottom."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        mid = (w.top + w.bottom) / 2
        if rows:
            row = rows[-1]
            rmid = statistics.median((v.top + v.bottom) / 2 for v in row)
            tol = 0.45 * max(max(v.size for v in row), w.size, 6.0)
            if abs(mid - rmid) <= tol:
                row.append(w)
                continue
        rows.append([w])
    # a row of small raised words only (footnote calls) belongs to the line it overlaps, the
    # one it overlaps most where it touches two (a call raised to the line above's descenders)
    merged: list[list[Word]] = []
    for k, row in enumerate(rows):
        prev = merged[-1] if merged else None
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        up = _overlap(prev, row) if prev and (_is_small(row, prev) or _is_small(prev, row)) else 0
        down = _overlap(row, nxt) if nxt and _is_small(row, nxt) else 0
        if nxt is not None and down > max(up, 0):
            nxt[:0] = row
        elif prev is not None and up > 0:
            prev.extend(row)
        else:
            merged.append(row)
    return merged


def _is_small(row: list[Word], other: list[Word]) -> bool:
    # calls are set at about 60 to 82 % of the text (9 pt in 11 pt); drop_superscripts says 85 %
    return max(w.size for w in row) < 0.85 * max(w.size for w in other)


def _overlap(a: list[Word], b: list[Word]) -> float:
    """Return how far two rows overlap in height (negative: the gap between them)."""
    top = max(min(w.top for w in a), min(w.top for w in b))
    bottom = min(max(w.bottom for w in a), max(w.bottom for w in b))
    return bottom - top


def find_gutters(words: list[Word], width: float) -> list[float]:
    """Return the x of each vertical gutter that splits the page into columns (maybe none).

    A gutter is a vertical band that (almost) no word covers, between 15 % and 85 % of the
    page width, with enough words on each side of it: two, three or more columns alike.
    """
    if len(words) < 40:
        return []
    lo, hi = int(width * 0.15), int(width * 0.85)
    cover = [0] * (hi - lo)
    for w in words:
        a, b = max(lo, int(w.x0) - 1), min(hi, int(w.x1) + 2)
        for x in range(a, b):
            cover[x - lo] += 1
    limit = max(2, 0.04 * len(words))
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, c in enumerate([*cover, limit + 1]):
        if c <= limit and start is None:
            start = i
        elif c > limit and start is not None:
            runs.append((start, i))
            start = None
    gutters: list[float] = []
    # the clearest gutters first: each other one is judged on the words between its clear
    # neighbours (a first column's ragged band judged with the lines of a second column
    # beside it would find most rows clear of it)
    centres = _band_centres(cover, runs, lo)
    for gutter in sorted(centres, key=lambda g: (cover[min(int(g) - lo, len(cover) - 1)], g)):
        before = max((g for g in gutters if g < gutter), default=-1e9)
        after = min((g for g in gutters if g > gutter), default=1e9)
        region = [w for w in words if w.x0 >= before and w.x1 <= after]
        left = [w for w in region if w.x1 <= gutter]
        right = [w for w in region if w.x0 >= gutter]
        # a sidebar or a pull quote beside the text is a column too, however short
        enough = min(len(left), len(right)) >= 8
        # a column holds lines of text: a band of bullets or numbers beside a list is none
        wide = all(
            max(w.x1 for w in side) - min(w.x0 for w in side) > 0.12 * width
            for side in (left, right)
            if side
        )
        if enough and wide and _splits_rows(region, gutter):
            gutters.append(gutter)
    return sorted(gutters)


def _band_centres(cover: list[int], runs: list[tuple[int, int]], lo: int) -> list[float]:
    """Return the centre of each stretch of a band where it is least covered.

    A band may hold a few words (a short pull quote is too few to make a column by count):
    each stretch free of them, on either side, is a candidate gutter of its own.
    """
    out: list[float] = []
    for a, b in runs:
        if b - a < 3:  # narrower than a column gap
            continue
        least = min(cover[a:b])
        xs = [i for i in range(a, b) if cover[i] == least]
        stretches: list[tuple[int, int]] = []
        for x in xs:
            if stretches and x == stretches[-1][1] + 1:
                stretches[-1] = (stretches[-1][0], x)
            else:
                stretches.append((x, x))
        wide = [(p, q) for p, q in stretches if q - p >= 2]
        if len(wide) > 1:
            out += [lo + (p + q) / 2 for p, q in wide]
        else:  # one stretch, or slivers between words that cross the band: its centre
            out.append(lo + (xs[0] + xs[-1]) / 2)
        out += [lo + c for c in _dips(cover, a, b, least) if all(abs(lo + c - x) > 3 for x in out)]
    return sorted(out)


def _dips(cover: list[int], a: int, b: int, least: int) -> list[float]:
    """Return the middle of each valley of the band [a, b) far less covered than the band
    around it, other than the valley of its least covered stretch.

    Where the columns below a section's end hold a few lines only (a section that ends high
    in the first column, then a heading run over the gutter), the whole width right of the
    first column is little covered: the gap between the two columns below is then no least
    covered stretch (the heading's words cross it), only a valley among the lines of the
    sparse columns, crossed by a word or two.
    """
    covered = [c for c in cover[a:b] if c > least]
    usual = statistics.median(covered) if covered else 0
    if usual < 3:
        return []
    limit = usual / 2
    out: list[float] = []
    start: int | None = None
    for i in range(a, b + 1):
        low = i < b and cover[i] <= limit
        if low and start is None:
            start = i
        elif not low and start is not None:
            valley = cover[start:i]
            # as wide as a gap between columns; the least covered stretch is a candidate already
            if i - start >= 6 and least not in valley:
                bottom = [start + k for k, c in enumerate(valley) if c == min(valley)]
                out.append((bottom[0] + bottom[-1]) / 2)
            start = None
    return out


def _splits_rows(words: list[Word], gutter: float) -> bool:
    """Return True when the band parts columns, not the ragged ends of the same lines.

    Lines of body text that run across a real gutter are few (headings, pull quotes and tables
    may span the columns, in another size or in bold); across the band that the ends of ragged
    lines leave free (a list, short paragraphs), many lines run on: a word straddles it, or
    only a word space separates the words on its sides.
    """
    crossing = 0
    with_right = 0
    size = dominant_size(words)
    for row in rows(words):
        lx = [w.x1 for w in row if w.x1 <= gutter]
        rx = [w.x0 for w in row if w.x0 >= gutter]
        across = any(w.x0 < gutter < w.x1 for w in row)
        if rx or across:
            with_right += 1
            near = bool(lx and rx) and min(rx) - max(lx) < 0.5 * dominant_size(row)
            # a heading or a pull quote set apart (bold, another size) may span the columns
            plain = abs(dominant_size(row) - size) < 0.6 and not all(w.bold for w in row)
            crossing += (across or near) and plain
    return crossing <= max(1.0, 0.3 * with_right)


def hanging_marks(row: list[Word], gutters: list[float]) -> dict[int, float]:
    """Return the ids of the list marks of a row that hang in a gutter before their item, each
    with that gutter.

    A bullet or a number (« 4. », « d) ») set out in the gap between two columns belongs to
    the item that follows it in the next column, not to the column it lies over: it is nearer
    to that item's first word than to the word before it.
    """
    out: dict[int, float] = {}
    ordered = sorted(row, key=lambda w: w.x0)
    for k, w in enumerate(ordered[:-1]):
        nxt = ordered[k + 1]
        if not _MARK.match(w.text):
            continue
        for g in gutters:
            before = ordered[k - 1].x1 if k else -1e9
            # a mark hangs by a space or two: a large heading number set far left of the
            # gutter, level with the next column's lines, is its own column's
            near = nxt.x0 - w.x1 < 4 * max(nxt.size, 6.0)
            if w.x1 <= g + 1 < nxt.x0 + 2 and nxt.x0 - w.x1 < w.x0 - before and near:
                out[id(w)] = g
    return out


def column_of(x0: float, x1: float, gutters: list[float]) -> int:
    """Return the column index of a span, FULL if it crosses a gutter."""
    col = 0
    for g in gutters:
        if x1 <= g + 1:
            return col
        if x0 < g - 1:
            return FULL
        col += 1
    return col


def spans_gutter(
    row: list[Word], gutter: float, hanging: set[int] | None = None, space: float | None = None
) -> bool:
    """Return True for a row that runs across the gutter: a full-width line, not two columns.

    Either a word straddles the gutter, or the words on each side of it are only a word space
    apart (narrower than the font size, where the gap between columns is wider). A list mark
    hanging in the gutter (hanging: ids) parts the row: it goes with the column after it.
    space: the narrowest gap that parts the row, where the gutter is known to be narrower
    than the font size (a band's).
    """
    if any(w.x0 < gutter - 1 and w.x1 > gutter + 1 for w in row):
        return True
    hanging = hanging or set()
    if any(id(w) in hanging for w in row):
        return False  # a mark nearer to the next column's item than to the word before it
    left = [w.x1 for w in row if w.x1 <= gutter + 1 and id(w) not in hanging]
    right = [w.x0 for w in row if w.x1 > gutter + 1 or id(w) in hanging]
    if not left or not right:
        return False
    return min(right) - max(left) < (space or max(dominant_size(row), 6.0))
