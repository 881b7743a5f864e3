"""Themes of the variety corpus by three readings: the bank's and two blind readings.

Usage: python corpus/variety/readings.py [--write]

Each half's labelled passages (``ceser classify eval --set variety-*``) were read again by two
readers who saw the text, its section and its document's title, never the bank's themes nor
each other's (``readings/<half>-<reader>.jsonl``: id and labels, by the rules of
``ceser_explorer/data/labels/GUIDELINES.md``). A passage has a theme when at least two of the
three readings give it.

It prints the agreement of each reading with the others (F1 per theme: two label sets are
compared, neither is the truth). With --write it writes the majority into the bank
(``bank/<id>.toml``, the themes line of the paragraph, recommendation or measure the passage
prints) and copies it into the truth files (``retheme.py``): the experiment of docs/themes.md
(« Septième tour »), not the corpus's labels, which stay those written with the text (issue 15).
A passage the bank does not hold alone (two recommendations printed in one paragraph, a line
the generator writes) keeps the bank's themes.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tomllib
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root

from ceser_explorer.classify.variety import HALVES, label_rows  # noqa: E402
from corpus.variety import build, retheme  # noqa: E402

READINGS = HERE / "readings"
THEMES = ("formation", "emploi", "recherche", "innovation")
ITEM_KEYS = ("text", "detail")  # the line of a bank item that its printed passage holds whole
MIN_RATIO = 0.9


def readings(half: str) -> dict[str, dict[str, list[str]]]:
    """reader -> passage id -> labels, for the readings of one half."""
    out = {}
    for path in sorted(READINGS.glob(f"{half}-*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        out[path.stem.split("-", 1)[1]] = {r["id"]: list(r["labels"]) for r in rows}
    return out


def majority(bank: list[str], others: list[list[str]]) -> list[str]:
    """The themes at least two of the three readings give, in the taxonomy's order."""
    votes = [set(bank), *map(set, others)]
    return [t for t in THEMES if sum(t in v for v in votes) >= 2]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower()
    return re.sub(r"[^\w']+", " ", text).strip()


def _items(path: Path) -> list[tuple[int, str]]:
    """(line number of the themes line, normalised text) of each item of a bank file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, pending = [], None
    for n, line in enumerate(lines):
        key = line.strip().split(" = ", 1)[0]
        if key in ITEM_KEYS:
            pending = _norm(str(tomllib.loads(line.strip())[key]))
        elif key == "themes" and pending is not None:
            out.append((n, pending))
            pending = None
    return out


def _locate(items: list[tuple[int, str]], text: str) -> int | None:
    """The themes line of the one item whose text the passage holds, or None."""
    passage = _norm(text)
    found = []
    for line_no, item in items:
        if (item and item in passage) or (
            len(passage) < 2 * len(item)
            and difflib.SequenceMatcher(
                None,
                item,
                passage[-len(item) :] if len(passage) > len(item) else passage,
                autojunk=False,
            ).ratio()
            >= MIN_RATIO
        ):
            found.append(line_no)
    if len(found) != 1:
        return None
    return found[0]


def plan(half: str) -> tuple[dict[str, dict[int, list[str]]], int, int]:
    """bank file -> themes line -> majority themes where they differ; passages held, left."""
    reads = readings(half)
    if len(reads) != 2:
        raise SystemExit(
            f"{READINGS} : deux lectures de la moitié {half} attendues, {len(reads)} trouvées"
        )
    changes: dict[str, dict[int, list[str]]] = {}
    held = left = 0
    items_of: dict[str, list[tuple[int, str]]] = {}
    for row in label_rows(half):
        doc = row["doc"]
        if doc not in items_of:
            items_of[doc] = _items(build.BANK / f"{doc}.toml")
        new = majority(row["labels"], [r[row["id"]] for r in reads.values()])
        at = _locate(items_of[doc], row["text"])
        if at is None:
            left += set(new) != set(row["labels"])
            continue
        held += 1
        if set(new) != set(row["labels"]):
            changes.setdefault(doc, {})[at] = new
    return changes, held, left


def write(changes: dict[str, dict[int, list[str]]]) -> None:
    for doc, lines_to in changes.items():
        path = build.BANK / f"{doc}.toml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for n, themes in lines_to.items():
            indent = lines[n][: len(lines[n]) - len(lines[n].lstrip())]
            lines[n] = f"{indent}themes = {json.dumps(themes, ensure_ascii=False)}\n"
        path.write_text("".join(lines), encoding="utf-8")


def f1(reference: dict[str, list[str]], other: dict[str, list[str]]) -> dict[str, float]:
    out = {}
    for t in THEMES:
        tp = sum(t in reference[i] and t in other[i] for i in reference)
        wrong = sum((t in reference[i]) != (t in other[i]) for i in reference)
        out[t] = 2 * tp / (2 * tp + wrong) if tp + wrong else 1.0
    out["macro"] = sum(out[t] for t in THEMES) / len(THEMES)
    return out


def agreement(half: str) -> None:
    bank = {r["id"]: r["labels"] for r in label_rows(half)}
    all_ = {"bank": bank, **readings(half)}
    names = list(all_)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            scores = f1(all_[a], all_[b])
            print(f"{half}: {a} / {b}: " + " ".join(f"{k} {v:.3f}" for k, v in scores.items()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--write",
        action="store_true",
        help="write the majority into the bank and the truth files (not the labels kept)",
    )
    args = ap.parse_args()
    for half in HALVES:
        agreement(half)
    if not args.write:
        return 0
    for half in HALVES:
        changes, held, left = plan(half)
        write(changes)
        print(
            f"{half}: {held} passages held by one bank item, "
            f"{sum(len(v) for v in changes.values())} changed; {left} left as the bank has them"
        )
    return retheme.main([])


if __name__ == "__main__":
    sys.exit(main())
