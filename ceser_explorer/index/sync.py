"""Keep the vector store in step with the catalog (the source of truth).

``sync_vectors`` adds the vectors of searchable passages that the store lacks, deletes the
vectors of passages the catalog no longer has, re-embeds passages whose embedded text
changed and refreshes stale metadata. ``vector_status`` reports the differences without
loading the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..catalog import Catalog, IndexRow
from ..config import Settings
from ..errors import CeserError
from ..pace import Progress
from . import store as vstore
from .cache import EmbeddingCache, text_key
from .embedders import Embedder, embedder_id, get_embedder
from .passage_text import DEFAULT_CONTEXT, context_text


def embed_text(row: IndexRow, context: str = DEFAULT_CONTEXT, max_chars: int | None = None) -> str:
    """Return the text embedded for a searchable passage (see ``context_text``)."""
    return context_text(row.text, row.section, row.title, context, max_chars)


def date_int(date: str | None) -> int:
    """Return an ISO date (or year, or year-month) as an int yyyymmdd; 0 when there is none."""
    if not date:
        return 0
    digits = "".join(c for c in date if c.isdigit())[:8]
    return int(digits.ljust(8, "0")) if digits else 0


def metadata(row: IndexRow, key: str) -> dict[str, str | int | float | bool]:
    """Return the metadata stored with a passage's vector (h: hash of the embedded text)."""
    return {
        "doc_id": row.doc_id,
        "kind": row.kind,
        "doc_kind": row.doc_kind,
        "body": row.body,
        "date": date_int(row.date),
        "is_rec": row.is_rec,
        "h": key[:16],
    }


