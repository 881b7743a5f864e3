"""Running headers and footers on scanned pages, built from words in code.

Tesseract reads a running line with a letter wrong, noise before it, a digit misread or a
piece of it only; a scanner's text layer may be garbled. Each test lays out a short document
whose running line is read so on its scanned pages and checks that it is marked as a running
line on every page, text and scanned, while body lines stay body.
"""

from __future__ import annotations

from helpers import set_words as words

from ceser_explorer.ingest import layout
from ceser_explorer.ingest.layout import ZONE, Line
from ceser_explorer.ingest.pdfread import RawPage, Word

BODY = [
    "Le CESER a entendu les acteurs de la filière et les services de la Région.",
    "Il relève que les moyens engagés restent en deçà des besoins des territoires.",
    "Les entreprises demandent un accompagnement plus lisible et plus durable.",
]
HEADING_TOP = 56
PUBLICS = ["entreprises", "apprentis", "salariés", "demandeurs d'emploi", "artisans", "jeunes"]


def heading(number: int) -> str:
    """A heading set in the running zone of each page, alike from page to page and numbered as
    the page: a head read with letters wrong reads no closer to the next."""
    return f"Préconisation {number} : renforcer l'accompagnement des {PUBLICS[number % 6]}"


def body(first: int = 0) -> list[Word]:
    return [w for k, t in enumerate(BODY) for w in words(BODY[(k + first) % 3], 300 + 14 * k, 10)]


def page(
    number: int, head: str | None, foot: str | None, scanned: bool, extra=()
) -> layout.PageLayout:
    """A page of body text opening on its heading, inside the running zone, under its head."""
    ws = body(number) + [w for text, top in extra for w in words(text, top, 10)]
    ws += words(heading(number), HEADING_TOP, 12)
    if head:
        ws += words(head, 40)
    if foot:
        ws += words(foot, 800)
    return sheet(number, ws, scanned)


def sheet(number: int, ws: list[Word], scanned: bool = False) -> layout.PageLayout:
    """An A4 page holding ws, read from its text layer or scanned."""
    return layout.layout_page(RawPage(number, 595, 842, ws, ocr=scanned))


def cover() -> layout.PageLayout:
    return sheet(1, words("Avis sur la filière cosmétique régionale", 300, 20))


def roles(pages: list[layout.PageLayout]) -> dict[tuple[int, str], str]:
    layout.mark_running_lines(pages)
    return {(p.number, ln.text): ln.role for p in pages for ln in p.items if isinstance(ln, Line)}


def body_stays(got: dict[tuple[int, str], str]) -> bool:
    """Whether the pages' headings, in the running zone, and their body text stay text."""
    probes = [(n, h) for n in range(2, 9) for h in (heading(n),) if (n, h) in got]
    assert probes and HEADING_TOP + 12 < ZONE * 842  # headings to probe, in the running zone
    return all(got[p] == "body" for p in probes) and all(
        role == "body" for (_, text), role in got.items() if text in BODY
    )


def test_a_head_on_a_text_page_and_read_with_noise_on_a_scan_is_running() -> None:
    # odd and even heads: « Région Auvergne-Rhône-Alpes » on pages 2 and 4 only; page 4 is
    # scanned and Tesseract reads a logo's edge before it
    pages = [
        cover(),
        page(2, "Région Auvergne-Rhône-Alpes", "page 2 sur 5", False),
        page(3, "Schéma · 24 mars 2022", "page 3 sur 5", False),
        page(4, "EI Région Auvergne-Rhône-Alpes", "page 4 sur 5", True),
        page(5, "Schéma · 24 mars 2022", "page 5 sur 5", False),
    ]
    got = roles(pages)
    assert got[(2, "Région Auvergne-Rhône-Alpes")] == "header"
    assert got[(4, "EI Région Auvergne-Rhône-Alpes")] == "header"
    assert body_stays(got)


def test_a_digit_misread_on_a_scan_does_not_unmake_a_dated_head() -> None:
    # the year of a dated head read « 2023 » on the scanned page: its numbers no longer follow
    # the page nor stay the same, which had the head kept as text on every page
    pages = [cover()] + [page(n, "Avis · 11 mars 2025", None, False) for n in (2, 3, 4)]
    pages.append(page(5, "Avis · 11 mars 2023", None, True))
    got = roles(pages)
    assert all(got[(n, "Avis · 11 mars 2025")] == "header" for n in (2, 3, 4))
    assert got[(5, "Avis · 11 mars 2023")] == "header"
    assert body_stays(got)


