"""Scanned pages: render an image-only page, turn it upright, read its words with Tesseract.

pdfread hands here the pages without a text layer, and the scans with a scanner's text layer
(it keeps whichever reading has more French words). The words come back as ``Word`` objects
with Tesseract's blocks, paragraphs and lines, in PDF points of the page turned upright, made
plain by ``ocrwords``; ``to_page`` maps the passages' boxes back onto the page as displayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pdfplumber
from PIL import Image

from ..config import Limits
from ..models import Box, PageText, PassageDraft
from . import ocrwords
from .lexicon import french_words
from .rawpage import Word

OCR_RESOLUTION = 300
# Image pages that Tesseract reads at once in one process (each Tesseract on one core: the
# extraction workers set OMP_THREAD_LIMIT=1).
OCR_THREADS = 2
OCR_HINT = (
    "installez Tesseract avec le français (apt-get install tesseract-ocr-fra) "
    "puis relancez « ceser ingest »"
)


def tesseract_available() -> bool:
    """Return True when Tesseract and its French data can be used."""
    try:
        import pytesseract

        return "fra" in pytesseract.get_languages(config="")
    except Exception:
        return False


def ocr_resolution(width: float, height: float, limits: Limits) -> float:
    """Return the OCR resolution (dpi) of a page: 300, lowered to fit limits.pixels."""
    return 72.0 * limits.scale_within(width, height, OCR_RESOLUTION / 72.0)


@dataclass(frozen=True, slots=True)
class Reading:
    """What Tesseract read on a page image: its words, in points of the page turned upright
    and straightened, the clockwise turn (0, 90, 180 or 270 degrees) that set the page upright
    and the anticlockwise angle (degrees) that straightened its lines."""

    words: list[Word]
    turn: int = 0
    skew: float = 0.0


# PIL's transposes turn anticlockwise: each clockwise turn is the opposite transpose
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def upright(image: Image.Image) -> tuple[Image.Image, int]:
    """Return a scanned page turned upright when Tesseract's orientation detection says it
    lies on its side or upside down (else as it is), with the clockwise turn it was given."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
        angle = int(osd.get("rotate", 0)) % 360
    except Exception:  # too little text to tell: read it as it lies
        return image, 0
    # Tesseract gives the clockwise turn that sets the page upright
    if angle not in _TRANSPOSE:
        return image, 0
    return image.transpose(_TRANSPOSE[angle]), angle


# A sheet fed askew: Tesseract's page layout drops whole paragraphs of a page skewed by 2°
# (it keeps a few lines of each). The skew is measured on the image, up to MAX_SKEW degrees
# either way, and the page straightened before it is read when it leans by SKEW_MIN or more.
MAX_SKEW = 5.0
SKEW_MIN = 0.2


def skew_angle(image: Image.Image) -> float:
    """Return the anticlockwise angle (degrees) that makes a page's lines of text level: the
    one whose rows of ink are sharpest (the rows' ink counts differ most from row to row).
    Angles that score alike leave the nearest to level (a page without ink is not turned)."""
    small = image
    while min(small.size) > 1000:  # about 75 dpi is enough to see the lines
        small = small.reduce(2)
    ink = Image.fromarray(np.where(np.asarray(small.convert("L")) < 128, 255, 0).astype(np.uint8))

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        rows = np.asarray(turned, dtype=np.float64).sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    def best(angles: np.ndarray) -> float:
        return float(max(angles, key=lambda a: (sharpness(a), -abs(a))))

    coarse = best(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5))
    return round(best(np.arange(coarse - 0.4, coarse + 0.41, 0.1)), 1) + 0.0


def straighten(image: Image.Image) -> tuple[Image.Image, float]:
    """Return a page image with its lines of text level (turned about its centre, the same
    size, white where the turn uncovers), and the anticlockwise angle it was turned by."""
    angle = skew_angle(image)
    if abs(angle) < SKEW_MIN:
        return image, 0.0
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255), angle


