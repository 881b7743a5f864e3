"""Commands of the theme classifier: ``ceser classify train``, ``eval`` and ``apply``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from ..resources import PACKAGED_LABELS, TAXONOMY, data_file
from . import shapes
from .check import no_wait_option
from .env import CONTEXT, Env, pass_env, stdout
from .progress import progress
from .shapes import emit_json


@click.group("classify", context_settings=CONTEXT)
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
    help="Vos passages annotés (JSONL, répétable) : ajoutés aux nôtres (et à la moitié "
    "« tune » du corpus de variété) ; un passage de même identifiant remplace le nôtre.",
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

    Par défaut sur nos passages annotés et la moitié « tune » du corpus de variété, fournis
    avec l'outil ; --labels y ajoute les vôtres, --replace les remplace. Le split « test »
    n'est jamais lu. Le modèle est enregistré dans <home>/models avec l'identifiant de
    l'embedder et prime sur le modèle fourni ; relancez ensuite « ceser classify apply ».

    \b
    Exemple :
      ceser classify train --labels mes_passages.jsonl --taxonomy mes_themes.toml
    """
    if replace and not labels:
        raise click.UsageError("--replace demande au moins un fichier --labels.")
    sources = [*([] if replace else PACKAGED_LABELS), *labels]
    with progress("Vecteurs des passages annotés") as on_progress:
        result = env.workspace.train_themes(sources, taxonomy or TAXONOMY, progress=on_progress)
    model = result.model
    if as_json:
        emit_json(shapes.train_json(result))
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


SETS = ("ours", "variety-tune", "variety-test", "all")


@classify.command("eval", context_settings=CONTEXT)
@click.option(
    "--set",
    "eval_set",
    type=click.Choice(SETS),
    default="ours",
    show_default=True,
    help="Jeu évalué : ours (split test de nos passages annotés), variety-tune ou "
    "variety-test (moitiés du corpus de variété, documents d'autres régions ; dépôt "
    "seulement), all (les trois côte à côte).",
)
@click.option(
    "--labels",
    "--data",
    "labels",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Passages annotés dont le split test forme le jeu ours (JSONL, répétable) ; défaut : "
    "ceux de l'entraînement du modèle (les nôtres pour le modèle fourni).",
)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@pass_env
def classify_eval(env: Env, eval_set: str, labels: tuple[str, ...], as_json: bool) -> None:
    """Évaluer sur un jeu fixe : modèle, mots-clés et zero-shot dans la même passe.

    Précision, rappel, F1 et effectif par thème, macro- et micro-F1, confusion entre thèmes,
    part des erreurs dans la marge « à vérifier ». La moitié « tune » du corpus de variété
    entraîne le modèle fourni : son score y est celui de l'entraînement ; la moitié « test »
    n'est jamais vue.

    \b
    Exemple :
      ceser classify eval --set all
    """
    if labels and eval_set not in ("ours", "all"):
        raise click.UsageError("--labels ne vaut que pour --set ours (ou all).")
    names = [s for s in SETS if s != "all"] if eval_set == "all" else [eval_set]
    reports = []
    with progress("Vecteurs des passages évalués") as on_progress:
        for name in names:
            reports.append(
                env.workspace.evaluate_themes(
                    list(labels) or None, progress=on_progress, eval_set=name
                )
            )
    if as_json:
        if eval_set == "all":
            emit_json({"sets": {r.set: r.to_dict() for r in reports}})
        else:
            emit_json(reports[0].to_dict())
        return
    if eval_set == "all":
        _print_side_by_side(reports)
    else:
        _print_report(reports[0])


def _set_title(report: Any) -> str:
    seen = " — vu à l'entraînement" if report.seen else ""
    return f"{report.set} : {report.n_test} passages ({report.data}){seen}"


def _review_line(report: Any) -> str:
    r = report.review
    share = r["errors_flagged"] / r["errors"] if r["errors"] else 0.0
    return (
        f"« à vérifier » (±{r['margin']:.2f}) : {r['flagged']} décisions sur "
        f"{r['decisions']}, dont {r['errors_flagged']} des {r['errors']} erreurs ({share:.0%})."
    )


def _print_report(report: Any) -> None:
    table = Table(title=f"{_set_title(report)} · entraînement : {report.n_train}")
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
    stdout.print(_review_line(report), highlight=False)


def _print_side_by_side(reports: list[Any]) -> None:
    table = Table(title="Thèmes : F1 du modèle (mots-clés · zero-shot) par jeu")
    table.add_column("Thème")
    for r in reports:
        seen = "\n(vu à l'entraînement)" if r.seen else ""
        table.add_column(f"{r.set} ({r.n_test}){seen}", justify="right")
    keys = reports[0].keys

    def cell(r: Any, pick: Callable[[Any], float]) -> str:
        m = r.methods
        return f"{pick(m['modèle']):.3f} ({pick(m['mots-clés']):.3f} · {pick(m['zero-shot']):.3f})"

    def theme_f1(key: str) -> Callable[[Any], float]:
        return lambda m: float(m.themes[key].f1)

    for key in keys:
        table.add_row(key, *[cell(r, theme_f1(key)) for r in reports])
    table.add_row("macro-F1", *[cell(r, lambda m: m.macro_f1) for r in reports])
    table.add_row("micro-F1", *[cell(r, lambda m: m.micro_f1) for r in reports])
    stdout.print(table)
    for r in reports:
        stdout.print(f"{r.set} : {_review_line(r)}", highlight=False)


@classify.command("taxonomy", context_settings=CONTEXT)
def classify_taxonomy() -> None:
    """Afficher notre fichier des thèmes (TOML), fourni avec l'outil, pour le copier et l'étendre.

    \b
    Exemple :
      ceser classify taxonomy > mes_themes.toml
    """
    click.echo(data_file(TAXONOMY).read_text(encoding="utf-8"), nl=False)


@classify.command("apply", context_settings=CONTEXT)
@click.option("--doc", "docs", multiple=True, help="Seulement ce document (répétable).")
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON.")
@no_wait_option
@pass_env
def classify_apply(env: Env, docs: tuple[str, ...], as_json: bool, no_wait: bool) -> None:
    """Attribuer les thèmes aux passages et préconisations du catalogue (après réentraînement).

    \b
    Exemple :
      ceser classify apply --doc avis_ia_generative.pdf
    """
    with progress("Thèmes des passages") as on_progress:
        n = env.workspace.apply_themes(docs, progress=on_progress, wait=not no_wait)
    counts = env.workspace.theme_counts()
    if as_json:
        emit_json(shapes.apply_json(n, counts))
        return
    stdout.print(f"{n} passages classés.")
    for theme, c in counts.items():
        stdout.print(f"  {theme} : {c['retained']} passages, {c['review']} à vérifier")
