"""Search filters as the user gives them (``Filters``), checked and resolved against the catalog."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..catalog import Catalog, PassageFilter
from ..errors import CeserError
from ..vocabulary import DOC_KINDS

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; themes match when any has a score >= min_confidence."""

    themes: tuple[str, ...] = ()
    min_confidence: float = 0.5
    kind: str | None = None
    body: str | None = None
    doc: str | None = None
    since: str | None = None
    until: str | None = None
    recommendations_only: bool = False
    docs: tuple[str, ...] = ()  # several documents (file names): one of them


def date_bound(value: str, end: bool) -> str:
    """Return an ISO date from "2024", "2024-05" or "2024-05-12" (end: last day of the span)."""
    m = _DATE.match(value.strip())
    if not m:
        raise CeserError(
            f"date « {value} » illisible : écrivez AAAA, AAAA-MM ou AAAA-MM-JJ (ex. 2024-11-12)."
        )
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:  # « 2024-13 » or « 2024-02-30 » would have filtered on no real day, silently
        if day:
            return dt.date(int(year), int(month), int(day)).isoformat()
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return dt.date(int(year), int(month), last if end else 1).isoformat()
    except ValueError:
        raise CeserError(
            f"date « {value} » impossible : le mois va de 01 à 12 et le jour existe dans ce "
            "mois (ex. 2024-11-12)."
        ) from None
    return f"{year}-{'12-31' if end else '01-01'}"


def resolve(catalog: Catalog, filters: Filters | None) -> PassageFilter:
    """Return the filter resolved against the catalog, or raise on an unknown value."""
    f = filters or Filters()
    if f.kind is not None and f.kind not in DOC_KINDS:
        raise CeserError(f"type « {f.kind} » inconnu : choisissez avis, plan ou other.")
    doc_ids: tuple[int, ...] | None = None
    if f.kind or f.body or f.since or f.until:
        since = date_bound(f.since, end=False) if f.since else None
        until = date_bound(f.until, end=True) if f.until else None
        doc_ids = catalog.documents_matching(f.kind, f.body, since, until)
        if f.body and not catalog.documents_matching(body=f.body):
            known = ", ".join(catalog.bodies()) or "aucun"
            raise CeserError(f"organisme « {f.body} » absent du catalogue : connus : {known}.")
    if f.doc:
        found = catalog.find_document(f.doc)
        if found is None:
            raise CeserError(f"document « {f.doc} » absent du catalogue : voir « ceser status ».")
        keep = doc_ids is None or found.doc_id in doc_ids
        doc_ids = (found.doc_id,) if keep else ()
    if f.docs:
        chosen = []
        for ref in f.docs:
            found = catalog.find_document(ref)
            if found is None:
                raise CeserError(f"document « {ref} » absent du catalogue : voir « ceser status ».")
            chosen.append(found.doc_id)
        doc_ids = tuple(d for d in chosen if doc_ids is None or d in doc_ids)
    themes = tuple(dict.fromkeys(t.strip().lower() for t in f.themes if t.strip()))
    if themes:
        if not 0.0 <= f.min_confidence <= 1.0:
            raise CeserError(
                f"confiance minimale {f.min_confidence} hors de [0, 1] : donnez par ex. 0.5."
            )
        if not catalog.has_theme():
            raise CeserError(
                "aucun thème n'est encore attribué aux passages : lancez « ceser classify "
                f"apply » avant de filtrer sur « {themes[0]} »."
            )
        for t in themes:
            if not catalog.has_theme(t):
                known = ", ".join(catalog.scored_themes())
                raise CeserError(f"thème « {t} » inconnu : thèmes : {known}.")
    return PassageFilter(doc_ids, themes, f.min_confidence, f.recommendations_only)
