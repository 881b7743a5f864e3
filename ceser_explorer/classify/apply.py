"""Apply the trained theme model to the catalog: scores per passage and per recommendation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..catalog import Catalog
from ..catalog import themes as store
from ..catalog.themes import ThemeScore
from ..config import Settings
from ..index.embedders import Embedder, get_embedder
from ..vocabulary import REVIEW_LABEL
from .features import Progress
from .model import embeddings_cache
from .packaged import ensure_model, has_model
from .theme_model import ThemeModel

# navigation passages (sommaire lines) list headings of every theme but are about none
SKIPPED_KINDS = frozenset({"toc"})
MODEL_SETTING = "themes.model"
EMBEDDER_SETTING = "themes.embedder"


def _rows(model: ThemeModel, scores: np.ndarray) -> list[list[ThemeScore]]:
    retained, review = model.decide(scores)
    return [
        [
            ThemeScore(key, float(scores[i, j]), bool(retained[i, j]), bool(review[i, j]))
            for j, key in enumerate(model.keys)
        ]
        for i in range(len(scores))
    ]


def apply(
    settings: Settings,
    catalog: Catalog,
    doc_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    model: ThemeModel | None = None,
    embedder: Embedder | None = None,
    missing_ok: bool = False,
    notify: Callable[[str], None] | None = None,
) -> int:
    """Score the passages and recommendations of doc_ids (all when None); return passages scored.

    The model is the data folder's, else the packaged one; with another embedder than the
    packaged model's, one is trained once from the packaged labels (notify says so). With
    missing_ok, an installation without any model is left alone (returns 0): the ingest
    pipeline calls this after each batch.
    """
    if model is None and missing_ok and not has_model(settings):
        return 0
    embedder = embedder or get_embedder(settings.embedder)
    model = model or ensure_model(settings, embedder, progress, notify)
    model.check_embedder(embedder.id)
    docs = [None] if doc_ids is None else list(doc_ids)
    passages = [p for d in docs for p in catalog.passages(doc_id=d) if p.kind not in SKIPPED_KINDS]
    recs = [r for d in docs for r in catalog.recommendations(doc_id=d)]
    texts = [p.text for p in passages] + [r.text for r in recs]
    scores = model.predict(texts, embedder, embeddings_cache(settings), progress)
    rows = _rows(model, scores)
    store.clear_themes(catalog, doc_ids)
    store.store_passage_themes(catalog, {p.passage_id: rows[i] for i, p in enumerate(passages)})
    store.store_recommendation_themes(
        catalog, {r.rec_id: rows[len(passages) + i] for i, r in enumerate(recs)}
    )
    store.set_setting(catalog, MODEL_SETTING, model.stamp)
    store.set_setting(catalog, EMBEDDER_SETTING, model.embedder_id)
    return len(passages)


__all__ = ["REVIEW_LABEL", "apply"]
