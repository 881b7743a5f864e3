"""Evaluation of the search on our query set: recall@1/5/10, MRR@10 and nDCG@10 per mode.

Each query of our set (``ceser_explorer:data/queries.jsonl``, shipped in the package) names
its relevant passages by a verbatim anchor (a substring of the passage text as extracted) in
a given file. An anchor that matches no searchable passage fails the evaluation loudly: the
query set must follow the corpus.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from .. import resources
from ..catalog import SEARCHABLE_KINDS, Catalog
from ..errors import CeserError
from ..models import Hit
from .engine import MODES, Searcher

SPLITS = ("tune", "test", "all")
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


@dataclass(frozen=True)
class Relevant:
    """A relevant passage: a verbatim substring of its text, in a file of the corpus."""

    file: str
    anchor: str


@dataclass(frozen=True)
class Query:
    """One query of the evaluation set."""

    id: str
    query: str
    relevant: tuple[Relevant, ...]
    split: str
    paraphrase: bool


def default_queries_path() -> Traversable:
    """Return our query set, shipped in the package."""
    return resources.data_file(resources.QUERIES)


def load_queries(source: resources.Source = resources.QUERIES) -> list[Query]:
    """Return the queries of a JSON-lines file (ours by default), checked field by field."""
    path = resources.display(source)
    found = resources.resolve(source)
    if not found.is_file():
        raise CeserError(f"jeu de requêtes {path} introuvable : donnez-le avec --queries.")
    out = []
    for n, line in enumerate(found.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            q = Query(
                id=str(d["id"]),
                query=str(d["query"]),
                relevant=tuple(Relevant(str(r["file"]), str(r["anchor"])) for r in d["relevant"]),
                split=str(d["split"]),
                paraphrase=bool(d["paraphrase"]),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise CeserError(
                f"{path}, ligne {n} : requête mal formée ({e}) ; attendu "
                '{"id", "query", "relevant": [{"file", "anchor"}], "split", "paraphrase"}.'
            ) from e
        if q.split not in ("tune", "test") or not q.relevant:
            raise CeserError(
                f"{path}, ligne {n} ({q.id}) : split « tune » ou « test » et au moins un passage "
                "pertinent attendus."
            )
        out.append(q)
    return out


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def resolve_anchors(catalog: Catalog, queries: Sequence[Query]) -> dict[str, list[set[str]]]:
    """Return, per query id, one set of matching passage ids per relevant anchor."""
    texts: dict[str, list[tuple[str, str]]] = {}
    out: dict[str, list[set[str]]] = {}
    for q in queries:
        items = []
        for r in q.relevant:
            if r.file not in texts:
                doc = catalog.find_document(r.file)
                if doc is None:
                    raise CeserError(
                        f"requête {q.id} : le document {r.file} n'est pas dans le catalogue : "
                        "indexez-le avec « ceser ingest »."
                    )
                texts[r.file] = [
                    (p.passage_id, _norm(p.text))
                    for p in catalog.passages(doc_id=doc.doc_id)
                    if p.kind in SEARCHABLE_KINDS
                ]
            anchor = _norm(r.anchor)
            found = {pid for pid, text in texts[r.file] if anchor in text}
            if not found:
                raise CeserError(
                    f"requête {q.id} : l'ancre « {r.anchor[:60]} » ne correspond à aucun passage "
                    f"cherchable de {r.file} : corrigez le jeu de requêtes."
                )
            items.append(found)
        out[q.id] = items
    return out


def query_metrics(hits: Sequence[Hit], relevant: Sequence[set[str]]) -> dict[str, float]:
    """Return recall@1/5/10, MRR@10 and nDCG@10 of one ranked list (duplicates count)."""
    first: list[int] = []
    for item in relevant:
        ranks = [h.rank for h in hits if item & {h.passage.passage_id, *h.duplicates}]
        first.append(min(ranks) if ranks else math.inf)  # type: ignore[arg-type]
    n = len(relevant)
    gains = sorted({r for r in first if r <= 10})
    dcg = sum(1 / math.log2(r + 1) for r in gains)
    idcg = sum(1 / math.log2(i + 1) for i in range(1, min(n, 10) + 1))
    best = min(first)
    return {
        "recall@1": sum(r <= 1 for r in first) / n,
        "recall@5": sum(r <= 5 for r in first) / n,
        "recall@10": sum(r <= 10 for r in first) / n,
        "mrr@10": 1 / best if best <= 10 else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def evaluate(
    searcher: Searcher,
    queries: Sequence[Query],
    split: str = "test",
    modes: Sequence[str] = MODES,
) -> dict[str, Any]:
    """Return the mean metrics per mode on a split, with the queries each mode misses."""
    if split not in SPLITS:
        raise CeserError(f"split « {split} » inconnu : choisissez tune, test ou all.")
    chosen = [q for q in queries if split == "all" or q.split == split]
    if not chosen:
        raise CeserError(f"aucune requête dans le split « {split} » : vérifiez le jeu de requêtes.")
    relevant = resolve_anchors(searcher.catalog, chosen)
    report: dict[str, Any] = {
        "split": split,
        "queries": len(chosen),
        "paraphrased": sum(q.paraphrase for q in chosen),
        "modes": {},
        "misses": {},
    }
    for mode in modes:
        totals = dict.fromkeys(METRICS, 0.0)
        misses = []
        for q in chosen:
            m = query_metrics(searcher.search(q.query, k=10, mode=mode), relevant[q.id])
            for name in METRICS:
                totals[name] += m[name]
            if m["recall@5"] < 1:
                misses.append(q.id)
        report["modes"][mode] = {name: round(v / len(chosen), 4) for name, v in totals.items()}
        report["misses"][mode] = misses
    return report
