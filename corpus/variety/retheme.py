"""Copy the themes of the bank into the built truth files, without rendering the PDFs again.

Usage: python corpus/variety/retheme.py [--check]
Themes are written with the text in bank/<id>.toml and only reach truth/<id>.json (which
``ceser classify eval --set variety-*`` and ``make theme-model`` read) when a document is built.
A change of themes alone leaves the layout unchanged, so this plans each document again (same
seed, producer and slot as build.py), takes the themes of its printed passages and writes them
into the truth file in place: pages, positions and texts stay as they were built. --check
writes nothing and exits 1 when a truth file's themes differ from its bank.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root: corpus.variety is importable

from corpus.variety import build, plan, truth  # noqa: E402


def bank_themes(doc_id: str, producer: str, slot: tuple[int, int]) -> tuple[dict, dict]:
    """(role, text) -> themes of the printed passages, and text -> themes of the recommendations."""
    doc = plan.plan_file(build.BANK / f"{doc_id}.toml", producer, slot)
    passages: dict[tuple[str, str], list[str]] = {}
    recs: dict[str, list[str]] = {}
    for e in truth.entries(doc):
        passages[(e["role"], e["text"])] = list(e["themes"])
        for r in e.get("recs") or []:
            recs[r["text"]] = list(r["themes"])
    return passages, recs


def retheme(doc_id: str, slot: tuple[int, int], write: bool) -> int:
    """Update one truth file's themes from its bank; return how many themes lists changed."""
    path = build.TRUTH / f"{doc_id}.json"
    t: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    passages, recs = bank_themes(doc_id, t["producer"], slot)
    changed = 0
    for e in t["paragraphs"]:
        key = (e["role"], e["text"])
        if key not in passages:
            if e["themes"]:
                raise SystemExit(
                    f"{path}: « {e['text'][:60]} » absent du plan du bank ; "
                    f"reconstruisez ce document (build.py --only {doc_id})."
                )
            continue
        if e["themes"] != passages[key]:
            changed += 1
            e["themes"] = passages[key]
    for r in t["recommendations"]:
        if r["text"] in recs and r["themes"] != recs[r["text"]]:
            r["themes"] = recs[r["text"]]
    if changed and write:
        path.write_text(json.dumps(t, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 on a difference")
    args = ap.parse_args(argv)
    ids = build.bank_ids()
    slots = build.slots(ids)
    total = 0
    for doc_id in ids:
        if not (build.TRUTH / f"{doc_id}.json").is_file():
            continue
        n = retheme(doc_id, slots[doc_id], write=not args.check)
        if n:
            print(f"{doc_id:40s} {n} passages aux thèmes changés")
        total += n
    print(f"{total} passages aux thèmes changés" + (" (rien écrit)" if args.check else ""))
    return 1 if args.check and total else 0


if __name__ == "__main__":
    raise SystemExit(main())
