"""From words to lines in reading order: columns, running headers and footers, footnotes.

A page's words are grouped into lines (lines.py); the gutters found by columns.py, and those
of a band of the page that has its own (bands.py), part the page into columns, and
readorder.py orders the lines segment by segment (full-width lines separate segments; in
each segment the left column is read before the right one). Lines that repeat at the top or
bottom of many pages are running headers or footers; small lines at the foot of a column
that start with a number are footnotes.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import replace
from difflib import SequenceMatcher
from itertools import pairwise
from typing import TypeGuard

from .bands import BAND_COLUMNS, find_bands
from .chars import letter_spaced_runs
from .columns import FULL, column_of, dominant_size, find_gutters, rows
from .lines import ZONE, Line, PageLayout, TableItem
from .rawpage import RawPage, Word
from .readorder import even_sizes, group_columns, mark_separators, reading_order

__all__ = [
    "FULL",
    "ZONE",
    "Line",
    "PageLayout",
    "TableItem",
    "body_size",
    "drop_superscripts",
    "layout_page",
    "mark_footnotes",
    "mark_running_lines",
    "mark_toc",
]


_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(page|p\.)?\s*\d{1,4}(\s*(/|sur)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE
)
_TOC_LINE = re.compile(r"(\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$")
_LEADER = re.compile(r"[.…]+")
_TOC_TITLE = re.compile(r"^\s*(sommaire|table des mati[èe]res|contenu)\s*:?\s*$", re.IGNORECASE)
_NOTE_START = re.compile(r"^\(?\d{1,3}[).]?$")


def _join_words(words: list[Word], ocr: bool = False) -> str:
    """Return a line's text: its words joined by a space, except across the gaps too narrow
    for one (a text layer may cut a word in pieces) and inside a letter-spaced word. Tesseract
    parts words itself: on a scan at 150 dpi the space before « que » may be narrower than
    that and is a space all the same (« regrette que »); only an elision it set apart
    (« d’ » « emploi ») is glued back."""
    gaps = [b.x0 - a.x1 for a, b in pairwise(words)]
    spaced = letter_spaced_runs([w.text for w in words], gaps, dominant_size(words) or 10.0)
    out = words[0].text if words else ""
    for k, w in enumerate(words[1:]):
        prev = words[k]
        narrow = gaps[k] <= 0.12 * max(w.size, prev.size, 4.0)
        glued = spaced[k] or (narrow and (not ocr or prev.text.endswith(("'", "’"))))
        out += ("" if glued else " ") + w.text
    return out


def _tesseract_lines(words: list[Word]) -> list[tuple[int, list[Word]]]:
    """Return a scanned page's lines as Tesseract found them, each with its block's rank.

    Tesseract reads a skewed page line by line and its columns block by block, in reading
    order; grouping its words again by height would mix the lines of two columns on a skewed
    page. Each block is given a column of its own, in Tesseract's order.
    """
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    _hang_list_marks(by_line)
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


_LIST_MARK = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-hA-H][.)]|[IVX]{1,4}[.)]|[•▪►■●–-])$")


def _hang_list_marks(by_line: dict[int, list[Word]]) -> None:
    """Give a list's marks back to their items where Tesseract read them as a block of their
    own (« a) », « b) » in a narrow column beside the items): a line that is only a mark joins
    the line of another block that starts just right of it at the same height."""
    starts = {k: min(row, key=lambda w: w.x0) for k, row in by_line.items()}
    for key, row in list(by_line.items()):
        if len(row) != 1 or not _LIST_MARK.match(row[0].text):
            continue
        mark = row[0]
        height = mark.bottom - mark.top
        beside = [
            k
            for k, first in starts.items()
            if k // 1_000_000 != key // 1_000_000
            and k in by_line
            and 0 <= first.x0 - mark.x1 < 4 * height
            and min(first.bottom, mark.bottom) - max(first.top, mark.top) > 0.4 * height
        ]
        if not beside:
            continue
        target = min(beside, key=lambda k: starts[k].x0 - mark.x1)
        mark.line, mark.group = target, starts[target].group
        by_line[target].insert(0, mark)
        del by_line[key]


def _ocr_sizes(words: list[Word]) -> None:
    """Give OCR words a font size estimated from the height of their row."""
    for row in rows(words):
        # the tallest word of a row has both an ascender and a descender: the most stable
        h = max(w.bottom - w.top for w in row)
        for w in row:
            w.size = round(h * 0.95)


def layout_page(raw: RawPage) -> PageLayout:
    """Return the lines and tables of a page in reading order."""
    page = PageLayout(raw.number, raw.width, raw.height, ocr=raw.ocr, scan=raw.ocr or raw.scan)
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
    bands = [] if toc or ocr_lines else find_bands(words, raw.width, gutters, raw.tables)
    lines: list[Line] = []
    grouped: list[tuple[int, list[Word]]] = []
    if ocr_lines:
        grouped = _tesseract_lines(words)
    elif not bands:
        grouped = group_columns(words, gutters)
    else:
        regions: dict[int, list[Word]] = {}
        for row in rows(words):
            k = next((k for k, b in enumerate(bands) if b.holds(row)), -1)
            regions.setdefault(k, []).extend(row)
        for k, region in sorted(regions.items()):
            band = bands[k] if k >= 0 else None
            grouped += group_columns(region, list(band.gutters) if band else gutters, band)
    for col, row in grouped:
        row.sort(key=lambda w: w.x0)
        lines.append(Line(raw.number, col, row, dominant_size(row), ocr=raw.ocr))
        if bands and col != FULL:
            lines[-1].band = col // BAND_COLUMNS
    for line in lines:
        cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
        for i, f in enumerate(raw.frames):
            if f.x0 <= cx <= f.x1 and f.top <= cy <= f.bottom:
                line.frame = i
                if column_of(f.x0, f.x1, gutters) == FULL:
                    line.col = FULL  # a box across the columns: all its lines part them
        line.text = _join_words(line.words, raw.ocr)
    if not raw.ocr:
        page.sized_by_height = even_sizes(lines) or (raw.scan and _even_layer_sizes(lines))
    if gutters or bands:
        across = [t.top for t in raw.tables if column_of(t.x0, t.x1, gutters) == FULL]
        mark_separators(lines, raw.height, across)
    tables = [TableItem(raw.number, column_of(t.x0, t.x1, gutters), t) for t in raw.tables]
    page.items = reading_order(lines, tables)
    return page


def _even_layer_sizes(lines: list[Line]) -> bool:
    """Give the lines of a scanner's text layer near the usual size that size: the layer sizes a
    line by its height, and a line without ascenders or descenders (« nibles et sur les
    contributions ») comes out smaller, which cut its paragraph. Headings, much larger, keep
    theirs. Return True when the page had such a layer."""
    long = [ln for ln in lines if len(ln.text) > 20]
    if len(long) < 5:
        return False
    middle = statistics.median(ln.size for ln in long)
    usual = Counter(round(ln.size, 1) for ln in long).most_common(1)[0][0]
    for ln in lines:
        if 0.75 * middle <= ln.size <= 1.25 * middle:
            ln.size = usual
    return True


def _norm(text: str) -> str:
    """Return the key of a running line: digits as #, page numbers and case dropped."""
    key = re.sub(r"\d+", "#", " ".join(text.lower().split()))
    key = re.sub(r"(^|\s)(page|p\.)\s*#(\s*(/|sur)\s*#)?(\s|$)", " ", key)
    return re.sub(r"^[\s#–—-]+|[\s#–—-]+$", "", key)


