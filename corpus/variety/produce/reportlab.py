"""reportlab producer: platypus frames (1-3 columns), notes at the foot, canvas running heads."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.frames import Frame

from ..._render.rl_flowables import NotedFlowable, NoteFrame
from .. import ir
from . import common
from .rl_parts import Cover, Styles, TocLine, boxed, markup

rl_config.invariant = 1
W, H = A4
MX, MTOP, MBOT, GAP = 2.0 * cm, 2.4 * cm, 2.2 * cm, 0.7 * cm


class Builder:
    """Turns blocks into flowables for one document."""

    def __init__(self, doc: ir.Document, frame_w: float) -> None:
        self.doc, self.st, self.fw = doc, doc.style, frame_w
        self.sty = Styles(doc.style)
        self.notes: list[str] = []
        self.tpl: BaseDocTemplate | None = None

    def para(self, p: ir.Paragraph) -> Flowable:
        """A paragraph; footnote calls as superscripts (foot or end notes)."""
        out, first = "", len(self.notes) + 1
        for chunk, note in common.pieces(p, first):
            out += markup(chunk, self.st)
            if note is not None:
                out += f"<super>{note}</super>"
        self.notes.extend(p.notes)
        para = Paragraph(out, self.sty.body)
        if p.notes and self.st.footnotes == "foot":
            builders = {str(first + k): (lambda t=t, n=first + k: Paragraph(
                f"<super>{n}</super> {markup(t, self.st)}", self.sty.small))
                for k, t in enumerate(p.notes)}
            return NotedFlowable(para, builders, self.tpl)
        return para

    def table(self, t: ir.Table, width: float) -> list[Flowable]:
        """A table with merged header, « dont » rows and repeated header rows."""
        cell = self.sty.cell
        data, head = [], 0
        if t.group_header:
            row: list[object] = []
            for text, span in t.group_header:
                row += [Paragraph(f"<b>{escape(text)}</b>", cell)] + [""] * (span - 1)
            data.append(row)
            head += 1
        data.append([Paragraph(f"<b>{escape(h)}</b>", cell) for h in t.header])
        head += 1
        for r in t.rows:
            data.append([Paragraph(markup(c, self.st), cell) for c in r])
        cols = len(t.header)
        first = width * (0.62 if cols == 2 else 0.4)
        widths = [first] + [(width - first) / (cols - 1)] * (cols - 1)
        tab = Table(data, colWidths=widths, repeatRows=head)
        cmds = [("GRID", (0, 0), (-1, -1), 0.4, HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, head - 1), HexColor(self.st.box_fill)),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if t.group_header:
            x = 0
            for _, span in t.group_header:
                cmds.append(("SPAN", (x, 0), (x + span - 1, 0)))
                x += span
        for i in t.sub_rows:
            cmds.append(("LEFTPADDING", (0, head + i), (0, head + i), 18))
        tab.setStyle(TableStyle(cmds))
        cap = [Paragraph(f"<b>{escape(t.caption)}</b>", self.sty.body)] if t.caption else []
        return [*cap, tab, Spacer(1, 6)]

    def block(self, b: ir.Block) -> list[Flowable]:
        """Flowables of one block."""
        st, sty, w = self.st, self.sty, self.fw
        if isinstance(b, ir.Cover):
            return [Cover(b, st, sty), NextPageTemplate("body")]
        if isinstance(b, ir.Toc):
            return [Paragraph(escape(b.title), sty.h[1])] + [
                TocLine(e, b.leaders, sty) for e in b.entries] + [PageBreak()]
        if isinstance(b, ir.Heading):
            return [CondPageBreak(3 * cm), Paragraph(markup(b.printed, st), sty.h[min(b.level, 3)])]
        if isinstance(b, ir.Paragraph):
            return [self.para(b)]
        if isinstance(b, ir.Recommendation):
            body = markup(b.text, st)
            if b.emphasis:
                body = f"<b>{markup(b.emphasis, st)}</b>{markup(b.text[len(b.emphasis):], st)}"
            if b.style == "heading_numbered":
                return [Paragraph(escape(b.label or ""), sty.h[3]), Paragraph(body, sty.body)]
            if b.style == "box_numbered":
                inner = [Paragraph(escape(b.label or ""), sty.label), Paragraph(body, sty.body)]
                return [boxed(inner, st.box_fill, st.accent, w), Spacer(1, 6)]
            if b.style == "list_numbered":
                return [Paragraph(body, ParagraphStyle("li", parent=sty.body, leftIndent=22),
                                  bulletText=b.label, )]
            return [Paragraph(body, sty.body)]
        if isinstance(b, ir.Measure):
            out = [Paragraph(markup(b.heading, st), sty.h[2]),
                   Paragraph(markup(b.text, st), sty.body)]
            if b.budget_line:
                out.append(Paragraph(f"<b>{escape(b.budget_line)}</b>", sty.body))
            return out
        if isinstance(b, ir.BulletList):
            items = [Paragraph(markup(x, st), sty.item,
                               bulletText=f"{i}." if b.ordered else st.bullet)
                     for i, x in enumerate(b.items, 1)]
            title = [Paragraph(escape(b.title), sty.h[3])] if b.title else []
            group = title + items
            return [boxed(group, st.box_fill, None, w) if b.boxed else KeepTogether(group),
                    Spacer(1, 6)]
        if isinstance(b, ir.Table):
            if b.landscape:
                lw = landscape(A4)[0] - 2 * MX
                return [NextPageTemplate("wide"), PageBreak(), *self.table(b, lw),
                        NextPageTemplate("body"), PageBreak()]
            return self.table(b, w)
        if isinstance(b, ir.Sidebar):
            inner = [Paragraph(f"<b>{escape(b.title)}</b>", sty.body)] + [
                Paragraph(markup(x, st), sty.small) for x in b.items]
            return [boxed(inner, st.box_fill, None, w), Spacer(1, 6)]
        if isinstance(b, ir.PullQuote):
            t = Table([[Paragraph(markup(b.text, st), sty.quote)]], colWidths=[w])
            t.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1, HexColor(st.accent)),
                                   ("LINEBELOW", (0, 0), (-1, -1), 1, HexColor(st.accent))]))
            return [t, Spacer(1, 6)]
        if isinstance(b, ir.VoteTable):
            t = Table([[k, str(v)] for k, v in b.rows], colWidths=[4 * cm, 2 * cm])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, HexColor("#888888")),
                                   ("FONT", (0, 0), (-1, -1), sty.reg, st.base_size)]))
            return [t, Spacer(1, 8)]
        if isinstance(b, ir.PageBreak):
            return []
        raise TypeError(f"reportlab: no rendering for {type(b).__name__}")

    def endnotes(self) -> list[Flowable]:
        """« Notes » at the end when the house style uses endnotes."""
        if self.st.footnotes != "end" or not self.notes:
            return []
        return [Paragraph(ir.CLOSING_NOTES, self.sty.h[2])] + [
            Paragraph(f"<super>{i}</super> {markup(t, self.st)}", self.sty.small)
            for i, t in enumerate(self.notes, 1)]


def running(doc: ir.Document, total: int, sty: Styles):
    """onPage callback drawing headers/footers (odd/even alignment, logo)."""

    def draw(cv, tpl_doc) -> None:
        n = cv.getPageNumber()
        pw, ph = cv._pagesize
        cv.saveState()
        cv.setFont(sty.reg, 7.5)
        cv.setFillColor(HexColor("#555555"))
        for where, y in (("header", ph - 1.4 * cm), ("footer", 1.2 * cm)):
            text = ir.running_text(doc, where, n, total)
            if not text:
                continue
            if doc.style.header_pages == "odd_even" and n % 2 == 0:
                cv.drawString(MX, y, text)
            elif where == "footer" and len(text) < 12:
                cv.drawRightString(pw - MX, y, text)
            else:
                cv.drawCentredString(pw / 2, y, text)
            if where == "header" and doc.style.logo:
                cv.setFillColor(HexColor(doc.style.accent))
                cv.rect(MX, y - 2, 0.8 * cm, 0.35 * cm, stroke=0, fill=1)
                cv.setFillColor(HexColor("#555555"))
        margin = ir.running_text(doc, "margin", n, total)
        if margin:  # turned 90°, reading upwards, in the left margin
            cv.translate(MX * 0.5, ph / 2)
            cv.rotate(90)
            cv.drawCentredString(0, 0, margin)
        cv.restoreState()

    return draw


def draw_notes(cv, tpl_doc) -> None:
    """onPageEnd: print the footnotes reserved in each column frame."""
    for f in tpl_doc.pageTemplate.frames:
        if isinstance(f, NoteFrame):
            f.draw_notes(cv)


def build(doc: ir.Document, total: int) -> tuple[bytes, int]:
    """One rendering pass; returns the PDF bytes and its page count."""
    n = doc.style.columns
    fw = (W - 2 * MX - (n - 1) * GAP) / n
    b = Builder(doc, fw)
    buf = io.BytesIO()
    tpl = BaseDocTemplate(buf, pagesize=A4, title=doc.meta.title, author=doc.meta.body,
                          creator="reportlab")
    b.tpl = tpl
    on_page = running(doc, total, b.sty)
    cols = [NoteFrame(MX + i * (fw + GAP), MBOT, fw, H - MTOP - MBOT, id=f"c{i}",
                      leftPadding=0, rightPadding=0) for i in range(n)]
    top = 2.6 * cm  # chapter pages: a full-width frame for the heading above the columns
    chapter = [Frame(MX, H - MTOP - top, W - 2 * MX, top, id="head"), *[
        NoteFrame(f.x1, MBOT, fw, H - MTOP - MBOT - top, id=f"k{i}", leftPadding=0,
                  rightPadding=0) for i, f in enumerate(cols)]]
    lw, lh = landscape(A4)
    tpl.addPageTemplates([
        PageTemplate("cover", [Frame(MX, MBOT, W - 2 * MX, H - MTOP - MBOT)], onPage=on_page),
        PageTemplate("body", cols, onPage=on_page, onPageEnd=draw_notes),
        PageTemplate("chapter", chapter, onPage=on_page, onPageEnd=draw_notes),
        PageTemplate("wide", [Frame(MX, MBOT, lw - 2 * MX, lh - MTOP - MBOT)], onPage=on_page,
                     pagesize=(lw, lh)),
    ])
    story: list[Flowable] = []
    for blk in doc.blocks:
        if doc.style.chapter_pages and isinstance(blk, ir.Heading) and blk.chapter:
            # a chapter opens a page whose top frame spans the columns
            story += [NextPageTemplate("chapter"), PageBreak(), *b.block(blk)[1:], FrameBreak(),
                      NextPageTemplate("body")]
            continue
        story.extend(b.block(blk))
    story.extend(b.endnotes())
    tpl.build(story)
    return buf.getvalue(), tpl.page


def render(doc: ir.Document, out: Path) -> None:
    """Two passes: the first counts pages for « page n sur N »."""
    _, total = build(doc, 0)
    data, total2 = build(doc, total)
    if total2 != total:
        data, _ = build(doc, total2)
    out.write_bytes(data)
