"""Commands of the catalog: ``ceser ingest``, ``status``, ``passages``, ``recommendations``,
``measures``."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from ..vocabulary import FIELD_LABELS, citation, shorten, theme_tags
from ..workspace import BatchSummary
from . import shapes
from .check import no_wait_option
from .env import CONTEXT, Env, pass_env, stdout
from .progress import file_progress
from .shapes import emit_json


def print_summary(summary: BatchSummary) -> None:
    table = Table(title="Bilan de l'indexation")
    table.add_column("État")
    table.add_column("Fichiers", justify="right")
    table.add_column("Détail")
    for label, files in (
        ("ajoutés", summary.added),
        ("mis à jour", summary.updated),
        ("inchangés", summary.unchanged),
        ("supprimés", summary.removed),
    ):
        table.add_row(
            label,
            str(len(files)),
            escape(", ".join(files[:4]) + (" …" if len(files) > 4 else "")),
        )
    if summary.duplicates:
        table.add_row(
            "doublons",
            str(len(summary.duplicates)),
            escape(
                ", ".join(f"{d['file']} = {d['of']}" for d in summary.duplicates[:4])
                + (" …" if len(summary.duplicates) > 4 else "")
            ),
        )
    table.add_row("en échec", str(len(summary.failed)), "")
    stdout.print(table)
    if summary.reread:
        stdout.print(
            f"{len(summary.reread)} fichier(s) inchangé(s) relu(s) : l'extraction de "
            "ceser-explorer a changé depuis leur dernière lecture."
        )
    if summary.regiven:
        stdout.print(
            f"{len(summary.regiven)} fichier(s) inchangé(s) relu(s) : leur entrée de "
            "metadata.toml a changé."
        )
    for dup in summary.duplicates:
        stdout.print(
            f"doublon : {dup['file']} a le même contenu que {dup['of']} (déjà indexé, "
            "non indexé une seconde fois)",
            highlight=False,
            markup=False,
        )
    for moved in summary.moved:
        stdout.print(f"déplacé : {moved['from']} → {moved['to']}", markup=False)
    for failure in summary.failed:
        click.echo(f"échec : {failure['error']}")
    if summary.prune_refused is not None:
        click.echo(f"attention : {summary.prune_refused['error']}", err=True)
    for folder in summary.empty_folders:
        click.echo(
            f"attention : aucun PDF dans {folder} ni ses sous-dossiers : vérifiez le chemin.",
            err=True,
        )
    for name, pages in summary.textless.items():
        stdout.print(
            f"[yellow]{escape(name)}[/yellow] : pages sans texte {', '.join(map(str, pages))} — "
            "installez Tesseract (apt-get install tesseract-ocr-fra) puis relancez "
            "« ceser ingest » pour les lire par OCR.",
            highlight=False,
        )


@click.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PDF_OU_DOSSIER...")
@click.option(
    "--prune",
    is_flag=True,
    help="Retirer les documents dont le fichier a disparu, sous les chemins donnés seulement.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Confirmer un --prune qui retirerait plus de la part permise des documents "
    "(CESER_PRUNE_MAX_SHARE, 50 % par défaut).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processus de lecture des PDF (défaut : CESER_WORKERS, sinon un par cœur moins un).",
)
@click.option(
    "--no-vectors", is_flag=True, help="Ne pas mettre à jour l'index de vecteurs (recherche dense)."
)
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON sur la sortie standard.")
@no_wait_option
@pass_env
def ingest(
    env: Env,
    paths: tuple[str, ...],
    prune: bool,
    yes: bool,
    workers: int | None,
    no_vectors: bool,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Indexer les PDF des dossiers ou fichiers donnés (seuls les changements sont traités).

    Les PDF sont lus par des processus parallèles, chacun limité en durée par fichier
    (CESER_FILE_SECONDS) et en mémoire (CESER_WORKER_MEMORY_MB) : un fichier illisible, bloqué
    ou trop gros est signalé en une ligne et les autres entrent. Code de sortie 0 si tout est
    entré, 1 si des fichiers ont échoué (les autres sont enregistrés), si --prune a été refusé
    ou si un index dérivé (vecteurs, thèmes) n'a pas pu être mis à jour. Un fichier dont le
    contenu est déjà indexé sous un autre nom est signalé comme doublon ; ce n'est pas un échec.
    Ce qu'une indexation interrompue a laissé (thèmes, vecteurs, couverture) est terminé à la
    suivante. Une seule indexation à la fois : une seconde attend la première (ou, avec
    --no-wait, s'arrête aussitôt, code 2).

    \b
    Exemple :
      ceser ingest corpus/ --prune
    """
    with file_progress(sys.stderr.isatty()) as reporter:
        report = env.workspace.ingest(
            paths,
            prune=prune,
            vectors=not no_vectors,
            reporter=reporter,
            progress=reporter.vectors if reporter else None,
            yes=yes,
            workers=workers,
            wait=not no_wait,
        )
    summary, derived = report.summary, report.derived
    if as_json:
        emit_json(shapes.ingest_json(summary.to_dict(), derived.to_dict()))
    else:
        print_summary(summary)
        for problem in derived.problems:
            click.echo(f"attention : {problem}", err=True)
    sys.exit(0 if summary.ok and not derived.problems else 1)


