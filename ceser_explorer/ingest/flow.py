"""Whether a line goes on with the paragraph above it: in a column, over a column or a page end.

The measures it needs (each column's body edges, the usual gap between lines, whether the text
is justified) are taken once per document.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from .columns import FULL
from .lines import Line, PageLayout

Columns = dict[tuple[int, int], tuple[float, float]]  # (page, column) -> (left, right)

TERMINAL = tuple(".!?:;»)…")
SENTENCE_END = tuple(".!?»)…")
# what opens a list item: a bullet, or a number, roman numeral or letter with « . » or « ) »
LIST_MARK = re.compile(
    r"^(?:[•–—▪■●◦►➢✓\-]|\d{1,2}[.)]|[a-hA-H][.)]|[IVXLC]{1,6}[.)]|R\d{1,2}[.):]?)$"
)


def unfinished(text: str) -> bool:
    """Return True when a paragraph's text so far stops mid-sentence."""
    return not text.rstrip().endswith(SENTENCE_END)


def wide(line: Line, columns: Columns) -> bool:
    """Return True when a line fills most of its column (so the next one may continue it)."""
    left, right = columns.get((line.page, line.col), (line.x0, line.x1))
    return line.x1 - line.x0 >= 0.5 * max(right - left, 1.0)


def body_columns(pages: list[PageLayout], body: float) -> Columns:
    """Return the left and right edges of the body text of each column of each page.

    Only lines set in the body size count where there are some: a heading that runs over an
    empty neighbour column, or a pull quote in a larger size, would widen the column and make
    every full line of it look short.
    """
    bounds: Columns = {}
    plain: Columns = {}
    for page in pages:
        for line in page.items:
            if isinstance(line, Line) and line.role == "body":
                key = (page.number, line.col)
                for table, ok in ((bounds, True), (plain, _body_sized(line, body))):
                    if ok:
                        lo, hi = table.get(key, (line.x0, line.x1))
                        table[key] = (min(lo, line.x0), max(hi, line.x1))
    return {**bounds, **plain}


def _body_sized(line: Line, body: float) -> bool:
    return line.frame is None and (line.ocr or abs(line.size - body) <= 0.6)


def justified_text(pages: list[PageLayout], columns: Columns, body: float) -> bool:
    """Return True when most body lines end flush with their column's right edge."""
    flush = total = 0
    for page in pages:
        for line in page.items:
            if isinstance(line, Line) and line.role == "body" and _body_sized(line, body):
                right = columns.get((line.page, line.col), (line.x0, line.x1))[1]
                total += 1
                flush += line.x1 >= right - 1.5
    return total > 0 and flush >= 0.5 * total


def _runs_on(
    prev: Line,
    line: Line,
    columns: Columns,
    justified: bool,
) -> bool:
    """Return True when a paragraph whose last line so far (prev) ends a column or a page with
    the end of a sentence may go on with line, at the top of the next column or page.

    A paragraph's last line is short: the first word of the next line would have fitted on it.
    In justified text, every line but a paragraph's last ends flush with the column.
    """
    left, right = columns.get((prev.page, prev.col), (prev.x0, prev.x1))
    room = right - prev.x1
    if _fits(prev, line, right):
        return False  # the word would have fitted: the paragraph ended there
    nleft = columns.get((line.page, line.col), (line.x0, line.x1))[0]
    if line.x0 - nleft > 0.03 * max(right - left, 1.0):
        return False  # a first-line indent opens a new paragraph
    return not justified or room <= 1.5


@dataclass(frozen=True)
class Spacing:
    """The usual gap between two lines of a paragraph, and whether the document sets its
    paragraphs apart by more space than that."""

    line: float
    spaced: bool = False


def line_gaps(pages: list[PageLayout]) -> Spacing:
    """Return the median gap between consecutive lines of a column, and whether paragraphs
    are spaced: enough gaps between 1.6 and 3.5 times the usual one (a blank line is more)."""
    gaps = []
    ends = []  # the gaps after a line that ends a sentence
    for page in pages:
        prev: Line | None = None
        for item in page.items:
            if isinstance(item, Line) and item.role == "body":
                if prev is not None and prev.col == item.col and 0 <= item.top - prev.bottom < 30:
                    gaps.append(item.top - prev.bottom)
                    if prev.text.rstrip().endswith(SENTENCE_END):
                        ends.append(gaps[-1])
                prev = item
    if len(gaps) < 5:
        return Spacing(3.0)
    usual = statistics.median(gaps)

    def wider(found: list[float]) -> int:
        return sum(1 for g in found if max(1.6 * usual, usual + 2) <= g <= 3.5 * max(usual, 1.0))

    # long paragraphs in narrow columns leave few wider gaps among all: those after a line
    # that ends a sentence (each paragraph's last line is one) say it too
    spaced = wider(gaps) >= 0.05 * len(gaps) or (
        wider(ends) >= 5 and wider(ends) >= 0.3 * len(ends)
    )
    return Spacing(usual, spaced)


