"""The theme model: one logistic regression per theme on [embedding ‖ tf-idf].

C, the per-theme decision thresholds and the « à vérifier » margin are chosen on the
out-of-fold scores of a cross-validation over the train split only; the test split never
reaches ``fit``. Passages taken from documents (the variety corpus's tuning half) are held
out a whole document at a time, and the choices are made on them: their out-of-fold scores
are those of documents the fold never saw, which is what the model meets after ingest.
The saved model records the embedder it was trained with and refuses to score vectors of
another.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from .. import resources
from ..config import Settings
from ..errors import CeserError
from ..index.embedders import Embedder, get_embedder, original
from ..index.passage_text import DEFAULT_CONTEXT
from ..resources import Source
from . import features, store
from .features import FeatureSpace, Progress
from .taxonomy import (
    DEFAULT_TAXONOMY,
    LabelledPassage,
    Taxonomy,
    label_sources,
    load_label_sets,
    load_taxonomy,
)
from .theme_model import ThemeModel, blend_documents

MODEL_FILE = "themes.npz"
# share of the cross-validation errors (of held-out documents) the « à vérifier » band holds:
# half, and a little more for the sampling noise of ~150 errors, so that it still holds half
# on documents never seen
REVIEW_SHARE = 0.55
MARGIN_RANGE = (0.05, 0.45)
MIN_POSITIVES = 3
FOLDS = 5
C_GRID = (2.0, 8.0, 32.0)
C_TOLERANCE = 0.002
# the « à vérifier » band must stay a review a person can do: a C whose band (holding
# REVIEW_SHARE of the cross-validation errors) flags more than this share of the decisions
# of held-out documents is not chosen while another C stays under it
REVIEW_MAX_SHARE = 0.2
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
# how far a passage's scores lean toward the other passages of its document
# (theme_model.blend_documents), chosen with C on the out-of-fold scores of held-out documents
# (a held-out document's passages are all out of fold together, as after ingest)
DOC_BLEND_GRID = (0.0, 0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True)
class Params:
    """Hyper-parameters of the model; the defaults were chosen by cross-validation on the train
    split (the embedding weighted twice the TF-IDF of stems, a passage taken from a document
    weighted twice one written alone: docs/themes.md)."""

    emb_weight: float = 2.0
    lex_weight: float = 1.0
    min_df: int = 2
    doc_weight: float = 2.0
    folds: int = FOLDS
    c_grid: tuple[float, ...] = C_GRID
    margin: float | None = None  # None: the band holding REVIEW_SHARE of the CV errors
    seed: int = 0
    # the text a passage's vector is computed from: the vector index's (section in front)
    context: str = DEFAULT_CONTEXT
    doc_blend_grid: tuple[float, ...] = DOC_BLEND_GRID


def _classifier(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)


def _fit_column(
    x: Any, y: np.ndarray, c: float, seed: int, weight: np.ndarray | None = None
) -> LogisticRegression:
    if y.min() == y.max():
        raise CeserError("un thème n'a que des exemples d'une seule classe dans un pli.")
    return _classifier(c, seed).fit(x, y, sample_weight=weight)


def folds(passages: Sequence[LabelledPassage], k: int, seed: int) -> list[np.ndarray]:
    """Return the held-out rows of each of k folds: passages written alone are dealt at random,
    those of a document go together (its documents are dealt at random to the folds)."""
    alone = np.array([i for i, p in enumerate(passages) if not p.doc], dtype=np.int64)
    held: list[list[int]] = [[] for _ in range(k)]
    if len(alone) >= k:
        splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
        for f, (_, idx) in enumerate(splitter.split(alone)):
            held[f].extend(alone[idx].tolist())
    else:
        for n, i in enumerate(alone.tolist()):
            held[n % k].append(i)
    docs = sorted({p.doc for p in passages if p.doc})
    np.random.default_rng(seed).shuffle(docs)
    fold_of = {d: n % k for n, d in enumerate(docs)}
    for i, p in enumerate(passages):
        if p.doc:
            held[fold_of[p.doc]].append(i)
    return [np.array(sorted(h), dtype=np.int64) for h in held if h]


def sample_weights(passages: Sequence[LabelledPassage], params: Params) -> np.ndarray:
    """Return the training weight of each passage (doc_weight for one taken from a document)."""
    return np.array([params.doc_weight if p.doc else 1.0 for p in passages])


def judged_rows(passages: Sequence[LabelledPassage]) -> np.ndarray:
    """Return the rows whose out-of-fold scores choose C, thresholds and margin: the passages
    of held-out documents when there are any, else all."""
    docs = np.array([bool(p.doc) for p in passages])
    return np.flatnonzero(docs) if docs.any() else np.arange(len(passages))


def label_matrix(passages: Sequence[LabelledPassage], keys: Sequence[str]) -> np.ndarray:
    """Return the (n, themes) 0/1 matrix of the labels of passages."""
    return np.array([[k in p.labels for k in keys] for p in passages], dtype=np.int8)


def f1_at(scores: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Return the F1 of the decision score ≥ threshold against the 0/1 truth y."""
    pred = scores >= threshold
    tp = float(np.sum(pred & (y == 1)))
    denom = float(np.sum(pred)) + float(np.sum(y == 1))
    return 2 * tp / denom if denom else 0.0


