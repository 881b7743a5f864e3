"""fpdf2 producer: text_columns regions between full-width headings, tables and boxes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import fpdf.line_break as line_break
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from fpdf.text_region import TextColumns

from .. import ir
from . import common

MM_X, GUTTER = 20.0, 7.0


def rgb(hexa: str) -> tuple[int, int, int]:
    """'#1f4e79' -> (31, 78, 121)."""
    return int(hexa[1:3], 16), int(hexa[3:5], 16), int(hexa[5:7], 16)


class Columns(TextColumns):
    """fpdf2's TextColumns, leaving y under the LONGEST column of the page the text ends on.

    fpdf2 (2.8) returns early when the text runs out before the last column, leaving y under
    the column it ended in: on a page where column 1 was filled to the foot and the text ended
    high in column 2 (three columns), the next heading, box or region was drawn over column 1.
    """

    def _render_column_lines(self, text_lines, top: float, bottom: float) -> float:
        height = super()._render_column_lines(text_lines, top, bottom)
        if getattr(self, "_low_page", None) != self.pdf.page:
            self._low_page, self._low = self.pdf.page, self.pdf.y
        self._low = max(self._low, self.pdf.y)
        return height

    def render(self) -> None:
        super().render()
        if getattr(self, "_low_page", None) == self.pdf.page:
            self.pdf.y = max(self.pdf.y, self._low)


class Pdf(FPDF):
    """FPDF with the document's running heads."""

    def __init__(self, doc: ir.Document, total: int) -> None:
        super().__init__(format="A4", unit="mm")
        self.doc, self.total = doc, total
        self.set_margins(MM_X, 24, MM_X)
        self.set_auto_page_break(True, 22)
        for face, sty in enumerate(("", "B", "I", "BI")):
            self.add_font("F", sty, common.font_file(doc.style.font, face))
        self.set_creator("fpdf2")
        self.set_title(doc.meta.title)
        self.set_creation_date(datetime(2025, 1, 1, tzinfo=UTC))

    def running(self, where: str, y: float) -> None:
        """Draw the running string of this page, if any."""
        text = ir.running_text(self.doc, where, self.page_no(), self.total)
        if not text:
            return
        st = self.doc.style
        x0, y0 = self.get_x(), self.get_y()
        self.set_font("F", "", 7.5)
        self.set_text_color(90, 90, 90)
        self.set_xy(MM_X, y)
        even = st.header_pages == "odd_even" and self.page_no() % 2 == 0
        align = "L" if even else "R" if where == "footer" and len(text) < 12 else "C"
        self.cell(self.epw, 4, text, align=align)
        if where == "header" and st.logo:
            self.set_fill_color(*rgb(st.accent))
            self.rect(self.w - MM_X - 8, y, 8, 3.5, style="F")
        self.set_text_color(0, 0, 0)
        self.set_xy(x0, y0)

    def header(self) -> None:
        self.running("header", 11)
        margin = ir.running_text(self.doc, "margin", self.page_no(), self.total)
        if margin:  # turned 90°, reading upwards, in the left margin
            self.set_font("F", "", 7.5)
            self.set_text_color(90, 90, 90)
            x, y = MM_X * 0.55, self.h / 2 + self.get_string_width(margin) / 2
            with self.rotation(90, x, y):
                self.text(x, y, margin)
            self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.running("footer", self.h - 13)


