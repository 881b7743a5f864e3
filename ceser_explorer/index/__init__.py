"""Embedders, the embedding cache and the vector store (Chroma), derived from the catalog."""

from .sync import rebuild_vectors, status_line, sync_vectors, vector_status

__all__ = ["rebuild_vectors", "status_line", "sync_vectors", "vector_status"]
