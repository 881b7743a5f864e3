"""Exceptions that the CLI and the app turn into one-line messages."""

from __future__ import annotations


class CeserError(Exception):
    """Base class: the message is one line that says what went wrong and what to do."""


class BadDocumentError(CeserError):
    """A file could not be read as a PDF document."""

    def __init__(self, file: str, reason: str, hint: str) -> None:
        self.file = file
        self.reason = reason
        self.hint = hint
        super().__init__(f"{file} : {reason}. {hint[:1].upper()}{hint[1:]}.")


class CatalogError(CeserError):
    """The catalog is missing, newer than this version, or inconsistent."""


class EmbedderMismatchError(CeserError):
    """Vectors or a model were made with another embedder than the one asked for."""
