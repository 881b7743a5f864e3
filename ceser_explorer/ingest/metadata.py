"""Document metadata (title, body, kind, date) from the first pages, or from metadata.toml."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import BadDocumentError, CeserError
from ..vocabulary import DOC_KINDS
from .dehyphen import Vocabulary, combining_form
from .lines import Line, PageLayout

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
# words that open the lines printed next to a body's name, never a place
_NOT_PLACE = (
    r"(?!(?:CESE[RC]|Région|Résultat|Avis|Séance|Conseil|Commission|Saisine|Auto|Rapporteur|"
    r"Adopté|Adoption|Contribution|Délibération|Assemblée|Session)(?![\w'’]))"
)
# the name may run over a line break after a hyphen (« Nouvelle-/Aquitaine ») or before
# its particle (« Centre-Val/de Loire », « Provence-Alpes-Côte/d'Azur »)
_REGION = (
    rf"(?-i:{_NOT_PLACE}[A-ZÀ-Ý][\w'’]*"
    r"(?:(?:(?:[ \t\u00a0-]+|-?\n)(?:de[\s-]+la[\s-]+|de[\s-]+l['’]|de[\s-]+|d['’]|du[\s-]+)"
    rf"|[ \t\u00a0-]+|-\n|(?<=['’])){_NOT_PLACE}[A-ZÀ-Ý][\w'’]*)*)"
)
_OF = r"(?:\s+(?:de\s+|d['’]|du\s+|des\s+))?"
_CESER_BODY = re.compile(
    rf"\b(?:CESE[RC]|Conseil\s+économique,?\s+social,?\s+(?:et\s+)?environnemental"
    rf"(?:,?\s+et\s+culturel)?(?:\s+régional)?)(?![\w'’]){_OF}\s*(?P<name>{_REGION})",
    re.IGNORECASE,
)
_REGION_BODY = re.compile(
    rf"\b(?:Conseil\s+régional|Région)(?![\w'’]){_OF}\s*(?P<name>{_REGION})", re.IGNORECASE
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
    r"(?i)(avis|contribution|vœu|voeu|rapport|plan|schéma|stratégie|feuille de route|"
    r"délibération|auto-saisine|saisine)(\s+(du|de la|de l['’]|de)\s+.*)?"
)
_MEASURE_LINE = re.compile(r"(?m)^(?:Axe|Mesure|Action)\s+\d+(?:\.\d+)*\b")
_OTHER_WORDS = re.compile(
    r"\b(délibération|rapport d['’]orientations?|orientations budgétaires|bilan|"
    r"compte administratif|budget primitif|rapport d['’]activité)\b",
    re.IGNORECASE,
)
KINDS = DOC_KINDS


# Where each field was read, from the surest to the least sure: metadata.toml, the cover, the
# running header or footer, the closing « adopté en séance plénière le … » lines, the first
# pages, who issued the document (a CESER issues avis), or guessed (a default, a date from
# « novembre 2025 » or a year alone, a title when nothing else stood out); « none »: not found.
SOURCES = ("file", "cover", "header", "closing", "first_page", "issuer", "guessed", "none")
FIELDS = ("title", "body", "kind", "date")


@dataclass(frozen=True)
class Metadata:
    """Title, body, kind and ISO date of a document, each with where it was read (SOURCES)."""

    title: str = ""
    body: str = ""
    kind: str = "other"
    date: str | None = None
    sources: tuple[tuple[str, str], ...] = ()  # (field, source) for each of FIELDS

    def source(self, name: str) -> str:
        """Return where the field was read (one of SOURCES)."""
        return dict(self.sources).get(name, "none")


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


_ARTICLE = re.compile(r"^(?:La|Le|Les|L['’])\b")


def _body(texts: list[tuple[str, str]]) -> tuple[str, str, str]:
    """Return (body, « ceser » or « region », source) named first in the (source, text) pairs,
    CESER names first.

    A region whose name opens with an article keeps its « de » (« CESER de La Réunion »).
    """
    ceser = (_CESER_BODY, "CESER", "ceser")
    region = (_REGION_BODY, "Région", "region")
    # the cover and the running lines name the issuer; the first pages may cite the other body
    sure = [(source, text) for source, text in texts if source != "first_page"]
    rest = [(source, text) for source, text in texts if source == "first_page"]
    for group, (pattern, short, issuer) in (
        (sure, ceser),
        (sure, region),
        (rest, ceser),
        (rest, region),
    ):
        for source, text in group:
            m = pattern.search(text)
            if m:
                name = re.sub(r"-\s+", "-", " ".join(m.group("name").split()))
                of = "de " if _ARTICLE.match(name) else ""
                return f"{short} {of}{name}", issuer, source
    return "", "", "none"


def _kind(issuer: str, title: str, cover: str, heads: str) -> tuple[str, str]:
    """Return (avis, plan or other; source) from who issued the document and what it says.

    A CESER only issues avis (contributions, vœux, rapports alike); a Région's document is a
    plan when its title (else its cover, else its running header) names one, otherwise other.
    """
    if issuer == "ceser":
        return "avis", "issuer"
    for source, text in (("cover", title), ("cover", cover), ("header", heads)):
        if issuer != "region" and _AVIS_WORDS.search(text):
            return "avis", source
        if _PLAN_WORDS.search(text):
            return "plan", source
        if _OTHER_WORDS.search(text):
            return "other", source
    # nothing said: axes and measures make a plan
    if _MEASURE_LINE.search(cover + "\n" + heads):
        return "plan", "first_page"
    return "other", "guessed"


def detect(pages: list[PageLayout]) -> Metadata:
    """Guess the metadata from the cover, the running lines, the first pages and the last."""
    lines = [i for p in pages for i in p.items if isinstance(i, Line)]
    first = [ln for ln in lines if ln.page in {p.number for p in pages[:2]} and ln.role != "header"]
    if not first:
        return Metadata(sources=tuple((f, "none") for f in FIELDS))
    on_cover = [ln for ln in first if ln.page == pages[0].number]
    cover = on_cover or first
    heads = [ln.text for ln in lines if ln.role == "header"]
    cover_text = "\n".join(ln.text for ln in cover)
    first_text = "\n".join(ln.text for ln in first)
    body, issuer, body_from = _body(
        [("cover", cover_text), ("header", "\n".join(heads)), ("first_page", first_text)]
    )
    title, title_sure = _title(cover, Vocabulary(pages))
    title_from = ("cover" if on_cover else "first_page") if title_sure else "guessed"
    body_text = "\n".join(ln.text for ln in lines if ln.role != "header")
    kind, kind_from = _kind(issuer, title, cover_text, "\n".join(heads))
    if kind == "other" and not issuer and _MEASURE_LINE.search(body_text):
        kind, kind_from = "plan", "first_page"
    date, date_from = _date(pages, cover_text, first, heads)
    sources = (
        ("title", title_from if title else "none"),
        ("body", body_from),
        ("kind", kind_from),
        ("date", date_from if date else "none"),
    )
    return Metadata(title=title, body=body, kind=kind, date=date, sources=sources)


_RUNS_ON = re.compile(
    r"(?:[-,:–]|\b(?:du|de|des|la|le|les|et|à|en|d['’]|l['’]|pour|sur|au|aux|dans|par|un|une))$",
    re.IGNORECASE,
)
_ADOPTION = re.compile(r"\b(?:adopt|approuv|vot)\w*|\badoption\b", re.IGNORECASE)
_SITTING = re.compile(r"séance|plénière|assemblée|session|délibération|bureau", re.IGNORECASE)


def _windows(pages: list[PageLayout]) -> list[tuple[int, str]]:
    """Return each line of the body with the lines that follow it up to the end of its
    sentence, four lines at most (a date may be cut at a line end, or inside its month), and
    each table row on its own (a row read between two lines cuts no sentence), in reading
    order."""
    out: list[tuple[int, str]] = []
    for page in pages:
        texts: list[tuple[str, bool]] = []  # (text, a table row)
        for item in page.items:
            if isinstance(item, Line):
                if item.role != "header":
                    texts.append((item.text, False))
            else:
                texts += [(" | ".join(row), True) for row in item.region.rows]
        for k, (text, row) in enumerate(texts):
            # a narrow column may set « adopté par / délibération de / … le 22 novembre / 2024. »
            for n in range(k + 1, min(k + 4, len(texts))):
                if row or texts[n][1] or (n > k + 1 and text.rstrip().endswith(".")):
                    break
                text = _join(text, texts[n][0])
            out.append((page.number, text))
    return out


def _join(line: str, after: str) -> str:
    """Two lines as one text; a word cut at the line end (« le 29 no-/vembre 2022 ») joined."""
    line = line.rstrip()
    if re.search(r"[^\W\d_][-\u2010\u00ad]$", line) and after[:1].islower():
        return line[:-1] + after
    return f"{line} {after}"


def _agrees(date: str, loose: str | None, loose_text: str) -> bool:
    """Return True when a full date agrees with the cover's year (and month, if it gives one)."""
    if loose is None:
        return True
    if _MONTH_YEAR.search(loose_text):
        return date[:7] == loose[:7]
    return date[:4] == loose[:4]


