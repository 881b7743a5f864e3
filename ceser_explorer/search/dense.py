"""The dense retriever: the query's embedding against the vector store, filtered first."""

from __future__ import annotations

import numpy as np

from ..catalog import Catalog, PassageFilter
from ..config import Settings
from ..index.embedders import Embedder, get_embedder
from ..index.store import VectorStore, written_stamp
from . import thesaurus


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
        self._vectors: dict[tuple[str, bool], np.ndarray] = {}

    def forget(self) -> None:
        """Forget the query vectors kept for repeated queries."""
        self._vectors.clear()

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
        if self._store is None:
            self._stamp = stamp
            self._store = VectorStore.for_search(self.settings, self.embedder.id, self.embedder.dim)
        return self._store

    def query_vector(self, query: str) -> np.ndarray:
        """Return the query's embedding (kept for the next searches of the same text).

        When the thesaurus knows some of its wording, the query is also embedded with another
        wording in brackets (for the first two expressions found), and the vector is the mean
        of the query's own vector and of these variants' mean: the model then meets the
        documents' words as well.
        """
        key = (query, self.widen)
        if key not in self._vectors:
            if len(self._vectors) > 256:
                self._vectors.clear()
            variants = (
                thesaurus.load().variants(query)[: thesaurus.MAX_VARIANTS] if self.widen else []
            )
            vectors = self.embedder.encode_queries([query, *variants])
            vector = vectors[0] + vectors[1:].mean(axis=0) if variants else vectors[0]
            self._vectors[key] = vector / np.linalg.norm(vector)
        return self._vectors[key]

    def retrieve(self, query: str, filters: PassageFilter, n: int) -> list[tuple[str, float]]:
        """Return up to n (passage id, cosine) pairs for the query, filtered before ranking."""
        store = self.vector_store()
        vector = self.query_vector(query)
        over = n * 4 if filters.active else n + 20
        candidates = store.query(vector, over)
        ok = self.catalog.filter_ids([pid for pid, _ in candidates], filters)
        kept = [c for c in candidates if c[0] in ok]
        if len(kept) >= n or len(candidates) < over:
            return kept[:n]
        # too few of the nearest vectors pass the filter: search among the allowed ids only
        return store.query(vector, n, ids=self.catalog.allowed_ids(filters))
