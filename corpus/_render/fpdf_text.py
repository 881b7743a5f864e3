"""Text setting for the fpdf2 engine: fonts, measuring, and broken lines turned into items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from fpdf import FPDF

from . import style as S
from .fpdf_flow import Item, gap
from .linebreak import Line, Measure, Word, break_lines, words_of
from .source import Inline

FAMILY = "DejaVuSans"
_FPDF_STYLES = {"R": "", "B": "B", "I": "I", "BI": "BI", "SUP": ""}
SUP_SCALE, SUP_RISE = 0.62, 0.38
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class TextStyle:
    """How a paragraph is set: size, leading, alignment (J, L, R, C), hyphenation, colour."""

    size: float = S.BODY_SIZE
    leading: float = S.BODY_LEADING
    align: str = "J"
    hyphenate: bool = True
    colour: Colour = S.INK
    force: str | None = None  # a run style forced on every word ("B" for headings)

    def but(self, **changes: Any) -> TextStyle:
        return replace(self, **changes)


BODY = TextStyle()
PLAIN = TextStyle(align="L", hyphenate=False)
NOTE = TextStyle(S.NOTE_SIZE, S.NOTE_LEADING, "L", False)
CELL = TextStyle(S.TABLE_SIZE, S.TABLE_SIZE * 1.25, "L", False)


def add_fonts(pdf: FPDF) -> None:
    """Embed the four DejaVu faces under one family."""
    for fpdf_style in ("", "B", "I", "BI"):
        face = S.face("B" in fpdf_style, "I" in fpdf_style)
        pdf.add_font(FAMILY, fpdf_style, str(S.font_path(face)))


def shift(item: Item, dx: float) -> Callable[[float, float], None]:
    """Return item's drawing moved right by dx."""
    return lambda x, y: item.draw(x + dx, y)


def baseline(y: float, ts: TextStyle) -> float:
    """Return the baseline of a line whose box starts at y."""
    return y + (ts.leading - ts.size) / 2 + 0.8 * ts.size


class Setter:
    """Measures and draws lines of styled words on one FPDF document."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self._cache: dict[tuple[str, str, float], float] = {}

    def font(self, style: str, size: float) -> None:
        real = size * SUP_SCALE if style == "SUP" else size
        self.pdf.set_font(FAMILY, _FPDF_STYLES[style], real)

    def measure(self, size: float) -> Measure:
        def width(text: str, style: str) -> float:
            key = (text, style, size)
            if key not in self._cache:
                self.font(style, size)
                self._cache[key] = self.pdf.get_string_width(text)
            return self._cache[key]

        return width

    def lines(self, spans: Inline | list[Word], width: float, ts: TextStyle) -> list[Line]:
        words = spans if isinstance(spans, list) else words_of(spans, ts.force)
        return break_lines(words, width, self.measure(ts.size), hyphenate=ts.hyphenate)

    def draw_line(self, line: Line, x: float, y: float, width: float, ts: TextStyle) -> None:
        """Draw a line whose box top is y, justified or aligned as ts says."""
        measure = self.measure(ts.size)
        space = measure(" ", "R")
        slack = width - line.natural
        if ts.align == "J" and not line.last and len(line.words) > 1:
            space += slack / (len(line.words) - 1)
        elif ts.align == "R":
            x += slack
        elif ts.align == "C":
            x += slack / 2
        self.pdf.set_text_color(*ts.colour)
        base = baseline(y, ts)
        for n, word in enumerate(line.words):
            for k, run in enumerate(word):
                self.font(run.style, ts.size)
                rise = ts.size * SUP_RISE if run.style == "SUP" else 0.0
                # a real space character after each word, so that text extraction sees the
                # word boundary even where the gap is narrow (small type, tight lines)
                spaced = k == len(word) - 1 and n < len(line.words) - 1
                self.pdf.text(x, base - rise, run.text + (" " if spaced else ""))
                x += measure(run.text, run.style)
            x += space

    def items(self, spans: Inline | list[Word], width: float, ts: TextStyle = BODY) -> list[Item]:
        """Break a paragraph into lines, one item per line."""
        out = []
        for line in self.lines(spans, width, ts):
            refs = tuple(r.text for w in line.words for r in w if r.style == "SUP")

            def draw(x: float, y: float, line: Line = line) -> None:
                self.draw_line(line, x, y, width, ts)

            out.append(Item(ts.leading, draw, refs))
        return out

    def bullet_items(self, spans: Inline, width: float, indent: float = 12.0) -> list[Item]:
        """Lines of a bullet item: a bullet before the first line, the text indented."""
        lines = self.items(spans, width - indent)
        first = lines[0]

        def draw_first(x: float, y: float) -> None:
            self.font("R", BODY.size)
            self.pdf.set_text_color(*BODY.colour)
            self.pdf.text(x + 2.5, baseline(y, BODY), "•")
            first.draw(x + indent, y)

        shifted = [Item(first.height, draw_first, first.refs)]
        shifted += [Item(i.height, shift(i, indent), i.refs) for i in lines[1:]]
        return [*shifted, gap(2.5)]
