"""The query sets ``ceser eval --set`` measures: ours, the variety corpus' halves, or all.

``ours`` is the set shipped in the package (``ceser_explorer:data/queries.jsonl``, its tune and
test splits, on the sample corpus of ``corpus/``). ``variety-tune`` and ``variety-test`` are
the queries written for the variety corpus (``corpus/variety/queries.jsonl``, one half of its
documents each): they live in the repository beside the PDFs they are about, not in the
package, so they need a checkout of the repository and those PDFs in the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import resources
from ..errors import CeserError
from .engine import MODES, Searcher
from .evaluation import corpus_files, evaluate, load_queries

SETS = ("ours", "variety-tune", "variety-test", "all")
# what --set all puts side by side, as (name, query set, split)
ALL = (
    ("ours-tune", "ours", "tune"),
    ("ours-test", "ours", "test"),
    ("variety-tune", "variety", "tune"),
    ("variety-test", "variety", "test"),
)
VARIETY_HINT = "indexez le corpus varié : « ceser ingest corpus/variety/pdf »."
# our queries search the 6 sample PDFs of the repository (not in the installed package)
OURS_HINT = (
    "notre jeu de requêtes porte sur les 6 PDF d'exemple du dépôt ceser-explorer (corpus/*.pdf) : "
    "indexez-les avec « ceser ingest corpus/*.pdf » depuis une copie du dépôt, ou mesurez votre "
    "propre jeu avec --queries FICHIER."
)


def variety_queries_path() -> Path:
    """Return the variety set of the repository this package runs from, or raise."""
    path = Path(__file__).resolve().parents[2] / "corpus" / "variety" / "queries.jsonl"
    if not path.is_file():
        raise CeserError(
            "jeu de requêtes du corpus varié introuvable (corpus/variety/queries.jsonl) : il "
            "vient du dépôt ceser-explorer, pas du paquet installé ; lancez « ceser eval --set "
            "variety-test » depuis une copie du dépôt (pip install -e .), ou --set ours."
        )
    return path


def _one(
    searcher: Searcher,
    which: str,
    split: str,
    modes: Sequence[str],
    queries: resources.Source | None,
) -> dict[str, Any]:
    if which == "ours":
        found = load_queries(queries or resources.QUERIES)
        ours = queries is None or queries == resources.QUERIES
        scope = corpus_files(found) if ours else ()  # another file: the whole catalog
        return evaluate(searcher, found, split, modes, hint=OURS_HINT if ours else "", scope=scope)
    found = load_queries(variety_queries_path())
    scope = corpus_files(found)
    return evaluate(searcher, found, split, modes, lenient=True, hint=VARIETY_HINT, scope=scope)


def evaluate_set(
    searcher: Searcher,
    name: str = "ours",
    split: str = "test",
    modes: Sequence[str] = MODES,
    queries: resources.Source | None = None,
) -> dict[str, Any]:
    """Return the report of one set (ours on split; a variety half), or of all side by side.

    queries: another file in place of ours (the variety set is always the repository's).
    """
    if name not in SETS:
        raise CeserError(f"jeu « {name} » inconnu : choisissez {', '.join(SETS)}.")
    if name == "ours":
        return {"set": name, **_one(searcher, "ours", split, modes, queries)}
    if name != "all":
        return {"set": name, **_one(searcher, "variety", name.split("-")[1], modes, queries)}
    return {
        "set": name,
        "sets": {label: _one(searcher, which, half, modes, queries) for label, which, half in ALL},
    }
