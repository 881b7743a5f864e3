"""Render a PDF page to an image with the boxes of a passage drawn on it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from ..config import Limits
from ..errors import CeserError
from ..models import Box

SCALE = 2.0  # 144 dpi: a page as wide as the screen stays sharp
ZOOMS = (1.5, 2.0, 3.0)  # the scales the explorer offers
# a page never renders larger (CESER_MAX_PIXELS, the limit OCR uses at ingestion too): a huge
# MediaBox must not exhaust memory
MAX_PIXELS = Limits().pixels
FILL = (255, 214, 0, 90)  # translucent yellow over the passage
OUTLINE = (230, 81, 0, 255)  # orange frame around it
MARGIN = 3.0  # points around each box, so the frame does not touch the letters


def pages_of(boxes: Iterable[Box]) -> list[int]:
    """Return the pages the boxes lie on, in order (two when a passage spans a page break)."""
    return sorted({b.page for b in boxes})


def to_pixels(box: Box, scale: float = SCALE) -> tuple[int, int, int, int]:
    """Return the box (PDF points from the top-left) in pixels of a page rendered at scale."""
    return (
        round((box.x0 - MARGIN) * scale),
        round((box.top - MARGIN) * scale),
        round((box.x1 + MARGIN) * scale),
        round((box.bottom + MARGIN) * scale),
    )


def render_page(
    pdf: str | Path, page: int, boxes: Sequence[Box] = (), scale: float = SCALE
) -> Image.Image:
    """Return page (1-based) of the PDF as an RGB image, the boxes of that page highlighted."""
    path = Path(pdf)
    if not path.is_file():
        raise CeserError(f"{path} : fichier introuvable. Relancez l'import du dossier.")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise CeserError(f"{path.name} : PDF illisible ({e}).") from e
    try:
        if not 1 <= page <= len(doc):
            raise CeserError(f"{path.name} : pas de page {page} (le document en a {len(doc)}).")
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        scale = safe_scale(width, height, scale)
        bitmap = pdf_page.render(scale=scale)
        image = bitmap.to_pil().convert("RGBA")
    finally:
        doc.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width = max(2, round(scale * 1.5))
    for box in boxes:
        if box.page == page:
            draw.rectangle(to_pixels(box, scale), fill=FILL, outline=OUTLINE, width=width)
    return Image.alpha_composite(image, overlay).convert("RGB")


def safe_scale(width: float, height: float, scale: float, limits: Limits | None = None) -> float:
    """Return scale, lowered so that a width x height page renders within the pixel limit."""
    return (limits or Limits.from_env()).scale_within(width, height, scale)


def page_pdf(pdf: str | Path, page: int, boxes: Sequence[Box] = ()) -> bytes:
    """Return page (1-based) of the PDF as a one-page PDF, the boxes of that page framed."""
    import pypdfium2.raw as raw

    path = Path(pdf)
    try:
        src = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as e:
        raise CeserError(f"{path.name} : PDF illisible ({e}).") from e
    out = pdfium.PdfDocument.new()
    try:
        if not 1 <= page <= len(src):
            raise CeserError(f"{path.name} : pas de page {page} (le document en a {len(src)}).")
        out.import_pages(src, [page - 1])
        one = out[0]
        for box in boxes:
            if box.page != page:
                continue
            x, y, w, h = user_space(box, one.get_cropbox(), one.get_rotation())
            rect = raw.FPDFPageObj_CreateNewRect(
                x - MARGIN, y - MARGIN, w + 2 * MARGIN, h + 2 * MARGIN
            )
            raw.FPDFPageObj_SetStrokeColor(rect, *OUTLINE)
            raw.FPDFPageObj_SetStrokeWidth(rect, 1.5)
            raw.FPDFPath_SetDrawMode(rect, raw.FPDF_FILLMODE_NONE, True)
            raw.FPDFPage_InsertObject(one.raw, rect)
        one.gen_content()
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        src.close()


def user_space(
    box: Box, cropbox: tuple[float, float, float, float], rotation: int
) -> tuple[float, float, float, float]:
    """Return a box given on the page as displayed (points from its top-left corner, /Rotate
    applied, as pdfplumber and ``render_page`` see it) as x, y, width, height in the page's own
    PDF space (origin at the bottom-left of its MediaBox, before /Rotate)."""
    left, bottom, right, top = cropbox
    width, height = right - left, top - bottom  # the page before it is turned

    def unturned(x: float, y: float) -> tuple[float, float]:
        # displayed (x, y) -> (u, v) from the top-left corner of the page before /Rotate
        if rotation == 90:
            return y, height - x
        if rotation == 180:
            return width - x, height - y
        if rotation == 270:
            return width - y, x
        return x, y

    (u0, v0), (u1, v1) = unturned(box.x0, box.top), unturned(box.x1, box.bottom)
    us, vs = sorted((u0, u1)), sorted((v0, v1))
    return left + us[0], bottom + height - vs[1], us[1] - us[0], vs[1] - vs[0]


def png_bytes(image: Image.Image) -> bytes:
    """Return the image encoded as PNG."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def render_png(
    pdf: str | Path, page: int, boxes: Sequence[Box] = (), scale: float = SCALE
) -> bytes:
    """Return page of the PDF as PNG bytes with the boxes of that page highlighted."""
    return png_bytes(render_page(pdf, page, boxes, scale))
