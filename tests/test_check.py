"""``ceser check`` and ``--repair`` round trip: each derived file is damaged in turn (BM25
postings truncated, Chroma's SQLite bytes changed, the Chroma folder deleted, the embedding
cache overwritten, theme scores deleted, coverage deleted); ``ceser check`` names it and
exits 1, ``ceser check --repair`` rebuilds it from the catalog, and search, themes and
coverage answer exactly as before. Then real processes: two ``ceser ingest`` at once (the
second waits, then finds nothing to do), ``--no-wait``, and a search during an ingest."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT, variety_batch
from helpers import VARIETY_BATCH as DOCS

from ceser_explorer.cli import cli

QUERIES = ("recherche et enseignement supérieur", "emploi des seniors", "compétences")

pytestmark = pytest.mark.model


def _forget_clients() -> None:
    """Drop Chroma's clients kept per path, as a new process would start without them."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _ceser(home: Path, *args: str) -> tuple[int, Any]:
    out = CliRunner().invoke(cli, ["--home", str(home), *args])
    _forget_clients()
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        raise out.exception
    text = out.stdout
    return out.exit_code, json.loads(text) if text.lstrip()[:1] in ("{", "[") else text


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return variety_batch(tmp_path_factory.mktemp("batch"))


def _answers(home: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in QUERIES:
        code, found = _ceser(home, "search", q, "-k", "8", "--json")
        assert code == 0, found
        out[q] = [(h["passage_id"], round(h["score"], 5)) for h in found["hits"]]
    code, recs = _ceser(home, "recommendations", "--theme", "recherche", "--json")
    assert code == 0, recs
    out["theme"] = sorted(r["id"] for r in recs)
    code, cov = _ceser(home, "coverage", "--json")
    assert code == 0, cov
    out["coverage"] = cov
    return out


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 997):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _sql(home: Path, sql: str) -> None:
    db = sqlite3.connect(home / "catalog.sqlite")
    db.execute(sql)
    db.commit()
    db.close()


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "postings truncated": (
        "catalog.sqlite.bm25.npz",
        lambda h: (h / "catalog.sqlite.bm25.npz").write_bytes(
            (h / "catalog.sqlite.bm25.npz").read_bytes()[:300]
        ),
    ),
    "chroma bytes flipped": ("chroma", lambda h: _flip(h / "chroma" / "chroma.sqlite3")),
    "chroma deleted": ("chroma", lambda h: shutil.rmtree(h / "chroma")),
    "embedding cache overwritten": (
        "embeddings.sqlite",
        lambda h: (h / "embeddings.sqlite").write_bytes(b"pas une base SQLite " * 500),
    ),
    "theme scores deleted": (
        "catalog.sqlite",
        lambda h: _sql(
            h,
            "DELETE FROM passage_themes WHERE passage_id IN "
            "(SELECT passage_id FROM passages WHERE doc_id = 1)",
        ),
    ),
    "coverage deleted": ("catalog.sqlite", lambda h: _sql(h, "DELETE FROM coverage")),
}


def test_check_names_each_damaged_file_and_repair_gives_the_same_answers(
    batch, tmp_path, monkeypatch
):
    home = tmp_path / "home"
    code, report = _ceser(home, "ingest", str(batch), "--json")
    assert code == 0 and not report["derived"]["problems"], report
    # a private copy of the shared embedding cache: this test damages it
    shutil.copy(os.environ["CESER_EMBEDDING_CACHE"], home / "embeddings.sqlite")
    monkeypatch.setenv("CESER_EMBEDDING_CACHE", str(home / "embeddings.sqlite"))
    code, first = _ceser(home, "check", "--json")
    assert code == 0 and first["ok"], first
    before = _answers(home)
    for name, (file, damage) in DAMAGE.items():
        damage(home)
        code, found = _ceser(home, "check", "--json")
        assert code == 1 and not found["ok"], f"{name}: not found by ceser check"
        assert any(str(home / file) in p["problem"] for p in found["problems"]), (name, found)
        code, repaired = _ceser(home, "check", "--repair", "--json")
        assert code == 0 and repaired["ok"], (name, repaired)
        assert all(p["repaired"] for p in repaired["problems"]), (name, repaired)
        code, again = _ceser(home, "check", "--json")
        assert code == 0 and again["ok"], (name, again)
        assert _answers(home) == before, f"{name}: answers differ after the repair"


