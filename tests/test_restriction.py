"""A region named in a question restricts the hits to its documents, and the answer says so;
a year named lifts its documents. Real PDFs of the variety corpus from two regions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CORPUS

from ceser_explorer import batch
from ceser_explorer.catalog import Catalog
from ceser_explorer.cli import cli
from ceser_explorer.config import Settings
from ceser_explorer.search import Filters, Searcher
from ceser_explorer.search.places import document_region, regions_in_query
from ceser_explorer.search.restriction import document_years

PDF = CORPUS / "variety" / "pdf"
# two regions, two documents each, no scanned page (no OCR needed)
FILES = (
    "bretagne-agroalimentaire.pdf",  # CESER Bretagne, 2020
    "bretagne-apprentissage.pdf",  # CESER Bretagne, 2023
    "normandie-numerique-pme.pdf",  # CESER Normandie, 2020
    "normandie-avis-cprdfop.pdf",  # CESER Normandie, 2022
)


@pytest.mark.parametrize(
    ("question", "regions"),
    [
        ("que dit le CESER Île-de-France sur le logement étudiant ?", ("Île-de-France",)),
        ("que prévoit la Région Grand Est pour la recherche ?", ("Grand Est",)),
        ("l'agroalimentaire breton", ("Bretagne",)),
        ("jeunes franciliennes et numérique", ("Île-de-France",)),
        ("apprentissage en AURA", ("Auvergne-Rhône-Alpes",)),
        ("que propose le CESEC sur l'énergie ?", ("Corse",)),
        ("mobilités en Région Sud", ("Provence-Alpes-Côte d'Azur",)),
        ("la jeunesse réunionnaise", ("La Réunion",)),
        ("Hauts de France et Normandie", ("Hauts-de-France", "Normandie")),
        ("compte rendu de la réunion du conseil", ()),  # a meeting, not the island
        ("il aura fallu du temps", ()),  # « aura » is a verb; AURA in capitals only
        ("formation des salariés", ()),
    ],
)
def test_regions_named_in_a_question(question: str, regions: tuple[str, ...]) -> None:
    assert regions_in_query(question) == regions


def test_region_of_a_document_from_its_body_title_or_cover() -> None:
    assert document_region("CESER Hauts-de- France") == "Hauts-de-France"
    assert document_region("CESEC de Corse") == "Corse"
    # a body cut short by extraction, a letter-spaced title
    title = "Tr a v a i l l e r a p r è s 5 5 ans en B o u r g o g n e - F r a n c h e - C o m t é"
    assert document_region("CESER Bourgogne-Franche", title) == "Bourgogne-Franche-Comté"
    assert document_region("", "Cybersécurité : de l'excellence bretonne") == "Bretagne"
    assert document_region("", "Stratégie", "Région Pays de la Loire — décembre 2021") == (
        "Pays de la Loire"
    )
    assert document_region("", "Stratégie", "Normandie et Bretagne") is None  # two: unknown


def test_years_of_a_document() -> None:
    assert document_years("2022-11-17", "Rapport d'orientations budgétaires pour 2023") == {
        2022,
        2023,
    }
    assert document_years(None, "Plan des mobilités 2022-2024") == {2022, 2023, 2024}


@pytest.fixture(scope="module")
def two_regions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    home = tmp_path_factory.mktemp("two-regions")
    settings = Settings(home=home)
    with Catalog(settings.catalog_path) as cat:
        summary = batch.ingest_paths(cat, [str(PDF / f) for f in FILES])
        assert summary.ok, summary.failed
        searcher = Searcher(settings, cat)
        yield searcher


def _files(hits: list) -> set[str]:
    return {h.passage.document.file for h in hits}


def test_a_region_named_restricts_the_hits(two_regions: Searcher) -> None:
    words = "formation des salariés peu qualifiés"
    unrestricted = two_regions.search(words, k=10, mode="lexical")
    assert {f.split("-")[0] for f in _files(unrestricted)} == {"bretagne", "normandie"}
    for question in (
        f"que propose le CESER Bretagne sur la {words} ?",
        f"{words} en Bretagne",
        f"{words} bretons",
    ):
        hits = two_regions.search(question, k=10, mode="lexical")
        assert hits and all(f.startswith("bretagne-") for f in _files(hits)), question
        restriction = two_regions.restriction(question)
        assert restriction.as_json() == {"regions": ["Bretagne"], "documents": 2}
        assert restriction.note() == "documents de Bretagne seulement (2 documents)"
    hits = two_regions.search(f"que prévoit la Région Normandie pour la {words} ?", mode="lexical")
    assert hits and all(f.startswith("normandie-") for f in _files(hits))


def test_a_region_without_documents_falls_back_with_a_message(two_regions: Searcher) -> None:
    question = "formation des salariés en Corse"
    hits = two_regions.search(question, k=10, mode="lexical")
    assert len({f.split("-")[0] for f in _files(hits)}) == 2  # everything was searched
    restriction = two_regions.restriction(question)
    assert restriction.as_json() == {
        "regions": ["Corse"],
        "documents": None,
        "fallback": "aucun document de Corse dans le catalogue : recherche dans tous les documents",
    }
    # the other filters come first: a region outside them searches what they keep
    only = Filters(doc="normandie-numerique-pme.pdf")
    hits = two_regions.search("formation des salariés en Bretagne", mode="lexical", filters=only)
    assert _files(hits) == {"normandie-numerique-pme.pdf"}
    assert "parmi ceux des filtres" in (two_regions.restriction("en Bretagne", only).note() or "")


def test_intent_off_reads_no_region(two_regions: Searcher, tmp_path: Path) -> None:
    searcher = Searcher(two_regions.settings, two_regions.catalog, read_intent=False)
    hits = searcher.search("formation des salariés peu qualifiés en Bretagne", mode="lexical")
    assert len({f.split("-")[0] for f in _files(hits)}) == 2
    assert searcher.restriction("formation en Bretagne").as_json() is None


def test_a_year_named_lifts_its_documents(two_regions: Searcher) -> None:
    """A year is preferred, not imposed: dates are misread more often than bodies."""

    def years(question: str) -> list[str]:
        hits = two_regions.search(question, k=20, mode="lexical")
        return [(h.passage.document.date or "")[:4] for h in hits]

    words = "que disait le CESER sur la formation des salariés"
    plain, named = years(f"{words} ?"), years(f"{words} en 2022 ?")
    assert "2022" in plain and "2022" in named
    assert named.index("2022") < plain.index("2022")
    assert named[:10].count("2022") > plain[:10].count("2022")


def test_cli_search_json_says_what_it_was_restricted_to(two_regions: Searcher) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(two_regions.settings.home),
            "search",
            "apprentissage en Bretagne",
            "--mode",
            "lexical",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["restricted_to"] == {"regions": ["Bretagne"], "documents": 2}
    assert all(h["document"]["file"].startswith("bretagne-") for h in data["hits"])
    text = CliRunner().invoke(
        cli,
        ["--home", str(two_regions.settings.home), "search", "apprentissage", "--mode", "lexical"],
    )
    assert "Recherche limitée" not in text.output
    text = CliRunner().invoke(
        cli,
        [
            "--home",
            str(two_regions.settings.home),
            "search",
            "apprentissage breton",
            "--mode",
            "lexical",
        ],
    )
    assert "Recherche limitée : documents de Bretagne seulement (2 documents)" in text.output
