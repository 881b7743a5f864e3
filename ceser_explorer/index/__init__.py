"""Embedders, the embedding cache and the vector store (Chroma), derived from the catalog."""

from .cache import EmbeddingCache, text_key
from .e5onnx import load_onnx_embedder, passage_tokens
from .embedders import Embedder, get_embedder
from .store import VectorStore
from .sync import (
    embed_text,
    rebuild_vectors,
    status_line,
    sync_vectors,
    vector_status,
)
from .sync import metadata as vector_metadata

__all__ = [
    "Embedder",
    "EmbeddingCache",
    "VectorStore",
    "embed_text",
    "get_embedder",
    "load_onnx_embedder",
    "passage_tokens",
    "rebuild_vectors",
    "status_line",
    "sync_vectors",
    "text_key",
    "vector_metadata",
    "vector_status",
]
