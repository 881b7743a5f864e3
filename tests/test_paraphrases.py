"""The paraphrase training pairs (corpus/variety/paraphrases): every committed pair passes its
checker, and the checker refuses what it must (a shared word, a judged passage, a test
document, an anchor found twice)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import CORPUS

HERE = CORPUS / "variety" / "paraphrases"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("paraphrase_check", HERE / "check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_committed_pair_is_valid_and_on_a_tuning_or_sample_document(check):
    files = sorted(HERE.glob("*.jsonl"))
    assert files
    allowed = check.tune_docs()
    problems = [p for f in files for p in check.check(f, allowed)]
    assert problems == []
    docs = {json.loads(x)["doc"] for f in files for x in f.read_text("utf-8").splitlines()}
    assert docs <= allowed | set(check.OURS)


def _one(tmp_path: Path, check, **pair: str) -> list[str]:
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps(pair, ensure_ascii=False) + "\n", encoding="utf-8")
    return check.check(path, check.tune_docs())


def test_the_checker_refuses_what_it_must(tmp_path: Path, check):
    hydrogen = "Produire un kilogramme d'hydrogène par électrolyse"
    ok = _one(tmp_path, check, doc="occitanie-hydrogene", anchor=hydrogen,
              query="combien de courant faut-il pour fabriquer ce gaz ?")  # fmt: skip
    assert ok == []
    shared = _one(tmp_path, check, doc="occitanie-hydrogene", anchor=hydrogen,
                  query="électricité consommée pour l'hydrogène")  # fmt: skip
    assert shared and "shares" in shared[0]
    test_half = next(d for d, h in check.tomllib.loads(
        (HERE.parent / "split.toml").read_text("utf-8")).items() if h == "test")  # fmt: skip
    refused = _one(tmp_path, check, doc=test_half, anchor="x" * 40, query="une question")
    assert refused and "neither a tuning-half document" in refused[0]
    twice = _one(tmp_path, check, doc="occitanie-hydrogene", anchor="Le CESER", query="q")
    assert twice and "found in" in twice[0]
    # a passage of our sample documents that one of our queries judges relevant is refused
    passages = check.source_paragraphs("avis_ia_generative")
    judged = sorted(check.judged("avis_ia_generative"))
    assert judged and len(judged) < len(passages)
    text = passages[judged[0]][1]
    anchor = next(text[i : i + 40] for i in range(0, len(text) - 40, 7)
                  if sum(text[i : i + 40] in t for _, t in passages) == 1)  # fmt: skip
    reserved = _one(tmp_path, check, doc="avis_ia_generative", anchor=anchor, query="zzz")
    assert reserved and "answers a query" in reserved[0]
