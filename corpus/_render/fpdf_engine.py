"""fpdf2 engine: render a parsed source into PDF bytes with our own column layout."""

from __future__ import annotations

from fpdf import FPDF

from . import source as src
from . import style as S
from .fpdf_flow import BOX_PAD_BOTTOM, BOX_PAD_TOP, BOX_PAD_X, Flow, Item, gap
from .fpdf_text import (
    BODY,
    CELL,
    FAMILY,
    NOTE,
    PLAIN,
    Setter,
    TextStyle,
    add_fonts,
    baseline,
    shift,
)
from .linebreak import Run, Word, words_of

CELL_PAD_X, CELL_PAD_Y = 4.0, 3.0
TOC_NUMBER_W = 28.0
HEADING_SPACE = {1: (16, 7), 2: (11, 5), 3: (8, 4)}  # before, after


class Pdf(FPDF):
    """FPDF with the running header and footer on every page but the cover."""

    def __init__(self, meta: src.Meta) -> None:
        super().__init__(unit="pt", format="A4")
        self.meta = meta
        add_fonts(self)
        self.set_auto_page_break(False)
        self.set_margins(S.MARGIN_X, S.MARGIN_TOP, S.MARGIN_X)
        self.set_creation_date(S.FIXED_DATE)
        self.set_title(meta.title)
        self.set_author(meta.body)
        self.set_subject(meta.subtitle or meta.kind)
        self.set_creator("ceser-explorer corpus/build.py (fpdf2)")
        self.set_lang("fr-FR")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", S.HEADER_SIZE)
        self.set_text_color(*S.GREY)
        self.text(S.MARGIN_X, S.HEADER_BASELINE, self.meta.running_header)
        self.set_draw_color(*S.GREY)
        self.set_line_width(0.4)
        y = S.HEADER_BASELINE + 4
        self.line(S.MARGIN_X, y, S.PAGE_W - S.MARGIN_X, y)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        y = S.PAGE_H - S.FOOTER_BASELINE
        self.set_font(FAMILY, "", S.HEADER_SIZE)
        self.set_text_color(*S.GREY)
        self.text(S.MARGIN_X, y, self.meta.running_footer)
        number = str(self.page_no())
        self.set_font(FAMILY, "B", S.HEADER_SIZE + 1)
        self.text(S.PAGE_W - S.MARGIN_X - self.get_string_width(number), y, number)


