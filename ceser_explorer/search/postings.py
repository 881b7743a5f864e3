"""BM25 postings of the full-text index, scored in memory: FTS5's bm25() ranking, faster.

SQLite's FTS5 calls bm25() once per matching row; an OR query of common French words matches
most of a large catalog, and at 100,000 passages that costs 50-100 ms a query. This module
keeps the postings of ``passages_fts`` (term frequencies per row and column) as numpy arrays
and applies the formula of FTS5's bm25 (k1 = 1.2, b = 0.75, the same idf floor, document
length over all columns): a query costs a few milliseconds, and the ranking is FTS5's (a
test compares the two scores row by row).

The arrays are built from the catalog on first use and saved next to it
(``catalog.sqlite.bm25.npz``), tagged with the catalog's passages generation, a counter that
triggers raise on every insert, delete or text change of a passage: a stale file is never
used, and a missing, truncated or otherwise unreadable one is rebuilt.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import weakref
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..catalog import Catalog

K1 = 1.2
B = 0.75
COLUMNS = ("folded", "stems")
FORMAT = 1  # version of the saved arrays
ROW_ARRAYS = ("rowids", "lengths", "doc_ids", "kinds", "is_rec")


def generation(db: sqlite3.Connection) -> int:
    """Return the passages generation of the catalog (raised by every passage write)."""
    row = db.execute("SELECT generation FROM passages_state").fetchone()
    return int(row[0]) if row else 0


@dataclass
class _Column:
    """Postings of one column: for term t, rows[ptr[t]:ptr[t+1]] with tf[...]."""

    vocab: dict[str, int]
    ptr: np.ndarray  # int64, len(vocab) + 1
    rows: np.ndarray  # int32 positions in Bm25Index.rowids
    tf: np.ndarray  # float32

    def df(self, term: str) -> int:
        t = self.vocab.get(term)
        return 0 if t is None else int(self.ptr[t + 1] - self.ptr[t])


def bm25_idf(df: int | np.ndarray, n: int) -> np.ndarray:
    """Return BM25's idf (FTS5's formula) of terms found in df of n rows: negative for a term
    in more than half of the rows, which each caller floors its own way (BM25: 1e-6; the word
    vectors: 0)."""
    return np.log((n - np.asarray(df, dtype=np.float64) + 0.5) / (np.asarray(df) + 0.5))


class Bm25Index:
    """Postings of passages_fts with the row lengths that bm25 needs."""

    def __init__(self, gen: int, rows: dict[str, np.ndarray], columns: list[_Column]) -> None:
        self.generation = gen
        self.rowids = rows["rowids"]  # int64 FTS rowids (= passages.rowid), ascending
        self.lengths = rows["lengths"]  # float32 tokens per row, all columns
        self.doc_ids = rows["doc_ids"]  # int64 document of each row (-1: no passage)
        self.kinds = rows["kinds"]  # str passage kind of each row
        self.is_rec = rows["is_rec"]  # bool: the row holds a recommendation
        self.columns = dict(zip(COLUMNS, columns, strict=True))
        self._kind_masks: dict[tuple[str, ...], np.ndarray] = {}
        n = len(self.rowids)
        self.avgdl = float(self.lengths.sum() / n) if n else 0.0
        self._norm = K1 * (1 - B + B * self.lengths / self.avgdl) if n else self.lengths

    @property
    def size(self) -> int:
        return len(self.rowids)

    def df(self, column: str, term: str) -> int:
        """Return the number of rows whose column holds term."""
        return self.columns[column].df(term)

    def scores(self, terms: Mapping[str, Sequence[str] | Mapping[str, float]]) -> np.ndarray:
        """Return bm25 per row (0 where no term matches) for the terms given per column.

        A column's terms may come with a weight each (a mapping), which scales that term's
        share of the score; a plain list means weight 1, FTS5's own scoring.
        """
        out = np.zeros(self.size, dtype=np.float64)
        n = self.size
        for column, col_terms in terms.items():
            col = self.columns[column]
            per_term = (
                col_terms if isinstance(col_terms, Mapping) else dict.fromkeys(col_terms, 1.0)
            )
            for term, weight in per_term.items():
                t = col.vocab.get(term)
                if t is None:
                    continue
                lo, hi = int(col.ptr[t]), int(col.ptr[t + 1])
                idf = float(bm25_idf(hi - lo, n))
                idf = weight * (idf if idf > 0 else 1e-6)
                rows, freq = col.rows[lo:hi], col.tf[lo:hi]
                out[rows] += idf * freq * (K1 + 1) / (freq + self._norm[rows])
        return out

    def mask(
        self,
        kinds: Sequence[str],
        doc_ids: Sequence[int] | None = None,
        recommendations_only: bool = False,
    ) -> np.ndarray:
        """Return which rows are of the given passage kinds, documents and recommendations."""
        key = tuple(kinds)
        if key not in self._kind_masks:
            self._kind_masks[key] = np.isin(self.kinds, list(kinds))
        keep = self._kind_masks[key].copy()
        if doc_ids is not None:
            keep &= np.isin(self.doc_ids, np.asarray(doc_ids, dtype=np.int64))
        if recommendations_only:
            keep &= self.is_rec
        return keep

    # -- building, saving, loading ------------------------------------------------------

    @classmethod
    def build(cls, db: sqlite3.Connection) -> Bm25Index:
        """Read every row of passages_fts and return its postings."""
        gen = generation(db)
        recs = {r[0] for r in db.execute("SELECT DISTINCT passage_id FROM recommendations")}
        rowids: list[int] = []
        lengths: list[int] = []
        doc_ids: list[int] = []
        kinds: list[str] = []
        is_rec: list[bool] = []
        per_col: list[tuple[dict[str, int], list[int], list[int], list[int]]] = [
            ({}, [], [], []) for _ in COLUMNS
        ]
        texts = ", ".join(f"f.{c}" for c in COLUMNS)
        rs = db.execute(
            f"SELECT f.rowid, p.doc_id, p.kind, p.passage_id, {texts} "
            "FROM passages_fts f LEFT JOIN passages p ON p.rowid = f.rowid ORDER BY f.rowid"
        )
        for pos, (rowid, doc_id, kind, pid, *texts) in enumerate(rs):
            rowids.append(rowid)
            doc_ids.append(-1 if doc_id is None else doc_id)
            kinds.append(kind or "")
            is_rec.append(kind == "recommendation" or pid in recs)
            total = 0
            for (vocab, terms, rows, tfs), text in zip(per_col, texts, strict=True):
                words = (text or "").split()
                total += len(words)
                for word, tf in Counter(words).items():
                    terms.append(vocab.setdefault(word, len(vocab)))
                    rows.append(pos)
                    tfs.append(tf)
            lengths.append(total)
        columns = []
        for vocab, terms, rows, tfs in per_col:
            t = np.asarray(terms, dtype=np.int64)
            order = np.argsort(t, kind="stable")  # postings of a term stay in row order
            ptr = np.zeros(len(vocab) + 1, dtype=np.int64)
            np.cumsum(np.bincount(t, minlength=len(vocab)), out=ptr[1:])
            columns.append(
                _Column(
                    vocab,
                    ptr,
                    np.asarray(rows, dtype=np.int32)[order],
                    np.asarray(tfs, dtype=np.float32)[order],
                )
            )
        arrays: dict[str, np.ndarray] = {
            "rowids": np.asarray(rowids, dtype=np.int64),
            "lengths": np.asarray(lengths, dtype=np.float32),
            "doc_ids": np.asarray(doc_ids, dtype=np.int64),
            "kinds": np.asarray(kinds, dtype=str),
            "is_rec": np.asarray(is_rec, dtype=bool),
        }
        return cls(gen, arrays, columns)

    def save(self, path: Path) -> None:
        """Write the arrays to path atomically (a temporary file renamed over it)."""
        arrays: dict[str, np.ndarray] = {
            "meta": np.asarray([FORMAT, self.generation], dtype=np.int64),
            **{name: getattr(self, name) for name in ROW_ARRAYS},
        }
        for name, col in self.columns.items():
            arrays[f"{name}_vocab"] = np.asarray(list(col.vocab), dtype=str)
            arrays[f"{name}_ptr"] = col.ptr
            arrays[f"{name}_rows"] = col.rows
            arrays[f"{name}_tf"] = col.tf
        write_arrays(path, arrays)

    @classmethod
    def load(cls, path: Path, gen: int) -> Bm25Index | None:
        """Return the index saved at path if it is of generation gen, else None."""
        try:
            with np.load(path, allow_pickle=False) as z:
                fmt, saved = (int(x) for x in z["meta"])
                if fmt != FORMAT or saved != gen:
                    return None
                columns = [
                    _Column(
                        {w: i for i, w in enumerate(z[f"{name}_vocab"].tolist())},
                        z[f"{name}_ptr"],
                        z[f"{name}_rows"],
                        z[f"{name}_tf"],
                    )
                    for name in COLUMNS
                ]
                return cls(saved, {name: z[name] for name in ROW_ARRAYS}, columns)
        except UNREADABLE:
            return None


# what reading a damaged .npz raises: truncated (BadZipFile, EOFError), bytes changed (a CRC
# or inflate error), an array header rewritten (ValueError)
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)


def write_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays to an .npz file at path atomically: a temporary file of the same folder,
    renamed over it once complete, so that a reader never sees a half-written file."""
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def saved_generation(path: Path) -> int | None:
    """Return the generation of the arrays saved at path (None: absent, unreadable, another
    format), reading only their header: whether the saved postings are current."""
    try:
        with np.load(path, allow_pickle=False) as z:
            fmt, saved = (int(x) for x in z["meta"])
    except UNREADABLE:
        return None
    return saved if fmt == FORMAT else None


