"""From ordered lines to passages: paragraphs, headings with section paths, tables, footnotes.

A paragraph may run across a column or a page break: it is then one passage with one box
per column piece. Words hyphenated at line ends are joined again unless the hyphen is real.
"""

from __future__ import annotations

import re
from collections import Counter

from ..models import PageText, PassageDraft
from .dehyphen import Vocabulary
from .drafts import Draft, append_line, finish, single_line, table_draft
from .flow import (
    LIST_MARK,
    TERMINAL,
    Columns,
    Spacing,
    body_columns,
    continues,
    justified_text,
    line_gaps,
    unfinished,
    wide,
)
from .headings import bold_lead, heading_level, is_heading, size_levels, starts_new_heading
from .lines import Line, PageLayout, TableItem

__all__ = ["Vocabulary", "build_passages"]

_TOC_TITLE = re.compile(r"^(sommaire|table des matières)$", re.IGNORECASE)


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
    columns = body_columns(pages, body)
    justified = justified_text(pages, columns, body)
    group_lines = Counter(
        (p.number, ln.group) for p in pages for ln in p.items if isinstance(ln, Line) and ln.ocr
    )
    short_ocr_groups = {key for key, n in group_lines.items() if n <= 2}
    following = _following(pages)
    gaps = line_gaps(pages)
    cover = _cover_page(pages, body, short_ocr_groups)
    levels = size_levels(pages, body)
    drafts: list[Draft] = []
    current: Draft | None = None
    stack: list[tuple[int, str]] = []
    order = 0
    # paragraphs left unfinished where something else was set (a box, a table, a sidebar at a
    # column's foot), with the sections open there: the next column may carry them on
    suspended: list[tuple[Draft, list[tuple[int, str]]]] = []
    started: set[tuple[int, int]] = set()  # (page, column) where a line was read
    last_col: tuple[int, int] | None = None  # (page, column) of the line read last
    kept: set[int] = set()

    def close() -> None:
        nonlocal current
        if current is not None and current.text.strip():
            if id(current) not in kept:
                drafts.append(current)
                kept.add(id(current))
            if current.kind in ("paragraph", "list_item") and unfinished(current.text):
                suspended.append((current, list(stack)))
        current = None

    for page in pages:
        on_cover = page.number == cover
        for item in page.items:
            order += 1
            if stack and _TOC_TITLE.match(stack[-1][1]) and _ends_toc(item):
                stack.pop()  # the table of contents is over: it heads none of the sections
            if isinstance(item, TableItem):
                close()
                drafts.append(table_draft(item, order, _path(stack)))
                continue
            if item.role == "header":
                continue
            # the first line of a column, or the first below a float beside the text (a
            # sidebar in a band of its own): either may carry on a paragraph left unfinished
            top = (item.page, item.col) not in started or (
                last_col is not None and last_col != (item.page, item.col)
            )
            started.add((item.page, item.col))
            last_col = (item.page, item.col)
            if item.role in ("footnote", "toc"):
                drafts.append(single_line(item, item.role, order, _path(stack)))
                continue
            if (
                current is not None
                and current.kind == "heading"
                and item.ocr
                and current.lines[-1].ocr
                and current.lines[-1].page == item.page
                and current.lines[-1].group == item.group
            ):
                append_line(current, item, vocab)  # second line of an OCR heading
                _retitle(stack, current)
                continue
            if (
                is_heading(item, body, short_ocr_groups)
                and not bold_lead(item, following.get(id(item)), body)
                and not _bold_run_on(current, item, columns, gaps, justified)
            ):
                prev_heading = current is not None and current.kind == "heading"
                if (
                    prev_heading
                    and current is not None
                    and wide(current.lines[-1], columns)
                    and _same_size(current.lines[-1], item, page.sized_by_height)
                    and current.lines[-1].page == item.page
                    and (
                        # right below it (a box's label beside it, higher up, is another's)
                        -0.3 * item.size < item.top - current.lines[-1].bottom < item.size * 0.9
                        or (item.ocr and item.group == current.lines[-1].group)
                    )
                    and not starts_new_heading(item.text)
                ):
                    append_line(current, item, vocab)
                    _retitle(stack, current)
                    continue
                close()
                # a heading in the body's size or larger opens a section: what it follows does
                # not go on after it (a box's or a table's smaller title is no such heading)
                # ...unless it sits at the foot of the column that the paragraph left unfinished,
                # right below it: a float (a vote box, a box's title) set between two columns
                suspended[:] = [
                    (d, s)
                    for d, s in suspended
                    if item.size < d.lines[-1].size - 0.6 or _floated(d, item, drafts, columns)
                ]
                level = heading_level(
                    item.text, item.size, heading_sizes, None if item.ocr else levels
                )
                while stack and stack[-1][0] >= level:
                    stack.pop()
                current = Draft("heading", section=_path(stack), level=level, order=order)
                append_line(current, item, vocab)
                if not on_cover:  # cover lines (title, body, date) head no section
                    stack.append((level, current.text))
                continue
            if (
                current is not None
                and current.kind in ("paragraph", "list_item")
                and continues(
                    current.lines[-1],
                    item,
                    columns,
                    gaps,
                    current.kind == "list_item",
                    justified,
                )
            ):
                append_line(current, item, vocab)
                continue
            close()
            resumed = _resumed(suspended, item, columns, gaps, justified) if top else None
            if resumed is not None:
                current, stack[:] = resumed  # the float is over: its heading heads nothing
                append_line(current, item, vocab)
                continue
            # a paragraph followed by another one of its kind in its column was not cut by a
            # float (a box's text is in another size, or framed)
            suspended[:] = [(d, s) for d, s in suspended if not _next_of_kind(d.lines[-1], item)]
            kind = "list_item" if LIST_MARK.match(item.words[0].text) else "paragraph"
            current = Draft(kind, section=_path(stack), order=order)
            append_line(current, item, vocab)
        # a paragraph may continue on the next page; it is closed by the next break
    close()
    drafts.sort(key=lambda d: d.order)
    return finish(drafts, pages)


