"""Coverage stored in the catalog: computed once after ingest, read back by ``ceser coverage``
and the Préconisations page without loading the model.

A stored row is valid while the key of its computation (embedder, threshold, floor and the
plans of the catalog with their sha256) is the current one and its avis is unchanged (the
sha256 of the avis is stored beside it; a re-ingested avis also drops its rows by cascade).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..catalog import Catalog
from ..models import Recommendation
from .tracer import FLOOR, CoverageRow, Match


def coverage_key(catalog: Catalog, embedder: str, threshold: float) -> str:
    """Return the key of a coverage computation: what it depends on besides the avis."""
    plans = sorted((d.file, d.sha256) for d in catalog.documents() if d.kind == "plan")
    return json.dumps(
        {"embedder": embedder, "threshold": threshold, "floor": FLOOR, "plans": plans},
        sort_keys=True,
    )


def save_coverage(catalog: Catalog, key: str, rows: Sequence[CoverageRow]) -> int:
    """Store the rows (replacing those of the same préconisations); return how many."""
    shas = {d.doc_id: d.sha256 for d in catalog.documents()}
    with catalog.transaction() as db:
        for r in rows:
            rec, best = r.recommendation, r.best
            data = {
                "best": best.to_dict() if best else None,
                "covered": r.covered,
                "matches": [m.to_dict() for m in r.matches],
                "plans": list(r.plans),
            }
            db.execute(
                "INSERT OR REPLACE INTO coverage VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.rec_id,
                    shas.get(rec.doc_id, ""),
                    r.status,
                    best.id if best else None,
                    best.score if best else None,
                    json.dumps(data, ensure_ascii=False),
                    key,
                ),
            )
    return len(rows)


def load_coverage(
    catalog: Catalog, key: str, recs: Sequence[Recommendation]
) -> list[CoverageRow] | None:
    """Return the stored rows of recs, or None when one is missing or stale."""
    stored = {
        rec_id: (status, row)
        for rec_id, status, row in catalog.db.execute(
            "SELECT c.rec_id, c.status, c.row FROM coverage c "
            "JOIN recommendations r USING (rec_id) JOIN documents d ON d.doc_id = r.doc_id "
            "WHERE c.computed_with = ? AND c.avis_sha256 = d.sha256",
            (key,),
        )
    }
    out = []
    for rec in recs:
        found = stored.get(rec.rec_id)
        if found is None:
            return None
        status, row = found
        data = json.loads(row)
        best = Match.from_dict(data["best"]) if data["best"] else None
        matches = tuple(Match.from_dict(m) for m in data["matches"])
        out.append(
            CoverageRow(rec, best, bool(data["covered"]), matches, status, tuple(data["plans"]))
        )
    return out


def stale_avis(catalog: Catalog, key: str) -> list[str]:
    """Return the files of the avis with a préconisation whose stored coverage is missing or
    stale (one query: ``ceser status`` and every ingest ask)."""
    rows = catalog.db.execute(
        "SELECT d.file FROM documents d WHERE d.kind = 'avis' AND EXISTS ("
        " SELECT 1 FROM recommendations r WHERE r.doc_id = d.doc_id AND NOT EXISTS ("
        "  SELECT 1 FROM coverage c WHERE c.rec_id = r.rec_id AND c.computed_with = ?"
        "  AND c.avis_sha256 = d.sha256)) ORDER BY d.path",
        (key,),
    )
    return [r[0] for r in rows]
