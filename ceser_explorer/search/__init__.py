"""Search: retrievers behind one signature (lexical BM25, dense), fusion, filters, thesaurus,
and the evaluation on the query set."""

from ..catalog import PassageFilter
from .dense import DenseRetriever
from .engine import DEFAULT_DENSE_GUARD, MODES, Retriever, Searcher
from .evaluation import METRICS, SPLITS, default_queries_path
from .filters import DOC_KINDS, Filters, date_bound
from .fusion import DEFAULT_RRF_K, guard, rrf
from .intent import MAX_QUERY_CHARS, Intent, meaningful_words
from .lexical import LexicalRetriever, query_terms
from .places import REGIONS, regions_in_query
from .postings import index_path as postings_path
from .postings import postings as load_postings
from .querysets import SETS as QUERY_SETS
from .restriction import Restriction
from .thesaurus import DEFAULT_WEIGHT as DEFAULT_EXPANSION_WEIGHT

__all__ = [
    "DEFAULT_DENSE_GUARD",
    "DEFAULT_EXPANSION_WEIGHT",
    "DEFAULT_RRF_K",
    "DOC_KINDS",
    "MAX_QUERY_CHARS",
    "METRICS",
    "MODES",
    "QUERY_SETS",
    "REGIONS",
    "SPLITS",
    "DenseRetriever",
    "Filters",
    "Intent",
    "LexicalRetriever",
    "PassageFilter",
    "Restriction",
    "Retriever",
    "Searcher",
    "date_bound",
    "default_queries_path",
    "guard",
    "load_postings",
    "meaningful_words",
    "postings_path",
    "query_terms",
    "regions_in_query",
    "rrf",
]