def select_thresholds(
    ids: Sequence[str], scores: np.ndarray, y: np.ndarray, keys: Sequence[str]
) -> dict[str, float]:
    """Return per theme the threshold maximising F1 of out-of-fold scores (ids: the rows used)."""
    assert len(ids) == len(scores) == len(y)
    out = {}
    for j, key in enumerate(keys):
        f1s = np.array([f1_at(scores[:, j], y[:, j], t) for t in THRESHOLD_GRID])
        best = THRESHOLD_GRID[f1s >= f1s.max() - 1e-9]
        out[key] = float(np.median(best))  # the middle of a plateau, not its edge
    return out


def fold_scores(
    passages: Sequence[LabelledPassage],
    vectors: np.ndarray,
    y: np.ndarray,
    fit_rows: np.ndarray,
    score_rows: np.ndarray,
    params: Params,
    c: float,
) -> np.ndarray:
    """Return the probabilities (len(score_rows), themes) of a model of this recipe trained on
    fit_rows only (its vocabulary, IDF and weights): one fold of ``out_of_fold``."""
    texts = [p.text for p in passages]
    weight = sample_weights(passages, params)
    space = FeatureSpace(params.emb_weight, params.lex_weight, params.min_df)
    space.fit([texts[i] for i in fit_rows])
    x_fit = space.transform([texts[i] for i in fit_rows], vectors[fit_rows])
    x_held = space.transform([texts[i] for i in score_rows], vectors[score_rows])
    out = np.zeros((len(score_rows), y.shape[1]), dtype=np.float64)
    for j in range(y.shape[1]):
        clf = _fit_column(x_fit, y[fit_rows, j], c, params.seed, weight[fit_rows])
        out[:, j] = clf.predict_proba(x_held)[:, 1]
    return out


def out_of_fold(
    passages: Sequence[LabelledPassage],
    vectors: np.ndarray,
    y: np.ndarray,
    params: Params,
    c: float,
) -> np.ndarray:
    """Return out-of-fold probabilities (n, themes) of a K-fold cross-validation (``folds``)."""
    oof = np.zeros(y.shape, dtype=np.float64)
    for held_idx in folds(passages, params.folds, params.seed):
        fit_idx = np.setdiff1d(np.arange(len(passages)), held_idx)
        oof[held_idx] = fold_scores(passages, vectors, y, fit_idx, held_idx, params, c)
    return oof


def review_margin(
    oof: np.ndarray, y: np.ndarray, keys: Sequence[str], thresholds: dict[str, float]
) -> float:
    """Return the distance to the threshold within which REVIEW_SHARE of the CV errors lie."""
    th = np.array([thresholds[k] for k in keys])
    errors = (oof >= th) != (y == 1)
    if not errors.any():
        return MARGIN_RANGE[0]
    margin = float(np.quantile(np.abs(oof - th)[errors], REVIEW_SHARE))
    return float(np.clip(round(margin, 3), *MARGIN_RANGE))


def review_share(
    oof: np.ndarray, keys: Sequence[str], thresholds: dict[str, float], margin: float
) -> float:
    """Return the share of the decisions the « à vérifier » band of this margin flags."""
    th = np.array([thresholds[k] for k in keys])
    return float((np.abs(oof - th) < margin).mean())


def _macro_f1(scores: np.ndarray, y: np.ndarray, thresholds: Sequence[float]) -> float:
    return float(np.mean([f1_at(scores[:, j], y[:, j], t) for j, t in enumerate(thresholds)]))


