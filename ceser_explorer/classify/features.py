"""Features of a passage: its embedding, and TF-IDF over French stems and stem bigrams.

Embeddings are cached on disk per embedder (keyed by a hash of the text), so that
retraining and re-evaluating never re-encode the labelled passages.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .. import analysis
from ..index.cache import embed
from ..index.embedders import Embedder
from ..index.passage_text import DEFAULT_CONTEXT, context_text
from ..pace import Progress

__all__ = ["FeatureSpace", "Progress", "embed", "embed_passages", "lexical_terms"]


def embed_passages(
    embedder: Embedder,
    texts: Sequence[str],
    sections: Sequence[str] | None,
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    context: str = DEFAULT_CONTEXT,
    max_chars: int | None = None,
) -> np.ndarray:
    """Return the vectors of passages computed as the vector index computes them: each text
    after its section path (``index.passage_text``; context "none": the text alone), through
    the shared embedding cache, so that a passage the index holds is not encoded again."""
    sections = [""] * len(texts) if sections is None else sections
    if len(sections) != len(texts):
        raise ValueError("one section per text expected")
    embedded = [
        context_text(t, s, context="none" if context == "none" else "section", max_chars=max_chars)
        for t, s in zip(texts, sections, strict=True)
    ]
    return embed(embedder, embedded, cache_dir, progress, max_chars)


def lexical_terms(text: str) -> list[str]:
    """Return the French stems of text followed by its stem bigrams."""
    stems = analysis.analyze(text, "stem")
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


class FeatureSpace:
    """[embedding x w_emb ‖ tf-idf x w_lex]: the block weights, the vocabulary and its IDF.

    The lexical block is sklearn's TfidfVectorizer (sublinear tf, l2 norm), fitted once and
    then kept as plain arrays (terms, idf), so that a saved model is arrays, not a pickle.
    """

    def __init__(
        self,
        emb_weight: float = 1.0,
        lex_weight: float = 1.0,
        min_df: int = 2,
        terms: Sequence[str] = (),
        idf: np.ndarray | None = None,
    ) -> None:
        self.emb_weight = emb_weight
        self.lex_weight = lex_weight
        self.min_df = min_df
        self.terms: tuple[str, ...] = tuple(terms)
        self.idf = np.zeros(0, dtype=np.float32) if idf is None else np.asarray(idf, np.float32)
        if len(self.idf) != len(self.terms):
            raise ValueError("one IDF weight per term expected")
        self._counter = self._make_counter()

    def _make_counter(self) -> CountVectorizer | None:
        if not self.terms:
            return None
        vocabulary = {t: i for i, t in enumerate(self.terms)}
        return CountVectorizer(analyzer=lexical_terms, vocabulary=vocabulary, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> FeatureSpace:
        """Learn the lexical vocabulary and its IDF weights from texts; return self."""
        vectorizer = TfidfVectorizer(
            analyzer=lexical_terms, min_df=self.min_df, sublinear_tf=True, dtype=np.float32
        ).fit(list(texts))
        self.terms = tuple(str(t) for t in vectorizer.get_feature_names_out())
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        self._counter = self._make_counter()
        return self

    def lexical(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the l2-normalised sublinear tf-idf rows of texts over the fitted vocabulary."""
        if self._counter is None:
            raise ValueError("FeatureSpace.fit() must come first")
        counts = sparse.csr_matrix(self._counter.transform(list(texts)), dtype=np.float32)
        counts.data = np.log(counts.data) + 1
        return normalize(counts @ sparse.diags(self.idf), norm="l2", copy=False).tocsr()

    def transform(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        """Return the feature matrix of texts whose embeddings are vectors."""
        lex = self.lexical(texts)
        emb = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * self.emb_weight)
        return sparse.hstack([emb, lex * self.lex_weight], format="csr")
