"""Whole documents written for training (corpus/train-docs): read, shipped, never the test half."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ceser_explorer import resources
from ceser_explorer.classify import train_docs, variety
from ceser_explorer.classify.model import folds
from ceser_explorer.classify.taxonomy import load_labelled, load_taxonomy
from ceser_explorer.errors import CeserError

KEYS = ("formation", "emploi", "recherche", "innovation")

GOOD = '''id = "{id}"
kind = "avis"
title = "Un avis"
region = "Bretagne"
body = "CESER Bretagne"
date = "2025-01-01"

[[sections]]
heading = "1. Constat"

  [[sections.paragraphs]]
  text = """Les lycées   professionnels manquent de places."""
  themes = ["emploi", "formation"]

  [[sections.paragraphs]]
  text = "Le CESER recommande d'ouvrir des sections."
  themes = []
  role = "recommendation"
'''


def write(folder: Path, doc: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{doc}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_document_becomes_passages_with_their_document_and_section(tmp_path):
    write(tmp_path, "bzh-lycees", GOOD.format(id="bzh-lycees"))
    rows = train_docs.label_rows(KEYS, tmp_path)
    assert [(r["id"], r["labels"], r["doc"], r["section"], r["split"]) for r in rows] == [
        ("D:bzh-lycees:0", ["formation", "emploi"], "bzh-lycees", "1. Constat", "train"),
        ("D:bzh-lycees:1", [], "bzh-lycees", "1. Constat", "train"),
    ]
    assert rows[0]["text"] == "Les lycées professionnels manquent de places."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("themes = []", 'themes = ["sport"]'), "thème « sport » inconnu"),
        (("  themes = []\n", ""), "themes = [ … ] manque"),
        (('role = "recommendation"', 'role = "heading"'), "rôle « heading » inconnu"),
        (('heading = "1. Constat"', 'heading = ""'), "le titre"),
        (('title = "Un avis"\n', ""), "« title »"),
        (('kind = "avis"', 'kind = "autre"'), "kind « autre » inconnu"),
        (('id = "bzh-lycees"', 'id = "autre"'), "le nom du fichier"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_file_and_the_fix(tmp_path, change, message):
    path = write(tmp_path, "bzh-lycees", GOOD.format(id="bzh-lycees").replace(*change))
    with pytest.raises(CeserError, match=re.escape(message)) as err:
        train_docs.label_rows(KEYS, tmp_path)
    assert str(path) in str(err.value)


def test_a_document_may_not_take_a_variety_document_id_or_repeat_a_passage(tmp_path):
    write(tmp_path, "bzh-lycees", GOOD.format(id="bzh-lycees"))
    with pytest.raises(CeserError, match="déjà pris par le corpus de variété"):
        train_docs.label_rows(KEYS, tmp_path, taken=("bzh-lycees",))
    write(tmp_path, "bzh-lycees-bis", GOOD.format(id="bzh-lycees-bis"))
    with pytest.raises(CeserError, match="même texte que D:bzh-lycees"):
        train_docs.label_rows(KEYS, tmp_path)


def test_shipped_training_documents_are_the_corpus_and_never_the_variety_test_half():
    tax = load_taxonomy()
    shipped = load_labelled(resources.TRAIN_DOC_LABELS, tax)
    rows = train_docs.label_rows(tax.keys)
    assert [(p.id, p.text, list(p.labels), p.doc, p.section) for p in shipped] == [
        (r["id"], r["text"], r["labels"], r["doc"], r["section"]) for r in rows
    ], "corpus/train-docs changed: run « make theme-model » and commit data/labels and themes.npz"
    assert all(p.split == "train" and p.doc and p.section for p in shipped)
    test = variety.load_half("test", tax)
    tune = variety.load_half("tune", tax)
    assert not {p.doc for p in shipped} & {p.doc for p in test + tune}
    flat = {" ".join(p.text.split()) for p in test}
    assert not {p.text for p in shipped} & flat
    # cross-validation holds a training document out whole, as a variety document
    held = folds(shipped, 5, 0)
    fold_of = {}
    for f, rows_held in enumerate(held):
        for i in rows_held:
            assert fold_of.setdefault(shipped[i].doc, f) == f
