"""Schema migrations, numbered functions applied in order (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..errors import CatalogError


def m001_initial() -> str:
    """Documents, pages, passages with their full-text index, recommendations, measures."""
    return """
        CREATE TABLE documents (
            doc_id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'other',
            date TEXT,
            page_count INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'ok',
            ocr_pages TEXT NOT NULL DEFAULT '[]',
            textless_pages TEXT NOT NULL DEFAULT '[]',
            id_salt TEXT NOT NULL DEFAULT '',
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX documents_sha256 ON documents(sha256);

        CREATE TABLE pages (
            doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            page INTEGER NOT NULL,
            width REAL NOT NULL,
            height REAL NOT NULL,
            text TEXT NOT NULL,
            ocr INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (doc_id, page)
        );

        CREATE TABLE passages (
            rowid INTEGER PRIMARY KEY,
            passage_id TEXT NOT NULL UNIQUE,
            doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            section TEXT NOT NULL DEFAULT '',
            page INTEGER NOT NULL,
            boxes TEXT NOT NULL,
            spans TEXT NOT NULL,
            ocr INTEGER NOT NULL DEFAULT 0,
            text_hash TEXT NOT NULL
        );
        CREATE INDEX passages_doc ON passages(doc_id, ordinal);
        CREATE INDEX passages_hash ON passages(text_hash);

        CREATE VIRTUAL TABLE passages_fts USING fts5(
            folded, stems, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
            DELETE FROM passages_fts WHERE rowid = old.rowid;
        END;

        CREATE TABLE recommendations (
            rec_id TEXT PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            passage_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            number INTEGER,
            text TEXT NOT NULL,
            page INTEGER NOT NULL,
            boxes TEXT NOT NULL,
            inline INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX recommendations_doc ON recommendations(doc_id, ordinal);

        CREATE TABLE measures (
            measure_id TEXT PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            passage_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            level TEXT NOT NULL,
            code TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            amount_eur REAL,
            page INTEGER NOT NULL,
            boxes TEXT NOT NULL
        );
        CREATE INDEX measures_doc ON measures(doc_id, ordinal);

        CREATE TABLE failures (
            path TEXT PRIMARY KEY,
            error TEXT NOT NULL,
            at TEXT NOT NULL
        );
        """


def m002_themes() -> str:
    """Theme scores per passage and per recommendation (written by the classifier)."""
    return """
        CREATE TABLE passage_themes (
            passage_id TEXT NOT NULL REFERENCES passages(passage_id) ON DELETE CASCADE,
            theme TEXT NOT NULL,
            score REAL NOT NULL,
            retained INTEGER NOT NULL DEFAULT 0,
            review INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (passage_id, theme)
        );
        CREATE INDEX passage_themes_theme ON passage_themes(theme, score);
        CREATE TABLE recommendation_themes (
            rec_id TEXT NOT NULL REFERENCES recommendations(rec_id) ON DELETE CASCADE,
            theme TEXT NOT NULL,
            score REAL NOT NULL,
            retained INTEGER NOT NULL DEFAULT 0,
            review INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (rec_id, theme)
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
    """


def m003_passages_state() -> str:
    """A generation counter raised by every passage write (saved BM25 arrays are tagged by it)."""
    return """
        CREATE TABLE passages_state (generation INTEGER NOT NULL);
        INSERT INTO passages_state (generation) VALUES (1);
        CREATE TRIGGER passages_state_insert AFTER INSERT ON passages BEGIN
            UPDATE passages_state SET generation = generation + 1;
        END;
        CREATE TRIGGER passages_state_delete AFTER DELETE ON passages BEGIN
            UPDATE passages_state SET generation = generation + 1;
        END;
        CREATE TRIGGER passages_state_update AFTER UPDATE OF text ON passages BEGIN
            UPDATE passages_state SET generation = generation + 1;
        END;
    """


def m004_extraction_version() -> str:
    """The version of the extraction that read each document (1 for those stored before)."""
    return "ALTER TABLE documents ADD COLUMN extraction INTEGER NOT NULL DEFAULT 1;"


def m005_coverage() -> str:
    """The coverage of each préconisation, computed after ingest: its status, its best measure
    (as JSON) and the key of the computation (embedder, threshold, floor, plans of the catalog)."""
    return """
        CREATE TABLE coverage (
            rec_id TEXT PRIMARY KEY REFERENCES recommendations(rec_id) ON DELETE CASCADE,
            avis_sha256 TEXT NOT NULL,
            status TEXT NOT NULL,
            measure_id TEXT,
            score REAL,
            row TEXT NOT NULL,
            computed_with TEXT NOT NULL
        );
    """


def m006_theme_state() -> str:
    """The theme model whose scores each document holds (NULL: none yet, or read again since):
    the themes still to compute are those the catalog says are pending, whatever run stored
    the document. A document whose passages all have scores keeps the catalog's model."""
    return """
        ALTER TABLE documents ADD COLUMN themes_model TEXT;
        UPDATE documents SET themes_model = (SELECT value FROM settings WHERE key = 'themes.model')
        WHERE NOT EXISTS (
            SELECT 1 FROM passages p WHERE p.doc_id = documents.doc_id AND p.kind != 'toc'
            AND NOT EXISTS (SELECT 1 FROM passage_themes t WHERE t.passage_id = p.passage_id)
        );
    """


MIGRATIONS: list[Callable[[], str]] = [
    m001_initial,
    m002_themes,
    m003_passages_state,
    m004_extraction_version,
    m005_coverage,
    m006_theme_state,
]


def migrate(db: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction; return the schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise CatalogError(
            f"le catalogue est au schéma {version}, plus récent que ce ceser-explorer "
            f"({len(MIGRATIONS)}) : mettez ceser-explorer à jour ou choisissez un autre --home."
        )
    for number in range(version, len(MIGRATIONS)):
        script = MIGRATIONS[number]()
        try:
            db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number + 1};\nCOMMIT;"
            )
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
