"""Scanned pages: render an image-only page, turn it upright, read its words with Tesseract.

pdfread hands here the pages without a text layer, and the scans with a scanner's text layer
(it keeps whichever reading has more French words). The words come back as ``Word`` objects
with Tesseract's blocks, paragraphs and lines, in PDF points of the page turned upright, made
plain by ``ocrwords``; ``to_page`` maps the passages' boxes back onto the page as displayed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pdfplumber
from PIL import Image

from ..config import Limits
from ..models import Box, PageText, PassageDraft
from . import ocrwords
from .lexicon import french_words
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


@dataclass(frozen=True, slots=True)
class Reading:
    """What Tesseract read on a page image: its words, in points of the page turned upright,
    and the clockwise turn (0, 90, 180 or 270 degrees) that set the page upright."""

    words: list[Word]
    turn: int = 0


# PIL's transposes turn anticlockwise: each clockwise turn is the opposite transpose
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def upright(image: Image.Image) -> tuple[Image.Image, int]:
    """Return a scanned page turned upright when Tesseract's orientation detection says it
    lies on its side or upside down (else as it is), with the clockwise turn it was given."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
        angle = int(osd.get("rotate", 0)) % 360
    except Exception:  # too little text to tell: read it as it lies
        return image, 0
    # Tesseract gives the clockwise turn that sets the page upright
    if angle not in _TRANSPOSE:
        return image, 0
    return image.transpose(_TRANSPOSE[angle]), angle


def page_box(box: Box, turn: int, width: float, height: float) -> Box:
    """Return a box read on a page turned upright (by turn degrees clockwise; width and height
    those of the upright page, in points) in the coordinates of the page as it is displayed
    (pdfplumber's and the explorer's: points from the top-left corner)."""
    if turn == 90:  # the upright page's left edge was the displayed page's top
        return replace(box, x0=box.top, top=width - box.x1, x1=box.bottom, bottom=width - box.x0)
    if turn == 180:
        return replace(
            box,
            x0=width - box.x1,
            top=height - box.bottom,
            x1=width - box.x0,
            bottom=height - box.top,
        )
    if turn == 270:  # the upright page's left edge was the displayed page's bottom
        return replace(box, x0=height - box.bottom, top=box.x0, x1=height - box.top, bottom=box.x1)
    return box


def to_page(
    passages: list[PassageDraft], texts: list[PageText], turns: dict[int, tuple[int, float, float]]
) -> tuple[list[PassageDraft], list[PageText]]:
    """Return the passages with the boxes of the pages OCR turned upright mapped back onto the
    page as displayed, and the page texts with the displayed page size.

    turns: page number -> (clockwise turn, width, height of the upright page in points).
    """
    if not turns:
        return passages, texts

    def mapped(b: Box) -> Box:
        return page_box(b, *turns[b.page]) if b.page in turns else b

    out = []
    for p in passages:
        if any(b.page in turns for b in p.provenance.boxes):
            boxes = tuple(mapped(b) for b in p.provenance.boxes)
            p = replace(p, provenance=replace(p.provenance, boxes=boxes))
        out.append(p)
    sized = [
        replace(t, width=t.height, height=t.width)
        if t.page in turns and turns[t.page][0] in (90, 270)
        else t
        for t in texts
    ]
    return out, sized


def page_image(page: pdfplumber.page.Page, limits: Limits) -> tuple[Image.Image, float]:
    """Render the page for Tesseract, within limits.pixels (here: pdfplumber is not safe
    across threads); return the image and its resolution."""
    resolution = ocr_resolution(float(page.width), float(page.height), limits)
    # smoothed: a bilevel or low-resolution scan drawn larger keeps its letters' shapes
    image = page.to_image(resolution=resolution, antialias=True).original
    return image.convert("L"), resolution


def recognise(image: Image.Image, resolution: float) -> Reading:
    """Return the words Tesseract reads on a page image, turned upright first: their boxes are
    in points of the upright page (``page_box`` maps them back onto the page as displayed).
    A thread may run it: Tesseract is a process of its own, so pages are read in parallel."""
    import pytesseract

    image, turn = upright(image)
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
        conf = float(data["conf"][i])
        words.append(Word(text, x, y, x + w, y + h, 0.0, group=group, line=line, conf=conf))
    # A word's box height varies with its letters; a line's font size is estimated later.
    return Reading(ocrwords.clean(words, french_words()), turn)
