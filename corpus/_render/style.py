"""Page geometry, fonts and colours shared by both engines (units: PDF points)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

CM = 72 / 2.54
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 portrait
MARGIN_X = 2.0 * CM
MARGIN_TOP = 2.4 * CM  # top of the body frame, from the top edge
MARGIN_BOTTOM = 2.2 * CM  # bottom of the body frame, from the bottom edge
HEADER_BASELINE = 1.4 * CM  # running header baseline, from the top edge
FOOTER_BASELINE = 1.2 * CM  # running footer baseline, from the bottom edge
COLUMN_GAP = 0.8 * CM
BODY_W = PAGE_W - 2 * MARGIN_X
BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

BODY_SIZE = 10.0
BODY_LEADING = 13.2
NOTE_SIZE = 7.5
NOTE_LEADING = 9.2
TABLE_SIZE = 8.5
TABLE_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5)  # tried in turn until the longest words fit
HEADER_SIZE = 7.5
HEADING_SIZES = {1: 15.0, 2: 12.5, 3: 10.8}

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}

# RGB colours, 0-255
Colour = tuple[int, int, int]
INK = (20, 20, 20)
GREY = (90, 90, 90)
HEADING_INK = (16, 52, 102)
PRECO_FILL = (226, 237, 250)
PRECO_LINE = (32, 84, 150)
ENCADRE_FILL = (250, 243, 228)
ENCADRE_LINE = (170, 120, 40)
TABLE_HEAD_FILL = (222, 222, 222)
COVER_BAND = (16, 52, 102)

# Fixed dates make rebuilding an unchanged source give the same bytes.
FIXED_DATE = datetime(2025, 1, 1, tzinfo=UTC)

SCAN_DPI = 200


def font_path(name: str) -> Path:
    """Return the TTF file of a DejaVu face; fail with a hint if the fonts are missing."""
    path = FONT_DIR / FONT_FILES[name]
    if not path.exists():
        hint = "install it with 'apt-get install fonts-dejavu-core'"
        raise FileNotFoundError(f"{path} is missing: {hint}")
    return path


_FACES = {
    (False, False): "DejaVuSans",
    (True, False): "DejaVuSans-Bold",
    (False, True): "DejaVuSans-Oblique",
    (True, True): "DejaVuSans-BoldOblique",
}


def face(bold: bool, italic: bool) -> str:
    """Return the font name of a style."""
    return _FACES[(bold, italic)]


def rgb01(colour: tuple[int, int, int]) -> tuple[float, float, float]:
    return (colour[0] / 255, colour[1] / 255, colour[2] / 255)


def column_frames(columns: int) -> list[tuple[float, float]]:
    """Return (x, width) of each body column."""
    if columns == 1:
        return [(MARGIN_X, BODY_W)]
    w = (BODY_W - COLUMN_GAP) / 2
    return [(MARGIN_X, w), (MARGIN_X + w + COLUMN_GAP, w)]


def table_widths(natural: list[float], minimum: list[float], avail: float) -> list[float]:
    """Share avail between table columns from their natural (one-line) and minimum widths.

    Columns narrower than a fair share keep their natural width; the wide ones share the
    rest (water filling), never below their longest word when that is possible.
    """
    n = len(natural)
    if sum(natural) <= avail:
        extra = (avail - sum(natural)) / n
        return [w + extra for w in natural]
    floor = [min(m, natural[i], avail / n * 1.5) for i, m in enumerate(minimum)]
    if sum(floor) >= avail:
        return [avail * f / sum(floor) for f in floor]
    low, high = 0.0, max(natural)
    for _ in range(60):  # bisect the cap so that the capped widths fill avail
        cap = (low + high) / 2
        total = sum(max(f, min(w, cap)) for w, f in zip(natural, floor, strict=True))
        low, high = (cap, high) if total < avail else (low, cap)
    widths = [max(f, min(w, low)) for w, f in zip(natural, floor, strict=True)]
    extra = (avail - sum(widths)) / n
    return [w + extra for w in widths]
