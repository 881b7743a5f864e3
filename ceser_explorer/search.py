"""Search: French BM25 and dense retrieval, filtered inside each retriever, fused by RRF.

``Searcher(settings).search("former les enseignants à l'IA", k=10)`` returns ``Hit`` records
with their passage (document, page, boxes, section, themes), the matched terms as character
offsets, and the passage ids of near-duplicates grouped under each hit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import analysis, thesaurus
from .catalog import Catalog
from .catalog import lexical as lex
from .catalog import themes as theme_store
from .config import Settings
from .errors import CeserError
from .index.embedders import Embedder, get_embedder
from .index.store import VectorStore
from .models import Hit, Passage

MODES = ("hybrid", "dense", "lexical")
ANALYSES = ("folded", "stem", "both")
DOC_KINDS = ("avis", "plan", "other")
DEFAULT_ANALYSIS = "both"
DEFAULT_RRF_K = 60
# The 2 passages nearest in meaning always rank in the hybrid's top 3: a paraphrase shares no
# word with its answer, and RRF would rank that answer below passages that merely share
# common words with the query (chosen on the tune split: README, « Recherche »).
DEFAULT_DENSE_GUARD = 2
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; themes match when any has a score >= min_confidence."""

    themes: tuple[str, ...] = ()
    min_confidence: float = 0.5
    kind: str | None = None
    body: str | None = None
    doc: str | None = None
    since: str | None = None
    until: str | None = None
    recommendations_only: bool = False


def date_bound(value: str, end: bool) -> str:
    """Return an ISO date from "2024", "2024-05" or "2024-05-12" (end: last day of the span)."""
    m = _DATE.match(value.strip())
    if not m:
        raise CeserError(
            f"date « {value} » illisible : écrivez AAAA, AAAA-MM ou AAAA-MM-JJ (ex. 2024-11-12)."
        )
    year, month, day = m.group(1), m.group(2), m.group(3)
    if day:
        return f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-{'31' if end else '01'}"
    return f"{year}-{'12-31' if end else '01-01'}"


