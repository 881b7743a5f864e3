"""The sample corpus through the real extractor: golden files and the Occitanie préconisations.

A change in extraction shows up as a readable diff of tests/golden/<doc>.json. After checking
that a change is an improvement, regenerate with: UPDATE_GOLDEN=1 pytest tests/test_corpus.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import CORPUS, GOLDEN, needs_tesseract, tesseract_ready

from ceser_explorer.models import ParsedDocument

DOCS = sorted(p.name for p in CORPUS.glob("*.pdf"))
SCANNED = {"avis_transport.pdf"}


@pytest.fixture(scope="session")
def parsed(parse_corpus_pdf) -> dict[str, ParsedDocument]:
    return {name: parse_corpus_pdf(CORPUS / name) for name in DOCS}


def golden_view(doc: ParsedDocument) -> dict:
    return {
        "title": doc.title,
        "body": doc.body,
        "kind": doc.kind,
        "date": doc.date,
        "pages": len(doc.pages),
        "ocr_pages": list(doc.ocr_pages),
        "passages": [
            {
                "kind": p.kind,
                "pages": list(p.provenance.pages),
                "section": p.provenance.section,
                "text": p.text,
            }
            for p in doc.passages
        ],
        "recommendations": [
            {"number": r.number, "inline": r.inline, "text": r.text} for r in doc.recommendations
        ],
        "measures": [
            {"level": m.level, "code": m.code, "title": m.title, "amount_eur": m.amount_eur}
            for m in doc.measures
        ],
    }


def test_corpus_has_the_six_documents():
    assert len(DOCS) >= 6
    assert {"avis_ia_generative.pdf", "plan_ia_occitanie.pdf"} <= set(DOCS)


@pytest.mark.parametrize("name", DOCS)
def test_extraction_matches_golden_file(parsed, name):
    if name in SCANNED and not tesseract_ready():
        pytest.skip("Tesseract with French data is not installed: scanned pages not read")
    view = golden_view(parsed[name])
    path = GOLDEN / (Path(name).stem + ".json")
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(view, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"{path} did not exist: written, check it and commit it")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert view == expected


def test_the_13_preconisations_of_the_occitanie_avis(parsed):
    doc = parsed["avis_ia_generative.pdf"]
    numbered = [r for r in doc.recommendations if r.number is not None]
    assert [r.number for r in numbered] == list(range(1, 14))
    pages = [doc.passages[r.passage_ordinal].provenance.page for r in numbered]
    assert pages == sorted(pages) and set(pages) <= {10, 11}
    texts = [r.text for r in numbered]
    assert "Formateur professionnel d'adultes" in texts[1]
    assert "Carif-Oref Occitanie" in texts[3]
    assert all(doc.passages[r.passage_ordinal].kind == "recommendation" for r in numbered)
    sections = [doc.passages[r.passage_ordinal].provenance.section for r in numbered]
    assert all("3.1 Emploi et formation" in s for s in sections[:6])
    assert all("3.2 Recherche et innovation" in s for s in sections[6:])


def test_the_ia_avis_lists_its_13_numbered_preconisations_and_nothing_else(parsed):
    # its prose announces the préconisations first (« Le CESER recommande… ») and says how
    # many there are (« Le CESER formule treize préconisations… »): neither is one of them
    recs = parsed["avis_ia_generative.pdf"].recommendations
    assert sorted(r.number for r in recs if r.number is not None) == list(range(1, 14))
    assert len(recs) == 13
    assert not any("treize préconisations" in r.text for r in recs)


def test_inline_recommendations_in_an_avis_without_numbered_ones(parsed):
    doc = parsed["avis_transport.pdf"]
    inline = [r.text for r in doc.recommendations if r.inline]
    numbered = [r for r in doc.recommendations if r.number is not None]
    assert len(numbered) >= 3 or len(inline) >= 3
    assert all("CESER" in t or t.lower().startswith(("il ", "nous ", "elle ")) for t in inline)


def test_plan_measures_carry_their_amounts(parsed):
    doc = parsed["plan_ia_occitanie.pdf"]
    measures = {(m.level, m.code): m for m in doc.measures}
    assert measures[("mesure", "2.3")].amount_eur == 1.5e6
    assert measures[("mesure", "1.1")].amount_eur == 18e6
    assert ("axe", "1") in measures and ("action", "2") in measures
    tables = [p.text for p in doc.passages if p.kind == "table"]
    assert any("60" in t and "Total" in t for t in tables)


def test_no_running_header_or_page_number_left_in_the_text(parsed):
    for name, doc in parsed.items():
        for p in doc.passages:
            assert not p.text.startswith("Séance plénière du"), (name, p.text)
            assert "Page " not in p.text[-8:], (name, p.text)


def test_dehyphenation_on_the_corpus(parsed):
    text = " ".join(p.text for p in parsed["avis_ia_generative.pdf"].passages)
    assert "porte-parole" in text and "Carif-Oref" in text and "c'est-à-dire" in text
    words = [w for w in text.split() if w.endswith("-") and len(w) > 3]
    assert words == []


def test_footnotes_are_separate_passages(parsed):
    notes = [p for p in parsed["avis_ia_generative.pdf"].passages if p.kind == "footnote"]
    assert len(notes) == 5
    assert all(p.text[:1].isdigit() for p in notes)


@needs_tesseract
def test_scanned_pages_of_the_transport_avis_are_read_by_ocr(parsed):
    doc = parsed["avis_transport.pdf"]
    assert doc.ocr_pages == (4, 5)
    ocr = [p for p in doc.passages if p.ocr]
    assert len(ocr) >= 10
    assert any("matériel roulant" in p.text for p in ocr)


def test_a_bold_lead_in_inside_a_box_stays_with_its_recommendation(parsed):
    """Regression: « Préconisation n°2 » followed by a bold opening phrase that wraps."""
    recs = [r for r in parsed["avis_cprdfop.pdf"].recommendations if r.number is not None]
    assert [r.number for r in recs] == list(range(1, 8))
    assert all(r.text[:1].isupper() for r in recs), [r.text[:40] for r in recs]
    assert recs[1].text.startswith("Consolider l'apprentissage dans tous les territoires.")


@pytest.mark.parametrize("name", DOCS)
def test_cover_lines_and_table_of_contents_head_no_section(parsed, name):
    if name in SCANNED and not tesseract_ready():
        pytest.skip("Tesseract with French data is not installed: scanned pages not read")
    doc = parsed[name]
    cover = [p for p in doc.passages if p.provenance.page == 1]
    assert cover and all(p.provenance.section == "" for p in cover)
    body = [p for p in doc.passages if p.provenance.page > 1 and p.kind != "toc"]
    assert all(doc.title not in p.provenance.section for p in body)
    assert all(not p.provenance.section.startswith("Sommaire") for p in body)
    annexes = [p for p in body if p.kind == "heading" and p.text.startswith("Annexe")]
    assert all(p.provenance.section == "" for p in annexes)


def test_unnumbered_headings_take_the_level_of_numbered_ones_of_their_size(parsed):
    doc = parsed["avis_budget.pdf"]
    headings = {p.text: p.provenance.section for p in doc.passages if p.kind == "heading"}
    assert headings["5. Préconisations du CESER"] == ""
    assert headings["Résultat du vote"] == ""  # set like « 5. », not under it
    assert headings["Déclarations des groupes"] == ""
    assert headings["Collège 1 – Entreprises et activités non salariées"] == (
        "Déclarations des groupes"
    )
    plan = parsed["plan_ia_occitanie.pdf"]
    p = next(p for p in plan.passages if p.text.startswith("Le plan régional pour l'intelligence"))
    assert p.provenance.section == "Ambition et architecture du plan"


def test_footnote_calls_and_line_end_hyphens_leave_no_trace(parsed):
    ia = " ".join(p.text for p in parsed["avis_ia_generative.pdf"].passages)
    assert "la plus élevée. Cet effort" in ia  # call ¹ set at 80 % of the text size
    assert "doté de 60 M€. Le CESER relève" in ia  # the call, and a « CE-SER » cut at line end
    cprdfop = " ".join(p.text for p in parsed["avis_cprdfop.pdf"].passages)
    assert "apprentis mineurs" in cprdfop and "mi-neurs" not in cprdfop  # a word, not « mi- »
    assert "ce que le CESER approuve" in cprdfop
