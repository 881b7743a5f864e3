"""The catalog's queries for search and the vector index: searchable passages, filters, ids.

Document-level filters (type, body, document, dates) resolve to a set of document ids;
passage-level ones (themes, recommendations) become SQL on the passages table. The same
``PassageFilter`` restricts every retriever (lexical, dense), so that all filter before fusion.
These are methods of ``Catalog`` (through the ``SearchQueries`` mixin): SQL stays here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..vocabulary import SEARCHABLE_KINDS

_CHUNK = 900  # below SQLite's limit on bound variables


@dataclass(frozen=True)
class PassageFilter:
    """A search filter resolved against the catalog: None means "no restriction"."""

    doc_ids: tuple[int, ...] | None = None
    themes: tuple[str, ...] = ()
    min_confidence: float = 0.5
    recommendations_only: bool = False

    @property
    def active(self) -> bool:
        return self.doc_ids is not None or bool(self.themes) or self.recommendations_only


@dataclass(frozen=True)
class IndexRow:
    """What the vector index needs of a searchable passage."""

    passage_id: str
    doc_id: int
    kind: str
    text: str
    section: str
    title: str
    body: str
    doc_kind: str
    date: str | None
    is_rec: bool


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def filter_sql(f: PassageFilter, alias: str = "p") -> tuple[str, list[Any]]:
    """Return a SQL condition on passages (alias p) and its arguments for filter f."""
    where = [f"{alias}.kind IN ({_marks(len(SEARCHABLE_KINDS))})"]
    args: list[Any] = list(SEARCHABLE_KINDS)
    if f.doc_ids is not None:
        where.append(f"{alias}.doc_id IN ({_marks(len(f.doc_ids))})" if f.doc_ids else "0")
        args.extend(f.doc_ids)
    if f.themes:
        # EXISTS uses the (passage_id, theme) key: cheap per candidate, unlike a list of ids
        where.append(
            f"EXISTS (SELECT 1 FROM passage_themes t WHERE t.passage_id = {alias}.passage_id "
            f"AND t.theme IN ({_marks(len(f.themes))}) AND t.score >= ?)"
        )
        args.extend([*f.themes, f.min_confidence])
    if f.recommendations_only:
        where.append(
            f"({alias}.kind = 'recommendation' OR {alias}.passage_id IN "
            "(SELECT passage_id FROM recommendations))"
        )
    return " AND ".join(where), args


class SearchQueries:
    """The catalog's queries for search and indexing (a mixin of ``Catalog``)."""

    db: sqlite3.Connection

    def documents_matching(
        self,
        kind: str | None = None,
        body: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[int, ...]:
        """Return the ids of the documents of a type, a body (case-insensitive part) and dates."""
        where, args = ["1"], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if body:
            where.append("instr(lower(body), lower(?)) > 0")
            args.append(body.strip())
        if since:
            where.append("date IS NOT NULL AND date >= ?")
            args.append(since)
        if until:
            where.append("date IS NOT NULL AND date <= ?")
            args.append(until)
        sql = f"SELECT doc_id FROM documents WHERE {' AND '.join(where)} ORDER BY doc_id"
        return tuple(r[0] for r in self.db.execute(sql, args))

    def bodies(self) -> list[str]:
        """Return the distinct bodies (CESER Occitanie, Région Occitanie...) of the catalog."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT body FROM documents ORDER BY body")]

    def has_theme(self, theme: str | None = None) -> bool:
        """Return whether some passage has a score for theme (for any theme when None)."""
        if theme is None:
            return self.db.execute("SELECT 1 FROM passage_themes LIMIT 1").fetchone() is not None
        sql = "SELECT 1 FROM passage_themes WHERE theme = ? LIMIT 1"
        return self.db.execute(sql, (theme,)).fetchone() is not None

    def scored_themes(self) -> list[str]:
        """Return the themes that have scores in the catalog."""
        rs = self.db.execute("SELECT DISTINCT theme FROM passage_themes ORDER BY theme")
        return [r[0] for r in rs]

    def passage_ids_where(
        self, rowids: Sequence[int], condition: str, args: Sequence[Any]
    ) -> dict[int, str]:
        """Return {rowid: passage id} for those of the rows that meet a condition on passages p."""
        out: dict[int, str] = {}
        for chunk in _chunks(rowids):
            out.update(
                self.db.execute(
                    f"SELECT p.rowid, p.passage_id FROM passages p "
                    f"WHERE p.rowid IN ({_marks(len(chunk))}) AND {condition}",
                    [*chunk, *args],
                ).fetchall()
            )
        return out

    def filter_ids(self, ids: Sequence[str], f: PassageFilter) -> set[str]:
        """Return those of ids that are searchable passages of the catalog matching f."""
        condition, args = filter_sql(f)
        out: set[str] = set()
        for chunk in _chunks(ids):
            sql = (
                f"SELECT p.passage_id FROM passages p WHERE p.passage_id IN ({_marks(len(chunk))})"
            )
            out.update(r[0] for r in self.db.execute(f"{sql} AND {condition}", [*chunk, *args]))
        return out

    def allowed_ids(self, f: PassageFilter) -> list[str]:
        """Return the ids of every searchable passage matching f."""
        condition, args = filter_sql(f)
        return [
            r[0]
            for r in self.db.execute(f"SELECT p.passage_id FROM passages p WHERE {condition}", args)
        ]

    def count_searchable(self) -> int:
        """Return the number of searchable passages in the catalog."""
        condition, args = filter_sql(PassageFilter())
        return int(
            self.db.execute(f"SELECT count(*) FROM passages p WHERE {condition}", args).fetchone()[
                0
            ]
        )

    def index_rows(self, doc_ids: Sequence[int] | None = None) -> list[IndexRow]:
        """Return the searchable passages (of the given documents, else all) to index."""
        condition, args = filter_sql(PassageFilter(doc_ids=tuple(doc_ids) if doc_ids else None))
        sql = (
            "SELECT p.passage_id, p.doc_id, p.kind, p.text, p.section, d.title, d.body, "
            "d.kind AS doc_kind, d.date, (p.kind = 'recommendation' OR EXISTS (SELECT 1 FROM "
            "recommendations r WHERE r.passage_id = p.passage_id)) AS is_rec "
            f"FROM passages p JOIN documents d USING (doc_id) WHERE {condition} "
            "ORDER BY p.doc_id, p.ordinal"
        )
        return [
            IndexRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]))
            for r in self.db.execute(sql, args)
        ]

    def recommendation_numbers(self, ids: Sequence[str]) -> dict[str, int | None]:
        """Return, for each passage id that holds a recommendation, its (first) number."""
        out: dict[str, int | None] = {}
        for chunk in _chunks(ids):
            rs = self.db.execute(
                "SELECT passage_id, number FROM recommendations "
                f"WHERE passage_id IN ({_marks(len(chunk))}) ORDER BY passage_id, ordinal",
                list(chunk),
            )
            for pid, number in rs:
                if out.get(pid) is None:
                    out[pid] = number
        return out
