"""Check the paraphrase pairs written for the variety tuning half (one JSONL file per document).

Each line: {"doc": "<bank id>", "anchor": "<exact substring of one paragraph's text>",
"query": "<a councillor's question or request, reworded>"}. A pair is valid when its document
is in the tuning half, its anchor is found in exactly one paragraph of the document's bank
file, and the query shares no content word (stem of ``ceser_explorer.analysis``, figures
aside) with that paragraph nor with its section heading.

Usage: python corpus/variety/paraphrases/check.py [FILE.jsonl ...]   (default: all)
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from ceser_explorer import analysis

HERE = Path(__file__).resolve().parent
BANK = HERE.parent / "bank"


def tune_docs() -> set[str]:
    split = tomllib.loads((HERE.parent / "split.toml").read_text(encoding="utf-8"))
    return {name for name, half in split.items() if half == "tune"}


def paragraphs(doc: str) -> list[tuple[str, str]]:
    """(heading, text) of every passage of a bank document: section paragraphs under their
    heading, recommendations (action and detail) and plan measures (title and text) whole."""
    data = tomllib.loads((BANK / f"{doc}.toml").read_text(encoding="utf-8"))
    out = []
    for section in data.get("sections", []):
        for p in section.get("paragraphs", []):
            out.append((section.get("heading", ""), p["text"]))
    for r in data.get("recommendations", []):
        out.append(("", f"{r.get('action', '')} {r.get('detail', '')}"))
    for m in data.get("measures", []):
        out.append((m.get("title", ""), m.get("text", "")))
    return out


def stems(text: str) -> set[str]:
    return {t for t in analysis.analyze(text, "stem") if not t.isdigit()}


def check(path: Path, allowed: set[str]) -> list[str]:
    problems = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        pair = json.loads(line)
        where = f"{path.name}:{n}"
        if pair.get("doc") not in allowed:
            problems.append(f"{where}: {pair.get('doc')} is not a tuning-half document")
            continue
        found = [(h, t) for h, t in paragraphs(pair["doc"]) if pair["anchor"] in t]
        if len(found) != 1:
            problems.append(f"{where}: anchor found in {len(found)} paragraphs")
            continue
        heading, text = found[0]
        shared = stems(pair["query"]) & (stems(text) | stems(heading))
        if shared:
            problems.append(f"{where}: shares {sorted(shared)} with its paragraph or heading")
    return problems


def main() -> None:
    allowed = tune_docs()
    files = [Path(a) for a in sys.argv[1:]] or sorted(HERE.glob("*.jsonl"))
    problems = [p for f in files for p in check(f, allowed)]
    print("\n".join(problems) or f"{len(files)} file(s): every pair is valid")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
