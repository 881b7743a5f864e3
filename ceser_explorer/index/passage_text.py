"""The text a passage's vector is computed from: its section path in front of its text.

One recipe for every step that embeds a passage (the vector index, the theme classifier, its
training and evaluation), so that a passage is embedded once and its vector serves them all
(the embedding cache is keyed by this text).
"""

from __future__ import annotations

from ..errors import CeserError
from .cache import clip

# What goes in front of a passage's text when it is embedded (never in the text shown):
# "none", "section" (its section path) or "title" (document title, then section path).
CONTEXTS = ("none", "section", "title")
DEFAULT_CONTEXT = "section"


def context_text(
    text: str,
    section: str = "",
    title: str = "",
    context: str = DEFAULT_CONTEXT,
    max_chars: int | None = None,
) -> str:
    """Return the text embedded for a passage's text: after its context if any (its section
    path, with the document title first for "title"), clipped to max_chars (None: the limit
    of the environment; see ``cache.clip``)."""
    if context not in CONTEXTS:
        known = ", ".join(CONTEXTS)
        raise CeserError(f"contexte « {context} » inconnu : choisissez parmi {known}.")
    parts = []
    if context == "title" and title:
        parts.append(title)
    if context in ("section", "title") and section:
        parts.append(section.replace(" > ", " — "))
    parts.append(text)
    return clip("\n".join(parts), max_chars)
