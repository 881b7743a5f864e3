"""Commands of the theme classifier and of tracing: classify train/eval/apply, trace, coverage."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import output
from .cli import CONTEXT, Env, cli, console, emit_json, pass_env, stdout

ProgressFn = Callable[[int, int], None]


@contextmanager
def bar(description: str) -> Iterator[ProgressFn | None]:
    """Yield a progress callback (done, total) drawing a bar on stderr, or None off a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@cli.group("classify", context_settings=CONTEXT)
def classify() -> None:
    """Thèmes des passages : entraîner, évaluer et appliquer le classifieur.

    Un modèle entraîné sur nos passages annotés est fourni : « ceser ingest » donne les thèmes
    sans entraînement. Pour ajouter un thème, copiez notre taxonomie (ceser classify
    taxonomy > themes.toml), ajoutez une table [themes.<clé>] et des passages annotés, puis
    « ceser classify train --taxonomy themes.toml --labels vos_passages.jsonl ».

    \b
    Exemple :
      ceser classify eval && ceser classify train --labels vos_passages.jsonl
    """


@classify.command("train", context_settings=CONTEXT)
@click.option(
    "--labels",
    "labels",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Vos passages annotés (JSONL, répétable) : ajoutés aux nôtres ; un passage de même "
    "identifiant remplace le nôtre.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Entraîner sur vos seuls fichiers --labels, sans nos passages annotés.",
)
@click.option(
    "--taxonomy",
    type=click.Path(dir_okay=False),
    help="Fichier des thèmes (TOML) ; défaut : le nôtre, fourni avec l'outil.",
)
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON.")
@pass_env
def classify_train(
    env: Env, labels: tuple[str, ...], replace: bool, taxonomy: str | None, as_json: bool
) -> None:
    """Entraîner le classifieur sur le split « train » (seuils par validation croisée).

    Par défaut sur nos passages annotés, fournis avec l'outil ; --labels y ajoute les vôtres,
    --replace les remplace. Le split « test » n'est jamais lu. Le modèle est enregistré dans
    <home>/models avec l'identifiant de l'embedder et prime sur le modèle fourni ; relancez
    ensuite « ceser classify apply ».

    \b
    Exemple :
      ceser classify train --labels mes_passages.jsonl --taxonomy mes_themes.toml
    """
    from .classify import train
    from .classify.taxonomy import DEFAULT_DATA, DEFAULT_TAXONOMY

    if replace and not labels:
        raise click.UsageError("--replace demande au moins un fichier --labels.")
    sources = [*([] if replace else [DEFAULT_DATA]), *labels]
    with bar("Vecteurs des passages annotés") as progress:
        result = train(env.settings, sources, taxonomy or DEFAULT_TAXONOMY, progress=progress)
    model = result.model
    summary = {
        "model": str(result.path),
        "labels": list(model.labels),
        "embedder": model.embedder_id,
        "themes": list(model.keys),
        "thresholds": model.thresholds,
        "margin": model.margin,
        "n_train": result.n_train,
        "n_test_held_out": result.n_test_held_out,
        "embed_seconds": round(result.embed_seconds, 1),
        "fit_seconds": round(result.fit_seconds, 1),
        "cross_validation": model.cv,
    }
    if as_json:
        emit_json(summary)
        return
    table = Table(
        title=f"Modèle de thèmes ({result.n_train} passages, validation croisée "
        f"{model.cv['folds']} plis)"
    )
    table.add_column("Thème")
    table.add_column("Seuil", justify="right")
    table.add_column("F1 (validation croisée)", justify="right")
    for key in model.keys:
        table.add_row(
            f"{key} — {model.taxonomy.label(key)}",
            f"{model.thresholds[key]:.2f}",
            f"{model.cv['f1'][key]:.3f}",
        )
    stdout.print(table)
    stdout.print(
        f"Macro-F1 (validation croisée) {model.cv['macro_f1']:.3f} · marge « à vérifier » "
        f"±{model.margin:.2f} · {result.embed_seconds + result.fit_seconds:.1f} s · "
        f"{result.path}\nLancez « ceser classify apply » pour mettre à jour le catalogue.",
        highlight=False,
    )


@classify.command("eval", context_settings=CONTEXT)
@click.option(
    "--labels",
    "--data",
    "labels",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Passages annotés (JSONL, répétable) ; défaut : ceux de l'entraînement du modèle "
    "(les nôtres pour le modèle fourni).",
)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def classify_eval(env: Env, labels: tuple[str, ...], as_json: bool) -> None:
    """Évaluer sur le split « test » : modèle, mots-clés et zero-shot dans la même passe.

    Précision, rappel, F1 et effectif par thème, macro- et micro-F1, confusion entre thèmes.

    \b
    Exemple :
      ceser classify eval --json
    """
    from .classify import evaluate

    with bar("Vecteurs du split test") as progress:
        report = evaluate(env.settings, list(labels) or None, progress=progress)
    if as_json:
        emit_json(report.to_dict())
        return
    table = Table(title=f"Split test : {report.n_test} passages (entraînement : {report.n_train})")
    table.add_column("Thème")
    for name in report.methods:
        table.add_column(f"{name}\nP / R / F1", justify="right")
    table.add_column("Effectif", justify="right")
    first = next(iter(report.methods.values()))
    for key in report.keys:
        cells = [
            f"{m.themes[key].precision:.2f} / {m.themes[key].recall:.2f} / {m.themes[key].f1:.3f}"
            for m in report.methods.values()
        ]
        table.add_row(key, *cells, str(first.themes[key].support))
    table.add_row("macro-F1", *[f"{m.macro_f1:.3f}" for m in report.methods.values()], "")
    table.add_row("micro-F1", *[f"{m.micro_f1:.3f}" for m in report.methods.values()], "")
    stdout.print(table)
    conf = Table(
        title="Confusion (lignes : thèmes vrais ; colonnes : thèmes prédits ; hors "
        "diagonale : thème donné à tort)"
    )
    cols = list(report.confusion)
    conf.add_column("")
    for c in cols:
        conf.add_column(c, justify="right")
    for row in cols:
        conf.add_row(row, *[str(report.confusion[row][c]) for c in cols])
    stdout.print(conf)
    r = report.review
    stdout.print(
        f"« à vérifier » (±{r['margin']:.2f}) : {r['flagged']} décisions sur "
        f"{r['decisions']}, dont {r['errors_flagged']} des {r['errors']} erreurs.",
        highlight=False,
    )


