"""Commands of the theme classifier: ``ceser classify train``, ``eval`` and ``apply``."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from ..resources import LABELS, TAXONOMY, data_file
from . import shapes
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
    if replace and not labels:
        raise click.UsageError("--replace demande au moins un fichier --labels.")
    sources = [*([] if replace else [LABELS]), *labels]
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
            escape(f"{key} — {model.taxonomy.label(key)}"),
            f"{model.thresholds[key]:.2f}",
            f"{model.cv['f1'][key]:.3f}",
        )
    stdout.print(table)
    stdout.print(
        f"Macro-F1 (validation croisée) {model.cv['macro_f1']:.3f} · marge « à vérifier » "
        f"±{model.margin:.2f} · {result.embed_seconds + result.fit_seconds:.1f} s · "
        f"{escape(str(result.path))}\n"
        "Lancez « ceser classify apply » pour mettre à jour le catalogue.",
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
    with progress("Vecteurs du split test") as on_progress:
        report = env.workspace.evaluate_themes(list(labels) or None, progress=on_progress)
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
        table.add_row(escape(key), *cells, str(first.themes[key].support))
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
        conf.add_column(escape(c), justify="right")
    for row in cols:
        conf.add_row(escape(row), *[str(report.confusion[row][c]) for c in cols])
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
    with progress("Thèmes des passages") as on_progress:
        n = env.workspace.apply_themes(docs, progress=on_progress)
    counts = env.workspace.theme_counts()
    if as_json:
        emit_json(shapes.apply_json(n, counts))
        return
    stdout.print(f"{n} passages classés.")
    for theme, c in counts.items():
        stdout.print(
            f"  {theme} : {c['retained']} passages, {c['review']} à vérifier",
            highlight=False,
            markup=False,
        )
