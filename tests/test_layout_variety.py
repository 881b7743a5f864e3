"""Reading order and paragraphs on layouts of other producers, built from words in code.

Each test sets words on a page the way one producer does (a heading over balanced columns,
a pull quote beside a column, a list mark hanging in the gutter, a paragraph that goes on
after a full stop at a column's foot) and checks what extraction reads.
"""

from __future__ import annotations

from ceser_explorer.ingest import layout, paragraphs
from ceser_explorer.ingest.layout import FULL, Line
from ceser_explorer.ingest.pdfread import RawPage, Word

SIZE = 10.0
PITCH = 13.0


def words(text: str, x: float, top: float, size: float = SIZE, bold: bool = False) -> list[Word]:
    """Return the words of text set from x on one line (5 pt per letter, 3 pt spaces)."""
    out = []
    for w in text.split():
        out.append(Word(w, x, top, x + 5 * len(w), top + size, size, bold))
        x += 5 * len(w) + 3
    return out


def column(lines: list[str], x: float, top: float) -> list[Word]:
    return [w for k, t in enumerate(lines) for w in words(t, x, top + k * PITCH)]


def page(ws: list[Word], number: int = 1) -> layout.PageLayout:
    return layout.layout_page(RawPage(number, 595, 842, ws))


def texts(p: layout.PageLayout) -> list[tuple[int, str]]:
    return [(i.col, i.text) for i in p.items if isinstance(i, Line)]


FILLER = ["mot " * 6 + "fin"] * 6  # a column of full lines, 7 words each


def test_a_short_heading_over_balanced_columns_parts_them() -> None:
    # a heading spanning the columns but shorter than the first one: the columns above it
    # are read before it, the columns below after it
    ws = column(["aaa " * 6 + "a1"] * 4, 50, 100) + column(["bbb " * 6 + "b1"] * 4, 320, 100)
    ws += words("Titre", 50, 170, 14, bold=True)
    ws += column(["ccc " * 6 + "c1"] * 4, 50, 200) + column(["ddd " * 6 + "d1"] * 4, 320, 200)
    got = texts(page(ws))
    order = [t.split()[0] for _, t in got]
    assert order == ["aaa"] * 4 + ["bbb"] * 4 + ["Titre"] + ["ccc"] * 4 + ["ddd"] * 4
    assert (FULL, "Titre") in got


def test_a_bold_line_beside_another_column_does_not_part_the_page() -> None:
    # a box ends just above the heading in the other column: it is a heading of its column
    ws = column(["aaa " * 6 + "a1"] * 2, 50, 100) + column(["bbb " * 6 + "b1"] * 3, 320, 100)
    ws += words("Titre", 50, 127, 13, bold=True)
    ws += column(["ccc " * 6 + "c1"] * 3, 50, 160) + column(["ddd " * 6 + "d1"] * 3, 320, 141)
    got = texts(page(ws))
    assert (0, "Titre") in got


def test_a_pull_quote_beside_one_column_is_a_column_of_its_own() -> None:
    body = column(["lorem ipsum dolor sit amet consectetur adipiscing"] * 10, 50, 100)
    quote = column(["une phrase reprise", "du texte en exergue", "bien en vue ici"], 360, 130)
    got = texts(page(body + quote))
    assert [t for c, t in got if c == 1] == [
        "une phrase reprise",
        "du texte en exergue",
        "bien en vue ici",
    ]
    assert all(t.startswith("lorem") for c, t in got if c == 0)


def test_a_list_mark_hanging_in_the_gutter_goes_with_its_item() -> None:
    left = column(["lorem ipsum dolor sit amet"] * 8, 50, 100)
    right = column(
        ["Associer les hôpitaux", "non universitaires", "aux essais cliniques"], 340, 100
    )
    right += column(["mot mot mot mot"] * 6, 340, 140)
    mark = words("4.", 318, 100)
    got = texts(page(left + right + mark))
    assert (1, "4. Associer les hôpitaux") in got
    assert all(not t.endswith("4.") for _, t in got)


def _passages(pages: list[layout.PageLayout]) -> list[str]:
    drafts, _ = paragraphs.build_passages(pages, SIZE)
    return [d.text for d in drafts]


def test_a_paragraph_goes_on_in_the_next_column_after_a_full_stop_on_a_full_line() -> None:
    # justified text: the column ends with a sentence on a full line, the next column goes on
    left = column(
        ["aaaa bbbb cccc dddd eeee ffff gggg"] * 5 + ["aaaa bbbb cccc dddd eeee ffff fin."], 50, 100
    )
    right = column(["Suite dddd eeee ffff gggg hhhh iiii"] * 5 + ["court."], 330, 100)
    got = _passages([page(left + right)])
    assert len(got) == 1 and "fin. Suite" in got[0]


def test_a_paragraph_ends_at_a_column_foot_when_the_next_word_would_have_fitted() -> None:
    left = column(["aaaa bbbb cccc dddd eeee ffff gggg"] * 5 + ["aaaa fin."], 50, 100)
    right = column(["Suite dddd eeee ffff gggg hhhh iiii"] * 5 + ["court."], 330, 100)
    got = _passages([page(left + right)])
    assert len(got) == 2 and got[0].endswith("aaaa fin.")


