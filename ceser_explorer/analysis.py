"""French text analysis shared by the full-text index, the search and the highlights.

Tokens keep their character offsets so that matched terms can be highlighted in the
original text. Two analyses exist: ``folded`` (case and accents folded, elisions split)
and ``stem`` (the same, then French Snowball stemming).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import snowballstemmer

# A word, or an initialism joined by "&" ("R&D", "B&B"), which is one term ("rd").
_WORD = re.compile(r"[^\W\d_]&[^\W\d_](?![^\W_])|[^\W_]+", re.UNICODE)
# Version of the analysis: a catalog indexed under another one has its full-text index rebuilt.
VERSION = 2

# Elided articles and pronouns are split off by the tokenizer ("l'IA" -> "l", "ia").
ELISIONS = frozenset({"l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"})

STOP_WORDS = (
    frozenset(
        """
    a au aux avec ce ces cet cette dans de des du elle elles en entre et eux il ils
    je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou
    par pas pour qu que qui sa se ses son sont sur ta te tes toi ton tu un une vos
    votre vous y est etre ete sont ont avoir fait faire comme plus moins tres aussi
    afin ainsi dont cela celui celle ceux celles tout tous toute toutes sans sous
    selon si lors puis donc car or ni soit peut doit sera seront etait sont
    quoi quel quelle quels quelles comment pourquoi
    """.split()
    )
    | ELISIONS
)

# a Snowball stemmer keeps the word it works on in itself: threads (the explorer's sessions
# share one searcher) each get their own, or one's word is cut under another's cursor
_local = threading.local()


def _stemmer() -> Any:
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = snowballstemmer.stemmer("french")
    return found


def fold(text: str) -> str:
    """Return text lower-cased with accents removed and ligatures expanded."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the folded French Snowball stem of one lower-case word."""
    return fold(_stemmer().stemWord(word))


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (lower-case word, start, end) for each word of text, elisions split off."""
    for m in _WORD.finditer(text):
        yield m.group().lower(), m.start(), m.end()


@lru_cache(maxsize=200_000)
def term(word: str, mode: str) -> str | None:
    """Return the index term of one lower-case word, or None for a stop word."""
    if "&" in word:  # an initialism such as "r&d": one term, never stemmed
        return fold(word.replace("&", ""))
    folded = fold(word)
    if folded in STOP_WORDS or (len(folded) == 1 and not folded.isdigit()):
        return None
    if mode == "stem":
        return stem(word)
    return folded


def analyze(text: str, mode: str = "stem") -> list[str]:
    """Return the index terms of text under the given mode ("folded" or "stem")."""
    out = []
    for word, _, _ in tokens(text):
        t = term(word, mode)
        if t:
            out.append(t)
    return out


def term_spans(text: str, terms: set[str], mode: str = "stem") -> list[tuple[int, int]]:
    """Return the [start, end) offsets of the words of text whose term is in terms."""
    spans = []
    for word, start, end in tokens(text):
        t = term(word, mode)
        if t and t in terms:
            spans.append((start, end))
    return spans
