"""Extraction in worker processes: same passages as in-process, one file's trouble (a hang,
memory, a symlink loop, permissions, a parser error) costs that file alone, --prune stays
under the paths given, the Import page's ingestion runs in another process."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT
from hostile import pdf_bytes

from ceser_explorer import batch
from ceser_explorer.batch import ingest_paths
from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli
from ceser_explorer.config import Limits, Settings
from ceser_explorer.workers import ENV_TEST_HANG, ExtractionPool
from ceser_explorer.workspace import DerivedReport, Workspace


def contents(cat: Catalog) -> list[Any]:
    """Everything a batch stored, in catalog order: documents, passages, records."""
    out: list[Any] = []
    for doc in cat.documents():
        out.append((doc.file, doc.title, doc.kind, doc.date, doc.page_count, doc.sha256))
    for p in cat.passages():
        boxes = [b.to_dict() for b in p.provenance.boxes]
        out.append((p.passage_id, p.ordinal, p.kind, p.page, p.text, boxes, p.section))
    out += [(r.rec_id, r.number, r.text, r.page) for r in cat.recommendations()]
    out += [(m.measure_id, m.code, m.title, m.amount_eur) for m in cat.measures()]
    return out


def distinct_copies(src: Path, folder: Path, n: int) -> list[Path]:
    """n copies of a PDF with distinct content (a comment after %%EOF keeps it valid)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        target = folder / f"{src.stem}_{i}.pdf"
        target.write_bytes(src.read_bytes() + f"\n% copie {folder.name} {i}\n".encode())
        out.append(target)
    return out


def test_parallel_ingest_stores_exactly_the_passages_of_the_sequential_one(
    sample_pdf, tmp_path
) -> None:
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    sample_pdf("budget_table.pdf", folder)
    sample_pdf("scanned.pdf", folder)
    shutil.copy(ROOT / "corpus" / "plan_ia_occitanie.pdf", folder)  # measures too
    found = {}
    for workers in (0, 2):
        with Catalog(tmp_path / f"w{workers}.sqlite") as cat:
            summary = ingest_paths(cat, [folder], ocr=False, workers=workers)
            assert summary.ok and len(summary.added) == 4
            found[workers] = contents(cat)
            assert cat.measures() and cat.recommendations()
    assert len(found[0]) > 100
    assert found[2] == found[0]


def test_a_file_that_hangs_is_killed_at_its_wall_time_and_the_next_goes_in(
    catalog, sample_pdf, tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder).rename(folder / "a_bloque.pdf")
    sample_pdf("budget_table.pdf", folder)
    monkeypatch.setenv(ENV_TEST_HANG, "a_bloque.pdf")  # the worker sleeps instead of reading
    start = time.monotonic()
    summary = ingest_paths(catalog, [folder], ocr=False, limits=Limits(workers=1, file_seconds=2))
    assert time.monotonic() - start < 60  # not the hour the worker would sleep
    assert [Path(f).name for f in summary.added] == ["budget_table.pdf"]
    (failure,) = summary.failed
    assert Path(failure["file"]).name == "a_bloque.pdf"
    assert "lecture interrompue après 2 s" in failure["error"]
    assert "CESER_FILE_SECONDS" in failure["error"] and "\n" not in failure["error"]
    assert [Path(p).name for p, _ in catalog.failures()] == ["a_bloque.pdf"]


def inflating_pdf(path: Path, megabytes: int) -> Path:
    """A one-page PDF whose content stream, 40 kB on disk, inflates to megabytes of text."""
    import zlib

    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Essai) Tj ET\n" + b" " * (megabytes << 20))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(objects))
    return path


def test_a_worker_past_its_memory_cap_fails_its_file_alone(catalog, sample_pdf, tmp_path):
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    # the cap: what a worker maps once it has read a document, and 160 MB more; the bad file
    # inflates to 400 MB (past the cap, within the limit on inflated streams)
    pool = ExtractionPool(1)
    try:
        pool.submit(0, folder / "two_columns.pdf", "two_columns.pdf", False)
        pool.result(0)
        status = Path(f"/proc/{pool._workers[0].process.pid}/status").read_text()
    finally:
        pool.close()
    mapped_mb = (
        int(next(x for x in status.splitlines() if x.startswith("VmSize:")).split()[1]) >> 10
    )
    inflating_pdf(folder / "gonfle.pdf", 400)
    limits = Limits(workers=1, memory_mb=mapped_mb + 160, inflated_bytes=1 << 31)
    summary = ingest_paths(catalog, [folder], ocr=False, limits=limits)
    assert [Path(f).name for f in summary.added] == ["two_columns.pdf"]
    (failure,) = summary.failed
    assert Path(failure["file"]).name == "gonfle.pdf"
    assert "CESER_WORKER_MEMORY_MB" in failure["error"] and "\n" not in failure["error"]
    # under an ordinary cap the same file goes in
    again = ingest_paths(
        catalog, [folder], ocr=False, limits=Limits(workers=1, inflated_bytes=1 << 31)
    )
    assert [Path(f).name for f in again.added] == ["gonfle.pdf"]


