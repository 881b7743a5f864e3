"""Every JSON shape of the CLI's ``--json`` output (a contract: other tools read these names)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ..models import Document, DocumentInfo, Hit, Measure, Passage, Recommendation


def emit_json(data: Any) -> None:
    """Write data as indented JSON (non-ASCII kept) on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _doc(info: DocumentInfo | None) -> dict[str, Any] | None:
    return info.to_dict() if info else None


def passage_json(p: Passage) -> dict[str, Any]:
    return {
        "passage_id": p.passage_id,
        "kind": p.kind,
        "text": p.text,
        "document": _doc(p.document),
        "page": p.page,
        "boxes": [b.to_dict() for b in p.provenance.boxes],
        "section": p.section,
        "ocr": p.ocr,
        "labels": list(p.labels),
        "themes": {k: round(v, 4) for k, v in p.themes.items()},
        "review": list(p.review),
    }


def recommendation_json(r: Recommendation) -> dict[str, Any]:
    return {
        "id": r.rec_id,
        "number": r.number,
        "text": r.text,
        "passage_id": r.passage_id,
        "document": _doc(r.document),
        "page": r.page,
        "boxes": [b.to_dict() for b in r.boxes],
        "inline": r.inline,
        "labels": list(r.labels),
        "themes": {k: round(v, 4) for k, v in r.themes.items()},
        "review": list(r.review),
    }


def measure_json(m: Measure) -> dict[str, Any]:
    return {
        "id": m.measure_id,
        "level": m.level,
        "code": m.code,
        "title": m.title,
        "text": m.text,
        "amount_eur": m.amount_eur,
        "passage_id": m.passage_id,
        "document": _doc(m.document),
        "page": m.page,
        "boxes": [b.to_dict() for b in m.boxes],
    }


def hit_json(hit: Hit) -> dict[str, Any]:
    """Return a hit as the JSON object of ``ceser search --json``."""
    p = hit.passage
    return {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "passage_id": p.passage_id,
        "kind": p.kind,
        "text": p.text,
        "document": p.document.to_dict() if p.document else None,
        "page": p.page,
        "boxes": [b.to_dict() for b in p.provenance.boxes],
        "section": p.section,
        "labels": list(p.labels),
        "themes": {t: round(s, 4) for t, s in p.themes.items()},
        "recommendation": {"number": hit.recommendation_number} if hit.is_recommendation else None,
        "highlights": [[a, b] for a, b in hit.highlights],
    }


def search_json(
    query: str, mode: str, hits: Sequence[Hit], synonyms: Sequence[str]
) -> dict[str, Any]:
    """Return the object of ``ceser search --json``."""
    return {
        "query": query,
        "mode": mode,
        "hits": [hit_json(h) for h in hits],
        "synonyms": list(synonyms),
    }


def document_json(d: Document) -> dict[str, Any]:
    """Return one entry of the documents list of ``ceser status --json``."""
    return {
        "file": d.file,
        "title": d.title,
        "body": d.body,
        "kind": d.kind,
        "date": d.date,
        "pages": d.page_count,
        "ocr_pages": list(d.ocr_pages),
        "pages_without_text": list(d.textless_pages),
        "metadata_sources": dict(d.meta_sources),
        "guessed": list(d.guessed),
    }


def ingest_json(summary: Mapping[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    """Return the object of ``ceser ingest --json``: the batch summary and the derived data."""
    return {**summary, "derived": dict(derived)}


def train_json(result: Any) -> dict[str, Any]:
    """Return the object of ``ceser classify train --json`` for a TrainResult."""
    model = result.model
    return {
        "model": str(result.path),
        "labels": list(model.labels),
        "embedder": model.embedder_id,
        "themes": list(model.keys),
        "thresholds": model.thresholds,
        "margin": model.margin,
        "n_train": result.n_train,
        "n_test_held_out": result.n_test_held_out,
        "embed_seconds": round(result.embed_seconds, 1),
        "fit_seconds": round(result.fit_seconds, 1),
        "cross_validation": model.cv,
    }


def apply_json(passages: int, counts: Mapping[str, Any]) -> dict[str, Any]:
    """Return the object of ``ceser classify apply --json``."""
    return {"passages": passages, "themes": dict(counts)}