def index_path(catalog_path: Path) -> Path:
    """Return where the BM25 arrays of a catalog are saved."""
    return catalog_path.with_name(catalog_path.name + ".bm25.npz")


def current(db: sqlite3.Connection, catalog_path: Path, held: Bm25Index | None) -> Bm25Index:
    """Return an index of the catalog's current generation: held, saved, or built (and saved)."""
    gen = generation(db)
    if held is not None and held.generation == gen:
        return held
    path = index_path(catalog_path)
    found = Bm25Index.load(path, gen) if path.exists() else None
    if found is not None:
        return found
    # read in one transaction so that the rows and the generation agree
    if db.in_transaction:
        built = Bm25Index.build(db)
    else:
        db.execute("BEGIN")
        try:
            built = Bm25Index.build(db)
        finally:
            db.execute("COMMIT")
    # in a read-only folder search still works; the next process builds the index again
    with contextlib.suppress(OSError):
        built.save(path)
    return built


def refresh(catalog: Catalog) -> bool:
    """Build and save the catalog's postings unless the saved ones are current; return whether
    they were rebuilt."""
    if saved_generation(index_path(catalog.path)) == generation(catalog.db):
        return False
    _held.pop(catalog, None)
    postings(catalog)  # a damaged or stale file is not loaded: built and saved anew
    return True


def best_first(scores: np.ndarray, positions: np.ndarray, n: int | None = None) -> np.ndarray:
    """Return the n (all when None) positions of highest score, best first, ties by position."""
    if n is not None and len(positions) > n:
        positions = positions[np.argpartition(-scores[positions], n - 1)[:n]]
    return positions[np.lexsort((positions, -scores[positions]))]


_held: weakref.WeakKeyDictionary[Catalog, Bm25Index] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[Catalog, threading.Lock] = weakref.WeakKeyDictionary()
_locks_lock = threading.Lock()


def postings(catalog: Catalog) -> Bm25Index:
    """Return the BM25 postings of the catalog's current passages (kept per catalog object).

    One thread at a time per catalog: when an ingest changes the passages, the explorer's
    sessions (threads sharing one catalog) wait for one rebuild instead of each making its
    own (8 searches at once on 100,000 passages took 70 s each).
    """
    with _locks_lock:
        lock = _locks.setdefault(catalog, threading.Lock())
    with lock:
        index = current(catalog.db, catalog.path, _held.get(catalog))
        _held[catalog] = index
    return index
