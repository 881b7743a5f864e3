"""Click's own words (usage errors, help headings) are French, like the rest of the CLI."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from ceser_explorer.cli import cli

ENGLISH = ("Usage:", "Show this message", "[default:", "[required]", "Error:", "Missing", "Try ")


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the path of every command under group (groups included)."""
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def test_every_help_is_in_french() -> None:
    runner = CliRunner()
    for path in commands(cli):
        out = runner.invoke(cli, [*path, "-h"])
        assert out.exit_code == 0, (path, out.output)
        assert "Utilisation :" in out.output, path
        english = [w for w in ENGLISH if w in out.output]
        assert english == [], (path, english)


def test_usage_errors_are_in_french() -> None:
    """As a user types them, through the entry point (one line of error, exit status 2)."""
    for args, said in (
        (["search"], "Argument manquant 'REQUÊTE'"),
        (["search", "x", "-k", "abc"], "Valeur invalide pour '-k' : « abc » n'est pas un nombre"),
        (["serch", "x"], "Commande inconnue : serch. Vouliez-vous dire 'search' ?"),
        (["search", "x", "--kin", "avis"], "Option inconnue : --kin."),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "ceser_explorer.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 2, (args, run.stderr)
        assert f"Erreur : {said}" in run.stderr, (args, run.stderr)
        assert not any(w in run.stderr for w in ENGLISH), (args, run.stderr)
