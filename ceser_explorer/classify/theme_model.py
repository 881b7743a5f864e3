"""The trained theme model as the classifier keeps it: taxonomy, features, weights, thresholds.

Its own module so that storage (``store.py``) and training (``model.py``) both use it without
importing each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from ..errors import CeserError, EmbedderMismatchError
from ..index.embedders import Embedder
from ..index.passage_text import DEFAULT_CONTEXT
from . import features
from .features import FeatureSpace, Progress
from .taxonomy import Taxonomy

FORMAT = 2


class ModelMissingError(CeserError):
    """No theme model has been trained in this data folder."""


@dataclass
class ThemeModel:
    """A trained model: taxonomy, embedder id, features, per-theme weights and thresholds.

    Theme j's probability is sigmoid(x · coef[j] + intercept[j]) on the features x: the
    logistic regressions fitted by sklearn, kept as arrays (see classify/store.py).
    """

    taxonomy: Taxonomy
    embedder_id: str
    features: FeatureSpace
    coef: np.ndarray  # (themes, features) float32
    intercept: np.ndarray  # (themes,) float64
    thresholds: dict[str, float]
    margin: float
    train_ids: tuple[str, ...]
    cv: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    labels: tuple[str, ...] = ()  # the labelled files it was trained on, as recorded
    format: int = FORMAT
    # what its vectors are computed from (index.passage_text): the section path in front of
    # the text, as the vector index embeds it, so that one vector per passage serves both;
    # "none" for the models of earlier versions, trained on the text alone
    context: str = DEFAULT_CONTEXT
    # how far a passage's scores lean toward those of the other passages of its document
    # (``blend_documents``); 0 for the models of earlier versions, which score passages alone
    doc_blend: float = 0.0
    # the thresholds and margin of a passage with no document around it (a typed text, one of
    # our passages written alone, a document of one body passage): chosen by the same
    # cross-validation on the unblended out-of-fold scores, since its scores are not leaned
    # toward a document's; empty for the models of earlier versions (the thresholds above)
    thresholds_alone: dict[str, float] = field(default_factory=dict)
    margin_alone: float | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.taxonomy.keys

    @property
    def stamp(self) -> str:
        """Return a short identifier of this model (stored next to the scores it wrote)."""
        raw = f"{self.created_at}|{self.embedder_id}|{sorted(self.thresholds.items())}"
        if self.doc_blend:
            raw += f"|{self.doc_blend}"
        if self.thresholds_alone:
            raw += f"|{sorted(self.thresholds_alone.items())}|{self.margin_alone}"
        return hashlib.sha1(raw.encode()).hexdigest()[:12]

    def check_embedder(self, embedder_id: str) -> None:
        """Raise EmbedderMismatchError unless embedder_id is the one the model was trained with."""
        if embedder_id != self.embedder_id:
            raise EmbedderMismatchError(
                f"le modèle de thèmes a été entraîné avec l'embedder « {self.embedder_id} », "
                f"pas « {embedder_id} ». Relancez « ceser classify train » ou choisissez "
                f"CESER_EMBEDDER={self.embedder_id}."
            )

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Return the (n, themes) probabilities of texts given their passage vectors."""
        if not len(texts):
            return np.zeros((0, len(self.keys)))
        x = self.features.transform(texts, vectors)
        return np.asarray(expit(x @ self.coef.T.astype(np.float64) + self.intercept))

    def in_documents(
        self,
        scores: np.ndarray,
        groups: Sequence[str | None],
        members: Sequence[bool] | None = None,
    ) -> np.ndarray:
        """Return scores leaned toward those of each passage's document (``blend_documents``
        with this model's weight); groups: the document of each row, None for a row alone;
        members: the rows whose scores make a document's mean (all by default)."""
        return blend_documents(scores, groups, self.doc_blend, members)

    def alone(
        self, groups: Sequence[str | None], members: Sequence[bool] | None = None
    ) -> np.ndarray:
        """Return which rows ``in_documents`` leaves unblended (``alone_rows``), for ``decide``."""
        return alone_rows(groups, self.doc_blend, members)

    def vectors(
        self,
        texts: Sequence[str],
        sections: Sequence[str] | None,
        embedder: Embedder,
        cache_dir: str | Path | None = None,
        progress: Progress | None = None,
        max_chars: int | None = None,
    ) -> np.ndarray:
        """Return the vectors of passages (texts under their sections) as this model reads
        them: with the section in front, those the vector index holds (the shared cache
        gives them without a second encoding)."""
        return features.embed_passages(
            embedder, texts, sections, cache_dir, progress, self.context, max_chars
        )

    def predict(
        self,
        texts: Sequence[str],
        embedder: Embedder,
        cache_dir: str | Path | None = None,
        progress: Progress | None = None,
        sections: Sequence[str] | None = None,
        max_chars: int | None = None,
    ) -> np.ndarray:
        """Return the theme probabilities of texts (under their sections, if given), encoded
        by embedder (checked first)."""
        self.check_embedder(embedder.id)
        vectors = self.vectors(texts, sections, embedder, cache_dir, progress, max_chars)
        return self.scores(texts, vectors)

    def decide(
        self, scores: np.ndarray, alone: Sequence[bool] | np.ndarray | bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (retained, review) matrices: score ≥ threshold, |score − threshold| < margin.

        alone: per row (or for all), whether the row's scores were left unblended (no other
        passage of its document, ``alone_rows``): it is judged with the thresholds and margin
        chosen on unblended scores."""
        scores = np.asarray(scores, dtype=np.float64)
        n = len(scores)
        lone = np.full(n, alone, dtype=bool) if isinstance(alone, bool) else np.asarray(alone, bool)
        if lone.shape != (n,):
            raise ValueError(f"alone: {lone.shape} for {n} rows")
        both = (
            (self.thresholds, self.margin),
            (self.alone_thresholds, self.alone_margin),
        )
        th = np.vstack([np.array([t[k] for k in self.keys]) for t, _ in both])[lone.astype(int)]
        margin = np.array([m for _, m in both])[lone.astype(int)][:, None]
        return scores >= th, np.abs(scores - th) < margin

    @property
    def alone_thresholds(self) -> dict[str, float]:
        """Return the thresholds of a passage alone (the others for a model without them)."""
        return self.thresholds_alone or self.thresholds

    @property
    def alone_margin(self) -> float:
        """Return the « à vérifier » margin of a passage alone."""
        return self.margin if self.margin_alone is None else self.margin_alone


def _members(groups: Sequence[str | None], members: Sequence[bool] | None) -> np.ndarray:
    return np.ones(len(groups), dtype=bool) if members is None else np.asarray(members, bool)


def _others(groups: Sequence[str | None], member: np.ndarray) -> np.ndarray:
    """Return, for each row, how many other member rows its document has: the rows whose mean
    its scores lean toward (0: none, no document or no other member, the row stays as it is)."""
    count: dict[str, int] = {}
    for g, m in zip(groups, member, strict=True):
        if g and m:
            count[g] = count.get(g, 0) + 1
    return np.array(
        [count.get(g, 0) - int(m) if g else 0 for g, m in zip(groups, member, strict=True)],
        dtype=np.int64,
    )


def alone_rows(
    groups: Sequence[str | None], weight: float, members: Sequence[bool] | None = None
) -> np.ndarray:
    """Return which rows ``blend_documents`` leaves as they are (no document, no other member
    row in it, or no weight): those are judged with the model's thresholds for a passage alone."""
    if not weight:
        return np.ones(len(groups), dtype=bool)
    return _others(groups, _members(groups, members)) < 1