def test_a_head_printed_on_scanned_pages_only_is_found_among_their_readings() -> None:
    # every page after the cover is scanned, and each reads the head a little differently
    heads = ["CESER Bretagne – Avis", "CESER Brctagne – Avis", "CESER Bretagne – Avls"]
    pages = [cover()] + [page(n, h, None, True) for n, h in zip((2, 3, 4), heads, strict=True)]
    got = roles(pages)
    assert [got[(n, h)] for n, h in zip((2, 3, 4), heads, strict=True)] == ["header"] * 3
    assert body_stays(got)


def test_a_piece_of_a_head_on_a_scans_top_row_is_running() -> None:
    # Tesseract dropped « Avis · » of the head and read « mai 2019 » alone
    pages = [cover()] + [page(n, "Avis · mai 2019", None, False) for n in (2, 3, 4)]
    pages.append(page(5, "mai 2019", None, True))
    got = roles(pages)
    assert got[(5, "mai 2019")] == "header"
    assert body_stays(got)


def test_headings_at_the_top_of_scanned_pages_are_no_running_head() -> None:
    # two scanned pages open on headings alike but for their number, neither following the
    # page; and different first lines stay text
    pages = [
        cover(),
        page(2, "Action 2", None, True),
        page(3, "Contexte régional", None, True),
        page(4, "Action 7", None, True),
    ]
    got = roles(pages)
    assert got[(2, "Action 2")] == got[(4, "Action 7")] == "body"
    assert got[(3, "Contexte régional")] == "body"
    assert body_stays(got)


def test_an_end_of_a_head_and_a_misread_footer_on_a_scan_are_running() -> None:
    # the head's first words lost in noise; « page 5 sur 5 » read « page Gsur 5 »
    head = "CESER Hauts-de-France – Avis"
    pages = [cover()] + [page(n, head, f"page {n} sur 5", False) for n in (2, 3, 4)]
    pages.append(page(5, "- Avis", "page Gsur 5", True))
    got = roles(pages)
    assert got[(5, "- Avis")] == got[(5, "page Gsur 5")] == "header"
    assert body_stays(got)


def test_the_covers_head_is_running_when_every_other_page_is_scanned() -> None:
    # the head is printed on the cover too; every other page is scanned and Tesseract reads
    # its « · » as nothing: the cover's head, read from text, is the same running line
    first = sheet(
        1, words("Avis · 9 octobre 2023", 40) + words("Avis sur l'apprentissage en région", 300, 20)
    )
    pages = [first] + [
        page(n, "Avis 9 octobre 2023", f"page {n} sur 5", True) for n in (2, 3, 4, 5)
    ]
    got = roles(pages)
    assert got[(1, "Avis · 9 octobre 2023")] == "header"
    assert all(got[(n, "Avis 9 octobre 2023")] == "header" for n in (2, 3, 4, 5))


def test_notes_alike_at_the_foot_of_two_scanned_pages_stay_text() -> None:
    # the same source note above the page number of two scanned pages: no running line
    note = "Source : services de la Région, traitement de la commission."
    pages = [cover()] + [
        page(n, None, f"page {n} sur 3", True, [(f"{n} {note}", 770)]) for n in (2, 3)
    ]
    got = roles(pages)
    assert got[(2, f"2 {note}")] == got[(3, f"3 {note}")] == "body"
    assert body_stays(got)


def test_odd_and_even_heads_of_a_short_scanned_document_echo_the_cover() -> None:
    # three pages, odd and even heads: each head is printed once, on a scanned page; both
    # repeat the cover, in smaller type than the page's text
    first = sheet(1, words("Région Grand Est", 200, 14) + words("Délibération", 300, 20))
    more = [(t, 360 + 14 * k) for k, t in enumerate(BODY)]
    pages = [
        first,
        page(2, "Région Grand Est", "page 2 sur 3", True, more),
        page(3, "Région Grand Est - Délibération", "page 3 sur 3", True, more),
    ]
    got = roles(pages)
    assert got[(2, "Région Grand Est")] == got[(3, "Région Grand Est - Délibération")] == "header"
    assert body_stays(got)