def test_commands_meeting_a_damaged_chroma_file_say_what_to_run(batch, tmp_path):
    home = tmp_path / "home"
    code, report = _ceser(home, "ingest", str(batch), "--json")
    assert code == 0, report
    _flip(home / "chroma" / "chroma.sqlite3")
    out = CliRunner().invoke(cli, ["--home", str(home), "search", "compétences"])
    _forget_clients()
    assert "ceser check --repair" in str(out.exception) and str(home / "chroma") in str(
        out.exception
    )
    code, report = _ceser(home, "reindex", "--json")  # a writer rebuilds it
    assert code == 0 and report.get("damaged_store_rebuilt") is True, report
    assert report["added"] == report["passages"]


# -- one writer at a time, real processes ----------------------------------------------------


def _start(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ceser_explorer.cli", "--home", str(home), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_ingests_at_once_the_second_waits_then_finds_nothing_to_do(batch, tmp_path):
    from ceser_explorer.lock import holder

    home = tmp_path / "home"
    first = _start(home, "ingest", str(batch), "--json")
    deadline = time.monotonic() + 120
    while holder(home) != first.pid:
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    second = _start(home, "ingest", str(batch), "--json")
    refused = _start(home, "ingest", str(batch), "--no-wait", "--json")
    out, err = refused.communicate(timeout=120)
    assert refused.returncode == 2, err
    assert f"une indexation est déjà en cours (pid {first.pid})" in err
    reader = _start(home, "search", "compétences", "--mode", "lexical", "--json")
    out, err = reader.communicate(timeout=120)
    reading_during = first.poll() is None
    assert reader.returncode == 0, err  # readers never wait for the writer
    assert isinstance(json.loads(out)["hits"], list)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    assert f"une indexation est déjà en cours (pid {first.pid}), attente…" in err2
    done, again = json.loads(out1), json.loads(out2)
    assert len(done["added"]) == len(DOCS) and not done["failed"]
    assert len(again["unchanged"]) == len(DOCS) and not again["added"] and not again["failed"]
    assert again["derived"]["themed_passages"] == 0 and again["derived"]["vectors"]["added"] == 0
    code, status = _ceser(home, "status", "--json")
    assert code == 0 and status["documents"] == len(DOCS) and not status["pending"]["any"]
    print(f"search answered while the first ingest still ran: {reading_during}")


def test_a_reader_opened_before_another_process_ingests_sees_the_new_vectors(batch, tmp_path):
    """The explorer keeps its workspace open while an import (a child process) or a ``ceser
    ingest`` writes: its next dense search reads the store again, not the index it held."""
    from ceser_explorer import Workspace

    home, folder = tmp_path / "home", tmp_path / "in"
    folder.mkdir()
    shutil.copy(batch / DOCS[0], folder / DOCS[0])

    def ingest() -> None:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "ceser_explorer.cli",
                "--home",
                str(home),
                "ingest",
                str(folder),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr[-500:]

    ingest()
    with Workspace.open(home) as ws:
        assert ws.search("enseignement supérieur", k=3, mode="dense")  # the store is now held
        shutil.copy(batch / DOCS[2], folder / DOCS[2])
        ingest()
        doc = ws.catalog.find_document(DOCS[2])
        assert doc is not None
        target = max(ws.catalog.passages(doc_id=doc.doc_id), key=lambda p: len(p.text))
        query = " ".join(target.text.split()[:14])
        top = ws.search(query, k=3, mode="dense")
        assert top and top[0].passage.passage_id == target.passage_id, [
            (h.passage.document.file if h.passage.document else "", h.passage.text[:50])
            for h in top
        ]
