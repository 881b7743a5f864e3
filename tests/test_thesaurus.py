"""The thesaurus: everyday wording finds the documents' administrative wording."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ceser_explorer import analysis
from ceser_explorer.errors import CeserError
from ceser_explorer.search import Searcher, thesaurus


def test_an_everyday_word_finds_the_documents_wording(search_catalog, search_settings):
    searcher = Searcher(search_settings, search_catalog)
    hits = searcher.search("chômeurs", k=3, mode="lexical")
    assert len(hits) == 3
    for h in hits:
        assert "demandeurs d'emploi" in h.passage.text.replace("’", "'")
        assert "demandeurs" in {h.passage.text[a:b] for a, b in h.highlights}
    searcher.expansion_weight = 0.0  # the thesaurus turned off: no document says « chômeurs »
    assert searcher.search("chômeurs", k=3, mode="lexical") == []


def test_wording_the_documents_use_often_is_not_expanded(search_catalog, search_settings):
    searcher = Searcher(search_settings, search_catalog)
    assert thesaurus.load().expand("l'IA générative")  # « IA » has a group...
    assert searcher.expansions("l'IA générative") == {}  # ...but the corpus says it everywhere
    added = searcher.expansions("jeunes pousses")
    assert "startup" in added["stems"] and set(added["stems"].values()) == {0.5}
    assert not set(added["stems"]) & set(analysis.analyze("jeunes pousses", "stem"))


def test_shipped_groups_are_disjoint_and_each_expression_has_terms():
    groups = thesaurus.load().groups
    assert len(groups) >= 100
    owners = Counter(stems for group in groups for stems in {expr.stems for expr in group})
    shared = [stems for stems, n in owners.items() if n > 1]
    assert shared == []
    assert all(expr.stems and expr.folded for group in groups for expr in group)


def test_a_bad_thesaurus_file_is_named_in_one_line(tmp_path):
    bad = tmp_path / "thesaurus.toml"
    bad.write_text("[[groupe]]\ntermes = 3\n", encoding="utf-8")
    with pytest.raises(CeserError) as e:
        thesaurus.load(str(bad))
    assert str(bad) in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(CeserError, match="introuvable"):
        thesaurus.load(str(tmp_path / "absent.toml"))


class _Recorder:
    """An embedder that records what it is asked to encode (one-hot per text, for checks)."""

    id, dim = "recorder", 8

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def encode_queries(self, texts):
        self.asked.append(list(texts))
        return np.eye(self.dim, dtype=np.float32)[: len(texts)]

    def encode_passages(self, texts):
        return self.encode_queries(texts)


def test_the_query_is_also_embedded_with_another_wording(search_catalog, search_settings):
    assert thesaurus.load().variants("jeunes pousses") == ["jeunes pousses (start-up)"]
    recorder = _Recorder()
    searcher = Searcher(search_settings, search_catalog, recorder)
    vector = searcher.query_vector("jeunes pousses")
    assert recorder.asked == [["jeunes pousses", "jeunes pousses (start-up)"]]
    assert vector == pytest.approx(np.array([1, 1, 0, 0, 0, 0, 0, 0]) / np.sqrt(2))
    searcher.forget()
    searcher.expansion_weight = 0.0
    searcher.query_vector("jeunes pousses")
    assert recorder.asked[-1] == ["jeunes pousses"]


def test_the_concept_lexicon_widens_an_everyday_word_to_the_documents_notion(
    search_catalog, search_settings
):
    groups = thesaurus.concepts().groups
    assert len(groups) >= 50
    assert all(expr.stems and expr.folded for group in groups for expr in group)
    searcher = Searcher(search_settings, search_catalog)
    # the sample corpus says « alternance » in few passages, « apprentissage » in many
    assert "apprentissage" in searcher.synonyms("alternants")  # shown as synonyms are
    texts = [h.passage.text.casefold() for h in searcher.search("alternants", 10, "lexical")]
    assert any("apprenti" in t and "altern" not in t for t in texts)
    searcher.lexical_retriever.concept_weight = 0.0  # the lexicon turned off
    searcher.forget()
    assert "apprentissage" not in searcher.synonyms("alternants")
    texts = [h.passage.text.casefold() for h in searcher.search("alternants", 10, "lexical")]
    assert texts and all("altern" in t for t in texts)


def test_the_concept_lexicon_rewords_only_what_the_documents_rarely_say(
    search_catalog, search_settings
):
    recorder = _Recorder()
    searcher = Searcher(search_settings, search_catalog, recorder)
    searcher.query_vector("alternants")
    assert recorder.asked == [["alternants", "alternants (apprenti)"]]
    # « formation » is in every other passage: not reworded, not expanded
    searcher.query_vector("formation")
    assert recorder.asked[-1] == ["formation"]
    assert searcher.expansions("formation") == {}