def rrf(
    lists: Sequence[Sequence[tuple[str, float]]],
    k: int = DEFAULT_RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Return the reciprocal-rank fusion of ranked lists: sum of w / (k + rank), best first."""
    scores: dict[str, float] = {}
    for i, ranked in enumerate(lists):
        w = weights[i] if weights else 1.0
        for rank, (pid, _) in enumerate(ranked, start=1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def guard(
    fused: Sequence[tuple[str, float]], protected: Sequence[str], slot: int
) -> list[tuple[str, float]]:
    """Return fused with the protected ids ranked below slot moved up to end at rank slot.

    The order of the moved ids among themselves, and of all others, is kept; a moved id takes
    the score of the first one it displaces, so that scores never increase down the list.
    """
    wanted = set(protected)
    late = [x for x in fused[slot:] if x[0] in wanted]
    if not late:
        return list(fused)
    moved = {pid for pid, _ in late}
    rest = [x for x in fused if x[0] not in moved]
    cut = slot - len(late)
    score = rest[cut][1]  # rest still holds the ids that ranked between cut and slot
    return [*rest[:cut], *((pid, score) for pid, _ in late), *rest[cut:]]


def duplicate_key(text: str) -> frozenset[str]:
    """Return the folded terms of a text, the key that near-duplicates share."""
    return frozenset(analysis.analyze(text, "folded"))


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 8:
        return False
    return len(a & b) / len(a | b) >= 0.9


def query_terms(query: str, mode: str) -> dict[str, list[str]]:
    """Return the full-text query terms per FTS column under a lexical analysis."""
    if mode not in ANALYSES:
        raise CeserError(f"analyse « {mode} » inconnue : choisissez parmi {', '.join(ANALYSES)}.")
    out: dict[str, list[str]] = {}
    if mode in ("folded", "both"):
        out["folded"] = analysis.analyze(query, "folded")
    if mode in ("stem", "both"):
        out["stems"] = analysis.analyze(query, "stem")
    return out


class Searcher:
    """Lexical, dense and hybrid search over the catalog and its vector store."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        embedder: Embedder | None = None,
        *,
        rrf_k: int = DEFAULT_RRF_K,
        depth: int = 100,
        analysis: str = DEFAULT_ANALYSIS,
        weights: tuple[float, float] = (1.0, 1.0),
        dense_guard: int = DEFAULT_DENSE_GUARD,
        expansion_weight: float = thesaurus.DEFAULT_WEIGHT,
        expansion_max_share: float = thesaurus.MAX_SHARE,
    ) -> None:
        self.settings = settings
        self.catalog = catalog if catalog is not None else Catalog(settings.ensure().catalog_path)
        self._own_catalog = catalog is None
        self._embedder = embedder
        self._store: VectorStore | None = None
        self.rrf_k = rrf_k
        self.depth = depth
        self.analysis = analysis
        self.weights = weights
        self.dense_guard = dense_guard
        self.expansion_weight = expansion_weight
        self.expansion_max_share = expansion_max_share
        self._vectors: dict[tuple[str, bool], np.ndarray] = {}
        self._expanded: dict[tuple[str, int, float], dict[str, dict[str, float]]] = {}

    def forget(self) -> None:
        """Forget the query vectors and expansions kept for repeated searches."""
        self._vectors.clear()
        self._expanded.clear()

    def close(self) -> None:
        if self._own_catalog:
            self.catalog.close()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embedder)
        return self._embedder

    def vector_store(self) -> VectorStore:
        """Return the vector store of this searcher's embedder (refused for another embedder)."""
        if self._store is None:
            self._store = VectorStore.for_search(self.settings, self.embedder.id, self.embedder.dim)
        return self._store

    def resolve(self, filters: Filters | None) -> lex.PassageFilter:
        """Return the filter resolved against the catalog, or raise on an unknown value."""
        f = filters or Filters()
        if f.kind is not None and f.kind not in DOC_KINDS:
            raise CeserError(f"type « {f.kind} » inconnu : choisissez avis, plan ou other.")
        doc_ids: tuple[int, ...] | None = None
        if f.kind or f.body or f.since or f.until:
            since = date_bound(f.since, end=False) if f.since else None
            until = date_bound(f.until, end=True) if f.until else None
            doc_ids = lex.documents_matching(self.catalog, f.kind, f.body, since, until)
            if f.body and not lex.documents_matching(self.catalog, body=f.body):
                known = ", ".join(lex.bodies(self.catalog)) or "aucun"
                raise CeserError(f"organisme « {f.body} » absent du catalogue : connus : {known}.")
        if f.doc:
            found = self.catalog.find_document(f.doc)
            if found is None:
                raise CeserError(
                    f"document « {f.doc} » absent du catalogue : voir « ceser status »."
                )
            keep = doc_ids is None or found.doc_id in doc_ids
            doc_ids = (found.doc_id,) if keep else ()
        themes = tuple(dict.fromkeys(t.strip().lower() for t in f.themes if t.strip()))
        if themes:
            if not 0.0 <= f.min_confidence <= 1.0:
                raise CeserError(
                    f"confiance minimale {f.min_confidence} hors de [0, 1] : donnez par ex. 0.5."
                )
            if not lex.has_theme(self.catalog):
                raise CeserError(
                    "aucun thème n'est encore attribué aux passages : lancez « ceser classify "
                    f"apply » avant de filtrer sur « {themes[0]} »."
                )
            for t in themes:
                if not lex.has_theme(self.catalog, t):
                    known = ", ".join(lex.themes(self.catalog))
                    raise CeserError(f"thème « {t} » inconnu : thèmes : {known}.")
        return lex.PassageFilter(doc_ids, themes, f.min_confidence, f.recommendations_only)

    def _needed(self) -> Callable[[thesaurus.Expression], bool]:
        """Return the test of whether an expression of a query is worth expanding."""
        index = self.catalog.bm25_index()

        def needed(expr: thesaurus.Expression) -> bool:
            rarest = min(index.df("stems", t) for t in expr.stems)
            return rarest <= self.expansion_max_share * index.size

        return needed

    def expansions(self, query: str) -> dict[str, dict[str, float]]:
        """Return the thesaurus terms added to the query per column (none when turned off)."""
        if self.expansion_weight <= 0:
            return {}
        key = (query, self.catalog.bm25_index().generation, self.expansion_weight)
        if key not in self._expanded:
            if len(self._expanded) > 256:
                self._expanded.clear()
            self._expanded[key] = thesaurus.load().expand(
                query, self.expansion_weight, self._needed()
            )
        return self._expanded[key]

    def synonyms(self, query: str) -> list[str]:
        """Return the expressions the lexical search adds to the query (not mere inflections)."""
        if self.expansion_weight <= 0:
            return []
        shown: dict[tuple[str, ...], str] = {}  # one wording per stem sequence
        for others in thesaurus.load().rewordings(query, self._needed()):
            for other in others:
                shown.setdefault(other.stems, other.text)
        return list(shown.values())

    def lexical(self, query: str, pf: lex.PassageFilter, n: int) -> list[tuple[str, float]]:
        """Return up to n (passage id, BM25) pairs for the query and its expansions, filtered."""
        terms: dict[str, dict[str, float]] = {
            column: dict.fromkeys(words, 1.0)
            for column, words in query_terms(query, self.analysis).items()
        }
        for column, added in self.expansions(query).items():
            if column in terms:
                terms[column] = {**added, **terms[column]}
        return lex.bm25(self.catalog, terms, pf, n)

    def query_vector(self, query: str) -> np.ndarray:
        """Return the query's embedding (kept for the next searches of the same text).

        When the thesaurus knows some of its wording, the query is also embedded with another
        wording in brackets (for the first two expressions found), and the vector is the mean
        of the query's own vector and of these variants' mean: the model then meets the
        documents' words as well.
        """
        widen = self.expansion_weight > 0
        key = (query, widen)
        if key not in self._vectors:
            if len(self._vectors) > 256:
                self._vectors.clear()
            variants = thesaurus.load().variants(query)[: thesaurus.MAX_VARIANTS] if widen else []
            vectors = self.embedder.encode_queries([query, *variants])
            vector = vectors[0] + vectors[1:].mean(axis=0) if variants else vectors[0]
            self._vectors[key] = vector / np.linalg.norm(vector)
        return self._vectors[key]

    def dense(self, query: str, pf: lex.PassageFilter, n: int) -> list[tuple[str, float]]:
        """Return up to n (passage id, cosine) pairs for the query, filtered before ranking."""
        store = self.vector_store()
        vector = self.query_vector(query)
        over = n * 4 if pf.active else n + 20
        candidates = store.query(vector, over)
        ok = lex.filter_ids(self.catalog, [pid for pid, _ in candidates], pf)
        kept = [c for c in candidates if c[0] in ok]
        if len(kept) >= n or len(candidates) < over:
            return kept[:n]
        # too few of the nearest vectors pass the filter: search among the allowed ids only
        allowed = lex.allowed_ids(self.catalog, pf)
        return store.query(vector, n, ids=allowed)

    def ranked(
        self, query: str, mode: str, pf: lex.PassageFilter, n: int
    ) -> list[tuple[str, float]]:
        """Return the fused (or single-retriever) ranking of passage ids with their scores."""
        if mode == "lexical":
            return self.lexical(query, pf, n)
        if mode == "dense":
            return self.dense(query, pf, n)
        lexical, dense = self.lexical(query, pf, n), self.dense(query, pf, n)
        fused = rrf([lexical, dense], self.rrf_k, self.weights)
        if self.dense_guard < 1:
            return fused
        nearest = [pid for pid, _ in dense[: self.dense_guard]]
        return guard(fused, nearest, self.dense_guard + 1)

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Return the k best hits for query, near-duplicates grouped under the first one."""
        query = query.strip()
        if not query:
            raise CeserError("requête vide : tapez des mots, par exemple « apprentissage ».")
        if mode not in MODES:
            raise CeserError(f"mode « {mode} » inconnu : choisissez hybrid, dense ou lexical.")
        if k < 1:
            raise CeserError(f"nombre de résultats {k} invalide : donnez un entier ≥ 1 (-k 10).")
        pf = self.resolve(filters)
        ranked = self.ranked(query, mode, pf, max(self.depth, 3 * k))
        return self._hits(query, ranked, k)

    def _hits(self, query: str, ranked: list[tuple[str, float]], k: int) -> list[Hit]:
        groups: list[tuple[Passage, float, list[str], frozenset[str]]] = []
        start, step = 0, 2 * k + 10
        while len(groups) < k and start < len(ranked):
            chunk = ranked[start : start + step]
            start += step
            found = {p.passage_id: p for p in self.catalog.passages(ids=[i for i, _ in chunk])}
            for pid, score in chunk:
                p = found.get(pid)
                if p is None:
                    continue
                key = duplicate_key(p.text)
                twin = next((g for g in groups if _same(g[3], key)), None)
                if twin is not None:
                    twin[2].append(pid)
                elif len(groups) < k:
                    groups.append((p, score, [], key))
        ids = [g[0].passage_id for g in groups]
        enriched = theme_store.with_passage_themes(self.catalog, [g[0] for g in groups])
        with_themes = {p.passage_id: p for p in enriched}
        numbers = lex.recommendation_numbers(self.catalog, ids)
        stems = set(analysis.analyze(query, "stem")) | set(self.expansions(query).get("stems", ()))
        hits = []
        for rank, (p, score, dups, _) in enumerate(groups, start=1):
            p = with_themes[p.passage_id]
            hits.append(
                Hit(
                    rank=rank,
                    score=float(score),
                    passage=p,
                    highlights=tuple(analysis.term_spans(p.text, stems, "stem")),
                    recommendation_number=numbers.get(p.passage_id),
                    is_recommendation=p.passage_id in numbers or p.kind == "recommendation",
                    duplicates=tuple(dups),
                )
            )
        return hits

