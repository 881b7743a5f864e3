"""Scanned pages of the tune half's shadows: build them, and score OCR on them alone.

Run: .venv/bin/python benchmarks/variety_scans.py build SHADOW OUT [--every 3]
         [--pages weight|corpus|all|last] [--configs usual|every]
     .venv/bin/python benchmarks/variety_scans.py score TRUTH [--ids a,b] [--json FILE]

The shadows (corpus/variety/shadow.py) lay out the tune half again, but scan no page; the
tune half itself has two documents with scanned pages. ``build`` copies every ``every``-th
document of a shadow and turns one or two of its pages into scans with the generator's own
scanner (corpus/variety/produce/scan.py), cycling through resolutions (150, 200, 300 dpi),
grey and bilevel images, and no / good / garbled scanner text layers, one page in six turned
by 90°. The truth is the shadow's (the text is the same), with the scanned pages named.
``--pages`` picks other pages: ``corpus`` draws them as the corpus generator does
(corpus/variety/build.py scan_choice: one to three pages after the cover, any of them, the
last included; one page grey at 150 dpi, more bilevel at 200 or 300 dpi), ``all`` scans
every page after the cover (a running head then repeats on scanned pages only), ``last``
the last page alone. ``--configs every`` cycles through the combinations the default list
leaves out too (bilevel with a garbled layer, 300 dpi bilevel with a good one).

``score`` reads only the tune-half documents with scanned pages (OCR on) and prints the
variety table (benchmarks/variety.py) then the figures of the scanned pages alone: paragraphs
of those pages whole, words not in the source in passages that lie on them, recommendations
of those pages found and with the right number.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import variety  # noqa: E402
import variety_metrics as vm  # noqa: E402

# (dpi, mode, scanner text layer): the generator's combinations and the ones it does not draw
CONFIGS = (
    (150, "grey", "bad"),
    (200, "grey", "none"),
    (300, "bilevel", "none"),
    (150, "grey", "none"),
    (200, "bilevel", "good"),
    (200, "grey", "bad"),
    (150, "grey", "good"),
    (300, "grey", "bad"),
    (200, "bilevel", "none"),
)
# what CONFIGS does not draw, cycled too with --configs every
MORE_CONFIGS = (
    (300, "bilevel", "good"),
    (200, "bilevel", "bad"),
    (300, "bilevel", "bad"),
    (150, "bilevel", "none"),
)


def _pages_to_scan(truth: dict, k: int) -> list[int]:
    """One page (two every other document) after the cover: those with the most
    recommendations, then the most body text."""
    weight: dict[int, tuple[int, int]] = {}
    for n in range(2, truth["pages"] + 1):
        recs = sum(1 for r in truth.get("recommendations", []) if r.get("page") == n)
        text = sum(len(p["text"]) for p in truth["paragraphs"] if p.get("page") == n)
        weight[n] = (recs, text)
    ranked = sorted(weight, key=lambda n: weight[n], reverse=True)
    return sorted(ranked[: 1 + k % 2])


def _choice(truth: dict, k: int, which: str, configs: tuple) -> tuple:
    """(pages, rotated, dpi, mode, layer) of the k-th document, or None to leave it out."""
    dpi, mode, layer = configs[k % len(configs)]
    n = truth["pages"]
    if which == "corpus":
        from corpus.variety.build import scan_choice

        # the generator's draw, seeded by the shadow's id; a page turned in one in six
        pages, _, dpi, mode, layer = scan_choice(truth["id"], n, k)
        if not pages:
            return None
        return pages, [pages[-1]] if k % 6 == 5 else [], dpi, mode, layer
    if which == "all":
        pages = list(range(2, n + 1))
    elif which == "last":
        pages = [n]
    else:
        pages = _pages_to_scan(truth, k)
    if which != "weight" and (n < 2 or not pages):
        return None
    rotated = [pages[-1]] if k % 6 == 5 else []
    return pages, rotated, dpi, mode, layer


def build(
    shadow: Path, out: Path, every: int, which: str = "weight", configs: str = "usual"
) -> None:
    from corpus.variety.produce.scan import scan_pages

    (out / "pdf").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    files = sorted((shadow / "truth").glob("*.json"))[::every]
    drawn = CONFIGS + MORE_CONFIGS if configs == "every" else CONFIGS
    for k, f in enumerate(files):
        truth = json.loads(f.read_text("utf-8"))
        choice = _choice(truth, k, which, drawn)
        if choice is None:
            continue
        pages, rotated, dpi, mode, layer = choice
        pdf = out / truth["file"]
        shutil.copyfile(shadow / truth["file"], pdf)
        scan_pages(pdf, pages, rotated, dpi, truth["id"], mode, layer)
        truth["scanned_pages"], truth["rotated_pages"] = pages, rotated
        truth["style"].update(
            scanned_pages=pages,
            rotated_pages=rotated,
            scan_dpi=dpi,
            scan_mode=mode,
            scan_ocr=layer,
        )
        (out / "truth" / f.name).write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), "utf-8"
        )
        print(
            f"{truth['id']:34s} {truth['producer']:11s} pages {pages} turned {rotated} "
            f"{dpi} dpi {mode} layer {layer}"
        )


def ocr_scores(truth: dict, got: variety.Extraction) -> dict[str, int]:
    """Counts of the scanned pages alone."""
    scanned = set(truth.get("scanned_pages") or [])
    on_scans = [p for p in truth["paragraphs"] if p.get("page") in scanned]
    texts = [t for t, _ in got.passages]
    whole, whole_of = vm.paragraphs_whole(vm.whole_candidates(on_scans), texts)
    there = [t for t, pages in got.passages if scanned & set(pages)]
    foreign, words = vm.foreign_words(variety.source_texts(truth), there)
    truth_recs = [(r.get("number"), r["text"]) for r in truth.get("recommendations", [])]
    pairs, _ = vm.match_recommendations(truth_recs, list(got.recommendations))
    on_page = {
        i for i, r in enumerate(truth.get("recommendations", [])) if r.get("page") in scanned
    }
    matched = [(i, j) for i, j in pairs if i in on_page]
    wrong = sum(1 for i, j in matched if truth_recs[i][0] != got.recommendations[j][0])
    return {
        "pages": len(scanned),
        "whole": whole,
        "whole_of": whole_of,
        "foreign": foreign,
        "words": words,
        "recs": len(on_page),
        "recs_found": len(matched),
        "recs_wrong": wrong,
    }


def score(truth_dir: Path, ids: set[str] | None, out_json: Path | None) -> None:
    items = [
        (pdf, t)
        for pdf, t in variety.load_truths(truth_dir, "tune", None)
        if t.get("scanned_pages") and (not ids or t["id"] in ids)
    ]
    if not items:
        raise SystemExit(f"Aucun document à pages scannées dans {truth_dir}.")
    rows = []
    total: dict[str, int] = {}

    def scanned_pages(truth: dict, ours: variety.Extraction) -> None:
        counts = ocr_scores(truth, ours)
        for key, v in counts.items():
            total[key] = total.get(key, 0) + v
        st = truth["style"]
        rows.append(
            {
                "id": truth["id"],
                "scan": f"{st['scan_dpi']} {st['scan_mode']} {st['scan_ocr']}",
                **counts,
            }
        )

    report = variety.run(items, True, each=scanned_pages)
    print(variety.table(report))
    print("\nscanned pages alone")
    print(f"{'document':34s} {'scan':20s} pages  whole    foreign     recs (found, wrong no.)")
    for r in [*rows, {"id": "all", "scan": "", **total}]:
        print(
            f"{r['id']:34s} {r['scan']:20s} {r['pages']:5d}  {r['whole']:3d}/{r['whole_of']:<3d}"
            f"  {r['foreign']:4d}/{r['words']:<5d}  {r['recs']:3d} ({r['recs_found']}, "
            f"{r['recs_wrong']})"
        )
    t = total
    print(
        f"\nscanned pages: whole {100 * t['whole'] / max(t['whole_of'], 1):.1f} % "
        f"foreign {100 * t['foreign'] / max(t['words'], 1):.2f} % "
        f"recommendations found {t['recs_found']}/{t['recs']}, wrong numbers {t['recs_wrong']}"
    )
    if out_json:
        out_json.write_text(
            json.dumps(
                {"report": report, "scans": rows, "total": total}, ensure_ascii=False, indent=1
            ),
            "utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="scan pages of a shadow's documents")
    b.add_argument("shadow", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("--every", type=int, default=3)
    b.add_argument(
        "--pages",
        choices=("weight", "corpus", "all", "last"),
        default="weight",
        help="which pages to scan (default: the heaviest one or two after the cover)",
    )
    b.add_argument(
        "--configs",
        choices=("usual", "every"),
        default="usual",
        help="every: also the scan settings CONFIGS leaves out",
    )
    s = sub.add_parser("score", help="read the documents with scanned pages, OCR on")
    s.add_argument("truth", type=Path)
    s.add_argument("--ids", help="only these ids (comma-separated)")
    s.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "build":
        build(args.shadow, args.out, args.every, args.pages, args.configs)
    else:
        score(args.truth, set(args.ids.split(",")) if args.ids else None, args.json)


if __name__ == "__main__":
    main()
