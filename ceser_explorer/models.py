"""Frozen records that cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Box:
    """A rectangle on one page, in PDF points from the top-left corner."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "x0": round(self.x0, 2),
            "top": round(self.top, 2),
            "x1": round(self.x1, 2),
            "bottom": round(self.bottom, 2),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Box:
        return cls(
            int(d["page"]), float(d["x0"]), float(d["top"]), float(d["x1"]), float(d["bottom"])
        )


@dataclass(frozen=True)
class Span:
    """Where a passage's text lies in the text of one page: [start, end) character offsets."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Provenance:
    """Where a passage comes from: its boxes, its section path and its offsets in the page text."""

    boxes: tuple[Box, ...]
    section: str = ""
    spans: tuple[Span, ...] = ()

    @property
    def page(self) -> int:
        return self.boxes[0].page if self.boxes else 0

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({b.page for b in self.boxes}))


@dataclass(frozen=True)
class DocumentInfo:
    """What the JSON output shows of a document next to each passage."""

    file: str
    title: str
    body: str
    kind: str
    date: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "title": self.title,
            "body": self.body,
            "kind": self.kind,
            "date": self.date,
        }


@dataclass(frozen=True)
class Document:
    """A document of the catalog."""

    doc_id: int
    path: str
    file: str
    sha256: str
    size: int
    mtime: float
    title: str
    body: str
    kind: str
    date: str | None
    page_count: int
    status: str
    ocr_pages: tuple[int, ...] = ()
    textless_pages: tuple[int, ...] = ()
    extraction: int = 0  # version of the extraction that read it (ingest.EXTRACTION_VERSION)
    # where title, body, kind and date were read: (field, source), sources of ingest.metadata
    meta_sources: tuple[tuple[str, str], ...] = ()

    @property
    def guessed(self) -> tuple[str, ...]:
        """Return the metadata fields that were guessed or not found."""
        return tuple(f for f, s in self.meta_sources if s in ("guessed", "none"))

    @property
    def info(self) -> DocumentInfo:
        return DocumentInfo(self.file, self.title, self.body, self.kind, self.date)


@dataclass(frozen=True)
class Passage:
    """A unit of text (paragraph, heading, table, footnote...) with its provenance."""

    passage_id: str
    doc_id: int
    ordinal: int
    kind: str
    text: str
    provenance: Provenance
    ocr: bool = False
    document: DocumentInfo | None = None
    themes: dict[str, float] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    review: tuple[str, ...] = ()

    @property
    def page(self) -> int:
        return self.provenance.page

    @property
    def section(self) -> str:
        return self.provenance.section


@dataclass(frozen=True)
class Recommendation:
    """A recommendation (préconisation, proposition...) of an avis."""

    rec_id: str
    doc_id: int
    passage_id: str
    number: int | None
    text: str
    page: int
    boxes: tuple[Box, ...]
    inline: bool = False
    document: DocumentInfo | None = None
    themes: dict[str, float] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """A measure, axis or action of a plan, with its amount in euros when one is given."""

    measure_id: str
    doc_id: int
    passage_id: str
    level: str
    code: str
    title: str
    text: str
    amount_eur: float | None
    page: int
    boxes: tuple[Box, ...]
    document: DocumentInfo | None = None


@dataclass(frozen=True)
class Hit:
    """One search result: a passage, its rank and score, and the matched character ranges."""

    rank: int
    score: float
    passage: Passage
    highlights: tuple[tuple[int, int], ...] = ()
    recommendation_number: int | None = None
    is_recommendation: bool = False
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageText:
    """The text of one page in reading order, as passage offsets refer to it."""

    page: int
    width: float
    height: float
    text: str
    ocr: bool = False


@dataclass(frozen=True)
class PassageDraft:
    """A passage as extraction produces it, before the catalog gives it an id."""

    kind: str
    text: str
    provenance: Provenance
    ocr: bool = False
    frame: str | None = None  # the drawn box the passage sits in, if any


@dataclass(frozen=True)
class RecommendationDraft:
    """A recommendation found in the passage of the given ordinal."""

    passage_ordinal: int
    number: int | None
    text: str
    inline: bool


@dataclass(frozen=True)
class MeasureDraft:
    """A plan measure (or axis, or action) found in the passage of the given ordinal."""

    passage_ordinal: int
    level: str
    code: str
    title: str
    text: str
    amount_eur: float | None


@dataclass(frozen=True)
class ParsedDocument:
    """Everything extraction learnt from one PDF file."""

    title: str
    body: str
    kind: str
    date: str | None
    pages: tuple[PageText, ...]
    passages: tuple[PassageDraft, ...]
    recommendations: tuple[RecommendationDraft, ...] = ()
    measures: tuple[MeasureDraft, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    textless_pages: tuple[int, ...] = ()
    extraction: int = 0  # version of the extraction that made it (ingest.EXTRACTION_VERSION)
    # where title, body, kind and date were read: (field, source), sources of ingest.metadata
    meta_sources: tuple[tuple[str, str], ...] = ()
