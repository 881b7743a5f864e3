"""Full-text (BM25) search over passages_fts, and the catalog queries that search filters need.

The BM25 ranking is FTS5's, computed on in-memory postings (``bm25.py``) rather than by
FTS5's bm25() function, which is called once per matching row and too slow on large catalogs.

Document-level filters (type, body, document, dates) resolve to a set of document ids;
passage-level ones (themes, recommendations) become SQL on the passages table. The same
``PassageFilter`` restricts the lexical retriever here and the dense one (through
``filter_ids`` / ``allowed_ids``), so that both filter before fusion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CeserError
from .bm25 import Bm25Index, best_first
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


Terms = Mapping[str, Sequence[str] | Mapping[str, float]]


def query_columns(index: Bm25Index, terms: Terms) -> dict[str, dict[str, float]]:
    """Return the weighted terms searched per column: common ones are dropped when a query
    term (weight 1) of few passages is left; a list of terms means weight 1 each."""
    out: dict[str, dict[str, float]] = {}
    for column in COLUMNS:
        given = terms.get(column) or ()
        weighted = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given, 1.0)
        weighted = {t: w for t, w in weighted.items() if t}
        if not weighted:
            continue
        limit = COMMON_TERM_SHARE * index.size
        rare = {t: w for t, w in weighted.items() if index.df(column, t) <= limit}
        out[column] = rare if any(w >= 1.0 for w in rare.values()) else weighted
    return out


def bm25(
    catalog: Catalog,
    terms: Terms,
    f: PassageFilter,
    limit: int,
) -> list[tuple[str, float]]:
    """Return up to limit (passage id, BM25 score) pairs, best first; terms given per column.

    The score is FTS5's bm25 over the searched columns (see ``bm25.py``), computed on the
    in-memory postings of the catalog, which also filter by kind, document and recommendation.
    A theme filter is checked in the catalog on the best rows, in growing batches, until
    limit rows pass or none is left: a filter never hides a result that exists.
    """
    index = catalog.bm25_index()
    searched = query_columns(index, terms)
    if not searched:
        return []
    scores = index.scores(searched)
    scores[~index.mask(SEARCHABLE_KINDS, f.doc_ids, f.recommendations_only)] = 0.0
    matches = np.flatnonzero(scores)
    if f.themes:  # checked in the catalog, on more rows than needed
        theme_filter = PassageFilter(themes=f.themes, min_confidence=f.min_confidence)
        (condition, args), size = filter_sql(theme_filter), limit * 4
    else:
        condition, args, size = "1", [], limit
    ranked = best_first(scores, matches, size)
    out: list[tuple[str, float]] = []
    start = 0
    while len(out) < limit and start < len(matches):
        if start + size > len(ranked) and len(ranked) < len(matches):
            # rank the rest only when the best ones fall short of the filter
            ranked = np.concatenate([ranked, best_first(scores, np.setdiff1d(matches, ranked))])
        batch = ranked[start : start + size]
        start, size = start + size, size * 4
        rowids = [int(index.rowids[i]) for i in batch]
        ids = _passage_ids(catalog, rowids, condition, args)
        out += [(ids[r], float(scores[i])) for r, i in zip(rowids, batch, strict=True) if r in ids]
    return out[:limit]


def _passage_ids(
    catalog: Catalog, rowids: Sequence[int], condition: str, args: Sequence[Any]
) -> dict[int, str]:
    """Return {rowid: passage id} for those of the rows that meet a condition on passages p."""
    out: dict[int, str] = {}
    for chunk in _chunks(rowids):
        out.update(
            catalog.db.execute(
                f"SELECT p.rowid, p.passage_id FROM passages p "
                f"WHERE p.rowid IN ({_marks(len(chunk))}) AND {condition}",
                [*chunk, *args],
            ).fetchall()
        )
    return out


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
