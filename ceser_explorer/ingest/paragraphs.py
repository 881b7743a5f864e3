"""From ordered lines to passages: paragraphs, headings with section paths, tables, footnotes.

A paragraph may run across a column or a page break: it is then one passage with one box
per column piece. Words hyphenated at line ends are joined again unless the hyphen is real.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import Box, PageText, PassageDraft, Provenance, Span
from .chars import ends_with_break
from .layout import Line, PageLayout, TableItem
from .lexicon import french_words

_TERMINAL = tuple(".!?:;»)…")
_SENTENCE_END = tuple(".!?»)…")
# what opens a list item: a bullet, or a number, roman numeral or letter with « . » or « ) »
_LIST_MARK = re.compile(
    r"^(?:[•–—▪■●◦►➢✓\-]|\d{1,2}[.)]|[a-hA-H][.)]|[IVXLC]{1,6}[.)]|R\d{1,2}[.):]?)$"
)
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)[.)]?\s+\S")
_ROMAN = re.compile(r"^[IVX]+[.)]\s")
_LETTER = re.compile(r"^[A-H][.)]\s")
_SMALL_LETTER = re.compile(r"^[a-h]\)\s")
_NAMED_LEVELS = (
    (re.compile(r"^Annexes?\b", re.IGNORECASE), 1),
    (re.compile(r"^Axe\s+\d", re.IGNORECASE), 1),
    (re.compile(r"^(Mesure|Objectif)\s+\d", re.IGNORECASE), 2),
    (re.compile(r"^Action\s+\d", re.IGNORECASE), 3),
    (
        re.compile(
            r"^(Préconisation|Proposition|Recommandation)s?\s*(n°|no|N°)?\s*\d", re.IGNORECASE
        ),
        4,
    ),
)
# Words whose hyphen at a line end is part of the compound, not a line-break hyphen.
_COMPOUND_HEADS = frozenset(
    "porte vice demi semi mi non ex après avant arrière sous grand grande belle beau "
    "auto-saisine c'est-à rendez état états chef chefs vis sud nord est ouest anglo "
    "franco euro micro macro".split()
)
_COMPOUND_TAILS = frozenset("dire être là ci ils elles on t-il t-elle même mêmes".split())
_TOC_TITLE = re.compile(r"^(sommaire|table des matières)$", re.IGNORECASE)


@dataclass
class _Draft:
    kind: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    pieces: list[tuple[int, int, int]] = field(default_factory=list)  # (page, start, end)
    boxes: list[Box] = field(default_factory=list)
    section: str = ""
    level: int = 0
    order: int = 0
    ocr: bool = False


class Vocabulary:
    """Words seen whole in a document, to decide whether a line-end hyphen is real."""

    def __init__(self, pages: list[PageLayout]) -> None:
        self.words: set[str] = set()
        for page in pages:
            for item in page.items:
                if isinstance(item, Line):
                    for w in item.words[:-1]:
                        self.words.add(w.text.lower().strip(".,;:!?()«»\"'"))

    def join(self, left: str, right: str) -> str:
        """Join a line ending in "left-" with the next line starting with "right"."""
        head = left[:-1]
        first = re.match(r"[^\s]+", right)
        tail = first.group() if first else right
        bare_tail = tail.strip(".,;:!?()«»\"'")
        last_head = re.split(r"[\s]", head)[-1]
        compound = f"{last_head}-{bare_tail}".lower()
        joined = f"{last_head}{bare_tail}".lower()
        keep = self._known(compound, joined)
        if keep is None:  # neither form, or both, seen in the document
            keep = (bool(bare_tail[:1]) and bare_tail[:1].isupper()) or (
                last_head.lower().split("'")[-1] in _COMPOUND_HEADS
                or last_head.lower() in _COMPOUND_HEADS
                or bare_tail.lower() in _COMPOUND_TAILS
                or not bare_tail[:1].isalpha()
            )
        return f"{left}{right}" if keep else f"{head}{right}"

    def _known(self, compound: str, joined: str) -> bool | None:
        """Return True to keep the hyphen, False to drop it, None when nothing tells.

        The document's own words decide first (« CE-SER » is « CESER » elsewhere in it), then
        the French word forms of spaCy's lexicon (« mi-neurs » is « mineurs », a word, while
        « mi-temps » is no « mitemps »).
        """
        for known in (self.words, french_words()):
            has_compound = compound in known or compound.split("'")[-1] in known
            has_joined = joined in known or joined.split("'")[-1] in known
            if has_compound != has_joined:
                return has_compound
        return None


_NO_VOCABULARY = Vocabulary([])  # footnote and table-of-contents lines: no dehyphenation vocabulary


def numbered_level(text: str) -> int | None:
    """Return the level (1 = top) that a heading's numbering or name gives it, if any."""
    for pattern, level in _NAMED_LEVELS:
        if pattern.match(text):
            return level
    m = _NUMBERED.match(text)
    if m:
        return min(3, m.group(1).count(".") + 1)
    if _ROMAN.match(text):
        return 1
    if _LETTER.match(text):
        return 2
    if _SMALL_LETTER.match(text):
        return 3
    return None


