"""Evaluation of the search on a query set: recall@1/5/10, MRR@10 and nDCG@10 per mode.

Each query names its relevant passages by an anchor (a fragment of the passage's text) in a
given file. Anchors are compared after folding what extraction may change (ligatures, soft
hyphens, spaces and punctuation, case): a passage matches when it holds the anchor, else
when it holds 80 % of the anchor's words (columns read out of order), else when it ends with
the anchor's start or begins with its end (a paragraph cut in two). Our set
(``ceser_explorer:data/queries.jsonl``, shipped in the package) fails loudly on an anchor that
matches nothing: it must follow our corpus. The variety set (``corpus/variety/queries.jsonl``)
is written from the documents' sources, so an anchor lost by extraction counts as a miss and
is listed (``lenient``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from .. import resources
from ..catalog import SEARCHABLE_KINDS, Catalog
from ..errors import CeserError
from ..models import Hit
from ..vocabulary import shorten
from .engine import MODES, Searcher
from .filters import Filters

SPLITS = ("tune", "test", "all")
STYLES = ("keywords", "question", "reworded")
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
    style: str = ""  # keywords, question or reworded (the variety set); "" when not given


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
                style=str(d.get("style", "")),
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
        if q.style and q.style not in STYLES:
            raise CeserError(
                f"{path}, ligne {n} ({q.id}) : style « {q.style} » inconnu : {', '.join(STYLES)}."
            )
        out.append(q)
    return out


def _fold(text: str) -> str:
    """Return text as extraction cannot change it: NFKC, no soft hyphen, lowercase."""
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "").casefold()


def _letters(text: str) -> str:
    """Return the letters and digits of text only (spaces, hyphens, punctuation dropped)."""
    return re.sub(r"[\W_]+", "", _fold(text))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", _fold(text)) if len(w) >= 3}


WORD_SHARE = 0.8  # of the anchor's words found in a passage whose columns were read apart
CUT_SHARE = 0.4  # of the anchor found at a passage's end or start when a paragraph is cut


def anchor_matches(anchor: str, passages: Sequence[tuple[str, str]]) -> set[str]:
    """Return the ids of the (id, text) passages that hold anchor (see the module's rules)."""
    key = _letters(anchor)
    if not key:
        return set()
    letters = [(pid, _letters(text)) for pid, text in passages]
    found = {pid for pid, text in letters if key in text}
    if found:
        return found
    words = _words(anchor)
    if len(words) >= 4:
        found = {
            pid for pid, text in passages if len(words & _words(text)) >= WORD_SHARE * len(words)
        }
        if found:
            return found
    cut = max(12, math.ceil(CUT_SHARE * len(key)))
    return {
        pid
        for pid, text in letters
        if len(text) >= cut
        and any(text.endswith(key[:n]) or text.startswith(key[-n:]) for n in range(cut, len(key)))
    }


def resolve_anchors(
    catalog: Catalog, queries: Sequence[Query], lenient: bool = False, hint: str = ""
) -> dict[str, list[set[str]]]:
    """Return, per query id, one set of matching passage ids per relevant anchor.

    lenient: an anchor that matches nothing gives an empty set (a miss) instead of an error.
    hint: what to run when a document is not in the catalog.
    """
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
                        + (hint or "indexez-le avec « ceser ingest ».")
                    )
                texts[r.file] = [
                    (p.passage_id, p.text)
                    for p in catalog.passages(doc_id=doc.doc_id)
                    if p.kind in SEARCHABLE_KINDS
                ]
            found = anchor_matches(r.anchor, texts[r.file])
            if not found and not lenient:
                raise CeserError(
                    f"requête {q.id} : l'ancre « {shorten(r.anchor, 60)} » ne correspond à aucun "
                    f"passage cherchable de {r.file} : corrigez le jeu de requêtes."
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


def corpus_files(queries: Sequence[Query]) -> tuple[str, ...]:
    """Return the files a query set names, both splits: the corpus it was judged on."""
    return tuple(sorted({r.file for q in queries for r in q.relevant}))


def _mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {name: round(sum(r[name] for r in rows) / len(rows), 4) for name in METRICS}


def evaluate(
    searcher: Searcher,
    queries: Sequence[Query],
    split: str = "test",
    modes: Sequence[str] = MODES,
    lenient: bool = False,
    hint: str = "",
    scope: Sequence[str] = (),
) -> dict[str, Any]:
    """Return the mean metrics per mode on a split, with the queries each mode misses.

    scope: the files the set was judged on (its corpus); the search runs on them only, so
    that documents of another corpus in the same catalog, never judged, cannot count as
    misses. Empty: the whole catalog.

    When the queries carry a style, ``styles`` gives the same means per style; ``unmatched``
    lists the anchors that matched no passage (lenient: they count as misses).
    """
    if split not in SPLITS:
        raise CeserError(f"split « {split} » inconnu : choisissez tune, test ou all.")
    chosen = [q for q in queries if split == "all" or q.split == split]
    if not chosen:
        raise CeserError(f"aucune requête dans le split « {split} » : vérifiez le jeu de requêtes.")
    relevant = resolve_anchors(searcher.catalog, chosen, lenient=lenient, hint=hint)
    filters = Filters(docs=tuple(scope)) if scope else None
    if scope:
        missing = [f for f in scope if searcher.catalog.find_document(f) is None]
        if missing:
            raise CeserError(
                f"{len(missing)} document(s) du jeu absents du catalogue ({missing[0]}…) : "
                + (hint or "indexez-les avec « ceser ingest ».")
            )
    styles = sorted({q.style for q in chosen if q.style}, key=STYLES.index)
    report: dict[str, Any] = {
        "split": split,
        "queries": len(chosen),
        "paraphrased": sum(q.paraphrase for q in chosen),
        "documents": len(scope) if scope else len(searcher.catalog.documents()),
        "modes": {},
        "misses": {},
    }
    if styles:
        report["styles"] = {s: {"queries": sum(q.style == s for q in chosen)} for s in styles}
    if lenient:
        report["unmatched"] = [
            {"id": q.id, "file": r.file, "anchor": r.anchor}
            for q in chosen
            for r, found in zip(q.relevant, relevant[q.id], strict=True)
            if not found
        ]
    for mode in modes:
        rows: dict[str, dict[str, float]] = {}
        for q in chosen:
            hits = searcher.search(q.query, k=10, mode=mode, filters=filters)
            rows[q.id] = query_metrics(hits, relevant[q.id])
        report["modes"][mode] = _mean(list(rows.values()))
        report["misses"][mode] = [q.id for q in chosen if rows[q.id]["recall@5"] < 1]
        for s in styles:
            report["styles"][s][mode] = _mean([rows[q.id] for q in chosen if q.style == s])
    return report