def test_a_dated_footer_on_the_cover_is_running_when_the_scans_drop_its_dot() -> None:
    # « 2019 · page 1 » read from text on the cover, « 2019 page 2 » … on the scanned pages
    first = sheet(1, words("Avis sur la filière", 300, 20) + words("2019 · page 1", 800))
    pages = [first] + [page(n, None, f"2019 page {n}", True) for n in (2, 3, 4)]
    got = roles(pages)
    assert got[(1, "2019 · page 1")] == "header"
    assert all(got[(n, f"2019 page {n}")] == "header" for n in (2, 3, 4))


def scanned(number: int, top: str | None, size: float = 12, more: int = 0) -> layout.PageLayout:
    """A scanned page of body text (more lines of it below) whose first line is top."""
    ws = body(number) + [
        w for k in range(more) for w in words(BODY[(number + k) % 3], 360 + 14 * k, 10)
    ]
    if top:
        ws += words(top, 40, size)
    return sheet(number, ws, True)


def test_alike_headings_atop_two_pages_of_a_scanned_document_stay_text() -> None:
    # a scanned avis opens two pages on numbered headings that share their words, each number
    # that of its page; the cover's title, in the running zone too, reads alike
    title = "Renforcer l'accompagnement des entreprises"
    first = sheet(1, words(title, 40, 20) + words("Avis du CESER", 300, 20), True)
    pages = [first, scanned(2, heading(2)), scanned(3, heading(3))]
    pages += [scanned(n, None) for n in (4, 5, 6)]
    got = roles(pages)
    assert got[(1, title)] == got[(2, heading(2))] == got[(3, heading(3))] == "body"


def test_alike_headings_atop_three_scanned_pages_stay_text() -> None:
    # set well larger than the pages' text: headings, however many pages they open
    pages = [cover()] + [scanned(n, heading(n), size=14, more=3) for n in (2, 3, 4)]
    got = roles(pages)
    assert all(got[(n, heading(n))] == "body" for n in (2, 3, 4))


def test_a_heading_read_from_text_beside_a_scanned_one_stays_text() -> None:
    # the text cover's title and the scanned pages' headings read alike: the title, in large
    # type, is no text reading of a running head
    title = "Préconisations : renforcer l'accompagnement des entreprises"
    first = sheet(1, words(title, 40, 20))
    pages = [first, scanned(2, heading(2)), scanned(3, heading(3))]
    got = roles(pages)
    assert got[(1, title)] == got[(2, heading(2))] == got[(3, heading(3))] == "body"


def test_the_small_head_of_a_short_scanned_document_runs_on_its_two_pages() -> None:
    # three scanned pages; the head, in small type, is printed on the last two only and read
    # with a letter wrong on one
    heads = ["CESER Normandie · Contribution", "CESER Normandle · Contribution"]
    pages = [scanned(1, None)] + [
        scanned(n, h, size=8, more=3) for n, h in zip((2, 3), heads, strict=True)
    ]
    got = roles(pages)
    assert got[(2, heads[0])] == got[(3, heads[1])] == "header"


def comparisons(count: int, monkeypatch) -> int:
    """How many readings mark_running_lines compares on a scanned document of count pages
    whose head each page misreads its own way (one or two letters wrong, where the page number
    says)."""
    head = "CESER Bourgogne-Franche-Comté · avis sur la mobilité"
    first = sheet(1, words(head, 40) + words("Avis sur la mobilité", 300, 20))
    pages = [first]
    for n in range(2, count + 1):
        misread = list(head)
        for k in {6 + n % 40, 7 + (n // 40 + n) % 40}:  # no two pages alike
            misread[k] = "x" if head[k] != "x" else "y"
        pages.append(page(n, "".join(misread), f"page {n}", True))
    made = 0

    class Counting(layout.SequenceMatcher):
        def __init__(self, *args, **kwargs) -> None:
            nonlocal made
            made += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(layout, "SequenceMatcher", Counting)
    layout.mark_running_lines(pages)
    assert all(ln.role == "header" for p in pages for ln in p.items if ln.text.startswith("CESER"))
    return made


def test_the_comparisons_of_a_long_scanned_document_grow_with_its_pages(monkeypatch) -> None:
    # each misreading is a reading of the one head: a page's lines are compared with it once,
    # not with every misreading (twice the pages took four times the comparisons)
    assert comparisons(120, monkeypatch) < 2.5 * comparisons(60, monkeypatch)
