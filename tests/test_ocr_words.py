"""Words of scanned pages: specks, misread letters, lost line-end hyphens, the scanner's text
layer against Tesseract's reading."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers import needs_tesseract
from pdfgen import text_image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ceser_explorer.ingest import layout, parse_pdf
from ceser_explorer.ingest.ocrwords import clean, french_share, lost_hyphen, rejoin_lines
from ceser_explorer.ingest.rawpage import Word

KNOWN = frozenset(
    "reconnus majoritairement les solutions laboratoires régionaux négociations se le de la "
    "des acheteurs publics "
    "collectivité fixer un objectif annuel".split()
)


def word(text: str, x0: float = 0.0, top: float = 0.0, line: int = 1, group: int = 1) -> Word:
    width = 6.0 * max(len(text), 1)
    return Word(text, x0, top, x0 + width, top + 10.0, 0.0, group=group, line=line)


def test_specks_and_rules_go_real_punctuation_stays():
    speck = Word(".", 100, 3, 100.6, 3.8, 0.0, group=1, line=1)
    rule = Word("|", 130, 0, 130.4, 12, 0.0, group=1, line=1)
    colon = Word(":", 150, 1, 151.8, 6.5, 0.0, group=1, line=1)
    out = clean([word("Des"), speck, word("_solutions", 40), rule, colon], KNOWN)
    assert [w.text for w in out] == ["Des", "solutions", ":"]


@pytest.mark.parametrize(
    ("read", "mended"),
    [
        ("s0lutions", "solutions"),
        ("Jaboratoires,", "laboratoires,"),
        ("5e", "5e"),  # an ordinal (cinquième) stays
        ("2025", "2025"),
        ("JO", "JO"),
        ("Absten|4", "Absten|4"),
    ],
)
def test_letters_read_as_digits_are_mended_only_into_french_words(read: str, mended: str):
    assert [w.text for w in clean([word(read)], KNOWN)] == [mended]


def test_a_speck_after_a_line_end_hyphen_goes():
    assert [w.text for w in clean([word("trans-."), word("ports", line=2)], KNOWN)] == [
        "trans-",
        "ports",
    ]


def test_what_tesseract_barely_believes_goes_unless_french_or_carried_over_a_line_end():
    words = [word("Sommaire", line=1), word("spnnn", 60, line=1), word("nee", 100, line=1)]
    words[1].conf, words[2].conf = 0.0, 12.0  # dot leaders read as letters
    words += [word("reconnus", line=2), word("majori-", 60, line=2)]
    words[3].conf = 24.0  # a French word Tesseract doubts
    words += [word("tairement", 0, 12, line=3), word("le", 60, 12, line=3)]
    words[5].conf, words[6].conf = 18.0, 2.0  # the end of a word cut at the line end; noise
    assert [w.text for w in clean(words, KNOWN)] == [
        "Sommaire",
        "reconnus",
        "majori-",
        "tairement",
    ]


def test_a_word_cut_at_the_line_end_is_mended_whole_and_a_leading_comma_goes():
    words = [word("des", line=1), word("s0-", 30, line=1)]
    words += [word(",", 0, 12, line=2), word("lutions", 10, 12, line=2)]
    assert [w.text for w in clean(words, KNOWN)] == ["des", "so-", "lutions"]


def test_lost_hyphen_needs_a_french_word_and_one_half_that_is_none():
    assert lost_hyphen("régio", "naux", KNOWN)
    assert lost_hyphen("négocia", "tions", KNOWN)  # « négocia » alone is a verb form
    assert not lost_hyphen("de", "la", KNOWN)  # two words
    assert not lost_hyphen("par", "la", KNOWN | {"parla"})  # « par »: no word of the lexicon
    assert not lost_hyphen("les", "solutions", KNOWN)
    assert not lost_hyphen("régio", "Naux", KNOWN)  # the next line starts a name
    assert not lost_hyphen("CO", "llectivité", KNOWN)


def test_tesseract_lines_of_one_paragraph_get_their_hyphen_back():
    words = [word("acheteurs", line=1), word("régio", 60, line=1), word("naux", 0, 12, line=2)]
    assert [w.text for w in clean(words, KNOWN)] == ["acheteurs", "régio-", "naux"]
    # another paragraph of Tesseract's: no join
    words = [word("régio", line=1, group=1), word("naux", 0, 12, line=2, group=2)]
    assert [w.text for w in clean(words, KNOWN)] == ["régio", "naux"]


def _line(texts: list[str], top: float, col: int = 0) -> layout.Line:
    words, x = [], 56.0
    for t in texts:
        words.append(Word(t, x, top, x + 6 * len(t), top + 10, 10.0))
        x += 6 * len(t) + 3
    return layout.Line(1, col, words, 10.0, text=" ".join(texts))


def test_text_layer_lines_lose_no_hyphen_and_keep_none_apart():
    a = _line(["les", "acheteurs", "régio", "-"], 100)
    b = _line(["naux", "et", "fixer", "un", "objec"], 112)
    c = _line(["tif", "annuel"], 124)
    other_col = _line(["tif"], 136, col=1)
    rejoin_lines([[a, b, c, other_col]], KNOWN)
    assert a.text.endswith("régio-") and [w.text for w in a.words][-1] == "régio-"
    assert b.text.endswith("objec-")
    assert c.text == "tif annuel"


def test_french_share_counts_words_of_two_characters_with_a_letter():
    assert french_share([word("les"), word("s0lutions"), word("a"), word("2025")], KNOWN) == 0.5


# -- a scan with the scanner's own text layer --------------------------------------------------

LINES = [
    "La Région soutient les lycées professionnels qui ouvrent des",
    "formations aux métiers de la transition énergétique. Le CESER",
    "souhaite que ces formations soient présentées aux collégiens",
    "dès la classe de quatrième, avec leurs débouchés dans chaque",
    "bassin d'emploi, et que les entreprises qui recrutent ouvrent",
    "leurs ateliers aux élèves pendant les semaines de découverte.",
]
GARBLED = [
    "La Rcgion 5outient lc5 lyccc5 profe55ionnel5 qui 0uvrent dc5",
    "f0rmati0n5 aux rnctier5 dc la tran5iti0n cncrgctiquc. Lc CESER",
    "50uhaite quc cc5 f0rmati0n5 50icnt prc5cntcc5 aux c0llcgicn5",
    "dc5 la cla55c dc quatricmc, avcc lcur5 dcb0uchc5 dan5 chaquc",
    "ba55in d'cmpl0i, ct quc lc5 cntrepri5c5 qui rccrutcnt 0uvrcnt",
    "lcur5 atclier5 aux clcvc5 pcndant lc5 5cmainc5 dc dcc0uvcrtc.",
]


def scan_with_layer(path: Path, layer: list[str]) -> Path:
    """A page: the paragraph as a 200 dpi image, and an invisible text layer over it."""
    img = text_image(LINES, left=200, top=600)
    w, h = A4
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=w, height=h)
    for k, line in enumerate(layer):
        t = c.beginText(72, h - (600 + 52 * k + 30) * 72 / 200)
        t.setTextRenderMode(3)  # invisible, as scanners write it
        t.setFont("Helvetica", 12)
        t.textOut(line)
        c.drawText(t)
    c.showPage()
    c.save()
    return path


@needs_tesseract
def test_a_garbled_scanner_layer_gives_way_to_tesseract(tmp_path: Path):
    doc = parse_pdf(scan_with_layer(tmp_path / "garbled.pdf", GARBLED), ocr=True)
    assert doc.ocr_pages == (1,)
    text = " ".join(p.text for p in doc.passages)
    assert "transition énergétique" in text and "5outient" not in text


def test_a_good_scanner_layer_is_read_without_ocr(tmp_path: Path):
    doc = parse_pdf(scan_with_layer(tmp_path / "good.pdf", LINES), ocr=False)
    assert doc.ocr_pages == ()
    assert "transition énergétique" in " ".join(p.text for p in doc.passages)


def test_an_ellipsis_read_as_three_full_stops_is_one_character():
    # the running head « … de la deep… » of the text pages reads the same on a scanned page
    assert [w.text for w in clean([word("deep...")], KNOWN)] == ["deep…"]


def test_when_tesseract_fails_on_a_scan_the_scanner_layer_is_read(tmp_path: Path, monkeypatch):
    from ceser_explorer.ingest import pdfread

    def fails(*args: object) -> None:
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr(pdfread, "recognise", fails)
    doc = parse_pdf(scan_with_layer(tmp_path / "good.pdf", LINES), ocr=True)
    assert doc.ocr_pages == ()
    assert "transition énergétique" in " ".join(p.text for p in doc.passages)


def test_a_speck_read_as_a_full_stop_before_a_word_in_lower_case_goes():
    words = [word("de", line=1), word("comprendre."), word("les"), word("limites.")]
    words += [word("Les", line=2), word("etc.", line=2), word("les", line=2)]
    words += [word("I.", line=3), word("du", line=3)]
    assert [w.text for w in clean(words, KNOWN | {"comprendre", "limites"})] == [
        "de",
        "comprendre",
        "les",
        "limites.",
        "Les",
        "etc.",
        "les",
        "I.",
        "du",
    ]


def test_a_speck_before_the_rest_of_a_cut_word_goes():
    # a bilevel scan's speck at the start of the next line, read as a hyphen glued to the word
    words = [word("secrétariat,"), word("majori-"), word("-tairement", line=2, group=2)]
    words += [word("occupées", line=2, group=2), word("-", line=3), word("la", line=3)]
    assert [w.text for w in clean(words, KNOWN)] == [
        "secrétariat,",
        "majori-",
        "tairement",
        "occupées",
        "-",
        "la",
    ]


def test_a_speck_read_as_a_mark_after_a_word_goes_when_the_sentence_goes_on():
    words = [word("formés!"), word("pour"), word("entreprises?", line=2)]
    words += [word("les", line=3), word("limites?", line=3), word("Les", line=3)]
    # a running foot read after the paragraph's last line is no part of its sentence
    words += [
        word("employeurs.", line=4),
        word("page", line=5, group=2),
        word("5", line=5, group=2),
    ]
    known = KNOWN | {"formés", "entreprises", "limites", "employeurs"}
    assert [w.text for w in clean(words, known)] == [
        "formés",
        "pour",
        "entreprises",
        "les",
        "limites?",
        "Les",
        "employeurs.",
        "page",
        "5",
    ]


def test_a_line_end_hyphen_read_with_a_dash_after_it_is_one_hyphen():
    words = [word("des"), word("forma-—"), word("tions", line=2, group=1)]
    assert [w.text for w in clean(words, KNOWN)][:2] == ["des", "forma-"]


def test_words_tesseract_parts_keep_their_space_however_narrow():
    # at 150 dpi the space before « que » is under an eighth of the text height: Tesseract
    # parts the words all the same, and a text layer's rule (glue what is closer) must not
    # undo it
    row = [word("regrette", 0.0), word("que", 48.3), word("le", 68.5)]
    assert layout._join_words(row, ocr=True) == "regrette que le"
    assert layout._join_words(row) == "regretteque le"
    elided = [word("d’", 0.0), word("emploi", 12.3)]
    assert layout._join_words(elided, ocr=True) == "d’emploi"
