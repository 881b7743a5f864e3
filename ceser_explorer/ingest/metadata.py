"""Document metadata (title, body, kind, date) from the first pages, or from metadata.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import CeserError
from ..vocabulary import DOC_KINDS
from .layout import Line, PageLayout

MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
_DATE_WORDS = re.compile(
    r"\b(1er|\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE
)
_DATE_NUM = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ADOPTED = re.compile(r"(adopt|vot|séance|plénière|publi|approuv)", re.IGNORECASE)
_BODY = re.compile(
    r"\b(CESER|CESE|Conseil régional|Région)\s+([A-ZÉÈ][\w'’-]+(?:[- ][A-ZÉ][\w-]+)*)"
)
KINDS = DOC_KINDS


@dataclass(frozen=True)
class Metadata:
    """Title, body, kind and ISO date of a document."""

    title: str = ""
    body: str = ""
    kind: str = "other"
    date: str | None = None


def parse_date(text: str) -> str | None:
    """Return the first French date of text as YYYY-MM-DD, or None."""
    m = _DATE_WORDS.search(text)
    if m:
        day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
        return f"{int(m.group(3)):04d}-{MONTHS[m.group(2).lower()]:02d}-{day:02d}"
    m = _DATE_NUM.search(text)
    if m:
        return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


def detect(pages: list[PageLayout]) -> Metadata:
    """Guess the metadata from the lines of the first two pages."""
    first = [i for p in pages[:2] for i in p.items if isinstance(i, Line) and i.role != "header"]
    if not first:
        return Metadata()
    cover = [ln for ln in first if ln.page == pages[0].number] or first
    biggest = max(ln.size for ln in cover)
    title_lines = [ln for ln in cover if ln.size >= biggest - 0.5]
    title = " ".join(ln.text for ln in title_lines).strip()
    text = "\n".join(ln.text for ln in first)
    cover_text = "\n".join(ln.text for ln in cover)
    kind = "other"
    if re.search(r"\bavis\b", cover_text, re.IGNORECASE):
        kind = "avis"
    elif re.search(
        r"\b(plan|schéma|stratégie|contrat|programme|feuille de route|budget)\b",
        cover_text,
        re.IGNORECASE,
    ):
        kind = "plan"
    body = ""
    m = _BODY.search(cover_text) or _BODY.search(text)
    if m:
        body = f"{m.group(1)} {m.group(2)}"
    date = None
    for ln in first:
        if _ADOPTED.search(ln.text):
            date = parse_date(ln.text)
            if date:
                break
    date = date or parse_date(cover_text)
    return Metadata(title=title, body=body, kind=kind, date=date)


def overrides(pdf: Path) -> dict[str, str]:
    """Return the entries of metadata.toml (next to the PDF) for this file, if any."""
    meta_file = pdf.parent / "metadata.toml"
    if not meta_file.exists():
        return {}
    try:
        data = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CeserError(f"{meta_file}: fichier de métadonnées invalide ({e}). Corrigez-le.") from e
    entry = data.get(pdf.name) or data.get("files", {}).get(pdf.name) or {}
    out = {k: str(v) for k, v in entry.items() if k in ("title", "body", "kind", "date")}
    if "kind" in out and out["kind"] not in KINDS:
        raise CeserError(
            f"{meta_file}: kind « {out['kind']} » inconnu pour {pdf.name}; "
            f"utilisez {', '.join(KINDS)}."
        )
    return out


def resolve(pdf: Path, pages: list[PageLayout]) -> Metadata:
    """Return detected metadata with the metadata file's values on top."""
    return replace(detect(pages), **overrides(pdf))
