"""Words cut at a line end where no hyphen was printed: « cher » / « cheurs ».

A producer that draws no glyph for the soft hyphens of its text (fpdf2 with U+00AD as its
line-break hyphen) leaves a word's two pieces at the end of one line and the start of the
next, with nothing to say that they are one word. A document set so shows it over and over:
many line ends whose last word and the next line's first, glued, make a French word while
the second piece alone is none (« soute » / « nir », « établisse » / « ments »), and few or
no printed line-end hyphens. Elsewhere such pairs are a handful of accidents (« Il » / « s »).
Only in such a document are line ends glued, and only where the pieces make a word so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import french_words
from .lines import Line, PageLayout

MIN_CUTS = 8  # pairs that only make sense glued, in the whole document
MIN_SHARE = 0.08  # of the line ends inside a column
_HEAD = re.compile(r"(?:^|[\s'’(«\"])([^\W\d_]{2,})$")
# function words and numbers: two words of which one is such are two words even where glued
# they make a third (« par le », « pour tant », « en fin », « sur place », « six mois »)
_FUNCTION_WORDS = frozenset(
    "le la les l un une des du de d au aux à a en et ou où par pour sur sous dans avec sans "
    "entre vers chez que qui quoi dont ne pas plus moins très bien tout tous toute toutes "
    "il elle ils elles on nous vous se sa son ses leur leurs ce cet cette ces est sont été "
    "si mais car donc or ni y lui même deux trois quatre cinq six sept huit neuf dix onze "
    "douze quinze vingt trente quarante cinquante soixante cent mille".split()
)
_PUNCT = ".,;:!?()«»\"'’…"
_TAIL = re.compile(r"^([^\W\d_]{2,})")


def cut_pieces(left: str, right: str) -> tuple[str, str] | None:
    """Return (head, tail): the last word of left and the first of right, when both are
    letters only, and the tail in lower case (a word cut at a line end goes on so)."""
    head = _HEAD.search(left.rstrip())
    tail = _TAIL.match(right.lstrip())
    if head is None or tail is None or not tail.group(1)[0].islower():
        return None
    return head.group(1), tail.group(1)


@dataclass(frozen=True)
class DocumentWords:
    """The words a document prints (lower case, without an elided article): all of them, and
    those inside its lines (neither first nor last: those may be pieces of a cut word)."""

    every: frozenset[str] = frozenset()
    inner: frozenset[str] = frozenset()


def is_cut(left: str, right: str, known: DocumentWords = DocumentWords()) -> bool:
    """Return True when left's last word and right's first are one word cut without a hyphen.

    known: the document's words. The two pieces glued make a word, of French or of the
    document, while one of them alone is none (« soute » / « nir », « récem » / « ment »);
    or neither piece is a word (« arboricul » / « ture »: a word the lexicon lacks); or they
    make a word the document prints whole elsewhere; or two words make a third glued
    (« sou » / « tien », « accompagne » / « ment »), unless one of them is a function word or
    a number (« par » / « le », « sur » / « place », « six » / « mois »): two words then.
    """
    pieces = cut_pieces(left, right)
    if pieces is None:
        return False
    head, tail = (x.lower() for x in pieces)
    glued = head + tail
    words = french_words()
    head_word, tail_word = (x in words or x in known.inner for x in (head, tail))
    if glued in known.every:
        return True
    if glued in words:
        return not (head_word and tail_word) or not {head, tail} & _FUNCTION_WORDS
    return not (head_word or tail_word or {head, tail} & _FUNCTION_WORDS)


def _sure_cut(left: str, right: str) -> bool:
    """A pair that only makes sense glued: a French word whose second piece is none."""
    pieces = cut_pieces(left, right)
    if pieces is None:
        return False
    head, tail = (x.lower() for x in pieces)
    return head + tail in french_words() and tail not in french_words()


def silent_cuts(pages: list[PageLayout]) -> DocumentWords | None:
    """Return, when the document cuts words at line ends without printing a hyphen, its
    words; None when it does not."""
    cuts = hyphens = ends = 0
    inner: set[str] = set()
    every: set[str] = set()
    for page in pages:
        prev: Line | None = None
        for item in page.items:
            if not isinstance(item, Line) or item.role != "body":
                prev = None
                continue
            words = [_bare(w.text) for w in item.words]
            inner.update(words[1:-1])
            every.update(words)
            if prev is not None and prev.col == item.col and not prev.ocr:
                ends += 1
                text = prev.text.rstrip()
                if text.endswith(("-", "\u00ad")):
                    hyphens += 1
                elif _sure_cut(text, item.text):
                    cuts += 1
            prev = item
    if cuts >= MIN_CUTS and cuts >= MIN_SHARE * ends and cuts > hyphens:
        return DocumentWords(frozenset(every), frozenset(inner))
    return None


def _bare(word: str) -> str:
    return re.split(r"['’]", word.lower().strip(_PUNCT))[-1]
