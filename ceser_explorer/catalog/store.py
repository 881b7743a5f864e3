"""The Catalog: one SQLite file (WAL) holding documents, pages, passages and their index."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import analysis
from ..errors import CatalogError
from ..models import Document, Measure, ParsedDocument, Passage, Recommendation
from . import rows
from .migrations import migrate
from .queries import SearchQueries
from .safety import create, damaged_error, refuse_damaged

_DOC_COLUMNS = "d.file, d.title AS doc_title, d.body, d.kind AS doc_kind, d.date"


@dataclass(frozen=True)
class FileState:
    """What the catalog knows of a file on disk: where, how big, when modified, its hash."""

    path: str
    size: int
    mtime: float
    sha256: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _short_hash(*parts: object) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Return the hash that identifies a passage text (for embedding caches)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Catalog(SearchQueries):
    """Access to the SQLite catalog. Writes go through ``transaction()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        refuse_damaged(self.path)  # an empty or foreign file is never taken for a new catalog
        if not self.path.exists():
            create(self.path, migrate)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrate(self.db)
            self._follow_analysis()
        except sqlite3.DatabaseError as e:
            self.db.close()
            if isinstance(e, sqlite3.OperationalError) and "malformed" not in str(e):
                raise  # busy, read-only, full: not the file's fault
            raise damaged_error(self.path, str(e)) from e

    def setting(self, key: str) -> str | None:
        """Return the value of a catalog setting, or None."""
        r = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return r[0] if r else None

    def _follow_analysis(self) -> None:
        """Rebuild the full-text index when it was made by another version of the analysis."""
        if self.setting("analysis_version") == str(analysis.VERSION):
            return
        with self.transaction() as db:
            if self.setting("analysis_version") == str(analysis.VERSION):
                return  # another process did it meanwhile
            refill_full_text(db)
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('analysis_version', ?)",
                (str(analysis.VERSION),),
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction: all of it is committed, or none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- documents -------------------------------------------------------------------

    def documents(self) -> list[Document]:
        rs = self.db.execute("SELECT * FROM documents ORDER BY path").fetchall()
        return [rows.document(r) for r in rs]

    def document(self, doc_id: int) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return rows.document(r) if r else None

    def document_by_path(self, path: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
        return rows.document(r) if r else None

    def documents_by_sha(self, sha256: str) -> list[Document]:
        rs = self.db.execute("SELECT * FROM documents WHERE sha256 = ?", (sha256,)).fetchall()
        return [rows.document(r) for r in rs]

    def find_document(self, ref: str) -> Document | None:
        """Return the document whose path, file name or id is ref."""
        for sql in (
            "SELECT * FROM documents WHERE path = ?",
            "SELECT * FROM documents WHERE file = ?",
            "SELECT * FROM documents WHERE CAST(doc_id AS TEXT) = ?",
        ):
            r = self.db.execute(sql, (ref,)).fetchone()
            if r:
                return rows.document(r)
        matches = [d for d in self.documents() if d.path.endswith("/" + ref)]
        return matches[0] if len(matches) == 1 else None

    def update_file_state(self, doc_id: int, state: FileState) -> None:
        """Record a new path, size or mtime for a document whose content did not change."""
        with self.transaction() as db:
            db.execute(
                "UPDATE documents SET path = ?, file = ?, size = ?, mtime = ? WHERE doc_id = ?",
                (state.path, Path(state.path).name, state.size, state.mtime, doc_id),
            )
            db.execute("DELETE FROM failures WHERE path = ?", (state.path,))

    def remove_document(self, doc_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def store_document(
        self, state: FileState, parsed: ParsedDocument, replace: Document | None = None
    ) -> Document:
        """Insert or replace one document with all its records, in one transaction."""
        with self.transaction() as db:
            salt = ""
            others = db.execute(
                "SELECT path FROM documents WHERE sha256 = ? AND path != ?",
                (state.sha256, replace.path if replace else state.path),
            ).fetchall()
            if others:
                salt = state.path  # an identical copy at another path: ids must not collide
            values = (
                state.path,
                Path(state.path).name,
                state.sha256,
                state.size,
                state.mtime,
                parsed.title,
                parsed.body,
                parsed.kind,
                parsed.date,
                len(parsed.pages),
                "ok",
                json.dumps(list(parsed.ocr_pages)),
                json.dumps(list(parsed.textless_pages)),
                salt,
                _now(),
                parsed.extraction,
            )
            if replace is not None:
                doc_id = replace.doc_id
                db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM recommendations WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM measures WHERE doc_id = ?", (doc_id,))
                db.execute(
                    """UPDATE documents SET path=?, file=?, sha256=?, size=?, mtime=?, title=?,
                       body=?, kind=?, date=?, page_count=?, status=?, ocr_pages=?,
                       textless_pages=?, id_salt=?, ingested_at=?, extraction=?, themes_model=NULL
                       WHERE doc_id=?""",
                    (*values, doc_id),
                )
            else:
                cur = db.execute(
                    """INSERT INTO documents (path, file, sha256, size, mtime, title, body, kind,
                       date, page_count, status, ocr_pages, textless_pages, id_salt, ingested_at,
                       extraction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
                doc_id = int(cur.lastrowid or 0)
            db.execute(
                "UPDATE documents SET meta_sources = ? WHERE doc_id = ?",
                (json.dumps(dict(parsed.meta_sources)), doc_id),
            )
            self._insert_children(db, doc_id, state.sha256, salt, parsed)
            db.execute("DELETE FROM failures WHERE path = ?", (state.path,))
        doc = self.document(doc_id)
        if doc is None:  # the transaction above committed it: another writer removed it since
            raise CatalogError(
                f"document {state.path} absent du catalogue juste après son écriture : "
                "relancez « ceser ingest »."
            )
        return doc

    def _insert_children(
        self, db: sqlite3.Connection, doc_id: int, sha: str, salt: str, parsed: ParsedDocument
    ) -> None:
        db.executemany(
            "INSERT INTO pages (doc_id, page, width, height, text, ocr) VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, p.page, p.width, p.height, p.text, int(p.ocr)) for p in parsed.pages],
        )
        ids = []
        for ordinal, p in enumerate(parsed.passages):
            pid = "p" + _short_hash(sha, salt, ordinal, p.text)
            ids.append(pid)
            cur = db.execute(
                """INSERT INTO passages (passage_id, doc_id, ordinal, kind, text, section, page,
                   boxes, spans, ocr, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    pid,
                    doc_id,
                    ordinal,
                    p.kind,
                    p.text,
                    p.provenance.section,
                    p.provenance.page,
                    rows.boxes_json(p.provenance.boxes),
                    rows.spans_json(p.provenance.spans),
                    int(p.ocr),
                    text_hash(p.text),
                ),
            )
            indexed = index_text(p.text)
            db.execute(
                "INSERT INTO passages_fts (rowid, folded, stems) VALUES (?, ?, ?)",
                (cur.lastrowid, *indexed),
            )
        for ordinal, r in enumerate(parsed.recommendations):
            src = parsed.passages[r.passage_ordinal]
            db.execute(
                """INSERT INTO recommendations (rec_id, doc_id, passage_id, ordinal, number, text,
                   page, boxes, inline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    "r" + _short_hash(ids[r.passage_ordinal], ordinal, r.text),
                    doc_id,
                    ids[r.passage_ordinal],
                    ordinal,
                    r.number,
                    r.text,
                    src.provenance.page,
                    rows.boxes_json(src.provenance.boxes),
                    int(r.inline),
                ),
            )
        for ordinal, m in enumerate(parsed.measures):
            src = parsed.passages[m.passage_ordinal]
            db.execute(
                """INSERT INTO measures (measure_id, doc_id, passage_id, ordinal, level, code,
                   title, text, amount_eur, page, boxes) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    "m" + _short_hash(ids[m.passage_ordinal], ordinal, m.code),
                    doc_id,
                    ids[m.passage_ordinal],
                    ordinal,
                    m.level,
                    m.code,
                    m.title,
                    m.text,
                    m.amount_eur,
                    src.provenance.page,
                    rows.boxes_json(src.provenance.boxes),
                ),
            )

    # -- failures --------------------------------------------------------------------

    def record_failure(self, path: str, error: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO failures (path, error, at) VALUES (?, ?, ?)",
                (path, error, _now()),
            )

    def failures(self) -> list[tuple[str, str]]:
        rs = self.db.execute("SELECT path, error FROM failures ORDER BY path").fetchall()
        return [(r["path"], r["error"]) for r in rs]

    # -- passages, recommendations, measures -----------------------------------------

    def passages(
        self,
        doc_id: int | None = None,
        kind: str | None = None,
        limit: int | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[Passage]:
        where, args = self._where(doc_id, kind)
        if ids is not None:
            where.append(f"p.passage_id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        sql = (
            f"SELECT p.*, {_DOC_COLUMNS} FROM passages p JOIN documents d USING (doc_id)"
            f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY d.path, p.ordinal"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [rows.passage(r) for r in self.db.execute(sql, args)]

    def passage(self, passage_id: str) -> Passage | None:
        found = self.passages(ids=[passage_id])
        return found[0] if found else None

    def recommendations(
        self, doc_id: int | None = None, limit: int | None = None
    ) -> list[Recommendation]:
        where, args = self._where(doc_id, None, alias="r")
        sql = (
            f"SELECT r.*, {_DOC_COLUMNS} FROM recommendations r JOIN documents d USING (doc_id)"
            f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY d.path, r.ordinal"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [rows.recommendation(r) for r in self.db.execute(sql, args)]

    def measures(self, doc_id: int | None = None, limit: int | None = None) -> list[Measure]:
        where, args = self._where(doc_id, None, alias="m")
        sql = (
            f"SELECT m.*, {_DOC_COLUMNS} FROM measures m JOIN documents d USING (doc_id)"
            f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY d.path, m.ordinal"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [rows.measure(r) for r in self.db.execute(sql, args)]

    @staticmethod
    def _where(
        doc_id: int | None, kind: str | None, alias: str = "p"
    ) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if doc_id is not None:
            where.append(f"{alias}.doc_id = ?")
            args.append(doc_id)
        if kind is not None:
            where.append(f"{alias}.kind = ?")
            args.append(kind)
        return where, args

    def page_text(self, doc_id: int, page: int) -> str | None:
        r = self.db.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND page = ?", (doc_id, page)
        ).fetchone()
        return r["text"] if r else None

    def stats(self) -> dict[str, int]:
        """Return counts of documents, pages, passages, recommendations, measures, failures."""
        out = {}
        for name, table in (
            ("documents", "documents"),
            ("pages", "pages"),
            ("passages", "passages"),
            ("recommendations", "recommendations"),
            ("measures", "measures"),
            ("failures", "failures"),
        ):
            out[name] = self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out["ocr_pages"] = self.db.execute("SELECT count(*) FROM pages WHERE ocr = 1").fetchone()[0]
        return out

    def integrity_problems(self) -> list[str]:
        """Return a line for each inconsistency between tables (empty when consistent)."""
        checks = {
            "passages without document": "SELECT count(*) FROM passages p LEFT JOIN documents d "
            "USING (doc_id) WHERE d.doc_id IS NULL",
            "passages missing from the full-text index": "SELECT count(*) FROM passages p "
            "WHERE p.rowid NOT IN (SELECT rowid FROM passages_fts)",
            "full-text rows without passage": "SELECT count(*) FROM passages_fts "
            "WHERE rowid NOT IN (SELECT rowid FROM passages)",
            "documents whose page count differs from their pages": "SELECT count(*) FROM "
            "documents d WHERE page_count != (SELECT count(*) FROM pages WHERE doc_id=d.doc_id)",
        }
        out = []
        for label, sql in checks.items():
            n = self.db.execute(sql).fetchone()[0]
            if n:
                out.append(f"{n} {label}")
        return out


def refill_full_text(db: sqlite3.Connection) -> int:
    """Fill the full-text index again from the passages, inside the caller's transaction (the
    passages generation goes up: the BM25 postings follow); return how many rows it holds."""
    texts = db.execute("SELECT rowid, text FROM passages").fetchall()
    db.execute("DELETE FROM passages_fts")
    db.executemany(
        "INSERT INTO passages_fts (rowid, folded, stems) VALUES (?, ?, ?)",
        ((rowid, *index_text(text)) for rowid, text in texts),
    )
    db.execute("UPDATE passages_state SET generation = generation + 1")
    return len(texts)


def index_text(text: str) -> tuple[str, str]:
    """Return the (folded, stems) strings stored in the full-text index for a passage.

    Only the passage text: title or section in front did not help hybrid search on the tune
    split (README, « Recherche »).
    """
    return " ".join(analysis.analyze(text, "folded")), " ".join(analysis.analyze(text, "stem"))
