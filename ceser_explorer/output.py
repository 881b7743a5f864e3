"""JSON shapes of the CLI's machine output (a contract: other tools read these names)."""

from __future__ import annotations

from typing import Any

from .models import DocumentInfo, Measure, Passage, Recommendation


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


def citation(info: DocumentInfo | None, page: int) -> str:
    """Return a one-line citation: "CESER Occitanie, avis du 12/11/2025, p. 7"."""
    if info is None:
        return f"p. {page}"
    date = ""
    if info.date:
        y, m, d = [*info.date.split("-"), "", ""][:3]
        date = f" du {d}/{m}/{y}" if d else f" de {y}"
    kind = {"avis": "avis", "plan": "plan"}.get(info.kind, "document")
    body = info.body or info.title or info.file
    return f"{body}, {kind}{date}, p. {page}"
