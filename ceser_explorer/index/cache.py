"""Embedding cache: one SQLite file keyed by (embedder id, hash of the embedded text).

Re-ingesting an edited document re-embeds only the texts that changed: every other text
is found here. The cache is derived data; deleting the file only costs time, so a damaged
file is set aside and started again (a warning says so) rather than stopping an ingest.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..config import Limits
from ..pace import Progress
from .embedders import Embedder

CACHE_FILE = "embeddings.sqlite"
_CHUNK = 900
log = logging.getLogger(__name__)


def damaged(error: sqlite3.DatabaseError) -> bool:
    """Return whether a SQLite error says the file itself is damaged (not busy, not full)."""
    text = str(error).lower()
    return not isinstance(error, sqlite3.OperationalError) or any(
        word in text for word in ("malformed", "not a database", "no such table")
    )


def text_key(text: str) -> str:
    """Return the cache key of an embedded text (sha256, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clip(text: str, max_chars: int | None = None) -> str:
    """Return the start of text given to the embedding model: at most max_chars characters
    (None: the limit of the environment), cut after a word.

    The model reads 512 tokens (about 2,000 characters of French) per window: a 200,000-character
    passage took minutes for a vector that says little more. Its whole text stays in the
    catalog and in lexical search.
    """
    limit = max_chars or Limits.from_env().embed_chars
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit + 1)
    return text[: cut if cut > 0 else limit]


class EmbeddingCache:
    """Vectors already computed, by embedder and text hash."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._connect()
        except sqlite3.DatabaseError as e:
            if not damaged(e):
                raise
            self.db = self._restart(e)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (embedder TEXT NOT NULL, key TEXT NOT NULL, "
                "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (embedder, key))"
            )
        except BaseException:
            db.close()
            raise
        return db

    def _restart(self, error: sqlite3.DatabaseError) -> sqlite3.Connection:
        """Set a damaged cache file aside and open a new, empty one."""
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self.db.close()
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(f"{self.path}.damaged{suffix}")
        log.warning(
            "cache d'embeddings %s endommagé (%s) : mis de côté (%s.damaged) et recommencé ; "
            "les vecteurs manquants seront recalculés.",
            self.path,
            error,
            self.path.name,
        )
        return self._connect()

    def reset(self) -> None:
        """Start the cache again, empty (the damaged file is kept as .damaged)."""
        self.db = self._restart(sqlite3.DatabaseError("remis à zéro"))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_many(self, embedder_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors of those keys that are in the cache."""
        out: dict[str, np.ndarray] = {}
        try:
            for i in range(0, len(keys), _CHUNK):
                chunk = list(keys[i : i + _CHUNK])
                rs = self.db.execute(
                    f"SELECT key, vector FROM embeddings WHERE embedder = ? "
                    f"AND key IN ({','.join('?' * len(chunk))})",
                    [embedder_id, *chunk],
                )
                for key, blob in rs:
                    out[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.DatabaseError as e:  # a damaged page: everything is a miss
            if not damaged(e):
                raise
            self.db = self._restart(e)
            return {}
        return out

    def put_many(self, embedder_id: str, items: dict[str, np.ndarray]) -> None:
        """Store vectors under their keys (replacing any older one)."""
        rows = [
            (embedder_id, key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
            for key, v in items.items()
        ]
        try:
            self._put(rows)
        except sqlite3.DatabaseError as e:
            if not damaged(e):
                raise  # busy, full disk: not the file's fault
            self.db = self._restart(e)
            self._put(rows)

    def _put(self, rows: list[tuple[str, str, int, bytes]]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def clear(self, embedder_id: str | None = None) -> int:
        """Forget the vectors of one embedder (or all); return how many were removed."""
        if embedder_id is None:
            cur = self.db.execute("DELETE FROM embeddings")
        else:
            cur = self.db.execute("DELETE FROM embeddings WHERE embedder = ?", (embedder_id,))
        return int(cur.rowcount)

    def count(self, embedder_id: str | None = None) -> int:
        """Return the number of cached vectors (of one embedder, or all)."""
        if embedder_id is None:
            return int(self.db.execute("SELECT count(*) FROM embeddings").fetchone()[0])
        sql = "SELECT count(*) FROM embeddings WHERE embedder = ?"
        return int(self.db.execute(sql, (embedder_id,)).fetchone()[0])

    def embed_passages(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        batch: int = 32,
        progress: Progress | None = None,
        max_chars: int | None = None,
    ) -> tuple[np.ndarray, int]:
        """Return (vectors of texts, how many had to be computed), computing only cache misses.

        Each text is clipped to max_chars first (see ``clip``). An embedder with
        ``paired_passages`` (one pass, two models) leaves the other model's vectors here too.
        """
        limit = max_chars or Limits.from_env().embed_chars
        texts = [clip(t, limit) for t in texts]
        keys = [text_key(t) for t in texts]
        found = self.get_many(embedder.id, list(dict.fromkeys(keys)))
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        text_of = dict(zip(keys, texts, strict=True))
        counts = Counter(keys)
        done = len(keys) - sum(counts[k] for k in todo)
        if progress:
            progress(done, len(keys))
        paired = getattr(embedder, "paired_passages", None)
        for i in range(0, len(todo), batch):
            chunk = todo[i : i + batch]
            texts_of_chunk = [text_of[k] for k in chunk]
            # an engine that computes two models in one pass (an adaptation and its original:
            # the index reads one, the themes the other) stores both
            every = paired(texts_of_chunk) if paired else {}
            for other, others in every.items():
                if other != embedder.id:
                    self.put_many(other, dict(zip(chunk, others, strict=True)))
            vectors = every.get(embedder.id)
            if vectors is None:
                vectors = embedder.encode_passages(texts_of_chunk)
            fresh = dict(zip(chunk, vectors, strict=True))
            self.put_many(embedder.id, fresh)
            found.update(fresh)
            done += sum(counts[k] for k in chunk)
            if progress:
                progress(done, len(keys))
        if not keys:
            return np.zeros((0, embedder.dim), dtype=np.float32), 0
        return np.vstack([found[k] for k in keys]).astype(np.float32), len(todo)


def check_file(path: Path) -> str | None:
    """Return what is wrong with a cache file (read only, nothing set aside), None when it is
    sound or absent."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return str(e)
    try:
        rows = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
        db.execute("SELECT count(*) FROM embeddings").fetchone()
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        db.close()
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows[:3])


def embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    max_chars: int | None = None,
) -> np.ndarray:
    """Return the passage vectors of texts (each clipped to max_chars, see ``clip``), through
    the shared embedding cache when given.

    cache_dir is the cache file, or a folder that holds it (the search index uses the same
    cache, so a passage embedded once is never embedded again).
    """
    if cache_dir is None:
        limit = max_chars or Limits.from_env().embed_chars
        return embedder.encode_passages([clip(t, limit) for t in texts])
    path = Path(cache_dir)
    if path.suffix != ".sqlite":
        path = path / CACHE_FILE
    with EmbeddingCache(path) as cache:
        return cache.embed_passages(embedder, texts, progress=progress, max_chars=max_chars)[0]
