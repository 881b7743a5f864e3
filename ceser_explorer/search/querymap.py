"""A linear map on the dense side's query vectors, learnt from documents' own headings.

e5 encodes a query (« query: … ») and a passage (« passage: … ») with different prefixes, and
its training never saw French policy documents. The map ``W`` (384 × 384, near the identity)
moves a query vector towards the passages that such a short text heads in these documents: it
is learnt from pairs that the documents themselves give, never from a query or a judgement:

- each paragraph or list item of at least ``MIN_TEXT_WORDS`` words is paired with the
  deepest heading of its section, numbering removed (« 2.1 », « II. »), when that heading has
  at least ``MIN_HEADING_WORDS`` words and is not in the sections of ``GENERIC_DOCS``
  documents or more (« Introduction », « Déclarations des groupes »);
- the heading is read as a query, the paragraph as the index stores it (its vector);
- ``W = I + A`` minimises the in-batch contrastive loss of heading → paragraph (temperature
  ``TEMPERATURE``; the other paragraphs of the same heading are not counted as wrong) plus
  ``PENALTY`` × ‖A‖², by L-BFGS.

The shipped map (``ceser_explorer:data/query_map.npz``) is learnt from our six sample PDFs and
the variety corpus's tuning half, as ingested (``make query-map``, ``corpus/query_map.py``);
the variety test half gives no pair. Every setting was chosen on the two tuning query sets
(docs/search.md, « huitième passe »). The map is tied to the embedder whose vectors it was
learnt on: with another embedder the query vector is left as it is. Only the query side
moves: the index, its vectors and the theme model are unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import resources
from ..catalog import Catalog

QUERY_MAP = f"{resources.PREFIX}data/query_map.npz"
FORMAT = 1
MIN_HEADING_WORDS = 3
MIN_TEXT_WORDS = 12
GENERIC_DOCS = 3
TEMPERATURE = 0.05
PENALTY = 1.0
MAX_ITERATIONS = 200
MIN_PAIRS = 50  # fewer pairs than this learn nothing worth moving every query for
PAIRED_KINDS = ("paragraph", "list_item")
_NUMBERING = re.compile(r"^\s*(?:[0-9]+|[IVXLC]+|[a-z])(?:\.[0-9]+)*[.)]?\s+(?:[–—-]\s+)?")


def unnumbered(heading: str) -> str:
    """The heading without its leading numbering (« 2.1 », « II. », « a) »)."""
    return _NUMBERING.sub("", heading.strip(), count=1).strip()


def folded(heading: str) -> str:
    """A heading as compared across documents: unnumbered, lower case, without accents."""
    plain = unicodedata.normalize("NFKD", unnumbered(heading).casefold().replace("’", "'"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def word_count(text: str) -> int:
    """Words holding a letter (numbers and signs do not count)."""
    return sum(any(c.isalpha() for c in w) for w in text.split())


@dataclass(frozen=True)
class Pair:
    heading: str
    passage_id: str


def pairs(catalog: Catalog, files: Iterable[str] | None = None) -> list[Pair]:
    """The (heading, passage) pairs of the catalog's documents (of files only, when given),
    by the module's rule, in the catalog's order."""
    rows = catalog.db.execute(
        "SELECT p.passage_id, d.file, p.kind, p.section, p.text FROM passages p "
        "JOIN documents d USING (doc_id) ORDER BY d.file, p.ordinal"
    ).fetchall()
    if files is not None:
        wanted = set(files)
        rows = [r for r in rows if r[1] in wanted]
    docs_of: dict[str, set[str]] = {}
    for _, file, _, section, _ in rows:
        for part in filter(None, (section or "").split(" > ")):
            docs_of.setdefault(folded(part), set()).add(file)
    found = []
    for pid, _, kind, section, text in rows:
        if kind not in PAIRED_KINDS or not section or word_count(text) < MIN_TEXT_WORDS:
            continue
        heading = unnumbered(section.split(" > ")[-1])
        if word_count(heading) < MIN_HEADING_WORDS or len(docs_of[folded(heading)]) >= GENERIC_DOCS:
            continue
        found.append(Pair(heading, pid))
    return found


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def fit(
    headings: np.ndarray,
    passages: np.ndarray,
    groups: Sequence[int],
    penalty: float = PENALTY,
    temperature: float = TEMPERATURE,
) -> np.ndarray:
    """Return W (d × d) learnt from row-aligned heading (query) and passage vectors; rows of
    one group share a heading, so their passages are not negatives of one another."""
    from scipy.optimize import minimize

    q = np.asarray(headings, dtype=np.float64)
    p = np.asarray(passages, dtype=np.float64)
    g = np.asarray(groups)
    n, d = q.shape
    eye_n = np.eye(n)
    same = (g[:, None] == g[None, :]) & ~eye_n.astype(bool)

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        a = flat.reshape(d, d)
        u = q @ (np.eye(d) + a).T
        length = np.linalg.norm(u, axis=1, keepdims=True)
        z = u / length
        s = np.where(same, -1e9, z @ p.T / temperature)
        top = s.max(axis=1, keepdims=True)
        e = np.exp(s - top)
        total = e.sum(axis=1, keepdims=True)
        value = float(np.mean(np.log(total[:, 0]) + top[:, 0] - np.diag(s)))
        dz = ((e / total - eye_n) / n) @ p / temperature
        du = (dz - z * np.sum(dz * z, axis=1, keepdims=True)) / length
        return value + penalty * float(np.sum(a * a)), (du.T @ q + 2 * penalty * a).ravel()

    found = minimize(
        loss, np.zeros(d * d), jac=True, method="L-BFGS-B", options={"maxiter": MAX_ITERATIONS}
    )
    return np.eye(d) + found.x.reshape(d, d)


@dataclass(frozen=True)
class QueryMap:
    """W and the embedder whose vectors it maps."""

    embedder: str
    matrix: np.ndarray
    pairs: int

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """The query vector moved by W, of unit length."""
        moved = self.matrix @ np.asarray(vector, dtype=np.float32)
        return moved / max(float(np.linalg.norm(moved)), 1e-12)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            meta=np.asarray([FORMAT, self.pairs], dtype=np.int64),
            embedder=np.asarray([self.embedder], dtype=str),
            matrix=self.matrix.astype(np.float32),
        )


def learn(
    catalog: Catalog,
    embedder_id: str,
    encode_queries: Callable[[Sequence[str]], np.ndarray],
    passage_vectors: dict[str, np.ndarray],
    files: Iterable[str] | None = None,
) -> QueryMap | None:
    """Learn the map from the catalog's pairs (files only, when given): headings encoded by
    encode_queries, passages read from passage_vectors (the index's vectors by passage id).
    None when the documents give fewer than MIN_PAIRS pairs."""
    found = [p for p in pairs(catalog, files) if p.passage_id in passage_vectors]
    if len(found) < MIN_PAIRS:
        return None
    heads = sorted({p.heading for p in found})
    index = {h: i for i, h in enumerate(heads)}
    head_vectors = _normalised(np.asarray(encode_queries(heads), dtype=np.float64))
    groups = [index[p.heading] for p in found]
    passages = _normalised(np.stack([passage_vectors[p.passage_id] for p in found]))
    matrix = fit(head_vectors[groups], passages, groups)
    return QueryMap(embedder_id, matrix.astype(np.float32), len(found))


@lru_cache(maxsize=4)
def load(embedder_id: str, source: resources.Source = QUERY_MAP) -> QueryMap | None:
    """Return the map learnt for this embedder, or None (none shipped for it, or unreadable:
    the query vector is then left as it is)."""
    try:
        with resources.resolve(source).open("rb") as handle, np.load(handle) as z:
            fmt, count = (int(x) for x in z["meta"])
            embedder = str(z["embedder"][0])
            matrix = np.asarray(z["matrix"], dtype=np.float32)
    except (OSError, ValueError, KeyError):
        return None
    if fmt != FORMAT or embedder != embedder_id or matrix.ndim != 2:
        return None
    if matrix.shape[0] != matrix.shape[1]:
        return None
    return QueryMap(embedder, matrix, count)
