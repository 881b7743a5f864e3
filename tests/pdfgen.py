"""Tiny PDFs built from code for the extraction tests (reportlab canvas, exact positions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
W, H = A4


def _fonts() -> tuple[str, str]:
    if (DEJAVU / "DejaVuSans.ttf").exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU / "DejaVuSans-Bold.ttf")))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


@dataclass
class Column:
    """Lines of text written top-down from (x, y) in one column."""

    x: float
    lines: list[str | tuple[str, float, bool]] = field(default_factory=list)
    y: float = 90.0


def write_page(
    c: canvas.Canvas,
    columns: list[Column],
    header: str | None = None,
    footer: str | None = None,
    footnotes: list[tuple[float, str]] | None = None,
    boxes: list[tuple[float, float, float, float]] | None = None,
    size: float = 10,
    leading: float = 13,
) -> None:
    """Draw one page: running header/footer, columns of lines, footnotes (x, text)."""
    regular, bold = _fonts()
    for x0, top, x1, bottom in boxes or []:  # framed boxes, in top-left coordinates
        c.setStrokeColorRGB(0.1, 0.3, 0.6)
        c.rect(x0, H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)
    if header:
        c.setFont(regular, 8)
        c.drawString(56, H - 30, header)
    for col in columns:
        y = H - col.y
        for line in col.lines:
            text, lsize, is_bold = (line, size, False) if isinstance(line, str) else line
            if text == "":
                y -= leading
                continue
            c.setFont(bold if is_bold else regular, lsize)
            if "^" in text:  # "mot^1 suite": a superscript footnote call
                before, rest = text.split("^", 1)
                call, after = rest.split(" ", 1) if " " in rest else (rest, "")
                c.drawString(col.x, y, before)
                x = col.x + pdfmetrics.stringWidth(before, bold if is_bold else regular, lsize)
                c.setFont(regular, lsize * 0.6)
                c.drawString(x + 0.5, y + lsize * 0.4, call)
                x += pdfmetrics.stringWidth(call, regular, lsize * 0.6) + 1
                c.setFont(regular, lsize)
                c.drawString(x + 2.5, y, after)
            else:
                c.drawString(col.x, y, text)
            y -= leading if lsize <= size else lsize * 1.5
    for x, text in footnotes or []:
        c.setFont(regular, 7.5)
        c.drawString(x, 80, text)
    if footer:
        c.setFont(regular, 8)
        c.drawString(56, 30, footer)
    c.showPage()


def new_canvas(path: Path) -> canvas.Canvas:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle("test")
    return c


def text_image(
    lines: list[str], width: int = 1654, height: int = 2339, left: int = 160, top: int = 220
) -> Image.Image:
    """Render lines of text as a 200 dpi A4 greyscale image (a scanned page), the first line's
    top left corner at (left, top) pixels, one line every 52 pixels."""
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font_path = DEJAVU / "DejaVuSans.ttf"
    font = ImageFont.truetype(str(font_path), 34) if font_path.exists() else None
    y = top
    for line in lines:
        draw.text((left, y), line, fill=0, font=font)
        y += 52
    return img


def image_page(c: canvas.Canvas, img: Image.Image) -> None:
    """Draw an image covering the page, with no text layer."""
    c.drawImage(ImageReader(img), 0, 0, width=W, height=H)
    c.showPage()
