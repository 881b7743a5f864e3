"""Column flow for the fpdf2 engine: places measured items top-down in columns and pages,
and keeps each column's footnotes at its bottom, under a short rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fpdf import FPDF

from . import style as S

TOP = S.MARGIN_TOP
BOTTOM = S.PAGE_H - S.MARGIN_BOTTOM
NOTE_RULE_GAP = 9.0
NOTE_GAP = 1.5
BOX_PAD_TOP, BOX_PAD_BOTTOM, BOX_PAD_X = 7.0, 6.0, 10.0


@dataclass(frozen=True)
class Item:
    """Something of a known height that draws itself at (x, y top)."""

    height: float
    draw: Callable[[float, float], None]
    refs: tuple[str, ...] = ()
    gap: bool = False  # blank space: dropped at the top of a column


def gap(height: float) -> Item:
    return Item(height, lambda x, y: None, gap=True)


class Flow:
    """The current position (page, column, y) and the footnotes reserved in the column."""

    def __init__(
        self, pdf: FPDF, columns: int, note_lines: Callable[[str, float], list[Item]]
    ) -> None:
        self.pdf = pdf
        self.columns = columns
        self.note_lines = note_lines
        self.col = 0
        self.y = TOP
        self.bottom = BOTTOM
        self.notes: list[list[Item]] = []
        self.numbers: set[str] = set()
        self.started = False

    # -- geometry
    @property
    def x(self) -> float:
        return S.column_frames(self.columns)[self.col][0]

    @property
    def width(self) -> float:
        return S.column_frames(self.columns)[self.col][1]

    @property
    def at_top(self) -> bool:
        return self.y <= TOP + 0.01

    @property
    def column_height(self) -> float:
        return BOTTOM - TOP

    # -- moving on
    def start_page(self, columns: int | None = None) -> None:
        if self.started:
            self._end_column()
        self.pdf.add_page()
        self.started = True
        self.columns = columns or self.columns
        self.col, self.y = 0, TOP

    def next_column(self) -> None:
        if self.col + 1 < self.columns:
            self._end_column()
            self.col, self.y = self.col + 1, TOP
        else:
            self.start_page()

    def finish(self) -> None:
        self._end_column()

    # -- footnotes
    def _new_refs(self, refs: tuple[str, ...]) -> list[str]:
        return [r for r in dict.fromkeys(refs) if r not in self.numbers]

    def notes_height(self, refs: tuple[str, ...]) -> float:
        new = self._new_refs(refs)
        if not new:
            return 0.0
        lines = sum(i.height for r in new for i in self.note_lines(r, self.width))
        return lines + NOTE_GAP * len(new) + (0.0 if self.notes else NOTE_RULE_GAP)

    def _reserve(self, refs: tuple[str, ...]) -> None:
        need = self.notes_height(refs)
        for r in self._new_refs(refs):
            self.notes.append(self.note_lines(r, self.width))
            self.numbers.add(r)
        self.bottom -= need

    def _end_column(self) -> None:
        if self.notes:
            x, y = self.x, self.bottom + NOTE_RULE_GAP
            self.pdf.set_draw_color(*S.INK)
            self.pdf.set_line_width(0.5)
            self.pdf.line(x, y - 4, x + min(self.width / 3, 120), y - 4)
            for lines in self.notes:
                for line in lines:
                    line.draw(x, y)
                    y += line.height
                y += NOTE_GAP
        self.notes, self.numbers, self.bottom = [], set(), BOTTOM

    # -- placing
    def fits(self, height: float, refs: tuple[str, ...] = ()) -> bool:
        return self.y + height + self.notes_height(refs) <= self.bottom + 0.01

    def ensure(self, height: float, refs: tuple[str, ...] = ()) -> None:
        """Move to the next column unless height (and its notes) fits in this one."""
        if not self.at_top and not self.fits(height, refs):
            self.next_column()

    def place(self, item: Item, indent: float = 0.0) -> None:
        if item.gap:
            if not self.at_top:
                self.y = min(self.y + item.height, self.bottom)
            return
        self.ensure(item.height, item.refs)
        self._reserve(item.refs)
        item.draw(self.x + indent, self.y)
        self.y += item.height

    def place_all(self, items: list[Item]) -> None:
        for item in items:
            self.place(item)

    def _count_fitting(self, lines: list[Item]) -> int:
        used = 0.0
        refs: tuple[str, ...] = ()
        for n, line in enumerate(lines):
            if not self.fits(used + line.height, refs + line.refs):
                return n
            used, refs = used + line.height, refs + line.refs
        return len(lines)

    def place_paragraph(self, items: list[Item]) -> None:
        """Place the lines of a paragraph, never leaving its first line alone at the foot
        of a column (orphan) nor its last line alone at the head of the next (widow)."""
        lines = [i for i in items if not i.gap]
        start = 0
        while start < len(lines):
            rest = lines[start:]
            k = self._count_fitting(rest)
            if k < len(rest):
                if len(rest) - k == 1 and k >= 2:
                    k -= 1
                if start == 0 and k == 1:
                    k = 0
                if k == 0 and self.at_top:
                    k = 1  # a column too short for two lines: place one anyway
            self.place_all(rest[:k])
            start += k
            if start < len(lines):
                self.next_column()
        self.place_all([i for i in items if i.gap])

    def place_table(self, header: Item, rows: list[Item]) -> None:
        """Place a table whole when it fits in a column; else split it, repeating the header."""
        total = header.height + sum(r.height for r in rows)
        refs = tuple(r for row in (header, *rows) for r in row.refs)
        if total <= self.column_height:
            self.ensure(total, refs)
        self.ensure(header.height + (rows[0].height if rows else 0.0))
        self.place(header)
        for row in rows:
            if not self.fits(row.height, row.refs):
                self.next_column()
                self.place(header)
            self.place(row)

    def place_box(
        self, items: list[Item], fill: tuple[int, int, int], line: tuple[int, int, int]
    ) -> None:
        """Place items inside a coloured frame; a long box continues in the next column."""
        pads = BOX_PAD_TOP + BOX_PAD_BOTTOM
        total = pads + sum(i.height for i in items)
        if total <= self.column_height * 0.45:
            self.ensure(total, tuple(r for i in items for r in i.refs))
        rest = list(items)
        while rest:
            piece: list[Item] = []
            used = pads
            refs: tuple[str, ...] = ()
            for item in rest:
                if not self.fits(used + item.height, refs + item.refs):
                    break
                piece.append(item)
                used += item.height
                refs += item.refs
            if not piece and self.at_top:
                piece, used = [rest[0]], used + rest[0].height  # taller than a column
            elif not piece or (len(piece) < min(2, len(rest)) and not self.at_top):
                self.next_column()
                continue
            self._reserve(refs)
            self._frame(used, fill, line)
            y = self.y + BOX_PAD_TOP
            for item in piece:
                item.draw(self.x + BOX_PAD_X, y)
                y += item.height
            self.y += used
            rest = rest[len(piece) :]
            if rest:
                self.next_column()

    def _frame(self, height: float, fill: tuple[int, int, int], line: tuple[int, int, int]) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*line)
        pdf.set_line_width(0.9)
        pdf.rect(self.x, self.y, self.width, height, style="DF")
        pdf.set_fill_color(*line)
        pdf.rect(self.x, self.y, 3.5, height, style="F")
