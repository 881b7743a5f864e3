"""The vector store: one Chroma collection per embedder, embedded or on a Chroma server.

Embeddings are always passed explicitly; Chroma's default embedding function (which would
download a model) is never used. The collection's metadata records the embedder id and
dimension, and a search with another embedder is refused.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ..config import Settings
from ..errors import CeserError, EmbedderMismatchError

PREFIX = "ceser-"
_PAGE = 2000  # rows per get(); a bigger page overflows SQLite's variable limit inside Chroma

Metadata = Mapping[str, str | int | float | bool]


class VectorStoreDamagedError(CeserError):
    """The local vector index (Chroma's folder) cannot be read: it is rebuilt from the catalog."""


def damaged(settings: Settings, error: Exception) -> VectorStoreDamagedError:
    """Return the error that names a damaged local vector index and how to rebuild it."""
    reason = (str(error).splitlines() or [""])[0][:160]
    return VectorStoreDamagedError(
        f"index de vecteurs {settings.chroma_path} endommagé ({type(error).__name__}: {reason}) "
        ": lancez « ceser check --repair » (il le reconstruit depuis le catalogue), ou cherchez "
        "avec --mode lexical."
    )


def reset_local(settings: Settings) -> bool:
    """Delete the local vector index (derived data) so that it is built anew; return whether
    there was one. Never used with a Chroma server."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # the client of the damaged folder, kept per path
    if not settings.chroma_path.exists():
        return False
    shutil.rmtree(settings.chroma_path)
    return True


def collection_name(embedder_id: str) -> str:
    """Return the Chroma collection name for an embedder id (safe characters, unique)."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_id).strip("-._")[:60]
    digest = hashlib.sha1(embedder_id.encode()).hexdigest()[:8]
    return f"{PREFIX}{slug}-{digest}"


def _client(settings: Settings) -> Any:
    """Return a Chroma client: HttpClient when a server URL is set, else PersistentClient."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise CeserError(
                f"adresse de serveur Chroma « {settings.chroma_url} » invalide : "
                "donnez-la sous la forme http://hôte:port (CESER_CHROMA_URL ou --chroma-url)."
            )
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except Exception as e:  # the client checks the server as soon as it is built
            raise CeserError(
                f"serveur Chroma injoignable à {settings.chroma_url} ({type(e).__name__}) : "
                "démarrez-le (chroma run --path DOSSIER) ou retirez CESER_CHROMA_URL."
            ) from e
    settings.ensure()
    key = str(settings.chroma_path)
    if key in _SEEN and _SEEN[key] != _stamp(key):  # written by another process since
        forget_local_client(settings)
    try:
        client = chromadb.PersistentClient(path=key, settings=chroma_settings)
        _SEEN[key] = _stamp(key)
        return client
    except Exception as e:  # Chroma's own SQLite file unreadable: "malformed", "not a database"
        raise damaged(settings, e) from e


# The local store as this process last saw it (its files' stamp when its client was made or
# when it last wrote): another process's writes change the stamp, and the next client made here
# then reads the store from disk again (Chroma keeps its index in memory per path).
_SEEN: dict[str, tuple[int, ...]] = {}


def _stamp(where: str) -> tuple[int, ...]:
    base = Path(where) / "chroma.sqlite3"
    out: list[int] = []
    for path in (base, base.with_name(base.name + "-wal")):
        try:
            st = path.stat()
        except OSError:
            out += [0, 0]
            continue
        out += [st.st_mtime_ns, st.st_size]
    return tuple(out)


def written_stamp(settings: Settings) -> tuple[int, ...] | None:
    """Return when the local store's files were last written (None for a server): a reader
    that opened the store before another process wrote to it sees the new vectors only once it
    opens the store again."""
    return None if settings.chroma_url else _stamp(str(settings.chroma_path))


def forget_local_client(settings: Settings) -> None:
    """Make the next client of the local store read it from disk again (the clients already
    made keep the index they hold: searches running meanwhile go on with it)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.chroma_path)
    SharedSystemClient._identifier_to_system.pop(key, None)
    getattr(SharedSystemClient, "_identifier_to_refcount", {}).pop(key, None)
    _SEEN.pop(key, None)


def _not_found() -> tuple[type[Exception], ...]:
    """Return the exceptions Chroma raises for a missing collection."""
    from chromadb.errors import NotFoundError

    return (NotFoundError, ValueError)


