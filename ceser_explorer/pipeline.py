"""After a batch: bring the derived data (vectors, themes, BM25 postings) in line with the catalog.

The catalog is the source of truth; a failure here never undoes what the batch stored, it
only says which command rebuilds the derived data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .config import Settings
from .errors import CeserError


@dataclass
class DerivedReport:
    """What was brought up to date after a batch, and what could not be."""

    vectors: dict[str, Any] = field(default_factory=dict)
    themed: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"vectors": self.vectors, "themed_passages": self.themed, "problems": self.problems}


def after_ingest(
    settings: Settings,
    catalog: Catalog,
    doc_ids: Sequence[int],
    vectors: bool = True,
    themes: bool = True,
) -> DerivedReport:
    """Embed what changed into the vector store and classify the changed documents."""
    from .classify import apply
    from .index.sync import sync_vectors
    from .search.postings import postings

    report = DerivedReport()
    if themes and doc_ids:
        try:
            report.themed = apply(settings, catalog, doc_ids=list(doc_ids), missing_ok=True)
        except CeserError as e:
            report.problems.append(
                f"thèmes non appliqués ({e}) : relancez « ceser classify apply »."
            )
    if vectors:
        try:
            report.vectors = sync_vectors(settings, catalog)
        except CeserError as e:
            report.problems.append(
                f"index de vecteurs non mis à jour ({e}) : relancez « ceser reindex --vectors »."
            )
        except Exception as e:  # a Chroma server that does not answer, a full disk...
            report.problems.append(
                f"index de vecteurs non mis à jour ({type(e).__name__}: {e}) : "
                "vérifiez le serveur Chroma ou le disque, puis « ceser reindex --vectors »."
            )
    if doc_ids:
        postings(catalog)  # built now (and saved) rather than at the first search
    return report
