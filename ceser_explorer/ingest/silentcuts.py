"""Words cut at a line end where no hyphen was printed: « cher » / « cheurs ».

A producer that draws no glyph for the soft hyphens of its text (fpdf2 with U+00AD as its
line-break hyphen) leaves a word's two pieces at the end of one line and the start of the
next, with nothing to say that they are one word. A document set so shows it over and over:
line ends whose last word and the next line's first, glued, make a word of French or of the
document while one piece alone is none (« soute » / « nir », « établisse » / « ments »).
Elsewhere such pairs are a handful of accidents (« Il » / « s »).

The one detector of such cuts, for the text (drafts.py) and the cover's title (metadata.py):
a document's line ends are glued only where it shows such cuts, and only where the two
pieces make a word so. How sure the document's evidence is decides how far the pieces are
trusted: a few plain cuts (a word whose piece is none) only join plain cuts and two words
the document never prints apart; many, against few printed hyphens, also join two words that
glued make a third (« sou » / « tien ») and pieces of a word the lexicon lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import IntEnum
from itertools import pairwise

from .lexicon import french_words, is_french
from .lines import Line, PageLayout

SOME_CUTS = 3  # plain cuts (a piece that is no word) before a document is taken for one
MANY_CUTS = 8  # cuts whose second piece is no word, for the surer reading of the pairs
MANY_SHARE = 0.08  # ... and their share of the line ends inside a column
_HEAD = re.compile(r"(?<![\w-])([^\W\d_]{2,})$")
_TAIL = re.compile(r"^([^\W\d_]{2,})")
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
# relative pronouns glued to their article: never two words (« les » / « quelles »)
_RELATIVES = frozenset(
    "lequel laquelle lesquels lesquelles auquel auxquels auxquelles duquel desquels "
    "desquelles".split()
)
_CENTURY = re.compile(r"(?<!\S)(?:19|20)$")  # a year cut after its century (« 20 » / « 22 »)
_YEAR_END = re.compile(r"^\d\d(?!\d)")


class Evidence(IntEnum):
    """How often a document shows words cut at a line end without a hyphen."""

    NONE = 0
    SOME = 1  # a few plain cuts
    MANY = 2  # cuts over and over, more than the hyphens it prints


def cut_pieces(left: str, right: str) -> tuple[str, str] | None:
    """Return (head, tail): the last word of left and the first of right, when both are two
    letters or more, and the tail goes on in lower case as a cut word does (or both are in
    capitals: « RESSOUR » / « CE »)."""
    head = _HEAD.search(left.rstrip())
    tail = _TAIL.match(right.lstrip())
    if head is None or tail is None:
        return None
    h, t = head.group(1), tail.group(1)
    if not t[0].islower() and not (h.isupper() and t.isupper()):
        return None
    return h, t


@dataclass(frozen=True)
class SilentCuts:
    """A document's words and how sure it is that it cuts words without printing a hyphen.

    every: the words it prints (lower case, without an elided article); inner: those inside
    its lines (neither first nor last: those may be pieces of a cut word); pairs: two words
    in a row inside a line.
    """

    evidence: Evidence = Evidence.NONE
    every: frozenset[str] = frozenset()
    inner: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()

    def is_cut(self, left: str, right: str) -> bool:
        """Return True when left's last word and right's first are one word cut without a
        hyphen, in a document that shows such cuts.

        The two pieces glued make a word of French or of the document while one of them alone
        is none (« soute » / « nir », « récem » / « ment »): a cut. Both words (« sou » /
        « tien », « accompagne » / « ment »): a cut where the first is never a word inside a
        line and the two are never in a row there (« sur » / « place » is two words); with
        many cuts, also where the glued word is printed whole elsewhere, or neither is a
        function word or a number (« par » / « le », « six » / « mois » stay two). Glued they
        make no known word: a cut only where neither piece is a word, with many cuts or a
        first piece long enough and never printed whole (« arboricul » / « ture »).
        """
        if self.evidence == Evidence.NONE:
            return False
        many = self.evidence == Evidence.MANY
        if many and _CENTURY.search(left.rstrip()) and _YEAR_END.match(right.lstrip()):
            return True
        pieces = cut_pieces(left, right)
        if pieces is None:
            return False
        head, tail = (x.lower() for x in pieces)
        glued = head + tail
        if glued in _RELATIVES:
            return True
        head_word, tail_word = self.whole(head), self.whole(tail)
        function = bool({head, tail} & _FUNCTION_WORDS)
        if not (glued in self.every or is_french(glued)):
            if many and _cut_name(pieces[0], head_word, tail) and head not in self.every:
                return True  # « Gre » / « noble »: a place name the lexicon lacks
            if head_word or tail_word:
                return False
            return (many and not function) or (len(head) >= 4 and head not in self.every)
        if not (head_word and tail_word):
            return True
        if head not in self.inner and (head, tail) not in self.pairs:
            return True
        return many and (glued in self.every or not function)

    def whole(self, word: str) -> bool:
        """Whether a word stands on its own: a French word, or printed inside a line."""
        return word in french_words() or word in self.inner


NO_SILENT_CUTS = SilentCuts()


def _cut_name(head: str, head_word: bool, tail: str) -> bool:
    """Whether a line ends with the first piece of a name cut without a hyphen: a capital
    and small letters that make no word (« Gre »), before small letters that are no
    function word (« noble »)."""
    return (
        len(head) >= 3
        and head[0].isupper()
        and head[1:].islower()
        and not head_word
        and len(tail) >= 3
        and tail.islower()
        and tail not in _FUNCTION_WORDS
    )


def silent_cuts(pages: list[PageLayout]) -> SilentCuts:
    """Return the document's words and how often it cuts words at line ends without a
    hyphen, counted over the body lines that follow one another in a column."""
    every: set[str] = set()
    inner: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    ends: list[tuple[str, str]] = []
    for page in pages:
        prev: Line | None = None
        for item in page.items:
            if not isinstance(item, Line):
                prev = None
                continue
            words = [_bare(w.text) for w in item.words]
            every.update(words[:-1])
            inner.update(words[1:-1])
            pairs.update(pairwise(words[1:-1]))
            body = item.role == "body" and not item.ocr
            if prev is not None and body and prev.role == "body" and prev.col == item.col:
                ends.append((prev.text.rstrip(), item.text))
            prev = item
    found = SilentCuts(Evidence.SOME, frozenset(every), frozenset(inner), frozenset(pairs))
    plain = sure = hyphens = 0
    for left, right in ends:
        if left.endswith(("-", "\u00ad")):
            hyphens += 1
            continue
        pieces = cut_pieces(left, right)
        if pieces is None:
            continue
        head, tail = (x.lower() for x in pieces)
        glued = head + tail
        if glued in french_words() and tail[0].islower() and tail not in french_words():
            sure += 1
        known = glued in found.every or is_french(glued)
        plain += known and not (found.whole(head) and found.whole(tail))
    if sure >= MANY_CUTS and sure >= MANY_SHARE * len(ends) and sure > hyphens:
        evidence = Evidence.MANY
    elif plain >= SOME_CUTS:
        evidence = Evidence.SOME
    else:
        evidence = Evidence.NONE
    return replace(found, evidence=evidence)


def _bare(word: str) -> str:
    """A word as the document's vocabulary keeps it: lower case, without the punctuation
    around it nor an article elided before it (« l’arboriculture »: arboriculture)."""
    return re.split(r"['’]", word.lower().strip(_PUNCT))[-1]
