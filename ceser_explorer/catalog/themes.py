"""Theme scores of passages and recommendations in the catalog (written by the classifier)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..models import Passage, Recommendation
from .store import Catalog

CHUNK = 500

# (themes {theme: score}, labels retained, themes to review), scores in decreasing order
ThemeView = tuple[dict[str, float], tuple[str, ...], tuple[str, ...]]
EMPTY: ThemeView = ({}, (), ())

_TABLES = {
    "passage": ("passage_themes", "passage_id"),
    "recommendation": ("recommendation_themes", "rec_id"),
}


@dataclass(frozen=True)
class ThemeScore:
    """The score of one theme for one item, whether it is retained and whether to review it."""

    theme: str
    score: float
    retained: bool
    review: bool


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _store(catalog: Catalog, kind: str, scores: Mapping[str, Sequence[ThemeScore]]) -> int:
    table, key = _TABLES[kind]
    ids = list(scores)
    with catalog.transaction() as db:
        for chunk in _chunks(ids):
            db.execute(f"DELETE FROM {table} WHERE {key} IN ({','.join('?' * len(chunk))})", chunk)
        db.executemany(
            f"INSERT INTO {table} ({key}, theme, score, retained, review) VALUES (?, ?, ?, ?, ?)",
            [
                (item, s.theme, float(s.score), int(s.retained), int(s.review))
                for item, row in scores.items()
                for s in row
            ],
        )
    return len(ids)


def store_passage_themes(catalog: Catalog, scores: Mapping[str, Sequence[ThemeScore]]) -> int:
    """Replace the theme scores of the given passages; return how many passages were written."""
    return _store(catalog, "passage", scores)


def store_recommendation_themes(
    catalog: Catalog, scores: Mapping[str, Sequence[ThemeScore]]
) -> int:
    """Replace the theme scores of the given recommendations; return how many were written."""
    return _store(catalog, "recommendation", scores)


def clear_themes(catalog: Catalog, doc_ids: Sequence[int] | None = None) -> None:
    """Delete the theme scores of the given documents (all documents when None)."""
    with catalog.transaction() as db:
        if doc_ids is None:
            db.execute("DELETE FROM passage_themes")
            db.execute("DELETE FROM recommendation_themes")
            return
        marks = ",".join("?" * len(doc_ids))
        db.execute(
            f"DELETE FROM passage_themes WHERE passage_id IN "
            f"(SELECT passage_id FROM passages WHERE doc_id IN ({marks}))",
            list(doc_ids),
        )
        db.execute(
            f"DELETE FROM recommendation_themes WHERE rec_id IN "
            f"(SELECT rec_id FROM recommendations WHERE doc_id IN ({marks}))",
            list(doc_ids),
        )


def store_document_themes(
    catalog: Catalog,
    doc_id: int,
    passages: Mapping[str, Sequence[ThemeScore]],
    recommendations: Mapping[str, Sequence[ThemeScore]],
    model: str,
) -> None:
    """Replace the theme scores of one document and record the model that made them, in one
    transaction: a kill leaves the document either themed by model or still pending."""
    rows = [("passage", passages), ("recommendation", recommendations)]
    with catalog.transaction() as db:
        db.execute(
            "DELETE FROM passage_themes WHERE passage_id IN "
            "(SELECT passage_id FROM passages WHERE doc_id = ?)",
            (doc_id,),
        )
        db.execute(
            "DELETE FROM recommendation_themes WHERE rec_id IN "
            "(SELECT rec_id FROM recommendations WHERE doc_id = ?)",
            (doc_id,),
        )
        for kind, scores in rows:
            table, key = _TABLES[kind]
            db.executemany(
                f"INSERT INTO {table} ({key}, theme, score, retained, review) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (item, s.theme, float(s.score), int(s.retained), int(s.review))
                    for item, row in scores.items()
                    for s in row
                ],
            )
        db.execute("UPDATE documents SET themes_model = ? WHERE doc_id = ?", (model, doc_id))


def pending_documents(
    catalog: Catalog, model: str | None, skipped_kinds: Sequence[str] = ()
) -> list[int]:
    """Return the ids of the documents whose theme scores are missing or not of model.

    Pending: never themed (or read again since), themed by another model (unless model is
    None: unknown until trained), or a passage or recommendation without any score (scores
    deleted by hand or by a damaged catalog).
    """
    skipped = list(skipped_kinds) or [""]
    marks = ",".join("?" * len(skipped))
    other = "d.themes_model IS NULL" + ("" if model is None else " OR d.themes_model != ?")
    sql = f"""
        SELECT d.doc_id FROM documents d WHERE {other}
        OR EXISTS (SELECT 1 FROM passages p WHERE p.doc_id = d.doc_id AND p.kind NOT IN ({marks})
                   AND NOT EXISTS (SELECT 1 FROM passage_themes t
                                   WHERE t.passage_id = p.passage_id))
        OR EXISTS (SELECT 1 FROM recommendations r WHERE r.doc_id = d.doc_id
                   AND NOT EXISTS (SELECT 1 FROM recommendation_themes t
                                   WHERE t.rec_id = r.rec_id))
        ORDER BY d.doc_id"""
    args = ([] if model is None else [model]) + skipped
    return [r[0] for r in catalog.db.execute(sql, args)]


def count_passages(catalog: Catalog, doc_ids: Sequence[int], skipped_kinds: Sequence[str]) -> int:
    """Return the number of passages of the documents that get theme scores."""
    total = 0
    skipped = list(skipped_kinds) or [""]
    for i in range(0, len(doc_ids), CHUNK):
        chunk = list(doc_ids[i : i + CHUNK])
        total += catalog.db.execute(
            f"SELECT count(*) FROM passages WHERE doc_id IN ({','.join('?' * len(chunk))}) "
            f"AND kind NOT IN ({','.join('?' * len(skipped))})",
            [*chunk, *skipped],
        ).fetchone()[0]
    return int(total)


def _views(catalog: Catalog, kind: str, ids: Sequence[str] | None) -> dict[str, ThemeView]:
    table, key = _TABLES[kind]
    sql = f"SELECT {key} AS item, theme, score, retained, review FROM {table}"
    rows = []
    if ids is None:
        rows = catalog.db.execute(sql).fetchall()
    else:
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            rows.extend(catalog.db.execute(f"{sql} WHERE {key} IN ({marks})", chunk).fetchall())
    grouped: dict[str, list[tuple[str, float, bool, bool]]] = {}
    for r in rows:
        grouped.setdefault(r["item"], []).append(
            (r["theme"], r["score"], bool(r["retained"]), bool(r["review"]))
        )
    out = {}
    for item, found in grouped.items():
        found.sort(key=lambda t: (-t[1], t[0]))
        out[item] = (
            {t: s for t, s, _, _ in found},
            tuple(t for t, _, kept, _ in found if kept),
            tuple(t for t, _, _, rev in found if rev),
        )
    return out


def themes_for_passages(catalog: Catalog, ids: Sequence[str] | None = None) -> dict[str, ThemeView]:
    """Return {passage id: (themes, labels, review)} for the given passages (all when None)."""
    return _views(catalog, "passage", ids)


def themes_for_recommendations(
    catalog: Catalog, ids: Sequence[str] | None = None
) -> dict[str, ThemeView]:
    """Return {rec id: (themes, labels, review)} for the given recommendations (all when None)."""
    return _views(catalog, "recommendation", ids)


T = TypeVar("T", Passage, Recommendation)


def _attach(items: Sequence[T], views: Mapping[str, ThemeView], key: str) -> list[T]:
    out = []
    for item in items:
        themes, labels, review = views.get(getattr(item, key), EMPTY)
        out.append(dataclasses.replace(item, themes=themes, labels=labels, review=review))
    return out


def with_passage_themes(catalog: Catalog, passages: Sequence[Passage]) -> list[Passage]:
    """Return the passages with their themes, labels and review fields filled from the catalog."""
    views = themes_for_passages(catalog, [p.passage_id for p in passages])
    return _attach(passages, views, "passage_id")


def with_recommendation_themes(
    catalog: Catalog, recommendations: Sequence[Recommendation]
) -> list[Recommendation]:
    """Return the recommendations with their themes, labels and review fields filled."""
    views = themes_for_recommendations(catalog, [r.rec_id for r in recommendations])
    return _attach(recommendations, views, "rec_id")


def recommendations_with_theme(
    catalog: Catalog, theme: str, doc_id: int | None = None
) -> list[Recommendation]:
    """Return the recommendations (with their themes) whose retained themes include theme."""
    rows = catalog.db.execute(
        "SELECT rec_id FROM recommendation_themes WHERE theme = ? AND retained = 1", (theme,)
    )
    keep = {r[0] for r in rows}
    found = [r for r in catalog.recommendations(doc_id=doc_id) if r.rec_id in keep]
    return with_recommendation_themes(catalog, found)


def known_themes(catalog: Catalog) -> list[str]:
    """Return the themes that have scores in the catalog, sorted."""
    rows = catalog.db.execute(
        "SELECT theme FROM passage_themes UNION SELECT theme FROM recommendation_themes"
    )
    return sorted(r[0] for r in rows)


def theme_counts(catalog: Catalog) -> dict[str, dict[str, int]]:
    """Return per theme the number of passages retained and of passages to review."""
    rows = catalog.db.execute(
        "SELECT theme, SUM(retained) AS retained, SUM(review) AS review "
        "FROM passage_themes GROUP BY theme ORDER BY theme"
    )
    return {r["theme"]: {"retained": int(r["retained"]), "review": int(r["review"])} for r in rows}


def get_setting(catalog: Catalog, key: str) -> str | None:
    """Return the value of a catalog setting, or None."""
    return catalog.setting(key)


def set_setting(catalog: Catalog, key: str, value: str) -> None:
    """Write a catalog setting."""
    with catalog.transaction() as db:
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))
