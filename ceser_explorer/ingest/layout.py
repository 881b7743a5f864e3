"""From words to lines in reading order: columns, running headers and footers, footnotes.

A page's words are grouped into lines; a vertical gutter free of words makes a page
two-column, and the lines are ordered segment by segment (full-width lines separate
segments; in each segment the left column is read before the right one). Lines that
repeat at the top or bottom of many pages are running headers or footers; small lines
at the foot of a column that start with a number are footnotes.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from itertools import pairwise

from .chars import letter_spaced_runs
from .pdfread import RawPage, TableRegion, Word

FULL = -1  # column index of a line that spans the gutter
ZONE = 0.09  # share of the page height where running headers and footers live

_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(page|p\.)?\s*\d{1,4}(\s*(/|sur)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE
)
_TOC_LINE = re.compile(r"(\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$")
_LEADER = re.compile(r"[.…]+")
_NOTE_START = re.compile(r"^\(?\d{1,3}[).]?$")
_MARK = re.compile(r"^(?:[•–—▪■●◦►➢✓-]|\d{1,2}[.)]|[a-hA-H][.)]|[IVXLC]{1,6}[.)])$")


@dataclass
class Line:
    """A line of text in one column of one page."""

    page: int
    col: int
    words: list[Word]
    size: float
    frame: int | None = None
    role: str = "body"  # body | header | footnote | toc | ocr
    ocr: bool = False
    text: str = ""

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @property
    def group(self) -> int:
        """Tesseract's paragraph of an OCR line (-1 for text-layer lines)."""
        return Counter(w.group for w in self.words).most_common(1)[0][0]


@dataclass
class TableItem:
    """A table placed in the reading order."""

    page: int
    col: int
    region: TableRegion


@dataclass
class PageLayout:
    """A page's lines and tables in reading order."""

    number: int
    width: float
    height: float
    items: list[Line | TableItem] = field(default_factory=list)
    ocr: bool = False


def _join_words(words: list[Word]) -> str:
    gaps = [b.x0 - a.x1 for a, b in pairwise(words)]
    spaced = letter_spaced_runs([w.text for w in words], gaps, _dominant_size(words) or 10.0)
    out = words[0].text if words else ""
    for k, w in enumerate(words[1:]):
        prev = words[k]
        glued = spaced[k] or gaps[k] <= 0.12 * max(w.size, prev.size, 4.0)
        out += ("" if glued else " ") + w.text
    return out


def _dominant_size(words: list[Word]) -> float:
    sizes: Counter[float] = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


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
    for gutter in _band_centres(cover, runs, lo):
        left = [w for w in words if w.x1 <= gutter and (not gutters or w.x0 >= gutters[-1])]
        right = [w for w in words if w.x0 >= gutter]
        # a sidebar or a pull quote beside the text is a column too, however short
        enough = min(len(left), len(right)) >= 8
        # a column holds lines of text: a band of bullets or numbers beside a list is none
        wide = all(
            max(w.x1 for w in side) - min(w.x0 for w in side) > 0.12 * width
            for side in (left, right)
            if side
        )
        region = [w for w in words if not gutters or w.x0 >= gutters[-1]]
        if enough and wide and _splits_rows(region, gutter):
            gutters.append(gutter)
    return gutters


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
    size = _dominant_size(words)
    for row in _rows(words):
        lx = [w.x1 for w in row if w.x1 <= gutter]
        rx = [w.x0 for w in row if w.x0 >= gutter]
        across = any(w.x0 < gutter < w.x1 for w in row)
        if rx or across:
            with_right += 1
            near = bool(lx and rx) and min(rx) - max(lx) < 0.5 * _dominant_size(row)
            # a heading or a pull quote set apart (bold, another size) may span the columns
            plain = abs(_dominant_size(row) - size) < 0.6 and not all(w.bold for w in row)
            crossing += (across or near) and plain
    return crossing <= max(1.0, 0.3 * with_right)


def _column_of(x0: float, x1: float, gutters: list[float]) -> int:
    """Return the column index of a span, FULL if it crosses a gutter."""
    col = 0
    for g in gutters:
        if x1 <= g + 1:
            return col
        if x0 < g - 1:
            return FULL
        col += 1
    return col


