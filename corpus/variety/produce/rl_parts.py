"""reportlab pieces: fonts and paragraph styles, the cover, sommaire lines, shaded boxes."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor, black
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Table, TableStyle

from .. import ir
from . import common


def fonts(family: str) -> tuple[str, str, str]:
    """Register the family; return (regular, bold, italic) names."""
    names = tuple(f"V{family}{k}" for k in ("", "-B", "-I", "-BI"))
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        for face, name in enumerate(names):
            pdfmetrics.registerFont(TTFont(name, common.font_file(family, face)))
        pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2],
                                      boldItalic=names[3])
    return names[0], names[1], names[2]


class Styles:
    """Paragraph styles of one document."""

    def __init__(self, st: ir.Style) -> None:
        self.reg, self.bold, self.ital = fonts(st.font)
        size, acc = st.base_size, HexColor(st.accent)
        self.body = ParagraphStyle("b", fontName=self.reg, fontSize=size, leading=size * 1.3,
                                   alignment=TA_JUSTIFY if st.justify else TA_LEFT, spaceAfter=5,
                                   hyphenationLang="fr_FR" if st.hyphenate else "",
                                   embeddedHyphenation=1, uriWasteReduce=0.3)
        self.h = {lv: ParagraphStyle(f"h{lv}", fontName=self.bold, fontSize=size * f,
                                     leading=size * f * 1.25, textColor=acc, spaceBefore=10 / lv,
                                     spaceAfter=5, keepWithNext=1)
                  for lv, f in ((1, 1.45), (2, 1.2), (3, 1.05))}
        self.small = ParagraphStyle("s", parent=self.body, fontSize=size * 0.78,
                                    leading=size * 0.95, alignment=TA_LEFT, spaceAfter=1)
        self.cell = ParagraphStyle("c", parent=self.small, fontSize=size * 0.88,
                                   leading=size * 1.1)
        self.label = ParagraphStyle("l", parent=self.body, fontName=self.bold, textColor=acc)
        self.quote = ParagraphStyle("q", parent=self.body, fontName=self.ital,
                                    fontSize=size * 1.25, leading=size * 1.6, textColor=acc,
                                    alignment=TA_LEFT)
        self.item = ParagraphStyle("i", parent=self.body, leftIndent=16, bulletIndent=2)


def markup(text: str, st: ir.Style) -> str:
    """Escaped text, ligatures substituted when the house style wants glyphs."""
    text = escape(text)
    return common.ligate(text) if st.ligatures else text


class Cover(Flowable):
    """The cover page drawn on the canvas (letter-spaced or small-caps title)."""

    def __init__(self, c: ir.Cover, st: ir.Style, sty: Styles) -> None:
        super().__init__()
        self.c, self.st, self.sty = c, st, sty

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.aw = aw
        return aw, ah - 2

    def draw(self) -> None:
        cv, c, st, sty = self.canv, self.c, self.st, self.sty
        cv.setFillColor(HexColor(st.accent))
        cv.rect(0, 22 * cm, self.aw, 0.5 * cm, stroke=0, fill=1)
        y = 20 * cm
        if c.label:
            space = 6 if st.title_letterspaced else 0.5
            cv.setFont(sty.bold, 20)
            cv.drawString(0, y, c.label, charSpace=space)
            y -= 1.6 * cm
        cv.setFillColor(black)
        size = 22
        space = 2.5 if st.title_letterspaced else 0
        lines = simpleSplit(c.title, sty.bold, size, self.aw * (0.8 if space else 0.95))
        for line in lines:
            if st.title_smallcaps:
                self.small_caps(line, 0, y, size)
            else:
                cv.setFont(sty.bold, size)
                cv.drawString(0, y, line, charSpace=space)
            y -= size * 1.3
        cv.setFont(sty.reg, 13)
        cv.drawString(0, y - 1 * cm, c.body)
        y = 4 * cm
        for line in [*c.lines, c.date_line]:
            cv.setFont(sty.bold if line == c.date_line else sty.reg, 10)
            cv.drawString(0, y, line)
            y -= 14

    def small_caps(self, line: str, x: float, y: float, size: float) -> None:
        """Draw lowercase letters as smaller capitals."""
        t = self.canv.beginText(x, y)
        for ch in line:
            small = ch.islower()
            t.setFont(self.sty.bold, size * (0.75 if small else 1))
            t.textOut(ch.upper() if small else ch)
        self.canv.drawText(t)


class TocLine(Flowable):
    """A sommaire line: text, dot leaders or blank, page number. A text too long for the width
    left of the page number wraps, the number on its last line (it was drawn over the text in
    a narrow column)."""

    LEAD, GAP = 12, 6  # line pitch of a wrapped entry; room kept before the page number

    def __init__(self, e: ir.TocEntry, leaders: bool, sty: Styles) -> None:
        super().__init__()
        self.e, self.leaders, self.sty = e, leaders, sty

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.aw = aw
        room = aw - stringWidth(str(self.e.page or ""), self.sty.reg, 10) - self.GAP
        text = self.e.text
        self.lines = [text] if stringWidth(text, self.sty.reg, 10) <= room else simpleSplit(
            text, self.sty.reg, 10, room)
        return aw, 16 + self.LEAD * (len(self.lines) - 1)

    def draw(self) -> None:
        cv, f, s = self.canv, self.sty.reg, 10
        cv.setFont(f, s)
        for k, line in enumerate(self.lines):
            cv.drawString(0, 4 + self.LEAD * (len(self.lines) - 1 - k), line)
        last = self.lines[-1]
        page = str(self.e.page or "")
        cv.drawRightString(self.aw, 4, page)
        if self.leaders:
            x0 = stringWidth(last, f, s) + 6
            x1 = self.aw - stringWidth(page, f, s) - 6
            dots = int((x1 - x0) / stringWidth(". ", f, s))
            cv.drawRightString(x1, 4, ". " * max(dots, 0))


def boxed(flows: list[Flowable], fill: str, line: str | None, width: float) -> Table:
    """Flowables in a shaded one-cell table (a box)."""
    t = Table([[flows]], colWidths=[width])
    cmds = [("BACKGROUND", (0, 0), (-1, -1), HexColor(fill)), ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("RIGHTPADDING", (0, 0), (-1, -1), 7), ("TOPPADDING", (0, 0), (-1, -1), 5)]
    if line:
        cmds.append(("LINEBEFORE", (0, 0), (0, -1), 3, HexColor(line)))
    t.setStyle(TableStyle(cmds))
    return t
