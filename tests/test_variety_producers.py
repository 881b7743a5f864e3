"""The libreoffice and typst producers of the variety corpus draw what the IR asks.

Each test renders a small hand-made ir.Document and reads the PDF back: running heads on the
right pages, hyphenated line ends, footnotes, boxed recommendations, a table with a merged header.
Skipped when the tool is missing (the committed corpus PDFs do not need them; `make variety` does).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from corpus.variety import ir

LONG = (
    "La professionnalisation des accompagnateurs interprofessionnels suppose une "
    "transformation profonde des organisations territoriales, une reconnaissance "
    "institutionnelle durable et un financement pluriannuel des structures "
    "intermédiaires qui interviennent auprès des entreprises artisanales et industrielles. "
)
NOTE = "Audition conduite devant la commission en séance restreinte."


def document(producer: str, header_pages: str = "all_but_cover") -> ir.Document:
    meta = ir.Meta(
        "avis",
        "Avis",
        "Un avis d'essai sur l'accompagnement",
        "CESER Test",
        "Conseil économique, social et environnemental régional de Test",
        "Test",
        "2024-03-05",
        "5 mars 2024",
    )
    style = ir.Style(
        producer=producer,
        columns=2,
        header="{body} – {label}",
        footer="{n}/{N}",
        header_pages=header_pages,
        rec_style="box_numbered",
        rec_label="Préconisation n°{n}",
        footnotes="foot",
        hyphenate=True,
    )
    paragraphs = [ir.Paragraph(LONG * 3, ["formation"]) for _ in range(8)]
    paragraphs[1] = ir.Paragraph(LONG, [], notes=[NOTE], note_at=[len("La professionnalisation")])
    blocks: list[ir.Block] = [
        ir.Cover("AVIS", meta.title, meta.body, "Adopté en séance plénière du 5 mars 2024"),
        ir.PageBreak(),
        ir.Heading("Le contexte", 1, "1."),
        *paragraphs,
        ir.Table(
            ["Mesure", "Montant"],
            [["Accueil", "2 M€"], ["dont ingénierie", "1 M€"]],
            "Crédits prévus",
            [1],
            [("Programmation 2024", 2)],
        ),
        ir.Recommendation(
            3, "Préconisation n°3", "Créer un fonds régional d'amorçage.", "box_numbered"
        ),
    ]
    return ir.Document("essai", 1, meta, style, blocks)


def pages_text(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def check(pages: list[str], hyphen: str) -> None:
    assert len(pages) >= 3
    assert "CESER Test – Avis" not in pages[0]  # no running head on the cover
    for n, text in enumerate(pages[1:], 2):
        assert "CESER Test – Avis" in text
        assert f"{n}/{len(pages)}" in text
    joined = "\n".join(pages)
    assert NOTE[:38] in joined  # the note's first line (a column's lines may come between)
    assert "Préconisation n°3" in joined and "Programmation 2024" in joined
    # hyphenation happened: a line ends with the hyphen glyph inside a word of the source
    cuts = re.findall(rf"(\w+){re.escape(hyphen)}\n(\w+)", joined)
    assert any((a + b) in LONG for a, b in cuts), cuts[:5]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_producer(tmp_path: Path) -> None:
    from corpus.variety.produce import libreoffice

    doc = document("libreoffice", header_pages="some")
    libreoffice.render(doc, tmp_path / "essai.pdf")
    assert doc.style.header_pages == "all_but_cover"  # what page styles can draw, recorded
    check(pages_text(tmp_path / "essai.pdf"), "-")


def test_typst_producer(tmp_path: Path) -> None:
    pytest.importorskip("typst")
    from corpus.variety.produce import typst as typst_producer

    doc = document("typst")
    typst_producer.render(doc, tmp_path / "essai.pdf")
    check(pages_text(tmp_path / "essai.pdf"), "\u00ad")


def test_typst_last_only_heads(tmp_path: Path) -> None:
    pytest.importorskip("typst")
    from corpus.variety.produce import typst as typst_producer

    doc = document("typst", header_pages="last_only")
    typst_producer.render(doc, tmp_path / "essai.pdf")
    pages = pages_text(tmp_path / "essai.pdf")
    assert [("CESER Test – Avis" in t) for t in pages] == [False] * (len(pages) - 1) + [True]
