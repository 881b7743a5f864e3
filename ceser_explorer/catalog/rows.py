"""Conversions between catalog rows and the frozen records of ceser_explorer.models."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..models import Box, Document, DocumentInfo, Measure, Passage, Provenance, Recommendation, Span


def boxes_json(boxes: tuple[Box, ...]) -> str:
    return json.dumps([b.to_dict() for b in boxes])


def boxes_from_json(raw: str) -> tuple[Box, ...]:
    return tuple(Box.from_dict(d) for d in json.loads(raw))


def spans_json(spans: tuple[Span, ...]) -> str:
    return json.dumps([[s.page, s.start, s.end] for s in spans])


def spans_from_json(raw: str) -> tuple[Span, ...]:
    return tuple(Span(p, a, b) for p, a, b in json.loads(raw))


def document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"],
        path=row["path"],
        file=row["file"],
        sha256=row["sha256"],
        size=row["size"],
        mtime=row["mtime"],
        title=row["title"],
        body=row["body"],
        kind=row["kind"],
        date=row["date"],
        page_count=row["page_count"],
        status=row["status"],
        ocr_pages=tuple(json.loads(row["ocr_pages"])),
        textless_pages=tuple(json.loads(row["textless_pages"])),
        extraction=row["extraction"],
        meta_sources=tuple(json.loads(row["meta_sources"]).items()),
    )


def info(row: sqlite3.Row) -> DocumentInfo:
    return DocumentInfo(row["file"], row["doc_title"], row["body"], row["doc_kind"], row["date"])


def passage(row: sqlite3.Row, themes: dict[str, Any] | None = None) -> Passage:
    return Passage(
        passage_id=row["passage_id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        kind=row["kind"],
        text=row["text"],
        provenance=Provenance(
            boxes=boxes_from_json(row["boxes"]),
            section=row["section"],
            spans=spans_from_json(row["spans"]),
        ),
        ocr=bool(row["ocr"]),
        document=info(row),
    )


def recommendation(row: sqlite3.Row) -> Recommendation:
    return Recommendation(
        rec_id=row["rec_id"],
        doc_id=row["doc_id"],
        passage_id=row["passage_id"],
        number=row["number"],
        text=row["text"],
        page=row["page"],
        boxes=boxes_from_json(row["boxes"]),
        inline=bool(row["inline"]),
        document=info(row),
    )


def measure(row: sqlite3.Row) -> Measure:
    return Measure(
        measure_id=row["measure_id"],
        doc_id=row["doc_id"],
        passage_id=row["passage_id"],
        level=row["level"],
        code=row["code"],
        title=row["title"],
        text=row["text"],
        amount_eur=row["amount_eur"],
        page=row["page"],
        boxes=boxes_from_json(row["boxes"]),
        document=info(row),
    )
