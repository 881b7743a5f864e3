"""Commands of tracing: ``ceser trace`` (one préconisation or measure) and ``ceser coverage``."""

from __future__ import annotations

import csv
import sys
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from ..tracing import FLOOR, NO_PLAN, NO_PLAN_TEXT
from ..vocabulary import citation, shorten
from .env import CONTEXT, Env, pass_env, stdout
from .shapes import emit_json


def _match_line(m: Any) -> str:
    where = citation(m.document, m.page)
    part = f" · {m.part}" if m.part else ""
    terms = ", ".join(m.terms) or "—"
    verdict = "répond" if m.answers else "sous le seuil"
    return (
        f"[bold]{m.score:.2f}[/bold] {escape(m.named + part)} [dim]({escape(where)})[/dim]\n"
        f"      {verdict} · termes communs : {escape(terms)}"
    )


@click.command(context_settings=CONTEXT)
@click.argument("item_id", metavar="ID")
@click.option("-k", "--top", "k", default=5, show_default=True, help="Nombre de correspondances.")
@click.option("--plan", help="Seulement ce plan (fichier ou chemin).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def trace(env: Env, item_id: str, k: int, plan: str | None, as_json: bool) -> None:
    """Tracer une préconisation vers les mesures du plan qui y répondent (ou l'inverse).

    ID : identifiant de préconisation, de mesure ou de passage, ou FICHIER#NUMÉRO
    (ex. avis_ia_generative.pdf#3, plan_ia_occitanie.pdf#2.3). Sous le seuil : « pas de
    réponse dans le plan ».

    \b
    Exemple :
      ceser trace avis_ia_generative.pdf#11 --json
    """
    result = env.workspace.trace(item_id, k=k, plan=plan)
    if as_json:
        emit_json(result.to_dict())
        return
    src = result.source
    where = citation(src.document, src.page)
    stdout.print(
        f"[bold]{escape(src.label)}[/bold] [dim]{escape(where)}[/dim]\n{escape(src.text)}\n"
    )
    reverse = src.kind == "measure"
    if not result.answered:
        stdout.print(
            "[yellow]"
            + ("Ne répond à aucune préconisation." if reverse else "Pas de réponse dans le plan.")
            + "[/yellow] "
            f"(seuil {result.threshold:.2f}) Meilleures candidates :"
        )
    else:
        stdout.print(
            "Préconisations auxquelles répond cette mesure :"
            if reverse
            else "Mesures du plan qui y répondent :"
        )
    shown = [m for m in result.matches if m.score >= FLOOR]
    for m in shown:
        stdout.print("  " + _match_line(m), highlight=False)
    if len(shown) < len(result.matches):
        stdout.print(
            f"  [dim]{len(result.matches) - len(shown)} autre(s) sous le plancher "
            f"{FLOOR:.2f}, non montrée(s).[/dim]"
        )
    if result.passages:
        stdout.print("\nPassages du plan les plus proches :")
        for p in result.passages:
            stdout.print(
                f"  [bold]{p.score:.2f}[/bold] {escape(p.passage_id)} "
                f"[dim]{escape(citation(p.document, p.page))}[/dim] {escape(p.text[:110])}…",
                highlight=False,
            )


@click.command(context_settings=CONTEXT)
@click.option("--doc", help="L'avis (fichier ou chemin) ; défaut : tous les avis.")
@click.option("--plan", help="Le plan (fichier ou chemin) ; défaut : tous les plans.")
@click.option(
    "--links",
    type=click.Path(dir_okay=False),
    help="Liens vrais (TOML) : mesurer précision et rappel du traçage.",
)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Sortie CSV.")
@pass_env
def coverage(
    env: Env, doc: str | None, plan: str | None, links: str | None, as_json: bool, as_csv: bool
) -> None:
    """Couverture d'un avis par un plan : chaque préconisation, sa meilleure mesure, couverte ?

    \b
    Exemple :
      ceser coverage --doc avis_ia_generative.pdf --plan plan_ia_occitanie.pdf --csv
    """
    if links:
        report = env.workspace.evaluate_links(links, avis=doc, plan=plan)
        if as_json:
            emit_json(report.to_dict())
            return
        stdout.print(
            f"Traçage sur {escape(links)} (seuil {report.threshold:.2f}) : précision "
            f"{report.precision:.2f} ({report.correct}/{report.predicted}), rappel "
            f"{report.recall:.2f} ({report.correct}/{report.true_links}), couverture "
            f"juste pour {report.covered_accuracy:.0%} des {report.links} préconisations.",
            highlight=False,
        )
        for line in report.missing:
            stdout.print(f"  manqué : {line}", highlight=False, markup=False)
        for line in report.spurious:
            stdout.print(f"  en trop : {line}", highlight=False, markup=False)
        return
    rows = env.workspace.coverage(avis=doc, plan=plan)
    if as_json:
        emit_json([r.to_dict() for r in rows])
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(
            [
                "id",
                "number",
                "text",
                "file",
                "page",
                "covered",
                "best_measure",
                "best_label",
                "score",
                "terms",
                "status",
                "plan",
            ]
        )
        for r in rows:
            rec, best = r.recommendation, r.best
            writer.writerow(
                [
                    rec.rec_id,
                    rec.number or "",
                    rec.text,
                    rec.document.file if rec.document else "",
                    rec.page,
                    "oui" if r.covered else "non",
                    best.code if best else "",
                    best.label if best else "",
                    f"{best.score:.4f}" if best else "",
                    "; ".join(best.terms) if best else "",
                    r.status,
                    best.plan if best else "",
                ]
            )
        return
    table = Table(title="Couverture des préconisations par les plans")
    table.add_column("N°", justify="right")
    table.add_column("Préconisation")
    table.add_column("Meilleure mesure")
    table.add_column("Score", justify="right")
    table.add_column("Couverte")
    for r in rows:
        best = r.best
        table.add_row(
            str(r.recommendation.number or ""),
            escape(shorten(r.recommendation.text, 90)),
            escape(best.named) if best else ("" if r.status != NO_PLAN else NO_PLAN_TEXT),
            f"{best.score:.2f}" if best else "",
            "[green]oui[/green]"
            if r.covered
            else ("[dim]sans plan[/dim]" if r.status == NO_PLAN else "[red]non[/red]"),
        )
    stdout.print(table)
