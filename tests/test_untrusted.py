"""Untrusted content: text from a PDF is printed literally, uploads never leave their folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import AVIS, CORPUS, PLAN, ROOT

from ceser_explorer.app import uploads
from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli
from ceser_explorer.cli.search import _snippet
from ceser_explorer.models import Hit

MARKUP = "La formation [/] des [bold]apprentis [link=http://exemple.org]ici"


def test_an_upload_never_writes_through_a_planted_part_link(tmp_path: Path) -> None:
    pdf = (ROOT / "corpus" / "avis_budget.pdf").read_bytes()
    folder = tmp_path / "corpus"
    folder.mkdir()
    outside = tmp_path / "ailleurs.txt"
    outside.write_text("à garder", encoding="utf-8")
    # the temporary name the explorer used to write through, planted as a link outside
    (folder / ".avis.pdf.part").symlink_to(outside)
    saved = uploads.save_upload(folder, "avis.pdf", pdf)
    assert saved.path == folder / "avis.pdf" and saved.status == "nouveau"
    assert saved.path.read_bytes() == pdf and not saved.path.is_symlink()
    assert outside.read_text(encoding="utf-8") == "à garder"
    assert (folder / ".avis.pdf.part").is_symlink()  # left as it was
    assert sorted(p.name for p in folder.iterdir()) == [".avis.pdf.part", "avis.pdf"]


def test_an_upload_never_writes_through_a_link_of_its_own_name(tmp_path: Path) -> None:
    pdf = (ROOT / "corpus" / "avis_budget.pdf").read_bytes()
    folder = tmp_path / "corpus"
    folder.mkdir()
    outside = tmp_path / "autre.pdf"
    outside.write_bytes(b"%PDF-1.4 autre")
    (folder / "avis.pdf").symlink_to(outside)
    (folder / "avis-2.pdf").symlink_to(tmp_path / "absent.pdf")  # a dangling one too
    saved = uploads.save_upload(folder, "avis.pdf", pdf)
    assert saved.path == folder / "avis-3.pdf" and saved.status == "renommé"
    assert outside.read_bytes() == b"%PDF-1.4 autre"
    assert not (tmp_path / "absent.pdf").exists()


def _markup_home(home: Path, store_doc) -> None:  # type: ignore[no-untyped-def]
    with Catalog(home / "catalog.sqlite") as cat:
        store_doc(
            cat,
            "avis [/] [bold]x.pdf",
            [MARKUP + "\\", "Autre [/] paragraphe sur la formation [red]"],
            body="CESER [/] Test [bold]",
        )


def test_search_prints_markup_from_a_pdf_literally(tmp_path: Path, store_doc) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _markup_home(home, store_doc)
    result = CliRunner().invoke(
        cli, ["--home", str(home), "search", "--mode", "lexical", "-k", "5", "formation"]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "CESER [/] Test [bold]" in out
    assert "[/] des [bold]apprentis [link=http://exemple.org]ici\\ " in out + " "
    assert "ici\\\\" not in out  # the trailing backslash once came out doubled
    assert "Autre [/] paragraphe sur la formation [red]" in out


def test_snippet_of_a_text_without_spaces_is_cut() -> None:
    from ceser_explorer.models import Box, Passage, Provenance

    text = "x" * 5000
    passage = Passage("p1", 1, 0, "paragraph", text, Provenance((Box(1, 0, 0, 10, 10),), ""))
    shown = _snippet(Hit(1, 1.0, passage)).plain
    assert shown.endswith(" …") and len(shown) < 400


@pytest.mark.model  # ingest embeds the passages, trace and coverage load the model
def test_trace_and_coverage_print_markup_from_a_pdf_literally(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (AVIS, PLAN):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "metadata.toml").write_text(
        f'["{AVIS}"]\nkind = "avis"\ntitle = "Avis [/] sur [bold]l\'IA"\n'
        'body = "CESER [/] Occitanie [red]"\n'
        f'["{PLAN}"]\nkind = "plan"\ntitle = "Plan [/] IA"\nbody = "Région [/] Occitanie [bold]"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    runner = CliRunner()
    ingest = runner.invoke(cli, ["--home", str(home), "ingest", str(folder)])
    assert ingest.exit_code == 0, ingest.output
    trace = runner.invoke(cli, ["--home", str(home), "trace", f"{AVIS}#1", "-k", "3"])
    assert trace.exit_code == 0, trace.output
    assert "CESER [/] Occitanie [red]" in trace.stdout
    coverage = runner.invoke(cli, ["--home", str(home), "coverage"])
    assert coverage.exit_code == 0, coverage.output
