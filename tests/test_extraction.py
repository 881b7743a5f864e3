"""Extraction on small PDFs built from code: order, headers, hyphens, footnotes, tables, OCR."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import needs_tesseract

from ceser_explorer.ingest import parse_pdf
from ceser_explorer.ingest.metadata import parse_date
from ceser_explorer.ingest.recommendations import parse_amount


@pytest.fixture(scope="module")
def two(sample_dir: Path):
    return parse_pdf(sample_dir / "two_columns.pdf", ocr=False)


def texts(doc, kind=None):
    return [p.text for p in doc.passages if kind is None or p.kind == kind]


def test_running_headers_footers_and_page_numbers_are_removed(two):
    joined = "\n".join(texts(two))
    assert "Avis d'essai sur la formation" not in joined
    assert "Page 2" not in joined and "Page 3" not in joined


def test_two_columns_are_read_left_then_right_and_one_paragraph_spans_them(two):
    spanning = next(p for p in two.passages if p.text.startswith("La région compte"))
    assert spanning.text.endswith("les territoires ruraux les plus isolés.")
    assert [b.page for b in spanning.provenance.boxes] == [2, 2]
    left, right = spanning.provenance.boxes
    assert left.x1 < right.x0  # one box per column
    order = texts(two)
    assert order.index(spanning.text) < order.index(
        next(t for t in order if t.startswith("Un second paragraphe"))
    )


def test_paragraph_running_across_a_page_break_is_one_passage_with_two_boxes(two):
    p = next(p for p in two.passages if p.text.startswith("Un second paragraphe"))
    assert p.text.endswith("dans les métiers en tension du bâtiment.")
    assert p.provenance.pages == (2, 3)
    assert [s.page for s in p.provenance.spans] == [2, 3]


def test_hyphenation_undone_but_real_hyphens_kept(two):
    joined = " ".join(texts(two))
    assert "compétences" in joined and "compé-" not in joined
    assert "apprentissage dans" in joined and "accompagnement" in joined
    assert "porte-parole" in joined
    assert "Carif-Oref" in joined


def test_footnote_is_kept_apart_and_its_call_removed_from_the_body(two):
    notes = texts(two, "footnote")
    assert notes == ["1 Source : enquête régionale sur la formation continue, 2023."]
    body = " ".join(texts(two, "paragraph"))
    assert "professionnelle et le porte-parole" in body
    assert "Source : enquête" not in body


def test_headings_give_each_paragraph_its_section_path(two):
    p = next(p for p in two.passages if p.text.startswith("La région compte"))
    assert p.provenance.section == "1. Le contexte régional"
    rec = next(p for p in two.passages if p.text.startswith("Créer un fonds"))
    assert rec.provenance.section == "2. Les préconisations > Préconisation n°1"


def test_page_text_offsets_point_at_the_passage(two):
    pages = {p.page: p.text for p in two.pages}
    for passage in two.passages:
        pieces = [pages[s.page][s.start : s.end] for s in passage.provenance.spans]
        assert "".join(pieces).replace(" ", "") == passage.text.replace(" ", "")


def test_metadata_detected_from_the_cover(two):
    assert two.kind == "avis"
    assert two.body == "CESER Test"
    assert two.date == "2024-03-03"
    assert two.title == "La formation des adultes"  # « Avis du CESER Test » is the type line


def test_numbered_and_inline_recommendations(two):
    numbered = {r.number: r.text for r in two.recommendations if r.number}
    assert numbered[1].startswith("Créer un fonds régional")
    assert numbered[2].startswith("Ouvrir des places")
    inline = [r.text for r in two.recommendations if r.inline]
    assert any(t.startswith("Le CESER recommande de renforcer") for t in inline)
    assert any(t.startswith("Le CESER invite la Région") for t in inline)
    assert not any("paragraphe traite" in t for t in inline)


def test_table_is_one_passage_with_readable_rows(sample_dir: Path):
    doc = parse_pdf(sample_dir / "budget_table.pdf", ocr=False)
    tables = texts(doc, "table")
    assert tables == [
        "Mesure | Montant | Calendrier\nMesure 1.1 | 18 M€ | 2024-2028\nMesure 1.2 | 2,5 M€ | 2025"
    ]
    assert not any("18 M€" in t for t in texts(doc, "paragraph"))
    assert doc.kind == "plan"
    assert [(m.level, m.code) for m in doc.measures] == [("axe", "1")]


@needs_tesseract
def test_scanned_page_goes_through_ocr_and_is_flagged(sample_dir: Path):
    doc = parse_pdf(sample_dir / "scanned.pdf")
    assert doc.ocr_pages == (2,)
    ocr = [p for p in doc.passages if p.ocr]
    assert ocr and all(p.provenance.page == 2 for p in ocr)
    text = " ".join(p.text for p in ocr)
    assert "moderniser les gares" in text
    assert any(r.inline and "moderniser" in r.text for r in doc.recommendations)


def test_without_tesseract_the_rest_goes_in_and_the_page_is_reported(sample_dir: Path):
    doc = parse_pdf(sample_dir / "scanned.pdf", ocr=False)
    assert doc.textless_pages == (2,)
    assert "Ce document contient une page numérisée." in texts(doc)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9 M€", 9e6),
        ("18 millions d'euros", 18e6),
        ("1,2 M€", 1.2e6),
        ("450 000 €", 450e3),
        ("2,5 milliards d’euros", 2.5e9),
        ("pas de montant", None),
    ],
)
def test_amounts_in_euros_are_parsed(text, value):
    assert parse_amount(text) == value


def test_french_dates_are_parsed():
    assert parse_date("adopté en séance plénière le 12 novembre 2025") == "2025-11-12"
    assert parse_date("le 1er décembre 2024") == "2024-12-01"
    assert parse_date("Montpellier, 03/07/2023") == "2023-07-03"


def test_a_full_width_line_cut_by_a_word_space_at_the_gutter_stays_whole():
    from ceser_explorer.ingest.layout import FULL, layout_page
    from ceser_explorer.ingest.pdfread import RawPage, Word

    raw = RawPage(1, 595.0, 842.0)
    for row in range(12):  # two columns of three words per line, 49 pt apart
        top, shift = 100.0 + 14 * row, 9.0 * (row % 5)
        for left, right in ((57.0, 269.0), (318.0, 530.0)):
            cuts = (left + 50 + shift, left + 120 - shift)
            for x0, x1 in zip((left, cuts[0] + 3, cuts[1] + 3), (*cuts, right), strict=True):
                raw.words.append(Word("mot", x0, top, x1, top + 10, 10.0))
    # below them, one line across the page: its words meet the gutter with a plain space
    top = 300.0
    for i, x0 in enumerate((57.0, 130.0, 203.0, 296.0, 369.0, 442.0)):
        raw.words.append(Word(f"m{i}", x0, top, x0 + 66 if i != 2 else 291.0, top + 10, 10.0))
    page = layout_page(raw)
    last = page.items[-1]
    assert last.col == FULL
    assert last.text == "m0 m1 m2 m3 m4 m5"
    assert sum(1 for item in page.items if item.col != FULL) == 24  # the columns still split
