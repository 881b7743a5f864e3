"""Texts shortened for display end at a word with « … », never in the middle of a word."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ceser_explorer.cli import cli
from ceser_explorer.vocabulary import shorten

TITLE = "L'intelligence artificielle générative en Occitanie : anticiper, former, innover"


def test_shorten_cuts_at_a_word_end() -> None:
    assert shorten(TITLE, 60) == "L'intelligence artificielle générative en Occitanie…"
    assert shorten(TITLE, len(TITLE)) == TITLE
    assert shorten("Un  texte\nsur deux lignes", 60) == "Un texte sur deux lignes"
    assert shorten("x" * 100, 20) == "x" * 19 + "…"  # one word longer than the width
    for width in range(5, len(TITLE)):
        cut = shorten(TITLE, width)
        assert len(cut) <= width and cut.endswith("…")
        assert TITLE.startswith(cut[:-1])


def test_status_table_shows_whole_words(corpus_home: Path) -> None:
    out = CliRunner().invoke(cli, ["--home", str(corpus_home), "status"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "générative en Occitanie…" in out.output
    assert "antici" not in out.output  # the title was cut inside « anticiper »
