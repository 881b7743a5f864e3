"""Characters as producers print them: ligatures, hyphen code points, letter-spaced words."""

from __future__ import annotations

import pytest

from ceser_explorer.ingest.chars import clean_word, ends_with_break, letter_spaced_runs


@pytest.mark.parametrize(
    ("printed", "plain"),
    [
        ("ﬁnancement", "financement"),
        ("eﬃcace", "efficace"),
        ("ﬂux", "flux"),
        ("porte\u2010parole", "porte-parole"),
        ("Carif\u2011Oref", "Carif-Oref"),
        ("forma\u2010", "forma-"),
        ("forma\u2212", "forma-"),
        ("−5", "−5"),  # a real minus before a figure stays
        ("accom\u00adpagnement", "accompagnement"),
        ("accom\u00ad", "accom\u00ad"),
        ("l’accom\u00adpagnement,", "l’accompagnement,"),
        # a soft hyphen drawn mid-line is a hyphen (a font whose hyphen glyph maps to U+00AD)
        ("Haute\u00adMarne", "Haute-Marne"),
        ("2022\u00ad2027", "2022-2027"),
        ("trente\u00adsix", "trente-six"),
    ],
)
def test_clean_word(printed: str, plain: str) -> None:
    assert clean_word(printed) == plain


def test_line_break_kinds() -> None:
    assert ends_with_break("forma\u00ad") == "soft"
    assert ends_with_break("forma-") == "hyphen"
    assert ends_with_break("formation") is None


def test_letter_spaced_words_are_closed_up_but_stay_apart() -> None:
    # « A V I S  D U  C E S E R »: 2 pt between letters, 7 pt between words
    texts = list("AVIS") + list("DU") + list("CESER")
    gaps = [2, 2, 2, 7, 2, 7, 2, 2, 2, 2]
    joined = letter_spaced_runs(texts, gaps, 12)
    words, current = [], texts[0]
    for t, glue in zip(texts[1:], joined, strict=True):
        if glue:
            current += t
        else:
            words.append(current)
            current = t
    words.append(current)
    assert words == ["AVIS", "DU", "CESER"]


def test_ordinary_words_are_not_joined() -> None:
    assert letter_spaced_runs(["à", "la", "Région"], [3, 3], 10) == [False, False]
    assert letter_spaced_runs(["y", "a", "à"], [3, 3], 10) == [False, False]
    assert letter_spaced_runs(list("avis"), [2, 2, 2], 10) == [True, True, True]


def test_a_spaced_out_year_is_closed_up_like_the_title_above_it() -> None:
    # the last line of a letter-spaced cover title, « 2 0 2 2 - 2 0 2 8 » (LibreOffice): read
    # as nine words, it opened with « 2 », the running page number of page 2
    texts = list("2022-2028")
    assert letter_spaced_runs(texts, [3.4] * 8, 24) == [True] * 8
    # three digits are not enough: « 1 2 3 » may be three numbers
    assert letter_spaced_runs(list("123"), [3, 3], 10) == [False, False]


def test_a_table_cell_joins_words_cut_with_any_hyphen_character() -> None:
    from ceser_explorer.ingest.pdfread import _cell_text

    cell = "le temps de tra\u2010\nvail, en lien avec les sala\u00ad\nriés et leurs e\ufb00orts"
    assert _cell_text(cell) == "le temps de travail, en lien avec les salariés et leurs efforts"