def heading_level(
    text: str,
    size: float,
    heading_sizes: Sequence[float],
    size_levels: dict[int, int] | None = None,
) -> int:
    """Return the level (1 = top) of a heading from its numbering, else from its size.

    size_levels maps a font size to the level that the numbered headings of that size have in
    the document: an unnumbered heading set like « 1. Contexte » is a level-1 heading too.
    """
    level = numbered_level(text)
    if level is not None:
        return level
    if size_levels and round(size) in size_levels:
        return size_levels[round(size)]
    for i, s in enumerate(heading_sizes):
        if size >= s - 0.2:
            return min(3, i + 1)
    return 3


def is_heading(
    line: Line, body: float, short_ocr_groups: set[tuple[int, int]] | None = None
) -> bool:
    """Return True when a line looks like a heading (larger, or bold and short)."""
    text = line.text.strip()
    if line.ocr:
        # OCR gives no font: a heading is a short paragraph of its own with no final stop
        return (
            (line.page, line.group) in (short_ocr_groups or set())
            and len(text) < 90
            and not text.endswith((".", ",", ";", ":", "-"))
            and (text[:1].isupper() or text[:1].isdigit())
        )
    if not text or len(text) > 160 or line.role != "body":
        return False
    if line.size >= body * 1.12:
        return True
    return line.bold and not text.endswith((".", ",", ";")) and len(text) < 120


def build_passages(
    pages: list[PageLayout], body: float
) -> tuple[list[PassageDraft], list[PageText]]:
    """Return the passages of a document in reading order, and the text of each page."""
    vocab = Vocabulary(pages)
    heading_sizes = sorted(
        {
            round(ln.size)
            for p in pages
            for ln in p.items
            if isinstance(ln, Line) and not ln.ocr and ln.size >= body * 1.12
        },
        reverse=True,
    )
    columns = _body_columns(pages, body)
    justified = _justified(pages, columns, body)
    group_lines = Counter(
        (p.number, ln.group) for p in pages for ln in p.items if isinstance(ln, Line) and ln.ocr
    )
    short_ocr_groups = {key for key, n in group_lines.items() if n <= 2}
    following = _following(pages)
    gaps = _line_gaps(pages)
    cover = _cover_page(pages, body, short_ocr_groups)
    size_levels = _size_levels(pages, body)
    drafts: list[_Draft] = []
    current: _Draft | None = None
    stack: list[tuple[int, str]] = []
    order = 0

    def close() -> None:
        nonlocal current
        if current is not None and current.text.strip():
            drafts.append(current)
        current = None

    for page in pages:
        on_cover = page.number == cover
        for item in page.items:
            order += 1
            if stack and _TOC_TITLE.match(stack[-1][1]) and _ends_toc(item):
                stack.pop()  # the table of contents is over: it heads none of the sections
            if isinstance(item, TableItem):
                close()
                drafts.append(_table_draft(item, order, _path(stack)))
                continue
            if item.role == "header":
                continue
            if item.role in ("footnote", "toc"):
                drafts.append(_single(item, item.role, order, _path(stack)))
                continue
            if (
                current is not None
                and current.kind == "heading"
                and item.ocr
                and current.lines[-1].ocr
                and current.lines[-1].page == item.page
                and current.lines[-1].group == item.group
            ):
                _append(current, item, vocab)  # second line of an OCR heading
                _retitle(stack, current)
                continue
            if is_heading(item, body, short_ocr_groups) and not _bold_lead(
                item, following.get(id(item)), body
            ):
                prev_heading = current is not None and current.kind == "heading"
                if (
                    prev_heading
                    and current is not None
                    and _wide(current.lines[-1], columns)
                    and abs(current.lines[-1].size - item.size) < 0.6
                    and current.lines[-1].page == item.page
                    and (
                        item.top - current.lines[-1].bottom < item.size * 0.9
                        or (item.ocr and item.group == current.lines[-1].group)
                    )
                    and not _starts_new_heading(item.text)
                ):
                    _append(current, item, vocab)
                    _retitle(stack, current)
                    continue
                close()
                level = heading_level(
                    item.text, item.size, heading_sizes, None if item.ocr else size_levels
                )
                while stack and stack[-1][0] >= level:
                    stack.pop()
                current = _Draft("heading", section=_path(stack), level=level, order=order)
                _append(current, item, vocab)
                if not on_cover:  # cover lines (title, body, date) head no section
                    stack.append((level, current.text))
                continue
            if (
                current is not None
                and current.kind in ("paragraph", "list_item")
                and _continues(
                    current.lines[-1],
                    item,
                    columns,
                    gaps,
                    current.kind == "list_item",
                    justified,
                )
            ):
                _append(current, item, vocab)
                continue
            close()
            kind = "list_item" if _LIST_MARK.match(item.words[0].text) else "paragraph"
            current = _Draft(kind, section=_path(stack), order=order)
            _append(current, item, vocab)
        # a paragraph may continue on the next page; it is closed by the next break
    close()
    drafts.sort(key=lambda d: d.order)
    return _finish(drafts, pages)


