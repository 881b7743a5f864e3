"""What the tests share besides fixtures: paths of the repository, a fake embedder, helpers.

Test modules import these names (``from helpers import CORPUS``); fixtures live in
conftest.py. pytest puts this folder on the path (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ceser_explorer import analysis, serving
from ceser_explorer.catalog import Catalog, FileState
from ceser_explorer.config import Settings
from ceser_explorer.ingest.pdfread import Word
from ceser_explorer.models import Box, PageText, ParsedDocument, PassageDraft, Provenance

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CORPUS = ROOT / "corpus"
PACKAGE_DATA = ROOT / "ceser_explorer" / "data"  # taxonomy, labels, queries, theme model
GOLDEN = TESTS / "golden"
# three variety documents (an avis, a plan, another document) for tests that run whole batches
VARIETY_BATCH = ("ara-avis-sresri.pdf", "ara-plan-competences.pdf", "bfc-voeu-universite.pdf")


def variety_batch(folder: Path, names: Sequence[str] = VARIETY_BATCH) -> Path:
    """Copy the named PDFs of the variety corpus into folder; return folder."""
    for name in names:
        shutil.copy(CORPUS / "variety" / "pdf" / name, folder / name)
    return folder


AVIS = "avis_ia_generative.pdf"
PLAN = "plan_ia_occitanie.pdf"
HELD_OUT_PLAN = "sresri.pdf"  # its links measure tracing out of sample (corpus/links.toml)
LINKS = CORPUS / "links.toml"
QUERIES = PACKAGE_DATA / "queries.jsonl"


class FakeEmbedder:
    """Hashes folded stems into a small vector: deterministic and instant, for unit tests."""

    def __init__(self, dim: int = 64, name: str = "fake:stems") -> None:
        self.dim = dim
        self.id = f"{name}-{dim}"
        self.calls = 0
        self.texts = 0

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for term in analysis.analyze(text, "stem"):
                out[i, sum(map(ord, term)) * 2654435761 % self.dim] += 1.0
            out[i, -1] += 0.01  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def copy_home(src_home: Path, home: Path, catalog_only: bool = False) -> Settings:
    """Return settings for a copy of a data folder: the catalog through SQLite's backup API,
    and unless catalog_only the rest as files (links, such as a shared cache, stay links)."""
    home.mkdir(parents=True, exist_ok=True)
    for item in [] if catalog_only else src_home.iterdir():
        if item.name.startswith("catalog.sqlite"):
            continue  # the catalog below; its derived BM25 file is rebuilt on demand
        if item.is_dir() and not item.is_symlink():
            shutil.copytree(item, home / item.name, symlinks=True)
        else:
            shutil.copy2(item, home / item.name, follow_symlinks=False)
    src = sqlite3.connect(src_home / "catalog.sqlite")
    dst = sqlite3.connect(home / "catalog.sqlite")
    src.backup(dst)
    src.close()
    dst.close()
    return Settings.load(home=home)


def copy_catalog(src_home: Path, home: Path) -> Settings:
    """Return settings for a new data folder holding a copy of src_home's catalog only."""
    return copy_home(src_home, home, catalog_only=True)


def store_doc(
    catalog: Catalog,
    name: str,
    paragraphs: Sequence[str],
    kind: str = "avis",
    body: str = "CESER Test",
    date: str | None = "2024-06-01",
    meta_sources: tuple[tuple[str, str], ...] = (),
) -> int:
    """Store a small document made of paragraphs (one per page) and return its doc id
    (meta_sources: where each metadata field was read, as ingest.metadata says)."""
    sha = hashlib.sha256(("\n".join(paragraphs) + name).encode()).hexdigest()
    pages = tuple(PageText(i + 1, 595, 842, text) for i, text in enumerate(paragraphs))
    drafts = tuple(
        PassageDraft("paragraph", text, Provenance((Box(i + 1, 50, 100, 545, 200),), "1. Section"))
        for i, text in enumerate(paragraphs)
    )
    parsed = ParsedDocument(
        f"Titre {name}", body, kind, date, pages, drafts, meta_sources=meta_sources
    )
    existing = catalog.document_by_path(f"/docs/{name}")
    state = FileState(f"/docs/{name}", len(sha), 0.0, sha)
    return catalog.store_document(state, parsed, replace=existing).doc_id


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until url answers 200; fail with the end of log if proc dies or time runs out."""
    if not serving.wait_until_up(url, proc, timeout):
        proc.kill()
        pytest.fail(f"{url} did not answer in {timeout:.0f} s: {log.read_text()[-500:]}")


def tesseract_ready() -> bool:
    from ceser_explorer.ingest.ocr import tesseract_available

    return tesseract_available()


def needs_tesseract(test):  # type: ignore[no-untyped-def]
    """Mark a test ``ocr`` and skip it when Tesseract with French data is not installed."""
    skip = pytest.mark.skipif(
        not tesseract_ready(),
        reason="Tesseract with French data is not installed (apt-get install tesseract-ocr-fra)",
    )
    return pytest.mark.ocr(skip(test))


def set_words(text: str, top: float, size: float = 8.0, x: float = 60) -> list[Word]:
    """The words of text set on one line from x at top, as a text layer gives them."""
    out = []
    for w in text.split():
        out.append(Word(w, x, top, x + 0.55 * size * len(w), top + size, size, False))
        x += 0.55 * size * len(w) + 0.3 * size
    return out


def heavy_imports(code: str) -> list[str]:
    """Run code in a new interpreter; return which of spaCy, thinc and torch it imported."""
    probe = (
        f"{code}; import json, sys; "
        "print(json.dumps(sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
