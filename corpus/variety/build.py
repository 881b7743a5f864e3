"""Build the variety corpus: bank/<id>.toml -> pdf/<id>.pdf + truth/<id>.json, and split.toml.

Usage: python corpus/variety/build.py [--only ID] [--producer P] [--force]
A document is skipped when its PDF is newer than its bank file and the generator, and its
truth names the same producer and split. Bank ids starting with "_" are never built.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root: corpus.variety is importable

from corpus.variety import plan, truth  # noqa: E402
from corpus.variety.produce import PRODUCERS  # noqa: E402
from corpus.variety.produce.scan import scan_pages  # noqa: E402

BANK, PDF, TRUTH = HERE / "bank", HERE / "pdf", HERE / "truth"
ORDER = ["reportlab", "fpdf2", "chromium", "libreoffice", "typst"]
SCAN_SHARE = 0.15


def bank_ids() -> list[str]:
    """Sorted ids of the publishable bank files."""
    return sorted(p.stem for p in BANK.glob("*.toml") if not p.stem.startswith("_"))


def assign(ids: list[str]) -> dict[str, str]:
    """Round-robin producer per sorted id."""
    return {i: ORDER[k % len(ORDER)] for k, i in enumerate(ids)}


def slots(ids: list[str]) -> dict[str, tuple[int, int]]:
    """(position, position among documents with recommendations labelled alike) per id."""
    out, seen = {}, {}
    for k, i in enumerate(ids):
        style = plan.rec_style_of(k)
        style = "labels" if style in ("heading_numbered", "box_numbered") else style
        has_recs = bool(plan.load_bank(BANK / f"{i}.toml").get("recommendations"))
        out[i] = (k, seen.get(style, 0))
        if has_recs:
            seen[style] = seen.get(style, 0) + 1
    return out


def splits(ids: list[str], producers: dict[str, str]) -> dict[str, str]:
    """tune/test alternating by seed within each (producer, kind) group."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i in ids:
        kind = plan.load_bank(BANK / f"{i}.toml")["kind"]
        groups.setdefault((producers[i], kind), []).append(i)
    out: dict[str, str] = {}
    flip = 0
    for key in sorted(groups):
        for i in sorted(groups[key], key=plan.seed_of):
            out[i] = "tune" if flip % 2 == 0 else "test"
            flip += 1
    return out


Scan = tuple[list[int], list[int], int, str, str]


def scanned(doc_id: str) -> bool:
    """~15 % of documents get scanned pages (seeded)."""
    return random.Random(plan.seed_of(doc_id) ^ 0x5CA9).random() < SCAN_SHARE


def scan_choice(doc_id: str, pages: int, k: int) -> Scan:
    """Scanned pages of the k-th scanned document: 1-3 pages (grey 150 dpi if one, else bilevel
    200/300 dpi), OCR layer none/good/bad in turn; the first one gets a page turned 90°."""
    rng = random.Random(plan.seed_of(doc_id) ^ 0x5CA9)
    if k < 0 or pages < 3:
        return [], [], 0, "", "none"
    rng.random()  # the draw that made it scanned
    chosen = sorted(rng.sample(range(2, pages + 1), min(rng.randint(1, 3), pages - 1)))
    rotated = [chosen[-1]] if k == 0 else []
    ocr = ["none", "good", "bad"][k % 3]
    if len(chosen) == 1:
        return chosen, rotated, 150, "grey", ocr
    return chosen, rotated, [200, 300][k % 2], "bilevel", ocr


def generator_mtime() -> float:
    """Newest modification time of the generator's code."""
    return max(p.stat().st_mtime for p in HERE.rglob("*.py"))


def fresh(doc_id: str, producer: str, split: str, gen: float) -> bool:
    """The built PDF and truth are up to date."""
    pdf, tj = PDF / f"{doc_id}.pdf", TRUTH / f"{doc_id}.json"
    if not pdf.exists() or not tj.exists():
        return False
    if pdf.stat().st_mtime < max(gen, (BANK / f"{doc_id}.toml").stat().st_mtime):
        return False
    old = json.loads(tj.read_text(encoding="utf-8"))
    return old.get("producer") == producer and old.get("split") == split


def build_one(doc_id: str, producer: str, split: str, scan_k: int,
              slot: tuple[int, int]) -> dict:
    """Render, locate, scan and write one document; returns its truth."""
    doc = plan.plan_file(BANK / f"{doc_id}.toml", producer, slot)
    render = PRODUCERS[producer]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{doc_id}.pdf"
        render(doc, out)
        items, pages = truth.locate(doc, out)
        if truth.toc_pages(doc, items):
            render(doc, out)
            items, pages = truth.locate(doc, out)
        scanned, rotated, dpi, mode, ocr = scan_choice(doc_id, pages, scan_k)
        if scanned:
            st = doc.style
            st.scanned_pages, st.rotated_pages, st.scan_dpi = scanned, rotated, dpi
            st.scan_mode, st.scan_ocr = mode, ocr
            scan_pages(out, scanned, rotated, dpi, doc_id, mode, ocr)
        PDF.mkdir(exist_ok=True)
        shutil.copyfile(out, PDF / f"{doc_id}.pdf")
    t = truth.truth(doc, items, pages, split, f"pdf/{doc_id}.pdf")
    TRUTH.mkdir(exist_ok=True)
    (TRUTH / f"{doc_id}.json").write_text(json.dumps(t, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    return t


def write_split(split: dict[str, str]) -> None:
    """split.toml: id = "tune" | "test"."""
    lines = ["# tune/test half of each variety document (build.py: by seed, per producer and kind)"]
    lines += [f'"{i}" = "{s}"' for i, s in sorted(split.items())]
    (HERE / "split.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build what is stale; print one line per document."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", default=[], help="build only this id (repeatable)")
    ap.add_argument("--producer", help="build only the documents of this producer")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = ap.parse_args(argv)
    ids = bank_ids()
    producers = assign(ids)
    split = splits(ids, producers)
    slot = slots(ids)
    write_split(split)
    scan_k = {i: k for k, i in enumerate(i for i in ids if scanned(i))}
    gen, failed = generator_mtime(), 0
    for i in ids:
        if (args.only and i not in args.only) or (args.producer and producers[i] != args.producer):
            continue
        if not args.force and fresh(i, producers[i], split[i], gen):
            continue
        t0 = time.time()
        try:
            t = build_one(i, producers[i], split[i], scan_k.get(i, -1), slot[i])
        except Exception as exc:  # one producer's failure must not stop the others
            failed += 1
            print(f"FAILED {i} ({producers[i]}): {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        size = (PDF / f"{i}.pdf").stat().st_size // 1024
        print(f"{i:40s} {producers[i]:11s} {split[i]:4s} {t['pages']:2d} p {size:4d} KB "
              f"scans {t['scanned_pages']} not located {t['not_located']} "
              f"({time.time() - t0:.1f} s)")
    for stale in set(p.stem for p in PDF.glob("*.pdf")) - set(ids):
        print(f"note: pdf/{stale}.pdf has no bank file", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
