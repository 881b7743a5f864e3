"""Damaged files and the writer lock, without the embedding model: a 0-byte or foreign catalog
is refused (never taken for a new one), a backup restores the same passages, a truncated
BM25 file or a damaged embedding cache is rebuilt, a second writer waits or stops at once,
and what an interrupted run left is reported as pending."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import ROOT, store_doc

from ceser_explorer.catalog import Catalog, PassageFilter
from ceser_explorer.catalog import themes as theme_store
from ceser_explorer.catalog.safety import DamagedCatalogError
from ceser_explorer.cli import cli
from ceser_explorer.config import Settings
from ceser_explorer.index.cache import EmbeddingCache, check_file
from ceser_explorer.lock import LOCK_FILE, WriterBusyError, holder, writer_lock
from ceser_explorer.search.lexical import bm25
from ceser_explorer.search.postings import (
    generation,
    index_path,
    postings,
    refresh,
    saved_generation,
)
from ceser_explorer.workspace import Workspace

PARAGRAPHS = [
    "Le CESER préconise de former les enseignants à l'intelligence artificielle.",
    "La Région finance des bourses doctorales pour la recherche en santé.",
    "Les transports ferroviaires du quotidien doivent être renforcés.",
]


def _passages(cat: Catalog) -> list[tuple[str, str, int]]:
    return [(p.passage_id, p.text, p.page) for p in cat.passages()]


def _filled(settings: Settings) -> list[tuple[str, str, int]]:
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "a.pdf", PARAGRAPHS)
        store_doc(cat, "b.pdf", PARAGRAPHS[:2], kind="plan")
        return _passages(cat)


def test_an_empty_catalog_file_is_refused_never_taken_for_a_new_one(settings):
    settings.ensure().catalog_path.write_bytes(b"")
    with pytest.raises(DamagedCatalogError, match="0 octet") as e:
        Catalog(settings.catalog_path)
    assert str(settings.catalog_path) in str(e.value) and "ceser backup" in str(e.value)
    out = subprocess.run(
        [sys.executable, "-m", "ceser_explorer.cli", "--home", str(settings.home), "status"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 2, out.stderr
    assert str(settings.catalog_path) in out.stderr and "Traceback" not in out.stderr
    assert settings.catalog_path.stat().st_size == 0  # left as it was, for the user to look at


def test_a_foreign_catalog_file_is_refused_and_the_last_backup_is_named(settings, tmp_path):
    expected = _filled(settings)
    copy = Workspace(settings).backup(tmp_path)  # a folder: a dated file inside
    assert copy.parent == tmp_path and copy.name.startswith("catalog-")
    settings.catalog_path.write_bytes(b"%PDF-1.7 not a catalog" * 100)
    for part in ("-wal", "-shm"):
        Path(f"{settings.catalog_path}{part}").unlink(missing_ok=True)
    with pytest.raises(DamagedCatalogError, match="SQLite") as e:
        Catalog(settings.catalog_path)
    assert f"cp {copy.resolve()} {settings.catalog_path}" in str(e.value)
    os.replace(copy, settings.catalog_path)  # what the message says to do
    with Catalog(settings.catalog_path) as cat:
        assert _passages(cat) == expected


def test_backup_is_consistent_and_restores_identical_passages(settings, tmp_path):
    expected = _filled(settings)
    runner = CliRunner()
    out = runner.invoke(cli, ["--home", str(settings.home), "backup", str(tmp_path / "c.sqlite")])
    assert out.exit_code == 0, out.output
    restored = Settings.load(home=tmp_path / "restored")
    restored.ensure()
    os.replace(tmp_path / "c.sqlite", restored.catalog_path)
    with Catalog(restored.catalog_path) as cat:
        assert _passages(cat) == expected
        assert cat.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    out = runner.invoke(cli, ["--home", str(settings.home), "backup", str(settings.catalog_path)])
    assert out.exit_code != 0  # never over the catalog itself


def test_a_truncated_bm25_file_is_rebuilt_not_a_crash(settings):
    _filled(settings)
    with Catalog(settings.catalog_path) as cat:
        postings(cat)
        path = index_path(cat.path)
        before = bm25(cat, {"folded": ["enseignants"]}, PassageFilter(), 5)
        path.write_bytes(path.read_bytes()[:200])  # truncated: BadZipFile before the fix
        assert saved_generation(path) is None
    with Catalog(settings.catalog_path) as cat:
        assert bm25(cat, {"folded": ["enseignants"]}, PassageFilter(), 5) == before
        assert saved_generation(path) == generation(cat.db)  # saved again
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # bytes of no archive
        assert refresh(cat) is True and saved_generation(path) == generation(cat.db)
        assert refresh(cat) is False


def test_a_damaged_embedding_cache_is_set_aside_and_started_again(tmp_path, caplog):
    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put_many("e", {"k": np.ones(4, dtype=np.float32)})
    path.write_bytes(b"garbage, not SQLite" * 200)
    for part in ("-wal", "-shm"):
        Path(f"{path}{part}").unlink(missing_ok=True)
    assert check_file(path) is not None
    with EmbeddingCache(path) as cache:  # raised DatabaseError before the fix
        assert cache.get_many("e", ["k"]) == {}
        cache.put_many("e", {"k": np.ones(4, dtype=np.float32)})
        assert cache.count() == 1
    assert check_file(path) is None
    assert Path(f"{path}.damaged").exists()
    assert "endommagé" in caplog.text


_HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ceser_explorer.lock import writer_lock
    with writer_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _holder_process(home: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(home), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_waits_or_stops_at_once_with_the_holders_pid(settings):
    home = settings.ensure().home
    proc = _holder_process(home, 1.5)
    try:
        assert holder(home) == proc.pid
        with (
            pytest.raises(
                WriterBusyError, match=f"une indexation est déjà en cours \\(pid {proc.pid}\\)"
            ),
            writer_lock(home, wait=False),
        ):
            pass
        said: list[str] = []
        start = time.monotonic()
        with writer_lock(home, notify=said.append):
            waited = time.monotonic() - start
            assert holder(home) == os.getpid()
        assert said == [f"une indexation est déjà en cours (pid {proc.pid}), attente…"]
        assert waited > 0.5
    finally:
        proc.wait(timeout=10)
    assert holder(home) is None  # released, and a killed holder's pid is never reported


def test_a_killed_writer_leaves_no_lock_behind(settings):
    home = settings.ensure().home
    proc = _holder_process(home, 60)
    proc.kill()
    proc.wait()
    assert (home / LOCK_FILE).read_text().strip() == str(proc.pid)  # its pid stays written...
    assert holder(home) is None  # ...but it is not running
    with writer_lock(home, wait=False):  # and the kernel released its lock
        pass


def test_ingest_with_no_wait_stops_at_once_while_another_writes(settings, tmp_path):
    home = settings.ensure().home
    proc = _holder_process(home, 30)
    try:
        out = CliRunner().invoke(
            cli, ["--home", str(home), "ingest", str(tmp_path), "--no-wait", "--json"]
        )
        assert isinstance(out.exception, WriterBusyError)  # main() prints it, exit status 2
        assert f"une indexation est déjà en cours (pid {proc.pid})" in str(out.exception)
        searched = CliRunner().invoke(
            cli, ["--home", str(home), "search", "enseignants", "--mode", "lexical", "--json"]
        )
        assert searched.exit_code == 0, searched.output  # readers never take the lock
    finally:
        proc.kill()
        proc.wait()


def test_themes_of_a_document_read_again_are_pending_until_written(settings):
    _filled(settings)
    with Catalog(settings.catalog_path) as cat:
        docs = [d.doc_id for d in cat.documents()]
        assert theme_store.pending_documents(cat, "m1", ["toc"]) == docs
        for doc in docs:
            passages = {p.passage_id: [] for p in cat.passages(doc_id=doc)}
            score = theme_store.ThemeScore("formation", 0.9, True, False)
            theme_store.store_document_themes(cat, doc, {k: [score] for k in passages}, {}, "m1")
        assert theme_store.pending_documents(cat, "m1", ["toc"]) == []
        assert theme_store.pending_documents(cat, "m2", ["toc"]) == docs  # another model
        cat.db.execute(
            "DELETE FROM passage_themes WHERE rowid IN (SELECT rowid FROM passage_themes LIMIT 1)"
        )
        assert len(theme_store.pending_documents(cat, "m1", ["toc"])) == 1  # scores deleted
        store_doc(cat, "a.pdf", [*PARAGRAPHS, "Un paragraphe ajouté."])  # read again
        assert docs[0] in theme_store.pending_documents(cat, "m1", ["toc"])


def test_a_schema_5_catalog_keeps_its_themes_and_marks_what_an_interrupted_run_left(tmp_path):
    """Migration 6: a document whose passages all have scores keeps the catalog's model; one
    left without themes by a run killed before them (the bug of issue 14) becomes pending."""
    import sqlite3

    from ceser_explorer.catalog.migrations import MIGRATIONS

    path = tmp_path / "catalog.sqlite"
    with Catalog(path) as cat:
        store_doc(cat, "a.pdf", PARAGRAPHS)
        store_doc(cat, "b.pdf", PARAGRAPHS[:2])
        (a, _b) = [d.doc_id for d in cat.documents()]
        score = theme_store.ThemeScore("formation", 0.9, True, False)
        ids = [p.passage_id for p in cat.passages(doc_id=a)]
        theme_store.store_passage_themes(cat, {pid: [score] for pid in ids})
        theme_store.set_setting(cat, "themes.model", "m1")
    db = sqlite3.connect(path)  # back to schema 5, as the catalogs written before
    db.executescript(
        "ALTER TABLE documents DROP COLUMN meta_sources;"
        "ALTER TABLE documents DROP COLUMN themes_model; PRAGMA user_version = 5;"
    )
    db.close()
    with Catalog(path) as cat:
        assert cat.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        stamps = dict(cat.db.execute("SELECT file, themes_model FROM documents").fetchall())
        assert stamps == {"a.pdf": "m1", "b.pdf": None}
        assert [
            cat.document(d).file for d in theme_store.pending_documents(cat, "m1", ["toc"])
        ] == ["b.pdf"]


def test_a_new_catalog_is_created_whole(tmp_path):
    path = tmp_path / "home" / "catalog.sqlite"
    with Catalog(path) as cat:
        assert cat.stats()["documents"] == 0
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert [p.name for p in path.parent.iterdir() if ".new-" in p.name] == []


def test_overwritten_catalog_pages_are_found_by_check_and_stop_readers_in_one_line(settings):
    """A catalog whose pages were overwritten (a bad disk, a stray write) is named by
    ``ceser check`` (SQLite's integrity check) and stops passages and search with one line
    naming the file, never with a traceback or silently wrong answers."""
    with Catalog(settings.ensure().catalog_path) as cat:
        for i in range(30):
            store_doc(
                cat,
                f"d{i}.pdf",
                [f"{p} (document {i}, partie {j})" for p in PARAGRAPHS for j in range(2)],
            )
    path = settings.catalog_path
    data = bytearray(path.read_bytes())
    assert len(data) > 40 * 4096
    for page in range(5, 40, 3):  # b-tree pages whose header no longer says what they are
        data[page * 4096 : page * 4096 + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    home = ["--home", str(settings.home)]
    checked = CliRunner().invoke(cli, [*home, "check", "--json"])
    assert checked.exit_code == 1, checked.output
    found = json.loads(checked.output)
    assert not found["ok"]
    assert any(
        p["area"] == "catalogue" and "endommagé" in p["problem"] and str(path) in p["problem"]
        for p in found["problems"]
    ), found["problems"]
    for args in (["passages", "--limit", "500"], ["search", "formation", "--mode", "lexical"]):
        out = subprocess.run(
            [sys.executable, "-m", "ceser_explorer.cli", *home, *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode != 0, (args, out.stdout[-300:])
        assert "Traceback" not in out.stderr and str(path) in out.stderr, (args, out.stderr)
