"""Scanned pages in two columns: the gutter is found on the image (a band of white down most
of the text with text on both sides), not on a page of one column, a table or a list, and the
columns are read apart so that Tesseract does not join a line of each into one."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from pdfgen import DEJAVU
from PIL import Image, ImageDraw, ImageFont

from ceser_explorer.ingest import ocr
from ceser_explorer.ingest.ocr import (
    GUTTER_HEIGHT,
    GUTTER_LINES,
    GUTTER_SIDES,
    _longest_run,
    column_parts,
    gutter,
    recognise,
    tesseract_available,
)

LEFT = textwrap.wrap(
    "Le CESER demande que les aides aux entreprises soient suivies chaque année par un comité "
    "où siègent les syndicats, les chambres consulaires et les associations de la région. Il "
    "souhaite que les critères d'attribution soient publiés avant chaque appel à projets, que "
    "les petites entreprises soient accompagnées dans leurs démarches et que les montants "
    "accordés figurent dans un rapport présenté en séance plénière. Il rappelle enfin que "
    "l'emploi durable doit rester le premier critère retenu pour toute aide régionale.",
    32,
)
RIGHT = textwrap.wrap(
    "La formation des agents reste la condition première d'un usage maîtrisé des outils "
    "numériques dans les services publics. Elle suppose des moyens fixés pour trois ans, un "
    "plan construit avec les organisations syndicales et des sessions ouvertes aux agents de "
    "toutes les catégories. Les usagers éloignés du numérique doivent garder un accueil "
    "humain dans chaque lycée et chaque antenne de la Région, quelle que soit la taille de "
    "la commune où ils vivent.",
    32,
)
WIDE = "Le CESER souhaite que la Région publie chaque année le bilan de ses aides"
RES = 200.0


def sheet(blocks: list[tuple[int, int, list[str]]]) -> Image.Image:
    """A 200 dpi A4 scan with blocks of lines, each (left, top, lines), a line every 52 px."""
    img = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(img)
    path = DEJAVU / "DejaVuSans.ttf"
    font = ImageFont.truetype(str(path), 28) if path.exists() else None
    for left, top, lines in blocks:
        for k, line in enumerate(lines):
            draw.text((left, top + 52 * k), line, fill=0, font=font)
    return img


def two_columns(heading: bool = False) -> Image.Image:
    top = 400 if heading else 220
    blocks = [(160, top, LEFT), (800, top, RIGHT)]
    if heading:
        blocks.append((160, 220, [WIDE]))
    return sheet(blocks)


def test_the_gutter_of_two_columns_is_found_between_them():
    found = gutter(two_columns(), RES)
    assert found is not None
    x, top, bottom = found
    assert 645 < x < 800  # right of the left column's longest line, left of the right one
    assert top <= 230 and bottom >= 220 + 52 * (len(LEFT) - 1)


def test_a_heading_across_both_columns_is_read_whole_above_them():
    parts = column_parts(two_columns(heading=True), RES)
    assert len(parts) == 3
    above, left, right = parts
    assert above[1] == 0 and 220 + 40 <= above[3] <= 400  # the heading's line, whole
    assert left[0] == 0 and left[2] == right[0] and right[2] == 1654


def test_a_page_of_one_column_has_no_gutter():
    lines = [WIDE, "et que le comité de suivi rende compte de leurs effets sur l'emploi."] * 20
    page = sheet([(160, 220, lines)])
    assert gutter(page, RES) is None
    assert column_parts(page, RES) == [(0, 0, 1654, 2339)]


def test_a_table_on_part_of_a_page_of_one_column_has_no_gutter():
    cells = ["Pour", "Contre", "Abstentions", "Ne prend pas part"]
    table = [(160, 220, cells), (800, 220, ["86", "7", "2", "1"])]
    text = [WIDE, "et que le comité de suivi rende compte de leurs effets sur l'emploi."] * 12
    assert gutter(sheet([*table, (160, 500, text)]), RES) is None


def test_a_list_with_its_numbers_apart_has_no_gutter():
    numbers = [f"{k}." for k in range(1, 21)]
    items = ["Le CESER demande un bilan annuel des aides publié en ligne."] * 20
    assert gutter(sheet([(160, 220, numbers), (240, 220, items)]), RES) is None


@pytest.mark.skipif(not tesseract_available(), reason="Tesseract with French is not installed")
def test_two_columns_are_read_column_by_column():
    reading = recognise(two_columns(heading=True), RES)
    lines: dict[int, list[str]] = {}
    for w in reading.words:
        lines.setdefault(w.line, []).append(w.text)
    texts = [" ".join(ws) for ws in lines.values()]
    # no line holds words of both columns
    assert not any("aides" in t and "formation" in t for t in texts)
    assert any(t.startswith("Le CESER demande que les aides") for t in texts)
    assert any(t.startswith("La formation des agents reste") for t in texts)


def _longest_run_by_loop(clear, both, text):
    """The search ocr.gutter made candidate by candidate, strip by strip, before it summed
    down the page at once: the reference the vectorised one must agree with."""
    n, m = clear.shape
    total = int(text.sum())
    best = None  # (lines, j, first strip, end strip)
    for j in range(m):
        start = None
        for s in range(n + 1):
            if s < n and (clear[s, j] or not text[s]):
                start = s if start is None else start
                continue
            if start is not None:
                lines, sides = int(text[start:s].sum()), int(both[start:s, j].sum())
                if (
                    lines >= GUTTER_HEIGHT * total
                    and sides >= max(GUTTER_LINES, GUTTER_SIDES * lines)
                    and (best is None or lines > best[0])
                ):
                    best = (lines, j, start, s)
                start = None
    return None if best is None else best[1:]


def test_the_longest_run_is_the_one_the_strip_by_strip_search_finds():
    rng = np.random.default_rng(12)
    found = 0
    for case in range(400):
        n, m = int(rng.integers(8, 60)), int(rng.integers(1, 40))
        text = rng.random(n) < rng.uniform(0.3, 1.0)
        # columns of white with a few strips inked, so that long runs (and ties) occur
        clear = rng.random((n, m)) < rng.uniform(0.3, 1.0)
        clear[:, rng.random(m) < 0.1] = True
        both = clear & (rng.random((n, m)) < rng.uniform(0.0, 1.0))
        want = _longest_run_by_loop(clear, both, text)
        assert _longest_run(clear, both, text) == want, case
        found += want is not None
    assert 50 < found < 350  # both outcomes were exercised


@pytest.mark.parametrize("heading", [False, True])
def test_the_gutter_is_the_one_the_strip_by_strip_search_gives(heading, monkeypatch):
    page = two_columns(heading)
    found = gutter(page, RES)
    monkeypatch.setattr(ocr, "_longest_run", _longest_run_by_loop)
    assert found is not None and gutter(page, RES) == found


def _scanned_pdf(path, image: Image.Image):
    """A PDF of one A4 page that is only the image (a scan without a text layer)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    image.save(buf, format="PNG")
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return path


@pytest.mark.skipif(not tesseract_available(), reason="Tesseract with French is not installed")
def test_a_paragraph_from_the_foot_of_one_column_goes_on_at_the_head_of_the_next(tmp_path):
    # the columns are read apart (the gutter is found): the left column's last line leaves
    # its sentence unfinished and the right column goes on with it, as on a text page
    from ceser_explorer.ingest import parse_pdf

    lines = textwrap.wrap(" ".join(LEFT + RIGHT), 32)  # one paragraph
    cut = next(
        k
        for k in range(len(lines) // 2, len(lines))
        if not lines[k - 1].endswith(".") and lines[k][:1].islower()
    )
    pdf = _scanned_pdf(
        tmp_path / "columns.pdf", sheet([(160, 220, lines[:cut]), (800, 220, lines[cut:])])
    )
    doc = parse_pdf(pdf, ocr=True)
    texts = [p.text for p in doc.passages]
    tail, head = lines[cut - 1].split()[-1], lines[cut].split()[0]
    assert any(f"{tail} {head}" in t and "Le CESER demande" in t for t in texts), texts
