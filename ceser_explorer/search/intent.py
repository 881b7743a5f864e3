"""What a question asks for, beyond its words: advice or plan measures, a region, a body, a year.

Councillors type questions (« que propose le CESER pour former les enseignants à l'IA ? »,
« quelles mesures pour l'apprentissage ? », « que dit le CESER Bretagne sur… »). Their frame is
intent, not words to match: it is taken out of the lexical query and turned into preferences
(recommendations, plan measures, a body's or a year's documents) that the engine applies.
A region named (« le CESER Bretagne », « la Région Grand Est », « francilien ») restricts the
search to its documents (``places``); its words stay in the query.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .places import regions_in_query

MAX_QUERY_CHARS = 500  # a long question is 200; 2,000 characters took the page 7 s

_ADVICE = re.compile(
    r"\b(?:que|qu['’]est-ce que|quelles?\s+(?:sont\s+)?(?:les\s+)?)\s*"
    r"(?:propose|préconise|recommande|demande|suggère|souhaite|conseille|dit|pense|"
    r"proposait|préconisait|recommandait|demandait|disait|pensait|"
    r"préconisations?|propositions?|recommandations?|demandes?|avis|positions?)\b"
    r"|\b(?:préconisations?|propositions?|recommandations?)\b"
    r"|\bque\s+(?:propose|préconise|recommande|demande|dit|pense)\b",
    re.IGNORECASE,
)
_PLAN = re.compile(
    r"\bquelles?\s+(?:sont\s+les\s+)?(?:mesures?|actions?|aides?|dispositifs?|financements?)\b"
    r"|\b(?:que|qu['’]est-ce que|comment)\s+(?:la\s+)?(?:Région|plan|schéma)\s+"
    r"(?:prévoit|finance|fait|propose|soutient|engage|met)\b"
    r"|\bque\s+prévoit\b|\bquel\s+budget\b|\bcombien\b|\bmesures?\s+du\s+plan\b",
    re.IGNORECASE,
)
# the words of the frame: they say what is asked, not what it is about
_FRAME = re.compile(
    r"^\s*(?:qu['’]est-ce\s+que|que|quelles?|quels?|quel|comment|combien|est-ce\s+que)\b"
    r"(?:\s+(?:sont|est|fait|font|dit|disent|pense|pensent|propose|proposent|préconise|"
    r"souhaite|souhaitent|veut|veulent|entend|attend|"
    r"recommande|demande|prévoit|prévoient|finance|soutient|les|la|le|l['’]|des|du|de|"
    r"disait|pensait|proposait|préconisait|recommandait|demandait|"
    r"ce|cet|cette|mesures?|actions?|préconisations?|propositions?|recommandations?|"
    r"CESER|CESEC|Région|plan|schéma|conseil|régional|avis|position)\b)*"
    r"(?:\s+(?:pour|sur|en\s+matière\s+de|concernant|à\s+propos\s+de|au\s+sujet\s+de|"
    r"en\s+faveur\s+de|afin\s+de|de|d['’]|du|des))?\s*",
    re.IGNORECASE,
)
# « comment le CESER breton veut-il… », « que souhaite la Région Bretagne… »: the body named
# (with its region, one to four words) before a verb of intent is the whole frame
_ASKS = re.compile(
    r"^\s*(?:comment|que|qu['’]est-ce\s+que|qu['’]|pourquoi|en\s+quoi)\s*"
    r"(?P<who>(?:le\s+|la\s+)?(?:CESE[RC]|Région|conseil\s+régional))"
    r"(?P<name>(?:\s+(?!(?:veut|souhaite|entend|compte|envisage|propose|prévoit|voudrait|"
    r"aimerait)\b)[\w'’-]+){0,4}?)\s+"
    r"(?:veut|souhaite|entend|compte|envisage|propose|prévoit|voudrait|aimerait)"
    r"(?:(?:-t)?-(?:il|elle))?\b\s*",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^\s*(?:sur|pour|de|d['’]|du|des|concernant)\s+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:en|depuis|de|d['’]|année)\s*(19[89]\d|20[0-4]\d)\b", re.IGNORECASE)
_BODY = re.compile(
    r"\b(CESE[RC]|Région|Conseil\s+régional)\s+(?:de\s+la\s+|de\s+l['’]|de\s+|d['’]|du\s+)?"
    r"(?P<name>(?-i:[A-ZÀ-Ý][\w'’]*"
    r"(?:[ -]+(?:de[ -]+la[ -]+|de[ -]+|d['’]|du[ -]+)?[A-ZÀ-Ý][\w'’]*)*))",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)
STOP = frozenset(
    """a à au aux avec ce ces cet cette dans de des du elle en et est il ils je la le les leur
    leurs lui ma mais me mes moi mon ne nos notre nous on ou où par pas pour qu que qui quoi
    quel quelle quels quelles sa se ses si son sur ta te tes toi ton tu un une vos votre vous
    y d l n s t c j m est sont été être avoir ont fait faire comment combien pourquoi quand
    dont ni car donc or""".split()
)


@dataclass(frozen=True)
class Intent:
    """A query read as a councillor meant it."""

    query: str  # what the question is about (the frame taken out), for the lexical side
    advice: bool = False  # asks what the CESER proposes: recommendations first
    measures: bool = False  # asks what the Région does: plans and their measures first
    body: str | None = None  # « CESER Bretagne », « Région Occitanie »
    year: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was read, in French
    regions: tuple[str, ...] = ()  # the regions named: the search keeps their documents
    # the question with its frame but without the body's name and the year (« que propose le
    # CESER pour… »): what the dense side reads when the frame says what is asked
    unnamed: str = ""


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


def meaningful_words(text: str) -> list[str]:
    """Return the words of text that are not function words."""
    return [w for w in _WORD.findall(text) if _fold(w) not in STOP and w.lower() not in STOP]


def read(question: str) -> Intent:
    """Return what the question asks for; its frame goes into the preferences."""
    text = " ".join(question.split()).strip(" ?!.")
    notes: list[str] = []
    asks = _ASKS.match(text)
    by_region = asks is not None and "CESE" not in asks.group("who").upper()
    advice = bool(_ADVICE.search(text)) or (bool(asks) and not by_region)
    measures = (bool(_PLAN.search(text)) or by_region) and not advice
    body = None
    m = _BODY.search(text)
    if m:
        kind = "CESER" if m.group(1).upper().startswith("CESE") else "Région"
        body = f"{kind} {m.group('name')}"
    year = None
    y = _YEAR.search(text)
    if y:
        year = int(y.group(1))
    if asks:
        subject = text[asks.end() :]
    else:
        subject = _FRAME.sub("", text, count=1) if (advice or measures) else text
    unnamed = text
    if asks:  # the dense side reads the frame without the body's name (« comment le CESER
        unnamed = text[: asks.start("name")] + text[asks.end("name") :]  # veut-il… »)
    if body and m:
        unnamed = unnamed.replace(m.group(0), m.group(1))  # « CESER de La Réunion »: « CESER »
        subject = subject.replace(m.group(0), " ").replace(m.group("name"), " ")
        subject = _LEAD.sub("", subject)
    if y and (advice or measures or body):  # « que disait le CESER en 2019 sur… »: a frame
        subject = _LEAD.sub("", subject.replace(y.group(0), " ").strip())
        unnamed = unnamed.replace(y.group(0), " ")
    subject = " ".join(subject.split()) or text
    if advice:
        notes.append("préconisations d'abord")
    if measures:
        notes.append("mesures des plans d'abord")
    if body:
        notes.append(f"documents de « {body} » d'abord")
    if year:
        notes.append(f"documents de {year} d'abord")
    regions = regions_in_query(text)
    unnamed = " ".join(unnamed.split()) or text
    return Intent(subject, advice, measures, body, year, tuple(notes), regions, unnamed)