class VectorStore:
    """The vectors of one embedder: add, delete, list ids and query with an id restriction."""

    def __init__(self, collection: Any, embedder_id: str, dim: int, where: str) -> None:
        self.collection = collection
        self.embedder_id = embedder_id
        self.dim = dim
        self.where = where
        self.local = not where.startswith(("http://", "https://"))

    def _wrote(self) -> None:
        if self.local:  # what this process wrote, its client holds: not a change to reload
            _SEEN[self.where] = _stamp(self.where)

    @classmethod
    def open(
        cls, settings: Settings, embedder_id: str, dim: int | None, create: bool = False
    ) -> VectorStore | None:
        """Return the store of an embedder (created if asked), or None; dim None: not checked."""
        if not create and not settings.chroma_url and not settings.chroma_path.exists():
            return None  # nothing indexed yet: do not create an empty store to say so
        client = _client(settings)
        name = collection_name(embedder_id)
        where = settings.chroma_url or str(settings.chroma_path)
        try:
            collection = client.get_collection(name, embedding_function=None)
        except _not_found():
            if not create or dim is None:
                return None
            collection = client.create_collection(
                name,
                embedding_function=None,
                metadata={"embedder": embedder_id, "dim": dim, "ceser": 1},
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as e:
            if settings.chroma_url:
                raise
            raise damaged(settings, e) from e
        if not settings.chroma_url:
            try:
                collection.count()  # a damaged page shows here rather than in the middle of a sync
            except Exception as e:
                raise damaged(settings, e) from e
        meta = collection.metadata or {}
        stored_dim = int(meta.get("dim", -1))
        if meta.get("embedder") != embedder_id or (dim is not None and stored_dim != dim):
            raise EmbedderMismatchError(
                f"la collection Chroma {name} a été faite par « {meta.get('embedder')} » "
                f"({meta.get('dim')} dimensions), pas par « {embedder_id} » ({dim}) : "
                "lancez « ceser reindex --embeddings »."
            )
        return cls(collection, embedder_id, stored_dim, where)

    @classmethod
    def for_search(cls, settings: Settings, embedder_id: str, dim: int) -> VectorStore:
        """Return the store to search with this embedder, or raise a clear error."""
        store = cls.open(settings, embedder_id, dim)
        if store is not None and store.count():
            return store
        others = [o for o in other_embedders(settings, embedder_id) if o[1] > 0]
        if others:
            other, count = others[0]
            raise EmbedderMismatchError(
                f"les {count} vecteurs de l'index ont été calculés avec « {other} », pas avec "
                f"« {embedder_id} » : lancez « ceser reindex --embeddings » pour les recalculer, "
                f"ou choisissez CESER_EMBEDDER={other}."
            )
        raise CeserError(
            f"l'index de vecteurs de « {embedder_id} » est vide : lancez « ceser reindex » "
            "(ou cherchez avec --mode lexical)."
        )

    def count(self) -> int:
        return int(self.collection.count())

    def ids(self) -> set[str]:
        """Return the ids of all vectors in the store."""
        out: set[str] = set()
        total = self.count()
        for offset in range(0, total, _PAGE * 10):
            got = self.collection.get(include=[], limit=_PAGE * 10, offset=offset)
            out.update(got["ids"])
        return out

    def metadatas(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the stored metadata of those ids that are in the store."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), _PAGE):
            got = self.collection.get(ids=list(ids[i : i + _PAGE]), include=["metadatas"])
            out.update(zip(got["ids"], (dict(m or {}) for m in got["metadatas"]), strict=True))
        return out

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Metadata]) -> None:
        """Add or replace vectors with their metadata."""
        if vectors.shape[1:] != (self.dim,):
            raise EmbedderMismatchError(
                f"vecteurs de dimension {vectors.shape[1:]} pour une collection de {self.dim} : "
                "lancez « ceser reindex --embeddings »."
            )
        step = min(_PAGE * 2, 5000)
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                metadatas=[dict(m) for m in metadatas[i : i + step]],
            )
        self._wrote()

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Metadata]) -> None:
        """Replace the metadata of existing vectors."""
        for i in range(0, len(ids), _PAGE):
            self.collection.update(
                ids=list(ids[i : i + _PAGE]),
                metadatas=[dict(m) for m in metadatas[i : i + _PAGE]],
            )
        self._wrote()

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), _PAGE):
            self.collection.delete(ids=list(ids[i : i + _PAGE]))
        self._wrote()

    def query(
        self, vector: np.ndarray, n: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Return up to n (id, cosine similarity) pairs, best first, among ids if given."""
        if n <= 0 or (ids is not None and not ids):
            return []
        kwargs: dict[str, Any] = {}
        if ids is not None:
            kwargs["ids"] = list(ids)
            n = min(n, len(ids))
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=int(n),
            include=["distances"],
            **kwargs,
        )
        found = res["ids"][0]
        distances = (res.get("distances") or [[]])[0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(found, distances, strict=True)]


def other_embedders(settings: Settings, embedder_id: str) -> list[tuple[str, int]]:
    """Return (embedder id, vector count) of the other ceser collections in the store."""
    if not settings.chroma_url and not settings.chroma_path.exists():
        return []
    client = _client(settings)
    out = []
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if not name.startswith(PREFIX) or name == collection_name(embedder_id):
            continue
        c = client.get_collection(name, embedding_function=None)
        out.append((str((c.metadata or {}).get("embedder", name)), int(c.count())))
    return out


def drop(settings: Settings, embedder_id: str) -> bool:
    """Delete the collection of an embedder; return whether there was one."""
    client = _client(settings)
    try:
        client.delete_collection(collection_name(embedder_id))
    except _not_found():
        return False
    return True