@click.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def status(env: Env, as_json: bool) -> None:
    """État du catalogue : documents (et leurs métadonnées devinées), pages, passages, échecs.

    \b
    Exemple :
      ceser status --json
    """
    from ..index import status_line

    cat = env.workspace.catalog
    stats = cat.stats()
    try:
        vectors: dict[str, Any] = env.workspace.vector_status()
        vector_line = status_line(vectors)
    except Exception as e:  # an unreachable Chroma server must not hide the catalog's state
        vectors = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        vector_line = f"Index de vecteurs injoignable ({vectors['error']})."
    pending = env.workspace.pending(vectors if "missing" in vectors else None)
    data: dict[str, Any] = {
        **stats,
        "home": str(env.settings.home),
        "catalog": str(env.settings.catalog_path),
        "vector_store": env.settings.chroma_url or str(env.settings.chroma_path),
        "failed": [{"file": p, "error": e} for p, e in cat.failures()],
        "problems": cat.integrity_problems(),
        "vectors": vectors,
        "documents_list": [shapes.document_json(d) for d in cat.documents()],
        "pending": pending.to_dict(),
    }
    if as_json:
        emit_json(data)
        return
    table = Table(title=f"Catalogue {env.settings.catalog_path}")
    table.add_column("Document")
    table.add_column("Type")
    table.add_column("Date")
    table.add_column("Pages", justify="right")
    table.add_column("Deviné")
    for d in cat.documents():
        table.add_row(
            f"{escape(shorten(d.title, 60))}\n[dim]{escape(d.file)}[/dim]",
            d.kind,
            d.date or "",
            str(d.page_count),
            ", ".join(FIELD_LABELS.get(f, f) for f in d.guessed),
        )
    stdout.print(table)
    stdout.print(
        f"{stats['documents']} documents, {stats['pages']} pages ({stats['ocr_pages']} par OCR), "
        f"{stats['passages']} passages, {stats['recommendations']} préconisations, "
        f"{stats['measures']} mesures, {stats['failures']} échecs."
    )
    stdout.print(vector_line, highlight=False)
    if pending.any:
        stdout.print(f"[yellow]{escape(pending.line())}[/yellow]", highlight=False)
    for _, error in cat.failures():
        click.echo(f"échec : {error}")
    for problem in data["problems"]:
        stdout.print(f"[red]incohérence[/red] {escape(problem)}")


@click.command(context_settings=CONTEXT)
@click.option("--doc", help="Fichier (nom ou chemin) du document.")
@click.option(
    "--kind",
    "--passage-kind",
    "kind",
    help="Type de passage : paragraph, heading, recommendation, table…",
)
@click.option("--limit", type=int, help="Nombre maximal de passages.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def passages(env: Env, doc: str | None, kind: str | None, limit: int | None, as_json: bool) -> None:
    """Lister les passages avec leur provenance (page, cadre, section).

    \b
    Exemple :
      ceser passages --doc avis_ia_generative.pdf --kind footnote --json
    """
    found = env.workspace.passages(doc, kind=kind, limit=limit)
    if as_json:
        emit_json([shapes.passage_json(p) for p in found])
        return
    for p in found:
        tags = theme_tags(p.labels, p.review, p.themes)
        stdout.print(
            f"[bold]{p.passage_id}[/bold] [dim]{p.kind} · "
            f"{escape(citation(p.document, p.page))} · {escape(shorten(p.section, 70))}"
            f"{' · ' + tags if tags else ''}[/dim]"
        )
        stdout.print(p.text, highlight=False, markup=False)


@click.command(context_settings=CONTEXT)
@click.option("--doc", help="Fichier (nom ou chemin) de l'avis.")
@click.option("--theme", help="Seulement les préconisations de ce thème (ex. formation).")
@click.option("--limit", type=int, help="Nombre maximal de préconisations.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Sortie CSV.")
@pass_env
def recommendations(
    env: Env, doc: str | None, theme: str | None, limit: int | None, as_json: bool, as_csv: bool
) -> None:
    """Lister les préconisations (numérotées ou dans le texte) avec leur source et leurs thèmes.

    Les thèmes proches du seuil de décision sont marqués « à vérifier ».

    \b
    Exemple :
      ceser recommendations --doc avis_ia_generative.pdf --theme formation --csv
    """
    import csv

    found = env.workspace.recommendations(doc, theme=theme, limit=limit)
    if as_json:
        emit_json([shapes.recommendation_json(r) for r in found])
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "number", "text", "file", "page", "labels", "review", "themes"])
        for r in found:
            writer.writerow(
                [
                    r.rec_id,
                    "" if r.number is None else r.number,
                    r.text,
                    r.document.file if r.document else "",
                    r.page,
                    ";".join(r.labels),
                    ";".join(r.review),
                    ";".join(f"{k}={v:.4f}" for k, v in r.themes.items()),
                ]
            )
        return
    table = Table()
    table.add_column("N°", justify="right")
    table.add_column("Préconisation")
    table.add_column("Thèmes")
    table.add_column("Source")
    for r in found:
        table.add_row(
            "" if r.number is None else str(r.number),
            escape(r.text),
            theme_tags(r.labels, r.review, r.themes),
            escape(citation(r.document, r.page)),
        )
    stdout.print(table)


@click.command(context_settings=CONTEXT)
@click.option("--doc", help="Fichier (nom ou chemin) du plan.")
@click.option("--limit", type=int, help="Nombre maximal de mesures.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def measures(env: Env, doc: str | None, limit: int | None, as_json: bool) -> None:
    """Lister les axes, mesures et actions des plans avec leur montant.

    \b
    Exemple :
      ceser measures --doc plan_ia_occitanie.pdf
    """
    found = env.workspace.measures(doc, limit=limit)
    if as_json:
        emit_json([shapes.measure_json(m) for m in found])
        return
    table = Table()
    table.add_column("Code")
    table.add_column("Intitulé")
    table.add_column("Montant (€)", justify="right")
    table.add_column("Source")
    for m in found:
        amount = f"{m.amount_eur:,.0f}".replace(",", " ") if m.amount_eur is not None else ""
        table.add_row(
            f"{m.level} {m.code}", escape(m.title), amount, escape(citation(m.document, m.page))
        )
    stdout.print(table)
