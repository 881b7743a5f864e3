"""Run ``ceser ingest`` as a real process, watch its progress in the catalog, kill it.

The progress markers are what the catalog shows to any reader (SQLite in WAL mode): how many
documents are stored, how many carry theme scores, whether the BM25 file is current, how
many préconisations have a stored coverage. ``Phase`` names the step between two markers;
``timeline`` times each phase on a clean run, and ``run_and_kill`` kills a run a seeded
fraction of the way into the phase asked for.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import ROOT

POLL = 0.02


@dataclass(frozen=True)
class Marks:
    """What the catalog of a data folder shows at one moment."""

    documents: int = 0
    themed: int = 0
    postings: bool = False
    coverage: int = 0


def marks(home: Path) -> Marks:
    """Return the progress markers of the data folder (zeros before the catalog exists)."""
    path = home / "catalog.sqlite"
    if not path.exists() or path.stat().st_size == 0:
        return Marks()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            cols = [r[1] for r in db.execute("PRAGMA table_info(documents)")]
            themed = (
                db.execute(
                    "SELECT count(*) FROM documents WHERE themes_model IS NOT NULL"
                ).fetchone()[0]
                if "themes_model" in cols
                else 0
            )
            gen = db.execute("SELECT generation FROM passages_state").fetchone()[0]
            coverage = db.execute("SELECT count(*) FROM coverage").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return Marks()  # created but not migrated yet
    from ceser_explorer.search.postings import saved_generation

    saved = saved_generation(path.with_name(path.name + ".bm25.npz"))
    return Marks(docs, themed, saved == gen, coverage)


def command(home: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "ceser_explorer.cli", "--home", str(home), "ingest", str(folder)]


def start(home: Path, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [*command(home, folder), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# a phase: its name and the test that says it has begun, given the folder's final markers
Phase = tuple[str, Callable[[Marks, Marks], bool]]


def phases(final: Marks) -> list[Phase]:
    """Return the phases of a clean ingest of a batch whose final markers are final."""
    out: list[Phase] = [("start", lambda m, f: True)]
    for k in range(1, final.documents):
        out.append((f"extraction {k + 1}", lambda m, f, k=k: m.documents >= k))
    out.append(("themes", lambda m, f: m.documents >= f.documents))
    out.append(("vectors", lambda m, f: m.themed >= f.themed and m.documents >= f.documents))
    out.append(("coverage", lambda m, f: m.postings and m.themed >= f.themed))
    return out


def timeline(home: Path, folder: Path) -> tuple[dict[str, float], Marks]:
    """Run a clean ingest; return {phase: seconds from the start when it began, "end": ...}
    and the final markers."""
    proc = start(home, folder)
    t0 = time.monotonic()
    samples: list[tuple[float, Marks]] = []
    while proc.poll() is None:
        samples.append((time.monotonic() - t0, marks(home)))
        time.sleep(POLL)
    _, err = proc.communicate()
    end = time.monotonic() - t0
    assert proc.returncode == 0, err[-2000:]
    final = marks(home)
    seen: dict[str, float] = {}
    for name, begun in phases(final):
        seen[name] = next((t for t, m in samples if begun(m, final)), end)
    seen["end"] = end
    return seen, final


def run_and_kill(
    home: Path, folder: Path, final: Marks, phase: str, seconds: float
) -> tuple[bool, Marks]:
    """Start an ingest, wait until phase begins, then seconds more, and SIGKILL it; return
    whether it was still running when killed, and the markers at that moment."""
    begun = dict(phases(final))[phase]
    return _kill_when(home, folder, lambda: begun(marks(home), final), seconds)


def kill_after_progress(home: Path, folder: Path, seconds: float) -> tuple[bool, Marks]:
    """Start an ingest (a re-run), wait until the catalog shows it made progress, then
    seconds more, and SIGKILL it; return whether it was still running, and the markers."""
    before = marks(home)
    return _kill_when(home, folder, lambda: marks(home) != before, seconds)


def _kill_when(
    home: Path, folder: Path, begun: Callable[[], bool], seconds: float
) -> tuple[bool, Marks]:
    """Start an ingest, wait until begun() is true, then seconds more, and SIGKILL it; return
    whether it was still running when killed, and the markers at that moment."""
    proc = start(home, folder)
    try:
        while proc.poll() is None and not begun():
            time.sleep(POLL)
        deadline = time.monotonic() + seconds
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(POLL)
        running = proc.poll() is None
        at = marks(home)
        if running:
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate()
    return running, at


def ingest(home: Path, folder: Path) -> dict[str, Any]:
    """Run ingest to the end; return its JSON report."""
    proc = start(home, folder)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out)


def snapshot(home: Path) -> dict[str, Any]:
    """Return everything an ingest makes, in a form two data folders can be compared by."""
    from ceser_explorer.config import Settings
    from ceser_explorer.index.embedders import embedder_id
    from ceser_explorer.index.store import VectorStore

    db = sqlite3.connect(home / "catalog.sqlite")
    try:
        passages = db.execute(
            "SELECT d.file, p.passage_id, p.ordinal, p.kind, p.text, p.section, p.page, p.boxes,"
            " p.spans FROM passages p JOIN documents d USING (doc_id) ORDER BY d.file, p.ordinal"
        ).fetchall()
        themes = db.execute(
            "SELECT passage_id, theme, round(score, 6), retained, review FROM passage_themes "
            "ORDER BY passage_id, theme"
        ).fetchall()
        rec_themes = db.execute(
            "SELECT rec_id, theme, round(score, 6), retained, review FROM recommendation_themes "
            "ORDER BY rec_id, theme"
        ).fetchall()
        coverage = db.execute(
            "SELECT rec_id, status, measure_id, round(score, 4), computed_with FROM coverage "
            "ORDER BY rec_id"
        ).fetchall()
        stamps = db.execute("SELECT file, themes_model FROM documents ORDER BY file").fetchall()
    finally:
        db.close()
    from chromadb.api.shared_system_client import SharedSystemClient

    settings = Settings.load(home=home)
    store = VectorStore.open(settings, embedder_id(None), None)
    vectors: dict[str, Any] = {}
    if store is not None:
        got = store.collection.get(include=["embeddings", "metadatas"])
        for pid, vector, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
            vectors[pid] = ([round(float(x), 6) for x in vector], dict(meta or {}))
    SharedSystemClient.clear_system_cache()
    return {
        "passages": passages,
        "themes": themes,
        "recommendation_themes": rec_themes,
        "coverage": coverage,
        "theme_stamps": stamps,
        "vectors": vectors,
    }
