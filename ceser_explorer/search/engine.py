"""Search: every retriever filtered inside, their lists fused by RRF, near-duplicates grouped.

``Searcher(settings).search("former les enseignants à l'IA", k=10)`` returns ``Hit`` records
with their passage (document, page, boxes, section, themes), the matched terms as character
offsets, and the passage ids of near-duplicates grouped under each hit.

Every retriever has one signature, ``retrieve(query, filters, n) -> [(passage id, score)]``
best first (``Retriever``); the hybrid mode fuses all of ``Searcher.retrievers``, so that a
third list plugs in by adding one entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .. import analysis
from ..catalog import Catalog, PassageFilter
from ..catalog import themes as theme_store
from ..config import Settings
from ..errors import CeserError
from ..index.embedders import Embedder
from ..index.store import VectorStore
from ..models import Hit, Passage
from . import intent as intents
from . import thesaurus
from .dense import DenseRetriever
from .filters import Filters, resolve
from .fusion import DEFAULT_RRF_K, Ranked, duplicate_key, guard, rrf, same_text
from .lexical import DEFAULT_ANALYSIS, LexicalRetriever

MODES = ("hybrid", "dense", "lexical")
# The 2 passages nearest in meaning always rank in the hybrid's top 3: a paraphrase shares no
# word with its answer, and RRF would rank that answer below passages that merely share
# common words with the query (chosen on the tune split: docs/search.md).
DEFAULT_DENSE_GUARD = 2
# What a question's frame asks for (recommendations, plan measures, a body's or a year's
# documents) lifts the passages that give it: each preference met multiplies the fused score.
PREFERENCE_BOOST = 0.05  # the smallest that puts the demo answer first (tune split: docs/search.md)
PREFERENCE_DEPTH = 60  # how far down the fused list preferences are looked for


class Retriever(Protocol):
    """One ranked list: up to n (passage id, score) pairs for the query, filtered, best first."""

    def retrieve(self, query: str, filters: PassageFilter, n: int) -> Ranked: ...


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
        weights: tuple[float, ...] = (1.0, 1.0),
        dense_guard: int = DEFAULT_DENSE_GUARD,
        expansion_weight: float = thesaurus.DEFAULT_WEIGHT,
        expansion_max_share: float = thesaurus.MAX_SHARE,
        read_intent: bool = True,
        preference_boost: float = PREFERENCE_BOOST,
    ) -> None:
        self.settings = settings
        self.catalog = catalog if catalog is not None else Catalog(settings.ensure().catalog_path)
        self._own_catalog = catalog is None
        self.rrf_k = rrf_k
        self.depth = depth
        self.weights = weights
        self.dense_guard = dense_guard
        self.read_intent = read_intent
        self.preference_boost = preference_boost
        self.lexical_retriever = LexicalRetriever(
            self.catalog, analysis, expansion_weight, expansion_max_share
        )
        self.dense_retriever = DenseRetriever(
            settings, self.catalog, embedder, widen=expansion_weight > 0
        )
        # the lists the hybrid mode fuses, in the order of self.weights
        self.retrievers: dict[str, Retriever] = {
            "lexical": self.lexical_retriever,
            "dense": self.dense_retriever,
        }

    @property
    def expansion_weight(self) -> float:
        """Weight of the thesaurus' terms in the lexical query (0: no expansion)."""
        return self.lexical_retriever.expansion_weight

    @expansion_weight.setter
    def expansion_weight(self, weight: float) -> None:
        self.lexical_retriever.expansion_weight = weight
        self.dense_retriever.widen = weight > 0

    def forget(self) -> None:
        """Forget the query vectors and expansions kept for repeated searches."""
        self.lexical_retriever.forget()
        self.dense_retriever.forget()

    def close(self) -> None:
        if self._own_catalog:
            self.catalog.close()

    @property
    def embedder(self) -> Embedder:
        return self.dense_retriever.embedder

    def vector_store(self) -> VectorStore:
        """Return the vector store of this searcher's embedder (refused for another embedder)."""
        return self.dense_retriever.vector_store()

    def query_vector(self, query: str) -> np.ndarray:
        """Return the query's embedding (see ``DenseRetriever.query_vector``)."""
        return self.dense_retriever.query_vector(query)

    def resolve(self, filters: Filters | None) -> PassageFilter:
        """Return the filter resolved against the catalog, or raise on an unknown value."""
        return resolve(self.catalog, filters)

    def expansions(self, query: str) -> dict[str, dict[str, float]]:
        """Return the thesaurus terms added to the query per column (none when turned off)."""
        return self.lexical_retriever.expansions(query)

    def synonyms(self, query: str) -> list[str]:
        """Return the expressions the lexical search adds to the query (not mere inflections)."""
        return self.lexical_retriever.synonyms(query)

    def lexical(self, query: str, pf: PassageFilter, n: int) -> Ranked:
        """Return up to n (passage id, BM25) pairs for the query and its expansions, filtered."""
        return self.lexical_retriever.retrieve(query, pf, n)

    def dense(self, query: str, pf: PassageFilter, n: int) -> Ranked:
        """Return up to n (passage id, cosine) pairs for the query, filtered before ranking."""
        return self.dense_retriever.retrieve(query, pf, n)

    def intent(self, query: str) -> intents.Intent:
        """Return what the query asks for (its words only when intent reading is off)."""
        return intents.read(query) if self.read_intent else intents.Intent(query)

    def ranked(
        self, query: str, mode: str, pf: PassageFilter, n: int, words: str | None = None
    ) -> Ranked:
        """Return the fused (or single-retriever) ranking of passage ids with their scores.

        words: what the lexical side matches (the question without its frame); the dense side
        reads the whole question, as e5 was trained to.
        """
        words = words or query
        if mode != "hybrid":
            return self.retrievers[mode].retrieve(words if mode == "lexical" else query, pf, n)
        lists = {
            name: r.retrieve(words if name == "lexical" else query, pf, n)
            for name, r in self.retrievers.items()
        }
        fused = rrf(list(lists.values()), self.rrf_k, self.weights)
        if self.dense_guard < 1 or "dense" not in lists:
            return fused
        nearest = [pid for pid, _ in lists["dense"][: self.dense_guard]]
        return guard(fused, nearest, self.dense_guard + 1)

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Return the k best hits for query, near-duplicates grouped under the first one."""
        query = query.strip()
        if not query:
            raise CeserError("requête vide : tapez des mots, par exemple « apprentissage ».")
        if len(query) > intents.MAX_QUERY_CHARS:
            raise CeserError(
                f"requête trop longue ({len(query)} caractères) : gardez l'essentiel de la "
                f"question, {intents.MAX_QUERY_CHARS} caractères au plus."
            )
        if mode not in MODES:
            raise CeserError(f"mode « {mode} » inconnu : choisissez hybrid, dense ou lexical.")
        if k < 1:
            raise CeserError(f"nombre de résultats {k} invalide : donnez un entier ≥ 1 (-k 10).")
        pf = self.resolve(filters)
        if not intents.meaningful_words(query):
            raise CeserError(
                f"la requête « {query} » ne contient aucun mot à chercher (seulement des mots "
                "outils ou de la ponctuation) : tapez par exemple « apprentissage »."
            )
        it = self.intent(query)
        ranked = self.ranked(query, mode, pf, max(self.depth, 3 * k), it.query)
        return self._hits(it.query, self.prefer(ranked, it), k)

    def prefer(self, ranked: Ranked, it: intents.Intent) -> Ranked:
        """Return ranked with the passages that give what the question asks for lifted."""
        if self.preference_boost <= 0 or not (it.advice or it.measures or it.body or it.year):
            return ranked
        head = list(ranked[:PREFERENCE_DEPTH])
        ids = [pid for pid, _ in head]
        found = {p.passage_id: p for p in self.catalog.passages(ids=ids)}
        recs = set(self.catalog.recommendation_numbers(ids)) if it.advice else set()
        body = (it.body or "").casefold()
        scored = []
        for pid, score in head:
            p = found.get(pid)
            doc = p.document if p is not None else None
            met = 0
            if it.advice and (pid in recs or (p is not None and p.kind == "recommendation")):
                met += 1
            if it.measures and (
                (p is not None and p.kind == "measure") or (doc is not None and doc.kind == "plan")
            ):
                met += 1
            if body and doc is not None and body in doc.body.casefold():
                met += 1
            if it.year and doc is not None and (doc.date or "").startswith(str(it.year)):
                met += 1
            scored.append((pid, score * (1 + self.preference_boost * met)))
        scored.sort(key=lambda x: -x[1])
        return [*scored, *ranked[PREFERENCE_DEPTH:]]

    def _hits(self, query: str, ranked: Sequence[tuple[str, float]], k: int) -> list[Hit]:
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
                twin = next((g for g in groups if same_text(g[3], key)), None)
                if twin is not None:
                    twin[2].append(pid)
                elif len(groups) < k:
                    groups.append((p, score, [], key))
        ids = [g[0].passage_id for g in groups]
        enriched = theme_store.with_passage_themes(self.catalog, [g[0] for g in groups])
        with_themes = {p.passage_id: p for p in enriched}
        numbers = self.catalog.recommendation_numbers(ids)
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
