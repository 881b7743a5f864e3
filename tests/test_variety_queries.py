"""The variety query set: its shape, its halves, anchors that point at the sources, and
reworded queries that share no content word with their answers."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest
from helpers import CORPUS

from ceser_explorer import analysis
from ceser_explorer.search.evaluation import STYLES, Query, anchor_matches, load_queries
from ceser_explorer.search.intent import STOP, read
from ceser_explorer.search.places import regions_in_query
from ceser_explorer.search.querysets import variety_queries_path

VARIETY = CORPUS / "variety"
# function words the analyser keeps as stems (« vers », « autre »): not content words
FUNCTION_STEMS = {"ver", "autr", "plus", "moin", "non", "tres", "tout", "tous", "fair"}


def _bank() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Return, per document id, the texts a relevant passage may come from, and its region."""
    texts, regions = {}, {}
    for path in sorted((VARIETY / "bank").glob("*.toml")):
        d = tomllib.loads(path.read_text(encoding="utf-8"))
        items = [p["text"] for s in d.get("sections", []) for p in s.get("paragraphs", [])]
        items += [f"{r['action']} {r.get('detail', '')}" for r in d.get("recommendations", [])]
        items += [f"{m['title']} {m['text']}" for m in d.get("measures", [])]
        texts[d["id"]], regions[d["id"]] = items, d["region"]
    return texts, regions


BANK, REGION = _bank()
SPLIT = tomllib.loads((VARIETY / "split.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def queries() -> list[Query]:
    return load_queries(variety_queries_path())


def _sources(q: Query) -> list[str]:
    """Return the source texts of q's relevant passages (each anchor must find one)."""
    out = []
    for r in q.relevant:
        doc = r.file.removesuffix(".pdf")
        texts = BANK[doc]
        found = anchor_matches(r.anchor, [(str(i), t) for i, t in enumerate(texts)])
        assert len(found) == 1, f"{q.id}: anchor « {r.anchor} » found {len(found)}× in {doc}"
        out.append(texts[int(next(iter(found)))])
    return out


def _content_stems(text: str) -> set[str]:
    return {
        s
        for s in analysis.analyze(text, "stem")
        if s not in STOP and s not in FUNCTION_STEMS and len(s) > 1
    }


def _shared(a: set[str], b: set[str]) -> set[tuple[str, str]]:
    """Return the pairs of stems that are one word: equal, or one the start of the other
    (« logement » / « loger » stem to « log » and « log »; « travailleur » / « travail »)."""
    return {
        (x, y)
        for x in a
        for y in b
        if x == y or (min(len(x), len(y)) >= 5 and (x.startswith(y) or y.startswith(x)))
    }


def test_shape_and_styles(queries: list[Query]) -> None:
    assert len(queries) >= 120
    assert len({q.id for q in queries}) == len(queries)
    styles = Counter(q.style for q in queries)
    assert set(styles) == set(STYLES)
    for style in STYLES:  # a third each, give or take
        assert 0.27 <= styles[style] / len(queries) <= 0.40, styles
    for q in queries:
        assert q.paraphrase == (q.style == "reworded"), q.id


def test_each_query_belongs_to_the_half_of_its_documents(queries: list[Query]) -> None:
    for q in queries:
        halves = {SPLIT[r.file.removesuffix(".pdf")] for r in q.relevant}
        assert halves == {q.split}, q.id
    for half in ("tune", "test"):
        part = [q for q in queries if q.split == half]
        assert len(part) >= 50
        assert {r.file for q in part for r in q.relevant} == {
            f"{d}.pdf" for d, h in SPLIT.items() if h == half
        }, f"every {half} document is asked about"


def test_every_anchor_points_at_one_source_text(queries: list[Query]) -> None:
    for q in queries:
        _sources(q)


def test_reworded_queries_share_no_content_word_with_their_answers(
    queries: list[Query],
) -> None:
    bad = {}
    for q in queries:
        if q.style != "reworded":
            continue
        answer = set().union(*(_content_stems(t) for t in _sources(q)))
        shared = _shared(_content_stems(q.query), answer)
        if shared:
            bad[q.id] = shared
    assert not bad


def test_the_check_finds_a_shared_word() -> None:
    assert _shared(_content_stems("loger les saisonniers"), _content_stems("leur logement"))
    assert not _shared(_content_stems("un toit pour les alternants"), _content_stems("apprentis"))


def test_some_queries_name_a_region_a_body_or_a_year(queries: list[Query]) -> None:
    regions = [q for q in queries if regions_in_query(q.query)]
    bodies = [q for q in queries if re.search(r"\b(?:CESER|CESEC|Région)\b", q.query)]
    years = [q for q in queries if read(q.query).year]
    assert len(regions) >= 30 and len(bodies) >= 30 and len(years) >= 5
    named = {r for q in regions for r in regions_in_query(q.query)}
    assert len(named) >= 10, "regions of most of the corpus are named"
    for q in regions:  # the region named is the one of the documents asked about
        asked = {REGION[r.file.removesuffix(".pdf")] for r in q.relevant}
        assert set(regions_in_query(q.query)) == asked, q.id


def test_eval_of_the_variety_set_needs_its_pdfs_and_says_so(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from ceser_explorer.cli import cli
    from ceser_explorer.errors import CeserError
    from ceser_explorer.search import querysets

    result = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "home"), "eval", "--set", "variety-test", "--mode", "lexical"],
    )
    assert result.exit_code != 0
    assert "ceser ingest corpus/variety/pdf" in str(result.exception or result.output)
    # an installed package, without the repository around it
    monkeypatch.setattr(querysets, "__file__", str(tmp_path / "a" / "b" / "querysets.py"))
    with pytest.raises(CeserError, match="vient du dépôt"):
        querysets.variety_queries_path()