class Renderer:
    """One rendering pass; ``toc_pages`` gives the sommaire's page numbers (None: unknown)."""

    def __init__(self, document: src.Document, toc_pages: list[int] | None) -> None:
        self.document = document
        self.meta = document.meta
        self.pdf = Pdf(document.meta)
        self.setter = Setter(self.pdf)
        self.flow = Flow(self.pdf, 1, self._note_lines)
        self.toc_pages = toc_pages
        self.heading_pages: list[int] = []
        self._note_cache: dict[tuple[str, float], list[Item]] = {}

    def run(self) -> bytes:
        self._cover()
        self.flow.start_page(1)
        self._sommaire()
        self.flow.start_page(self.meta.columns)
        for i, block in enumerate(self.document.blocks):
            self._block(block, i + 1)
        self.flow.finish()
        return bytes(self.pdf.output())

    # -- cover and sommaire
    def _draw_text(self, text: str, x: float, y: float, width: float, ts: TextStyle) -> float:
        """Draw text lines from y down; return the y below them."""
        for item in self.setter.items(src.parse_inline(text), width, ts):
            item.draw(x, y)
            y += item.height
        return y

    def _cover(self) -> None:
        pdf, meta = self.pdf, self.meta
        pdf.add_page()
        pdf.set_fill_color(*S.COVER_BAND)
        pdf.rect(0, 0, 1.3 * S.CM, S.PAGE_H, style="F")
        pdf.rect(1.3 * S.CM, 7.2 * S.CM, S.PAGE_W, 0.12 * S.CM, style="F")
        x, width = 2.6 * S.CM, S.PAGE_W - 4.6 * S.CM
        big = PLAIN.but(force="B", colour=S.HEADING_INK, size=15, leading=19)
        self._draw_text(meta.body, x, 4.6 * S.CM, width, big)
        y = self._draw_text(
            meta.title, x, 9.5 * S.CM, width, big.but(colour=S.INK, size=25, leading=31)
        )
        if meta.subtitle:
            y = self._draw_text(meta.subtitle, x, y + 12, width, big.but(force=None))
        y = max(y + 60, 18 * S.CM)
        for line in meta.cover_lines:
            y = self._draw_text(line, x, y, width, PLAIN.but(size=11.5, leading=15)) + 5

    def _sommaire(self) -> None:
        flow = self.flow
        title = PLAIN.but(force="B", colour=S.HEADING_INK, size=17, leading=21)
        flow.place_all(self.setter.items(src.parse_inline("Sommaire"), flow.width, title))
        flow.place(gap(12))
        for i, heading in enumerate(self.document.toc_headings()):
            page = self.toc_pages[i] if self.toc_pages else 0
            if heading.level == 1 and i:
                flow.place(gap(5))
            flow.place_all(self._toc_entry(heading, page))

    def _toc_entry(self, heading: src.Heading, page: int) -> list[Item]:
        """Lines of a sommaire entry: its text, then dot leaders and the page number."""
        indent = 0.0 if heading.level == 1 else 16.0
        ts = PLAIN.but(leading=13.5, size=10.0 if heading.level == 1 else 9.5)
        ts = ts.but(force="B") if heading.level == 1 else ts
        width = self.flow.width - indent - TOC_NUMBER_W
        spans = tuple(s for s in heading.spans if s.ref is None)
        lines = self.setter.lines(spans, width, ts)
        items = self.setter.items(spans, width, ts)
        last, natural = items[-1], lines[-1].natural

        def draw_last(x: float, y: float) -> None:
            last.draw(x + indent, y)
            self.setter.font(ts.force or "R", ts.size)
            start = x + indent + natural + 4
            end = x + self.flow.width - TOC_NUMBER_W + 4
            dots = "." * max(int((end - start) / self.pdf.get_string_width(".")), 0)
            self.pdf.text(start, baseline(y, ts), dots)
            number = str(page)
            right = x + self.flow.width - self.pdf.get_string_width(number)
            self.pdf.text(right, baseline(y, ts), number)

        shifted = [Item(i.height, shift(i, indent)) for i in items[:-1]]
        return [*shifted, Item(last.height, draw_last)]

    # -- body
    def _at(self, index: int) -> src.Block | None:
        blocks = self.document.blocks
        return blocks[index] if index < len(blocks) else None

    def _block(self, block: src.Block, next_index: int) -> None:
        """Lay out one block; next_index points at the block after it."""
        following = self._at(next_index)
        flow = self.flow
        at_page_start = flow.col == 0 and flow.at_top
        if isinstance(block, src.Columns):
            if at_page_start:
                flow.columns = block.n
            else:
                flow.start_page(block.n)
        elif isinstance(block, src.PageBreak):
            if not at_page_start:
                flow.start_page()
        elif isinstance(block, src.Heading):
            self._heading(block, next_index)
        elif isinstance(block, src.Para):
            flow.place_paragraph([*self.setter.items(block.spans, flow.width), gap(5)])
        elif isinstance(block, src.Bullet):
            flow.place_paragraph(self.setter.bullet_items(block.spans, flow.width))
            if not isinstance(following, src.Bullet):
                flow.place(gap(3))
        elif isinstance(block, src.Box):
            self._box(block)
        elif isinstance(block, src.Table):
            self._table(block)

    def _heading_items(self, heading: src.Heading) -> list[Item]:
        size = S.HEADING_SIZES[heading.level]
        ts = PLAIN.but(size=size, leading=size * 1.25, colour=S.HEADING_INK, force="B")
        before, after = HEADING_SPACE[heading.level]
        return [gap(before), *self.setter.items(heading.spans, self.flow.width, ts), gap(after)]

    def _heading(self, heading: src.Heading, next_index: int) -> None:
        items = self._heading_items(heading)
        self.flow.ensure(sum(i.height for i in items) + self._keep_height(next_index))
        if heading.level <= 2:
            self.heading_pages.append(self.pdf.page_no())
        self.flow.place_all(items)

    def _keep_height(self, index: int) -> float:
        """Return how much of what follows a heading must share the heading's column."""
        block = self._at(index)
        two_lines = 2 * BODY.leading
        if isinstance(block, src.Para | src.Bullet):
            return two_lines
        if isinstance(block, src.Heading):
            return sum(i.height for i in self._heading_items(block)) + self._keep_height(index + 1)
        if isinstance(block, src.Table):
            header, rows = self._table_rows(block)
            total = header.height + sum(r.height for r in rows)
            if total <= self.flow.column_height or not rows:
                return 6 + total
            return 6 + header.height + rows[0].height
        if isinstance(block, src.Box):
            items = self._box_items(block)
            total = BOX_PAD_TOP + BOX_PAD_BOTTOM + sum(i.height for i in items)
            return 6 + min(total, BOX_PAD_TOP + sum(i.height for i in items[:4]))
        return 0.0

    @staticmethod
    def _box_colours(box: src.Box) -> tuple[S.Colour, S.Colour]:
        if box.kind == "preconisation":
            return S.PRECO_FILL, S.PRECO_LINE
        return S.ENCADRE_FILL, S.ENCADRE_LINE

    def _box(self, box: src.Box) -> None:
        self.flow.place(gap(6))
        self.flow.place_box(self._box_items(box), *self._box_colours(box))
        self.flow.place(gap(9))

    def _box_items(self, box: src.Box) -> list[Item]:
        """The title and content lines of a box, at the box's inner width."""
        width = self.flow.width - BOX_PAD_X - 8
        title = PLAIN.but(size=10.5, leading=14, colour=self._box_colours(box)[1], force="B")
        items = [*self.setter.items(src.parse_inline(box.title), width, title), gap(3)]
        for i, block in enumerate(box.blocks):
            if isinstance(block, src.Bullet):
                items += self.setter.bullet_items(block.spans, width)
            else:
                items += self.setter.items(block.spans, width)
                if i + 1 < len(box.blocks):
                    items.append(gap(4))
        while items and items[-1].gap:
            items.pop()
        return items

    def _table(self, table: src.Table) -> None:
        self.flow.place(gap(6))
        self.flow.place_table(*self._table_rows(table))
        self.flow.place(gap(9))

    def _table_rows(self, table: src.Table) -> tuple[Item, list[Item]]:
        """The header row and the body rows, in the largest font that fits the column."""
        for size in S.TABLE_SIZES:
            natural, minimum = self._col_extents(table, size)
            if sum(minimum) <= self.flow.width:
                break
        widths = S.table_widths(natural, minimum, self.flow.width)
        ts = CELL.but(size=size, leading=size * 1.25)
        header = self._row(table.header, widths, ("L",) * len(widths), ts.but(force="B"))
        return header, [self._row(r, widths, table.align, ts) for r in table.rows]

    def _col_extents(self, table: src.Table, size: float) -> tuple[list[float], list[float]]:
        """Return each column's natural (one-line) and minimum (longest word) width."""
        natural = [0.0] * len(table.header)
        minimum = [0.0] * len(table.header)
        measure = self.setter.measure(size)
        pad = 2 * CELL_PAD_X + 1
        for r, row in enumerate((table.header, *table.rows)):
            for i, cell in enumerate(row):
                words = words_of(cell, "B" if r == 0 else None)
                sizes = [sum(measure(run.text, run.style) for run in w) for w in words]
                total = sum(sizes) + measure(" ", "R") * max(len(sizes) - 1, 0)
                natural[i] = max(natural[i], total + pad)
                minimum[i] = max(minimum[i], max(sizes, default=0.0) + pad)
        return natural, minimum

    def _row(
        self,
        cells: tuple[src.Inline, ...],
        widths: list[float],
        align: tuple[str, ...],
        ts: TextStyle,
    ) -> Item:
        """One table row: every cell a ruled rectangle (grey for the header) with its lines."""
        head = ts.force == "B"
        content = [
            self.setter.items(c, w - 2 * CELL_PAD_X, ts.but(align=a))
            for c, w, a in zip(cells, widths, align, strict=True)
        ]
        height = max(sum(i.height for i in lines) for lines in content) + 2 * CELL_PAD_Y
        refs = tuple(r for lines in content for i in lines for r in i.refs)

        def draw(x: float, y: float) -> None:
            self.pdf.set_draw_color(*S.INK)
            self.pdf.set_line_width(0.6)
            self.pdf.set_fill_color(*S.TABLE_HEAD_FILL)
            for w, lines in zip(widths, content, strict=True):
                self.pdf.rect(x, y, w, height, style="DF" if head else "D")
                cy = y + CELL_PAD_Y
                for line in lines:
                    line.draw(x + CELL_PAD_X, cy)
                    cy += line.height
                x += w

        return Item(height, draw, refs)

    # -- footnotes
    def _note_lines(self, number: str, width: float) -> list[Item]:
        key = (number, width)
        if key not in self._note_cache:
            spans = self.document.notes.get(number, (src.Span("(note manquante)"),))
            words: list[Word] = [(Run(number, "SUP"),), *words_of(spans)]
            self._note_cache[key] = self.setter.items(words, width, NOTE)
        return self._note_cache[key]


def render(document: src.Document) -> bytes:
    """Render a document with fpdf2 (two passes for the sommaire); return the PDF bytes."""
    first = Renderer(document, None)
    first.run()
    second = Renderer(document, first.heading_pages)
    pdf = second.run()
    if second.heading_pages != first.heading_pages:
        pdf = Renderer(document, second.heading_pages).run()
    return pdf