def fit(
    passages: Sequence[LabelledPassage],
    vectors: np.ndarray,
    taxonomy: Taxonomy,
    embedder_id: str,
    params: Params | None = None,
) -> ThemeModel:
    """Return a model fitted on train-split passages, thresholds chosen by cross-validation."""
    params = params or Params()
    if any(p.split != "train" for p in passages):
        raise ValueError("fit() takes train-split passages only")
    keys = taxonomy.keys
    y = label_matrix(passages, keys)
    for j, key in enumerate(keys):
        if y[:, j].sum() < MIN_POSITIVES:
            raise CeserError(
                f"le thème « {key} » n'a que {int(y[:, j].sum())} passage(s) annoté(s) en train : "
                f"il en faut au moins {MIN_POSITIVES}. Ajoutez des exemples au fichier annoté."
            )
        if y[:, j].sum() > len(y) - MIN_POSITIVES:
            raise CeserError(
                f"le thème « {key} » est sur presque tous les passages : "
                "ajoutez des passages qui n'en relèvent pas."
            )
    texts = [p.text for p in passages]
    ids = [p.id for p in passages]
    judged = judged_rows(passages)
    # one C for all themes: the one whose out-of-fold macro-F1 (best thresholds) is highest
    # among those whose « à vérifier » band flags at most REVIEW_MAX_SHARE of the decisions
    # and, with each C, the document blend whose out-of-fold macro-F1 is highest (the
    # smallest of those within C_TOLERANCE of it)
    trials, bands, blends, raws = [], {}, {}, {}
    groups = [p.doc for p in passages]
    for c in params.c_grid:
        raw = raws[c] = out_of_fold(passages, vectors, y, params, c)
        by_blend = []
        for blend in params.doc_blend_grid:
            oof = blend_documents(raw, groups, blend)
            th = select_thresholds([ids[i] for i in judged], oof[judged], y[judged], keys)
            f1 = _macro_f1(oof[judged], y[judged], [th[k] for k in keys])
            by_blend.append((f1, blend, oof, th))
        top_blend = max(b[0] for b in by_blend)
        f1, blend, oof, th = min(
            (b for b in by_blend if b[0] >= top_blend - C_TOLERANCE), key=lambda b: b[1]
        )
        blends[c] = (blend, {str(b[1]): round(b[0], 4) for b in by_blend})
        trials.append((f1, c, oof, th))
        margin = (
            params.margin
            if params.margin is not None
            else review_margin(oof[judged], y[judged], keys, th)
        )
        bands[c] = (margin, review_share(oof[judged], keys, th, margin))
    usable = [t for t in trials if bands[t[1]][1] <= REVIEW_MAX_SHARE] or [
        min(trials, key=lambda t: bands[t[1]][1])
    ]
    # the strongest regularisation whose score is within noise of the best
    top = max(t[0] for t in usable)
    best_f1, best_c, oof, thresholds = min(
        (t for t in usable if t[0] >= top - C_TOLERANCE), key=lambda t: t[1]
    )
    margin = bands[best_c][0]
    # a passage with no document around it is scored unblended: its thresholds and margin are
    # chosen on the same held-out rows, unblended, with the same C
    raw = raws[best_c]
    alone_th = select_thresholds([ids[i] for i in judged], raw[judged], y[judged], keys)
    alone_margin = (
        params.margin
        if params.margin is not None
        else review_margin(raw[judged], y[judged], keys, alone_th)
    )
    space = FeatureSpace(params.emb_weight, params.lex_weight, params.min_df).fit(texts)
    x = space.transform(texts, vectors)
    weight = sample_weights(passages, params)
    classifiers = [_fit_column(x, y[:, j], best_c, params.seed, weight) for j in range(len(keys))]
    model = ThemeModel(
        taxonomy=taxonomy,
        embedder_id=embedder_id,
        features=space,
        coef=np.vstack([c.coef_[0] for c in classifiers]).astype(np.float32),
        intercept=np.array([float(c.intercept_[0]) for c in classifiers]),
        thresholds=thresholds,
        margin=margin,
        train_ids=tuple(ids),
        cv=_cv_summary(
            oof[judged], y[judged], keys, thresholds, params, margin, best_c, best_f1, trials
        )
        | {"review_share_by_C": {str(c): round(b[1], 3) for c, b in bands.items()}}
        | {"judged_on": "documents" if len(judged) < len(passages) else "passages"}
        | {"doc_blend": blends[best_c][0], "macro_f1_by_doc_blend": blends[best_c][1]},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        context=params.context,
        doc_blend=blends[best_c][0],
        thresholds_alone=alone_th,
        margin_alone=alone_margin,
    )
    model.cv["alone"] = _alone_summary(
        raw, y, keys, judged, thresholds, alone_th, alone_margin, len(passages)
    )
    return model