def unskew_box(box: Box, skew: float, width: float, height: float) -> Box:
    """Return a box read on a page straightened by skew degrees (anticlockwise, about the centre
    of a page of width x height points) as it lies on the page before straightening: the box
    around its corners turned back."""
    if not skew:
        return box
    a = math.radians(skew)
    cx, cy = width / 2, height / 2
    xs, ys = [], []
    for x, y in ((box.x0, box.top), (box.x1, box.top), (box.x0, box.bottom), (box.x1, box.bottom)):
        # the straightened image holds the point p of the page at R(skew)(p - c) + c, R turning
        # anticlockwise on the screen (y downwards): p = R(-skew)(q - c) + c
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * math.cos(a) - dy * math.sin(a))
        ys.append(cy + dx * math.sin(a) + dy * math.cos(a))
    return replace(
        box,
        x0=max(min(xs), 0.0),
        top=max(min(ys), 0.0),
        x1=min(max(xs), width),
        bottom=min(max(ys), height),
    )


def page_box(box: Box, turn: int, width: float, height: float, skew: float = 0.0) -> Box:
    """Return a box read on a page turned upright (by turn degrees clockwise; width and height
    those of the upright page, in points) and straightened (by skew degrees anticlockwise) in
    the coordinates of the page as it is displayed (pdfplumber's and the explorer's: points
    from the top-left corner)."""
    box = unskew_box(box, skew, width, height)
    if turn == 90:  # the upright page's left edge was the displayed page's top
        return replace(box, x0=box.top, top=width - box.x1, x1=box.bottom, bottom=width - box.x0)
    if turn == 180:
        return replace(
            box,
            x0=width - box.x1,
            top=height - box.bottom,
            x1=width - box.x0,
            bottom=height - box.top,
        )
    if turn == 270:  # the upright page's left edge was the displayed page's bottom
        return replace(box, x0=height - box.bottom, top=box.x0, x1=height - box.top, bottom=box.x1)
    return box


def to_page(
    passages: list[PassageDraft],
    texts: list[PageText],
    turns: dict[int, tuple[int, float, float, float]],
) -> tuple[list[PassageDraft], list[PageText]]:
    """Return the passages with the boxes of the pages OCR turned upright or straightened
    mapped back onto the page as displayed, and the page texts with the displayed page size.

    turns: page number -> (clockwise turn, width, height of the upright page in points,
    anticlockwise straightening angle in degrees).
    """
    if not turns:
        return passages, texts

    def mapped(b: Box) -> Box:
        return page_box(b, *turns[b.page]) if b.page in turns else b

    out = []
    for p in passages:
        if any(b.page in turns for b in p.provenance.boxes):
            boxes = tuple(mapped(b) for b in p.provenance.boxes)
            p = replace(p, provenance=replace(p.provenance, boxes=boxes))
        out.append(p)
    sized = [
        replace(t, width=t.height, height=t.width)
        if t.page in turns and turns[t.page][0] in (90, 270)
        else t
        for t in texts
    ]
    return out, sized


def page_image(page: pdfplumber.page.Page, limits: Limits) -> tuple[Image.Image, float]:
    """Render the page for Tesseract, within limits.pixels (here: pdfplumber is not safe
    across threads); return the image and its resolution."""
    resolution = ocr_resolution(float(page.width), float(page.height), limits)
    # smoothed: a bilevel or low-resolution scan drawn larger keeps its letters' shapes
    image = page.to_image(resolution=resolution, antialias=True).original
    return image.convert("L"), resolution


# Two columns on a scan: Tesseract's page layout may read a line of each column as one line
# (a page turned upright, a narrow gutter). The gutter is looked for on the image itself, at
# about GUTTER_DPI: a band of white at least GUTTER_MIN inches wide, between 25 % and 75 % of
# the text's width, clear of ink down a run of lines that covers GUTTER_HEIGHT of the lines
# of text, with text close on both sides on GUTTER_SIDES of the run's lines (GUTTER_LINES at
# least). The columns beside the run are then read apart, what lies above and below it whole.
GUTTER_DPI = 75.0
GUTTER_MIN = 0.12
GUTTER_SIDE = 1.0
GUTTER_HEIGHT = 0.5
GUTTER_SIDES = 0.25
GUTTER_LINES = 5