def _date(
    pages: list[PageLayout], cover_text: str, first: list[Line], heads: list[str]
) -> tuple[str | None, str]:
    """Return (the adoption date, its source).

    The adoption lines (« adopté en séance plénière le … », « Adoption en séance plénière »
    in a table) say it best, the last one that agrees with the month or year the cover gives
    (a date of a former deliberation may be cited before); then a full date on the cover, on
    the running lines or on a first-page line about a sitting; a month or a year alone gives
    the first day of it, a guess.
    """
    loose_cover = parse_date(cover_text, loose=True)
    adoptions = [
        (d, "cover" if page == pages[0].number else "closing")
        for page, t in _windows(pages)
        if (m := _ADOPTION.search(t))
        and _SITTING.search(t)
        # the date after the word of adoption, else the one before it (« 19/11 | Adoption »)
        and (d := parse_date(t[m.start() :]) or parse_date(t))
    ]
    agreeing = [(d, src) for d, src in adoptions if _agrees(d, loose_cover, cover_text)]
    if agreeing:
        return agreeing[-1]
    exact = parse_date(cover_text)
    if exact:
        return exact, "cover"
    if adoptions:
        return adoptions[-1]
    for source, texts in (("first_page", [ln.text for ln in first]), ("header", heads)):
        found = next((d for t in texts if _ADOPTED.search(t) and (d := parse_date(t))), None)
        if found:
            return found, source
    found = next((d for t in heads if (d := parse_date(t))), None)
    if found:
        return found, "header"
    if loose_cover:
        return loose_cover, "guessed"
    found = next((d for t in heads if (d := parse_date(t, loose=True))), None)
    return (found, "guessed") if found else (None, "none")


