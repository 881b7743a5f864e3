"""Lexical (BM25) search over the catalog's French full-text index, with its filters."""

from __future__ import annotations

import pytest

from ceser_explorer import analysis
from ceser_explorer.catalog import Catalog
from ceser_explorer.catalog.themes import ThemeScore, store_passage_themes
from ceser_explorer.config import Settings
from ceser_explorer.errors import CeserError
from ceser_explorer.search import Filters, Searcher, date_bound, query_terms
from ceser_explorer.search import lexical as lex


def _search(cat: Catalog, settings: Settings, query: str, k: int = 10, **filters: object):
    return Searcher(settings, cat).search(query, k=k, mode="lexical", filters=Filters(**filters))


def test_plain_keyword_finds_its_paragraphs_first(search_catalog, search_settings):
    hits = _search(search_catalog, search_settings, "apprentissage", k=5)
    assert len(hits) == 5
    for h in hits:
        assert "apprenti" in analysis.fold(h.passage.text)
        assert h.passage.document is not None and h.passage.page >= 1 and h.passage.provenance.boxes


def test_accents_case_and_elisions_do_not_matter(search_catalog, search_settings):
    a = [h.passage.passage_id for h in _search(search_catalog, search_settings, "l'ILLECTRONISME")]
    b = [h.passage.passage_id for h in _search(search_catalog, search_settings, "illectronisme")]
    assert a and a == b


def test_stems_match_inflected_forms(search_catalog, search_settings):
    hits = _search(search_catalog, search_settings, "mutualisé", k=10)
    texts = [analysis.fold(h.passage.text) for h in hits]
    assert any("mutualiser" in t or "mutualisee" in t for t in texts)


def test_highlights_are_offsets_of_words_sharing_a_query_stem(search_catalog, search_settings):
    query = "formation des enseignants"
    stems = set(analysis.analyze(query, "stem"))
    hits = _search(search_catalog, search_settings, query, k=5)
    assert all(h.highlights for h in hits)
    for h in hits:
        for start, end in h.highlights:
            word = h.passage.text[start:end]
            assert analysis.stem(word.lower()) in stems, word


def test_fts_syntax_in_a_query_is_harmless(search_catalog, search_settings):
    hits = _search(search_catalog, search_settings, 'apprentissage AND "NEAR( * -', k=3)
    assert hits


def test_a_query_of_stop_words_gets_a_message_not_results(search_catalog, search_settings):
    with pytest.raises(CeserError, match="aucun mot à chercher"):
        _search(search_catalog, search_settings, "le la les de des")


def test_common_terms_alone_still_return_results(search_catalog, search_settings):
    # "région" is in a large share of passages: pruned when other terms exist, kept when alone
    assert _search(search_catalog, search_settings, "région", k=3)


def test_filter_by_document_kind_body_and_dates(search_catalog, search_settings):
    for h in _search(search_catalog, search_settings, "formation", kind="plan"):
        assert h.passage.document.kind == "plan"
    for h in _search(search_catalog, search_settings, "formation", body="ceser"):
        assert h.passage.document.body == "CESER Occitanie"
    hits = _search(search_catalog, search_settings, "formation", since="2025", until="2025-12")
    assert hits
    assert {h.passage.document.file for h in hits} == {"avis_ia_generative.pdf"}


def test_filter_by_document_returns_every_match_of_that_document(search_catalog, search_settings):
    """The filter applies inside the retriever: all matches of a small document come back."""
    doc = search_catalog.find_document("avis_budget.pdf")
    assert doc is not None
    expected = {
        p.passage_id
        for p in search_catalog.passages(doc_id=doc.doc_id)
        if p.kind in lex.SEARCHABLE_KINDS and "dette" in analysis.analyze(p.text, "folded")
    }
    hits = _search(search_catalog, search_settings, "dette", k=50, doc="avis_budget.pdf")
    assert {h.passage.passage_id for h in hits} == expected
    assert len(expected) >= 3


def test_recommendations_only(search_catalog, search_settings):
    hits = _search(search_catalog, search_settings, "formation", k=20, recommendations_only=True)
    assert hits
    assert all(h.is_recommendation for h in hits)
    numbered = [h for h in hits if h.recommendation_number is not None]
    assert numbered and all(h.passage.kind == "recommendation" for h in numbered)


def test_theme_filter_uses_scores_above_the_minimum_confidence(search_catalog, search_settings):
    ids = [p.passage_id for p in search_catalog.passages() if p.kind == "paragraph"]
    strong, weak = ids[:5], ids[5:10]
    store_passage_themes(
        search_catalog,
        {
            **{pid: [ThemeScore("formation", 0.9, True, False)] for pid in strong},
            **{pid: [ThemeScore("formation", 0.3, False, True)] for pid in weak},
        },
    )
    words = " ".join({w for pid in strong + weak for w in _words(search_catalog, pid)})
    hits = _search(search_catalog, search_settings, words, k=50, themes=("formation",))
    assert {h.passage.passage_id for h in hits} == set(strong)
    assert all(h.passage.labels == ("formation",) for h in hits)
    assert all(h.passage.themes == {"formation": 0.9} for h in hits)
    loose = _search(
        search_catalog, search_settings, words, k=50, themes=("formation",), min_confidence=0.2
    )
    assert {h.passage.passage_id for h in loose} == set(strong + weak)


def _words(cat: Catalog, pid: str) -> list[str]:
    p = cat.passage(pid)
    assert p is not None
    return analysis.analyze(p.text, "folded")[:6]


@pytest.mark.parametrize(
    ("filters", "needle"),
    [
        ({"doc": "absent.pdf"}, "absent.pdf"),
        ({"body": "CESER Bretagne"}, "CESER Bretagne"),
        ({"since": "12/11/2025"}, "12/11/2025"),
        ({"kind": "rapport"}, "rapport"),
        ({"themes": ("formation",)}, "formation"),
    ],
)
def test_bad_filter_values_are_named_in_one_line(search_catalog, search_settings, filters, needle):
    with pytest.raises(CeserError) as e:
        _search(search_catalog, search_settings, "formation", **filters)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_date_bounds_cover_whole_years_and_months():
    assert date_bound("2024", end=False) == "2024-01-01"
    assert date_bound("2024", end=True) == "2024-12-31"
    assert date_bound("2024-05", end=True) == "2024-05-31"
    assert date_bound("2024-05-12", end=True) == "2024-05-12"
    assert date_bound("2023-02", end=True) == "2023-02-28"
    assert date_bound("2024-02", end=True) == "2024-02-29"


@pytest.mark.parametrize("value", ["2024-13", "2020-13-45", "2024-02-30", "2024-00"])
def test_a_date_that_does_not_exist_is_refused(value):
    # « 2024-13 » was kept as the bound « 2024-13-31 »: every date of 2024 fell before it
    with pytest.raises(CeserError, match=f"date « {value} » impossible"):
        date_bound(value, end=True)


def test_query_terms_per_analysis():
    assert query_terms("Les enseignants", "folded") == {"folded": ["enseignants"]}
    assert query_terms("Les enseignants", "stem") == {"stems": ["enseign"]}
    with pytest.raises(CeserError):
        query_terms("x", "lemmes")
