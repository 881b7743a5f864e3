"""Commands ``ceser search``, ``reindex``, ``vectors-status`` and ``eval``."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich import box
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..index import status_line
from ..models import Hit
from ..resources import QUERIES
from ..search import (
    DEFAULT_EXPANSION_WEIGHT,
    DEFAULT_RRF_K,
    METRICS,
    MODES,
    QUERY_SETS,
    SPLITS,
    Filters,
)
from ..vocabulary import citation
from . import shapes
from .check import no_wait_option
from .env import CONTEXT, Env, chroma_option, pass_env, stdout
from .progress import progress
from .shapes import emit_json

rrf_option = click.option(
    "--rrf-k",
    type=click.IntRange(min=1),
    default=DEFAULT_RRF_K,
    show_default=True,
    help="Constante k de la fusion RRF (plus petite : les premiers rangs pèsent plus).",
)
synonyms_option = click.option(
    "--no-synonyms",
    is_flag=True,
    help="Ne pas élargir la requête par le thésaurus (mots exacts et sens seulement).",
)


intent_option = click.option(
    "--no-intent",
    is_flag=True,
    help="Prendre la question mot à mot (sans lire « que propose le CESER… » comme une demande "
    "de préconisations, ni l'instance ou l'année nommées).",
)


def search_options(rrf_k: int, no_synonyms: bool, no_intent: bool = False) -> dict[str, Any]:
    """Return the searcher's options of the command: fusion, thesaurus and intent settings."""
    return {
        "rrf_k": rrf_k,
        "expansion_weight": 0.0 if no_synonyms else DEFAULT_EXPANSION_WEIGHT,
        "read_intent": not no_intent,
    }


