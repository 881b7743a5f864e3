"""Scanned pages turned upright by OCR: passage boxes lie where the text is on the page shown.

Each page holds one paragraph drawn as an image (a scan), turned as a sheet may go through a
scanner, or set upright by the PDF's /Rotate. Where the text lies is measured on the page as
the explorer renders it (pypdfium2, /Rotate applied): the bounding box of its dark pixels.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from helpers import needs_tesseract
from pdfgen import text_image
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ceser_explorer.app import pdfview
from ceser_explorer.ingest import parse_pdf
from ceser_explorer.ingest.ocr import page_box
from ceser_explorer.models import Box

LINES = [
    "Le CESER souhaite que la Région renforce les lignes de car",
    "qui desservent les communes rurales, en particulier le matin",
    "et le soir, afin que les salariés, les apprentis et les lycéens",
    "puissent rejoindre les bassins d'emploi sans voiture. Il",
    "demande aussi que les horaires des cars soient accordés avec",
    "ceux des trains régionaux dans chaque gare du territoire, et",
    "que les usagers soient consultés chaque année sur la qualité",
    "du service rendu, ligne par ligne, avant tout changement.",
]


def _sheet() -> Image.Image:
    """An A4 sheet at 200 dpi with one paragraph in its upper half, off centre."""
    return text_image(LINES, left=200, top=600)


def scanned_page(path: Path, turn: float, rotate: int = 0) -> Path:
    """A one-page PDF holding only the sheet, turned by turn degrees anticlockwise (as it lay
    in the scanner: a few degrees skew it), the page given /Rotate rotate."""
    img = _sheet().rotate(turn, expand=True, fillcolor=255) if turn else _sheet()
    size = A4 if img.width < img.height else (A4[1], A4[0])
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    c.drawImage(ImageReader(img), 0, 0, width=size[0], height=size[1])
    c.showPage()
    c.save()
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(buf.getvalue())).pages[0])
    if rotate:
        page.rotate(rotate)
    writer.write(path)
    return path


def ink(path: Path, scale: float = 1.0) -> Box:
    """The box of the dark pixels of page 1 as the explorer renders it, in points."""
    image = pdfview.render_page(path, 1, (), scale).convert("L")
    ys, xs = np.nonzero(np.asarray(image) < 128)
    x0, top, x1, bottom = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return Box(1, x0 / scale, top / scale, x1 / scale, bottom / scale)


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    inter = max(w, 0) * max(h, 0)
    area = (a.x1 - a.x0) * (a.bottom - a.top) + (b.x1 - b.x0) * (b.bottom - b.top) - inter
    return inter / area


@needs_tesseract
@pytest.mark.parametrize(
    ("turn", "rotate"),
    [(0, 0), (90, 0), (180, 0), (270, 0), (0, 90), (90, 90), (2.5, 0), (92, 0)],
    ids=[
        "upright",
        "sideways-90",
        "upside-down",
        "sideways-270",
        "rotate-attr",
        "both",
        "skewed",
        "skewed-sideways",
    ],
)
def test_passage_box_covers_its_text_on_the_page_shown(tmp_path: Path, turn: float, rotate: int):
    pdf = scanned_page(tmp_path / "scan.pdf", turn, rotate)
    doc = parse_pdf(pdf, ocr=True)
    assert doc.ocr_pages == (1,)
    # the passage is found by words Tesseract reads whatever the turn (« emploi » came out
    # « empioi » on the sheet turned by 92° and straightened)
    found = [p for p in doc.passages if "rejoindre les bassins" in p.text]
    assert len(found) == 1 and found[0].ocr
    boxes = found[0].provenance.boxes
    covered = Box(
        1,
        min(b.x0 for b in boxes),
        min(b.top for b in boxes),
        max(b.x1 for b in boxes),
        max(b.bottom for b in boxes),
    )
    assert overlap(covered, ink(pdf)) > 0.9, (covered, ink(pdf))
    # the page's size is the one shown, as pdfplumber and the explorer see it
    shown = pdfium.PdfDocument(str(pdf))
    try:
        width, height = shown[0].get_size()
    finally:
        shown.close()
    assert (round(doc.pages[0].width), round(doc.pages[0].height)) == (round(width), round(height))


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_page_box_turns_back_the_corners_of_the_upright_page(turn: int):
    # upright page 100 x 200 points (after the turn); a box in its top-left corner
    width, height = (100.0, 200.0)
    corner = Box(1, 0.0, 0.0, 10.0, 20.0)
    back = page_box(corner, turn, width, height)
    # the page as shown: turned back anticlockwise by turn degrees
    shown_w, shown_h = (height, width) if turn in (90, 270) else (width, height)
    expected = {
        90: Box(1, 0.0, shown_h - 10.0, 20.0, shown_h),  # top-left went to bottom-left
        180: Box(1, shown_w - 10.0, shown_h - 20.0, shown_w, shown_h),
        270: Box(1, shown_w - 20.0, 0.0, shown_w, 10.0),  # top-left went to top-right
    }[turn]
    assert back == expected


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_the_one_page_pdf_frames_the_box_where_it_is_shown(tmp_path: Path, rotate: int):
    pdf = scanned_page(tmp_path / "scan.pdf", 0, rotate)
    text = ink(pdf)  # where the paragraph is, on the page as shown
    framed = pdfium.PdfDocument(pdfview.page_pdf(pdf, 1, [text]))
    try:
        image = np.asarray(framed[0].render(scale=1.0).to_pil().convert("RGB")).astype(int)
    finally:
        framed.close()
    orange = (image[:, :, 0] > 200) & (image[:, :, 1] < 120) & (image[:, :, 2] < 60)
    ys, xs = np.nonzero(orange)
    frame = Box(1, float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    assert overlap(frame, text) > 0.9, (frame, text)
