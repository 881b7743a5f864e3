"""SQLite catalog: the source of truth for documents, passages and their provenance."""

from .queries import SEARCHABLE_KINDS, IndexRow, PassageFilter
from .store import Catalog, FileState

__all__ = ["SEARCHABLE_KINDS", "Catalog", "FileState", "IndexRow", "PassageFilter"]
