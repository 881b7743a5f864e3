"""What every page shares: settings, the catalog, cached data and the search engine.

Heavy objects (catalog connection, embedder, vector store client) are built once per data
folder with ``st.cache_resource``. Everything read from the catalog is cached with
``st.cache_data`` under a *version* of the catalog, so a document added by the Import page
or by ``ceser ingest`` in a terminal shows on every page at the next rerun.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ..catalog import Catalog
from ..catalog import themes as theme_store
from ..config import Settings
from ..models import Document, Measure, Passage, Recommendation
from . import services


@dataclass(frozen=True)
class Context:
    """The settings of this run, the shared catalog and its current version."""

    settings: Settings
    catalog: Catalog
    version: str

    @property
    def key(self) -> tuple[str, str]:
        """Return what identifies the data: (data folder, catalog version)."""
        return (str(self.settings.home), self.version)


@st.cache_resource(show_spinner=False)
def catalog_for(home: str) -> Catalog:
    """Return the catalog of a data folder, opened once and shared by every session."""
    return Catalog(Settings.load(home=home).ensure().catalog_path)


def catalog_version(catalog: Catalog) -> str:
    """Return a short hash of what the pages show: documents, counts and the theme model."""
    docs = [(d.doc_id, d.sha256, d.path) for d in catalog.documents()]
    raw = repr(
        (docs, sorted(catalog.stats().items()), theme_store.get_setting(catalog, "themes.model"))
    )
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def context() -> Context:
    """Return the context of this run (settings read from the environment, like the CLI)."""
    settings = Settings.load()
    catalog = catalog_for(str(settings.home))
    return Context(settings, catalog, catalog_version(catalog))


def refresh() -> None:
    """Forget every cached read and the search engine, after an import or re-index."""
    st.cache_data.clear()
    _searcher.clear()
    tracer.clear()
    _theme_names.clear()


@st.cache_resource(show_spinner="Chargement du moteur de recherche…", max_entries=4)
def _searcher(home: str, chroma_url: str | None, embedder: str | None, version: str) -> Any:
    settings = Settings.load(home=home, chroma_url=chroma_url, embedder=embedder)
    return services.make_searcher(settings, catalog_for(home))


def searcher(ctx: Context) -> Any:
    """Return the search engine of this data folder, built once per catalog version."""
    s = ctx.settings
    return _searcher(str(s.home), s.chroma_url, s.embedder, ctx.version)


@st.cache_resource(show_spinner="Préparation du rapprochement avec les plans…", max_entries=2)
def tracer(home: str, version: str) -> Any:
    """Return the tracer of this data folder, built once per catalog version."""
    return services.make_tracer(Settings.load(home=home), catalog_for(home))


@st.cache_resource(show_spinner=False, max_entries=4)
def _theme_names(home: str, version: str) -> dict[str, str]:
    settings = Settings.load(home=home)
    names = services.theme_names(settings)
    for key in theme_store.known_themes(catalog_for(home)):
        names.setdefault(key, key.capitalize())
    return names


def theme_names(ctx: Context) -> dict[str, str]:
    """Return {theme key: French label} for the themes of the taxonomy and of the catalog."""
    return _theme_names(*ctx.key)


@st.cache_data(show_spinner=False, max_entries=8)
def scored_themes(home: str, version: str) -> list[str]:
    """Return the themes that have scores in the catalog (none before classification)."""
    return theme_store.known_themes(catalog_for(home))


@st.cache_data(show_spinner=False, max_entries=8)
def documents(home: str, version: str) -> list[Document]:
    """Return the documents of the catalog."""
    return catalog_for(home).documents()


@st.cache_data(show_spinner=False, max_entries=8)
def recommendations(home: str, version: str) -> list[Recommendation]:
    """Return every recommendation with its themes."""
    cat = catalog_for(home)
    return theme_store.with_recommendation_themes(cat, cat.recommendations())


@st.cache_data(show_spinner=False, max_entries=8)
def measures(home: str, version: str) -> list[Measure]:
    """Return every plan measure."""
    return catalog_for(home).measures()


@st.cache_data(show_spinner=False, max_entries=8)
def passages(home: str, version: str) -> list[Passage]:
    """Return every passage with its themes."""
    cat = catalog_for(home)
    return theme_store.with_passage_themes(cat, cat.passages())


def passage(ctx: Context, passage_id: str) -> Passage | None:
    """Return one passage with its themes (not cached: it is one indexed query)."""
    found = ctx.catalog.passage(passage_id)
    if found is None:
        return None
    return theme_store.with_passage_themes(ctx.catalog, [found])[0]


def document(ctx: Context, doc_id: int) -> Document | None:
    """Return the document of doc_id."""
    return next((d for d in documents(*ctx.key) if d.doc_id == doc_id), None)
