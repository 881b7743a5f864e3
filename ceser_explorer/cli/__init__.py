"""The ``ceser`` command line: the group and its entry point; one module per command group.

Modules define their commands with ``@click.command``; this module adds them to the group,
so that no command module imports the group and the package has no import cycle.
"""

from __future__ import annotations

import sqlite3
import sys

import click

from ..config import ENV_HOME, Settings
from ..errors import CeserError
from . import check, classify, explore, french, ingest, search, trace
from .env import CONTEXT, Env, console

french.install()  # Click's usage errors and help headings in French, like the rest


@click.group(context_settings=CONTEXT)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar=ENV_HOME,
    help=f"Dossier des données (défaut : ${ENV_HOME}, sinon ~/.local/share/ceser-explorer).",
)
@click.version_option(package_name="ceser-explorer")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Explorateur des avis de CESER et des plans de Région.

    \b
    Exemple :
      ceser ingest corpus/ && ceser search "former les enseignants à l'IA"
    """
    ctx.obj = Env(Settings.load(home=home))


for command in (
    ingest.ingest,
    ingest.status,
    ingest.passages,
    ingest.recommendations,
    ingest.measures,
    search.search,
    search.reindex,
    search.vectors_status,
    search.eval_,
    classify.classify,
    trace.trace,
    trace.coverage,
    explore.explore,
    check.check,
    check.backup,
):
    cli.add_command(command)


def main() -> None:
    """Entry point: user errors become one line on stderr, exit status 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        console.print("Interrompu.")
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except CeserError as e:
        click.echo(f"Erreur : {e}", err=True)
        sys.exit(2)
    except sqlite3.DatabaseError as e:  # a page of the catalog damaged after it was opened
        click.echo(
            f"Erreur : catalogue endommagé ({e}) : lancez « ceser check » ; s'il le confirme, "
            "restaurez la dernière copie du catalogue (« ceser backup »).",
            err=True,
        )
        sys.exit(2)
    except SystemExit:
        raise


__all__ = ["cli", "main"]
