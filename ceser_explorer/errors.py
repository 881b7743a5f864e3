"""Exceptions that the CLI and the app turn into one-line messages."""

from __future__ import annotations

from typing import TypeVar

_E = TypeVar("_E", bound=BaseException)


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


def cause_of(error: BaseException, kind: type[_E]) -> _E | None:
    """Return the exception of kind behind error, if any: parsers wrap what they meet (as a
    cause, a context or an argument), so the whole chain is walked, each exception once."""
    seen: set[int] = set()
    todo: list[object] = [error]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        if isinstance(e, kind):
            return e
        seen.add(id(e))
        todo += [e.__cause__, e.__context__, *e.args]
    return None
