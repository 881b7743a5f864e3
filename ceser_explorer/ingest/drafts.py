"""Passages being built: their lines, text, page pieces and boxes; the finished passages and
the text of each page with the spans that point into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Box, PageText, PassageDraft, Provenance, Span
from .chars import ends_with_break
from .dehyphen import NO_VOCABULARY, Vocabulary
from .lines import Line, PageLayout, TableItem


@dataclass
class Draft:
    kind: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    pieces: list[tuple[int, int, int]] = field(default_factory=list)  # (page, start, end)
    boxes: list[Box] = field(default_factory=list)
    section: str = ""
    level: int = 0
    order: int = 0
    ocr: bool = False


def append_line(draft: Draft, line: Line, vocab: Vocabulary) -> None:
    """Add a line to a draft: after a space, or glued to a word cut at the line end (with a
    hyphen, or without one where the document cuts words so: vocab.cuts)."""
    text = line.text.strip()
    if draft.text:
        cut = ends_with_break(draft.text)
        if cut == "soft":
            draft.text = _soft_join(draft.text[:-1], text, vocab)
        elif cut is None and vocab.cuts.is_cut(draft.text, text):  # « cher »/« cheurs »
            draft.text += text
        elif draft.text.endswith(" -") and vocab.cut_word(draft.text[:-2], text):
            draft.text = draft.text[:-2] + text  # « régio -/naux »: a text layer's detached hyphen
        elif cut == "hyphen" and text[:1].isalpha() and not draft.text.endswith(" -"):
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


def _soft_join(left: str, right: str, vocab: Vocabulary) -> str:
    """Join a line that ends with a soft hyphen (its mark removed) and the next one.

    A soft hyphen breaks a word, unless the font prints every hyphen as U+00AD (Typst, where
    it maps its one hyphen glyph so): then a compound cut at its hyphen comes out so too.
    What goes on in a capital or a figure (« Champagne-/Ardenne », « 2022-/2027 ») or
    what the document prints whole with its hyphen elsewhere (« trente-six ») keeps it.
    """
    tail = re.match(r"[^\W\d_]+", right)
    if tail is not None and tail.group()[0].islower():
        head = (left.split()[-1:] or [""])[0].lower()
        compound, glued = f"{head}-{tail.group().lower()}", f"{head}{tail.group().lower()}"
        if compound not in vocab.words or glued in vocab.words:
            return left + right
    return vocab.join(left + "-", right)


def single_line(line: Line, kind: str, order: int, section: str) -> Draft:
    draft = Draft(kind, section=section, order=order)
    draft.lines.append(line)
    draft.text = line.text.strip()
    draft.pieces.append((line.page, 0, len(draft.text)))
    draft.boxes.append(Box(line.page, line.x0, line.top, line.x1, line.bottom))
    draft.ocr = line.ocr
    return draft


def table_draft(item: TableItem, order: int, section: str) -> Draft:
    t = item.region
    text = "\n".join(" | ".join(c for c in row) for row in t.rows)
    draft = Draft("table", section=section, order=order, text=text)
    draft.pieces.append((item.page, 0, len(text)))
    draft.boxes.append(Box(item.page, t.x0, t.top, t.x1, t.bottom))
    return draft


def _merge_footnotes(drafts: list[Draft]) -> list[Draft]:
    """Join footnote lines into one passage per note (a note starts with its number)."""
    out: list[Draft] = []
    for d in drafts:
        prev = out[-1] if out else None
        if (
            d.kind == "footnote"
            and prev is not None
            and prev.kind == "footnote"
            and prev.lines[-1].page == d.lines[0].page
            and not d.lines[0].note
            and not re.match(r"^\(?\d{1,3}[).]?\s", d.text)
        ):
            append_line(prev, d.lines[0], NO_VOCABULARY)
            continue
        if d.kind == "toc" and prev is not None and prev.kind == "toc":
            append_line(prev, d.lines[0], NO_VOCABULARY)
            continue
        out.append(d)
    return out


def finish(
    drafts: list[Draft], pages: list[PageLayout]
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
