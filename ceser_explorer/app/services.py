"""The parts of the pipeline the app uses (search, themes, tracing, vectors), imported lazily.

Each call raises ``Unavailable`` with a French message when its module is missing or its
model has not been trained, so a page can say what to do instead of crashing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from collections.abc import Sequence
from typing import Any

from ..catalog import Catalog
from ..config import Settings
from ..errors import CeserError
from ..models import Hit


class Unavailable(CeserError):
    """A capability of the app is missing; the message says what to install or run."""


def _module(name: str, what: str) -> Any:
    try:
        return importlib.import_module(f"ceser_explorer.{name}")
    except ImportError as e:
        raise Unavailable(f"{what} n'est pas disponible dans cette installation ({e}).") from e


def make_searcher(settings: Settings, catalog: Catalog) -> Any:
    """Return a Searcher over the catalog (embedder, vector store, thesaurus loaded here)."""
    search = _module("search", "La recherche")
    searcher = search.Searcher(settings, catalog=catalog)
    searcher.embedder.encode_queries(["préchauffage"])  # load the model now, not at 1st search
    searcher.expansions("préchauffage")  # and the thesaurus and the BM25 postings
    with contextlib.suppress(CeserError):  # no vectors yet: the search will say what to run
        searcher.vector_store()
    return searcher


def make_filters(
    themes: Sequence[str] = (),
    min_confidence: float = 0.5,
    kind: str | None = None,
    body: str | None = None,
    doc: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    recommendations_only: bool = False,
) -> Any:
    """Return the search module's Filters for the values chosen on the page."""
    search = _module("search", "La recherche")
    return search.Filters(
        themes=tuple(themes),
        min_confidence=min_confidence,
        kind=kind,
        body=body,
        doc=doc,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        recommendations_only=recommendations_only,
    )


def search(searcher: Any, query: str, k: int, mode: str, filters: Any) -> list[Hit]:
    """Return the hits of query, best first."""
    return list(searcher.search(query, k=k, mode=mode, filters=filters))


def synonyms(searcher: Any, query: str) -> list[str]:
    """Return the expressions that the thesaurus added to the query."""
    return list(searcher.synonyms(query))


def theme_names(settings: Settings) -> dict[str, str]:
    """Return {theme key: label} from the trained model's taxonomy, else the shipped file."""
    try:
        model = importlib.import_module("ceser_explorer.classify.model")
        if model.has_model(settings):
            return {t.key: t.label for t in model.load_model(settings).taxonomy.themes}
    except (ImportError, CeserError):
        pass
    try:
        taxonomy = importlib.import_module("ceser_explorer.classify.taxonomy")
        return {t.key: t.label for t in taxonomy.load_taxonomy().themes}
    except (ImportError, CeserError):
        return {}


def make_tracer(settings: Settings, catalog: Catalog) -> Any:
    """Return the tracer that scores recommendations against plan measures (built once)."""
    tracing = _module("tracing", "Le rapprochement avec les plans")
    if not hasattr(tracing, "Tracer"):
        raise Unavailable("Le rapprochement avec les plans n'est pas encore disponible.")
    return tracing.Tracer(settings, catalog)


def trace(
    settings: Settings, catalog: Catalog, item_id: str, k: int = 5, tracer: Any = None
) -> Any:
    """Return the trace of a recommendation: the plan measures that answer it, ranked."""
    tracing = _module("tracing", "Le rapprochement avec les plans")
    return tracing.trace(settings, catalog, item_id, k=k, tracer=tracer)


def coverage(
    settings: Settings, catalog: Catalog, avis: str | None = None, tracer: Any = None
) -> list[Any]:
    """Return, for each recommendation of the avis, its best plan match and coverage."""
    tracing = _module("tracing", "Le rapprochement avec les plans")
    return list(tracing.coverage(settings, catalog, avis=avis, tracer=tracer))


def after_ingest(settings: Settings, catalog: Catalog, doc_ids: Sequence[int]) -> list[str]:
    """Bring themes and vectors up to date after a batch; return problems, in French."""
    pipeline = _module("pipeline", "La mise à jour des thèmes et des vecteurs")
    try:
        report = pipeline.after_ingest(settings, catalog, list(doc_ids))
    except CeserError as e:
        return [str(e)]
    return list(report.problems)
