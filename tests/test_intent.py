"""Questions read as councillors mean them: advice, plan measures, a body, a year."""

from __future__ import annotations

import pytest

from ceser_explorer.search.intent import MAX_QUERY_CHARS, meaningful_words, read


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        (
            "que propose le CESER pour former les enseignants à l'IA ?",
            "former les enseignants à l'IA",
        ),
        ("quelles sont les préconisations du CESER sur l'apprentissage ?", "l'apprentissage"),
        ("que recommande le CESER en matière de recherche", "recherche"),
    ],
)
def test_advice_questions_ask_for_recommendations(question: str, subject: str) -> None:
    it = read(question)
    assert it.advice and not it.measures
    assert it.query == subject


@pytest.mark.parametrize(
    "question",
    [
        "quelles mesures pour l'apprentissage ?",
        "qu'est-ce que la Région prévoit pour les start-up ?",
        "quel budget pour la formation des demandeurs d'emploi",
    ],
)
def test_plan_questions_ask_for_measures(question: str) -> None:
    it = read(question)
    assert it.measures and not it.advice
    assert "Région" not in it.query and "mesures" not in it.query


def test_a_body_and_a_year_named_in_the_question() -> None:
    it = read("que dit le CESER Île-de-France sur le logement étudiant en 2024 ?")
    assert it.body == "CESER Île-de-France"
    assert it.year == 2024
    assert it.query.startswith("le logement étudiant")
    assert "documents de « CESER Île-de-France » d'abord" in it.notes


@pytest.mark.parametrize("words", ["apprentissage", "soutien aux start-up", "chômeurs"])
def test_keywords_are_taken_as_they_are(words: str) -> None:
    it = read(words)
    assert (it.query, it.advice, it.measures, it.body, it.year) == (words, False, False, None, None)


def test_function_words_and_punctuation_have_nothing_to_search() -> None:
    assert meaningful_words("le la les ? !") == []
    assert meaningful_words("à quoi sert l'apprentissage") == ["sert", "apprentissage"]
    assert MAX_QUERY_CHARS >= 200


@pytest.mark.parametrize(
    ("question", "subject", "unnamed"),
    [
        (
            "comment le CESER breton veut-il attirer les femmes vers le numérique ?",
            "attirer les femmes vers le numérique",
            "comment le CESER veut-il attirer les femmes vers le numérique",
        ),
        (
            "que souhaite le CESER de Normandie pour les apprentis",
            "les apprentis",
            "que souhaite le CESER pour les apprentis",
        ),
    ],
)
def test_a_body_before_a_verb_of_intent_is_frame(question: str, subject: str, unnamed: str):
    it = read(question)
    assert it.advice and not it.measures
    assert (it.query, it.unnamed) == (subject, unnamed)


def test_the_region_before_a_verb_of_intent_asks_for_measures() -> None:
    it = read("comment la Région Grand Est compte-t-elle aider les PME à exporter ?")
    assert it.measures and not it.advice
    assert it.query == "aider les PME à exporter"
    assert it.regions == ("Grand Est",)