def _snippet(hit: Hit, width: int = 320) -> Text:
    """Return the hit's text (cut around the first match) with its matched terms in bold.

    Built as rich Text, never parsed as markup: a PDF's « [/] » or trailing backslash is
    printed as it is.
    """
    text, spans = hit.passage.text.replace("\n", " "), list(hit.highlights)
    start = 0
    if spans and spans[0][0] > width // 2:
        start = text.find(" ", spans[0][0] - width // 3) + 1
    end = len(text)
    if len(text) - start > width:
        cut = text.rfind(" ", start, start + width)
        end = cut if cut > start else start + width  # a text without spaces is cut anyway
    out = Text("… " if start else "")
    pos = start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out.append(text[pos:a])
        out.append(text[a:b], style="bold yellow")
        pos = b
    out.append(text[pos:end])
    if end < len(text):
        out.append(" …")
    return out


@click.command(context_settings=CONTEXT)
@click.argument("query", metavar="REQUÊTE")
@click.option("-k", "k", type=int, default=10, show_default=True, help="Nombre de résultats.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="hybrid : mots et sens fusionnés ; lexical : mots ; dense : sens.",
)
@click.option(
    "--theme",
    "themes",
    multiple=True,
    help="Thème (formation, emploi, recherche, innovation) ; répétable, l'un ou l'autre.",
)
@click.option(
    "--min-confidence",
    type=float,
    default=0.5,
    show_default=True,
    help="Score minimal du thème pour --theme.",
)
@click.option(
    "--kind",
    "--doc-kind",
    "kind",
    type=click.Choice(["avis", "plan", "other"]),
    help="Type de document (--doc-kind : même option).",
)
@click.option("--body", help="Organisme (ex. « CESER Occitanie ») ; une partie du nom suffit.")
@click.option("--doc", help="Un seul document (nom de fichier ou chemin).")
@click.option("--since", help="Documents datés de ce jour ou après (AAAA, AAAA-MM ou AAAA-MM-JJ).")
@click.option("--until", help="Documents datés de ce jour ou avant (AAAA, AAAA-MM ou AAAA-MM-JJ).")
@click.option("--recommendations-only", is_flag=True, help="Seulement les préconisations.")
@rrf_option
@synonyms_option
@intent_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@chroma_option
@pass_env
def search(
    env: Env,
    query: str,
    k: int,
    mode: str,
    themes: tuple[str, ...],
    min_confidence: float,
    kind: str | None,
    body: str | None,
    doc: str | None,
    since: str | None,
    until: str | None,
    recommendations_only: bool,
    rrf_k: int,
    no_synonyms: bool,
    no_intent: bool,
    as_json: bool,
    chroma_url: str | None,
) -> None:
    """Chercher en français dans les avis et les plans (mots exacts ou non).

    \b
    Exemple :
      ceser search "que propose le CESER pour former les enseignants à l'IA ?" -k 5 --kind avis
    """
    env.use_chroma(chroma_url)
    filters = Filters(themes, min_confidence, kind, body, doc, since, until, recommendations_only)
    options = search_options(rrf_k, no_synonyms, no_intent)
    hits = env.workspace.search(query, k=k, mode=mode, filters=filters, **options)
    added = env.workspace.synonyms(query, **options) if mode != "dense" else []
    read = env.workspace.intent(query, **options).notes
    restriction = env.workspace.restriction(query, filters, **options)
    if as_json:
        emit_json(
            {
                **shapes.search_json(query, mode, hits, added),
                "intent": list(read),
                "restricted_to": restriction.as_json(),
            }
        )
        return
    if read:
        stdout.print(f"[dim]Question lue : {escape(' ; '.join(read))}[/dim]", highlight=False)
    limited = restriction.note()
    if limited:
        stdout.print(f"[dim]Recherche limitée : {escape(limited)}[/dim]", highlight=False)
    if added:
        shown = ", ".join(f"« {a} »" for a in added[:6]) + (" …" if len(added) > 6 else "")
        stdout.print(f"[dim]Recherche élargie à : {escape(shown)}[/dim]", highlight=False)
    if not hits:
        given = [
            (f"thème {' ou '.join(themes)}", themes),
            (f"type {kind}", kind),
            (f"organisme « {body} »", body),
            (f"document {doc}", doc),
            (f"depuis {since}", since),
            (f"jusqu'à {until}", until),
            ("préconisations seulement", recommendations_only),
        ]
        active = [label for label, value in given if value]
        stdout.print(
            f"Aucun résultat avec ces filtres : {escape(', '.join(active))}. Retirez-en un pour "
            "élargir la recherche."
            if active
            else "Aucun résultat.",
            highlight=False,
        )
        return
    for h in hits:
        print_hit(h)


def print_hit(h: Hit) -> None:
    """Print one hit: its rank and one-line citation, then its text with matches in bold."""
    label = ""
    if h.is_recommendation:
        number = h.recommendation_number
        label = "Préconisation" + (f" n°{number}" if number is not None else "") + " · "
    dups = f" (+{len(h.duplicates)} doublon(s))" if h.duplicates else ""
    source = citation(h.passage.document, h.passage.page)
    stdout.print(
        f"[bold]{h.rank:>2}.[/bold] [cyan]{escape(source)}[/cyan]{escape(dups)} "
        f"[dim]{escape(label)}{h.score:.3f}[/dim]",
        highlight=False,
        soft_wrap=True,
    )
    section = h.passage.section.split(" > ")[-1]
    if section:
        stdout.print(Padding(Text(section, style="dim"), (0, 0, 0, 4)), highlight=False)
    stdout.print(Padding(_snippet(h), (0, 0, 1, 4)), highlight=False)


@click.command(context_settings=CONTEXT)
@click.option(
    "--vectors",
    is_flag=True,
    help="Reconstruire toute la collection de vecteurs depuis le catalogue.",
)
@click.option(
    "--embeddings",
    is_flag=True,
    help="Recalculer tous les vecteurs (oublie le cache), par ex. après un changement de modèle.",
)
@click.option("--json", "as_json", is_flag=True, help="Bilan en JSON.")
@chroma_option
@no_wait_option
@pass_env
def reindex(
    env: Env,
    vectors: bool,
    embeddings: bool,
    as_json: bool,
    chroma_url: str | None,
    no_wait: bool,
) -> None:
    """Mettre l'index de vecteurs en accord avec le catalogue (ajouts, suppressions).

    Sans option, seuls les passages sans vecteur sont calculés et les vecteurs en trop
    retirés.

    \b
    Exemple :
      CESER_EMBEDDER=st:all-MiniLM-L6-v2 ceser reindex --embeddings
    """
    env.use_chroma(chroma_url)
    with progress("Vecteurs", sys.stderr.isatty() and not as_json) as on_progress:
        if vectors or embeddings:
            report = env.workspace.reindex(
                full=True, reembed=embeddings, progress=on_progress, wait=not no_wait
            )
        else:
            report = env.workspace.reindex(progress=on_progress, wait=not no_wait)
    if as_json:
        emit_json(report)
        return
    stdout.print(
        f"{report['passages']} passages cherchables ; {report['added']} vecteurs ajoutés "
        f"({report['embedded']} calculés, {report['from_cache']} du cache), "
        f"{report['deleted']} retirés, {report['metadata_refreshed']} métadonnées mises à jour "
        f"— {report['collection']} dans {report['store']}."
    )


@click.command("vectors-status", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@chroma_option
@pass_env
def vectors_status(env: Env, as_json: bool, chroma_url: str | None) -> None:
    """Comparer l'index de vecteurs au catalogue : passages manquants, vecteurs en trop.

    \b
    Exemple :
      ceser vectors-status --json
    """
    env.use_chroma(chroma_url)
    status = env.workspace.vector_status()
    if as_json:
        emit_json(status)
    else:
        stdout.print(status_line(status), highlight=False)
    sys.exit(0 if status["ok"] else 1)


@click.command("eval", context_settings=CONTEXT)
@click.option(
    "--set",
    "query_set",
    type=click.Choice(QUERY_SETS),
    default="ours",
    show_default=True,
    help="Jeu de requêtes : ours (le nôtre, sur --split), variety-tune ou variety-test (corpus "
    "varié du dépôt, à indexer d'abord : ceser ingest corpus/variety/pdf), all (les quatre côte "
    "à côte).",
)
@click.option(
    "--split",
    type=click.Choice(SPLITS),
    default="test",
    show_default=True,
    help="Requêtes évaluées de notre jeu : test (rapport), tune (réglage) ou all.",
)
@click.option(
    "--mode",
    "modes",
    type=click.Choice(MODES),
    multiple=True,
    help="Mode(s) évalué(s) ; défaut : les trois.",
)
@click.option(
    "--queries",
    type=click.Path(dir_okay=False),
    help="Jeu de requêtes (JSONL) ; défaut : le nôtre, fourni avec l'outil (corpus d'exemple).",
)
@rrf_option
@synonyms_option
@intent_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@chroma_option
@pass_env
def eval_(
    env: Env,
    query_set: str,
    split: str,
    modes: tuple[str, ...],
    queries: str | None,
    rrf_k: int,
    no_synonyms: bool,
    no_intent: bool,
    as_json: bool,
    chroma_url: str | None,
) -> None:
    """Mesurer la recherche sur un jeu de requêtes : rappel@1/5/10, MRR@10, nDCG@10.

    Échoue si une ancre de notre jeu ne correspond plus à aucun passage du catalogue ; sur le
    corpus varié, une ancre perdue par l'extraction compte comme manquée et est signalée.

    \b
    Exemples :
      ceser eval --split test --json
      ceser eval --set all
    """
    env.use_chroma(chroma_url)
    if set(modes or MODES) & {"dense", "hybrid"}:
        status = env.workspace.vector_status()
        if status["missing"]:
            click.echo(f"Attention : {status_line(status)}", err=True)
    options = search_options(rrf_k, no_synonyms, no_intent)
    report = env.workspace.evaluate_search(
        queries or QUERIES, split, modes or MODES, query_set=query_set, **options
    )
    if as_json:
        emit_json(report)
        return
    parts = report.get("sets", {query_set: report})
    table = Table(
        title=f"Évaluation de la recherche — jeu {query_set} (MRR et nDCG à 10)",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("Jeu", no_wrap=True)
    table.add_column("N", justify="right", no_wrap=True)
    table.add_column("Mode", no_wrap=True)
    for name in METRICS:
        short = {"mrr@10": "MRR", "ndcg@10": "nDCG"}.get(name, name.replace("recall", "R"))
        table.add_column(short, justify="right", no_wrap=True)
    for label, part in parts.items():
        shown = label if label != "ours" else f"ours-{part['split']}"
        count = str(part["queries"])
        for i, (mode, values) in enumerate(part["modes"].items()):
            table.add_row(
                shown if i == 0 else "",
                count if i == 0 else "",
                mode,
                *(f"{values[name]:.3f}" for name in METRICS),
            )
        for style, by_mode in part.get("styles", {}).items():
            for i, mode in enumerate(part["modes"]):
                table.add_row(
                    f"  · {style}" if i == 0 else "",
                    str(by_mode["queries"]) if i == 0 else "",
                    mode,
                    *(f"{by_mode[mode][name]:.3f}" for name in METRICS),
                    style="dim",
                )
        table.add_section()
    stdout.print(table)
    lost = [u for part in parts.values() for u in part.get("unmatched", [])]
    if lost:
        stdout.print(
            f"[dim]{len(lost)} passage(s) pertinent(s) introuvable(s) après l'extraction, comptés "
            "comme manqués (voir --json, « unmatched »).[/dim]",
            highlight=False,
        )