class Writer:
    """Writes the blocks of one document into a Pdf."""

    def __init__(self, doc: ir.Document, pdf: Pdf) -> None:
        self.doc, self.st, self.pdf = doc, doc.style, pdf
        self.size = doc.style.base_size
        self.notes: list[str] = []
        self.region: list[ir.Block] = []  # in-column blocks waiting for their region
        self.balance = doc.style.balanced

    def t(self, text: str) -> str:
        """Text with soft hyphens and ligatures per the house style."""
        if self.st.hyphenate:
            text = common.soft_hyphens(text)
        return common.ligate(text) if self.st.ligatures else text

    # -- column regions
    def flush(self) -> None:
        """Render the waiting in-column blocks as one text_columns region."""
        if not self.region:
            return
        pdf, st = self.pdf, self.st
        tc = Columns(pdf, ncols=st.columns, gutter=GUTTER, balance=self.balance,
                     text_align="J" if st.justify else "L", line_height=1.25,
                     print_sh=False, wrapmode=WrapMode.WORD, skip_leading_spaces=False)
        for b in self.region:
            self.in_column(tc, b)
        tc.render()
        self.region = []
        pdf.ln(2)

    def write_runs(self, p, runs: list[tuple[str, str, bool]]) -> None:
        """Write (text, style, superscript) runs into a paragraph."""
        for text, style, sup in runs:
            self.pdf.set_font("F", style, self.size * (0.75 if sup else 1))
            self.pdf.char_vpos = "SUP" if sup else "LINE"
            p.write(text if sup else self.t(text))
        self.pdf.char_vpos = "LINE"
        self.pdf.set_font("F", "", self.size)

    def in_column(self, tc, b: ir.Block) -> None:
        """One block inside a text_columns region."""
        st = self.st
        if isinstance(b, ir.Heading):
            with tc.paragraph(top_margin=2, bottom_margin=1, text_align="L") as p:
                self.pdf.set_text_color(*rgb(st.accent))
                self.write_runs(p, [(b.printed, "B", False)])
                self.pdf.set_text_color(0, 0, 0)
            return
        if isinstance(b, ir.Paragraph):
            runs = []
            for chunk, note in common.pieces(b, len(self.notes) + 1):
                runs.append((chunk, "", False))
                if note is not None:
                    runs.append((str(note), "", True))
            self.notes.extend(b.notes)
            with tc.paragraph(bottom_margin=2) as p:
                self.write_runs(p, runs)
            return
        if isinstance(b, ir.Recommendation):
            if b.style == "heading_numbered":
                self.in_column(tc, ir.Heading(b.label or "", 3, "", span=False))
                self.in_column(tc, ir.Paragraph(b.text))
                return
            rest = b.text[len(b.emphasis):]
            if b.style == "list_numbered":
                with tc.paragraph(bottom_margin=2, indent=8, bullet_string=b.label or "") as p:
                    self.write_runs(p, [(b.text, "", False)])
                return
            with tc.paragraph(bottom_margin=2) as p:
                self.write_runs(p, [(b.emphasis, "B", False), (rest, "", False)])
            return
        if isinstance(b, ir.Measure):
            self.in_column(tc, ir.Heading(b.heading, 2, "", span=False))
            self.in_column(tc, ir.Paragraph(b.text))
            if b.budget_line:
                with tc.paragraph(bottom_margin=2) as p:
                    self.write_runs(p, [(b.budget_line, "B", False)])
            return
        if isinstance(b, ir.BulletList):
            if b.title:
                self.in_column(tc, ir.Heading(b.title, 3, "", span=False))
            for i, x in enumerate(b.items, 1):
                mark = f"{i}." if b.ordered else st.bullet
                with tc.paragraph(bottom_margin=1, indent=6, bullet_string=mark) as p:
                    self.write_runs(p, [(x, "", False)])
            return
        raise TypeError(f"fpdf2: {type(b).__name__} is not an in-column block")

    # -- full-width blocks
    def box(self, title: str | None, lines: list[tuple[str, str]], fill: str,
            bar: bool = True) -> None:
        """A shaded full-width box: title then (text, style) lines."""
        pdf = self.pdf
        pdf.set_fill_color(*rgb(fill))
        pdf.ln(1)
        y0, p0 = pdf.get_y(), pdf.page
        if title:
            pdf.set_font("F", "B", self.size)
            pdf.set_text_color(*rgb(self.st.accent))
            pdf.multi_cell(pdf.epw, self.size * 0.5, title, fill=True, padding=(2, 3, 1, 4),
                           align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        for text, style in lines:
            pdf.set_font("F", style, self.size * (0.9 if style == "I" else 1))
            pdf.multi_cell(pdf.epw, self.size * 0.5, self.t(text), fill=True, new_x="LMARGIN",
                           new_y="NEXT", align="J" if self.st.justify else "L",
                           padding=(1, 3, 2, 4))
        if bar and pdf.page == p0:
            pdf.set_fill_color(*rgb(self.st.accent))
            pdf.rect(MM_X, y0, 1.2, pdf.get_y() - y0, style="F")
        pdf.ln(2)

    def heading(self, h: ir.Heading) -> None:
        """A full-width heading."""
        pdf = self.pdf
        chapter = h.chapter and self.st.chapter_pages and pdf.get_y() > pdf.t_margin + 5
        if pdf.get_y() > pdf.h - 50 or chapter:
            pdf.add_page()
        size = {1: 1.45, 2: 1.2}.get(h.level, 1.05) * self.size
        pdf.set_font("F", "B", size)
        pdf.set_text_color(*rgb(self.st.accent))
        pdf.ln(2)
        pdf.multi_cell(pdf.epw, size * 0.5, h.printed, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)

    def table(self, t: ir.Table) -> None:
        """A table (landscape page when asked), merged header, « dont » rows in italics."""
        pdf = self.pdf
        if t.landscape:
            pdf.add_page(orientation="L")
        if t.caption:
            pdf.set_font("F", "B", self.size)
            pdf.multi_cell(pdf.epw, 5, t.caption, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("F", "", self.size * 0.88)
        heads = 2 if t.group_header else 1
        cols = len(t.header)
        widths = [3] + [1] * (cols - 1) if cols == 2 else [2] + [1] * (cols - 1)
        head_style = FontFace(emphasis="BOLD", fill_color=rgb(self.st.box_fill))
        pdf.set_fill_color(255, 255, 255)
        with pdf.table(col_widths=widths, num_heading_rows=heads, repeat_headings=1,
                       headings_style=head_style, line_height=self.size * 0.5,
                       text_align="LEFT", cell_fill_mode="NONE") as tab:
            if t.group_header:
                row = tab.row()
                for text, span in t.group_header:
                    row.cell(text, colspan=span)
            row = tab.row()
            for h in t.header:
                row.cell(h)
            for i, r in enumerate(t.rows):
                row = tab.row()
                bold = t.total_row and i == len(t.rows) - 1
                face = FontFace(emphasis="ITALICS" if i in t.sub_rows else "BOLD" if bold else None)
                for c in r:
                    row.cell(c, style=face)
        pdf.ln(3)
        if t.landscape:
            pdf.add_page(orientation="P")

    def cover(self, c: ir.Cover) -> None:
        """The cover page: band, label, title (letter-spaced or small caps), body, lines."""
        pdf, st = self.pdf, self.st
        pdf.set_fill_color(*rgb(st.accent))
        pdf.rect(0, 40, pdf.w, 10, style="F")
        pdf.set_y(65)
        if c.label:
            pdf.set_font("F", "B", 20)
            pdf.set_char_spacing(5 if st.title_letterspaced else 0)
            pdf.cell(pdf.epw, 12, c.label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_char_spacing(0)
            pdf.ln(6)
        pdf.set_font("F", "B", 22)
        if st.title_smallcaps:
            for ch in c.title:
                pdf.set_font("F", "B", 16.5 if ch.islower() else 22)
                pdf.write(11, ch.upper())
            pdf.ln(14)
        else:
            pdf.set_char_spacing(2 if st.title_letterspaced else 0)
            pdf.multi_cell(pdf.epw * (0.85 if st.title_letterspaced else 1), 11, c.title,
                           align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_char_spacing(0)
        pdf.ln(8)
        pdf.set_font("F", "", 13)
        pdf.multi_cell(pdf.epw, 7, c.body, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.h - 70)
        for line in [*c.lines, c.date_line]:
            pdf.set_font("F", "B" if line == c.date_line else "", 10)
            pdf.multi_cell(pdf.epw, 5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()

    def toc(self, toc: ir.Toc) -> None:
        """The sommaire, dot leaders or not."""
        pdf = self.pdf
        self.heading(ir.Heading(toc.title, 1))
        pdf.set_font("F", "", 10)
        for e in toc.entries:
            page = str(e.page or "")
            room = pdf.epw - pdf.get_string_width(e.text) - pdf.get_string_width(page) - 4
            dots = ". " * int(room / pdf.get_string_width(". ")) if toc.leaders else ""
            pdf.cell(pdf.epw - pdf.get_string_width(page) - 2, 7, f"{e.text} {dots}".rstrip())
            pdf.cell(0, 7, page, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()

    def block(self, b: ir.Block) -> None:
        """Full-width blocks now; in-column blocks wait for their region."""
        st = self.st
        full = (ir.Cover, ir.Toc, ir.Table, ir.Sidebar, ir.PullQuote, ir.VoteTable, ir.PageBreak)
        boxed = ((isinstance(b, ir.Recommendation) and b.style == "box_numbered")
                 or (isinstance(b, ir.BulletList) and b.boxed)
                 or (isinstance(b, ir.Heading) and b.span))
        if not isinstance(b, full) and not boxed:
            self.region.append(b)
            return
        self.flush()
        if isinstance(b, ir.Cover):
            self.cover(b)
        elif isinstance(b, ir.Toc):
            self.toc(b)
        elif isinstance(b, ir.Heading):
            self.heading(b)
        elif isinstance(b, ir.Recommendation):
            self.box(b.label, [(b.text, "")], st.box_fill)
        elif isinstance(b, ir.BulletList):
            marks = [f"{i}. " if b.ordered else f"{st.bullet} " for i in range(1, len(b.items) + 1)]
            lines = [(m + x, "") for m, x in zip(marks, b.items, strict=True)]
            self.box(b.title, lines, st.box_fill, False)
        elif isinstance(b, ir.Sidebar):
            self.box(b.title, [(x, "I") for x in b.items], st.box_fill, False)
        elif isinstance(b, ir.PullQuote):
            self.box(None, [(b.text, "I")], "#ffffff")
        elif isinstance(b, ir.Table):
            self.table(b)
        elif isinstance(b, ir.VoteTable):
            self.table(ir.Table(["Vote", "Voix"], [[k, str(v)] for k, v in b.rows]))

    def endnotes(self) -> None:
        """« Notes » at the end when the house style uses endnotes."""
        self.flush()
        if self.st.footnotes != "end" or not self.notes:
            return
        self.heading(ir.Heading(ir.CLOSING_NOTES, 2))
        self.pdf.set_font("F", "", self.size * 0.8)
        for i, t in enumerate(self.notes, 1):
            label = ir.note_label(self.st, i)
            self.pdf.multi_cell(self.pdf.epw, self.size * 0.42, f"{label} {t}", align="L",
                                new_x="LMARGIN", new_y="NEXT")


def build(doc: ir.Document, total: int) -> tuple[bytes, int]:
    """One rendering pass; returns the PDF bytes and its page count."""
    pdf = Pdf(doc, total)
    pdf.add_page()
    w = Writer(doc, pdf)
    for b in doc.blocks:
        w.block(b)
    w.endnotes()
    return bytes(pdf.output()), pdf.page_no()


def render(doc: ir.Document, out: Path) -> None:
    """Two passes (page count for « n/N »), with the house line-end hyphen glyph."""
    saved = line_break.HYPHEN
    line_break.HYPHEN = doc.style.hyphen_char
    try:
        _, total = build(doc, 0)
        data, total2 = build(doc, total)
        if total2 != total:
            data, _ = build(doc, total2)
    finally:
        line_break.HYPHEN = saved
    out.write_bytes(data)
