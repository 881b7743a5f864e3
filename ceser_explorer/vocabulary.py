"""The project's vocabulary: kinds of documents and passages with their French labels, and the
one-line citation of a place in a document."""

from __future__ import annotations

from .models import DocumentInfo


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
