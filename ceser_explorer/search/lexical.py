"""The lexical retriever: French BM25 over the catalog's full-text index, with the thesaurus.

The BM25 ranking is FTS5's, computed on in-memory postings (``postings.py``) rather than by
FTS5's bm25() function, which is called once per matching row and too slow on large catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .. import analysis
from ..catalog import SEARCHABLE_KINDS, Catalog, PassageFilter
from ..catalog.queries import filter_sql
from ..errors import CeserError
from . import thesaurus
from .postings import Bm25Index, best_first, postings

ANALYSES = ("folded", "stem", "both")
DEFAULT_ANALYSIS = "both"
COLUMNS = ("folded", "stems")
# A term found in more than this share of passages says little and costs a long posting list.
COMMON_TERM_SHARE = 0.4


def query_terms(query: str, mode: str) -> dict[str, list[str]]:
    """Return the full-text query terms per FTS column under a lexical analysis."""
    if mode not in ANALYSES:
        raise CeserError(f"analyse « {mode} » inconnue : choisissez parmi {', '.join(ANALYSES)}.")
    out: dict[str, list[str]] = {}
    if mode in ("folded", "both"):
        out["folded"] = analysis.analyze(query, "folded")
    if mode in ("stem", "both"):
        out["stems"] = analysis.analyze(query, "stem")
    return out


Terms = Mapping[str, Sequence[str] | Mapping[str, float]]


def query_columns(index: Bm25Index, terms: Terms) -> dict[str, dict[str, float]]:
    """Return the weighted terms searched per column: common ones are dropped when a query
    term (weight 1) of few passages is left; a list of terms means weight 1 each."""
    out: dict[str, dict[str, float]] = {}
    for column in COLUMNS:
        given = terms.get(column) or ()
        weighted = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given, 1.0)
        weighted = {t: w for t, w in weighted.items() if t}
        if not weighted:
            continue
        limit = COMMON_TERM_SHARE * index.size
        rare = {t: w for t, w in weighted.items() if index.df(column, t) <= limit}
        out[column] = rare if any(w >= 1.0 for w in rare.values()) else weighted
    return out


def bm25(
    catalog: Catalog,
    terms: Terms,
    f: PassageFilter,
    limit: int,
) -> list[tuple[str, float]]:
    """Return up to limit (passage id, BM25 score) pairs, best first; terms given per column.

    The score is FTS5's bm25 over the searched columns (see ``bm25.py``), computed on the
    in-memory postings of the catalog, which also filter by kind, document and recommendation
    (themes: see ``take``).
    """
    index = postings(catalog)
    searched = query_columns(index, terms)
    if not searched:
        return []
    return take(catalog, index, index.scores(searched), f, limit)


def take(
    catalog: Catalog, index: Bm25Index, scores: np.ndarray, f: PassageFilter, limit: int
) -> list[tuple[str, float]]:
    """Return up to limit (passage id, score) pairs of the rows scored above 0, best first,
    among the searchable passages that the filter keeps (scores is changed in place: the
    others are set to 0).

    Kind, document and recommendation are checked on the postings' arrays; a theme filter is
    checked in the catalog on the best rows, in growing batches, until limit rows pass or
    none is left: a filter never hides a result that exists.
    """
    scores[~index.mask(SEARCHABLE_KINDS, f.doc_ids, f.recommendations_only)] = 0.0
    matches = np.flatnonzero(scores)
    if f.themes:  # checked in the catalog, on more rows than needed
        theme_filter = PassageFilter(themes=f.themes, min_confidence=f.min_confidence)
        (condition, args), size = filter_sql(theme_filter), limit * 4
    else:
        condition, args, size = "1", [], limit
    ranked = best_first(scores, matches, size)
    out: list[tuple[str, float]] = []
    start = 0
    while len(out) < limit and start < len(matches):
        if start + size > len(ranked) and len(ranked) < len(matches):
            # rank the rest only when the best ones fall short of the filter
            ranked = np.concatenate([ranked, best_first(scores, np.setdiff1d(matches, ranked))])
        batch = ranked[start : start + size]
        start, size = start + size, size * 4
        rowids = [int(index.rowids[i]) for i in batch]
        ids = catalog.passage_ids_where(rowids, condition, args)
        out += [(ids[r], float(scores[i])) for r, i in zip(rowids, batch, strict=True) if r in ids]
    return out[:limit]


class LexicalRetriever:
    """BM25 over the query's words and, at a lower weight, the thesaurus' other wordings."""

    def __init__(
        self,
        catalog: Catalog,
        analysis: str = DEFAULT_ANALYSIS,
        expansion_weight: float = thesaurus.DEFAULT_WEIGHT,
        expansion_max_share: float = thesaurus.MAX_SHARE,
    ) -> None:
        self.catalog = catalog
        self.analysis = analysis
        self.expansion_weight = expansion_weight
        self.expansion_max_share = expansion_max_share
        self.concept_weight = thesaurus.CONCEPT_WEIGHT
        self._expanded: dict[tuple[str, int, float, float], dict[str, dict[str, float]]] = {}

    def forget(self) -> None:
        """Forget the expansions kept for repeated queries."""
        self._expanded.clear()

    def _needed(self) -> Callable[[thesaurus.Expression], bool]:
        """Return the test of whether an expression of a query is worth expanding."""
        return thesaurus.rare(postings(self.catalog), self.expansion_max_share)

    def expansions(self, query: str) -> dict[str, dict[str, float]]:
        """Return the thesaurus terms added to the query per column (none when turned off)."""
        if self.expansion_weight <= 0:
            return {}
        key = (
            query,
            postings(self.catalog).generation,
            self.expansion_weight,
            self.concept_weight,
        )
        if key not in self._expanded:
            if len(self._expanded) > 256:
                self._expanded.clear()
            needed = self._needed()
            out = thesaurus.load().expand(query, self.expansion_weight, needed)
            if self.concept_weight > 0:  # the thesaurus' weight wins for a term in both
                w = self.expansion_weight * self.concept_weight
                for column, terms in thesaurus.concepts().expand(query, w, needed).items():
                    out[column] = {**terms, **out.get(column, {})}
            self._expanded[key] = out
        return self._expanded[key]

    def synonyms(self, query: str) -> list[str]:
        """Return the expressions the search adds to the query (not mere inflections)."""
        if self.expansion_weight <= 0:
            return []
        shown: dict[tuple[str, ...], str] = {}  # one wording per stem sequence
        needed = self._needed()
        found = thesaurus.load().rewordings(query, needed)
        if self.concept_weight > 0:
            found += thesaurus.concepts().rewordings(query, needed)
        for others in found:
            for other in others:
                shown.setdefault(other.stems, other.text)
        return list(shown.values())

    def retrieve(self, query: str, filters: PassageFilter, n: int) -> list[tuple[str, float]]:
        """Return up to n (passage id, BM25) pairs for the query and its expansions, filtered."""
        terms: dict[str, dict[str, float]] = {
            column: dict.fromkeys(words, 1.0)
            for column, words in query_terms(query, self.analysis).items()
        }
        for column, added in self.expansions(query).items():
            if column in terms:
                terms[column] = {**added, **terms[column]}
        return bm25(self.catalog, terms, filters, n)
