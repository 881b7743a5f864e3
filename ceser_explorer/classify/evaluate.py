"""Evaluation on a fixed set: the trained model against two baselines, in one run.

- ``modèle``: the trained model with its cross-validated thresholds.
- ``mots-clés``: a theme is given when one of its taxonomy keywords (stemmed) occurs.
- ``zero-shot``: cosine similarity of the passage embedding to the theme definition;
  per-theme similarity thresholds chosen on the model's train split (never on test).

The sets (``ceser classify eval --set``): ``ours``, the test split of the labelled files
(those the model was trained on by default); ``variety-tune`` and ``variety-test``, the
halves of the variety corpus (documents of other regions and producers; the repository's
``corpus/variety``, see classify/variety.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import analysis, resources
from ..config import Settings
from ..errors import CeserError
from ..index.embedders import Embedder, get_embedder, original
from ..resources import Source
from .features import Progress
from .model import embeddings_cache, f1_at, label_matrix
from .packaged import ensure_model
from .taxonomy import LabelledPassage, Taxonomy, label_sources, load_label_sets
from .theme_model import ThemeModel
from .variety import check_corpus, load_half

NONE = "aucun"
OURS = "ours"
EVAL_SETS = (OURS, "variety-tune", "variety-test")


@dataclass(frozen=True)
class ThemeMetrics:
    """Precision, recall, F1 and support of one theme."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            "predicted": self.predicted,
        }


@dataclass(frozen=True)
class MethodReport:
    """The metrics of one method on the test split."""

    name: str
    themes: dict[str, ThemeMetrics]
    macro_f1: float
    micro_f1: float
    micro_precision: float
    micro_recall: float
    exact_match: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "themes": {k: m.to_dict() for k, m in self.themes.items()},
            "macro_f1": round(self.macro_f1, 4),
            "micro_f1": round(self.micro_f1, 4),
            "micro_precision": round(self.micro_precision, 4),
            "micro_recall": round(self.micro_recall, 4),
            "exact_match": round(self.exact_match, 4),
        }


@dataclass(frozen=True)
class EvalReport:
    """Everything ``ceser classify eval`` prints for one set."""

    data: str
    n_train: int
    n_test: int
    keys: tuple[str, ...]
    methods: dict[str, MethodReport]
    confusion: dict[str, dict[str, int]]
    thresholds: dict[str, float]
    embedder_id: str
    cv: dict[str, Any] = field(default_factory=dict)
    review: dict[str, float] = field(default_factory=dict)
    set: str = OURS
    seen: int = 0  # passages of the set the model was trained on (the tuning half: all)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set,
            "seen_in_training": self.seen,
            "data": self.data,
            "embedder": self.embedder_id,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "themes": list(self.keys),
            "thresholds": self.thresholds,
            "methods": {k: m.to_dict() for k, m in self.methods.items()},
            "confusion": self.confusion,
            "review": self.review,
            "cross_validation": self.cv,
        }