def _following(pages: list[PageLayout]) -> dict[int, Line]:
    """Return, by id of each body line, the body line read after it: the next one of its column
    on its page, else, for a column's last line, the next one in reading order (a bold lead-in
    may wrap into the next column or page)."""
    following: dict[int, Line] = {}
    previous: Line | None = None
    for page in pages:
        last: dict[int, Line] = {}
        for ln in page.items:
            if isinstance(ln, Line) and ln.role == "body":
                if ln.col in last:
                    following.setdefault(id(last[ln.col]), ln)
                if previous is not None:
                    following.setdefault(id(previous), ln)
                last[ln.col] = ln
                previous = ln
    return following


def _size_levels(pages: list[PageLayout], body: float) -> dict[int, int]:
    """Return, per font size of numbered headings, the level most of them have (no OCR)."""
    seen: dict[int, Counter[int]] = {}
    for page in pages:
        for ln in page.items:
            if isinstance(ln, Line) and not ln.ocr and is_heading(ln, body):
                level = numbered_level(ln.text.strip())
                if level is not None:
                    seen.setdefault(round(ln.size), Counter())[level] += 1
    return {size: levels.most_common(1)[0][0] for size, levels in seen.items()}


def _cover_page(
    pages: list[PageLayout], body: float, short_ocr_groups: set[tuple[int, int]]
) -> int | None:
    """Return the first page's number when it is a cover: headings only, more pages after it."""
    if len(pages) < 2:
        return None
    first = pages[0]
    lines = [ln for ln in first.items if isinstance(ln, Line) and ln.role == "body"]
    if not lines or any(isinstance(it, TableItem) for it in first.items):
        return None
    if all(is_heading(ln, body, short_ocr_groups) for ln in lines):
        return first.number
    return None


def _ends_toc(item: Line | TableItem) -> bool:
    """Return True for an item that cannot belong to a table of contents."""
    return isinstance(item, TableItem) or item.role not in ("toc", "header")


def _bold_lead(line: Line, nxt: Line | None, body: float) -> bool:
    """Return True for a bold line of body size that wraps into the next line (a lead-in).

    An OCR line carries no font: it leads in only when it opens a list item (« 3. Privilégier
    des… ») that goes on in lower case in another Tesseract paragraph (its hanging indent); a
    short OCR heading that wraps, in one paragraph, is a heading.
    """
    if nxt is None:
        return False
    if line.ocr:
        starts_item = bool(_LIST_MARK.match(line.words[0].text))
        first = nxt.text.lstrip()[:1]
        return (
            starts_item
            and nxt.ocr
            and nxt.group != line.group  # a heading that wraps stays in one Tesseract paragraph
            and first.islower()
            and not line.text.endswith(".")
        )
    if line.size >= body * 1.12:
        return False
    text = line.text.rstrip()
    first = nxt.text.lstrip()[:1]
    return text.endswith("-") or (first.islower() and not text.endswith(_SENTENCE_END))