def sync_vectors(
    settings: Settings,
    catalog: Catalog,
    embedder: Embedder | None = None,
    doc_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    context: str = DEFAULT_CONTEXT,
    check: bool = True,
) -> dict[str, Any]:
    """Make the store match the catalog (for doc_ids only, if given); return what was done."""
    embedder = embedder or get_embedder(settings.embedder)
    rebuilt = False
    try:
        store = vstore.VectorStore.open(settings, embedder.id, embedder.dim, create=True)
    except vstore.VectorStoreDamagedError:
        if settings.chroma_url:
            raise
        rebuilt = vstore.reset_local(settings)  # derived: built again from the catalog
        store = vstore.VectorStore.open(settings, embedder.id, embedder.dim, create=True)
    if store is None:  # create=True always opens one; a store that cannot be made says why
        raise CeserError(
            f"index de vecteurs {settings.chroma_url or settings.chroma_path} impossible à "
            "ouvrir : vérifiez le dossier ou le serveur Chroma, puis « ceser reindex --vectors »."
        )
    rows = catalog.index_rows()
    expected = {r.passage_id: r for r in rows}
    wanted = set(doc_ids) if doc_ids else None
    target = [r for r in rows if wanted is None or r.doc_id in wanted]
    limit = settings.limits.embed_chars
    texts = {r.passage_id: embed_text(r, context, limit) for r in target}
    keys = {pid: text_key(text) for pid, text in texts.items()}

    present = store.ids()
    extra = sorted(present - expected.keys())
    store.delete(extra)
    todo = [r for r in target if r.passage_id not in present]
    refreshed: list[IndexRow] = []
    if check:
        stored = store.metadatas([r.passage_id for r in target if r.passage_id in present])
        for r in target:
            meta = stored.get(r.passage_id)
            if meta is None:
                continue
            if meta.get("h") != keys[r.passage_id][:16]:
                todo.append(r)
            elif meta != metadata(r, keys[r.passage_id]):
                refreshed.append(r)
    store.update_metadata(
        [r.passage_id for r in refreshed], [metadata(r, keys[r.passage_id]) for r in refreshed]
    )
    with EmbeddingCache(settings.ensure().embedding_cache) as cache:
        vectors, computed = cache.embed_passages(
            embedder, [texts[r.passage_id] for r in todo], progress=progress, max_chars=limit
        )
    store.add(
        [r.passage_id for r in todo], vectors, [metadata(r, keys[r.passage_id]) for r in todo]
    )
    out: dict[str, Any] = {
        "embedder": embedder.id,
        "collection": vstore.collection_name(embedder.id),
        "store": store.where,
        "passages": len(expected),
        "added": len(todo),
        "embedded": computed,
        "from_cache": len(todo) - computed,
        "metadata_refreshed": len(refreshed),
        "deleted": len(extra),
        # passages longer than the limit: the model saw their start, lexical search all of it
        "clipped": sum(len(r.text) > limit for r in todo),
        "max_embed_chars": limit,
        "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if rebuilt:
        out["damaged_store_rebuilt"] = True
    return out


def rebuild_vectors(
    settings: Settings,
    catalog: Catalog,
    embedder: Embedder | None = None,
    reembed: bool = False,
    progress: Progress | None = None,
    context: str = DEFAULT_CONTEXT,
) -> dict[str, Any]:
    """Drop the embedder's collection and rebuild it; reembed: forget its cached vectors too."""
    embedder = embedder or get_embedder(settings.embedder)
    cleared = 0
    if reembed:
        with EmbeddingCache(settings.ensure().embedding_cache) as cache:
            cleared = cache.clear(embedder.id)
    try:
        vstore.drop(settings, embedder.id)
    except vstore.VectorStoreDamagedError:
        if settings.chroma_url:
            raise
        vstore.reset_local(settings)
    report = sync_vectors(settings, catalog, embedder, progress=progress, context=context)
    return {**report, "cache_cleared": cleared}


def vector_status(
    settings: Settings, catalog: Catalog, embedder_name: str | None = None
) -> dict[str, Any]:
    """Return the vector store's state: passages missing from it and vectors extra in it."""
    eid = embedder_id(embedder_name or settings.embedder)
    store = vstore.VectorStore.open(settings, eid, None)
    rows = catalog.index_rows()
    expected = {r.passage_id for r in rows}
    present = store.ids() if store is not None else set()
    missing = sorted(expected - present)
    extra = sorted(present - expected)
    return {
        "embedder": eid,
        "store": settings.chroma_url or str(settings.chroma_path),
        "collection": vstore.collection_name(eid),
        "searchable_passages": catalog.count_searchable(),
        "vectors": len(present),
        "missing": len(missing),
        "extra": len(extra),
        "missing_ids": missing[:20],
        "extra_ids": extra[:20],
        "ok": not missing and not extra,
    }


def vector_diff(
    settings: Settings, catalog: Catalog, embedder_name: str | None = None
) -> dict[str, Any]:
    """Return how the store differs from the catalog, without the model: passages without
    vector, vectors of no passage, vectors of another text (stale), stale metadata.

    Raises VectorStoreDamagedError (unreadable local store) and EmbedderMismatchError (the
    collection was made by another embedder)."""
    eid = embedder_id(embedder_name or settings.embedder)
    store = vstore.VectorStore.open(settings, eid, None)
    rows = catalog.index_rows()
    present = store.ids() if store is not None else set()
    expected = {r.passage_id: r for r in rows}
    both = [r for r in rows if r.passage_id in present]
    keys = {r.passage_id: text_key(embed_text(r)) for r in both}
    stored = store.metadatas([r.passage_id for r in both]) if store is not None else {}
    stale = [
        r.passage_id
        for r in both
        if stored.get(r.passage_id, {}).get("h") != keys[r.passage_id][:16]
    ]
    stale_set = set(stale)
    meta = [
        r.passage_id
        for r in both
        if r.passage_id not in stale_set
        and stored.get(r.passage_id) != metadata(r, keys[r.passage_id])
    ]
    return {
        "embedder": eid,
        "store": settings.chroma_url or str(settings.chroma_path),
        "exists": store is not None,
        "missing": sorted(expected.keys() - present),
        "extra": sorted(present - expected.keys()),
        "stale": sorted(stale),
        "metadata": sorted(meta),
    }


def status_line(status: dict[str, Any]) -> str:
    """Return one French line describing a vector_status() result."""
    text = (
        f"Index de vecteurs ({status['embedder']}, {status['store']}) : "
        f"{status['vectors']} vecteurs pour {status['searchable_passages']} passages cherchables"
    )
    if status["ok"]:
        return text + ", à jour."
    return (
        f"{text} — {status['missing']} passages sans vecteur, {status['extra']} vecteurs en trop : "
        "lancez « ceser reindex »."
    )
