"""A region named in a question restricts the search to its documents; the answer says so.

« que dit le CESER Bretagne sur l'apprentissage ? » searches the documents of Bretagne only
(a document's region comes from its detected body, else its title, else its first page:
``places.document_region``). When no document of the catalog belongs to the regions named,
or none is left with the other filters, the search runs on everything and says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..catalog import Catalog, PassageFilter
from ..models import Document
from .intent import Intent
from .places import document_region

_YEARS = re.compile(r"\b(19[89]\d|20[0-4]\d)(?:\s*[-–/]\s*(19[89]\d|20[0-4]\d))?\b")


@dataclass(frozen=True)
class Restriction:
    """What a question's regions did to the search."""

    regions: tuple[str, ...] = ()  # the regions named in the question
    doc_ids: tuple[int, ...] | None = None  # the documents kept (None: no restriction)
    fallback: str | None = None  # why the search was not restricted, in French

    @property
    def applied(self) -> bool:
        return self.doc_ids is not None

    def note(self) -> str | None:
        """Return the line the answer shows (None when the question named no region)."""
        if self.fallback:
            return self.fallback
        if not self.applied:
            return None
        n = len(self.doc_ids or ())
        return f"documents {_names(self.regions)} seulement ({n} document{'s' * (n > 1)})"

    def as_json(self) -> dict[str, Any] | None:
        """Return the ``restricted_to`` field of ``ceser search --json``: the regions and the
        number of documents kept; with the reason when nothing could be kept (documents
        null); None when the question named no region."""
        if not self.regions:
            return None
        if not self.applied:
            return {"regions": list(self.regions), "documents": None, "fallback": self.fallback}
        return {"regions": list(self.regions), "documents": len(self.doc_ids or ())}

    def apply(self, pf: PassageFilter) -> PassageFilter:
        """Return the filter narrowed to the documents kept."""
        return pf if self.doc_ids is None else replace(pf, doc_ids=self.doc_ids)


# « documents de … » as French says it
_OF = {
    "Grand Est": "du Grand Est",
    "Centre-Val de Loire": "du Centre-Val de Loire",
    "Hauts-de-France": "des Hauts-de-France",
    "Pays de la Loire": "des Pays de la Loire",
}


def _of(region: str) -> str:
    if region in _OF:
        return _OF[region]
    return f"d'{region}" if region[0] in "AEIOUÎÉ" else f"de {region}"


def _names(regions: tuple[str, ...]) -> str:
    """Return « de Bretagne », « d'Occitanie ou des Hauts-de-France »."""
    return " ou ".join(_of(r) for r in regions)


def document_years(date: str | None, title: str) -> frozenset[int]:
    """Return the years of a document: its date's, and those its title names (« pour 2023 »,
    « 2022-2028 » and the years between)."""
    years = set()
    if date and date[:4].isdigit():
        years.add(int(date[:4]))
    for m in _YEARS.finditer(title or ""):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        years.update(range(first, max(first, last) + 1) if last - first <= 15 else (first, last))
    return frozenset(years)


class Places:
    """The region of each document of a catalog, computed once per state of the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._key: tuple[tuple[int, str], ...] = ()
        self._regions: dict[int, str | None] = {}

    def regions(self) -> dict[int, str | None]:
        """Return the region of every document (None when nothing says it)."""
        docs = self.catalog.documents()
        key = tuple((d.doc_id, d.sha256) for d in docs)
        if key != self._key:
            self._regions = {d.doc_id: self._region(d) for d in docs}
            self._key = key
        return self._regions

    def _region(self, doc: Document) -> str | None:
        found = document_region(doc.body, doc.title)
        if found is not None:
            return found
        cover = " ".join(
            p.text for p in self.catalog.passages(doc_id=doc.doc_id, limit=40) if p.page == 1
        )
        return document_region("", "", cover)


def restrict(places: Places, it: Intent, pf: PassageFilter) -> Restriction:
    """Return the restriction the question's regions ask for, within the filter pf."""
    if not it.regions:
        return Restriction()
    wanted = set(it.regions)
    ours = [d for d, region in places.regions().items() if region in wanted]
    if not ours:
        return Restriction(
            it.regions,
            fallback=f"aucun document {_names(it.regions)} dans le catalogue : recherche "
            "dans tous les documents",
        )
    allowed = None if pf.doc_ids is None else set(pf.doc_ids)
    kept = [d for d in ours if allowed is None or d in allowed]
    if not kept:
        return Restriction(
            it.regions,
            fallback=f"aucun document {_names(it.regions)} parmi ceux des filtres : "
            "recherche dans tous les documents des filtres",
        )
    return Restriction(it.regions, tuple(sorted(kept)))