def _key(text: str) -> str:
    """The key of a possibly running line: ``_norm``'s, or, for a line of numbers without a
    word (« 2019 · page 3 », whose ``_norm`` is « · » and « » once Tesseract drops the dot), its
    text with digits as #, so that its readings on text and scanned pages compare."""
    key = _norm(text)
    if _LETTER.search(key) or not re.search(r"\d", text):
        return key
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


_LETTER = re.compile(r"[^\W\d_]")


def _in_zone(line: Line, page: PageLayout) -> bool:
    return line.top < page.height * ZONE or line.bottom > page.height * (1 - ZONE)


def mark_running_lines(pages: list[PageLayout]) -> None:
    """Mark running headers, footers and page numbers (role "header").

    A line repeated at the top or bottom of enough pages is a running line. On scanned pages
    (OCR, or a scanner's text layer that may be garbled) a running line may be read with a
    letter wrong, noise before it or a digit misread: there it counts for the line it reads
    as (``_scanned_runs``), its numbers are not asked to follow the page, and a piece of a
    running line on the page's outermost row is one too.
    """
    counts: Counter[str] = Counter()
    numbers: dict[str, list[tuple[int, tuple[int, ...], bool]]] = {}
    for page in pages:
        # scanned pages count too (a head printed on scanned pages only repeats on them), by
        # their outermost rows: notes alike at the foot of two scanned pages are no head
        outer = _outer_rows(page) if page.scan else None
        seen = {
            _key(ln.text): ln.text
            for ln in page.items
            if _zone_line(ln, page) and (outer is None or id(ln) in outer)
        }
        counts.update(seen.keys())
        for key, text in seen.items():
            numbers.setdefault(key, []).append((page.number, _numbers(text), page.scan))
    text_pages = sum(1 for p in pages if any(isinstance(i, Line) for i in p.items) and not p.ocr)
    threshold = max(2, int(0.3 * text_pages))
    running = {
        k for k, n in counts.items() if n >= threshold and _numbers_run(_trusted(numbers[k]))
    }
    # the body's size read past the cover (a cover alone gives its title's)
    groups = _scanned_runs(pages, threshold, running, body_size(pages[1:]))
    readings = set().union(*(keys for keys, _ in groups))
    # each running line once, by one reading, for the tests that compare a line with them all:
    # a long scanned document has as many misreadings of its head as pages
    heads = {head for _, head in groups} | (running - readings)
    running |= readings
    cover = " ".join(
        ln.text.lower() for ln in (pages[0].items if pages else []) if isinstance(ln, Line)
    )
    body = body_size(pages)
    for page in pages:
        rows = _outer_rows(page) if page.scan else set()
        for line in page.items:
            if not _zone_line(line, page):
                continue
            key = _key(line.text)
            if (
                (key and key in running)
                or _PAGE_NUMBER.match(line.text)
                or (page.scan and any(_ocr_echo(key, r) for r in heads))
                or (id(line) in rows and (_piece_of(key, heads) or _scanned_number(line.text)))
                or (
                    id(line) in rows
                    and page is not pages[0]
                    and _small_on_scan(line, page)
                    and _cover_words(line.text, cover)
                )
                or (page is not pages[0] and _echoes_cover(line, cover, body))
            ):
                line.role = "header"


