"""Recommendation and metadata rules on the ways real avis and plans write them (VARIETY.md)."""

from __future__ import annotations

import pytest

from ceser_explorer.ingest.metadata import _body, parse_date
from ceser_explorer.ingest.recommendations import inline_recommendations, label


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Préconisation n°3 : Renforcer", 3),
        ("Préconisation n° 3", 3),
        ("PRÉCONISATION N° 3", 3),
        ("Préconisation nº4", 4),
        ("Recommandation 3 – Créer", 3),
        ("Proposition IV — Hiérarchiser", 4),
        ("Piste 2. Ouvrir", 2),
        ("R3 : Créer", 3),
        ("Proposition c) Créer", 3),
    ],
)
def test_every_labelling_style_gives_its_number(text: str, number: int) -> None:
    found = label(text, "avis")
    assert found is not None and found[0] == number


@pytest.mark.parametrize(
    "text", ["Préconisations", "Recommandations du CESER", "Proposition de loi"]
)
def test_a_section_title_is_no_label(text: str) -> None:
    assert label(text, "avis") is None


def test_action_n_is_a_measure_in_a_plan_and_a_recommendation_in_an_avis() -> None:
    assert label("Action 3 : Faire", "plan") is None
    assert label("Action 3 : Faire", "avis") == (3, "Faire")


@pytest.mark.parametrize(
    "sentence",
    [
        "Pour ces raisons, le CESER préconise de développer une offre.",
        "Le Conseil estime nécessaire de mettre en place un tableau de bord.",
        "Il conviendrait de renforcer l'accompagnement des entreprises.",
        "Notre assemblée appelle à coordonner les actions.",
        "Sur ce point, nous demandons à la Région de développer une offre.",
        "Au-delà, il insiste sur la nécessité de simplifier les démarches.",
        "Le CESER de La Réunion estime nécessaire de s'appuyer sur le Carif-Oref.",
        "Le CESER, conscient des enjeux, recommande de créer un fonds.",
        "Le CESER Auvergne-Rhône-Alpes recommande vivement de créer un fonds.",
        "Sur ce point, le CESER Pays de la Loire suggère de faire connaître le conseil.",
        "Le CESER Île-de-France estime souhaitable de former les acheteurs publics.",
        "Enfin, le CESER Hauts-de-France propose de créer un fonds.",
        "Le CESER Provence-Alpes-Côte d'Azur recommande de créer un fonds.",
        "Le Conseil économique, social et environnemental régional des Hauts-de-France "
        "demande à la Région de publier un bilan.",
        "Le Conseil économique, social, environnemental et culturel de Corse plaide pour "
        "une saison plus longue.",
        "Le Conseil économique, social et environnemental régional Occitanie / "
        "Pyrénées-Méditerranée préconise de partager l'eau.",
    ],
)
def test_inline_advice_with_any_subject_and_verb(sentence: str) -> None:
    assert inline_recommendations(sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "Le CESER formule treize préconisations à l'attention de la Région.",
        "Au terme de ses travaux, le CESER formule les préconisations suivantes.",
        "La Région propose de créer un fonds.",
        "Le CESER constate que la Région propose un fonds.",
        "Le CESER a souhaité prendre la mesure de ce mouvement.",
        "Le CESER regrette l'absence d'indicateurs.",
    ],
)
def test_sentences_that_are_not_recommendations(sentence: str) -> None:
    assert inline_recommendations(sentence) == []


def test_an_advice_sentence_keeps_its_explanation() -> None:
    text = "Le CESER préconise de créer un fonds. Il aiderait les PME. Le constat est ancien."
    assert inline_recommendations(text) == [text]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("adopté en séance plénière du 12 novembre 2025", "2025-11-12"),
        ("Séance du 12/11/2025", "2025-11-12"),
        ("12 nov. 2025", "2025-11-12"),
        ("1er juillet 2024", "2024-07-01"),
    ],
)
def test_adoption_dates_written_every_way(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_a_period_is_no_date() -> None:
    assert parse_date("période 2024-2028", loose=True) is None
    assert parse_date("novembre 2025", loose=True) == "2025-11-01"


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("Conseil économique, social et environnemental régional de Bretagne", "CESER Bretagne"),
        ("CESER Hauts-de-France", "CESER Hauts-de-France"),
        ("CESER Centre-Val de\nLoire\nAuto-saisine", "CESER Centre-Val de Loire"),
        ("Avis du CESER Occitanie\nSaisine", "CESER Occitanie"),
        ("Région Sud", "Région Sud"),
        ("Conseil régional de Normandie", "Région Normandie"),
        (
            "Conseil économique, social et environnemental régional de La Réunion",
            "CESER de La Réunion",
        ),
        (
            "Conseil économique, social et environnemental régional des Pays de la Loire",
            "CESER Pays de la Loire",
        ),
    ],
)
def test_the_issuing_body_however_it_is_named(text: str, body: str) -> None:
    assert _body([("cover", text)])[0] == body


@pytest.mark.parametrize(
    ("text", "body"),
    [
        # « RÉGIONAL » in a title set in capitals is no « Région AL… »
        (
            "SCHÉMA RÉGIONAL DE L'ENSEIGNEMENT SUPÉRIEUR\nRégion Auvergne-Rhône-Alpes",
            "Région Auvergne-Rhône-Alpes",
        ),
        # the last word of a title, then the long name: « Conseil » is no place
        (
            "l'avis du\nCESER\nConseil économique, social et environnemental régional de "
            "Nouvelle-\nAquitaine",
            "CESER Nouvelle-Aquitaine",
        ),
        (
            "Conseil économique, social et environnemental régional du Centre-Val\nde Loire",
            "CESER Centre-Val de Loire",
        ),
        (
            "Conseil économique, social et environnemental régional Provence-Alpes-\nCôte d'Azur",
            "CESER Provence-Alpes-Côte d'Azur",
        ),
        (
            "Avis sur le budget primitif de la\nRégion\nConseil économique, social et "
            "environnemental régional Provence-Alpes-Côte\nd'Azur\nSaisine obligatoire",
            "CESER Provence-Alpes-Côte d'Azur",
        ),
        ("Avis sur le budget de la Région\nSaisine obligatoire", ""),
    ],
)
def test_the_body_over_line_breaks_and_beside_other_cover_lines(text: str, body: str) -> None:
    assert _body([("cover", text)])[0] == body


def test_the_cover_and_running_lines_name_the_issuer_before_the_first_pages() -> None:
    texts = [
        ("cover", "Feuille de route Mer et littoral\nConseil régional de Bretagne"),
        ("header", "Région Bretagne"),
        ("first_page", "Le CESER Bretagne a rendu un avis sur la précédente feuille de route."),
    ]
    assert _body(texts)[:2] == ("Région Bretagne", "region")