def _hanging_marks(row: list[Word], gutters: list[float]) -> dict[int, float]:
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
            if w.x1 <= g + 1 < nxt.x0 + 2 and nxt.x0 - w.x1 < w.x0 - before:
                out[id(w)] = g
    return out


def _spans_gutter(row: list[Word], gutter: float, hanging: set[int] | None = None) -> bool:
    """Return True for a row that runs across the gutter: a full-width line, not two columns.

    Either a word straddles the gutter, or the words on each side of it are only a word space
    apart (narrower than the font size, where the gap between columns is wider). A list mark
    hanging in the gutter (hanging: ids) counts with the column after it.
    """
    if any(w.x0 < gutter - 1 and w.x1 > gutter + 1 for w in row):
        return True
    hanging = hanging or set()
    left = [w.x1 for w in row if w.x1 <= gutter + 1 and id(w) not in hanging]
    right = [w.x0 for w in row if w.x1 > gutter + 1 or id(w) in hanging]
    if not left or not right:
        return False
    return min(right) - max(left) < max(_dominant_size(row), 6.0)


def _rows(words: list[Word]) -> list[list[Word]]:
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
    # a row of small raised words only (footnote calls) belongs to the line it overlaps
    merged: list[list[Word]] = []
    for row in rows:
        if (
            merged
            and _overlaps(merged[-1], row)
            and (_is_small(row, merged[-1]) or _is_small(merged[-1], row))
        ):
            merged[-1].extend(row)
        else:
            merged.append(row)
    return merged


def _is_small(row: list[Word], other: list[Word]) -> bool:
    return max(w.size for w in row) < 0.8 * max(w.size for w in other)


def _overlaps(a: list[Word], b: list[Word]) -> bool:
    top = max(min(w.top for w in a), min(w.top for w in b))
    bottom = min(max(w.bottom for w in a), max(w.bottom for w in b))
    return bottom - top > 0


