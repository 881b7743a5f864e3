"""What a page reads as: words with their box, drawn frames, ruled tables (pdfread, ocr)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Word:
    """One word on a page, in PDF points from the top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False
    group: int = -1  # OCR: Tesseract's block and paragraph, as block * 1000 + paragraph
    line: int = -1  # OCR: Tesseract's line, as block * 10**6 + paragraph * 1000 + line
    conf: float = 100.0  # OCR: Tesseract's confidence (0-100) in the word


@dataclass(slots=True)
class Frame:
    """A drawn rectangle that may frame a box of text (not a table cell)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class TableRegion:
    """A ruled table: its bounding box and its rows of cell texts."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]


@dataclass
class RawPage:
    """What was read from one page.

    A scanned page that OCR turned upright is read, and laid out, in the upright page's
    coordinates: width and height are the upright page's, turn the clockwise turn (90, 180 or
    270 degrees) it was given, skew the anticlockwise angle (degrees) that straightened its
    lines (``ocr.page_box`` maps a box back onto the page as displayed).
    """

    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    tables: list[TableRegion] = field(default_factory=list)
    ocr: bool = False
    textless: bool = False
    turn: int = 0
    skew: float = 0.0
    scan: bool = False  # an image covers the page: a scan with the scanner's text layer