def test_a_running_head_printed_on_one_page_only_is_a_header() -> None:
    # a short document prints its running head on its last page only: it echoes the cover
    title = "Métiers en tension : comprendre les difficultés de recrutement"
    cover = page(words(title, 50, 300, 20, bold=True), 1)
    inner = page(column(FILLER, 50, 200), 2)
    last = page(
        words("Avis – Métiers en tension : comprendre les difficultés…", 50, 30, 7)
        + column(FILLER, 50, 200),
        3,
    )
    layout.mark_running_lines([cover, inner, last])
    roles = {i.text: i.role for i in last.items if isinstance(i, Line)}
    assert roles["Avis – Métiers en tension : comprendre les difficultés…"] == "header"
    assert all(i.role == "body" for i in inner.items if isinstance(i, Line))


def test_a_footnote_call_touching_the_line_above_goes_with_its_own_line() -> None:
    # 11 pt text every 14.3 pt, a 9 pt call raised 3.9 pt after « reste »: its top reaches
    # the descenders of the line above, but it overlaps its own line far more
    above = words("l’enseignement supérieur en partie", 56, 389.65, 11.0)
    reste = words("reste", 56, 403.95, 11.0)
    call = Word("1", reste[0].x1, 399.97, reste[0].x1 + 5.7, 408.97, 9.0)
    below = reste + words("concentrée dans les agglomérations.", call.x1 + 3, 403.95, 11.0)
    p = page([*above, call, *below])
    lines = [i for i in p.items if isinstance(i, Line)]
    layout.drop_superscripts(lines[0])
    layout.drop_superscripts(lines[1])
    assert [ln.text for ln in lines] == [
        "l’enseignement supérieur en partie",
        "reste concentrée dans les agglomérations.",
    ]


def test_a_call_dropped_from_an_ocr_line_keeps_tesseracts_word_breaks() -> None:
    # on a 150 dpi scan the space before « que » is narrower than a text layer's space; with
    # a raised call further on, the line is joined again without it, still as Tesseract parted
    # its words (not « regretteque »)
    size = 11.0
    first = words("Le CESER regrette", 56, 400, size)
    que = words("que", first[-1].x1 + 0.8, 400, size)
    rest = words("le texte", que[-1].x1 + 3, 400, size)
    call = Word("1", rest[0].x1, 396.0, rest[0].x1 + 5.0, 405.0, 8.0)
    line = Line(1, 0, [*first, *que, rest[0], call, rest[1]], size, ocr=True)
    layout.drop_superscripts(line)
    assert line.text == "Le CESER regrette que le texte"


def test_a_paragraph_goes_on_below_a_sidebar_set_beside_it() -> None:
    # full-width text, then a band where the text runs beside a narrower sidebar (its own
    # label and figures, closer lines), then full-width text again: the paragraph left
    # unfinished at the band's foot goes on below the band; the sidebar is no part of it
    full = "mot " * 20 + "fin"  # 50 to 541
    top = column([full] * 3 + ["aaaa fin."], 50, 100)
    beside = column(["Texte " + "mot " * 11] + ["mot " * 12] * 7, 50, 160)  # 50 to 326
    label = ["En bref"] + ["Chiffre " + "cccc " * 5 + "fin."] * 8  # 345 to 524
    side = [w for k, t in enumerate(label) for w in words(t, 345, 150 + k * 11)]
    below = column(["suite de la phrase fin."] + [full] * 3, 50, 160 + 8 * PITCH)
    got = _passages([page(top + beside + side + below)])
    body = next(t for t in got if t.startswith("Texte"))
    assert body.endswith("mot suite de la phrase fin."), got
    assert "En bref" not in body and "Chiffre" not in body


def test_a_contents_list_without_leaders_keeps_each_page_number_with_its_entry() -> None:
    """Under « Sommaire », page numbers set flush right without leaders are read as a column
    of their own (« 3 3 2 2 » became a passage starting with a page number): each goes back
    to the entry on its row and the entries are a table of contents."""
    entries = ["Introduction", "1. Pourquoi agir", "2. Les étapes du parcours", "3. Les freins"]
    entries += ["4. Regard du CESER", "5. Recommandations", "Résultat du vote"]
    numbers = "3345669"

    def line(col: int, ws: list[Word]) -> Line:
        return Line(2, col, ws, ws[0].size, text=" ".join(w.text for w in ws))

    # as the columns of a real page left them: the entries, then the numbers' column
    items = [line(0, words("SOMMAIRE", 57, 80, size=14, bold=True))]
    items += [line(0, words(e, 57, 110 + k * 17)) for k, e in enumerate(entries)]
    items += [line(1, words(n, 533, 110 + k * 17)) for k, n in enumerate(numbers)]
    p = layout.PageLayout(2, 595, 842, list(items))
    layout.mark_toc(p)
    lines = [i for i in p.items if isinstance(i, Line)]
    assert not [ln.text for ln in lines if ln.text.isdigit()]
    toc = [ln.text for ln in lines if ln.role == "toc"]
    assert toc == [f"{e} {n}" for e, n in zip(entries, numbers, strict=True)]


def test_numbers_beside_labels_are_no_contents_list_without_its_title() -> None:
    """A vote box sets its counts flush right too: with no « Sommaire » above, nothing moves."""
    ws = []
    for k, (label, count) in enumerate([("Pour", "45"), ("Contre", "3"), ("Abstentions", "7")]):
        ws += words(label, 57, 110 + k * 17) + words(count, 533, 110 + k * 17)
    p = page(ws)
    before = texts(p)
    layout.mark_toc(p)
    assert texts(p) == before
    assert all(i.role == "body" for i in p.items if isinstance(i, Line))
