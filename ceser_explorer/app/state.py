"""What every page shares: settings, the catalog, cached data and the search engine.

Heavy objects (catalog connection, embedder, vector store client) are built once per data
folder with ``st.cache_resource``. Everything read from the catalog is cached with
``st.cache_data`` under a *version* of the catalog, so a document added by the Import page
or by ``ceser ingest`` in a terminal shows on every page at the next rerun.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from ..catalog import Catalog
from ..config import Settings
from ..models import Document, Measure, Passage, Recommendation
from ..workspace import Workspace


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
def workspace_for(home: str) -> Workspace:
    """Return the workspace of a data folder, opened once and shared by every session."""
    return Workspace(Settings.load(home=home))


def catalog_for(home: str) -> Catalog:
    """Return the catalog of a data folder (one connection shared by every session)."""
    return workspace_for(home).catalog


def catalog_version(ws: Workspace) -> str:
    """Return a short hash of what the pages show: documents, counts and the theme model."""
    docs = [(d.doc_id, d.sha256, d.path) for d in ws.catalog.documents()]
    raw = repr((docs, sorted(ws.catalog.stats().items()), ws.theme_model_id()))
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def context() -> Context:
    """Return the context of this run (settings read from the environment, like the CLI)."""
    settings = Settings.load()
    ws = workspace_for(str(settings.home))
    return Context(settings, ws.catalog, catalog_version(ws))


def refresh() -> None:
    """Forget every cached read and the search engine, after an import or re-index."""
    st.cache_data.clear()
    _workspace.clear()
    _search_ready.clear()
    _theme_names.clear()


@st.cache_resource(show_spinner=False, max_entries=4)
def _workspace(home: str, chroma_url: str | None, embedder: str | None, version: str) -> Workspace:
    settings = Settings.load(home=home, chroma_url=chroma_url, embedder=embedder)
    return Workspace(settings, catalog=catalog_for(home))


def workspace_at(home: str, version: str) -> Workspace:
    """Return the workspace of a data folder (its searcher and tracer built once per version)."""
    s = Settings.load(home=home)
    return _workspace(home, s.chroma_url, s.embedder, version)


@st.cache_resource(show_spinner="Chargement du moteur de recherche…", max_entries=4)
def _search_ready(
    home: str, chroma_url: str | None, embedder: str | None, version: str
) -> Workspace:
    ws = _workspace(home, chroma_url, embedder, version)
    ws.prepare_search()
    return ws


def searcher(ctx: Context) -> Workspace:
    """Return the workspace of this data folder, its search engine loaded (once per version)."""
    s = ctx.settings
    return _search_ready(str(s.home), s.chroma_url, s.embedder, ctx.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _theme_names(home: str, version: str) -> dict[str, str]:
    names = workspace_at(home, version).theme_names()
    for key in workspace_for(home).scored_themes():
        names.setdefault(key, key.capitalize())
    return names


def theme_names(ctx: Context) -> dict[str, str]:
    """Return {theme key: French label} for the themes of the taxonomy and of the catalog."""
    return _theme_names(*ctx.key)


@st.cache_data(show_spinner=False, max_entries=8)
def scored_themes(home: str, version: str) -> list[str]:
    """Return the themes that have scores in the catalog (none before classification)."""
    return workspace_for(home).scored_themes()


@st.cache_data(show_spinner=False, max_entries=8)
def documents(home: str, version: str) -> list[Document]:
    """Return the documents of the catalog."""
    return catalog_for(home).documents()


@st.cache_data(show_spinner=False, max_entries=8)
def recommendations(home: str, version: str) -> list[Recommendation]:
    """Return every recommendation with its themes."""
    return workspace_for(home).recommendations()


@st.cache_data(show_spinner=False, max_entries=8)
def measures(home: str, version: str) -> list[Measure]:
    """Return every plan measure."""
    return catalog_for(home).measures()


@st.cache_data(show_spinner=False, max_entries=8)
def passages(home: str, version: str) -> list[Passage]:
    """Return every passage with its themes."""
    return workspace_for(home).passages()


def passage(ctx: Context, passage_id: str) -> Passage | None:
    """Return one passage with its themes (not cached: it is one indexed query)."""
    found = ctx.catalog.passage(passage_id)
    if found is None:
        return None
    return workspace_for(str(ctx.settings.home)).with_themes([found])[0]


def document(ctx: Context, doc_id: int) -> Document | None:
    """Return the document of doc_id."""
    return next((d for d in documents(*ctx.key) if d.doc_id == doc_id), None)