def _same_size(a: Line, b: Line, by_height: bool) -> bool:
    """Return True when two lines are set in one size; where sizes are line heights (a
    scanner's text layer), one with descenders and one without still are."""
    return abs(a.size - b.size) < (0.25 * max(a.size, b.size) if by_height else 0.6)


def _bold_run_on(
    current: Draft | None, line: Line, columns: Columns, spacing: Spacing, justified: bool
) -> bool:
    """Return True when a bold line goes on with a paragraph whose last line, bold too, left
    its sentence unfinished (« Assurer le suivi des stagiaires de la » / « formation
    professionnelle six mois après »): the second line of a bold lead-in, no heading."""
    if current is None or current.kind not in ("paragraph", "list_item") or not line.bold:
        return False
    last = current.lines[-1]
    return (
        last.bold
        and not line.ocr
        and not last.text.rstrip().endswith(TERMINAL)
        and continues(last, line, columns, spacing, current.kind == "list_item", justified)
    )


def _floated(draft: Draft, heading: Line, drafts: list[Draft], columns: Columns) -> bool:
    """Return True when a heading follows a paragraph left unfinished on a full line, in its
    column, with nothing but headings read between them: a float set at the column's foot
    (« Résultat du vote » over its table), which the paragraph goes on after, in the next
    column."""
    last = draft.lines[-1]
    if (last.page, last.col) != (heading.page, heading.col) or not wide(last, columns):
        return False
    after = next((k for k in range(len(drafts) - 1, -1, -1) if drafts[k] is draft), None)
    return after is not None and all(d.kind == "heading" for d in drafts[after + 1 :])


def _next_of_kind(last: Line, line: Line) -> bool:
    """Return True when line starts a paragraph like the one that ended with last, below it
    in the same column."""
    return (
        (last.page, last.col) == (line.page, line.col)
        and last.frame == line.frame
        and abs(last.size - line.size) <= 0.6
    )


def _resumed(
    suspended: list[tuple[Draft, list[tuple[int, str]]]],
    line: Line,
    columns: Columns,
    spacing: Spacing,
    justified: bool,
) -> tuple[Draft, list[tuple[int, str]]] | None:
    """Return (and take out of suspended) the paragraph that line, the first of its column,
    carries on, with the sections open where it stopped; None when it starts a paragraph.

    A float set at a column's foot (a box, a table, a sidebar with its title) comes between a
    paragraph's last line there and its next line at the top of the next column or page: a
    sentence left unfinished (a word cut, or a line that goes on in lower case) still goes on
    over it.
    """
    first = line.text.lstrip()[:1]
    for k in range(len(suspended) - 1, -1, -1):
        draft, sections = suspended[k]
        last = draft.lines[-1]
        if not (last.page == line.page or last.page + 1 == line.page):
            continue
        if last.page == line.page and last.col == line.col:
            continue
        text = last.text.rstrip()
        if not (first.islower() or text.endswith("-")):
            continue
        if continues(last, line, columns, spacing, draft.kind == "list_item", justified):
            del suspended[k]
            return draft, sections
    return None


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


def _path(stack: list[tuple[int, str]]) -> str:
    return " > ".join(t for _, t in stack)


def _retitle(stack: list[tuple[int, str]], draft: Draft) -> None:
    if stack:
        stack[-1] = (stack[-1][0], draft.text)
