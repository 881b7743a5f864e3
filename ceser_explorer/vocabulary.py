"""The project's vocabulary: kinds of documents and of passages with their French labels, and
the French wording of citations and recommendation labels, used by the CLI, the app and
tracing alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from .models import DocumentInfo, Recommendation

REVIEW_LABEL = "à vérifier"  # a theme whose score is close to its threshold
# a document's metadata fields, as `ceser status` and the Documents page name those guessed
FIELD_LABELS = {"title": "titre", "body": "organisme", "kind": "type", "date": "date"}


class DocKind(StrEnum):
    """What a document is: a CESER avis, a Région plan, or another document."""

    AVIS = "avis"
    PLAN = "plan"
    OTHER = "other"

    @property
    def noun(self) -> str:
        """The word of a citation: « avis », « plan », « document »."""
        return {"avis": "avis", "plan": "plan"}.get(self.value, "document")

    @property
    def label(self) -> str:
        """The value of a « Type » column: « avis », « plan », « autre »."""
        return {"avis": "avis", "plan": "plan"}.get(self.value, "autre")

    @property
    def plural(self) -> str:
        """The name of a filter choice: « Avis », « Plans », « Autres »."""
        return {"avis": "Avis", "plan": "Plans"}.get(self.value, "Autres")

    @classmethod
    def of(cls, value: str | None) -> DocKind:
        """Return the kind named value, OTHER for anything else."""
        try:
            return cls(value or "other")
        except ValueError:
            return cls.OTHER


DOC_KINDS: tuple[str, ...] = tuple(k.value for k in DocKind)


class PassageKind(StrEnum):
    """What a passage of a document is, as extraction finds it."""

    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    HEADING = "heading"
    RECOMMENDATION = "recommendation"
    MEASURE = "measure"
    TABLE = "table"
    FOOTNOTE = "footnote"
    TOC = "toc"
    HEADER = "header"

    @property
    def label(self) -> str:
        """The French name of the kind."""
        return _PASSAGE_LABELS[self]


_PASSAGE_LABELS = {
    PassageKind.PARAGRAPH: "paragraphe",
    PassageKind.LIST_ITEM: "élément de liste",
    PassageKind.HEADING: "titre",
    PassageKind.RECOMMENDATION: "préconisation",
    PassageKind.MEASURE: "mesure",
    PassageKind.TABLE: "tableau",
    PassageKind.FOOTNOTE: "note de bas de page",
    PassageKind.TOC: "sommaire",
    PassageKind.HEADER: "en-tête",
}

# The running text of a document: what it says in sentences (the themes' document mean is
# taken over these).
PROSE_KINDS: tuple[str, ...] = tuple(
    k.value
    for k in (
        PassageKind.PARAGRAPH,
        PassageKind.LIST_ITEM,
        PassageKind.RECOMMENDATION,
        PassageKind.MEASURE,
    )
)
# Passage kinds worth searching: tables of contents, headings and cover lines are not (a
# heading's words reach the search through the section of the passages under it).
SEARCHABLE_KINDS: tuple[str, ...] = (
    *PROSE_KINDS,
    PassageKind.TABLE.value,
    PassageKind.FOOTNOTE.value,
)


def shorten(text: str, width: int) -> str:
    """Return text on one line, cut to at most width characters at a word's end with « … »
    (mid-word only when its first word is longer than width)."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–-") + "…"


def date_fr(date: str | None) -> str:
    """Return an ISO date as 12/11/2025 (or the year alone)."""
    if not date:
        return ""
    y, m, d = [*date.split("-"), "", ""][:3]
    return f"{d}/{m}/{y}" if d else y


def citation(info: DocumentInfo | None, page: int) -> str:
    """Return a one-line citation: "CESER Occitanie, avis du 12/11/2025, p. 7"."""
    if info is None:
        return f"p. {page}"
    date = ""
    if info.date:
        y, m, d = [*info.date.split("-"), "", ""][:3]
        date = f" du {d}/{m}/{y}" if d else f" de {y}"
    body = info.body or info.title or info.file
    return f"{body}, {DocKind.of(info.kind).noun}{date}, p. {page}"


def rec_label(r: Recommendation) -> str:
    """Return « Préconisation n°3 », or « Préconisation (dans le texte) » for an inline one."""
    if r.number is not None:
        return f"Préconisation n°{r.number}"
    return "Préconisation (dans le texte)"


def rec_choice(r: Recommendation, width: int = 90) -> str:
    """Return « n°3 — Intégrer les compétences… » (or « dans le texte — … ») for a list."""
    head = f"n°{r.number}" if r.number is not None else "dans le texte"
    return f"{head} — {shorten(r.text, width)}"


def theme_tags(labels: Sequence[str], review: Sequence[str], themes: Mapping[str, float]) -> str:
    """Return "formation 0.91, emploi 0.55 (à vérifier)": retained themes, then doubtful ones."""
    parts = []
    for key in list(labels) + [t for t in review if t not in labels]:
        tag = f"{key} {themes.get(key, 0.0):.2f}"
        if key in review:
            tag += f" ({'' if key in labels else 'non retenu, '}{REVIEW_LABEL})"
        parts.append(tag)
    return ", ".join(parts)
