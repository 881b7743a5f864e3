"""Sequential against parallel ingestion, end to end, into a fresh data folder.

Run: .venv/bin/python benchmarks/workers.py [--corpus corpus/] [--workers N] [--ocr off|on]

Each configuration runs in a child process of its own (model, lexicon and fork server loaded
inside the time, as for a user's ``ceser ingest``) into an empty data folder and an empty
embedding cache: extraction, OCR (off, then on), storage, embedding, themes, coverage.
« séquentiel » reads the PDFs in the ingesting process, then embeds; « parallèle » reads
them in worker processes while the documents already stored are embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one(corpus: Path, workers: int, ocr: bool) -> dict[str, object]:
    """Ingest the corpus once into a fresh data folder; return what it took."""
    from ceser_explorer import Workspace

    pdfs = sorted(corpus.glob("*.pdf"))
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        with Workspace.open(home) as ws:
            report = ws.ingest(pdfs, workers=workers, ocr=ocr)
            stats = ws.catalog.stats()
        seconds = time.perf_counter() - start
    return {
        "workers": workers,
        "ocr": ocr,
        "seconds": round(seconds, 1),
        "documents": stats["documents"],
        "pages": stats["pages"],
        "ocr_pages": stats["ocr_pages"],
        "passages": stats["passages"],
        "embedded": report.derived.vectors.get("passages"),
        "failed": len(report.summary.failed),
    }


def main() -> None:
    from ceser_explorer.config import default_workers

    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--ocr", choices=("off", "on"), action="append", help="défaut : les deux")
    parser.add_argument("--one", nargs=2, metavar=("WORKERS", "OCR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.corpus, int(args.one[0]), args.one[1] == "on")))
        return
    env = {k: v for k, v in os.environ.items() if k != "CESER_EMBEDDING_CACHE"}
    print(f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f} au départ")
    print("| OCR | lecture | processus de lecture | secondes | pages | passages |")
    print("|---|---|---|---|---|---|")
    for ocr in args.ocr or ("off", "on"):
        for workers in (0, args.workers):
            cmd = [sys.executable, __file__, "--corpus", str(args.corpus)]
            cmd += ["--one", str(workers), ocr]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            mode = "séquentielle" if workers == 0 else "parallèle"
            print(
                f"| {'oui' if ocr == 'on' else 'non'} | {mode} | {workers or '—'} | "
                f"{r['seconds']} | {r['pages']} ({r['ocr_pages']} OCR) | {r['passages']} |",
                flush=True,
            )
    print(f"charge {os.getloadavg()[0]:.1f} à la fin")


if __name__ == "__main__":
    main()