def gutter(image: Image.Image, resolution: float) -> tuple[int, int, int] | None:
    """Return the gutter between two columns of text on an upright, level page image: its
    x and the rows from and to which it runs (pixels of the image), or None where there is
    none (one column, a table, a list)."""
    factor = max(1, round(resolution / GUTTER_DPI))
    small = image.convert("L").reduce(factor) if factor > 1 else image.convert("L")
    ink = np.asarray(small) < 170  # a speck of a noisy scan fades once averaged
    height, width = ink.shape
    dpi = resolution / factor
    strip = max(4, round(dpi * 0.16))  # about a line of body text
    n = height // strip
    if n < 8:
        return None
    per = ink[: n * strip].reshape(n, strip, width).sum(axis=1)  # ink per strip and column
    text = per.sum(axis=1) >= 3
    cols = np.nonzero(per[text].sum(axis=0))[0]
    if cols.size == 0 or text.sum() < 8:
        return None
    xs = np.nonzero(ink)[1]
    left_edge, right_edge = np.percentile(xs, 2), np.percentile(xs, 98)
    span = right_edge - left_edge
    band, side = max(2, round(dpi * GUTTER_MIN)), max(4, round(dpi * GUTTER_SIDE))
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(per, axis=1)], axis=1)

    def inked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return cum[:, np.clip(b, 0, width)] - cum[:, np.clip(a, 0, width)]

    x = np.arange(int(left_edge + 0.25 * span), int(left_edge + 0.75 * span) - band)
    if x.size == 0:
        return None
    clear = inked(x, x + band) == 0
    both = (inked(x - side, x) > 0) & (inked(x + band, x + band + side) > 0) & clear
    found = _longest_run(clear, both, text)
    if found is None:
        return None
    j, first, last = found
    ok = clear | ~text[:, None]
    # the middle of the widest band of x with the same run
    same = np.concatenate([[False], ok[first:last].all(axis=0), [False]])
    lo = j - int(np.argmin(same[j::-1]))  # same[j + 1] is x[j]: count the run to the left
    hi = j + int(np.argmin(same[j + 2 :]))
    mid = int(x[(lo + hi) // 2] + band // 2)
    # the run's ends moved off the first and last lines of text onto the rows of white
    while first < last and not text[first]:
        first += 1
    while last > first and not text[last - 1]:
        last -= 1
    return mid * factor, first * strip * factor, last * strip * factor


def _longest_run(
    clear: np.ndarray, both: np.ndarray, text: np.ndarray
) -> tuple[int, int, int] | None:
    """Return the candidate gutter whose run covers the most lines of text: its rank j and
    the strips [first, last) of the run; None when no run is tall enough with text on both
    sides of enough of its lines.

    clear, both: (strips, candidates), whether the band at each candidate x is free of ink on
    each strip, and free with text close on both sides; text: (strips,), whether a strip holds
    text. A candidate's runs are its strips clear or without text, each ended by a strip of
    text with ink in the band (or by the page's foot): for every end e the run is [start, e),
    start the strip after the candidate's previous end, and its counts are differences of sums
    down the page. Among the runs with the most lines: the leftmost candidate, then the
    highest run.
    """
    n, m = clear.shape
    total = int(text.sum())
    ok = clear | ~text[:, None]
    ends = np.vstack([~ok, np.ones((1, m), dtype=bool)])  # (n + 1, m): the page's foot ends all
    rank = np.arange(n + 1)[:, None]
    last_end = np.maximum.accumulate(np.where(ends, rank, -1), axis=0)
    start = np.vstack([np.zeros((1, m), dtype=np.int64), last_end[:-1] + 1])
    text_sum = np.concatenate([[0], np.cumsum(text, dtype=np.int64)])
    both_sum = np.vstack([np.zeros((1, m), dtype=np.int64), np.cumsum(both, axis=0)])
    cols = np.arange(m)[None, :]
    lines = text_sum[rank] - text_sum[start]
    sides = both_sum[rank, cols] - both_sum[start, cols]
    fit = (
        ends
        & (start < rank)
        & (lines >= GUTTER_HEIGHT * total)
        & (sides >= np.maximum(GUTTER_LINES, GUTTER_SIDES * lines))
    )
    if not fit.any():
        return None
    e_fit, j_fit = np.nonzero(fit)
    k = np.lexsort((e_fit, j_fit, -lines[e_fit, j_fit]))[0]
    j, last = int(j_fit[k]), int(e_fit[k])
    return j, int(start[last, j]), last


def _white_row(rows: np.ndarray, y: int, reach: int) -> int:
    """Return the row near y (within reach pixels) with the least ink (rows: the ink of each
    row of the image): where to cut a page."""
    lo, hi = max(0, y - reach), min(len(rows), y + reach + 1)
    if lo >= hi:
        return y
    window = rows[lo:hi]
    best = np.nonzero(window == window.min())[0]
    return int(lo + best[np.argmin(np.abs(best + lo - y))])


def column_parts(
    image: Image.Image, resolution: float, depth: int = 2
) -> list[tuple[int, int, int, int]]:
    """Return the regions of an upright, level page image that Tesseract reads one by one
    (left, top, right, bottom in pixels): the whole page, or, where two columns stand beside
    a gutter, what lies above, the left column, the right column and what lies below; each
    column is split again where it holds a gutter of its own (three columns), depth times."""
    width, height = image.size
    found = gutter(image, resolution) if depth > 0 else None
    if found is None:
        return [(0, 0, width, height)]
    x, top, bottom = found
    reach = max(2, round(resolution * 0.08))
    ink = np.asarray(image.convert("L")) < 128
    rows = ink.sum(axis=1)
    top, bottom = _white_row(rows, top, reach), _white_row(rows, bottom, reach)
    parts = [(0, 0, width, top)]
    for a, c in ((0, x), (x, width)):
        inner = column_parts(image.crop((a, top, c, bottom)), resolution, depth - 1)
        parts += [(a + p, top + q, a + r, top + s) for p, q, r, s in inner]
    parts.append((0, bottom, width, height))
    return [
        (a, b, c, d) for a, b, c, d in parts if d - b > 4 and c - a > 4 and ink[b:d, a:c].sum() > 50
    ]


def recognise(image: Image.Image, resolution: float) -> Reading:
    """Return the words Tesseract reads on a page image, turned upright first: their boxes are
    in points of the upright page (``page_box`` maps them back onto the page as displayed).
    A thread may run it: Tesseract is a process of its own, so pages are read in parallel."""
    import pytesseract

    image, turn = upright(image)
    image, skew = straighten(image)
    scale = 72.0 / resolution
    words = []
    for part, (x0, y0, x1, y1) in enumerate(column_parts(image, resolution)):
        crop = image if (x0, y0, x1, y1) == (0, 0, *image.size) else image.crop((x0, y0, x1, y1))
        data = pytesseract.image_to_data(
            crop, lang="fra", config="--psm 3", output_type=pytesseract.Output.DICT
        )
        for i, text in enumerate(data["text"]):
            text = (text or "").strip()
            if not text or float(data["conf"][i]) < 0:
                continue
            left, top = data["left"][i] + x0, data["top"][i] + y0
            x, y = left * scale, top * scale
            w, h = data["width"][i] * scale, data["height"][i] * scale
            group = (part * 1000 + int(data["block_num"][i])) * 1000 + int(data["par_num"][i])
            line = group * 1000 + int(data["line_num"][i])
            conf = float(data["conf"][i])
            words.append(Word(text, x, y, x + w, y + h, 0.0, group=group, line=line, conf=conf))
    # A word's box height varies with its letters; a line's font size is estimated later.
    return Reading(ocrwords.clean(words, french_words()), turn, skew)