def _closed_up(line: Line) -> str:
    """Return a line's text with its letter-spacing closed up: in « T r a v a i l l e r  d e »
    (most words one letter long) a word ends where the gap is clearly wider than between the
    letters; any other line as it is."""
    words = line.words
    singles = sum(1 for w in words if len(w.text) == 1)
    if len(words) < 4 or singles < 0.6 * len(words):
        return line.text.strip()
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(words)]
    letter = sorted(gaps)[len(gaps) // 4]
    wide = max(1.6 * letter, letter + 0.15 * line.size)
    out = words[0].text
    for gap, word in zip(gaps, words[1:], strict=True):
        out += (" " if gap >= wide else "") + word.text
    return out.strip()


def _cut_at_margin(left: str, right: str, vocab: Vocabulary) -> bool:
    """Whether a line that ends at the margin and the next one cut a word between them: the
    two pieces glued make a word of the document or of French (« SUPÉRIE »/« UR », « COR »/
    « SE », « HOSP »/« ITALO-UNIVERSITAIRE »), or a year (« 20 »/« 22-2028 »)."""
    digits, following = re.search(r"(?<!\S)(\d+)$", left), re.match(r"\d+", right)
    if digits and following:
        return len(digits.group(1)) + len(following.group()) == 4
    head, tail = re.search(r"(?<![\w'’-])[^\W\d_]+$", left), re.match(r"[^\W\d_]+\b", right)
    if not head or not tail:
        return False
    # a compound cut in its first part: « HOSP » / « ITALO-UNIVERSITAIRE »
    compound = re.match(r"[^\W\d_]+(?:-[^\W\d_]+)+", right)
    if compound is not None and not vocab.known(head.group()):
        first = head.group() + tail.group()
        if vocab.known(head.group() + compound.group()) or combining_form(first.lower()):
            return True
    return vocab.known(head.group() + tail.group())


def _title(cover: list[Line], vocab: Vocabulary) -> tuple[str, bool]:
    """Return the cover's biggest block of text that is neither the body, a type nor a date,
    and whether one stood out (False: the biggest block was taken for want of one).

    A block is a run of lines of one size, or of a line set close under one that cannot end a
    title (« … l'avis du »): a title in small capitals prints its capitals larger than the rest.
    A word cut at a line end is joined as in the text (vocab: the document's words).
    """
    blocks: list[tuple[float, str, Line]] = []
    right = max((ln.x1 for ln in cover), default=0.0)
    # read from top to bottom, not in reading order: a cover is not set in columns, and a
    # line the column finder set apart (the end of a letter-spaced line, « Hauts- ») would
    # otherwise fall between the lines of the title and cut it (« Décarbonation et »)
    for ln in sorted(cover, key=lambda ln: (ln.page, round(ln.top), ln.x0)):
        text = _closed_up(ln)
        if blocks:
            size, prev_text, prev = blocks[-1]
            close = ln.page == prev.page and 0 <= ln.top - prev.bottom < 0.6 * min(ln.size, size)
            # a title in small capitals wrapped letter by letter at the margin (fpdf2): the
            # line before is filled to the cover's right edge (but for a glyph that did not
            # fit) and ends inside a word
            at_edge = prev.x1 >= right - 0.8 * max(size, ln.size)
            filled = close and at_edge and _cut_at_margin(prev_text, text, vocab)
            runs_on = close and (bool(_RUNS_ON.search(prev_text)) or filled)
            if abs(size - ln.size) < 0.5 or runs_on:
                if prev_text.endswith("-"):
                    joined = vocab.join(prev_text, text)
                elif filled or vocab.cuts.is_cut(prev_text, text):  # « RESSOUR »/« CE »
                    joined = prev_text + text
                else:
                    joined = f"{prev_text} {text}"
                blocks[-1] = (min(size, ln.size) if close else size, joined, ln)
                continue
        blocks.append((ln.size, text, ln))

    def plain(text: str) -> bool:
        words = len(text.split())
        return not (
            _CESER_BODY.fullmatch(text)
            or _REGION_BODY.fullmatch(text)
            or (words <= 4 and parse_date(text, loose=True))
            or _TYPE_LINE.fullmatch(text)
        )

    candidates = [b for b in blocks if plain(b[1])]
    if candidates:
        return max(candidates, key=lambda b: b[0])[1], True
    return (max(blocks, key=lambda b: b[0])[1], False) if blocks else ("", False)


def _given_date(value: str) -> str | None:
    """Return the date of metadata.toml as YYYY-MM-DD: ISO (a TOML date too), French with its
    day (« 12/11/2025 », « 12 novembre 2025 ») or a year alone (its 1 January); None if it is
    none of these (« 12/13/2025 » is not read as 2025)."""
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01"
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    found = parse_date(text)
    if found is None:
        return None
    try:  # « 31/02/2025 » matches the pattern but is no day
        return dt.date.fromisoformat(found).isoformat()
    except ValueError:
        return None


@functools.lru_cache(maxsize=16)
def _table(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """Return a metadata.toml read once per version of the file (a batch asks for each PDF)."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def given_changed(pdf: Path, stored: Mapping[str, str], sources: Mapping[str, str]) -> bool:
    """Whether metadata.toml now gives a PDF other metadata than those stored for it (stored:
    field -> value; sources: field -> where it was read): a value given or changed since, or
    one no longer given. An unreadable metadata.toml counts as a change, so that reading the
    PDF again says what is wrong with it."""
    try:
        given = overrides(pdf)
    except CeserError:
        return True
    return any(
        (f in given and (sources.get(f) != "file" or stored.get(f) != given[f]))
        or (f not in given and sources.get(f) == "file")
        for f in FIELDS
    )


def overrides(pdf: Path) -> dict[str, str]:
    """Return the entries of metadata.toml (next to the PDF) for this file, if any."""
    meta_file = pdf.parent / "metadata.toml"
    try:
        st = meta_file.stat()
    except OSError:
        return {}
    try:
        data = _table(str(meta_file), st.st_mtime_ns, st.st_size)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BadDocumentError(
            pdf.name, f"{meta_file} invalide ({e})", f"corrigez {meta_file.name}"
        ) from e
    entry = data.get(pdf.name) or data.get("files", {}).get(pdf.name) or {}
    out = {k: str(v) for k, v in entry.items() if k in ("title", "body", "kind", "date")}
    if "date" in out:  # a French user writes « 12/11/2025 »: stored as it was, no filter read it
        iso = _given_date(out["date"])
        if iso is None:
            raise BadDocumentError(
                pdf.name,
                f"date « {out['date']} » illisible dans {meta_file}",
                'écrivez-la AAAA-MM-JJ (ex. date = "2025-11-12")',
            )
        out["date"] = iso
    if "kind" in out and out["kind"] not in KINDS:
        raise BadDocumentError(
            pdf.name,
            f"kind « {out['kind']} » inconnu dans {meta_file}",
            f"utilisez {', '.join(KINDS)}",
        )
    return out


def resolve(pdf: Path, pages: list[PageLayout]) -> Metadata:
    """Return detected metadata with the metadata file's values on top (source « file »)."""
    found = detect(pages)
    given = overrides(pdf)
    sources = tuple((f, "file" if f in given else found.source(f)) for f in FIELDS)
    return replace(found, **given, sources=sources)
