"""reportlab (platypus) engine: render a parsed source into PDF bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.tableofcontents import TableOfContents

from . import source as src
from . import style as S
from .rl_flowables import NotedFlowable, NoteFrame
from .rl_styles import FAMILY, cell_style, colour, markup, register_fonts, styles

CELL_PAD = 4.0

rl_config.invariant = 1  # fixed dates and document id: same source, same bytes


class HeadingPara(Paragraph):
    """A heading paragraph that reports itself to the sommaire; never split."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, plain: str) -> None:
        super().__init__(text, style)
        self.toc_level = level
        self.toc_text = plain

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []


class WholeTable(Table):
    """A table moved whole to the next column when it would fit there; else split by rows."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        _, h = self.wrap(availWidth, availHeight)
        if h <= S.BODY_H * self.keep_ratio:
            return []
        return super().split(availWidth, availHeight)

    keep_ratio = 0.9


class BoxTable(WholeTable):
    keep_ratio = 0.4


class Doc(BaseDocTemplate):
    """The page templates (cover, one and two columns) and the sommaire notifications."""

    def __init__(self, buf: io.BytesIO, meta: src.Meta) -> None:
        super().__init__(
            buf,
            pagesize=(S.PAGE_W, S.PAGE_H),
            title=meta.title,
            author=meta.body,
            subject=meta.subtitle or meta.kind,
            creator="ceser-explorer corpus/build.py (reportlab)",
            invariant=1,
            lang="fr-FR",
        )
        self.meta = meta
        self.addPageTemplates(
            [
                PageTemplate("cover", [self._frame("cover", S.MARGIN_X, S.BODY_W)], self._cover),
                self._body_template("one", 1),
                self._body_template("two", 2),
            ]
        )

    @staticmethod
    def _frame(fid: str, x: float, width: float) -> NoteFrame:
        return NoteFrame(
            x,
            S.MARGIN_BOTTOM,
            width,
            S.BODY_H,
            id=fid,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    def _body_template(self, tid: str, columns: int) -> PageTemplate:
        frames = [
            self._frame(f"{tid}{i}", x, w) for i, (x, w) in enumerate(S.column_frames(columns))
        ]
        return PageTemplate(tid, frames, onPage=self._running, onPageEnd=self._notes)

    def _cover(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(colour(S.COVER_BAND))
        canv.rect(0, S.PAGE_H - 2.2 * S.CM, S.PAGE_W, 2.2 * S.CM, stroke=0, fill=1)
        canv.rect(0, 0, S.PAGE_W, 1.0 * S.CM, stroke=0, fill=1)
        canv.restoreState()

    def _running(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFont(FAMILY, S.HEADER_SIZE)
        canv.setFillColor(colour(S.GREY))
        canv.setStrokeColor(colour(S.GREY))
        canv.setLineWidth(0.4)
        top = S.PAGE_H - S.HEADER_BASELINE
        canv.drawString(S.MARGIN_X, top, self.meta.running_header)
        canv.line(S.MARGIN_X, top - 4, S.PAGE_W - S.MARGIN_X, top - 4)
        canv.line(S.MARGIN_X, S.FOOTER_BASELINE + 10, S.PAGE_W - S.MARGIN_X, S.FOOTER_BASELINE + 10)
        canv.drawString(S.MARGIN_X, S.FOOTER_BASELINE, self.meta.running_footer)
        canv.drawRightString(S.PAGE_W - S.MARGIN_X, S.FOOTER_BASELINE, f"Page {doc.page}")
        canv.restoreState()

    def _notes(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        for frame in self.pageTemplate.frames:
            if isinstance(frame, NoteFrame):
                frame.draw_notes(canv)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, HeadingPara) and flowable.toc_level <= 2:
            self.notify("TOCEntry", (flowable.toc_level - 1, escape(flowable.toc_text), self.page))


class StoryBuilder:
    """Turn the blocks of a document into platypus flowables."""

    def __init__(self, doc: Doc, document: src.Document) -> None:
        self.doc = doc
        self.document = document
        self.st = styles()
        self.columns = document.meta.columns
        self.story: list[Flowable] = []

    @property
    def width(self) -> float:
        return S.column_frames(self.columns)[0][1]

    def build(self) -> list[Flowable]:
        self._cover()
        self._sommaire()
        for block in self.document.blocks:
            self._block(block)
        return self.story

    def _cover(self) -> None:
        meta = self.document.meta
        self.story += [Spacer(1, 2.5 * S.CM), Paragraph(escape(meta.body), self.st["cover_body"])]
        self.story.append(Paragraph(escape(meta.title), self.st["cover_title"]))
        if meta.subtitle:
            self.story.append(Paragraph(escape(meta.subtitle), self.st["cover_sub"]))
        else:
            self.story.append(Spacer(1, 40))
        self.story += [
            Paragraph(escape(src.typography(line)), self.st["cover_line"])
            for line in meta.cover_lines
        ]
        self.story += [NextPageTemplate("one"), PageBreak()]

    def _sommaire(self) -> None:
        toc = TableOfContents(
            levelStyles=[self.st["toc0"], self.st["toc1"]], dotsMinLevel=0, rightColumnWidth=36
        )
        self.story += [Paragraph("Sommaire", self.st["toc_title"]), toc]
        self.story += [NextPageTemplate("two" if self.columns == 2 else "one"), PageBreak()]

    def _block(self, block: src.Block) -> None:
        if isinstance(block, src.Columns):
            self._switch_columns(block.n)
        elif isinstance(block, src.PageBreak):
            if not isinstance(self.story[-1], PageBreak):
                self.story.append(PageBreak())
        elif isinstance(block, src.Heading):
            style = self.st[f"h{block.level}"]
            self.story.append(HeadingPara(markup(block.spans), style, block.level, block.text))
        elif isinstance(block, src.Para | src.Bullet):
            self.story.append(self._noted(self._para(block), self._refs([block])))
        elif isinstance(block, src.Box):
            self.story.append(self._noted(self._box(block), self._refs(list(block.blocks))))
        elif isinstance(block, src.Table):
            self.story.append(self._noted(self._table(block), self._table_refs(block)))

    def _switch_columns(self, n: int) -> None:
        self.columns = n
        template = NextPageTemplate("two" if n == 2 else "one")
        if isinstance(self.story[-1], PageBreak):
            # already at a page start: retarget the page that is about to begin
            if isinstance(self.story[-2], NextPageTemplate):
                self.story[-2] = template
            else:
                self.story.insert(-1, template)
        else:
            self.story += [template, PageBreak()]

    def _para(self, block: src.Para | src.Bullet) -> Paragraph:
        if isinstance(block, src.Bullet):
            return Paragraph(markup(block.spans), self.st["bullet"], bulletText="–")
        return Paragraph(markup(block.spans), self.st["body"])

    # -- footnotes
    def _refs(self, blocks: list[src.Para | src.Bullet]) -> list[str]:
        return [s.ref for b in blocks for s in b.spans if s.ref and s.ref in self.document.notes]

    def _table_refs(self, table: src.Table) -> list[str]:
        cells = [c for row in (table.header, *table.rows) for c in row]
        return [s.ref for c in cells for s in c if s.ref and s.ref in self.document.notes]

    def _note_factory(self, number: str) -> Callable[[], Paragraph]:
        text = f"<super>{escape(number)}</super>\u2002{markup(self.document.notes[number])}"
        return lambda: Paragraph(text, self.st["note"])

    def _noted(self, flowable: Flowable, refs: list[str]) -> Flowable:
        if not refs:
            return flowable
        notes = {r: self._note_factory(r) for r in dict.fromkeys(refs)}
        return NotedFlowable(flowable, notes, self.doc)

    # -- boxes and tables
    def _box(self, box: src.Box) -> Table:
        fill, line = (
            (S.PRECO_FILL, S.PRECO_LINE)
            if box.kind == "preconisation"
            else (S.ENCADRE_FILL, S.ENCADRE_LINE)
        )
        title = ParagraphStyle("bt", parent=self.st["box_title"], textColor=colour(line))
        rows: list[list[Flowable]] = [[Paragraph(escape(box.title), title)]]
        rows += [[self._para(b)] for b in box.blocks]
        last = len(rows) - 1
        table = BoxTable(rows, colWidths=[self.width], splitInRow=1, spaceBefore=6, spaceAfter=8)
        table.setStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colour(fill)),
                ("BOX", (0, 0), (-1, -1), 1.0, colour(line)),
                ("LINEBEFORE", (0, 0), (0, -1), 3.5, colour(line)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (0, 0), 7),
                ("BOTTOMPADDING", (0, 0), (0, 0), 4),
                ("BOTTOMPADDING", (0, last), (0, last), 6),
            ]
        )
        return table

    def _table(self, table: src.Table) -> Table:
        for size in S.TABLE_SIZES:  # the largest font in which the longest words fit
            natural, minimum = self._col_extents(table, size)
            if sum(minimum) <= self.width:
                break
        head = cell_style(size, "L", bold=True)
        data = [[Paragraph(markup(c), head) for c in table.header]]
        data += [
            [
                Paragraph(markup(c), cell_style(size, a))
                for c, a in zip(row, table.align, strict=True)
            ]
            for row in table.rows
        ]
        widths = S.table_widths(natural, minimum, self.width)
        out = WholeTable(data, colWidths=widths, repeatRows=1, spaceBefore=6, spaceAfter=9)
        out.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colour(S.INK)),
                ("BACKGROUND", (0, 0), (-1, 0), colour(S.TABLE_HEAD_FILL)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ]
        )
        return out

    @staticmethod
    def _col_extents(table: src.Table, size: float) -> tuple[list[float], list[float]]:
        """Return each column's natural (one-line) and minimum (longest word) width."""
        pad = 2 * CELL_PAD + 0.5
        natural = [0.0] * len(table.header)
        minimum = [0.0] * len(table.header)
        for r, row in enumerate((table.header, *table.rows)):
            for i, cell in enumerate(row):
                line, longest = _extent(cell, size, bold=r == 0)
                natural[i] = max(natural[i], line + pad)
                minimum[i] = max(minimum[i], longest + pad)
        return natural, minimum


def _extent(spans: src.Inline, size: float, bold: bool) -> tuple[float, float]:
    """Return the one-line width of spans and the width of their longest word."""
    total = word = longest = 0.0
    for span in spans:
        font = S.face(bold or span.bold, span.italic)
        span_size = size * 0.8 if span.ref else size
        for k, piece in enumerate(span.text.split(" ")):
            if k:  # a space ends the word
                longest, word = max(longest, word), 0.0
                total += pdfmetrics.stringWidth(" ", font, size)
            width = pdfmetrics.stringWidth(piece, font, span_size)
            word += width
            total += width
    return total, max(longest, word)


def render(document: src.Document) -> bytes:
    """Render a document with reportlab; return the PDF bytes."""
    register_fonts()
    buf = io.BytesIO()
    doc = Doc(buf, document.meta)
    story = StoryBuilder(doc, document).build()
    doc.multiBuild(story, maxPasses=12)
    return buf.getvalue()
