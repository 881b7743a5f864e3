"""Check the paraphrase pairs written for the variety tuning half (one JSONL file per document).

Each line: {"doc": "<bank id>", "anchor": "<exact substring of one paragraph's text>",
"query": "<a councillor's question or request, reworded>"}. A pair is valid when its document
is in the tuning half (its bank file) or one of our six sample documents (its source in
corpus/src, where a passage that a query of our set judges relevant is refused), its anchor is
found in exactly one paragraph, and the query shares no content word (stem of
``ceser_explorer.analysis``, figures aside) with that paragraph nor with its section heading.

Usage: python corpus/variety/paraphrases/check.py [FILE.jsonl ...]   (default: all)
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

from ceser_explorer import analysis

HERE = Path(__file__).resolve().parent
BANK = HERE.parent / "bank"


def tune_docs() -> set[str]:
    split = tomllib.loads((HERE.parent / "split.toml").read_text(encoding="utf-8"))
    return {name for name, half in split.items() if half == "tune"}


@cache
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


SOURCES = HERE.parents[1] / "src"  # our six sample documents, as written
OURS = ("avis_budget", "avis_cprdfop", "avis_ia_generative", "avis_transport",
        "plan_ia_occitanie", "sresri")  # fmt: skip
MARKUP = re.compile(r"\*\*|(?<!\w)\*|\*(?!\w)|\[\^\d+\]")


@cache
def source_paragraphs(doc: str) -> list[tuple[str, str]]:
    """(heading, text) of every paragraph and list item of one of our sample documents
    (corpus/src/<doc>.md: front matter, tables, footnotes and box markers left out)."""
    text = (SOURCES / f"{doc}.md").read_text(encoding="utf-8")
    body = text.split("+++", 2)[2] if text.startswith("+++") else text
    out: list[tuple[str, str]] = []
    heading, block = "", []

    def flush() -> None:
        if block:
            out.append((heading, MARKUP.sub("", " ".join(block))))
            block.clear()

    for line in body.splitlines():
        bare = line.strip()
        if not bare or bare.startswith((":::", "|", "[^")):
            flush()
        elif bare.startswith("#"):
            flush()
            heading = bare.lstrip("#").strip()
        elif bare.startswith("- "):
            flush()
            block.append(bare[2:])
            flush()
        else:
            block.append(bare)
    flush()
    return out


@cache
def judged(doc: str) -> frozenset[int]:
    """Indexes of the passages that a query of our packaged set judges relevant (left out, so
    that no pair writes the answer of a query)."""
    from ceser_explorer.search.evaluation import anchor_matches

    queries = HERE.parents[2] / "ceser_explorer" / "data" / "queries.jsonl"
    texts = [(str(i), t) for i, (_, t) in enumerate(source_paragraphs(doc))]
    out: set[int] = set()
    for line in queries.read_text(encoding="utf-8").splitlines():
        for r in json.loads(line)["relevant"] if line.strip() else []:
            if r["file"] == f"{doc}.pdf":
                out |= {int(i) for i in anchor_matches(r["anchor"], texts)}
    return frozenset(out)


def stems(text: str) -> set[str]:
    return {t for t in analysis.analyze(text, "stem") if not t.isdigit()}


def check(path: Path, allowed: set[str]) -> list[str]:
    problems = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        pair = json.loads(line)
        where = f"{path.name}:{n}"
        doc = pair.get("doc")
        if doc not in allowed and doc not in OURS:
            problems.append(f"{where}: {doc} is neither a tuning-half document nor one of ours")
            continue
        passages = paragraphs(doc) if doc in allowed else source_paragraphs(doc)
        found = [i for i, (_, t) in enumerate(passages) if pair["anchor"] in t]
        if len(found) != 1:
            problems.append(f"{where}: anchor found in {len(found)} paragraphs")
            continue
        if doc in OURS and found[0] in judged(doc):
            problems.append(f"{where}: this passage answers a query of a query set: choose another")
            continue
        heading, text = passages[found[0]]
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
