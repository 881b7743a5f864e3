"""Learning curve of the theme model over labelled documents (cross-validation only).

A study, not a benchmark: it refits the classifier's own cross-validation from its inner
modules, so it lives in studies/ (benchmarks/ call only what users call:
tests/test_architecture.py).

Does the theme model get better on documents it never saw when it is trained on more
documents? The passages scored are always the same: those of the 22 documents of the variety
corpus's tuning half (``data/labels/variety-tune.jsonl``), each out of fold. The folds are
``classify.model.folds`` over our passages and those documents (a document's passages all in
one fold), as in ``model.fit``. What changes is how many documents training may use:

- ``tune k``: only k of the 22 tuning documents (drawn at random, the same draw for every
  fold) may train; a fold trains on those of them it does not hold out (about 4/5 of k), and
  on our passages written alone outside the fold;
- ``extra m`` (with ``--extra FILE``): every tuning document outside the fold, plus m of the
  documents of FILE (labelled whole documents written for training, ``train-docs.jsonl``),
  which are never in a tuning fold; their own passages are scored out of fold separately
  (their documents dealt to the folds with the others);
- ``--no-ours``: our passages written alone do not train (the documents alone).

Same recipe as ``model.fit``: C 2, [vector ×2 ‖ TF-IDF], a document passage weighted 2, the
document blend 0.4 (``theme_model.blend_documents``), thresholds chosen on the scored
passages' out-of-fold scores (``model.select_thresholds``). The variety test half is never
read.

Usage (embeddings through the cache, e.g. ``CESER_EMBEDDING_CACHE=/tmp/x.sqlite``)::

    PYTHONPATH=. .venv/bin/python studies/theme_curve.py --k 0 6 11 16 22 --draws 5
    PYTHONPATH=. .venv/bin/python studies/theme_curve.py --extra \
        ceser_explorer/data/labels/train-docs.jsonl --m 0 15 --draws 5
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ceser_explorer import resources
from ceser_explorer.classify import features, model
from ceser_explorer.classify.taxonomy import (
    DEFAULT_TAXONOMY,
    LabelledPassage,
    load_label_sets,
    load_taxonomy,
)
from ceser_explorer.classify.theme_model import blend_documents
from ceser_explorer.config import Limits
from ceser_explorer.index.embedders import DEFAULT_EMBEDDER, get_embedder

# the stems of a text do not change from fold to fold: computed once (same features)
features.lexical_terms = functools.lru_cache(maxsize=None)(features.lexical_terms)


def load(extra: Sequence[str]) -> tuple[list[LabelledPassage], np.ndarray, list[str]]:
    """Return the train-split passages (ours, the tuning half, then the extra files), their
    vectors as the model computes them, and the theme keys."""
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    base = [p for p in load_label_sets(resources.PACKAGED_LABELS, tax) if p.split == "train"]
    more = []
    for path in extra:
        more += [p for p in load_label_sets(path, tax) if p.split == "train"]
    passages = base + more
    cache = os.environ.get("CESER_EMBEDDING_CACHE")
    if not cache:
        sys.exit("CESER_EMBEDDING_CACHE must name an embedding cache (a copy of one)")
    vectors = features.embed_passages(
        get_embedder(DEFAULT_EMBEDDER),
        [p.text for p in passages],
        [p.section for p in passages],
        cache,
        None,
        model.Params().context,
        Limits.from_env().embed_chars,
    )
    return passages, vectors, list(tax.keys)


def run(
    passages: list[LabelledPassage],
    vectors: np.ndarray,
    keys: list[str],
    seed: int,
    tune_docs: set[str],
    extra_docs: set[str],
    blend: float,
    c: float,
    ours: bool = True,
) -> dict[str, np.ndarray]:
    """Return out-of-fold scores of the tuning passages (training: ours, the tuning documents
    in tune_docs, every extra document in extra_docs) and of the extra passages."""
    params = model.Params(seed=seed)
    y = model.label_matrix(passages, keys)
    is_extra = np.array([p.id.startswith("D:") for p in passages])
    # the folds of the passages without the extra documents: the same as without --extra
    base_rows = np.flatnonzero(~is_extra)
    base = [passages[i] for i in base_rows]
    groups = [p.doc for p in passages]
    oof = np.zeros(y.shape)
    for held in model.folds(base, params.folds, seed):
        held_rows = base_rows[held]
        fit_rows = np.array(
            [
                i
                for i in np.setdiff1d(base_rows, held_rows)
                if (ours and not passages[i].doc) or passages[i].doc in tune_docs
            ]
            + [i for i in np.flatnonzero(is_extra) if passages[i].doc in extra_docs],
            dtype=np.int64,
        )
        oof[held_rows] = model.fold_scores(passages, vectors, y, fit_rows, held_rows, params, c)
    if is_extra.any():
        # the extra documents' own passages: their documents dealt to folds (all extra
        # documents outside the fold train, with ours and the tuning half)
        extra_rows = np.flatnonzero(is_extra)
        sub = [passages[i] for i in extra_rows]
        for held in model.folds(sub, params.folds, seed):
            held_rows = extra_rows[held]
            fit_rows = np.setdiff1d(np.arange(len(passages)), held_rows)
            oof[held_rows] = model.fold_scores(passages, vectors, y, fit_rows, held_rows, params, c)
    blended = blend_documents(oof, groups, blend)
    return {"raw": oof, "blended": blended, "y": y}


def scores_on(rows: np.ndarray, scored: dict[str, np.ndarray], keys: list[str]) -> dict:
    """Return macro-F1 and per-theme F1 of rows, thresholds chosen on them (as model.fit)."""
    out = {}
    for kind in ("blended", "raw"):
        s, y = scored[kind][rows], scored["y"][rows]
        th = model.select_thresholds([str(i) for i in rows], s, y, keys)
        f1 = [model.f1_at(s[:, j], y[:, j], th[k]) for j, k in enumerate(keys)]
        out[kind] = {"macro": float(np.mean(f1)), "f1": dict(zip(keys, f1, strict=True))}
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k", type=int, nargs="*", default=[], help="tuning documents available")
    ap.add_argument("--extra", nargs="*", default=[], help="labelled documents (JSONL, D: ids)")
    ap.add_argument("--m", type=int, nargs="*", default=[], help="extra documents added")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--blend", type=float, default=0.4)
    ap.add_argument("--C", type=float, default=2.0)
    ap.add_argument("--no-ours", action="store_true", help="train without our passages")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    passages, vectors, keys = load(args.extra)
    tune = sorted({p.doc for p in passages if p.doc and not p.id.startswith("D:")})
    extra = sorted({p.doc for p in passages if p.id.startswith("D:")})
    tune_rows = np.flatnonzero([bool(p.doc) and not p.id.startswith("D:") for p in passages])
    extra_rows = np.flatnonzero([p.id.startswith("D:") for p in passages])
    print(
        f"{len(passages)} passages: {len(tune)} tuning documents ({len(tune_rows)} passages), "
        f"{len(extra)} extra documents ({len(extra_rows)} passages)",
        flush=True,
    )
    results = []
    plan = [("tune", k) for k in args.k] + [("extra", m) for m in args.m]
    for what, k in plan:
        for draw in range(args.draws):
            rng = np.random.default_rng(1000 + draw)
            if what == "tune":
                tune_docs = set(rng.choice(tune, size=min(k, len(tune)), replace=False))
                extra_docs: set[str] = set()
            else:
                tune_docs = set(tune)
                extra_docs = set(rng.choice(extra, size=min(k, len(extra)), replace=False))
            t0 = time.perf_counter()
            scored = run(
                passages,
                vectors,
                keys,
                draw,
                tune_docs,
                extra_docs,
                args.blend,
                args.C,
                not args.no_ours,
            )
            row = {"what": what, "k": k, "draw": draw, "tune": scores_on(tune_rows, scored, keys)}
            if len(extra_rows):
                row["extra"] = scores_on(extra_rows, scored, keys)
            results.append(row)
            t = row["tune"]["blended"]
            print(
                f"{what} {k:2d} draw {draw}: tune macro-F1 {t['macro']:.3f} "
                + " ".join(f"{key[:5]} {v:.3f}" for key, v in t["f1"].items())
                + f" (unblended {row['tune']['raw']['macro']:.3f})"
                + (f"; extra {row['extra']['blended']['macro']:.3f}" if "extra" in row else "")
                + f" [{time.perf_counter() - t0:.0f} s]",
                flush=True,
            )
    print("\nsummary (mean over draws, blended; unblended in brackets)")
    for what, k in plan:
        rows = [r for r in results if r["what"] == what and r["k"] == k]
        m = np.mean([r["tune"]["blended"]["macro"] for r in rows])
        per = {key: np.mean([r["tune"]["blended"]["f1"][key] for r in rows]) for key in keys}
        raw = np.mean([r["tune"]["raw"]["macro"] for r in rows])
        each = " / ".join(f"{r['tune']['blended']['macro']:.3f}" for r in rows)
        print(
            f"{what} {k:2d}: {m:.3f} ({raw:.3f}) "
            + " ".join(f"{key[:5]} {v:.3f}" for key, v in per.items())
            + f"  draws {each}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
