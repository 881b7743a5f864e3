"""French regions as councillors name them, in a question and in a document's metadata.

A question may name a region by its name (« Île-de-France », « Hauts de France »), a short
form (« AURA », « PACA », « la Région Sud »), its body (« le CESEC de Corse ») or an adjective
(« francilien », « bretonne », « réunionnais »). ``regions_in_query`` returns the regions named;
``document_region`` finds a document's region in its detected body, else its title, else the
text of its first page (where the cover names the body), read after folding accents, case,
hyphens and letter-spacing (« B o u r g o g n e - F r a n c h e - C o m t é »).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# region -> (names, adjectives, short forms written in capitals)
_LEXICON: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "Auvergne-Rhône-Alpes": (
        ("Auvergne-Rhône-Alpes", "Auvergne Rhône Alpes"),
        ("auvergnat-rhônalpin",),
        ("AURA", "ARA"),
    ),
    "Bourgogne-Franche-Comté": (
        ("Bourgogne-Franche-Comté", "Bourgogne Franche Comté"),
        ("burgo-comtois",),
        ("BFC",),
    ),
    "Bretagne": (("Bretagne",), ("breton",), ()),
    "Centre-Val de Loire": (
        ("Centre-Val de Loire", "Centre Val de Loire", "région Centre"),
        (),
        ("CVL",),
    ),
    "Corse": (("Corse", "CESEC", "île de Beauté"), ("corse",), ()),
    "Grand Est": (("Grand Est", "Grand-Est"), ("grand-estien",), ()),
    "Hauts-de-France": (("Hauts-de-France", "Hauts de France"), (), ("HDF",)),
    "Île-de-France": (("Île-de-France", "Ile de France"), ("francilien",), ("IDF",)),
    "Normandie": (("Normandie",), ("normand",), ()),
    "Nouvelle-Aquitaine": (("Nouvelle-Aquitaine", "Nouvelle Aquitaine"), ("néo-aquitain",), ()),
    "Occitanie": (("Occitanie",), ("occitan",), ()),
    "Pays de la Loire": (("Pays de la Loire", "Pays-de-la-Loire"), ("ligérien",), ("PDL",)),
    "Provence-Alpes-Côte d'Azur": (
        ("Provence-Alpes-Côte d'Azur", "Provence-Alpes", "Région Sud", "CESER Sud"),
        ("provençal", "provençaux"),
        ("PACA",),
    ),
    "Guadeloupe": (("Guadeloupe",), ("guadeloupéen",), ()),
    "Martinique": (("Martinique",), ("martiniquais",), ()),
    "Guyane": (("Guyane",), ("guyanais",), ()),
    "La Réunion": (("La Réunion", "île de la Réunion"), ("réunionnais",), ()),
    "Mayotte": (("Mayotte",), ("mahorais",), ()),
}
REGIONS = tuple(_LEXICON)
# « la réunion » is also a meeting: the island's name counts with its capital R only
_CASED_NAMES = {"La Réunion": re.compile(r"\b(?:[Ll]a|[Ll]'île de [Ll]a) Réunion\b")}
_ADJECTIVE_ENDINGS = r"(?:e|es|s|ne|nes)?"


def fold(text: str) -> str:
    """Return text lowercased, without accents, with hyphens and apostrophes as spaces."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _letters(text: str) -> str:
    return fold(text).replace(" ", "")


def _words_pattern(forms: Iterable[str], endings: str = "") -> re.Pattern[str] | None:
    parts = [re.escape(fold(f)).replace(r"\ ", " ") for f in forms]
    if not parts:
        return None
    return re.compile(r"\b(?:" + "|".join(parts) + ")" + endings + r"\b")


_QUERY: dict[str, tuple[re.Pattern[str] | None, ...]] = {
    region: (
        None if region in _CASED_NAMES else _words_pattern(names),
        _words_pattern(adjectives, _ADJECTIVE_ENDINGS),
        re.compile(r"\b(?:" + "|".join(short) + r")\b") if short else None,
    )
    for region, (names, adjectives, short) in _LEXICON.items()
}
# a document's metadata: names (and adjectives: « l'agroalimentaire breton ») as words, and the
# long names letters-only, for covers set letter-spaced
_LETTERS = {
    region: tuple(_letters(n) for n in names if len(_letters(n)) >= 8)
    for region, (names, _, _) in _LEXICON.items()
    if region not in _CASED_NAMES
}


def regions_in_query(text: str) -> tuple[str, ...]:
    """Return the regions a question names (by name, short form, body or adjective)."""
    folded = fold(text)
    found = []
    for region, (names, adjectives, short) in _QUERY.items():
        cased = _CASED_NAMES.get(region)
        if (
            (names is not None and names.search(folded))
            or (cased is not None and cased.search(text))
            or (adjectives is not None and adjectives.search(folded))
            or (short is not None and short.search(text))
        ):
            found.append(region)
    return tuple(found)


def _named_in(text: str, adjectives: bool) -> list[str]:
    folded, letters = fold(text), _letters(text)
    found = []
    for region, (names, adj, _) in _QUERY.items():
        cased = _CASED_NAMES.get(region)
        if (
            (names is not None and names.search(folded))
            or (cased is not None and cased.search(text))
            or (adjectives and adj is not None and adj.search(folded))
            or any(key in letters for key in _LETTERS.get(region, ()))
        ):
            found.append(region)
    return found


def document_region(body: str, title: str = "", first_page: str = "") -> str | None:
    """Return the region of a document: the one its body names, else its title, else the text
    of its first page when that names one region only (None when nothing says)."""
    for text, adjectives in ((body, False), (title, True)):
        found = _named_in(text, adjectives)
        if found:
            return found[0]
    found = _named_in(first_page, False)
    return found[0] if len(found) == 1 else None