def _alone_summary(
    raw: np.ndarray,
    y: np.ndarray,
    keys: Sequence[str],
    judged: np.ndarray,
    thresholds: dict[str, float],
    alone_th: dict[str, float],
    margin: float,
    n: int,
) -> dict[str, Any]:
    """Return the cross-validation figures of the thresholds for a passage alone: on the
    held-out documents' unblended scores, and on the passages written alone (out of fold,
    never used to choose), judged with those thresholds or with the blended ones."""
    th = np.array([alone_th[k] for k in keys])
    rj, yj = raw[judged], y[judged]
    errors = (rj >= th) != (yj == 1)
    flagged = np.abs(rj - th) < margin
    out: dict[str, Any] = {
        "thresholds": alone_th,
        "margin": round(margin, 4),
        "macro_f1": round(_macro_f1(rj, yj, list(th)), 4),
        "f1": {k: round(f1_at(rj[:, j], yj[:, j], alone_th[k]), 4) for j, k in enumerate(keys)},
        "errors": int(errors.sum()),
        "errors_flagged": int((errors & flagged).sum()),
        "flagged": int(flagged.sum()),
    }
    written = np.setdiff1d(np.arange(n), judged)
    if len(written) and len(written) < n:
        rw, yw = raw[written], y[written]
        out["written_alone"] = {
            "passages": len(written),
            "macro_f1_alone_thresholds": round(_macro_f1(rw, yw, list(th)), 4),
            "macro_f1_blended_thresholds": round(
                _macro_f1(rw, yw, [thresholds[k] for k in keys]), 4
            ),
        }
    return out


def _cv_summary(
    oof: np.ndarray,
    y: np.ndarray,
    keys: Sequence[str],
    thresholds: dict[str, float],
    params: Params,
    margin: float,
    c: float,
    macro: float,
    trials: list[tuple[float, float, np.ndarray, dict[str, float]]],
) -> dict[str, Any]:
    th = np.array([thresholds[k] for k in keys])
    errors = (oof >= th) != (y == 1)
    flagged = np.abs(oof - th) < margin
    return {
        "folds": params.folds,
        "C": c,
        "macro_f1": round(macro, 4),
        "macro_f1_by_C": {str(t[1]): round(t[0], 4) for t in trials},
        "f1": {k: round(f1_at(oof[:, j], y[:, j], thresholds[k]), 4) for j, k in enumerate(keys)},
        # how much of the cross-validation errors the « à vérifier » band catches
        "errors": int(errors.sum()),
        "errors_flagged": int((errors & flagged).sum()),
        "flagged": int(flagged.sum()),
        "params": {
            "emb_weight": params.emb_weight,
            "lex_weight": params.lex_weight,
            "min_df": params.min_df,
            "doc_weight": params.doc_weight,
            "margin": round(margin, 4),
            "context": params.context,
        },
    }


def model_path(settings: Settings) -> Path:
    """Return where ``ceser classify train`` saves the theme model of this data folder."""
    return settings.models_path / MODEL_FILE


def save_model(model: ThemeModel, settings: Settings) -> Path:
    """Write the model under settings.models_path (arrays and JSON) and return its path."""
    return store.write_model(model, model_path(settings))


def embeddings_cache(settings: Settings) -> Path:
    """Return the passage-embedding cache of this data folder (shared with the search index)."""
    return settings.embedding_cache


@dataclass(frozen=True)
class TrainResult:
    """What ``train`` did: the model, where it is, how many passages, how long."""

    model: ThemeModel
    path: Path | None
    n_train: int
    n_test_held_out: int
    embed_seconds: float
    fit_seconds: float


def train(
    settings: Settings,
    data: Source | Sequence[Source] | None = None,
    taxonomy: Source = DEFAULT_TAXONOMY,
    embedder: Embedder | None = None,
    params: Params | None = None,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    save: bool = True,
    path: Path | None = None,
) -> TrainResult:
    """Train on the train split of data (themes from the taxonomy file) and save the model.

    data: one labelled file or several (a passage of a later file replaces the one with the
    same id); None reads ours. The model goes to path, by default the data folder's.
    """
    tax = load_taxonomy(taxonomy)
    sources = label_sources(data)
    labelled = load_label_sets(sources, tax)
    train_set = [p for p in labelled if p.split == "train"]
    embedder = original(embedder or get_embedder(settings.embedder))
    params = params or Params()
    t0 = time.perf_counter()
    vectors = features.embed_passages(
        embedder,
        [p.text for p in train_set],
        [p.section for p in train_set],
        cache_dir or embeddings_cache(settings),
        progress,
        params.context,
        settings.limits.embed_chars,
    )
    t1 = time.perf_counter()
    model = fit(train_set, vectors, tax, embedder.id, params)
    model.labels = tuple(resources.display(s) for s in sources)
    model.cv["data"] = ", ".join(model.labels)
    t2 = time.perf_counter()
    path = store.write_model(model, path or model_path(settings)) if save else None
    return TrainResult(
        model, path, len(train_set), len(labelled) - len(train_set), t1 - t0, t2 - t1
    )
