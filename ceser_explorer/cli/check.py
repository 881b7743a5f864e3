"""Commands ``ceser check`` and ``ceser backup``: the data folder's health, and its copy."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from .env import CONTEXT, Env, pass_env, stdout
from .progress import progress
from .shapes import emit_json

no_wait_option = click.option(
    "--no-wait",
    is_flag=True,
    help="Si une indexation est déjà en cours, s'arrêter aussitôt (code 2) au lieu d'attendre.",
)


@click.command(context_settings=CONTEXT)
@click.option(
    "--repair", is_flag=True, help="Reconstruire depuis le catalogue tout ce qui est dérivé."
)
@no_wait_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def check(env: Env, repair: bool, no_wait: bool, as_json: bool) -> None:
    """Vérifier le catalogue et tout ce qui en dérive ; --repair reconstruit ce qui peut l'être.

    Vérifie le fichier SQLite (integrity_check, clés étrangères), l'index plein texte, le
    fichier BM25, le cache d'embeddings, les vecteurs (manquants, en trop, périmés, autre
    embedder), les thèmes et la couverture en attente, et les PDF absents ou modifiés sur le
    disque. Code de sortie 0 si tout va bien (ou a été réparé), 1 s'il reste des problèmes,
    2 si le catalogue ne peut pas être ouvert ou qu'une indexation est en cours (--no-wait).

    \b
    Exemple :
      ceser check --repair
    """
    with progress("Vecteurs", sys.stderr.isatty() and not as_json and repair) as on_progress:
        report = env.workspace.check(repair=repair, wait=not no_wait, progress=on_progress)
    if as_json:
        emit_json(report.to_dict())
        sys.exit(0 if report.ok else 1)
    for f in report.findings:
        if f.repaired:
            stdout.print(f"[green]réparé[/green] {escape(f.problem)}", highlight=False)
        else:
            stdout.print(
                f"[red]problème[/red] {escape(f.problem)} — {escape(f.fix)}.", highlight=False
            )
    if report.writer:
        stdout.print(
            f"Une indexation est en cours (pid {report.writer}) : ce qu'elle n'a pas encore "
            "fait apparaît ci-dessus comme un problème.",
            highlight=False,
        )
    checked = ", ".join(report.checked)
    if report.ok:
        done = "réparé" if report.findings else "rien à signaler"
        stdout.print(f"Vérifié ({checked}) : {done}.", highlight=False)
    else:
        hint = "" if repair else " ; « ceser check --repair » reconstruit ce qui est dérivé"
        stdout.print(f"{len(report.remaining)} problème(s) restant(s){hint}.", highlight=False)
    sys.exit(0 if report.ok else 1)


@click.command(context_settings=CONTEXT)
@click.argument("dest", type=click.Path())
@pass_env
def backup(env: Env, dest: str) -> None:
    """Copier le catalogue (copie cohérente, même pendant une indexation) vers DEST.

    DEST est un fichier, ou un dossier qui reçoit catalog-AAAAMMJJ-HHMMSS.sqlite. Pour
    restaurer : remettez la copie à la place de catalog.sqlite dans le dossier des données,
    puis « ceser check --repair » reconstruit les vecteurs et l'index BM25.

    \b
    Exemple :
      ceser backup ~/sauvegardes/
    """
    path = env.workspace.backup(dest)
    stdout.print(f"Copie du catalogue écrite : {escape(str(path))}", highlight=False)
