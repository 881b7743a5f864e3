"""The variety corpus is complete and its truth files are well formed (not extraction quality)."""

from __future__ import annotations

import json
import tomllib

import pytest
from helpers import CORPUS

VARIETY = CORPUS / "variety"
BANK, PDF, TRUTH = VARIETY / "bank", VARIETY / "pdf", VARIETY / "truth"
PRODUCERS = {"reportlab", "fpdf2", "chromium", "libreoffice", "typst"}
ROLES = {
    "body",
    "finding",
    "plan_sentence",
    "recommendation",
    "measure",
    "list_item",
    "sidebar",
    "pull_quote",
    "footnote",
    "table_cell",
    "heading",
    "cover",
    "declaration",
    "toc",
}
KEYS = {
    "id",
    "file",
    "producer",
    "split",
    "seed",
    "style",
    "meta",
    "pages",
    "scanned_pages",
    "rotated_pages",
    "paragraphs",
    "recommendations",
    "summary_items",
    "measures",
    "running",
}


def bank_ids() -> list[str]:
    return sorted(p.stem for p in BANK.glob("*.toml") if not p.stem.startswith("_"))


def truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*.json"))]


def placeable(p: dict) -> bool:
    """Texts the locator is expected to place (very short table cells are skipped)."""
    letters = sum(c.isalnum() for c in p["text"])
    return not (p["role"] == "table_cell" and letters < 8)


def test_every_bank_file_has_its_pdf_and_truth() -> None:
    missing = [
        i
        for i in bank_ids()
        if not (PDF / f"{i}.pdf").exists() or not (TRUTH / f"{i}.json").exists()
    ]
    assert not missing, f"run `make variety` to build: {missing}"


@pytest.mark.parametrize("t", truths(), ids=lambda t: t["id"])
def test_truth_is_valid(t: dict) -> None:
    assert t.keys() >= KEYS, f"{t['id']}: missing {KEYS - t.keys()}"
    assert t["producer"] in PRODUCERS and t["split"] in {"tune", "test"}
    assert (VARIETY / t["file"]).exists()
    assert t["meta"]["kind"] in {"avis", "plan", "other"} and len(t["meta"]["date"]) == 10
    n = t["pages"]
    pages = [p["page"] for p in t["paragraphs"]] + [r["page"] for r in t["recommendations"]]
    assert all(p == -1 or 1 <= p <= n for p in pages), f"{t['id']}: page out of 1..{n}"
    assert all(1 <= p <= n for p in t["scanned_pages"] + [r["page"] for r in t["running"]])
    assert set(t["rotated_pages"]) <= set(t["scanned_pages"])
    assert all(p["role"] in ROLES and p["text"] for p in t["paragraphs"])
    todo = [p for p in t["paragraphs"] if placeable(p)]
    found = sum(p["page"] > 0 for p in todo)
    assert found >= 0.95 * len(todo), f"{t['id']}: only {found}/{len(todo)} paragraphs located"
    bank = tomllib.loads((BANK / f"{t['id']}.toml").read_text(encoding="utf-8"))
    assert len(t["recommendations"]) == len(bank.get("recommendations", []))
    assert len(t["measures"]) == len(bank.get("measures", []))


def test_each_producer_in_both_halves() -> None:
    seen = {(t["producer"], t["split"]) for t in truths()}
    for producer in sorted({t["producer"] for t in truths()}):
        assert {(producer, "tune"), (producer, "test")} <= seen, f"{producer} lacks a half"
    split = tomllib.loads((VARIETY / "split.toml").read_text(encoding="utf-8"))
    assert all(split.get(t["id"]) == t["split"] for t in truths())


def test_pdfs_are_small() -> None:
    big = [p.name for p in PDF.glob("*.pdf") if p.stat().st_size >= 300_000]
    assert not big, f"PDFs of 300 KB or more: {big}"


@pytest.mark.parametrize("t", truths(), ids=lambda t: t["id"])
def test_sommaire_pages_are_where_the_headings_are(t: dict) -> None:
    heads = {p["text"]: p["page"] for p in t["paragraphs"] if p["role"] == "heading"}
    for p in t["paragraphs"]:
        if p["role"] == "toc":
            text, _, page = p["text"].rpartition(" ")
            assert heads.get(text) == int(page), f"{t['id']}: sommaire says {p['text']!r}"
