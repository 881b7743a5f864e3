"""Headings: which lines are headings, and their level from numbering, name or size."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .flow import LIST_MARK, SENTENCE_END
from .lines import Line, PageLayout

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


def size_levels(pages: list[PageLayout], body: float) -> dict[int, int]:
    """Return, per font size of numbered headings, the level most of them have (no OCR)."""
    seen: dict[int, Counter[int]] = {}
    for page in pages:
        for ln in page.items:
            if isinstance(ln, Line) and not ln.ocr and is_heading(ln, body):
                level = numbered_level(ln.text.strip())
                if level is not None:
                    seen.setdefault(round(ln.size), Counter())[level] += 1
    return {size: levels.most_common(1)[0][0] for size, levels in seen.items()}


def bold_lead(line: Line, nxt: Line | None, body: float) -> bool:
    """Return True for a bold line of body size that wraps into the next line (a lead-in).

    An OCR line carries no font: it leads in only when it opens a list item (« 3. Privilégier
    des… ») that goes on in lower case in another Tesseract paragraph (its hanging indent); a
    short OCR heading that wraps, in one paragraph, is a heading.
    """
    if nxt is None:
        return False
    if line.ocr:
        starts_item = bool(LIST_MARK.match(line.words[0].text))
        first = nxt.text.lstrip()[:1]
        return (
            starts_item
            and nxt.ocr
            and nxt.group != line.group  # a heading that wraps stays in one Tesseract paragraph
            and first.islower()
            and not line.text.endswith(".")
        )
    if line.size >= body * 1.12 or abs(line.size - nxt.size) > 0.6:
        return False  # a lead-in runs on in its own size; a box's smaller title does not
    if line.x1 - line.x0 < 0.5 * (nxt.x1 - nxt.x0):
        return False  # a lead-in wraps where its line is full; a short bold label does not
    text = line.text.rstrip()
    first = nxt.text.lstrip()[:1]
    if text.endswith("-") or (first.islower() and not text.endswith(SENTENCE_END)):
        return True
    # a full line that goes on, in plain text, right below it (« … commun aux deux » then
    # « CHU en y consacrant… »): a heading is shorter than the lines of text, or set apart
    return (
        not nxt.bold
        and not text.endswith((*SENTENCE_END, ":"))
        and (nxt.page, nxt.col) == (line.page, line.col)
        and 0 <= nxt.top - line.bottom < 0.6 * line.size
        and line.x1 - line.x0 >= 0.9 * (nxt.x1 - nxt.x0)
    )


def starts_new_heading(text: str) -> bool:
    return bool(_NUMBERED.match(text) or any(p.match(text) for p, _ in _NAMED_LEVELS))
