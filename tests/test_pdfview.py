"""The source page as users take it away: a one-page PDF with the passage framed, bounded size."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from helpers import CORPUS

from ceser_explorer.app import pdfview
from ceser_explorer.errors import CeserError
from ceser_explorer.models import Box

AVIS = CORPUS / "avis_ia_generative.pdf"


def test_one_page_pdf_keeps_the_page_text_and_frames_the_passage() -> None:
    data = pdfview.page_pdf(AVIS, 10, [Box(10, 56, 100, 300, 200), Box(11, 56, 100, 300, 200)])
    doc = pdfium.PdfDocument(data)
    try:
        assert len(doc) == 1
        page = doc[0]
        text = page.get_textpage().get_text_range()
        source = pdfium.PdfDocument(str(AVIS))
        try:
            assert text == source[9].get_textpage().get_text_range()
            before = sum(1 for o in source[9].get_objects() if o.type == 2)
        finally:
            source.close()
        paths = sum(1 for o in page.get_objects() if o.type == 2)  # FPDF_PAGEOBJ_PATH
        assert paths == before + 1  # the frame of the box on page 10 only
    finally:
        doc.close()


def test_a_page_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(CeserError, match="pas de page 99"):
        pdfview.page_pdf(AVIS, 99)


def test_a_giant_page_renders_within_the_pixel_budget() -> None:
    # a 14,400-point square page at the default scale would be 830 million pixels
    scale = pdfview.safe_scale(14_400, 14_400, pdfview.SCALE)
    assert (14_400 * scale) ** 2 <= pdfview.MAX_PIXELS * 1.001
    assert pdfview.safe_scale(595, 842, pdfview.SCALE) == pdfview.SCALE


def test_csv_export_opens_as_columns_in_a_french_excel() -> None:
    from ceser_explorer.app import exports

    rows = [{"N°": 3, "Score": 0.57, "Texte": "Former; puis « évaluer »"}]
    text = exports.to_csv(rows, ["N°", "Score", "Texte"]).decode("utf-8-sig")
    assert text.splitlines() == ["N°;Score;Texte", '3;0,57;"Former; puis « évaluer »"']
    plain = exports.to_csv(rows, ["N°", "Score"], excel_fr=False).decode("utf-8-sig")
    assert plain.splitlines()[1] == "3,0.57"
