"""Features of a passage: its embedding, and TF-IDF over French stems and stem bigrams.

Embeddings are cached on disk per embedder (keyed by a hash of the text), so that
retraining and re-evaluating never re-encode the labelled passages.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .. import analysis
from ..index.embedders import Embedder

Progress = Callable[[int, int], None]
BATCH = 32


def text_key(text: str) -> str:
    """Return the cache key of a text."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class EmbeddingCache:
    """Passage vectors of one embedder in one .npz file, keyed by text hash."""

    def __init__(self, folder: str | Path, embedder_id: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_id)
        self.path = Path(folder) / f"{slug}.npz"
        self.embedder_id = embedder_id
        self._vectors: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.is_file():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
                except (OSError, ValueError, KeyError):
                    self._vectors = {}  # a damaged cache is rebuilt, never trusted
        return self._vectors

    def _save(self) -> None:
        vectors = self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(vectors), dtype="U32")
        matrix = np.vstack(list(vectors.values())).astype(np.float32) if vectors else np.zeros((0, 0))
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, keys=keys, vectors=matrix)
        os.replace(tmp, self.path)  # atomic: a reader never sees half a file

    def encode(
        self, embedder: Embedder, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        """Return the passage vectors of texts, encoding (and caching) only the new ones."""
        vectors = self._load()
        keys = [text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in vectors}.items())
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            encoded = embedder.encode_passages([t for _, t in chunk])
            vectors.update((k, v) for (k, _), v in zip(chunk, encoded, strict=True))
            if progress:
                progress(min(start + BATCH, len(missing)), len(missing))
        if missing:
            self._save()
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([vectors[k] for k in keys]).astype(np.float32)


def embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: str | Path | None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Return the passage vectors of texts, through the on-disk cache when a folder is given."""
    if cache_dir is None:
        return embedder.encode_passages(list(texts))
    return EmbeddingCache(cache_dir, embedder.id).encode(embedder, texts, progress)


def lexical_terms(text: str) -> list[str]:
    """Return the French stems of text followed by its stem bigrams."""
    stems = analysis.analyze(text, "stem")
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]


class FeatureSpace:
    """[embedding x w_emb ‖ tf-idf x w_lex]: the fitted vocabulary and the block weights."""

    def __init__(self, emb_weight: float = 1.0, lex_weight: float = 1.0, min_df: int = 2) -> None:
        self.emb_weight = emb_weight
        self.lex_weight = lex_weight
        self.vectorizer = TfidfVectorizer(
            analyzer=lexical_terms, min_df=min_df, sublinear_tf=True, dtype=np.float32
        )

    def fit(self, texts: Sequence[str]) -> FeatureSpace:
        """Learn the lexical vocabulary and its IDF weights from texts; return self."""
        self.vectorizer.fit(list(texts))
        return self

    def transform(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        """Return the feature matrix of texts whose embeddings are vectors."""
        lex = self.vectorizer.transform(list(texts))
        emb = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * self.emb_weight)
        return sparse.hstack([emb, lex * self.lex_weight], format="csr")
