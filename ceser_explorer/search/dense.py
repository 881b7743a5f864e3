"""The dense retriever: the query's embedding against the vector store, filtered first.

Up to EXACT_MAX vectors, the store's vectors are read once into memory (again when another
process writes to the store) and every allowed passage is scored exactly: Chroma's HNSW
graph is approximate, and on our 1,900 passages it missed a third-nearest passage and gave
another order from one process to the next (a query's figures moved by one relevant
passage between two runs; docs/search.md). Beyond EXACT_MAX, or with a Chroma server (whose
writes by others this process cannot see), the graph answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..catalog import Catalog, PassageFilter
from ..config import Settings
from ..index.embedders import Embedder, get_embedder
from ..index.store import VectorStore, written_stamp
from . import thesaurus
from .postings import postings


@dataclass(frozen=True)
class Blend:
    """Several wordings of one query, each with its weight: the dense side reads the
    normalised weighted sum of their vectors (a question's subject and its frame)."""

    parts: tuple[tuple[str, float], ...]


EXACT_MAX = 50_000  # vectors scored exactly in memory (50,000 x 384 floats: 77 MB)
_BATCH = 5_000


class DenseRetriever:
    """Nearest passages in meaning, from the vector store of the settings' embedder."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        embedder: Embedder | None = None,
        widen: bool = True,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self._embedder = embedder
        self._store: VectorStore | None = None
        self._stamp: tuple[int, ...] | None = None  # when the store was written, as opened
        self.widen = widen
        self.concept_weight = thesaurus.CONCEPT_WEIGHT
        self._vectors: dict[tuple[str, bool, bool], np.ndarray] = {}
        self._matrix: tuple[list[str], dict[str, int], np.ndarray] | None = None
        self._everyone: np.ndarray | None = None  # rows of every searchable passage
        self.exact_max = EXACT_MAX

    def forget(self) -> None:
        """Forget the query vectors kept for repeated queries."""
        self._vectors.clear()

    @property
    def loaded(self) -> Embedder | None:
        """The embedder if it is loaded (given, or loaded by a search), else None."""
        return self._embedder

    def load(self) -> Embedder:
        """Load the embedder if it is not yet (a fallback engine may stand in for the one
        configured) and return it."""
        return self.embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embedder)
        return self._embedder

    def vector_store(self) -> VectorStore:
        """Return the vector store of this embedder (refused for another embedder), opened
        again when another process (an ingest, the explorer's import) wrote to it since."""
        stamp = written_stamp(self.settings)
        if self._store is not None and stamp != self._stamp:
            self._store = None  # its client reads the store again if another process wrote
            self._matrix = self._everyone = None
        if self._store is None:
            self._stamp = stamp
            self._store = VectorStore.for_search(self.settings, self.embedder.id, self.embedder.dim)
        return self._store

    def query_vector(self, query: str | Blend) -> np.ndarray:
        """Return the query's embedding (kept for the next searches of the same text).

        When the thesaurus knows some of its wording, the query is also embedded with another
        wording in brackets (for the first two expressions found), and the vector is the mean
        of the query's own vector and of these variants' mean: the model then meets the
        documents' words as well.
        """
        if isinstance(query, Blend):
            mixed = sum(w * self.query_vector(text) for text, w in query.parts)
            return np.asarray(mixed / np.linalg.norm(mixed), dtype=np.float32)
        key = (query, self.widen, self.concept_weight > 0)
        if key not in self._vectors:
            if len(self._vectors) > 256:
                self._vectors.clear()
            variants = (
                [*thesaurus.load().variants(query), *self.concept_variants(query)][
                    : thesaurus.MAX_VARIANTS
                ]
                if self.widen
                else []
            )
            vectors = self.embedder.encode_queries([query, *variants])
            vector = vectors[0] + vectors[1:].mean(axis=0) if variants else vectors[0]
            self._vectors[key] = vector / np.linalg.norm(vector)
        return self._vectors[key]

    def concept_variants(self, query: str) -> list[str]:
        """Return the query reworded with the concept lexicon (none when it is turned off)."""
        if self.concept_weight <= 0:
            return []
        # only wording the documents rarely use, as on the lexical side
        return thesaurus.concepts().variants(query, thesaurus.rare(postings(self.catalog)))

    def matrix(self) -> tuple[list[str], dict[str, int], np.ndarray] | None:
        """Return the store's ids, their positions and vectors (one row each), or None when
        the store holds more than exact_max vectors (the HNSW graph then answers)."""
        store = self.vector_store()
        if self._matrix is None:
            count = store.count()
            if count > self.exact_max or self.settings.chroma_url:
                return None  # a server's writes are not seen here: its graph answers
            ids: list[str] = []
            rows: list[np.ndarray] = []
            for offset in range(0, count, _BATCH):
                got = store.collection.get(include=["embeddings"], limit=_BATCH, offset=offset)
                ids.extend(got["ids"])
                rows.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(-1, store.dim))
            vectors = np.vstack(rows) if rows else np.zeros((0, store.dim), dtype=np.float32)
            self._matrix = (ids, {pid: i for i, pid in enumerate(ids)}, vectors)
        return self._matrix

    def retrieve(
        self, query: str | Blend, filters: PassageFilter, n: int
    ) -> list[tuple[str, float]]:
        """Return up to n (passage id, cosine) pairs for the query, filtered before ranking."""
        vector = self.query_vector(query)
        exact = self.matrix()
        if exact is not None:
            ids, pos, vectors = exact
            if filters == PassageFilter() and self._everyone is not None:
                rows = self._everyone
            else:
                allowed = self.catalog.allowed_ids(filters)  # searchable passages only
                rows = np.array(sorted(pos[p] for p in allowed if p in pos), dtype=np.int64)
                if filters == PassageFilter():
                    self._everyone = rows  # until the store is written again
            if n <= 0 or not len(rows):
                return []
            sims = vectors[rows] @ vector.astype(np.float32)
            best = np.argsort(-sims, kind="stable")[:n]
            return [(ids[rows[i]], float(sims[i])) for i in best]
        store = self.vector_store()
        over = n * 4 if filters.active else n + 20
        candidates = store.query(vector, over)
        ok = self.catalog.filter_ids([pid for pid, _ in candidates], filters)
        kept = [c for c in candidates if c[0] in ok]
        if len(kept) >= n or len(candidates) < over:
            return kept[:n]
        # too few of the nearest vectors pass the filter: search among the allowed ids only
        return store.query(vector, n, ids=self.catalog.allowed_ids(filters))
