"""What a page is made of once its words are grouped: lines, tables, pages in reading order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .rawpage import TableRegion, Word

ZONE = 0.09  # share of the page height where running headers and footers live


@dataclass
class Line:
    """A line of text in one column of one page."""

    page: int
    col: int
    words: list[Word]
    size: float
    frame: int | None = None
    role: str = "body"  # body | header | footnote | toc | ocr
    band: int = 0  # 0: the page's columns; k: the k-th band with columns of its own
    ocr: bool = False
    text: str = ""
    note: str = ""  # a footnote line that starts a note: the note's number, taken off its text

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @property
    def group(self) -> int:
        """Tesseract's paragraph of an OCR line (-1 for text-layer lines)."""
        return Counter(w.group for w in self.words).most_common(1)[0][0]


@dataclass
class TableItem:
    """A table placed in the reading order."""

    page: int
    col: int
    region: TableRegion


@dataclass
class PageLayout:
    """A page's lines and tables in reading order."""

    number: int
    width: float
    height: float
    items: list[Line | TableItem] = field(default_factory=list)
    ocr: bool = False
    sized_by_height: bool = False  # a scanner's text layer: sizes do not compare with others
    scan: bool = False  # an image covers the page: read by OCR or from the scanner's layer
