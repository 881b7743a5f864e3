"""The ``ceser`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import output
from .catalog import Catalog
from .config import Settings
from .errors import CeserError
from .ingest.batch import BatchSummary, ingest_paths

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
console = Console(stderr=True)
stdout = Console()


class Env:
    """What every command gets: the settings and, on demand, the catalog."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog(self.settings.ensure().catalog_path)
        return self._catalog


pass_env = click.make_pass_decorator(Env)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings=CONTEXT)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar="CESER_HOME",
    help="Dossier des données (défaut : $CESER_HOME, sinon ~/.local/share/ceser-explorer).",
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


class ProgressReporter:
    """Progress bars per file and per page on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.files = progress.add_task("Documents", total=None)
        self.pages = progress.add_task("Pages", total=None, visible=False)

    def file_started(self, name: str, index: int, total: int) -> None:
        self.progress.update(
            self.files, total=total, completed=index, description=f"Documents · {name}"
        )
        self.progress.update(self.pages, completed=0, total=None, visible=True)

    def page_done(self, page: int, pages: int) -> None:
        self.progress.update(self.pages, completed=page, total=pages)

    def file_done(self, name: str, status: str) -> None:
        self.progress.advance(self.files)
        self.progress.update(self.pages, visible=False)


def bar(label: str = "{task.description}") -> Progress:
    """Return the progress display of every long command: label, bar, count, time, on stderr."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def progress_bars(enabled: bool) -> Iterator[ProgressReporter | None]:
    if not enabled:
        yield None
        return
    with bar() as progress:
        yield ProgressReporter(progress)


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
            label, str(len(files)), ", ".join(files[:4]) + (" …" if len(files) > 4 else "")
        )
    table.add_row("en échec", str(len(summary.failed)), "")
    stdout.print(table)
    if summary.reread:
        stdout.print(
            f"{len(summary.reread)} fichier(s) inchangé(s) relu(s) : l'extraction de "
            "ceser-explorer a changé depuis leur dernière lecture."
        )
    for moved in summary.moved:
        stdout.print(f"déplacé : {moved['from']} → {moved['to']}")
    for failure in summary.failed:
        click.echo(f"échec : {failure['error']}")
    for name, pages in summary.textless.items():
        stdout.print(
            f"[yellow]{name}[/yellow] : pages sans texte {', '.join(map(str, pages))} — "
            "installez Tesseract (apt-get install tesseract-ocr-fra) puis relancez "
            "« ceser ingest » pour les lire par OCR.",
            highlight=False,
        )


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--prune", is_flag=True, help="Retirer les documents dont le fichier a disparu.")
@click.option(
    "--no-vectors", is_flag=True, help="Ne pas mettre à jour l'index de vecteurs (recherche dense)."
)
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON sur la sortie standard.")
@pass_env
def ingest(env: Env, paths: tuple[str, ...], prune: bool, no_vectors: bool, as_json: bool) -> None:
    """Indexer les PDF des dossiers ou fichiers donnés (seuls les changements sont traités).

    Code de sortie 0 si tout est entré, 1 si des fichiers ont échoué (les autres sont
    enregistrés).

    \b
    Exemple :
      ceser ingest corpus/ --prune
    """
    from .pipeline import after_ingest

    stored: list[int] = []
    with progress_bars(sys.stderr.isatty()) as reporter:
        summary = ingest_paths(
            env.catalog,
            paths,
            prune=prune,
            reporter=reporter,
            on_stored=lambda doc: stored.append(doc.doc_id),
        )
    with console.status("Thèmes et index de vecteurs…"):
        derived = after_ingest(env.settings, env.catalog, stored, vectors=not no_vectors)
    if as_json:
        emit_json({**summary.to_dict(), "derived": derived.to_dict()})
    else:
        print_summary(summary)
        for problem in derived.problems:
            click.echo(f"attention : {problem}", err=True)
    sys.exit(0 if summary.ok else 1)


