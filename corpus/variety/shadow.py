"""Build a shadow of the TUNE half: its bank documents laid out again under other ids.

Usage: python corpus/variety/shadow.py [--variants 2] [--first 1] [--producer fpdf2,typst]
                                        [--out DIR]
Then:  python benchmarks/variety.py --truth DIR/truth --split tune [--only fpdf2]

The tune half has 22 documents: a rule can fit them without holding for the axis they stand
for (the test half then does not move). A new id gives a new seed, so the same text comes out
with another house style (columns, heads, hyphens, recommendation style and label, subject
and verb of inline advice, cover wording) and, in turn, another producer. More material to
choose rules on, none of it from the test half. Nothing here is committed: the output goes to
build/variety-shadow/ by default (pdf/ and truth/ side by side, as the benchmark reads them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # the repository root: corpus.variety is importable

from corpus.variety import plan, truth  # noqa: E402
from corpus.variety.produce import PRODUCERS  # noqa: E402

ORDER = ["reportlab", "fpdf2", "chromium", "libreoffice", "typst"]


def build_one(bank: dict, producer: str, out: Path) -> dict:
    """Lay out one bank document with one producer into out/pdf; return its truth."""
    doc = plan.make_document(bank, producer, None)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "x.pdf"
        PRODUCERS[producer](doc, pdf)
        items, pages = truth.locate(doc, pdf)
        if truth.toc_pages(doc, items):  # the sommaire's page numbers, now known
            PRODUCERS[producer](doc, pdf)
            items, pages = truth.locate(doc, pdf)
        shutil.copyfile(pdf, out / "pdf" / f"{bank['id']}.pdf")
    found = truth.truth(doc, items, pages, "tune", f"pdf/{bank['id']}.pdf")
    found["producer"] = producer
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=2, help="layouts per tune document")
    parser.add_argument(
        "--first", type=int, default=1,
        help="number of the first variant (--first 4 --variants 3 gives ~4 to ~6: another shadow)",
    )
    parser.add_argument("--producer", help="only these producers (comma-separated)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "variety-shadow")
    args = parser.parse_args()
    only = set(args.producer.split(",")) if args.producer else None
    (args.out / "pdf").mkdir(parents=True, exist_ok=True)
    (args.out / "truth").mkdir(exist_ok=True)
    split = tomllib.loads((HERE / "split.toml").read_text("utf-8"))
    tune = sorted(i for i, half in split.items() if half == "tune")
    k = 0
    for v in range(args.first, args.first + args.variants):
        for doc_id in tune:
            producer = ORDER[(k + v) % len(ORDER)]
            k += 1
            new = f"{doc_id}~{v}"
            target = args.out / "truth" / f"{new}.json"
            if (only and producer not in only) or target.exists():
                continue
            bank = dict(plan.load_bank(HERE / "bank" / f"{doc_id}.toml"), id=new)
            start = time.monotonic()
            try:
                found = build_one(bank, producer, args.out)
            except Exception as e:  # one layout that fails must not stop the others
                print(f"ÉCHEC {new} ({producer}) : {type(e).__name__}: {e}", flush=True)
                continue
            target.write_text(json.dumps(found, ensure_ascii=False, indent=1), "utf-8")
            print(f"{new} ({producer}) {found['pages']} p. {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