def _zone_line(item: object, page: PageLayout) -> TypeGuard[Line]:
    """Whether item is a line lying in the page's running zone."""
    return isinstance(item, Line) and _in_zone(item, page)


def _trusted(
    seen: list[tuple[int, tuple[int, ...], bool]],
) -> list[tuple[int, tuple[int, ...]]]:
    """The numbers a repeated line carries, those read from scanned pages left out where two
    pages read from text are there to judge (OCR misreads a digit: « 2025 » as « 2023 »)."""
    text = [(n, nums) for n, nums, scanned in seen if not scanned]
    return text if len(text) >= 2 else [(n, nums) for n, nums, _ in seen]


def _outer_rows(page: PageLayout) -> set[int]:
    """Ids of the lines of a page's topmost and bottommost rows, where they lie in the running
    zone (Tesseract may read one running line as two blocks side by side)."""
    lines = [ln for ln in page.items if _zone_line(ln, page)]
    out: set[int] = set()
    top = [ln for ln in lines if ln.top < page.height * ZONE]
    if top:
        first = min(top, key=lambda ln: ln.top)
        out |= {id(ln) for ln in top if ln.top < first.bottom}
    bottom = [ln for ln in lines if ln.bottom > page.height * (1 - ZONE)]
    if bottom:
        last = max(bottom, key=lambda ln: ln.bottom)
        out |= {id(ln) for ln in bottom if ln.bottom > last.top}
    return out