def blend_documents(
    scores: np.ndarray,
    groups: Sequence[str | None],
    weight: float,
    members: Sequence[bool] | None = None,
) -> np.ndarray:
    """Return (1 − weight) × a row's scores + weight × the mean scores of the other member rows
    of its group (its document): a paragraph that does not name its subject (« ces mesures »,
    « le dispositif ») reads in the light of its document, which the passage's vector alone
    does not see; the weight is chosen by document-grouped cross-validation (model.fit).

    groups: one key per row (None or "": a passage written alone, left as it is); members:
    the rows whose scores make a document's mean (by default all rows of a group); a row that
    is not a member leans toward the mean of all members. A group with no other member row
    leaves the row as it is (``alone_rows``: the same count, ``_others``).
    """
    out = np.array(scores, dtype=np.float64, copy=True)
    if not weight or not len(out):
        return out
    member = _members(groups, members)
    others = _others(groups, member)
    rows: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        if g:
            rows.setdefault(g, []).append(i)
    base = np.asarray(scores, dtype=np.float64)
    for idx in rows.values():
        ii = np.array(idx)
        total = base[ii[member[ii]]].sum(axis=0)
        for i in ii:
            k = others[i]
            if k < 1:
                continue
            mean = (total - base[i]) / k if member[i] else total / k
            out[i] = (1 - weight) * base[i] + weight * mean
    return out
