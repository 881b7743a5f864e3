"""The blind readings of the variety corpus's themes (corpus/variety/readings/): each covers
every labelled passage of its half with themes of the taxonomy, and the majority of three is
what two readings give."""

from __future__ import annotations

import importlib.util

import pytest
from helpers import CORPUS

from ceser_explorer.classify.variety import HALVES, label_rows

SCRIPT = CORPUS / "variety" / "readings.py"


@pytest.fixture(scope="module")
def readings():
    spec = importlib.util.spec_from_file_location("variety_readings", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("half", HALVES)
def test_two_blind_readings_cover_the_half(readings, half):
    ids = {row["id"] for row in label_rows(half)}
    reads = readings.readings(half)
    assert len(reads) == 2
    for reader, labels in reads.items():
        assert set(labels) == ids, reader
        for themes in labels.values():
            assert set(themes) <= set(readings.THEMES)
            assert list(themes) == [t for t in readings.THEMES if t in themes]


def test_majority_is_two_of_three(readings):
    assert readings.majority(["emploi"], [["emploi", "formation"], ["formation"]]) == [
        "formation",
        "emploi",
    ]
    assert readings.majority(["innovation"], [[], ["recherche"]]) == []
    assert readings.majority([], [["recherche"], ["recherche"]]) == ["recherche"]


def test_agreement_is_one_for_the_same_labels_and_falls_with_a_difference(readings):
    same = {"a": ["emploi"], "b": []}
    assert readings.f1(same, same)["macro"] == 1.0
    other = {"a": [], "b": []}
    assert readings.f1(same, other)["emploi"] == 0.0