def _scanned_runs(
    pages: list[PageLayout], threshold: int, running: set[str], body: float
) -> list[tuple[set[str], str]]:
    """Running lines that repeat only once scanned pages' readings are allowed to differ from
    the others, each as its readings' keys and the reading that stands for them all (the most
    frequent, one read from text first).

    The outermost rows of pages at most two apart (odd and even heads), one of them scanned,
    whose lines read alike (``_alike``) are one running line; it runs when it holds a line
    already found running (the cover's head, read from text, beside scanned pages that read it
    otherwise) or stands on enough pages, and its numbers, where read from text, follow the
    page. Enough is the threshold where a text page reads it, but where only scans do, three
    pages, or two whose lines are all set small (the head of a short scanned document), and
    none where they are all set large: headings alike at the top of two pages (« Préconisation
    2 : … », « Préconisation 3 : … ») are no running line, nor is a heading read from text
    (bold, or larger than the body) a text reading of one.
    """
    if not any(p.scan for p in pages):
        return []
    nodes: list[tuple[int, bool, str, Line, PageLayout]] = []
    for p in pages:
        outer = _outer_rows(p)
        nodes += [
            (p.number, p.scan, _key(ln.text), ln, p)
            for ln in p.items
            if isinstance(ln, Line)
            and id(ln) in outer
            and _key(ln.text)
            and not _PAGE_NUMBER.match(ln.text)
        ]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (pi, si, ki, _, _) in enumerate(nodes):
        for j in range(i + 1, len(nodes)):
            pj, sj, kj, _, _ = nodes[j]
            if pj - pi > 2:
                break
            if pj != pi and (si or sj) and (ki == kj or _alike(ki, kj)):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        groups.setdefault(find(i), []).append(i)
    out: list[tuple[set[str], str]] = []
    for members in groups.values():
        keys = [nodes[i][2] for i in members]
        if not set(keys) & running and not _enough([nodes[i] for i in members], threshold, body):
            continue
        seen = [(nodes[i][0], _numbers(nodes[i][3].text), nodes[i][1]) for i in members]
        if _numbers_run(_trusted(seen)):
            read = Counter(k for i, k in zip(members, keys, strict=True) if not nodes[i][1])
            head = (read or Counter(keys)).most_common(1)[0][0]
            out.append((set(keys), head))
    return out


def _enough(
    members: list[tuple[int, bool, str, Line, PageLayout]], threshold: int, body: float
) -> bool:
    """Whether a group of alike outermost lines stands on enough pages to be a running line
    (see ``_scanned_runs``); headings read from text do not count."""
    readings = [m for m in members if m[1] or not _heading(m[3], body)]
    pages = len({number for number, *_ in readings})
    if not all(scanned for _, scanned, *_ in readings):
        return pages >= threshold
    heights = [_height_on_scan(ln, p) for *_, ln, p in readings]
    if all(h > 1.15 for h in heights):  # headings
        return False
    return pages >= (threshold if all(h < 0.85 for h in heights) else max(threshold, 3))


def _heading(line: Line, body: float) -> bool:
    """A line read from text set as a heading: bold, or larger than the body."""
    return line.size > body + 0.4 or all(w.bold for w in line.words)


# two readings of one line (a misread letter, noise before it) share more of their letters
_READ_ALIKE = 0.75


def _matcher(a: str, b: str) -> SequenceMatcher[str]:
    return SequenceMatcher(None, a, b, autojunk=False)


def _alike(a: str, b: str) -> bool:
    """Two readings of one running line: at most a quarter of their letters differ."""
    if min(len(a), len(b)) < 4 or min(len(a), len(b)) < 0.6 * max(len(a), len(b)):
        return False
    return _matcher(a, b).ratio() > _READ_ALIKE


def _piece_of(key: str, running: set[str]) -> bool:
    """A scanned page's outermost line that is a piece of a running line, whole words of it
    (« mai # » of « avis · mai # », « ceser » of « ceser île-de-france »): Tesseract read the
    rest as noise or dropped it."""
    if len(key) < 3:
        return False
    piece = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
    for r in running:
        found = piece.search(r)
        if found and (
            len(key) >= 0.3 * len(r)
            or (len(key) >= 4 and (found.start() == 0 or found.end() == len(r)))
        ):
            return True
    return False


