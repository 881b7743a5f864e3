"""Metadata with where each field was read, stored in the catalog and shown by ceser status."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceser_explorer.catalog import Catalog, FileState
from ceser_explorer.cli import cli
from ceser_explorer.errors import CeserError
from ceser_explorer.ingest import layout, metadata, parse_pdf
from ceser_explorer.ingest.pdfread import RawPage, Word
from ceser_explorer.models import PageText, ParsedDocument


def line(text: str, top: float, size: float, bold: bool = False, x: float = 60) -> list[Word]:
    out = []
    for w in text.split():
        out.append(Word(w, x, top, x + 0.55 * size * len(w), top + size, size, bold))
        x += 0.55 * size * len(w) + 0.3 * size
    return out


def pages(*contents: list[Word]) -> list[layout.PageLayout]:
    out = [layout.layout_page(RawPage(n, 595, 842, ws)) for n, ws in enumerate(contents, 1)]
    layout.mark_running_lines(out)
    return out


def body_page(closing: str = "") -> list[Word]:
    ws = line("Le CESER a conduit ses travaux avec les acteurs de la région.", 200, 10)
    if closing:
        ws += line(closing, 300, 10)
    return ws


def test_each_field_says_where_it_was_read() -> None:
    cover = (
        line("Avis", 150, 20, bold=True)
        + line("Former les adultes tout au long de la vie", 200, 24, bold=True)
        + line("CESER Bretagne", 300, 13)
        + line("novembre 2025", 700, 11, bold=True)
    )
    closing = "Avis adopté en séance plénière le 18 novembre 2025 par 80 voix pour."
    meta = metadata.detect(pages(cover, body_page(), body_page(closing)))
    assert (meta.title, meta.body, meta.kind, meta.date) == (
        "Former les adultes tout au long de la vie",
        "CESER Bretagne",
        "avis",
        "2025-11-18",
    )
    assert dict(meta.sources) == {
        "title": "cover",
        "body": "cover",
        "kind": "issuer",
        "date": "closing",
    }


def test_a_date_cited_from_a_former_deliberation_is_not_the_adoption_date() -> None:
    # the cover gives the month: the adoption line that agrees with it wins over an older one
    cover = (
        line("Schéma régional des formations", 200, 24, bold=True)
        + line("Région Normandie", 300, 13)
        + line("novembre 2024", 700, 11)
    )
    older = "Par délibération du 17 décembre 2021, l'assemblée a adopté le précédent schéma."
    newer = "Document adopté par délibération de l'assemblée régionale le 22 novembre 2024."
    meta = metadata.detect(pages(cover, body_page(older), body_page(newer)))
    assert meta.date == "2024-11-22" and meta.source("date") == "closing"


def test_a_month_alone_is_a_guess_and_so_is_a_missing_body() -> None:
    cover = line("Former les adultes", 200, 24, bold=True) + line("octobre 2025", 700, 11)
    meta = metadata.detect(pages(cover, body_page()))
    assert meta.date == "2025-10-01"
    assert meta.source("date") == "guessed"
    assert meta.source("body") == "none"
    assert meta.source("kind") == "guessed"


def test_a_title_in_small_capitals_is_read_whole() -> None:
    # small capitals print the capitals of « CESER » larger: the title block runs on over it
    cover = (
        line("AVIS", 150, 20, bold=True)
        + line("SCHÉMA RÉGIONAL : L'AVIS DU", 300, 16.5, bold=True)
        + line("CESER", 325, 24, bold=True)
        + line("CESER Occitanie", 500, 13)
    )
    meta = metadata.detect(pages(cover, body_page()))
    assert meta.title == "SCHÉMA RÉGIONAL : L'AVIS DU CESER"


def test_metadata_toml_values_are_marked_as_given(tmp_path: Path, sample_pdf) -> None:
    folder = tmp_path / "in"
    pdf = sample_pdf("two_columns.pdf", folder)
    (folder / "metadata.toml").write_text(f'["{pdf.name}"]\ndate = "2024-03-05"\n', "utf-8")
    doc = parse_pdf(pdf, ocr=False)
    sources = dict(doc.meta_sources)
    assert doc.date == "2024-03-05" and sources["date"] == "file"
    assert sources["title"] == "cover" and sources["body"] == "cover"


def test_a_date_given_in_metadata_toml_is_read_the_french_way_or_refused(
    tmp_path: Path, sample_pdf
) -> None:
    folder = tmp_path / "in"
    pdf = sample_pdf("two_columns.pdf", folder)
    meta = folder / "metadata.toml"
    for given, stored in (('"12/11/2025"', "2025-11-12"), ("2025-11-12", "2025-11-12")):
        meta.write_text(f'["{pdf.name}"]\ndate = {given}\n', "utf-8")  # a string, a TOML date
        assert parse_pdf(pdf, ocr=False).date == stored
    # stored as written, « 12/13/2025 » sorted after every ISO date and no filter matched it
    meta.write_text(f'["{pdf.name}"]\ndate = "12/13/2025"\n', "utf-8")
    refused = r"date « 12/13/2025 » illisible dans .*metadata.toml\. Écrivez-la AAAA-MM-JJ"
    with pytest.raises(CeserError, match=refused):
        parse_pdf(pdf, ocr=False)


def test_status_shows_what_was_guessed(home: Path, catalog: Catalog) -> None:
    parsed = ParsedDocument(
        "Titre",
        "",
        "avis",
        "2025-10-01",
        (PageText(1, 595, 842, "Texte."),),
        (),
        meta_sources=(
            ("title", "cover"),
            ("body", "none"),
            ("kind", "issuer"),
            ("date", "guessed"),
        ),
    )
    doc = catalog.store_document(FileState("/docs/a.pdf", 10, 0.0, "ab" * 32), parsed)
    assert doc.guessed == ("body", "date")
    stored = catalog.store_document(
        FileState("/docs/a.pdf", 10, 0.0, "ab" * 32),
        replace(parsed, meta_sources=(("date", "closing"),)),
        replace=doc,
    )
    assert dict(stored.meta_sources) == {"date": "closing"}
    catalog.store_document(FileState("/docs/b.pdf", 10, 0.0, "cd" * 32), parsed)
    runner = CliRunner()
    data = json.loads(runner.invoke(cli, ["--home", str(home), "status", "--json"]).stdout)
    entry = next(d for d in data["documents_list"] if d["file"] == "b.pdf")
    assert entry["metadata_sources"]["date"] == "guessed"
    assert entry["guessed"] == ["body", "date"]
    table = runner.invoke(cli, ["--home", str(home), "status"]).stdout
    assert "organisme, date" in table


def test_an_adoption_date_cut_inside_its_month_or_over_a_narrow_column() -> None:
    cover = (
        line("Schéma régional des formations", 200, 24, bold=True)
        + line("Région Grand Est", 300, 13)
        + line("2022", 700, 11)
    )
    cut = line("Avis adopté en séance plénière le 29 no-", 300, 10) + line(
        "vembre 2022 par 66 voix pour.", 313, 10
    )
    meta = metadata.detect(pages(cover, body_page(), body_page() + cut))
    assert meta.date == "2022-11-29" and meta.source("date") == "closing"
    narrow = []
    for k, text in enumerate(
        ["Document adopté par", "délibération de l'assemblée", "régionale le 22 novembre", "2022."]
    ):
        narrow += line(text, 300 + 13 * k, 10, x=400)
    meta = metadata.detect(pages(cover, body_page(), body_page() + narrow))
    assert meta.date == "2022-11-22"


def test_the_adoption_date_is_the_one_after_the_word_of_adoption() -> None:
    cover = line("Former les adultes", 200, 24, bold=True) + line("CESER Bretagne", 300, 13)
    closing = line("Auditions du 4 octobre 2022. Avis adopté en séance plénière le", 300, 10)
    closing += line("18 novembre 2022 par 80 voix pour.", 313, 10)
    meta = metadata.detect(pages(cover, body_page(), body_page() + closing))
    assert meta.date == "2022-11-18"


def test_a_letter_spaced_title_is_closed_up_word_by_word() -> None:
    # each letter its own word, 7 points apart; the words 21 points apart
    title, x = [], 60.0
    for word in "Hydrogène vert : une filière".split():
        for letter in word:
            title.append(Word(letter, x, 200, x + 10, 224, 24, True))
            x += 17
        x += 14
    cover = title + line("CESER Occitanie", 300, 13)
    meta = metadata.detect(pages(cover, body_page()))
    assert meta.title == "Hydrogène vert : une filière"


def test_a_cover_line_read_out_of_order_does_not_cut_the_title() -> None:
    """The column finder may set apart the end of a letter-spaced line (« Hauts- ») and read
    it after the first line of the title below it: the title is read from top to bottom."""
    from ceser_explorer.ingest.lines import Line, PageLayout
    from ceser_explorer.ingest.metadata import detect

    def line(text: str, x0: float, top: float, size: float, col: int = 0) -> Line:
        words, x = [], x0
        for w in text.split():
            words.append(Word(w, x, top, x + 0.5 * size * len(w), top + size, size))
            x += 0.5 * size * (len(w) + 1)
        return Line(1, col, words, size, text=text)

    reading_order = [
        line("Rapport du CESER", 72, 198, 20),
        line("de-France", 72, 225, 20),
        line("Décarbonation et", 72, 345, 24),
        line("Hauts-", 440, 198, 20, col=1),  # the right end of the letter-spaced line
        line("réindustrialisation : quels", 72, 374, 24),
        line("emplois pour les Hauts-de-", 72, 402, 24),
        line("France ?", 72, 431, 24),
        line("Séance plénière du 24/06/2025", 72, 731, 10.5),
    ]
    meta = detect([PageLayout(1, 595, 842, list(reading_order))])
    assert meta.title == (
        "Décarbonation et réindustrialisation : quels emplois pour les Hauts-de-France ?"
    )
