"""SQLite catalog: the source of truth for documents, passages and their provenance."""

from .store import Catalog, FileState

__all__ = ["Catalog", "FileState"]