# a page number as Tesseract may misread it on a scan's outermost row: « page Gsur 6 »
_SCANNED_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:page|p\.)?\s*[\dOoIlSGB]{1,4}(?:\s*(?:/|sur)\s*[\dOoIlSGB]{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)


def _scanned_number(text: str) -> bool:
    """A scan's outermost line made only of numbers, « page » and punctuation (« 2019 : page 5 »,
    the date of a footer read without its month), or a page number with a digit misread."""
    if not re.search(r"\d", text):
        return False
    return not _LETTER.search(_norm(text)) or bool(_SCANNED_PAGE_NUMBER.match(text))


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d{1,6}", text))


def _numbers_run(seen: list[tuple[int, tuple[int, ...]]]) -> bool:
    """Return True when the numbers of a repeated line behave as in a running head: each one
    the same on every page (a date, a year) or following the page (a page number). Lines alike
    but for a number that does neither (« Action 2 », « Action 6 » heading boxes at the top of
    two pages) are no running head."""
    shapes = {len(nums) for _, nums in seen}
    if len(shapes) != 1 or not next(iter(shapes)):
        return True
    for k in range(next(iter(shapes))):
        values = {nums[k] for _, nums in seen}
        offsets = {nums[k] - page for page, nums in seen}
        if len(values) > 1 and len(offsets) > 1:
            return False
    return True


def _ocr_echo(key: str, running: str) -> bool:
    """Return True when an OCR line reads as a running line, or as a part of one (Tesseract
    may cut a header into blocks)."""
    match = _matcher(key, running)
    if match.ratio() > _READ_ALIKE:
        return True
    return len(key) >= 8 and match.find_longest_match().size >= 0.8 * len(key)


def _echoes_cover(line: Line, cover: str, body: float) -> bool:
    """Return True for a small line that repeats the cover (title, body, type): a running
    head even where it is printed on one page only (the last page of a short document)."""
    if line.ocr or line.size >= body - 0.4:
        return False
    return _cover_words(line.text, cover)


def _small_on_scan(line: Line, page: PageLayout) -> bool:
    """A scanned line well smaller than the page's usual lines: OCR sizes compare only within a
    page (a running head set in 8 pt over 10 pt text reads at about 0.6 of them)."""
    sizes = [ln.size for ln in page.items if isinstance(ln, Line) and len(ln.text) > 20]
    return len(sizes) >= 5 and line.size < 0.85 * statistics.median(sizes)


def _height_on_scan(line: Line, page: PageLayout) -> float:
    """A scanned line's height over that of the page's lines of more than 20 characters (1.0
    where it has fewer than five), each the median of its words' heights: a speck or a logo
    read into a head makes its row taller, not its words."""

    def height(ln: Line) -> float:
        return statistics.median(w.bottom - w.top for w in ln.words)

    usual = [height(ln) for ln in page.items if isinstance(ln, Line) and len(ln.text) > 20]
    return height(line) / statistics.median(usual) if len(usual) >= 5 else 1.0


def _cover_words(text: str, cover: str) -> bool:
    """A line made of the cover's words or a long piece of it (see ``_echoes_cover``)."""
    text = text.lower().rstrip("… .")
    if len(text) < 6:
        return False
    if _made_of_cover(text, cover):
        return True
    if len(text) < 12:
        return False
    return _matcher(text, cover).find_longest_match().size >= min(25, 0.6 * len(text))


_HEAD_SEPARATOR = re.compile(r"\s+[·•|–—-]\s+|\s*[·•|]\s*")
_DATE_PIECE = re.compile(
    r"^(?:(?:\d{1,2}|1er)\s+)?(?:janv|févr|fevr|mars|avr|mai|juin|juil|août|aout|sept|oct|nov|"
    r"déc|dec)[a-zéû]*\.?\s+\d{4}$|^\d{1,2}[/.]\d{1,2}[/.]\d{4}$|^(?:19|20)\d\d$"
)
_INSTITUTION = frozenset({"ceser", "cesec", "région", "conseil"})
# the document's type, which a running head gives where the cover may not
_TYPE_WORDS = frozenset(
    "avis contribution rapport vœu voeu saisine auto délibération schéma plan stratégie".split()
)


def _made_of_cover(text: str, cover: str) -> bool:
    """Return True for a line made of pieces of a running head: a page number, a date, and
    names whose words all stand on the cover (« CESER Grand Est – Avis » under a cover that
    gives the long name, « Délibération · novembre 2024 », « 2022 · page 5 »). It needs a page
    number or a date beside a name, or two names: a footnote is one piece of prose."""
    pieces = [x.strip() for x in _HEAD_SEPARATOR.split(text) if x.strip()]
    cover_words = set(re.findall(r"\w+", cover))
    marks = names = 0
    for piece in pieces:
        if _PAGE_NUMBER.match(piece) or _DATE_PIECE.match(piece):
            marks += 1
            continue
        words = [w for w in re.findall(r"\w+", piece) if len(w) > 2 and w not in _INSTITUTION]
        if not words or any(w not in cover_words and w not in _TYPE_WORDS for w in words):
            return False
        names += 1
    return (marks >= 1 and marks + names >= 2) or names >= 2


def body_size(pages: list[PageLayout]) -> float:
    """Return the most common font size of body text (text layer only), by characters."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.items:
            if isinstance(line, Line) and line.role == "body" and not line.ocr:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def mark_footnotes(page: PageLayout, body: float) -> None:
    """Mark small lines at the foot of a column that start a numbered note (role "footnote").

    Not on a page whose sizes are line heights (a scanner's text layer): its lines all look
    smaller than the document's body."""
    if page.sized_by_height:
        return
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
        _take_note_number(ln)


def _take_note_number(line: Line) -> None:
    """Set the number of a note apart from its text where the producer glued it there raised
    (« 2Source : … » gives « 2 Source : … »), and keep it in line.note: it starts a new note."""
    if len(line.words) < 2:
        return
    first, second = line.words[0], line.words[1]
    if not _NOTE_START.match(first.text):
        return
    if first.size < second.size * 0.85 or second.text[:1].isupper():
        line.note = first.text.strip("().")
        line.text = " ".join([first.text, _join_words(line.words[1:], line.ocr)])


def _join_toc_rows(page: PageLayout) -> list[Line]:
    """A contents list printed without leaders, under its « Sommaire » title: the page numbers
    set flush right are read as a column of their own. Give each number back to the entry on
    its row, and return the entries (those whose number sits far right of their title)."""
    lines = [i for i in page.items if isinstance(i, Line)]
    title = next((ln for ln in lines if _TOC_TITLE.match(ln.text)), None)
    if title is None:
        return []
    below = [ln for ln in lines if ln.role == "body" and ln.top > title.top and ln is not title]
    numbers = [ln for ln in below if re.fullmatch(r"\d{1,4}", ln.text)]
    number_ids = {id(ln) for ln in numbers}
    entries: list[Line] = []
    taken: set[int] = set()
    for num in numbers:
        row = [
            ln
            for ln in below
            if id(ln) not in number_ids
            and abs(ln.top - num.top) < 0.5 * num.size
            and ln.x1 < num.x0 - 2 * num.size
        ]
        if len(row) == 1:
            row[0].words = row[0].words + num.words
            row[0].text = f"{row[0].text} {num.text}"
            entries.append(row[0])
            taken.add(id(num))
    for ln in below:  # an entry long enough to share its column with its number
        if (
            id(ln) not in number_ids
            and all(ln is not e for e in entries)
            and len(ln.words) >= 2
            and re.fullmatch(r"\d{1,4}", ln.words[-1].text)
            and ln.words[-1].x0 - ln.words[-2].x1 > 2 * ln.size
        ):
            entries.append(ln)
    if len(entries) < 3:  # not a contents list: put nothing back
        return []
    page.items = [i for i in page.items if id(i) not in taken]
    return entries


def mark_toc(page: PageLayout) -> None:
    """Mark lines with dot leaders and a page number (a table of contents), or the entries
    under a « Sommaire » title whose page numbers stand far right without leaders."""
    for ln in _join_toc_rows(page):
        ln.role = "toc"
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
        line.text = re.sub(r" {2,}", " ", _join_words(shown, line.ocr)).strip()