def _wide(line: Line, columns: dict[tuple[int, int], tuple[float, float]]) -> bool:
    """Return True when a line fills most of its column (so the next one may continue it)."""
    left, right = columns.get((line.page, line.col), (line.x0, line.x1))
    return line.x1 - line.x0 >= 0.5 * max(right - left, 1.0)


def _body_columns(
    pages: list[PageLayout], body: float
) -> dict[tuple[int, int], tuple[float, float]]:
    """Return the left and right edges of the body text of each column of each page.

    Only lines set in the body size count where there are some: a heading that runs over an
    empty neighbour column, or a pull quote in a larger size, would widen the column and make
    every full line of it look short.
    """
    bounds: dict[tuple[int, int], tuple[float, float]] = {}
    plain: dict[tuple[int, int], tuple[float, float]] = {}
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


def _justified(
    pages: list[PageLayout], columns: dict[tuple[int, int], tuple[float, float]], body: float
) -> bool:
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
    columns: dict[tuple[int, int], tuple[float, float]],
    justified: bool,
) -> bool:
    """Return True when a paragraph whose last line so far (prev) ends a column or a page with
    the end of a sentence may go on with line, at the top of the next column or page.

    A paragraph's last line is short: the first word of the next line would have fitted on it.
    In justified text, every line but a paragraph's last ends flush with the column.
    """
    left, right = columns.get((prev.page, prev.col), (prev.x0, prev.x1))
    first = line.words[0]
    room = right - prev.x1
    if room >= (first.x1 - first.x0) + 0.25 * max(prev.size, 1.0):
        return False  # the word would have fitted: the paragraph ended there
    nleft = columns.get((line.page, line.col), (line.x0, line.x1))[0]
    if line.x0 - nleft > 0.03 * max(right - left, 1.0):
        return False  # a first-line indent opens a new paragraph
    return not justified or room <= 1.5


def _starts_new_heading(text: str) -> bool:
    return bool(_NUMBERED.match(text) or any(p.match(text) for p, _ in _NAMED_LEVELS))


def _path(stack: list[tuple[int, str]]) -> str:
    return " > ".join(t for _, t in stack)


def _retitle(stack: list[tuple[int, str]], draft: _Draft) -> None:
    if stack:
        stack[-1] = (stack[-1][0], draft.text)


def _line_gaps(pages: list[PageLayout]) -> float:
    gaps = []
    for page in pages:
        prev: Line | None = None
        for item in page.items:
            if isinstance(item, Line) and item.role == "body":
                if prev is not None and prev.col == item.col and 0 <= item.top - prev.bottom < 30:
                    gaps.append(item.top - prev.bottom)
                prev = item
    return statistics.median(gaps) if len(gaps) >= 5 else 3.0