def test_an_unexpected_parser_error_fails_that_file_alone(
    catalog, sample_pdf, tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    sample_pdf("budget_table.pdf", folder)
    real = batch.parse_pdf

    def parse(path: Path, **kwargs: Any) -> Any:
        if Path(path).name == "budget_table.pdf":
            raise KeyError("/Font")
        return real(path, **kwargs)

    monkeypatch.setattr(batch, "parse_pdf", parse)
    summary = ingest_paths(catalog, [folder], ocr=False, workers=0)
    assert [Path(f).name for f in summary.added] == ["two_columns.pdf"]
    (failure,) = summary.failed
    assert "budget_table.pdf : erreur inattendue (KeyError" in failure["error"]
    assert "\n" not in failure["error"]


def unreadable(path: Path) -> str:
    """Make a PDF name the batch cannot read; return the words of its error."""
    if os.geteuid() != 0:
        path.write_bytes(b"%PDF-1.4\n")
        path.chmod(0)
        return "accès refusé"
    os.mkfifo(path)  # root reads any file: a pipe that would block the reader instead
    return "pas un fichier ordinaire"


@pytest.fixture
def no_derive(monkeypatch):
    """The CLI without the derived steps (no model): only the batch and its report."""
    problems: list[str] = []

    def derive(self: Workspace, *args: Any, **kwargs: Any) -> DerivedReport:
        return DerivedReport(problems=list(problems))

    monkeypatch.setattr(Workspace, "derive", derive)
    return problems


def run_ingest(home: Path, *args: str) -> tuple[int, dict[str, Any]]:
    args = (*args, "--json", "--no-vectors")  # no model: the derived steps are stubbed
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_each_bad_file_fails_alone_with_one_line_and_the_json_is_printed(
    home, sample_pdf, tmp_path, no_derive
) -> None:
    folder = tmp_path / "in"
    good = sample_pdf("two_columns.pdf", folder)
    (folder / "boucle.pdf").symlink_to(folder / "boucle.pdf")
    expected = {"boucle.pdf": "boucle de liens symboliques"}
    expected["illisible.pdf"] = unreadable(folder / "illisible.pdf")
    (folder / "tronque.pdf").write_bytes(good.read_bytes()[:700])
    expected["tronque.pdf"] = "endommagé ou tronqué"
    (folder / "lien_casse.pdf").symlink_to(tmp_path / "nulle_part.pdf")
    expected["lien_casse.pdf"] = "lien symbolique cassé"
    missing = tmp_path / "absent"
    try:
        code, data = run_ingest(home, str(folder), str(folder / "boucle.pdf"), str(missing))
    finally:
        (folder / "illisible.pdf").chmod(0o644)
    assert code == 1
    assert data["added"] == [str(good)]
    failed = {Path(f["file"]).name: f["error"] for f in data["failed"]}
    assert set(failed) == {*expected, "absent"}, failed
    for name, words in expected.items():
        assert words in failed[name] and name in failed[name] and "\n" not in failed[name]
    assert "ni dossier ni fichier PDF" in failed["absent"]


def test_a_folder_without_any_pdf_is_named_with_a_warning(home, sample_pdf, tmp_path, no_derive):
    empty, full = tmp_path / "vide", tmp_path / "plein"
    (empty / "sous-dossier").mkdir(parents=True)
    (empty / "notes.txt").write_text("pas un PDF")
    sample_pdf("two_columns.pdf", full)
    result = CliRunner().invoke(
        cli, ["--home", str(home), "ingest", "--no-vectors", str(empty), str(full)]
    )
    assert result.exit_code == 0, result.output
    assert f"aucun PDF dans {empty}" in result.stderr and str(full) not in result.stderr
    code, data = run_ingest(home, str(empty), str(full))
    assert code == 0 and data["empty_folders"] == [str(empty)]


def test_exit_status_1_when_a_derived_index_could_not_be_updated(
    home, sample_pdf, tmp_path, no_derive
) -> None:
    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    no_derive.append("index de vecteurs non mis à jour (disque plein)")
    code, data = run_ingest(home, str(folder))
    assert code == 1 and not data["failed"]
    assert data["derived"]["problems"] == ["index de vecteurs non mis à jour (disque plein)"]
    no_derive.clear()
    code, data = run_ingest(home, str(folder))
    assert code == 0 and data["unchanged"]


def test_prune_stays_under_the_paths_given_and_asks_before_removing_most(
    home, sample_pdf, tmp_path, no_derive
) -> None:
    src = sample_pdf("two_columns.pdf", tmp_path / "src")
    a = distinct_copies(src, tmp_path / "a", 3)
    (b,) = distinct_copies(src, tmp_path / "b", 1)
    code, data = run_ingest(home, str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0 and len(data["added"]) == 4
    a[0].unlink()
    b.unlink()
    code, data = run_ingest(home, str(tmp_path / "a"), "--prune")
    assert code == 0
    assert data["removed"] == [str(a[0].resolve())]  # b is gone too, but not under a/
    with Catalog(home / "catalog.sqlite") as cat:
        assert cat.find_document(b.name) is not None

    # a folder emptied (or unmounted): more than half would go, nothing goes without --yes
    a[1].unlink()
    a[2].unlink()
    code, data = run_ingest(home, str(tmp_path / "a"), "--prune")
    assert code == 1 and data["removed"] == []
    refused = data["prune_refused"]
    assert len(refused["would_remove"]) == 2 and refused["documents_under_paths"] == 2
    assert "--yes" in refused["error"]
    shutil.rmtree(tmp_path / "a")
    code, data = run_ingest(home, str(tmp_path / "a"), "--prune", "--yes")
    assert data["removed"] == [] and code == 1  # a path that is not there prunes nothing
    (tmp_path / "a").mkdir()
    code, data = run_ingest(home, str(tmp_path / "a"), "--prune", "--yes")
    assert code == 0 and sorted(data["removed"]) == sorted(str(p.resolve()) for p in a[1:])
    with Catalog(home / "catalog.sqlite") as cat:
        assert [d.file for d in cat.documents()] == [b.name]


@pytest.mark.model  # the child process updates vectors and themes with the real model
def test_the_import_page_ingestion_runs_in_another_process(sample_pdf, tmp_path, monkeypatch):
    from ceser_explorer.background import run_ingest as run_in_child

    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    sample_pdf("budget_table.pdf", folder).rename(folder / "bloque.pdf")
    monkeypatch.setenv(ENV_TEST_HANG, "bloque.pdf")
    monkeypatch.setenv("CESER_FILE_SECONDS", "3")
    events: list[tuple[Any, ...]] = []

    class Recorder:
        def file_started(self, name: str, index: int, total: int) -> None:
            events.append(("file", Path(name).name, index, total))

        def page_done(self, page: int, pages: int, name: str | None = None) -> None:
            events.append(("page", Path(name or "").name, page, pages))

        def file_done(self, name: str, status: str) -> None:
            events.append(("done", Path(name).name, status))

    vectors: list[tuple[int, int]] = []
    settings = Settings.load(home=tmp_path / "home")
    result = run_in_child(
        settings, [folder], reporter=Recorder(), progress=lambda d, t: vectors.append((d, t))
    )
    assert result["pid"] != os.getpid()
    assert [Path(f).name for f in result["added"]] == ["two_columns.pdf"]
    assert "lecture interrompue" in result["failed"][0]["error"]
    assert ("done", "bloque.pdf", "failed") in events and ("file", "bloque.pdf", 0, 2) in events
    assert ("page", "two_columns.pdf", 1, 1) in events or any(
        e[0] == "page" and e[1] == "two_columns.pdf" for e in events
    )
    assert vectors and vectors[-1][0] == vectors[-1][1] > 0  # every passage embedded
    with Catalog(settings.catalog_path) as cat:
        assert cat.stats()["documents"] == 1


UNGUARDED = """
import sys
from ceser_explorer import Workspace
from ceser_explorer.config import Settings

report = Workspace(Settings.load()).ingest(sys.argv[1:], vectors=False)
print("échecs", len(report.summary.failed))
"""


def test_a_script_that_ingests_at_import_fails_its_files_with_the_fix_instead_of_hanging(
    sample_pdf, tmp_path
):
    # the workers import the caller's script before they run: without the __main__ guard it
    # ingested again from the worker and waited for the lock its own parent held (15 min a file)
    import subprocess
    import sys

    folder = tmp_path / "in"
    sample_pdf("two_columns.pdf", folder)
    script = tmp_path / "sans_garde.py"
    script.write_text(UNGUARDED)
    env = dict(os.environ, CESER_HOME=str(tmp_path / "home"), CESER_FILE_SECONDS="600")
    done = subprocess.run(
        [sys.executable, str(script), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "échecs 1" in done.stdout, done.stderr[-2000:]
    assert "if __name__ == '__main__'" in done.stderr
    assert "déjà en cours" not in done.stderr