def _tesseract_lines(words: list[Word]) -> list[tuple[int, list[Word]]]:
    """Return a scanned page's lines as Tesseract found them, each with its block's rank.

    Tesseract reads a skewed page line by line and its columns block by block, in reading
    order; grouping its words again by height would mix the lines of two columns on a skewed
    page. Each block is given a column of its own, in Tesseract's order.
    """
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    # a line taller than wide is text turned in a margin: no part of the reading order
    by_line = {
        k: row
        for k, row in by_line.items()
        if max(w.x1 for w in row) - min(w.x0 for w in row)
        >= max(w.bottom for w in row) - min(w.top for w in row)
    }
    blocks = list(dict.fromkeys(k // 1_000_000 for k in by_line))
    out = []
    for key, row in by_line.items():
        h = max(w.bottom - w.top for w in row)
        for w in row:
            w.size = round(h * 0.95)
        out.append((blocks.index(key // 1_000_000), row))
    return out


def _ocr_sizes(words: list[Word]) -> None:
    """Give OCR words a font size estimated from the height of their row."""
    for row in _rows(words):
        # the tallest word of a row has both an ascender and a descender: the most stable
        h = max(w.bottom - w.top for w in row)
        for w in row:
            w.size = round(h * 0.95)


def layout_page(raw: RawPage) -> PageLayout:
    """Return the lines and tables of a page in reading order."""
    page = PageLayout(raw.number, raw.width, raw.height, ocr=raw.ocr)
    words = [
        w
        for w in raw.words
        if not any(
            t.x0 - 1 <= w.x0
            and w.x1 <= t.x1 + 1
            and t.top - 1 <= w.top
            and w.bottom <= t.bottom + 1
            for t in raw.tables
        )
    ]
    ocr_lines = raw.ocr and bool(words) and all(w.line >= 0 for w in words)
    if raw.ocr and not ocr_lines:
        _ocr_sizes(words)
    leaders = sum(1 for w in words if _LEADER.fullmatch(w.text))
    # a table of contents has its page numbers in a column of their own: not two columns
    toc = leaders > 0.15 * max(len(words), 1)
    gutters = [] if toc or ocr_lines else find_gutters(words, raw.width)
    lines: list[Line] = []
    grouped: list[tuple[int, list[Word]]] = []
    if ocr_lines:
        grouped = _tesseract_lines(words)
    elif not gutters:
        grouped = [(0, row) for row in _rows(words)]
    else:
        rest: list[Word] = []
        hanging: dict[int, float] = {}
        for row in _rows(words):
            marks = _hanging_marks(row, gutters)
            hanging |= marks
            if any(_spans_gutter(row, g, {k for k, v in marks.items() if v == g}) for g in gutters):
                grouped.append((FULL, row))
            else:
                rest.extend(row)
        # column lines are grouped per column, so that baselines of another column never mix in
        by_col: dict[int, list[Word]] = {}
        for w in rest:
            col = _column_of(w.x1 - 0.01, w.x1, gutters) + (id(w) in hanging)
            by_col.setdefault(col, []).append(w)
        for col in sorted(by_col):
            grouped += [(col, r) for r in _rows(by_col[col])]
    for col, row in grouped:
        row.sort(key=lambda w: w.x0)
        lines.append(Line(raw.number, col, row, _dominant_size(row), ocr=raw.ocr))
    for line in lines:
        cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
        for i, f in enumerate(raw.frames):
            if f.x0 <= cx <= f.x1 and f.top <= cy <= f.bottom:
                line.frame = i
                if _column_of(f.x0, f.x1, gutters) == FULL:
                    line.col = FULL  # a box across the columns: all its lines part them
        line.text = _join_words(line.words)
    if gutters:
        _mark_separators(lines, raw.height)
    tables = [TableItem(raw.number, _column_of(t.x0, t.x1, gutters), t) for t in raw.tables]
    page.items = _reading_order(lines, tables)
    return page


def _mark_separators(lines: list[Line], height: float) -> None:
    """Mark as full-width (FULL) the headings that part two runs of columns.

    A heading that spans the columns but is shorter than one of them lies in the first column
    only. It still parts the page: the columns above it are read before it, those below after.
    It is told from a line of that column by the room around it: it is bold or larger, with
    space above it, no other column beside it or close above or below it, and every other
    column starting again below it, level with each other, no lower than the line that
    follows it in its own column.
    """
    inner = [
        ln
        for ln in lines
        if ln.col != FULL and ln.top > height * ZONE and ln.bottom < height * (1 - ZONE)
    ]
    if not inner:
        return
    size = _dominant_size([w for ln in inner for w in ln.words])
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


def _top(item: Line | TableItem) -> float:
    return item.top if isinstance(item, Line) else item.region.top


def _reading_order(lines: list[Line], tables: list[TableItem]) -> list[Line | TableItem]:
    items: list[Line | TableItem] = [*lines, *tables]
    items.sort(key=_top)
    out: list[Line | TableItem] = []
    segment: list[Line | TableItem] = []
    for item in items:
        if item.col == FULL:
            out.extend(sorted(segment, key=lambda i: (i.col, _top(i))))
            segment = []
            out.append(item)
        else:
            segment.append(item)
    out.extend(sorted(segment, key=lambda i: (i.col, _top(i))))
    return out


def _norm(text: str) -> str:
    """Return the key of a running line: digits as #, page numbers and case dropped."""
    key = re.sub(r"\d+", "#", " ".join(text.lower().split()))
    key = re.sub(r"(^|\s)(page|p\.)\s*#(\s*(/|sur)\s*#)?(\s|$)", " ", key)
    return re.sub(r"^[\s#–—-]+|[\s#–—-]+$", "", key)


def mark_running_lines(pages: list[PageLayout]) -> None:
    """Mark running headers, footers and page numbers (role "header")."""

    def in_zone(line: Line, page: PageLayout) -> bool:
        return line.top < page.height * ZONE or line.bottom > page.height * (1 - ZONE)

    counts: Counter[str] = Counter()
    for page in pages:
        # scanned pages count too: a head printed on scanned pages only repeats on them
        keys = {_norm(ln.text) for ln in page.items if isinstance(ln, Line) and in_zone(ln, page)}
        counts.update(keys)
    text_pages = sum(1 for p in pages if any(isinstance(i, Line) for i in p.items) and not p.ocr)
    threshold = max(2, int(0.3 * text_pages))
    running = {k for k, n in counts.items() if n >= threshold}
    cover = " ".join(
        ln.text.lower() for ln in (pages[0].items if pages else []) if isinstance(ln, Line)
    )
    body = body_size(pages)
    for page in pages:
        for line in page.items:
            if not isinstance(line, Line) or not in_zone(line, page):
                continue
            key = _norm(line.text)
            if (
                (key and key in running)
                or _PAGE_NUMBER.match(line.text)
                or (page.ocr and any(_ocr_echo(key, r) for r in running))
                or (page is not pages[0] and _echoes_cover(line, cover, body))
            ):
                line.role = "header"


def _ocr_echo(key: str, running: str) -> bool:
    """Return True when an OCR line reads as a running line, or as a part of one (Tesseract
    may cut a header into blocks)."""
    if SequenceMatcher(None, key, running).ratio() > 0.75:
        return True
    if len(key) < 8:
        return False
    match = SequenceMatcher(None, key, running, autojunk=False).find_longest_match()
    return match.size >= 0.8 * len(key)


def _echoes_cover(line: Line, cover: str, body: float) -> bool:
    """Return True for a small line that repeats the cover (title, body, type): a running
    head even where it is printed on one page only (the last page of a short document)."""
    text = line.text.lower().rstrip("… .")
    if line.ocr or line.size >= body - 0.4 or len(text) < 12:
        return False
    match = SequenceMatcher(None, text, cover, autojunk=False).find_longest_match()
    return match.size >= min(25, 0.6 * len(text))


def body_size(pages: list[PageLayout]) -> float:
    """Return the most common font size of body text (text layer only), by characters."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.items:
            if isinstance(line, Line) and line.role == "body" and not line.ocr:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def mark_footnotes(page: PageLayout, body: float) -> None:
    """Mark small lines at the foot of a column that start a numbered note (role "footnote")."""
    lines = [i for i in page.items if isinstance(i, Line) and i.role == "body"]
    small = [ln for ln in lines if ln.size <= body * 0.9 and ln.top > page.height * 0.45]
    candidates = []
    for ln in small:
        below = [
            o
            for o in lines
            if o is not ln
            and o.top > ln.bottom - 1
            and o.size > body * 0.9
            and min(o.x1, ln.x1) - max(o.x0, ln.x0) > 0
        ]
        if not below:
            candidates.append(ln)
    if not candidates:
        return
    candidates.sort(key=lambda ln: (ln.col, ln.top))
    first = candidates[0]
    starts = _NOTE_START.match(first.words[0].text) or first.words[0].size < first.size * 0.85
    if not starts:
        return
    for ln in candidates:
        ln.role = "footnote"


def mark_toc(page: PageLayout) -> None:
    """Mark lines with dot leaders and a page number (a table of contents)."""
    lines = [i for i in page.items if isinstance(i, Line)]
    marked = [n for n, ln in enumerate(lines) if ln.role == "body" and _TOC_LINE.search(ln.text)]
    for n in marked:
        lines[n].role = "toc"
    if len(marked) >= 3:
        # an entry may wrap: its first lines have no leader
        for ln in lines[marked[0] : marked[-1]]:
            if ln.role == "body":
                ln.role = "toc"


def drop_superscripts(line: Line) -> None:
    """Remove footnote call numbers (small raised digits) from a body line's words."""
    if len(line.words) < 2:
        return
    base = (
        max(w.bottom for w in line.words if w.size >= line.size * 0.95)
        if any(w.size >= line.size * 0.95 for w in line.words)
        else None
    )
    if base is None:
        return
    kept = [
        w
        for w in line.words
        if not (
            w.size <= line.size * 0.85  # calls are set at about 60 to 80 % of the text
            and re.fullmatch(r"[\d*,]+", w.text)
            and w.bottom < base - 0.15 * line.size
        )
    ]
    if kept and len(kept) != len(line.words):
        # join the text as if each call were an empty word: « élevée¹. » gives « élevée. »,
        # not « élevée . » (the call's width is no space)
        ids = {id(w) for w in kept}
        shown = [w if id(w) in ids else replace(w, text="") for w in line.words]
        line.words = kept
        line.text = re.sub(r" {2,}", " ", _join_words(shown)).strip()
