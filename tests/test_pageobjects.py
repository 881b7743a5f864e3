"""Lean page objects: the same characters, rectangles and tables as pdfplumber's own."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from helpers import CORPUS

from ceser_explorer.ingest.pageobjects import lean_objects, use_lean_objects

PDFS = ["two_columns.pdf", "budget_table.pdf"]


@pytest.mark.parametrize("name", PDFS)
def test_lean_objects_carry_pdfplumbers_values(sample_dir: Path, name: str):
    with pdfplumber.open(sample_dir / name) as pdf:
        for page in pdf.pages:
            full = page.parse_objects()
            lean = lean_objects(page)
            assert set(lean) == set(full)
            assert len(lean["char"]) == len(full["char"]) > 0
            for ours, theirs in zip(lean["char"], full["char"], strict=True):
                assert ours == {k: theirs[k] for k in ours}
            for kind in set(full) - {"char"}:
                assert lean[kind] == full[kind]


def test_a_page_given_lean_objects_finds_the_same_words_and_tables(sample_dir: Path):
    def read(lean: bool) -> tuple[list, list, list]:
        with pdfplumber.open(sample_dir / "budget_table.pdf") as pdf:
            page = pdf.pages[0]
            if lean:
                use_lean_objects(page)
                assert "ncs" not in page.chars[0]  # the lean dicts are the ones served
            words = page.extract_words(extra_attrs=["size", "fontname"])
            tables = [t.extract() for t in page.find_tables()]
            return words, tables, page.rects

    plain, lean = read(False), read(True)
    assert lean == plain
    assert lean[1], "the sample has a ruled table"


def test_the_pages_of_a_corpus_avis_give_the_same_characters():
    # a real multi-page document of the sample corpus, page by page
    with pdfplumber.open(CORPUS / "avis_ia_generative.pdf") as pdf:
        for page in pdf.pages[:3]:
            full = page.parse_objects()
            lean = lean_objects(page)
            for ours, theirs in zip(lean.get("char", []), full.get("char", []), strict=True):
                assert ours == {k: theirs[k] for k in ours}
