"""Greedy line breaking with French hyphenation (pyphen), for the fpdf2 engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import pyphen

from .source import Inline


@dataclass(frozen=True)
class Run:
    """A piece of a word in one style: "R", "B", "I", "BI" or "SUP" (a raised reference)."""

    text: str
    style: str


Word = tuple[Run, ...]
Measure = Callable[[str, str], float]


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]
    natural: float  # width with plain spaces
    last: bool  # last line of its paragraph: not justified
    hyphenated: bool = False


def span_style(bold: bool, italic: bool, ref: bool) -> str:
    if ref:
        return "SUP"
    return ("B" if bold else "") + ("I" if italic else "") or "R"


def words_of(spans: Inline, force: str | None = None) -> list[Word]:
    """Split spans into words at plain spaces (no-break spaces stay inside words)."""
    words: list[list[Run]] = [[]]
    for span in spans:
        style = force or span_style(span.bold, span.italic, span.ref is not None)
        pieces = span.text.split(" ")
        for i, piece in enumerate(pieces):
            if i > 0 and words[-1]:
                words.append([])
            if piece:
                words[-1].append(Run(piece, style))
    return [tuple(w) for w in words if w]


def word_text(word: Word) -> str:
    return "".join(r.text for r in word)


def word_width(word: Word, measure: Measure) -> float:
    return sum(measure(r.text, r.style) for r in word)


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="fr_FR", left=2, right=3)


_LETTERS = re.compile(r"[^\W\d_]{5,}")


@lru_cache(maxsize=20000)
def break_points(text: str) -> tuple[tuple[int, bool], ...]:
    """Return (offset, add a hyphen?) where text may break: syllables and existing hyphens."""
    points = {i + 1: False for i, c in enumerate(text[:-1]) if c == "-" and i > 0}
    for m in _LETTERS.finditer(text):
        for pos in _dictionary().positions(m.group(0)):
            points.setdefault(m.start() + pos, True)
    return tuple(sorted(points.items()))


def split_word(word: Word, offset: int, hyphen: bool) -> tuple[Word, Word]:
    """Split a word at a character offset; the head gets a trailing hyphen if asked."""
    head: list[Run] = []
    tail: list[Run] = []
    seen = 0
    for run in word:
        end = seen + len(run.text)
        if end <= offset:
            head.append(run)
        elif seen >= offset:
            tail.append(run)
        else:
            head.append(Run(run.text[: offset - seen], run.style))
            tail.append(Run(run.text[offset - seen :], run.style))
        seen = end
    if hyphen:
        head[-1] = Run(head[-1].text + "-", head[-1].style)
    return tuple(head), tuple(tail)


def _hyphenate(word: Word, room: float, measure: Measure) -> tuple[Word, Word] | None:
    """Return the longest head (with its hyphen) that fits in room, and the tail."""
    best = None
    for offset, hyphen in break_points(word_text(word)):
        head, tail = split_word(word, offset, hyphen)
        if word_width(head, measure) <= room:
            best = (head, tail)
    return best


def _force_split(word: Word, width: float, measure: Measure) -> tuple[Word, Word]:
    text = word_text(word)
    cut = max(1, len(text) - 1)
    while cut > 1 and word_width(split_word(word, cut, False)[0], measure) > width:
        cut -= 1
    return split_word(word, cut, False)


def break_lines(
    words: Iterable[Word],
    width: float,
    measure: Measure,
    hyphenate: bool = True,
    loose: float = 0.04,
) -> list[Line]:
    """Fill lines greedily; hyphenate a word that overflows when the line would be loose.

    ``loose`` is the fraction of the width that may stay empty before hyphenation is tried.
    """
    space = measure(" ", "R")
    queue = list(words)
    lines: list[Line] = []
    current: list[Word] = []
    used = 0.0
    while queue:
        word = queue.pop(0)
        w = word_width(word, measure)
        gap = space if current else 0.0
        if used + gap + w <= width + 0.01:
            current.append(word)
            used += gap + w
            continue
        room = width - used - gap
        pieces = _hyphenate(word, room, measure) if hyphenate and room > loose * width else None
        if pieces is not None:
            head, tail = pieces
            current.append(head)
            used += gap + word_width(head, measure)
            lines.append(Line(tuple(current), used, last=False, hyphenated=True))
            current, used = [], 0.0
            queue.insert(0, tail)
            continue
        if not current:  # a single word wider than the line: hyphenate it, else cut it
            head, tail = _hyphenate(word, width, measure) or _force_split(word, width, measure)
            lines.append(Line((head,), word_width(head, measure), last=False))
            queue.insert(0, tail)
            continue
        lines.append(Line(tuple(current), used, last=False))
        current, used = [word], w
    if current:
        lines.append(Line(tuple(current), used, last=True))
    return lines