def continues(
    prev: Line,
    line: Line,
    columns: Columns,
    spacing: Spacing,
    hanging: bool = False,
    justified: bool = False,
) -> bool:
    """Return True when line continues the paragraph whose last line is prev."""
    if LIST_MARK.match(line.words[0].text) or (prev.frame != line.frame and prev.page == line.page):
        return False
    if prev.ocr and line.ocr and prev.page == line.page:
        # Tesseract's own paragraphs (OCR sizes are too noisy), a word cut at the line end, or
        # a sentence left unfinished that goes on in lower case (Tesseract cut a paragraph)
        end, first = prev.text.rstrip(), line.text.lstrip()[:1]
        return (
            prev.group == line.group
            or end.endswith("-")
            or (first.islower() and not end.endswith(SENTENCE_END))
        )
    if not (prev.ocr or line.ocr) and (
        abs(prev.size - line.size) > 0.6 or (prev.bold != line.bold and line.bold)
    ):
        return False
    text = prev.text.rstrip()
    if prev.page != line.page or prev.col != line.col:
        # across a column or page break: an unfinished sentence goes on; a finished one only
        # when the line that ends it is full (the paragraph's last line would be short), and
        # never out of a box into the text around it or the other way
        first = line.text.lstrip()[:1]
        if not first or (prev.frame is None) != (line.frame is None):
            return False
        if prev.page == line.page and _unlike_columns(prev, line, columns):
            return False  # a sidebar beside the text, narrower: the text does not flow into it
        if text.endswith("-") and first.isupper() and not _capital_head(text):
            return False  # a word cut at a line end goes on in lower case (« arrê-/tés »)
        if first.islower() or text.endswith(("-", ",")):
            return not text.endswith(SENTENCE_END)
        # a scanned page's measures do not compare with the text layer's
        return prev.ocr == line.ocr and _runs_on(prev, line, columns, justified)
    gap = line.top - prev.bottom
    if gap > spacing.line * 1.8 + 1.5 or line.top < prev.top:
        return False
    left, right = columns.get((line.page, line.col), (line.x0, line.x1))
    width = max(right - left, 1.0)
    if not hanging and line.x0 - left > 0.03 * width and prev.x0 - left < 0.02 * width:
        return False  # first-line indent starts a new paragraph
    if not (text.endswith(TERMINAL) and prev.x1 < right - 0.12 * width):
        return True
    # a short line after a sentence ends its paragraph, unless paragraphs are set apart by
    # space, this line follows at the usual gap, and its first word would not have fitted on
    # the short line (ragged text wraps there)
    return spacing.spaced and gap <= spacing.line * 1.3 + 0.5 and not _fits(prev, line, right)


def _unlike_columns(prev: Line, line: Line, columns: Columns) -> bool:
    """Return True when two columns side by side (of one band of a page) differ in width by
    more than a sixth: the columns of one flow are alike; a sidebar beside the text is not."""
    if FULL in (prev.col, line.col) or prev.band != line.band:
        return False
    a = columns.get((prev.page, prev.col))
    b = columns.get((line.page, line.col))
    if a is None or b is None:
        return False
    wa, wb = a[1] - a[0], b[1] - b[0]
    return abs(wa - wb) > max(wa, wb) / 6


def _fits(prev: Line, line: Line, right: float) -> bool:
    """Return True when the first word of line would have fitted at the end of prev."""
    first = line.words[0]
    return right - prev.x1 >= (first.x1 - first.x0) + 0.25 * max(prev.size, 1.0)


def _capital_head(text: str) -> bool:
    """Return True when the word before a line-end hyphen is capitalised (« Auvergne-/Rhône »,
    « État-/Région »: a compound of names may go on with a capital)."""
    head = text[:-1].split()[-1:] or [""]
    return head[0].lstrip("«(\"'’")[:1].isupper()
