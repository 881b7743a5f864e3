"""Apply the trained theme model to the catalog: scores per passage and per recommendation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..catalog import Catalog
from ..catalog import themes as store
from ..catalog.themes import ThemeScore
from ..config import Settings
from ..errors import CeserError
from ..index.embedders import Embedder, embedder_id, get_embedder, original, original_id
from ..models import Passage
from ..vocabulary import PROSE_KINDS, REVIEW_LABEL, PassageKind
from .features import Progress
from .model import embeddings_cache
from .packaged import ensure_model, has_model, load_model
from .theme_model import ThemeModel

# navigation passages (sommaire lines) list headings of every theme but are about none
SKIPPED_KINDS = frozenset({"toc"})
# the passages whose scores make a document's mean for the model's doc_blend
BODY_KINDS = frozenset(PROSE_KINDS)
HEADING = PassageKind.HEADING.value
MODEL_SETTING = "themes.model"
EMBEDDER_SETTING = "themes.embedder"


def _rows(model: ThemeModel, scores: np.ndarray, alone: np.ndarray) -> list[list[ThemeScore]]:
    retained, review = model.decide(scores, alone)
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
    pipeline calls this after each batch. Each document's scores are written in one
    transaction with the model's stamp, so that an interrupted run leaves the documents
    it did not reach pending (``pending``), never half-scored.
    """
    if model is None and missing_ok and not has_model(settings):
        return 0
    embedder = original(embedder or get_embedder(settings.embedder))
    model = model or ensure_model(settings, embedder, progress, notify)
    model.check_embedder(embedder.id)
    docs = [d.doc_id for d in catalog.documents()] if doc_ids is None else list(doc_ids)
    total = store.count_passages(catalog, docs, sorted(SKIPPED_KINDS))
    done = 0
    limit = settings.limits.embed_chars
    for doc_id in docs:
        every = catalog.passages(doc_id=doc_id)
        section_of = {p.passage_id: p.section for p in every}
        passages = [p for p in every if p.kind not in SKIPPED_KINDS]
        recs = catalog.recommendations(doc_id=doc_id)
        texts = [p.text for p in passages] + [r.text for r in recs]
        # each under its section, as the vector index embeds it: a passage already indexed
        # is not encoded again (nor a recommendation that is its passage's whole text)
        sections = [p.section for p in passages] + [section_of.get(r.passage_id, "") for r in recs]
        # a heading with passages under it reads their vectors (not indexed, it would be
        # encoded for its themes alone); the others (cover lines, dates) are encoded
        under = section_members(passages)
        encoded = [i for i in range(len(texts)) if i >= len(passages) or i not in under]
        step = None if progress is None else _shifted(progress, done, total, len(passages))
        vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        vectors[encoded] = model.vectors(
            [texts[i] for i in encoded],
            [sections[i] for i in encoded],
            embedder,
            embeddings_cache(settings),
            step,
            max_chars=limit,
        )
        for i, members in under.items():
            vectors[i] = _unit(vectors[members].mean(axis=0))
        # each passage leans toward the others of its document (the model's doc_blend): the
        # document's mean is that of its body passages (paragraphs, list items,
        # recommendations, measures: those the labels give themes to), each leaving itself out
        body = [p.kind in BODY_KINDS for p in passages] + [False] * len(recs)
        own = {p.passage_id: i for i, p in enumerate(passages)}
        raw = model.scores(texts, vectors)
        scores = model.in_documents(raw, ["doc"] * len(texts), body)
        # a passage with no other body passage in its document stays unblended and is
        # judged with the thresholds for a passage alone
        alone = model.alone(["doc"] * len(texts), body)
        for n, r in enumerate(recs):  # a recommendation leaves out its own passage
            at = own.get(r.passage_id)
            if at is not None and body[at]:
                scores[len(passages) + n] = _leaning(model, raw, body, at, raw[len(passages) + n])
                alone[len(passages) + n] = alone[at]
        rows = _rows(model, scores, alone)
        store.store_document_themes(
            catalog,
            doc_id,
            {p.passage_id: rows[i] for i, p in enumerate(passages)},
            {r.rec_id: rows[len(passages) + i] for i, r in enumerate(recs)},
            model.stamp,
        )
        done += len(passages)
    store.set_setting(catalog, MODEL_SETTING, model.stamp)
    store.set_setting(catalog, EMBEDDER_SETTING, model.embedder_id)
    return done


def section_members(passages: Sequence[Passage]) -> dict[int, list[int]]:
    """Return {index of a heading: indices of the passages of its section} (the passages
    whose section path is the heading's, or under it; headings aside), for the headings
    that have any. A heading's section path is its own section, then its text."""
    members: dict[int, list[int]] = {}
    paths = {}
    for i, p in enumerate(passages):
        if p.kind == HEADING:
            paths[i] = f"{p.section} > {p.text}" if p.section else p.text
    if not paths:
        return members
    by_path: dict[str, list[int]] = {}
    for j, p in enumerate(passages):
        if p.kind != HEADING and p.section:
            parts = p.section.split(" > ")
            for k in range(1, len(parts) + 1):  # every section the passage is under
                by_path.setdefault(" > ".join(parts[:k]), []).append(j)
    for i, path in paths.items():
        if by_path.get(path):
            members[i] = by_path[path]
    return members


def _leaning(
    model: ThemeModel, raw: np.ndarray, body: Sequence[bool], own: int, row: np.ndarray
) -> np.ndarray:
    """Return row leaned toward the mean of the body rows of raw other than own."""
    others = [i for i, b in enumerate(body) if b and i != own]
    if not others or not model.doc_blend:
        return row
    return (1 - model.doc_blend) * row + model.doc_blend * raw[others].mean(axis=0)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _shifted(progress: Progress, done: int, total: int, own: int) -> Progress:
    """Return a progress callback of one document that reports on the whole run's scale."""

    def report(i: int, n: int) -> None:
        progress(done + min(i, own) if n else done, max(total, 1))

    return report


def current_stamp(settings: Settings, embedder_id: str) -> str | None:
    """Return the stamp of the theme model that applies now, or None when there is none yet
    (no model at hand, or one still to train for this embedder)."""
    if not has_model(settings):
        return None
    try:
        return str(load_model(settings, embedder_id).stamp)
    except CeserError:
        return None


def pending(settings: Settings, catalog: Catalog, embedder_id: str) -> list[int]:
    """Return the documents whose themes are missing or not of the current model (none when
    no model is at hand: themes are then simply not computed)."""
    if not has_model(settings):
        return []
    stamp = current_stamp(settings, embedder_id)
    return store.pending_documents(catalog, stamp, sorted(SKIPPED_KINDS))


def apply_pending(
    settings: Settings,
    catalog: Catalog,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    notify: Callable[[str], None] | None = None,
) -> int:
    """Score every document whose themes are pending; return the passages scored (0 without
    a model at hand)."""
    if not has_model(settings):
        return 0
    eid = original(embedder).id if embedder else original_id(embedder_id(settings.embedder))
    todo = pending(settings, catalog, eid)
    if not todo:
        return 0  # without loading the model: a re-run with nothing changed stays quick
    embedder = embedder or get_embedder(settings.embedder)
    return apply(settings, catalog, todo, progress, embedder=embedder, notify=notify)


__all__ = ["REVIEW_LABEL", "apply", "apply_pending", "current_stamp", "pending"]
