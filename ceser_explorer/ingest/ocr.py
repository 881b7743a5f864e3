"""Scanned pages: render an image-only page, turn it upright, read its words with Tesseract.

pdfread hands the pages without a text layer here; the words come back as ``Word`` objects
with Tesseract's blocks, paragraphs and lines, in PDF points.
"""

from __future__ import annotations

from typing import Any

import pdfplumber

from ..config import Limits
from .rawpage import Word

OCR_RESOLUTION = 300
# Image pages that Tesseract reads at once in one process (each Tesseract on one core: the
# extraction workers set OMP_THREAD_LIMIT=1).
OCR_THREADS = 2
OCR_HINT = (
    "installez Tesseract avec le français (apt-get install tesseract-ocr-fra) "
    "puis relancez « ceser ingest »"
)


def tesseract_available() -> bool:
    """Return True when Tesseract and its French data can be used."""
    try:
        import pytesseract

        return "fra" in pytesseract.get_languages(config="")
    except Exception:
        return False


def ocr_resolution(width: float, height: float, limits: Limits) -> float:
    """Return the OCR resolution (dpi) of a page: 300, lowered to fit limits.pixels."""
    return 72.0 * limits.scale_within(width, height, OCR_RESOLUTION / 72.0)


def upright(image: Any) -> Any:
    """Return a scanned page turned upright when Tesseract's orientation detection says it
    lies on its side or upside down (else as it is)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
        angle = int(osd.get("rotate", 0)) % 360
    except Exception:  # too little text to tell: read it as it lies
        return image
    # Tesseract gives the clockwise turn that sets the page upright; PIL turns anticlockwise
    return image.rotate(-angle, expand=True) if angle else image


def page_image(page: pdfplumber.page.Page, limits: Limits) -> tuple[Any, float]:
    """Render the page for Tesseract, within limits.pixels (here: pdfplumber is not safe
    across threads); return the image and its resolution."""
    resolution = ocr_resolution(float(page.width), float(page.height), limits)
    return page.to_image(resolution=resolution).original.convert("L"), resolution


def recognise(image: Any, resolution: float) -> list[Word]:
    """Return the words Tesseract reads on a page image, turned upright first (a page turned
    by 90° keeps the coordinates of the upright image: its boxes are those of the text read).
    A thread may run it: Tesseract is a process of its own, so pages are read in parallel."""
    import pytesseract

    image = upright(image)
    data = pytesseract.image_to_data(
        image, lang="fra", config="--psm 3", output_type=pytesseract.Output.DICT
    )
    scale = 72.0 / resolution
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        if not text or float(data["conf"][i]) < 0:
            continue
        x, y, w, h = (data[k][i] * scale for k in ("left", "top", "width", "height"))
        group = int(data["block_num"][i]) * 1000 + int(data["par_num"][i])
        line = group * 1000 + int(data["line_num"][i])
        words.append(Word(text, x, y, x + w, y + h, 0.0, group=group, line=line))
    # A word's box height varies with its letters; a line's font size is estimated later.
    return words
