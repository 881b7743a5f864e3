"""Theme classifier: real embedder on real labelled passages, thresholds, taxonomy, catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import AVIS, PACKAGE_DATA

from ceser_explorer import resources
from ceser_explorer.catalog import themes as store
from ceser_explorer.classify import apply, evaluate, has_model, load_model, model, train
from ceser_explorer.classify.evaluate import confusion, keyword_predictions
from ceser_explorer.classify.model import Params
from ceser_explorer.classify.taxonomy import load_labelled, load_taxonomy
from ceser_explorer.cli import cli
from ceser_explorer.config import Settings
from ceser_explorer.errors import CeserError, EmbedderMismatchError

DATA = PACKAGE_DATA / "labels" / "passages.jsonl"
TAXONOMY = PACKAGE_DATA / "themes.toml"

FAST = Params(c_grid=(8.0,))


class OtherEmbedder:
    """Any embedder but the one the model was trained with (same dimension, other id)."""

    id = "st:another-model"
    dim = 384

    def encode_queries(self, texts):
        return np.ones((len(texts), self.dim), dtype=np.float32) / np.sqrt(self.dim)

    encode_passages = encode_queries


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


# -- quality on the fixed test split --------------------------------------------------------


def test_trained_model_reaches_the_target_and_beats_both_baselines(
    trained, classify_settings, embedder, labelled_rows
):
    report = evaluate(classify_settings, DATA, embedder=embedder)
    ours, keywords, zero_shot = (report.methods[m] for m in ("modèle", "mots-clés", "zero-shot"))
    assert report.n_test == sum(r["split"] == "test" for r in labelled_rows)
    assert ours.macro_f1 >= 0.85, ours.to_dict()
    assert ours.macro_f1 > keywords.macro_f1 and ours.macro_f1 > zero_shot.macro_f1
    for key in report.keys:
        assert ours.themes[key].f1 >= 0.8, (key, ours.themes[key])
    assert set(report.confusion) == {*report.keys, "aucun"}
    assert report.review["errors_flagged"] <= report.review["errors"]


def test_prediction_on_new_passages_through_the_real_embedder(trained, classify_settings, embedder):
    texts = [
        "La Région cofinance quarante allocations doctorales dans les laboratoires des "
        "universités, pour des thèses sur l'apprentissage automatique.",
        "Le CESER demande l'ouverture de places en CFA pour les apprentis du bâtiment dans "
        "chaque département.",
        "Le nombre de voyageurs des TER a progressé de 6 % sur la ligne Toulouse-Rodez.",
    ]
    m = trained.model
    retained, _ = m.decide(m.predict(texts, embedder, classify_settings.embedding_cache))
    labels = [{k for k, kept in zip(m.keys, row, strict=True) if kept} for row in retained]
    assert "recherche" in labels[0]
    assert "formation" in labels[1]
    assert labels[2] == set()


# -- the saved model and its embedder ------------------------------------------------------


def test_saved_model_records_its_embedder_and_refuses_another(
    trained, classify_settings, embedder, sample_catalog
):
    assert load_model(classify_settings, embedder.id).embedder_id == embedder.id
    with pytest.raises(EmbedderMismatchError, match="st:another-model"):
        load_model(classify_settings, OtherEmbedder.id)
    saved = load_model(classify_settings)
    with pytest.raises(EmbedderMismatchError):
        saved.predict(["Former les enseignants."], OtherEmbedder())
    with pytest.raises(EmbedderMismatchError):
        apply(classify_settings, sample_catalog, embedder=OtherEmbedder())


def test_a_data_folder_without_a_model_uses_the_packaged_one(tmp_path, embedder):
    settings = Settings.load(home=tmp_path / "empty")
    assert has_model(settings)
    packaged = load_model(settings, embedder.id)
    assert packaged.embedder_id == embedder.id and packaged.labels == resources.PACKAGED_LABELS
    assert not (tmp_path / "empty").exists()  # nothing was trained nor written


# -- thresholds come from cross-validation on the train split ------------------------------


def test_thresholds_are_chosen_on_train_folds_never_on_the_test_split(
    tmp_path, monkeypatch, fresh_settings, embedder, labelled_rows
):
    rows = labelled_rows
    train_rows = [r for r in rows if r["split"] == "train"][:300]
    test_rows = [r for r in rows if r["split"] == "test"]
    data = write_rows(tmp_path / "data.jsonl", train_rows + test_rows)
    seen: list[list[str]] = []
    original = model.select_thresholds

    def spy(ids, scores, y, keys):
        seen.append(list(ids))
        return original(ids, scores, y, keys)

    monkeypatch.setattr(model, "select_thresholds", spy)
    settings = fresh_settings("a")
    clean = train(settings, data, TAXONOMY, embedder=embedder, params=FAST, save=False).model
    assert seen and all(set(ids) == {r["id"] for r in train_rows} for ids in seen)
    assert not set(clean.train_ids) & {r["id"] for r in test_rows}

    # scrambling the test labels changes nothing; scrambling the train labels does
    rng = np.random.default_rng(0)
    keys = list(load_taxonomy(TAXONOMY).keys)
    noisy_test = [{**r, "labels": list(rng.choice(keys, 2, replace=False))} for r in test_rows]
    write_rows(data, train_rows + noisy_test)
    same = train(settings, data, TAXONOMY, embedder=embedder, params=FAST, save=False).model
    assert same.thresholds == clean.thresholds
    shuffled = [r["labels"] for r in train_rows]
    rng.shuffle(shuffled)
    noisy_train = [{**r, "labels": lab} for r, lab in zip(train_rows, shuffled, strict=True)]
    write_rows(data, noisy_train + test_rows)
    other = train(settings, data, TAXONOMY, embedder=embedder, params=FAST, save=False).model
    assert other.thresholds != clean.thresholds
    assert other.cv["macro_f1"] < clean.cv["macro_f1"] - 0.2


def test_eval_refuses_a_model_trained_on_passages_now_in_the_test_split(
    tmp_path, trained, classify_settings, embedder, labelled_rows
):
    rows = labelled_rows
    leaked = [{**r, "split": "test"} if r["id"] == trained.model.train_ids[0] else r for r in rows]
    with pytest.raises(CeserError, match="split test"):
        evaluate(classify_settings, write_rows(tmp_path / "d.jsonl", leaked), embedder=embedder)


# -- the taxonomy file decides the themes --------------------------------------------------

TRANSPORT = """
[themes.transport]
label = "Transports"
definition = "Transports et mobilités : trains régionaux, cars, routes, gares, voyageurs."
examples = ["Le nombre de voyageurs des TER a progressé de 6 % en un an."]
keywords = ["TER", "transport", "mobilité", "gare", "voyageurs"]
"""
_TRANSPORT_WORDS = re.compile(
    r"\b(TER|transports?|mobilités?|ferroviaires?|trains?|routes?|cars|bus|gares?|voyageurs)\b",
    re.IGNORECASE,
)


def test_a_theme_added_to_the_taxonomy_file_is_trained_and_predicted(
    tmp_path, fresh_settings, embedder, labelled_rows
):
    taxonomy = tmp_path / "themes.toml"
    taxonomy.write_text(TAXONOMY.read_text("utf-8") + TRANSPORT, "utf-8")
    # passages with none of the four themes that are about transport get the new theme
    rows = [
        {**r, "labels": ["transport"]}
        if not r["labels"] and _TRANSPORT_WORDS.search(str(r["text"]))
        else r
        for r in labelled_rows
    ]
    data = write_rows(tmp_path / "data.jsonl", rows)
    settings = fresh_settings("h")
    result = train(settings, data, taxonomy, embedder=embedder, params=FAST)
    assert result.model.keys[-1] == "transport" and "transport" in result.model.thresholds

    new = [
        "La Région commande douze nouvelles rames pour renforcer la desserte TER entre "
        "Nîmes et Alès aux heures de pointe.",
        "Le CESER demande que les horaires des cars régionaux soient coordonnés avec ceux "
        "des trains dans les gares de correspondance.",
        "Le CESER recommande d'intégrer l'intelligence artificielle dans la formation "
        "continue des enseignants.",
    ]
    m = load_model(settings, embedder.id)
    retained, _ = m.decide(m.predict(new, embedder, settings.embedding_cache))
    j = m.keys.index("transport")
    assert list(retained[:, j]) == [True, True, False]
    assert retained[2, m.keys.index("formation")]


def test_labels_outside_the_taxonomy_and_bad_files_are_user_errors(tmp_path):
    tax = load_taxonomy(TAXONOMY)
    bad = write_rows(tmp_path / "bad.jsonl", [{"id": "x", "text": "t", "labels": ["sport"]}])
    with pytest.raises(CeserError, match=r"ligne 1.*sport"):
        load_labelled(bad, tax)
    (tmp_path / "t.toml").write_text('[themes.eau]\nlabel = "Eau"\n', "utf-8")
    with pytest.raises(CeserError, match="definition"):
        load_taxonomy(tmp_path / "t.toml")
    with pytest.raises(CeserError, match="introuvable"):
        load_taxonomy(tmp_path / "absent.toml")


def test_keyword_baseline_matches_stemmed_phrases_and_confusion_counts_wrong_themes():
    tax = load_taxonomy(TAXONOMY)
    pred = keyword_predictions(
        ["Les demandeurs d'emploi seront accompagnés.", "Le budget de la voirie."], tax
    )
    assert pred[0, tax.keys.index("emploi")] == 1 and pred[1].sum() == 0
    y = np.array([[1, 1, 0, 0], [0, 0, 0, 0]])
    p = np.array([[1, 0, 0, 1], [1, 0, 0, 0]])
    conf = confusion(y, p, tax.keys)
    assert conf[tax.keys[0]][tax.keys[0]] == 1  # a hit
    assert conf[tax.keys[0]][tax.keys[1]] == 0  # a true theme, not a confusion
    assert conf[tax.keys[0]][tax.keys[3]] == 1  # given wrongly to a passage of theme 0
    assert conf["aucun"][tax.keys[0]] == 1


# -- scores in the catalog, low-confidence tags marked -------------------------------------


def test_decide_marks_tags_within_the_margin_of_the_threshold(trained):
    m = trained.model
    th = np.array([m.thresholds[k] for k in m.keys])
    scores = np.vstack([th + m.margin / 2, th - m.margin / 2, np.clip(th + 2 * m.margin, 0, 1)])
    retained, review = m.decide(scores)
    assert retained[0].all() and review[0].all()
    assert not retained[1].any() and review[1].all()
    assert retained[2].all() and not review[2].any()
    assert model.MARGIN_RANGE[0] <= m.margin <= model.MARGIN_RANGE[1]


def test_catalog_stores_scores_labels_and_review_per_passage_and_recommendation(
    trained, sample_catalog
):
    m = trained.model
    views = store.themes_for_passages(sample_catalog)
    assert views, "no passage was classified"
    flagged = 0
    for themes, labels, review in views.values():
        assert set(themes) == set(m.keys)
        for key, score in themes.items():
            assert (key in labels) == (score >= m.thresholds[key])
            assert (key in review) == (abs(score - m.thresholds[key]) < m.margin)
        flagged += bool(review)
    assert flagged > 0
    recs = store.with_recommendation_themes(sample_catalog, sample_catalog.recommendations())
    by_number = {r.number: r for r in recs if r.number is not None}
    assert "recherche" in by_number[9].labels  # allocations doctorales
    assert "formation" in by_number[1].labels  # former les enseignants
    toc = [p.passage_id for p in sample_catalog.passages(kind="toc")]
    assert not set(toc) & set(views)  # sommaire lines are not classified


def test_cli_shows_labels_themes_and_review(classify_settings, sample_catalog):
    runner = CliRunner()
    home = ["--home", str(classify_settings.home)]
    out = runner.invoke(cli, [*home, "recommendations", "--doc", AVIS, "--json"])
    assert out.exit_code == 0, out.output
    recs = json.loads(out.output)
    assert recs and all(
        set(r["themes"]) == {"formation", "emploi", "recherche", "innovation"} for r in recs
    )
    assert all(set(r["labels"]) <= set(r["themes"]) for r in recs)
    out = runner.invoke(cli, [*home, "recommendations", "--theme", "recherche", "--json"])
    chosen = json.loads(out.output)
    assert chosen and all("recherche" in r["labels"] for r in chosen)
    assert 9 in {r["number"] for r in chosen} and len(chosen) < len(recs)
    out = runner.invoke(cli, [*home, "recommendations", "--doc", AVIS, "--csv"])
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("id,number,text") and len(lines) >= len(recs) + 1
    out = runner.invoke(cli, [*home, "passages", "--doc", AVIS, "--json"])
    passages = json.loads(out.output)
    doubtful = [p for p in passages if p["review"]]
    assert doubtful and all(set(p["review"]) <= set(p["themes"]) for p in doubtful)
    out = runner.invoke(cli, [*home, "passages", "--doc", AVIS])
    assert "à vérifier" in out.output
    out = runner.invoke(cli, [*home, "recommendations", "--theme", "sport"])
    assert isinstance(out.exception, CeserError)
