"""Features of a passage: its embedding, and TF-IDF over French stems and stem bigrams.

Embeddings are cached on disk per embedder (keyed by a hash of the text), so that
retraining and re-evaluating never re-encode the labelled passages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .. import analysis
from ..index.cache import embed

Progress = Callable[[int, int], None]

__all__ = ["FeatureSpace", "Progress", "embed", "lexical_terms"]


def lexical_terms(text: str) -> list[str]:
    """Return the French stems of text followed by its stem bigrams."""
    stems = analysis.analyze(text, "stem")
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


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
