"""SQLite catalog: the source of truth for documents, passages and their provenance."""

from .queries import SEARCHABLE_KINDS, IndexRow, PassageFilter
from .store import Catalog, FileState
from .themes import ThemeScore, store_passage_themes

__all__ = [
    "SEARCHABLE_KINDS",
    "Catalog",
    "FileState",
    "IndexRow",
    "PassageFilter",
    "ThemeScore",
    "store_passage_themes",
]