@classify.command("taxonomy", context_settings=CONTEXT)
def classify_taxonomy() -> None:
    """Afficher notre fichier des thèmes (TOML), fourni avec l'outil, pour le copier et l'étendre.

    \b
    Exemple :
      ceser classify taxonomy > mes_themes.toml
    """
    from .resources import TAXONOMY, data_file

    click.echo(data_file(TAXONOMY).read_text(encoding="utf-8"), nl=False)


@classify.command("apply", context_settings=CONTEXT)
@click.option("--doc", "docs", multiple=True, help="Seulement ce document (répétable).")
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON.")
@pass_env
def classify_apply(env: Env, docs: tuple[str, ...], as_json: bool) -> None:
    """Attribuer les thèmes aux passages et préconisations du catalogue (après réentraînement).

    \b
    Exemple :
      ceser classify apply --doc avis_ia_generative.pdf
    """
    from .catalog import themes as store
    from .classify import apply
    from .cli import _doc_id

    doc_ids = [d for d in (_doc_id(env, ref) for ref in docs) if d is not None] or None
    with bar("Thèmes des passages") as progress:
        n = apply(env.settings, env.catalog, doc_ids, progress=progress)
    counts = store.theme_counts(env.catalog)
    if as_json:
        emit_json({"passages": n, "themes": counts})
        return
    stdout.print(f"{n} passages classés.")
    for theme, c in counts.items():
        stdout.print(f"  {theme} : {c['retained']} passages, {c['review']} à vérifier")


def _match_line(m: Any) -> str:
    where = output.citation(m.document, m.page)
    part = f" · {m.part}" if m.part else ""
    terms = ", ".join(m.terms) or "—"
    verdict = "répond" if m.answers else "sous le seuil"
    return (
        f"[bold]{m.score:.2f}[/bold] {m.label}{part} [dim]({where})[/dim]\n"
        f"      {verdict} · termes communs : {terms}"
    )


@cli.command(context_settings=CONTEXT)
@click.argument("item_id")
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
    from .trace import trace as do_trace

    result = do_trace(env.settings, env.catalog, item_id, k=k, plan=plan)
    if as_json:
        emit_json(result.to_dict())
        return
    src = result.source
    where = output.citation(src.document, src.page)
    stdout.print(f"[bold]{src.label}[/bold] [dim]{where}[/dim]\n{src.text}\n")
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
    for m in result.matches:
        stdout.print("  " + _match_line(m), highlight=False)
    if result.passages:
        stdout.print("\nPassages du plan les plus proches :")
        for p in result.passages:
            stdout.print(
                f"  [bold]{p.score:.2f}[/bold] {p.passage_id} "
                f"[dim]{output.citation(p.document, p.page)}[/dim] {p.text[:110]}…",
                highlight=False,
            )


@cli.command(context_settings=CONTEXT)
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
    from .trace import coverage as do_coverage
    from .trace_links import evaluate_links

    if links:
        report = evaluate_links(env.settings, env.catalog, links, avis=doc, plan=plan)
        if as_json:
            emit_json(report.to_dict())
            return
        stdout.print(
            f"Traçage sur {links} (seuil {report.threshold:.2f}) : précision "
            f"{report.precision:.2f} ({report.correct}/{report.predicted}), rappel "
            f"{report.recall:.2f} ({report.correct}/{report.true_links}), couverture "
            f"juste pour {report.covered_accuracy:.0%} des {report.links} préconisations.",
            highlight=False,
        )
        for line in report.missing:
            stdout.print(f"  manqué : {line}", highlight=False)
        for line in report.spurious:
            stdout.print(f"  en trop : {line}", highlight=False)
        return
    rows = do_coverage(env.settings, env.catalog, avis=doc, plan=plan)
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
                ]
            )
        return
    table = Table(title="Couverture des préconisations par le plan")
    table.add_column("N°", justify="right")
    table.add_column("Préconisation")
    table.add_column("Meilleure mesure")
    table.add_column("Score", justify="right")
    table.add_column("Couverte")
    for r in rows:
        best = r.best
        table.add_row(
            str(r.recommendation.number or ""),
            r.recommendation.text[:90],
            best.label if best else "",
            f"{best.score:.2f}" if best else "",
            "[green]oui[/green]" if r.covered else "[red]non[/red]",
        )
    stdout.print(table)
