"""The catalog's own checks and repairs: SQLite's integrity, foreign keys, the full-text index.

``ceser check`` runs them; ``ceser check --repair`` fixes what can be fixed from the catalog
itself (rows of no document, the full-text index rebuilt from the passages). A damaged page
cannot be fixed here: the answer is the last backup.
"""

from __future__ import annotations

import sqlite3

from .store import Catalog, refill_full_text


def integrity(catalog: Catalog) -> list[str]:
    """Return SQLite's integrity_check lines (empty when the file is sound)."""
    rows = [str(r[0]) for r in catalog.db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def foreign_key_orphans(catalog: Catalog) -> dict[str, list[int]]:
    """Return {table: rowids} of the rows whose parent row is missing."""
    out: dict[str, list[int]] = {}
    for table, rowid, _parent, _fk in catalog.db.execute("PRAGMA foreign_key_check").fetchall():
        out.setdefault(str(table), []).append(int(rowid))
    return out


def delete_orphans(catalog: Catalog, orphans: dict[str, list[int]]) -> int:
    """Delete the rows of no parent; return how many."""
    tables = {r[0] for r in catalog.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    n = 0
    with catalog.transaction() as db:
        for table, rowids in orphans.items():
            if table not in tables:
                continue
            for rowid in rowids:
                n += db.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,)).rowcount
    return n


def full_text_problem(catalog: Catalog) -> str | None:
    """Return what is wrong with the full-text index (FTS5's integrity-check, rows in step
    with the passages), None when it is sound."""
    try:
        catalog.db.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")
    except sqlite3.OperationalError as e:
        if not any(w in str(e) for w in ("locked", "readonly", "read-only", "busy")):
            return f"index plein texte incohérent ({e})"
        # a writer at work, or a read-only folder: the row counts below still say enough
    except sqlite3.DatabaseError as e:
        return f"index plein texte incohérent ({e})"
    found = [p for p in catalog.integrity_problems() if "full-text" in p]
    return "; ".join(found) or None


def rebuild_full_text(catalog: Catalog) -> int:
    """Rebuild the full-text index from the passages; return how many rows it holds."""
    with catalog.transaction() as db:
        return refill_full_text(db)
