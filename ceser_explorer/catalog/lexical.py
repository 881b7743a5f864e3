"""Full-text (BM25) search over passages_fts, and the catalog queries that search filters need.

Document-level filters (type, body, document, dates) resolve to a set of document ids;
passage-level ones (themes, recommendations) become SQL on the passages table. The same
``PassageFilter`` restricts the lexical retriever here and the dense one (through
``filter_ids`` / ``allowed_ids``), so that both filter before fusion.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CeserError
from .store import Catalog

# Passage kinds worth searching: tables of contents, headings and cover lines are not (a
# heading's words reach the search through the section of the passages under it).
SEARCHABLE_KINDS: tuple[str, ...] = (
    "paragraph",
    "list_item",
    "recommendation",
    "measure",
    "table",
    "footnote",
)
COLUMNS = ("folded", "stems")
# A term found in more than this share of passages says little and costs a long posting list.
COMMON_TERM_SHARE = 0.4
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


def documents_matching(
    catalog: Catalog,
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
    return tuple(r[0] for r in catalog.db.execute(sql, args))


def bodies(catalog: Catalog) -> list[str]:
    """Return the distinct bodies (CESER Occitanie, Région Occitanie...) of the catalog."""
    return [r[0] for r in catalog.db.execute("SELECT DISTINCT body FROM documents ORDER BY body")]


def has_theme(catalog: Catalog, theme: str | None = None) -> bool:
    """Return whether some passage has a score for theme (for any theme when None)."""
    if theme is None:
        return catalog.db.execute("SELECT 1 FROM passage_themes LIMIT 1").fetchone() is not None
    sql = "SELECT 1 FROM passage_themes WHERE theme = ? LIMIT 1"
    return catalog.db.execute(sql, (theme,)).fetchone() is not None


def themes(catalog: Catalog) -> list[str]:
    """Return the themes that have scores in the catalog."""
    rs = catalog.db.execute("SELECT DISTINCT theme FROM passage_themes ORDER BY theme")
    return [r[0] for r in rs]


def _common_terms(db: sqlite3.Connection, terms: Sequence[str], column: str) -> set[str]:
    """Return the terms present in more than COMMON_TERM_SHARE of the passages."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_fts_terms "
        "USING fts5vocab(main, passages_fts, col)"
    )
    total = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    if not total or not terms:
        return set()
    rs = db.execute(
        f"SELECT term, doc FROM temp.passages_fts_terms WHERE col = ? "
        f"AND term IN ({_marks(len(terms))})",
        [column, *terms],
    )
    return {t for t, n in rs if n > COMMON_TERM_SHARE * total}


def match_expression(terms: Sequence[str], column: str) -> str:
    """Return the FTS5 MATCH expression: any of the terms, in one column."""
    quoted = " OR ".join(f'"{t}"' for t in dict.fromkeys(terms) if t.replace("_", "").isalnum())
    return f"{column} : ({quoted})" if quoted else ""


def bm25(
    catalog: Catalog,
    terms: Mapping[str, Sequence[str]],
    f: PassageFilter,
    limit: int,
) -> list[tuple[str, float]]:
    """Return up to limit (passage id, BM25 score) pairs, best first; terms given per column."""
    parts, weights = [], []
    for column in COLUMNS:
        col_terms = terms.get(column)
        if not col_terms:
            weights.append("0.0")
            continue
        common = _common_terms(catalog.db, col_terms, column)
        kept = [t for t in col_terms if t not in common] or col_terms
        expression = match_expression(kept, column)
        if expression:
            parts.append(f"({expression})")
        weights.append("1.0" if expression else "0.0")
    if not parts:
        return []
    match, score = " OR ".join(parts), f"bm25(passages_fts, {', '.join(weights)})"
    # Rank in the full-text index alone, then filter the best rows; when too few of them pass
    # the filter, rank again with the filter inside the query (slower, but never misses one).
    over = limit * 4
    ranked = catalog.db.execute(
        f"SELECT rowid, {score} AS s FROM passages_fts WHERE passages_fts MATCH ? "
        "ORDER BY s LIMIT ?",
        (match, over),
    ).fetchall()
    condition, args = filter_sql(f)
    ids: dict[int, str] = {}
    for chunk in _chunks([r[0] for r in ranked]):
        ids.update(
            catalog.db.execute(
                f"SELECT p.rowid, p.passage_id FROM passages p "
                f"WHERE p.rowid IN ({_marks(len(chunk))}) AND {condition}",
                [*chunk, *args],
            ).fetchall()
        )
    kept_rows = [(ids[rowid], -float(s)) for rowid, s in ranked if rowid in ids]
    if len(kept_rows) >= limit or len(ranked) < over:
        return kept_rows[:limit]
    rs = catalog.db.execute(
        f"SELECT p.passage_id, {score} AS s FROM passages_fts "
        f"JOIN passages p ON p.rowid = passages_fts.rowid "
        f"WHERE passages_fts MATCH ? AND {condition} ORDER BY s LIMIT ?",
        [match, *args, int(limit)],
    )
    return [(pid, -float(s)) for pid, s in rs]


def filter_ids(catalog: Catalog, ids: Sequence[str], f: PassageFilter) -> set[str]:
    """Return those of ids that are searchable passages of the catalog matching f."""
    condition, args = filter_sql(f)
    out: set[str] = set()
    for chunk in _chunks(ids):
        sql = f"SELECT p.passage_id FROM passages p WHERE p.passage_id IN ({_marks(len(chunk))})"
        out.update(r[0] for r in catalog.db.execute(f"{sql} AND {condition}", [*chunk, *args]))
    return out


def allowed_ids(catalog: Catalog, f: PassageFilter) -> list[str]:
    """Return the ids of every searchable passage matching f."""
    condition, args = filter_sql(f)
    return [
        r[0]
        for r in catalog.db.execute(f"SELECT p.passage_id FROM passages p WHERE {condition}", args)
    ]


def count_searchable(catalog: Catalog) -> int:
    """Return the number of searchable passages in the catalog."""
    condition, args = filter_sql(PassageFilter())
    return int(
        catalog.db.execute(f"SELECT count(*) FROM passages p WHERE {condition}", args).fetchone()[0]
    )


def index_rows(catalog: Catalog, doc_ids: Sequence[int] | None = None) -> list[IndexRow]:
    """Return the searchable passages (of the given documents, else all) for the vector index."""
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
        for r in catalog.db.execute(sql, args)
    ]


def recommendation_numbers(catalog: Catalog, ids: Sequence[str]) -> dict[str, int | None]:
    """Return, for each passage id that holds a recommendation, its (first) number."""
    out: dict[str, int | None] = {}
    for chunk in _chunks(ids):
        rs = catalog.db.execute(
            "SELECT passage_id, number FROM recommendations "
            f"WHERE passage_id IN ({_marks(len(chunk))}) ORDER BY passage_id, ordinal",
            list(chunk),
        )
        for pid, number in rs:
            if out.get(pid) is None:
                out[pid] = number
    return out


def require_documents(catalog: Catalog) -> None:
    """Raise a CeserError when the catalog holds no document at all."""
    if not catalog.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone():
        raise CeserError(
            f"le catalogue {catalog.path} est vide : lancez « ceser ingest corpus/ » d'abord."
        )
