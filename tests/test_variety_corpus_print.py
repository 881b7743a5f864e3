"""The variety corpus prints what its truth says: note numbers recorded, no text over text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import CORPUS

from corpus.variety import ir, overprint, plan
from corpus.variety.produce import PRODUCERS
from corpus.variety.truth import page_texts

VARIETY = CORPUS / "variety"
TRUTHS = [json.loads(p.read_text("utf-8")) for p in sorted((VARIETY / "truth").glob("*.json"))]
WITH_NOTES = [t for t in TRUTHS if any(p["role"] == "footnote" for p in t["paragraphs"])]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_some_documents_have_notes() -> None:
    assert len(WITH_NOTES) >= 10
    assert {t["style"]["footnotes"] for t in WITH_NOTES} == {"foot", "end"}


@pytest.mark.parametrize("t", WITH_NOTES, ids=lambda t: t["id"])
def test_truth_records_note_numbers_and_calls(t: dict) -> None:
    notes = [p for p in t["paragraphs"] if p["role"] == "footnote"]
    assert [p["number"] for p in notes] == list(range(1, len(notes) + 1))
    style = ir.Style(producer=t["producer"], footnotes=t["style"]["footnotes"])
    assert all(p["label"] == ir.note_label(style, p["number"]) for p in notes)
    calls = [c for p in t["paragraphs"] for c in p.get("calls", [])]
    assert [n for _, n in calls] == list(range(1, len(notes) + 1)), "one call per note, in order"
    for p in t["paragraphs"]:
        for at, _ in p.get("calls", []):
            assert 0 < at <= len(p["text"]), f"{t['id']}: call at {at} outside its paragraph"


@pytest.mark.parametrize("t", WITH_NOTES, ids=lambda t: t["id"])
def test_note_label_is_printed_before_its_text(t: dict) -> None:
    """« 3 Texte de la note » (or « 3. ») on the note's page: what the truth records."""
    scanned = set(t["scanned_pages"])
    pages = [squeeze(text) for text in page_texts(VARIETY / t["file"])]  # in drawing order
    for p in t["paragraphs"]:
        if p["role"] != "footnote" or p["page"] < 1 or p["page"] in scanned:
            continue
        head = squeeze(p["text"])[:20]
        assert squeeze(p["label"]) + head in pages[p["page"] - 1], f"{t['id']}: {p['label']} {head}"


@pytest.mark.parametrize("t", TRUTHS, ids=lambda t: t["id"])
def test_no_text_drawn_over_text(t: dict) -> None:
    found = overprint.overprints(VARIETY / t["file"], set(t["scanned_pages"]))
    assert not found, f"{t['id']}: {len(found)} glyphs over glyphs, first {found[0]}"


def test_overprint_finds_text_over_text(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "over.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 700, "Abstentions")
    c.drawString(72, 650, "Pour")
    c.drawString(110, 650, "110")  # clear of « Pour »
    c.drawString(120, 700, "1")  # over « tio »
    c.save()
    found = overprint.overprints(pdf)
    assert found and all(o.page == 1 and o.second == "1" for o in found)


# Layouts of the tune half's bank documents (shadow ids: another seed) where a producer drew
# text over text: fpdf2 left y under a short third-column region (the next heading over
# column 1), reportlab's sommaire line ran under its page number in a narrow column, Typst's
# vote table gave « Abstentions » half a column and it ran over its count.
LAYOUTS = [
    ("grand-est-travail-frontalier", 3, "fpdf2"),
    ("bretagne-cybersecurite", 3, "reportlab"),
    ("occitanie-eau", 3, "typst"),
]


@pytest.mark.parametrize(("bank_id", "variant", "producer"), LAYOUTS)
def test_producer_draws_no_text_over_text(
    bank_id: str, variant: int, producer: str, tmp_path: Path
) -> None:
    bank = dict(plan.load_bank(VARIETY / "bank" / f"{bank_id}.toml"), id=f"{bank_id}~{variant}")
    doc = plan.make_document(bank, producer, None)
    out = tmp_path / "doc.pdf"
    PRODUCERS[producer](doc, out)
    assert not overprint.overprints(out)
