"""In-memory BM25 postings: FTS5's ranking, kept in step with the catalog, saved beside it."""

from __future__ import annotations

import json

import numpy as np
import pdfgen
import pytest

from ceser_explorer import analysis
from ceser_explorer.batch import ingest_paths
from ceser_explorer.catalog import Catalog
from ceser_explorer.catalog.themes import ThemeScore, store_passage_themes
from ceser_explorer.search import lexical as lex
from ceser_explorer.search import postings as bm
from ceser_explorer.search import query_terms
from ceser_explorer.search.evaluation import default_queries_path


def _fts5_scores(cat: Catalog, searched: dict[str, list[str]]) -> dict[int, float]:
    """Return FTS5's own bm25 (negated: higher is better) for each row matching a term."""
    parts = []
    for column, terms in searched.items():
        quoted = " OR ".join(f'"{t}"' for t in terms)
        parts.append(f"({column} : ({quoted}))")
    weights = ", ".join("1.0" if c in searched else "0.0" for c in bm.COLUMNS)
    rs = cat.db.execute(
        f"SELECT rowid, -bm25(passages_fts, {weights}) FROM passages_fts "
        "WHERE passages_fts MATCH ?",
        (" OR ".join(parts),),
    )
    return {int(r): float(s) for r, s in rs}


def test_scores_are_fts5_bm25_for_every_query_of_the_eval_set(search_catalog):
    index = bm.postings(search_catalog)
    lines = default_queries_path().read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line)["query"] for line in lines if line.strip()]
    assert len(queries) >= 60
    for query in queries:
        searched = lex.query_columns(index, query_terms(query, "both"))
        expected = _fts5_scores(search_catalog, searched)
        scores = index.scores(searched)
        got = {int(index.rowids[i]): float(scores[i]) for i in np.flatnonzero(scores)}
        assert got.keys() == expected.keys(), query
        assert max(abs(got[r] - expected[r]) for r in expected) < 1e-5, query


def test_saved_postings_are_reused_and_a_damaged_file_is_rebuilt(search_settings):
    path = bm.index_path(search_settings.catalog_path)
    with Catalog(search_settings.catalog_path) as cat:
        built = bm.postings(cat)
        assert path.exists()
        before = lex.bm25(cat, query_terms("apprentissage", "both"), lex.PassageFilter(), 5)
    loaded = bm.Bm25Index.load(path, built.generation)
    assert loaded is not None and loaded.size == built.size
    assert bm.Bm25Index.load(path, built.generation + 1) is None  # another generation
    path.write_bytes(b"not an npz file")
    with Catalog(search_settings.catalog_path) as cat:
        after = lex.bm25(cat, query_terms("apprentissage", "both"), lex.PassageFilter(), 5)
    assert after == before and before
    assert bm.Bm25Index.load(path, built.generation) is not None


def test_a_new_document_is_searchable_at_once_and_a_removed_one_is_gone(search_settings, tmp_path):
    pdf = tmp_path / "avis_zeugma.pdf"
    c = pdfgen.new_canvas(pdf)
    line = "Le zeugmatographe régional équipe désormais les laboratoires de la région."
    pdfgen.write_page(c, [pdfgen.Column(56, [line])])
    c.save()
    terms = query_terms("zeugmatographe", "both")
    with Catalog(search_settings.catalog_path) as cat:
        assert lex.bm25(cat, terms, lex.PassageFilter(), 5) == []
        held = bm.postings(cat)
        assert ingest_paths(cat, [str(pdf)]).ok
        found = lex.bm25(cat, terms, lex.PassageFilter(), 5)
        assert len(found) == 1 and bm.postings(cat).generation > held.generation
        doc = cat.find_document("avis_zeugma.pdf")
        assert doc is not None
        cat.remove_document(doc.doc_id)
        assert lex.bm25(cat, terms, lex.PassageFilter(), 5) == []


def test_a_rare_theme_is_found_beyond_the_first_batch_of_best_rows(search_catalog):
    """Only the 2 weakest matches of a common word carry the theme: both come back."""
    terms = query_terms("région", "both")
    ranked = lex.bm25(search_catalog, terms, lex.PassageFilter(), 10_000)
    assert len(ranked) > 8  # more matches than the first batch (4 x limit) holds
    weakest = [pid for pid, _ in ranked[-2:]]
    store_passage_themes(
        search_catalog, {pid: [ThemeScore("rare", 0.9, True, False)] for pid in weakest}
    )
    got = lex.bm25(search_catalog, terms, lex.PassageFilter(themes=("rare",)), 2)
    assert [pid for pid, _ in got] == weakest


@pytest.mark.parametrize("recommendations_only", [False, True])
def test_kind_document_and_recommendation_filters_match_the_catalog(
    search_catalog, recommendations_only
):
    doc = search_catalog.find_document("avis_ia_generative.pdf")
    assert doc is not None
    f = lex.PassageFilter(doc_ids=(doc.doc_id,), recommendations_only=recommendations_only)
    got = {pid for pid, _ in lex.bm25(search_catalog, query_terms("formation", "both"), f, 1000)}
    allowed = set(search_catalog.allowed_ids(f))
    assert got and got <= allowed
    everything = lex.bm25(
        search_catalog, query_terms("formation", "both"), lex.PassageFilter(), 1000
    )
    assert got == {pid for pid, _ in everything if pid in allowed}


def test_an_initialism_with_an_ampersand_is_one_searchable_term(search_catalog):
    assert analysis.analyze("La R&D régionale", "stem") == ["rd", "regional"]
    text = "Une dépense de R&D élevée."
    assert [text[a:b] for a, b in analysis.term_spans(text, {"rd"}, "stem")] == ["R&D"]
    found = lex.bm25(search_catalog, query_terms("R&D", "both"), lex.PassageFilter(), 5)
    assert found  # the corpus writes « R&D » at least once


def test_a_catalog_indexed_by_an_older_analysis_is_reindexed_on_opening(search_settings):
    with Catalog(search_settings.catalog_path) as cat:
        expected = cat.db.execute("SELECT rowid, stems FROM passages_fts ORDER BY rowid").fetchall()
        gen = bm.generation(cat.db)
        with cat.transaction() as db:
            db.execute("UPDATE passages_fts SET stems = 'perime'")
            db.execute("UPDATE settings SET value = '1' WHERE key = 'analysis_version'")
    with Catalog(search_settings.catalog_path) as cat:
        got = cat.db.execute("SELECT rowid, stems FROM passages_fts ORDER BY rowid").fetchall()
        assert got == expected and bm.generation(cat.db) > gen
