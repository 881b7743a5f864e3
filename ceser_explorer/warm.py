"""Imported once by the extraction workers' fork server (see ``workers``): the extraction
modules and the French lexicon are loaded there, so that every worker forked from it starts
with them in memory instead of loading them again."""

from __future__ import annotations

from .ingest import french_words, parse_pdf

french_words()

__all__ = ["parse_pdf"]
