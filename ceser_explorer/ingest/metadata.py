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
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_WORDS = re.compile(
    rf"\b(1er|\d{{1,2}})\s+({_MONTH}|janv|févr|fevr|avr|juil|sept|oct|nov|déc|dec)\.?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_DATE_NUM = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d/–-])\b(19[89]\d|20[0-4]\d)\b(?![\d/–-])")
_ADOPTED = re.compile(
    r"(adopt|vot|séance|plénière|publi|approuv|délibér|assemblée|session)", re.IGNORECASE
)
# a region's name, capitals counting: « Bretagne », « Hauts-de-France », « La Réunion »
_REGION = (
    r"(?-i:(?!CESE[RC]\b|Région\b|Résultat\b|Avis\b|Séance\b)[A-ZÀ-Ý][\w'’]*"
    r"(?:(?:[ \t\u00a0-]+(?:de[\s-]+la[\s-]+|de[\s-]+l['’]|de[\s-]+|d['’]|du[\s-]+)"
    r"|[ \t\u00a0-]+|(?<=['’]))[A-ZÀ-Ý][\w'’]*)*)"
)
_OF = r"(?:\s+(?:de\s+|d['’]|du\s+|des\s+))?"
_CESER_BODY = re.compile(
    rf"\b(?:CESE[RC]|Conseil\s+économique,?\s+social,?\s+(?:et\s+)?environnemental"
    rf"(?:,?\s+et\s+culturel)?\s+(?:régional)?){_OF}\s*(?P<name>{_REGION})",
    re.IGNORECASE,
)
_REGION_BODY = re.compile(
    rf"\b(?:Conseil\s+régional|Région){_OF}\s*(?P<name>{_REGION})", re.IGNORECASE
)
_PLAN_WORDS = re.compile(
    r"\b(plan|schéma|stratégie|contrat|programme|feuille de route|SRDEII|SRESRI|CPRDFOP|"
    r"pacte|charte)\b",
    re.IGNORECASE,
)
_AVIS_WORDS = re.compile(
    r"\b(avis|contribution|vœu|voeu|saisine|auto-saisine|autosaisine|rapport du CESER)\b",
    re.IGNORECASE,
)
_TYPE_LINE = re.compile(
    r"(?i)(avis|contribution|vœu|rapport|plan|schéma|stratégie|délibération|auto-saisine|"
    r"saisine)(\s+(du|de la|de l['’]|de)\s+.*)?"
)
_MEASURE_LINE = re.compile(r"(?m)^(?:Axe|Mesure|Action)\s+\d+(?:\.\d+)*\b")
_OTHER_WORDS = re.compile(
    r"\b(délibération|rapport d['’]orientations?|orientations budgétaires|bilan|"
    r"compte administratif|budget primitif|rapport d['’]activité)\b",
    re.IGNORECASE,
)
KINDS = DOC_KINDS


@dataclass(frozen=True)
class Metadata:
    """Title, body, kind and ISO date of a document."""

    title: str = ""
    body: str = ""
    kind: str = "other"
    date: str | None = None


def parse_date(text: str, loose: bool = False) -> str | None:
    """Return the first French date of text as YYYY-MM-DD, or None.

    loose: also take « novembre 2025 » (the 1st of the month) and a year alone (1 January),
    as covers print them.
    """
    m = _DATE_WORDS.search(text)
    if m:
        day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
        month = _month(m.group(2))
        if month and 1 <= day <= 31:
            return f"{int(m.group(3)):04d}-{month:02d}-{day:02d}"
    m = _DATE_NUM.search(text)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 31:
        return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if not loose:
        return None
    m = _MONTH_YEAR.search(text)
    if m:
        return f"{int(m.group(2)):04d}-{MONTHS[m.group(1).lower()]:02d}-01"
    m = _YEAR.search(text)
    return f"{m.group(1)}-01-01" if m else None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in MONTHS:
        return MONTHS[word]
    for name, number in MONTHS.items():
        if name.startswith(word):
            return number
    return None


def _body(texts: list[str]) -> tuple[str, str]:
    """Return (body, « ceser » or « region ») named first in texts, CESER names first."""
    for text in texts:
        m = _CESER_BODY.search(text)
        if m:
            return f"CESER {' '.join(m.group('name').split())}", "ceser"
    for text in texts:
        m = _REGION_BODY.search(text)
        if m:
            return f"Région {' '.join(m.group('name').split())}", "region"
    return "", ""


def _kind(issuer: str, title: str, cover: str, heads: str) -> str:
    """Return avis, plan or other from who issued the document and what its cover says.

    A CESER only issues avis (contributions, vœux, rapports alike); a Région's document is a
    plan when its title (else its cover, else its running header) names one, otherwise other.
    """
    if issuer == "ceser":
        return "avis"
    for text in (title, cover, heads):
        if issuer != "region" and _AVIS_WORDS.search(text):
            return "avis"
        if _PLAN_WORDS.search(text):
            return "plan"
        if _OTHER_WORDS.search(text):
            return "other"
    # nothing said: axes and measures make a plan
    return "plan" if _MEASURE_LINE.search(cover + "\n" + heads) else "other"


def detect(pages: list[PageLayout]) -> Metadata:
    """Guess the metadata from the cover, the running lines, the first pages and the last."""
    lines = [i for p in pages for i in p.items if isinstance(i, Line)]
    first = [ln for ln in lines if ln.page in {p.number for p in pages[:2]} and ln.role != "header"]
    if not first:
        return Metadata()
    cover = [ln for ln in first if ln.page == pages[0].number] or first
    heads = [ln.text for ln in lines if ln.role == "header"]
    last = [ln.text for p in pages[-2:] for ln in p.items if isinstance(ln, Line)]
    cover_text = "\n".join(ln.text for ln in cover)
    body, issuer = _body([cover_text, "\n".join(heads), "\n".join(ln.text for ln in first)])
    title = _title(cover, body)
    body_text = "\n".join(ln.text for ln in lines if ln.role != "header")
    kind = _kind(issuer, title, cover_text, "\n".join(heads))
    if kind == "other" and not issuer and _MEASURE_LINE.search(body_text):
        kind = "plan"
    adopted = [t for t in [*(ln.text for ln in first), *last, *heads] if _ADOPTED.search(t)]
    date = (
        next((d for t in adopted if (d := parse_date(t))), None)
        or parse_date(cover_text)
        or next((d for t in adopted if t in cover_text and (d := parse_date(t, True))), None)
        or parse_date(cover_text, loose=True)
    )
    return Metadata(title=title, body=body, kind=kind, date=date)


def _title(cover: list[Line], body: str) -> str:
    """Return the cover's biggest block of text that is neither the body, a type nor a date."""
    blocks: list[tuple[float, str]] = []
    for ln in cover:
        if blocks and abs(blocks[-1][0] - ln.size) < 0.5:
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} {ln.text.strip()}")
        else:
            blocks.append((ln.size, ln.text.strip()))

    def plain(text: str) -> bool:
        words = len(text.split())
        return not (
            _CESER_BODY.fullmatch(text)
            or _REGION_BODY.fullmatch(text)
            or (words <= 4 and parse_date(text, loose=True))
            or _TYPE_LINE.fullmatch(text)
        )

    candidates = [b for b in blocks if plain(b[1])] or blocks
    return max(candidates, key=lambda b: b[0])[1] if candidates else ""


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