def _prf(tp: int, n_pred: int, n_true: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def metrics(name: str, y: np.ndarray, pred: np.ndarray, keys: Sequence[str]) -> MethodReport:
    """Return per-theme and overall metrics of 0/1 predictions against the 0/1 truth."""
    y, pred = y.astype(bool), pred.astype(bool)
    themes = {}
    for j, key in enumerate(keys):
        tp = int(np.sum(y[:, j] & pred[:, j]))
        p, r, f = _prf(tp, int(pred[:, j].sum()), int(y[:, j].sum()))
        themes[key] = ThemeMetrics(p, r, f, int(y[:, j].sum()), int(pred[:, j].sum()))
    mp, mr, mf = _prf(int(np.sum(y & pred)), int(pred.sum()), int(y.sum()))
    exact = float(np.mean(np.all(y == pred, axis=1))) if len(y) else 0.0
    macro = float(np.mean([m.f1 for m in themes.values()])) if themes else 0.0
    return MethodReport(name, themes, macro, mf, mp, mr, exact)


def confusion(y: np.ndarray, pred: np.ndarray, keys: Sequence[str]) -> dict[str, dict[str, int]]:
    """Return {true theme: {predicted theme: passages}}: the diagonal counts hits, off it only
    themes given wrongly (the passage does not carry them); « aucun » is the empty label set."""
    y, pred = y.astype(bool), pred.astype(bool)
    rows = [*keys, NONE]
    true_cols = np.column_stack([y, ~y.any(axis=1)])
    pred_cols = np.column_stack([pred, ~pred.any(axis=1)])
    out: dict[str, dict[str, int]] = {}
    for a, row in enumerate(rows):
        out[row] = {}
        for b, col in enumerate(rows):
            wrong = pred_cols[:, b] if a == b else pred_cols[:, b] & ~true_cols[:, b]
            out[row][col] = int(np.sum(true_cols[:, a] & wrong))
    return out


def _phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(analysis.analyze(phrase, "stem"))


def keyword_predictions(texts: Sequence[str], taxonomy: Taxonomy) -> np.ndarray:
    """Return (n, themes) 0/1: a theme when one of its keywords' stem sequences occurs."""
    phrases = [[p for p in map(_phrase_stems, t.keywords) if p] for t in taxonomy.themes]
    out = np.zeros((len(texts), len(phrases)), dtype=np.int8)
    for i, text in enumerate(texts):
        stems = analysis.analyze(text, "stem")
        grams = {tuple(stems[a : a + n]) for n in range(1, 5) for a in range(len(stems) - n + 1)}
        for j, theme_phrases in enumerate(phrases):
            out[i, j] = any(p in grams for p in theme_phrases)
    return out


def definition_vectors(taxonomy: Taxonomy, embedder: Embedder) -> np.ndarray:
    """Return one query vector per theme: its label and definition."""
    return embedder.encode_queries([t.description() for t in taxonomy.themes])


def evaluate(
    settings: Settings,
    data: Source | Sequence[Source] | None = None,
    model: ThemeModel | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    eval_set: str = OURS,
    variety: Path | None = None,
) -> EvalReport:
    """Score the model and both baselines on one set (``EVAL_SETS``).

    data: the labelled files whose test split is the set ``ours`` (one or several); by
    default those the model was trained on. variety: the variety corpus folder (by default
    the source checkout's).
    """
    if eval_set not in EVAL_SETS:
        raise CeserError(f"jeu « {eval_set} » inconnu : {', '.join(EVAL_SETS)} ou all.")
    if eval_set != OURS:
        check_corpus(variety)  # before loading any model: the corpus is not in the wheel
    embedder = original(embedder or get_embedder(settings.embedder))
    model = model or ensure_model(settings, embedder, progress)
    model.check_embedder(embedder.id)
    sources = label_sources(data or model.labels or None)
    names = ", ".join(resources.display(s) for s in sources)
    labelled = load_label_sets(sources, model.taxonomy)
    train = [p for p in labelled if p.split == "train"]
    if eval_set == OURS:
        test = [p for p in labelled if p.split == "test"]
        if not test:
            raise CeserError(f"{names} n'a aucun passage du split « test » : rien à évaluer.")
    else:
        half = eval_set.removeprefix("variety-")
        test = load_half(half, model.taxonomy, variety)
        names = f"corpus de variété, moitié {half}"
    seen = set(model.train_ids) & {p.id for p in test}
    if seen and eval_set != "variety-tune":
        raise CeserError(
            f"le modèle a été entraîné sur {len(seen)} passage(s) du split test "
            f"(ex. {sorted(seen)[0]}) : relancez « ceser classify train »."
        )
    report = _score(settings, model, embedder, train, test, progress)
    return EvalReport(
        data=names,
        n_train=len(train),
        n_test=len(test),
        keys=model.keys,
        methods=report[0],
        confusion=report[1],
        # the thresholds the set was judged with (those of a passage alone for ours)
        thresholds=dict(
            model.alone_thresholds if report[2]["passages_alone"] == len(test) else model.thresholds
        ),
        embedder_id=model.embedder_id,
        cv=dict(model.cv),
        review=report[2],
        set=eval_set,
        seen=len(seen),
    )


def _score(
    settings: Settings,
    model: ThemeModel,
    embedder: Embedder,
    train: Sequence[LabelledPassage],
    test: Sequence[LabelledPassage],
    progress: Progress | None,
) -> tuple[dict[str, MethodReport], dict[str, dict[str, int]], dict[str, float]]:
    """Return the methods' metrics, the model's confusion and its review band on test."""
    keys = model.keys
    cache = embeddings_cache(settings)
    limit = settings.limits.embed_chars
    # the vectors the model reads (the vector index's: section in front), one per passage
    vec_test = model.vectors(
        [p.text for p in test], [p.section for p in test], embedder, cache, progress, limit
    )
    vec_train = model.vectors(
        [p.text for p in train], [p.section for p in train], embedder, cache, progress, limit
    )
    y_test, y_train = label_matrix(test, keys), label_matrix(train, keys)

    # each passage leans toward the other passages of its document, as ``apply`` does
    groups = [p.doc for p in test]
    scores = model.in_documents(model.scores([p.text for p in test], vec_test), groups)
    # a passage with no document around it (ours, written alone) is judged with the
    # thresholds chosen on unblended scores
    alone = model.alone(groups)
    model_pred, review = model.decide(scores, alone)
    kw_pred = keyword_predictions([p.text for p in test], model.taxonomy)
    defs = definition_vectors(model.taxonomy, embedder)
    zs_th = similarity_thresholds(vec_train @ defs.T, y_train, keys)
    zs_pred = (vec_test @ defs.T) >= np.array([zs_th[k] for k in keys])

    methods = {
        "modèle": metrics("modèle", y_test, model_pred, keys),
        "mots-clés": metrics("mots-clés", y_test, kw_pred, keys),
        "zero-shot": metrics("zero-shot", y_test, zs_pred, keys),
    }
    return (
        methods,
        confusion(y_test, model_pred, keys),
        review_summary(
            y_test, model_pred, review, model.alone_margin if alone.all() else model.margin
        )
        | {"passages_alone": int(alone.sum())},
    )


def review_summary(
    y: np.ndarray, pred: np.ndarray, review: np.ndarray, margin: float
) -> dict[str, float]:
    """Return how many (passage, theme) decisions are « à vérifier » and the errors among them."""
    errors = pred.astype(bool) != y.astype(bool)
    return {
        "margin": round(margin, 4),
        "decisions": int(errors.size),
        "flagged": int(review.sum()),
        "errors": int(errors.sum()),
        "errors_flagged": int((errors & review).sum()),
    }


def similarity_thresholds(sims: np.ndarray, y: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
    """Return per theme the similarity threshold maximising F1 (cosines need a fine grid)."""
    out = {}
    for j, key in enumerate(keys):
        grid = np.unique(np.round(sims[:, j], 3))
        f1s = np.array([f1_at(sims[:, j], y[:, j], t) for t in grid])
        out[key] = float(np.median(grid[f1s >= f1s.max() - 1e-9]))
    return out
