"""Embedders and the vector store (Chroma), derived from the catalog."""