@cli.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def status(env: Env, as_json: bool) -> None:
    """État du catalogue : documents, pages, passages, préconisations, échecs.

    \b
    Exemple :
      ceser status --json
    """
    from .index.sync import status_line, vector_status

    cat = env.catalog
    stats = cat.stats()
    try:
        vectors: dict[str, Any] = vector_status(env.settings, cat)
        vector_line = status_line(vectors)
    except Exception as e:  # an unreachable Chroma server must not hide the catalog's state
        vectors = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        vector_line = f"Index de vecteurs injoignable ({vectors['error']})."
    data: dict[str, Any] = {
        **stats,
        "home": str(env.settings.home),
        "catalog": str(env.settings.catalog_path),
        "vector_store": env.settings.chroma_url or str(env.settings.chroma_path),
        "failed": [{"file": p, "error": e} for p, e in cat.failures()],
        "problems": cat.integrity_problems(),
        "vectors": vectors,
        "documents_list": [
            {
                "file": d.file,
                "title": d.title,
                "body": d.body,
                "kind": d.kind,
                "date": d.date,
                "pages": d.page_count,
                "ocr_pages": list(d.ocr_pages),
                "pages_without_text": list(d.textless_pages),
            }
            for d in cat.documents()
        ],
    }
    if as_json:
        emit_json(data)
        return
    table = Table(title=f"Catalogue {env.settings.catalog_path}")
    table.add_column("Document")
    table.add_column("Type")
    table.add_column("Date")
    table.add_column("Pages", justify="right")
    for d in cat.documents():
        table.add_row(
            f"{d.title[:60]}\n[dim]{d.file}[/dim]", d.kind, d.date or "", str(d.page_count)
        )
    stdout.print(table)
    stdout.print(
        f"{stats['documents']} documents, {stats['pages']} pages ({stats['ocr_pages']} par OCR), "
        f"{stats['passages']} passages, {stats['recommendations']} préconisations, "
        f"{stats['measures']} mesures, {stats['failures']} échecs."
    )
    stdout.print(vector_line, highlight=False)
    for _, error in cat.failures():
        click.echo(f"échec : {error}")
    for problem in data["problems"]:
        stdout.print(f"[red]incohérence[/red] {problem}")


def _doc_id(env: Env, doc: str | None) -> int | None:
    if doc is None:
        return None
    found = env.catalog.find_document(doc)
    if found is None:
        raise CeserError(f"document « {doc} » absent du catalogue. Voir « ceser status ».")
    return found.doc_id


@cli.command(context_settings=CONTEXT)
@click.option("--doc", help="Fichier (nom ou chemin) du document.")
@click.option("--kind", help="Type de passage : paragraph, heading, recommendation, table…")
@click.option("--limit", type=int, help="Nombre maximal de passages.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def passages(env: Env, doc: str | None, kind: str | None, limit: int | None, as_json: bool) -> None:
    """Lister les passages avec leur provenance (page, cadre, section).

    \b
    Exemple :
      ceser passages --doc avis_ia_generative.pdf --kind footnote --json
    """
    from .catalog import themes

    found = env.catalog.passages(doc_id=_doc_id(env, doc), kind=kind, limit=limit)
    found = themes.with_passage_themes(env.catalog, found)
    if as_json:
        emit_json([output.passage_json(p) for p in found])
        return
    for p in found:
        tags = themes.describe(p.labels, p.review, p.themes)
        stdout.print(
            f"[bold]{p.passage_id}[/bold] [dim]{p.kind} · "
            f"{output.citation(p.document, p.page)} · {p.section[:70]}"
            f"{' · ' + tags if tags else ''}[/dim]"
        )
        stdout.print(p.text, highlight=False)


@cli.command(context_settings=CONTEXT)
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

    from .catalog import themes

    doc_id = _doc_id(env, doc)
    if theme is not None:
        known = themes.known_themes(env.catalog)
        if theme not in known:
            raise CeserError(
                f"thème « {theme} » inconnu du catalogue (connus : "
                f"{', '.join(known) or 'aucun'}) : lancez « ceser classify train » puis "
                "« ceser classify apply »."
            )
        found = themes.recommendations_with_theme(env.catalog, theme, doc_id=doc_id)[:limit]
    else:
        found = env.catalog.recommendations(doc_id=doc_id, limit=limit)
        found = themes.with_recommendation_themes(env.catalog, found)
    if as_json:
        emit_json([output.recommendation_json(r) for r in found])
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
            r.text,
            themes.describe(r.labels, r.review, r.themes),
            output.citation(r.document, r.page),
        )
    stdout.print(table)


@cli.command(context_settings=CONTEXT)
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
    found = env.catalog.measures(doc_id=_doc_id(env, doc), limit=limit)
    if as_json:
        emit_json([output.measure_json(m) for m in found])
        return
    table = Table()
    table.add_column("Code")
    table.add_column("Intitulé")
    table.add_column("Montant (€)", justify="right")
    table.add_column("Source")
    for m in found:
        amount = f"{m.amount_eur:,.0f}".replace(",", " ") if m.amount_eur is not None else ""
        table.add_row(f"{m.level} {m.code}", m.title, amount, output.citation(m.document, m.page))
    stdout.print(table)


# Commands defined in their own modules register themselves on the group when imported.
from . import cli_app, cli_classify, cli_search  # noqa: E402, F401


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
    except SystemExit:
        raise


if __name__ == "__main__":
    main()
