"""Batch re-index: only what changed is processed; bad files never cost the batch or the data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import samples
from click.testing import CliRunner

from ceser_explorer import batch
from ceser_explorer import ingest as ingest_pkg
from ceser_explorer.batch import ingest_paths
from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli


def passage_ids(cat: Catalog, name: str) -> list[str]:
    doc = cat.find_document(name)
    assert doc is not None
    return [p.passage_id for p in cat.passages(doc_id=doc.doc_id)]


def test_incremental_reindex_add_skip_update_rename_prune(
    catalog, sample_pdf, tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    a = sample_pdf("two_columns.pdf", folder)
    sample_pdf("budget_table.pdf", folder)
    first = ingest_paths(catalog, [folder], ocr=False)
    assert sorted(Path(f).name for f in first.added) == ["budget_table.pdf", "two_columns.pdf"]
    ids_before = passage_ids(catalog, "two_columns.pdf")

    # unchanged files are skipped without being read again
    def must_not_parse(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(batch, "parse_pdf", must_not_parse)
    again = ingest_paths(catalog, [folder], ocr=False)
    assert len(again.unchanged) == 2 and not again.added and not again.updated
    assert passage_ids(catalog, "two_columns.pdf") == ids_before

    # touched but identical: the hash says unchanged
    os.utime(a, (time.time() + 5, time.time() + 5))
    assert len(ingest_paths(catalog, [folder], ocr=False).unchanged) == 2
    monkeypatch.setattr(batch, "parse_pdf", ingest_pkg.parse_pdf)

    # renamed: recognised by hash, ids kept
    renamed = folder / "avis_renomme.pdf"
    a.rename(renamed)
    moved = ingest_paths(catalog, [folder], ocr=False)
    assert moved.moved and Path(moved.moved[0]["to"]).name == "avis_renomme.pdf"
    assert passage_ids(catalog, "avis_renomme.pdf") == ids_before
    assert catalog.stats()["documents"] == 2

    # changed content at the same path: replaced atomically
    shutil.copy(folder / "budget_table.pdf", renamed)
    updated = ingest_paths(catalog, [folder], ocr=False)
    assert [Path(f).name for f in updated.updated] == ["avis_renomme.pdf"]
    assert passage_ids(catalog, "avis_renomme.pdf") != ids_before
    assert catalog.integrity_problems() == []

    # pruned: documents whose file is gone are removed
    (folder / "budget_table.pdf").unlink()
    pruned = ingest_paths(catalog, [folder], prune=True, ocr=False)
    assert [Path(f).name for f in pruned.removed] == ["budget_table.pdf"]
    assert catalog.stats()["documents"] == 1
    assert catalog.integrity_problems() == []


def test_the_same_content_under_another_name_is_a_duplicate_not_a_second_document(
    catalog, sample_pdf, tmp_path
):
    folder = tmp_path / "in"
    a = sample_pdf("two_columns.pdf", folder)
    copy = folder / "z_copie.pdf"
    shutil.copy(a, copy)
    first = ingest_paths(catalog, [folder], ocr=False)
    assert first.added == [str(a)] and first.ok
    assert first.duplicates == [{"file": str(copy), "of": str(a.resolve())}]
    assert catalog.stats()["documents"] == 1
    data = json.loads(json.dumps(first.to_dict()))
    assert data["duplicates"] == [{"file": str(copy), "of": str(a.resolve())}]

    # a later batch: another copy is a duplicate too, nothing stored twice
    later = tmp_path / "later" / "avis_bis.pdf"
    later.parent.mkdir()
    shutil.copy(a, later)
    second = ingest_paths(catalog, [later], ocr=False)
    assert second.duplicates == [{"file": str(later), "of": str(a.resolve())}]
    assert not second.added and not second.moved and second.ok
    assert catalog.stats()["documents"] == 1
    assert catalog.integrity_problems() == []

    # the original gone: the copy takes its place (moved), ids kept, no duplicate
    ids = passage_ids(catalog, "two_columns.pdf")
    a.unlink()
    copy.unlink()
    moved = ingest_paths(catalog, [later], ocr=False)
    assert moved.moved == [{"from": str(a.resolve()), "to": str(later)}]
    assert not moved.duplicates and catalog.stats()["documents"] == 1
    assert passage_ids(catalog, "avis_bis.pdf") == ids


def test_documents_read_by_an_older_extraction_are_read_again(catalog, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    a = sample_pdf("two_columns.pdf", folder)
    sample_pdf("budget_table.pdf", folder)
    ingest_paths(catalog, [folder], ocr=False)
    stored = catalog.find_document("two_columns.pdf")
    assert stored is not None and stored.extraction == ingest_pkg.EXTRACTION_VERSION
    with catalog.transaction() as db:  # as if an older ceser-explorer had read it
        db.execute("UPDATE documents SET extraction = 1 WHERE doc_id = ?", (stored.doc_id,))
    again = ingest_paths(catalog, [folder], ocr=False)
    assert [Path(f).name for f in again.updated] == ["two_columns.pdf"]
    assert [Path(f).name for f in again.reread] == ["two_columns.pdf"]
    assert [Path(f).name for f in again.unchanged] == ["budget_table.pdf"]
    after = catalog.find_document("two_columns.pdf")
    assert after is not None and after.extraction == ingest_pkg.EXTRACTION_VERSION
    assert after.doc_id == stored.doc_id and catalog.integrity_problems() == []

    # renamed while stored by an older extraction: read again in place, recorded as moved
    with catalog.transaction() as db:
        db.execute("UPDATE documents SET extraction = 1 WHERE doc_id = ?", (stored.doc_id,))
    a.rename(folder / "avis_renomme.pdf")
    moved = ingest_paths(catalog, [folder], ocr=False)
    assert moved.moved and [Path(f).name for f in moved.updated] == ["avis_renomme.pdf"]
    renamed = catalog.find_document("avis_renomme.pdf")
    assert renamed is not None and renamed.doc_id == stored.doc_id
    assert renamed.extraction == ingest_pkg.EXTRACTION_VERSION
    assert catalog.stats()["documents"] == 2


def test_a_catalog_of_schema_3_is_migrated_and_its_documents_marked_for_reading_again(
    tmp_path,
):
    from ceser_explorer.catalog.migrations import MIGRATIONS

    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        db.executescript(f"{script()}\nPRAGMA user_version = {number};")
    db.execute(
        "INSERT INTO documents (path, file, sha256, size, mtime, ingested_at) "
        "VALUES ('/x/a.pdf', 'a.pdf', 'abc', 1, 1.0, '2025-01-01')"
    )
    db.commit()
    db.close()
    cat = Catalog(path)
    try:
        assert cat.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        (doc,) = cat.documents()
        assert doc.extraction == 1 < ingest_pkg.EXTRACTION_VERSION
    finally:
        cat.close()


def test_reingesting_an_unchanged_document_gives_the_same_ids(settings, sample_pdf, tmp_path):
    pdf = sample_pdf("two_columns.pdf")
    with Catalog(tmp_path / "one.sqlite") as one, Catalog(tmp_path / "two.sqlite") as two:
        ingest_paths(one, [pdf], ocr=False)
        ingest_paths(two, [pdf], ocr=False)
        assert passage_ids(one, "two_columns.pdf") == passage_ids(two, "two_columns.pdf")
        assert [r.rec_id for r in one.recommendations()] == [
            r.rec_id for r in two.recommendations()
        ]


def make_bad_files(folder: Path, good: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vide.pdf").write_bytes(b"")
    (folder / "pas_un_pdf.pdf").write_text("Ceci est un texte, pas un PDF.\n")
    data = good.read_bytes()
    (folder / "tronque.pdf").write_bytes(data[: len(data) // 3])
    samples.encrypted(folder / "mot_de_passe.pdf", good)
    samples.no_pages(folder / "sans_page.pdf")
    return {
        "vide.pdf": "fichier vide",
        "pas_un_pdf.pdf": "ce n'est pas un PDF",
        "tronque.pdf": "endommagé ou tronqué",
        "mot_de_passe.pdf": "mot de passe",
        "sans_page.pdf": "aucune page",
    }


def test_bad_inputs_each_get_one_line_and_the_batch_goes_on(catalog, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    good = sample_pdf("two_columns.pdf", folder)
    expected = make_bad_files(folder, good)
    summary = ingest_paths(catalog, [folder], ocr=False)
    assert [Path(f).name for f in summary.added] == ["two_columns.pdf"]
    failed = {Path(f["file"]).name: f["error"] for f in summary.failed}
    assert set(failed) == set(expected)
    for name, reason in expected.items():
        assert reason in failed[name]
        assert "\n" not in failed[name] and name in failed[name]
    assert catalog.stats()["documents"] == 1
    assert len(catalog.failures()) == len(expected)


def test_a_bad_new_version_leaves_the_stored_document_untouched(catalog, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    pdf = sample_pdf("two_columns.pdf", folder)
    ingest_paths(catalog, [folder], ocr=False)
    before = passage_ids(catalog, "two_columns.pdf")
    pdf.write_bytes(pdf.read_bytes()[:500])
    summary = ingest_paths(catalog, [folder], ocr=False)
    assert summary.failed and not summary.updated
    assert passage_ids(catalog, "two_columns.pdf") == before


def test_a_file_that_disappears_mid_batch_is_reported(catalog, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    doomed = sample_pdf("budget_table.pdf", folder)
    doomed2 = doomed.with_name("zz_disparu.pdf")
    doomed.rename(doomed2)

    class Deleter(batch.SilentReporter):
        def file_started(self, name, index, total):
            if index == 0:
                doomed2.unlink()

    summary = ingest_paths(catalog, [folder], reporter=Deleter(), ocr=False)
    assert [Path(f["file"]).name for f in summary.failed] == ["zz_disparu.pdf"]
    assert "disparu" in summary.failed[0]["error"]
    assert len(summary.added) == 1


def test_a_pdf_named_that_does_not_exist_is_not_found_not_vanished(catalog, sample_pdf, tmp_path):
    """A mistyped path is reported as not found (the file never was there), the rest ingested."""
    good = sample_pdf("two_columns.pdf", tmp_path / "in")
    summary = ingest_paths(catalog, [good, tmp_path / "in" / "tow_columns.pdf"], ocr=False)
    assert [Path(f["file"]).name for f in summary.failed] == ["tow_columns.pdf"]
    assert "introuvable" in summary.failed[0]["error"]
    assert "disparu" not in summary.failed[0]["error"]
    assert len(summary.added) == 1


@pytest.mark.model  # the CLI embeds the new passages with the default model
def test_cli_json_summary_and_exit_status(home, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    good = sample_pdf("two_columns.pdf", folder)
    (folder / "vide.pdf").write_bytes(b"")
    runner = CliRunner()
    result = runner.invoke(cli, ["--home", str(home), "ingest", str(folder), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"added", "updated", "unchanged", "removed", "failed"}
    assert data["added"] == [str(good)]
    assert data["failed"][0]["file"] == str(folder / "vide.pdf")
    (folder / "vide.pdf").unlink()
    shutil.copy(good, folder / "copie.pdf")  # a duplicate is reported, not a failure
    result = runner.invoke(cli, ["--home", str(home), "ingest", str(folder), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["unchanged"] == [str(good)]
    assert data["duplicates"] == [{"file": str(folder / "copie.pdf"), "of": str(good.resolve())}]
    result = runner.invoke(cli, ["--home", str(home), "ingest", str(folder)])
    assert result.exit_code == 0
    assert "doublon" in result.stdout and "copie.pdf" in result.stdout


@pytest.mark.model
def test_sigkill_mid_batch_leaves_a_consistent_catalog(home, sample_pdf, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(6):
        src = sample_pdf("budget_table.pdf" if i % 2 else "two_columns.pdf", tmp_path / f"s{i}")
        # distinct content per file: a comment after %%EOF keeps it a valid PDF
        (folder / f"doc_{i}.pdf").write_bytes(src.read_bytes() + f"\n% copy {i}\n".encode())
    db = home / "catalog.sqlite"
    cmd = [sys.executable, "-m", "ceser_explorer.cli", "--home", str(home), "ingest", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    count = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                con = sqlite3.connect(db, timeout=1)
                count = con.execute("SELECT count(*) FROM documents").fetchone()[0]
                con.close()
            except sqlite3.OperationalError:
                count = 0
            if count >= 2:
                break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the batch finished before it could be killed; make the batch longer")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Catalog(db) as cat:
        assert cat.integrity_problems() == []
        n_before = cat.stats()["documents"]
        assert 2 <= n_before < 6
        summary = ingest_paths(cat, [folder], ocr=False)
        assert len(summary.added) == 6 - n_before
        assert cat.stats()["documents"] == 6
        assert cat.integrity_problems() == []
        ids = [p.passage_id for p in cat.passages()]
        assert len(ids) == len(set(ids))


@pytest.mark.model  # the CLI embeds the new passages with the default model
def test_text_from_a_pdf_is_printed_not_read_as_terminal_markup(home, sample_pdf, tmp_path):
    # « [/] » in a title once crashed ceser status and ceser passages for the whole catalog
    folder = tmp_path / "in"
    pdf = sample_pdf("two_columns.pdf", folder)
    (folder / "metadata.toml").write_text(
        f'["{pdf.name}"]\ntitle = "Avis [/] sur [bold]la formation"\nbody = "CESER [x]"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["--home", str(home), "ingest", str(folder)]).exit_code == 0
    for args in (["status"], ["passages", "--doc", pdf.name], ["recommendations"]):
        result = runner.invoke(cli, ["--home", str(home), *args])
        assert result.exit_code == 0, (args, result.output)
    status = runner.invoke(cli, ["--home", str(home), "status"]).stdout
    assert "Avis [/] sur [bold]la formation" in status
    recs = runner.invoke(cli, ["--home", str(home), "recommendations"]).stdout
    assert "CESER [x]" in recs


def test_a_metadata_toml_written_after_ingest_is_read_at_the_next_one(
    catalog, sample_pdf, tmp_path
):
    """A user sees a wrong date in « ceser status », writes metadata.toml and ingests again:
    the entry was ignored, the PDF being unchanged. Now a given value added, changed or
    removed reads the PDF again; an unchanged entry leaves it alone."""
    folder = tmp_path / "in"
    pdf = sample_pdf("two_columns.pdf", folder)
    meta = folder / "metadata.toml"

    def ingest() -> batch.BatchSummary:
        summary = ingest_paths(catalog, [str(folder)])
        assert summary.ok, summary.failed
        return summary

    assert len(ingest().added) == 1
    detected = catalog.documents()[0].date
    meta.write_text(f'["{pdf.name}"]\ndate = "12/11/2025"\n', "utf-8")
    summary = ingest()
    assert summary.updated == summary.regiven == [str(pdf)] and summary.reread == []
    assert summary.to_dict()["metadata_given"] == [str(pdf)]
    assert catalog.documents()[0].date == "2025-11-12"
    assert len(ingest().unchanged) == 1  # the same entry: nothing to read
    meta.write_text(f'["{pdf.name}"]\ndate = "2024-03-05"\n', "utf-8")
    assert len(ingest().updated) == 1 and catalog.documents()[0].date == "2024-03-05"
    meta.write_text("", "utf-8")  # the entry removed: the date read from the PDF again
    assert len(ingest().updated) == 1 and catalog.documents()[0].date == detected
    assert len(ingest().unchanged) == 1
