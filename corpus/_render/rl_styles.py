"""reportlab fonts, paragraph styles and inline markup."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from . import source as src
from . import style as S

FAMILY = "DejaVuSans"


def colour(rgb: tuple[int, int, int]) -> Color:
    return Color(*S.rgb01(rgb))


def register_fonts() -> None:
    """Register the DejaVu faces and the family used by <b> and <i> markup."""
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    for name in S.FONT_FILES:
        pdfmetrics.registerFont(TTFont(name, str(S.font_path(name))))
    pdfmetrics.registerFontFamily(
        FAMILY,
        normal=S.face(False, False),
        bold=S.face(True, False),
        italic=S.face(False, True),
        boldItalic=S.face(True, True),
    )


def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=FAMILY,
        fontSize=S.BODY_SIZE,
        leading=S.BODY_LEADING,
        alignment=TA_JUSTIFY,
        spaceAfter=5,
        textColor=colour(S.INK),
        hyphenationLang="fr_FR",
        embeddedHyphenation=1,
        allowWidows=0,
    )
    ink = colour(S.HEADING_INK)
    heads = {
        f"h{level}": ParagraphStyle(
            f"h{level}",
            fontName=S.face(True, False),
            fontSize=size,
            leading=size * 1.25,
            spaceBefore={1: 14, 2: 10, 3: 7}[level],
            spaceAfter={1: 7, 2: 5, 3: 4}[level],
            textColor=ink,
            keepWithNext=1,
            alignment=TA_LEFT,
        )
        for level, size in S.HEADING_SIZES.items()
    }
    return {
        "body": body,
        "bullet": ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=13,
            bulletIndent=3,
            spaceAfter=2.5,
            bulletFontName=FAMILY,
        ),
        "note": ParagraphStyle(
            "note",
            parent=body,
            fontSize=S.NOTE_SIZE,
            leading=S.NOTE_LEADING,
            spaceAfter=0,
            leftIndent=8,
            firstLineIndent=-8,
            hyphenationLang="",
            alignment=TA_LEFT,
        ),
        "box_title": ParagraphStyle(
            "box_title",
            parent=body,
            fontName=S.face(True, False),
            fontSize=10.5,
            leading=13,
            alignment=TA_LEFT,
        ),
        "toc_title": ParagraphStyle(
            "toc_title",
            parent=heads["h1"],
            fontSize=17,
            leading=21,
            spaceAfter=14,
            keepWithNext=0,
        ),
        "toc0": ParagraphStyle(
            "toc0",
            fontName=S.face(True, False),
            fontSize=10,
            leading=13,
            spaceBefore=5,
            leftIndent=16,
            firstLineIndent=-16,
        ),
        "toc1": ParagraphStyle(
            "toc1", fontName=FAMILY, fontSize=9.5, leading=12.5, leftIndent=32, firstLineIndent=-16
        ),
        "cover_body": ParagraphStyle(
            "cover_body",
            fontName=S.face(True, False),
            fontSize=15,
            leading=19,
            textColor=ink,
            spaceAfter=40,
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            fontName=S.face(True, False),
            fontSize=26,
            leading=32,
            spaceAfter=16,
            textColor=colour(S.INK),
        ),
        "cover_sub": ParagraphStyle(
            "cover_sub", fontName=FAMILY, fontSize=15, leading=19, spaceAfter=60, textColor=ink
        ),
        "cover_line": ParagraphStyle(
            "cover_line", fontName=FAMILY, fontSize=11.5, leading=15, spaceAfter=6
        ),
        **heads,
    }


_ALIGN = {"L": TA_LEFT, "R": TA_RIGHT, "C": TA_CENTER}


def cell_style(size: float, align: str, bold: bool = False) -> ParagraphStyle:
    """Return the style of a table cell (hyphenated so that long words break cleanly)."""
    return ParagraphStyle(
        f"cell-{size}-{align}-{bold}",
        fontName=S.face(bold, False),
        fontSize=size,
        leading=size * 1.25,
        alignment=_ALIGN[align],
        hyphenationLang="fr_FR",
        textColor=colour(S.INK),
    )


def markup(spans: src.Inline) -> str:
    """Turn spans into reportlab paragraph markup; references become <super> numbers."""
    out = []
    for s in spans:
        text = escape(s.text)
        if s.ref is not None:
            out.append(f"<super>{text}</super>")
            continue
        if s.italic:
            text = f"<i>{text}</i>"
        if s.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)
