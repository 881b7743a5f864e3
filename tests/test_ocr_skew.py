"""Scanned pages fed askew: the lean is measured on the image, the page straightened before
Tesseract reads it, and a box read on the straightened page maps back onto the page as is."""

from __future__ import annotations

import numpy as np
import pytest
from pdfgen import text_image
from PIL import Image

from ceser_explorer.ingest.ocr import SKEW_MIN, page_box, skew_angle, straighten, unskew_box
from ceser_explorer.models import Box

LINES = [
    "Le CESER demande que les aides régionales aux entreprises soient",
    "accordées en fonction de critères sociaux et environnementaux",
    "publiés, et que leur effet sur l'emploi soit suivi chaque année",
    "par un comité où siègent les organisations syndicales du territoire.",
] * 4


def leaning(angle: float) -> Image.Image:
    """A 200 dpi sheet of text turned anticlockwise by angle degrees, as it lay in a scanner."""
    sheet = text_image(LINES, top=400)
    return sheet.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


@pytest.mark.parametrize("lean", [-3.0, -1.2, 0.6, 2.5])
def test_the_lean_of_a_sheet_is_measured_to_a_tenth_of_a_degree(lean: float):
    # straightening turns the other way
    assert skew_angle(leaning(lean)) == pytest.approx(-lean, abs=0.15)


def test_a_level_sheet_is_left_as_it_is():
    sheet = text_image(LINES, top=400)
    image, angle = straighten(sheet)
    assert angle == 0.0 and image is sheet
    assert abs(skew_angle(sheet)) < SKEW_MIN


def test_a_box_on_the_straightened_page_lies_on_the_ink_of_the_page_as_is():
    # a black square on a leaning sheet of text: found again on the straightened image, its box
    # mapped back covers the square where it lies on the sheet
    sheet = leaning(2.5)
    px = np.asarray(sheet).copy()
    px[1500:1540, 1200:1240] = 0
    sheet = Image.fromarray(px)
    level, angle = straighten(sheet)
    assert angle == pytest.approx(-2.5, abs=0.15)
    dark = np.asarray(level) < 60
    ys, xs = np.nonzero(dark[1400:1650, 1100:1350])
    # in points of a page of the image's size at 200 dpi
    scale = 72 / 200
    found = Box(
        1,
        (1100 + xs.min()) * scale,
        (1400 + ys.min()) * scale,
        (1100 + xs.max() + 1) * scale,
        (1400 + ys.max() + 1) * scale,
    )
    width, height = sheet.width * scale, sheet.height * scale
    back = unskew_box(found, angle, width, height)
    for got, want in zip(
        (back.x0, back.top, back.x1, back.bottom), (1200, 1500, 1240, 1540), strict=True
    ):
        assert got == pytest.approx(want * scale, abs=3.0)
    # page_box does the same before any turn
    assert page_box(found, 0, width, height, angle) == back


def test_a_box_unskewed_stays_on_the_page():
    corner = Box(1, 0.0, 0.0, 50.0, 10.0)
    back = unskew_box(corner, 3.0, 595.0, 842.0)
    assert back.x0 >= 0 and back.top >= 0 and back.x1 <= 595 and back.bottom <= 842


@pytest.mark.parametrize("shade", [255, 200])
def test_a_page_without_ink_has_no_lean(shade: int):
    # every angle scores alike on a blank (or light grey) page: the tie is no lean, not the
    # first angle tried
    page = Image.new("L", (1654, 2339), shade)
    assert skew_angle(page) == 0.0
    image, angle = straighten(page)
    assert angle == 0.0 and image is page