def _continues(
    prev: Line,
    line: Line,
    columns: dict[tuple[int, int], tuple[float, float]],
    gap: float,
    hanging: bool = False,
    justified: bool = False,
) -> bool:
    """Return True when line continues the paragraph whose last line is prev."""
    if _LIST_MARK.match(line.words[0].text) or (
        prev.frame != line.frame and prev.page == line.page
    ):
        return False
    if prev.ocr and line.ocr and prev.page == line.page:
        # Tesseract's own paragraphs (OCR sizes are too noisy), a word cut at the line end, or
        # a sentence left unfinished that goes on in lower case (Tesseract cut a paragraph)
        end, first = prev.text.rstrip(), line.text.lstrip()[:1]
        return (
            prev.group == line.group
            or end.endswith("-")
            or (first.islower() and not end.endswith(_SENTENCE_END))
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
        if first.islower() or text.endswith(("-", ",")):
            return not text.endswith(_SENTENCE_END)
        # a scanned page's measures do not compare with the text layer's
        return prev.ocr == line.ocr and _runs_on(prev, line, columns, justified)
    if line.top - prev.bottom > gap * 1.8 + 1.5 or line.top < prev.top:
        return False
    left, right = columns.get((line.page, line.col), (line.x0, line.x1))
    width = max(right - left, 1.0)
    if not hanging and line.x0 - left > 0.03 * width and prev.x0 - left < 0.02 * width:
        return False  # first-line indent starts a new paragraph
    return not (text.endswith(_TERMINAL) and prev.x1 < right - 0.12 * width)


def _append(draft: _Draft, line: Line, vocab: Vocabulary) -> None:
    text = line.text.strip()
    if draft.text:
        cut = ends_with_break(draft.text)
        if cut == "soft":  # a soft hyphen only ever breaks a word
            draft.text = draft.text[:-1] + text
        elif cut == "hyphen" and text[:1].isalpha():
            draft.text = vocab.join(draft.text, text)
        else:
            draft.text += " " + text
        start = len(draft.text) - len(text)
    else:
        start = 0
        draft.text = text
    if draft.pieces and draft.pieces[-1][0] != line.page:
        p, a, b = draft.pieces[-1]
        draft.pieces[-1] = (p, a, min(b, start))
    if draft.pieces and draft.pieces[-1][0] == line.page:
        p, a, _ = draft.pieces[-1]
        draft.pieces[-1] = (p, a, len(draft.text))
    else:
        draft.pieces.append((line.page, start, len(draft.text)))
    box = Box(line.page, line.x0, line.top, line.x1, line.bottom)
    last = draft.lines[-1] if draft.lines else None
    if last is not None and last.page == line.page and last.col == line.col and draft.boxes:
        prev = draft.boxes[-1]
        draft.boxes[-1] = Box(
            prev.page,
            min(prev.x0, box.x0),
            min(prev.top, box.top),
            max(prev.x1, box.x1),
            max(prev.bottom, box.bottom),
        )
    else:
        draft.boxes.append(box)
    draft.lines.append(line)
    draft.ocr = draft.ocr or line.ocr


def _single(line: Line, kind: str, order: int, section: str) -> _Draft:
    draft = _Draft(kind, section=section, order=order)
    draft.lines.append(line)
    draft.text = line.text.strip()
    draft.pieces.append((line.page, 0, len(draft.text)))
    draft.boxes.append(Box(line.page, line.x0, line.top, line.x1, line.bottom))
    draft.ocr = line.ocr
    return draft


def _table_draft(item: TableItem, order: int, section: str) -> _Draft:
    t = item.region
    text = "\n".join(" | ".join(c for c in row) for row in t.rows)
    draft = _Draft("table", section=section, order=order, text=text)
    draft.pieces.append((item.page, 0, len(text)))
    draft.boxes.append(Box(item.page, t.x0, t.top, t.x1, t.bottom))
    return draft


def _merge_footnotes(drafts: list[_Draft]) -> list[_Draft]:
    """Join footnote lines into one passage per note (a note starts with its number)."""
    out: list[_Draft] = []
    for d in drafts:
        prev = out[-1] if out else None
        if (
            d.kind == "footnote"
            and prev is not None
            and prev.kind == "footnote"
            and prev.lines[-1].page == d.lines[0].page
            and not re.match(r"^\(?\d{1,3}[).]?\s", d.text)
        ):
            _append(prev, d.lines[0], _NO_VOCABULARY)
            continue
        if d.kind == "toc" and prev is not None and prev.kind == "toc":
            _append(prev, d.lines[0], _NO_VOCABULARY)
            continue
        out.append(d)
    return out


def _finish(
    drafts: list[_Draft], pages: list[PageLayout]
) -> tuple[list[PassageDraft], list[PageText]]:
    drafts = _merge_footnotes(drafts)
    page_parts: dict[int, list[str]] = {p.number: [] for p in pages}
    page_len: dict[int, int] = {p.number: 0 for p in pages}
    passages = []
    for d in drafts:
        spans = []
        for page, a, b in d.pieces:
            piece = d.text[a:b]
            sep = 2 if page_parts[page] else 0
            start = page_len[page] + sep
            page_parts[page].append(piece)
            page_len[page] = start + len(piece)
            spans.append(Span(page, start, start + len(piece)))
        first = d.lines[0] if d.lines else None
        frame = f"{first.page}:{first.frame}" if first and first.frame is not None else None
        passages.append(
            PassageDraft(
                d.kind,
                d.text,
                Provenance(tuple(d.boxes), d.section, tuple(spans)),
                ocr=d.ocr,
                frame=frame,
            )
        )
    texts = [
        PageText(p.number, p.width, p.height, "\n\n".join(page_parts[p.number]), p.ocr)
        for p in pages
    ]
    return passages, texts
