"""Recommendations of avis and measures of plans, recognised in the passages of a document.

A recommendation is found in one of three ways, whatever the house style:
- a label, as a heading or at the start of a paragraph or box: « Préconisation n°3 »,
  « PRÉCONISATION N° 3 », « Recommandation 3 – », « Proposition IV », « Piste 3 », « R3 »…;
- a list item or paragraph of a section about recommendations (« Nos préconisations »,
  « Ce que propose le CESER »…) that opens with a number (« 3. », « 3) », « IV. », « c) »)
  or with a verb in the infinitive (« Créer… », « Renforcer… »);
- inline, a sentence whose subject is the council (« Le CESER », « le CESER Bretagne »,
  « le Conseil », « notre assemblée », « il », « elle », « nous ») and whose verb gives advice
  (préconise, recommande, demande, propose, souhaite, invite, appelle, suggère, encourage,
  insiste, plaide, alerte, attire l'attention, estime ou juge nécessaire…), or an impersonal
  « il conviendrait de ». Inline ones count only where the document has no numbered list:
  an avis that numbers its préconisations announces them in its prose first.
Sentences about the recommendations (« Le CESER formule treize préconisations ») are not
recommendations; a summary list that repeats recommendations stated in full elsewhere yields
each recommendation once, with its full text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..models import MeasureDraft, PassageDraft, RecommendationDraft

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_LABEL_WORDS = r"Préconisation|Proposition|Recommandation|Piste|Orientation"
_NUMBER = (
    r"(?:n\s*[°º]\.?|N\s*[°º]\.?|no\.?|numéro)?\s*"
    r"(?P<num>\d{1,3}|[IVXLC]{1,7}(?![\w'’])|[a-h](?=\s*[:.)–—-]))"
)
_LABEL = re.compile(
    rf"^(?:(?:{_LABEL_WORDS}|(?P<action>Action))s?\s*{_NUMBER}|R(?P<rnum>\d{{1,3}})(?=\s*[:.–—-]|\s+[A-ZÀ-Ý]|\s*$))"
    r"\s*[:.)–—-]?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_REC_SECTION = re.compile(
    r"(préconisations?|propositions?|recommandations?|pistes? d['’]action|pistes?\b|"
    r"ce que (?:propose|demande|recommande|préconise))",
    re.IGNORECASE,
)
_NOT_REC_SECTION = re.compile(r"déclarations?\s+des\s+groupes|résultat du vote|annexe", re.I)
# where the council's own voice stops: the groups speak, annexes cite others (the vote section
# is no such place: a box or column read out of order may file the last advice under it)
_NOT_OWN_VOICE = re.compile(r"déclarations?\s+des\s+groupes|annexe", re.I)
_MARKER = re.compile(
    r"^(?:(\d{1,2})\s*[.)]|([IVXLC]{1,6})\s*[.)]|([a-h])\s*\)|[•–—▪■●◦►➢✓-])\s+(.+)$", re.DOTALL
)
# OCR reads the full stop after a list number as a comma (« 2, Garantir… »)
_OCR_MARKER = re.compile(r"^(\d{1,2})\s*,\s+(?=[A-ZÀ-Ý])")


def _marker(p: PassageDraft) -> re.Match[str] | None:
    """The list marker a passage opens with (« 3. », « IV. », « c) », a bullet), if any."""
    text = p.text
    if p.ocr:
        text = _OCR_MARKER.sub(r"\1. ", text)
    return _MARKER.match(text)


_INFINITIVE = re.compile(
    r"^(?:[A-ZÀ-Ý]|S['’]|Se\s+[a-zà-ÿ])[a-zà-ÿ]+(?:er|ir|re|oir)\b"  # « Créer », « S'appuyer »
)
# words that end like an infinitive and open sentences that give none
_NOT_INFINITIVES = frozenset(
    "notre votre entre contre outre autre premier dernier hier leur chaque".split()
)
_MEASURE = re.compile(
    r"^(Axe|Mesure|Action)\s+(\d+(?:\.\d+)*)\s*[:.–—-]?\s*(.*)$", re.IGNORECASE | re.DOTALL
)
_AMOUNT = re.compile(
    r"(\d{1,3}(?:[\s\u202f\u00a0.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)\s*"
    r"(Md€|Mds\s?€|M\s?€|k€|K€|€|millions?\s+d['’]euros|milliards?\s+d['’]euros|euros)",
    re.IGNORECASE,
)
_BODY_KINDS = ("paragraph", "list_item")

# -- inline recommendations -------------------------------------------------------------------
# a proper name (« Bretagne », « La Réunion », « Pays de la Loire »): capitals count
_NAME = (
    r"(?-i:[A-ZÀ-Ý][\w'’]*(?:(?:[\s-]+|\s*/\s*)(?:(?:de[\s-]+la|de|du|des|la)[\s-]+|"
    r"(?:de[\s-]+)?[dl]['’])?[A-ZÀ-Ý][\w'’]*)*)"
)
_OF = r"(?:de\s+la\s+|de\s+l['’]|de\s+|d['’]|du\s+|des\s+)?"
_SUBJECT = (
    r"(?:(?:le|du|au)\s+CESE[RC](?:\s+" + _OF + _NAME + r")?"
    r"|le\s+Conseil(?:\s+économique,?\s+social,?\s+(?:et\s+)?environnemental"
    r"(?:,?\s+et\s+culturel|\s+régional)*(?:\s+" + _OF + _NAME + r")?)?"
    r"|notre\s+(?:assemblée|conseil)|l['’]assemblée|(?<![\w'’])(?:il|elle|nous))"
)
_CLITICS = (
    r"(?:\s+(?:lui|leur|la|les|l['’]|y|en|ne|donc|également|aussi|ainsi|alors|enfin|vivement|"
    r"fortement|instamment|résolument|clairement|dès\s+lors|par\s+ailleurs|en\s+outre|"
    r"d['’]ailleurs|en\s+conséquence|par\s+conséquent|toutefois|cependant|néanmoins|"
    r"donc|plus\s+particulièrement|particulièrement|notamment|à\s+nouveau|de\s+nouveau))*"
)
_APPOSITION = r"(?:\s*,[^,.;:]{1,90},)?"
_NEED = (
    r"(?:nécessaire|indispensable|souhaitable|essentiel|urgent|important|utile|opportun|"
    r"prioritaire|impératif|fondamental|primordial)"
)
_VERB = (
    r"(?:préconis|recommand|demand|propos|souhait|invit|encourag|insist|plaid|alert|exhort|conseill|milit)"
    r"(?:e|ent|e?ons|erait|eraient|erions|era|eront|erons)\b"
    r"|appel(?:le|lent|ons|lerait|lera)\b|sugg[èé]r(?:e|ent|ons|erait|era)\b"
    r"|attir(?:e|ent|ons|erait)\s+(?:\w+\s+)?l['’]attention"
    r"|(?:estim|jug|consid[èé]r)(?:e|ent|e?ons|erait)\s+(?:qu['’]il\s+(?:est|serait)\s+|(?:très\s+|tout\s+à\s+fait\s+|donc\s+|particulièrement\s+)?)"
    + _NEED
)
_INLINE = re.compile(
    rf"(?:^|[\s,;:(«])(?:{_SUBJECT}){_APPOSITION}{_CLITICS}\s+(?:{_VERB})"
    rf"|\bil\s+(?:conviendrait|conviendra|convient)\s+(?:\w+\s+)?(?:de|d['’]|que|qu['’])"
    rf"|\bil\s+(?:paraît|para[iî]t|semble|apparaît|appara[iî]t|est|serait)\s+(?:donc\s+|très\s+|aujourd['’]hui\s+)?"
    rf"(?:{_NEED}|recommandé|préconisé|proposé|demandé|souhaité|suggéré)\s+(?:de|d['’]|que|qu['’])",
    re.IGNORECASE,
)
_ABOUT_RECS = re.compile(
    r"\b(?:\w+|\d+)\s+(?:préconisations|recommandations|propositions|pistes)\b"
    r"|\b(?:préconisations|recommandations|propositions)\s+"
    r"(?:suivantes|qui suivent|ci-après|ci-dessous)",
    re.IGNORECASE,
)
# a sentence that names the council; one that opens on another body as its subject (a group,
# a union, the Région, the State): the pronouns after it stand for that body
_COUNCIL = re.compile(
    r"\bCESE[RC]\b|\bConseil\s+économique|\bnotre\s+(?:assemblée|conseil)\b|"
    r"(?:^|[\s,])le\s+Conseil\b(?!\s+régional)",
    re.IGNORECASE,
)
_OTHER_SUBJECT = re.compile(
    r"^(?:(?i:pour|selon)\s+)?(?:(?i:le\s+groupe)\b|(?i:la|le|les|l['’])\s*[A-ZÀ-Ý][\w-]*|"
    r"[A-Z]{2,}[\w-]*\s|Force\s+ouvrière)"
)
_PRONOUN = re.compile(r"(?<![\w'’])(?:il|elle)(?![\w'’])", re.IGNORECASE)
_ENDS = re.compile(r"[.!?…»)\]]\s*$")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?[A-ZÀ-Ý])")


def parse_amount(text: str) -> float | None:
    """Return the first amount in euros found in text ("9 M€" -> 9000000.0), or None."""
    m = _AMOUNT.search(text)
    if not m:
        return None
    number = re.sub(r"[\s\u202f\u00a0.]", "", m.group(1)).replace(",", ".")
    unit = m.group(2).lower()
    value = float(number)
    if unit.startswith(("md", "milliard")):
        value *= 1e9
    elif unit.startswith(("m", "million")):
        value *= 1e6
    elif unit.startswith("k"):
        value *= 1e3
    return value


def roman(text: str) -> int | None:
    """Return the value of a roman numeral (« IV » -> 4), None if text is not one."""
    text = text.upper()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = _ROMAN[c]
        total += -v if i + 1 < len(text) and _ROMAN[text[i + 1]] > v else v
    return total


def _number(token: str) -> int | None:
    """Return the number a label or list marker carries: 3, « IV », « c » (the third)."""
    if token.isdigit():
        return int(token)
    if len(token) == 1 and token.lower() in "abcdefgh" and token.islower():
        return ord(token) - ord("a") + 1
    value = roman(token)
    if value is not None:
        return value
    if len(token) == 1 and token.lower() in "abcdefgh":
        return ord(token.lower()) - ord("a") + 1
    return None


def label(text: str, doc_kind: str) -> tuple[int | None, str] | None:
    """Return (number, rest) when text opens with a recommendation label, else None."""
    m = _LABEL.match(text.strip())
    if not m or (m.group("action") and doc_kind == "plan"):
        return None
    token = m.group("num") or m.group("rnum")
    return _number(token), m.group("rest").strip()


def about_recommendations(sentence: str) -> bool:
    """Return True for a sentence about the recommendations rather than one of them."""
    return bool(_ABOUT_RECS.search(sentence))


def inline_recommendations(text: str) -> list[str]:
    """Return the advice sentences of text, each with the sentences that follow it.

    A sentence gives advice when the council (or « il conviendrait… ») is the subject of a verb
    of advice; the sentences after it, up to the next advice sentence, explain it. A pronoun
    (« il », « elle ») stands for the body named last before it: after « La CFDT votera… » or
    « La Région engage… », « Elle demande… » is not the council's advice.
    """
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    out: list[list[str]] = []
    other = False  # the body named last is not the council
    for s in sentences:
        if _COUNCIL.search(s):
            other = False
        elif _OTHER_SUBJECT.match(s):
            other = True
        m = _INLINE.search(s)
        pronoun = m is not None and bool(_PRONOUN.search(m.group(0)))
        if m and not about_recommendations(s) and not (pronoun and other):
            out.append([s])
        elif out:
            out[-1].append(s)
    return [" ".join(parts) for parts in out]


def _infinitive(text: str) -> bool:
    """Return True when text opens with a verb in the infinitive (« Créer… », « Renforcer… »),
    not with a word that only ends like one (« Notre assemblée… », « Entre 2020 et… »)."""
    m = _INFINITIVE.match(text)
    return m is not None and m.group(0).lower() not in _NOT_INFINITIVES


def _rec_sections(p: PassageDraft) -> tuple[bool, bool]:
    """(the passage's own section is about recommendations, one of the sections above it is).

    A section that is itself a label (« Préconisation n°5 », « Action 2 ») counts: the
    paragraphs filed under it belong to the recommendation it heads.
    """
    section = p.provenance.section
    if not section or _NOT_REC_SECTION.search(section):
        return False, False
    parts = section.split(" > ")

    def about(part: str) -> bool:
        return bool(_REC_SECTION.search(part) or _LABEL.match(part.strip()))

    # the bold lead of a run-in recommendation taken for a heading heads no section
    while len(parts) > 1 and _fragment(parts[-1]):
        parts.pop()
    return about(parts[-1]), any(about(part) for part in parts)


def _fragment(text: str) -> bool:
    """Return True for the start of a recommendation cut off its sentence: an infinitive
    that ends without punctuation (« Mettre en place, avec le »)."""
    return _infinitive(text) and not _ENDS.search(text) and not text.rstrip().endswith(":")


def _finish(out: list[PassageDraft], last: int, text: str) -> tuple[str, int]:
    """Return the recommendation's text run on over the passages that finish its cut sentence
    (the piece after the cut starts in lower case, a table or a note may sit in between; a
    heading ends the search), and the index of the last one taken; those are re-kinded."""
    j = last + 1
    while not _ENDS.search(text) and j < len(out) and j <= last + 3:
        q = out[j]
        if q.kind in (*_BODY_KINDS, "heading") and q.text[:1].islower():
            text = f"{text} {q.text.strip()}"
            if q.kind in _BODY_KINDS:
                out[j] = replace(q, kind="recommendation")
            last = j
        elif q.kind not in ("table", "footnote"):
            break
        j += 1
    return text, last


def _cells(text: str) -> list[str] | None:
    """The cells of a table passage that is a drawn box rather than a table (one filled cell
    per row, a coloured strip beside it), in reading order; None for a real table."""
    rows = [[c.strip() for c in row.split(" | ") if c.strip()] for row in text.split("\n")]
    rows = [r for r in rows if r]
    if not rows or any(len(r) > 1 for r in rows):
        return None
    return [r[0] for r in rows]


def _label_segments(text: str, doc_kind: str) -> list[tuple[int | None, str]] | None:
    """Split a passage where a recommendation label opens a sentence inside it (two boxes
    read as one paragraph): [(number, text)] for each labelled part, None when no label opens
    a sentence after the first one."""
    cuts = [m for m in _SENTENCE.finditer(text) if label(text[m.end() :], doc_kind)]
    if not cuts:
        return None
    starts = [0, *[m.end() for m in cuts]]
    ends = [*[m.start() for m in cuts], len(text)]
    out = []
    for a, b in zip(starts, ends, strict=True):
        found = label(text[a:b], doc_kind)
        if found and found[1]:
            out.append((found[0], found[1]))
    return out


def _dedupe(recs: list[RecommendationDraft]) -> list[RecommendationDraft]:
    """Keep each recommendation once: a summary line gives way to the full statement."""

    def words(t: str) -> set[str]:
        # a compound may lose its hyphen in one copy (« multi-métiers », « multimétiers »)
        t = re.sub(r"(?<=\w)[-\u2010\u2011](?=\w)", "", t.lower())
        return {w for w in re.findall(r"\w+", t) if len(w) > 3}

    keep: list[RecommendationDraft] = []
    for r in sorted(recs, key=lambda r: -len(r.text)):
        wr = words(r.text)
        dup = False
        for k in keep:
            wk = words(k.text)
            same_number = r.number is not None and r.number == k.number
            contained = bool(wr) and len(wr & wk) >= 0.8 * len(wr)
            if contained and (same_number or r.number is None or k.number is None):
                dup = True
                break
        if not dup:
            keep.append(r)
    return sorted(keep, key=lambda r: r.passage_ordinal)


def _labelled_heading(
    out: list[PassageDraft], i: int, number: int | None, rest: str
) -> tuple[list[RecommendationDraft], int]:
    """A label heading (« Préconisation n°3 ») and the paragraphs under it, up to the next
    heading or the end of its box: (the recommendation, the index after it)."""
    p = out[i]
    body: list[int] = []
    j = i + 1
    own = _own_box_text(out, i)
    if own:  # boxes side by side: the next label is the other box's, its text comes later
        for k in own:
            out[k] = replace(out[k], kind="recommendation")
        text = " ".join(out[k].text for k in own)
        # the label's own words, where they read on into the text or end a sentence (not a
        # title beside the box read into the label's line: « Préconisation n° 8 Glossaire »)
        if len(rest) > 3 and (_ENDS.search(rest) or text[:1].islower()):
            text = f"{rest} {text}"
        return [RecommendationDraft(own[0], number, text, inline=False)], i + 1
    while j < len(out) and out[j].kind in (*_BODY_KINDS, "footnote"):
        # the box ends where another frame starts; a label set in a strip of its own
        # (its own frame) still heads the text of the next one
        if p.frame is not None and out[j].frame != p.frame and out[j].kind != "footnote" and body:
            break
        if out[j].kind != "footnote":
            body.append(j)
        j += 1
    if body:
        for k in body:
            out[k] = replace(out[k], kind="recommendation")
        text = " ".join(out[k].text for k in body)
        if len(rest) > 3:  # « Proposition IV — Hiérarchiser… »: the label's own words
            text = f"{rest} {text}"
        text, last = _finish(out, body[-1], text)
        return [RecommendationDraft(body[0], number, text, inline=False)], max(j, last + 1)
    if rest:
        out[i] = replace(p, kind="recommendation")
        return [RecommendationDraft(i, number, rest, inline=False)], j
    return [], j


def _own_box_text(out: list[PassageDraft], i: int) -> list[int]:
    """The text of a label's box where what comes next is not the box's (two boxes side by
    side read label, label, text, text; a table or heading beside the box read between its
    label and its text): the passages of the label's own frame after it on its page, up to
    the next heading of that frame; [] anywhere else."""
    p = out[i]
    nxt = out[i + 1] if i + 1 < len(out) else None
    if p.frame is None or nxt is None or nxt.kind in _BODY_KINDS or nxt.frame == p.frame:
        return []
    own: list[int] = []
    for k in range(i + 1, len(out)):
        q = out[k]
        if q.provenance.pages[:1] != p.provenance.pages[:1] and q.frame != p.frame:
            break
        if q.frame != p.frame:
            continue
        if q.kind not in _BODY_KINDS:
            break
        own.append(k)
    return own


def _listed(p: PassageDraft, i: int, doc_kind: str) -> RecommendationDraft | None:
    """A recommendation of a section about recommendations: an item that opens with a number
    (« 3. », « IV. », « c) ») anywhere under such a section, or a paragraph or item that opens
    with an infinitive right under one."""
    own, above = _rec_sections(p)
    if not above or doc_kind == "plan":
        return None
    item = _marker(p)
    if item:
        token = item.group(1) or item.group(2) or item.group(3)
        number = _number(token) if token else None
        rest = item.group(4).strip()
        if own and (number is not None or _infinitive(rest)):
            return RecommendationDraft(i, number, rest, inline=False)
        if number is not None and _infinitive(rest):  # under a sub-heading of the section
            return RecommendationDraft(i, number, rest, inline=False)
        return None
    if own and _infinitive(p.text) and not about_recommendations(p.text):
        if len(inline_recommendations(p.text)) > 1:
            return None  # « Notre assemblée recommande… Elle alerte… »: read inline
        return RecommendationDraft(i, None, p.text.strip(), inline=False)
    return None


def _style(item: re.Match[str] | None) -> int:
    """How a list item is numbered: 1 arabic, 2 roman, 3 letters, 0 a bullet or none."""
    if item is None:
        return 0
    return next((k for k in (1, 2, 3) if item.group(k)), 0)


# a line that cannot end a phrase: it stops on an article, a preposition or a conjunction
_RUNS_ON = re.compile(
    r"(?:\b(?:de|des|du|la|le|les|un|une|et|ou|à|au|aux|en|pour|par|sur|dans|avec)|[dl]['’])$",
    re.IGNORECASE,
)


def _next_in_list(
    p: PassageDraft, i: int, doc_kind: str, previous: int | None
) -> RecommendationDraft | None:
    """The item that goes on with the numbered recommendations (« III. Conditionner… » after
    « II. »), wherever it was filed: a column or box read out of order may put the end of the
    list under the next heading (« Résultat du vote »)."""
    if previous is None or doc_kind == "plan" or _NOT_OWN_VOICE.search(p.provenance.section):
        return None
    item = _marker(p)
    if item is None:
        return None
    token = item.group(1) or item.group(2) or item.group(3)
    if not token or _number(token) != previous + 1 or not _infinitive(item.group(4).strip()):
        return None
    return RecommendationDraft(i, previous + 1, item.group(4).strip(), inline=False)


def _inline_scope(passages: list[PassageDraft]) -> list[bool]:
    """Whether each passage may hold inline recommendations: not in the group declarations
    or the annexes, even where their sub-headings (« CFDT ») were filed beside them
    rather than under them; a later section about recommendations opens the scope again."""
    out = []
    closed = False
    for p in passages:
        section = p.provenance.section
        last = section.split(" > ")[-1] if section else ""
        if p.kind == "heading":
            if _NOT_OWN_VOICE.search(p.text):
                closed = True
            elif _REC_SECTION.search(p.text) and not _NOT_REC_SECTION.search(p.text):
                closed = False
        elif _NOT_OWN_VOICE.search(last):
            closed = True
        out.append(not closed and not _NOT_OWN_VOICE.search(section))
    return out


def find_recommendations(
    passages: list[PassageDraft], doc_kind: str, ceser: bool | None = None
) -> tuple[list[PassageDraft], list[RecommendationDraft]]:
    """Return the passages (recommendation passages re-kinded) and the recommendations.

    ceser tells whether a CESER issued the document (then inline recommendations are looked for
    whatever its type); by default, any document that is not a plan.
    """
    out = list(passages)
    recs: list[RecommendationDraft] = []
    listed_number: int | None = None  # the number of the last numbered item taken
    listed_style = 0  # and how it was numbered (_style)
    i = 0
    while i < len(out):
        p = out[i]
        if p.kind == "table":
            cells = _cells(p.text)
            found = label(cells[0], doc_kind) if cells else None
            if cells and found:
                text = " ".join([found[1], *cells[1:]]).strip()
                if text:
                    out[i] = replace(p, kind="recommendation")
                    recs.append(RecommendationDraft(i, found[0], text, inline=False))
            i += 1
            continue
        found = label(p.text, doc_kind) if p.kind in ("heading", *_BODY_KINDS) else None
        if found and p.kind == "heading":
            got, i = _labelled_heading(out, i, *found)
            recs += got
            continue
        item = _marker(p) if p.kind == "heading" else None
        following = (
            item is not None
            and _style(item) == listed_style
            and _next_in_list(p, i, doc_kind, listed_number) is not None
            and bool(_RUNS_ON.search(p.text.rstrip()))
        )
        lead = item.group(4).strip() if following and item else p.text
        if p.kind == "heading" and doc_kind != "plan" and _fragment(lead):
            own, _ = _rec_sections(p)
            nxt = i + 1
            if (own or following) and nxt < len(out) and out[nxt].kind in _BODY_KINDS:
                # a run-in bold lead taken for a heading: its sentence goes on below it
                # (or the next item of a numbered list: « 7. Améliorer l'information des »)
                out[nxt] = replace(out[nxt], kind="recommendation")
                text, last = _finish(out, nxt, f"{lead} {out[nxt].text.strip()}")
                number = listed_number + 1 if following and listed_number is not None else None
                recs.append(RecommendationDraft(nxt, number, text, inline=False))
                listed_number = number if number is not None else listed_number
                i = last + 1
                continue
        segments = _label_segments(p.text, doc_kind) if p.kind in _BODY_KINDS else None
        last = i
        if found and found[1] and segments:
            out[i] = replace(p, kind="recommendation")
            recs += [RecommendationDraft(i, n, t, inline=False) for n, t in segments]
        elif found and found[1]:
            out[i] = replace(p, kind="recommendation")
            text, last = _finish(out, i, found[1])
            recs.append(RecommendationDraft(i, found[0], text, inline=False))
        elif p.kind in _BODY_KINDS:
            listed = _listed(p, i, doc_kind) or _next_in_list(p, i, doc_kind, listed_number)
            if listed:
                out[i] = replace(p, kind="recommendation")
                text, last = _finish(out, i, listed.text)
                recs.append(replace(listed, text=text))
                if listed.number is not None:
                    listed_number = listed.number
                    listed_style = _style(_marker(p))
        i = last + 1
    numbered = sum(1 for r in recs if r.number is not None)
    by_ceser = doc_kind != "plan" if ceser is None else ceser
    if by_ceser and numbered < 3:
        scope = _inline_scope(out)
        for i, p in enumerate(out):
            if p.kind in _BODY_KINDS and scope[i]:
                for sentence in inline_recommendations(p.text):
                    recs.append(RecommendationDraft(i, None, sentence, inline=True))
    recs.sort(key=lambda r: r.passage_ordinal)
    return out, _mend_numbers(_dedupe(recs), {i for i, p in enumerate(out) if p.ocr})


def _mend_numbers(recs: list[RecommendationDraft], ocr: set[int]) -> list[RecommendationDraft]:
    """Put right the numbers OCR misread or lost in a numbered series of OCR passages.

    A number that breaks the series where the numbers around it agree on the one it stands
    for is misread (« 4. » for « 1. » before 2, 3; « 1, 2, 4, 4 »). Marks Tesseract did not
    read at all (« a) » and « d) » read, « b) », « c) » lost) are given back by their place in
    the series when two numbers read or more fall at their places. A series with a gap (1, 2,
    4, 5) stays as it is: a recommendation missed is no misreading."""
    out = list(recs)
    listed = [k for k, r in enumerate(recs) if not r.inline]
    numbered = [k for k in listed if recs[k].number is not None]
    for pos, k in enumerate(numbered):
        if recs[k].passage_ordinal not in ocr:
            continue
        before = recs[numbered[pos - 1]].number if pos else None
        after = recs[numbered[pos + 1]].number if pos + 1 < len(numbered) else None
        if before is not None and after is not None:
            guess = before + 1 if after - before == 2 else None
        elif before is None and after is not None:
            guess = 1 if after == 2 else None
        elif before is not None and pos >= 2:
            guess = before + 1 if recs[numbered[pos - 2]].number == before - 1 else None
        else:
            guess = None
        if guess is not None and guess != recs[k].number:
            out[k] = replace(recs[k], number=guess)
    anchors = [(i, out[k].number) for i, k in enumerate(listed) if out[k].number is not None]
    bases = {n - i for i, n in anchors if n is not None}
    if len(anchors) >= 2 and len(bases) == 1 and len(anchors) < len(listed):
        base = bases.pop()
        for i, k in enumerate(listed):
            if out[k].number is None and out[k].passage_ordinal in ocr:
                out[k] = replace(out[k], number=base + i)
    return out


def find_measures(
    passages: list[PassageDraft],
) -> tuple[list[PassageDraft], list[MeasureDraft]]:
    """Return the passages (measure headings re-kinded) and the axes, measures and actions."""
    out = list(passages)
    measures = []
    for i, p in enumerate(out):
        if p.kind not in ("heading", *_BODY_KINDS):
            continue
        m = _MEASURE.match(p.text)
        if not m:
            continue
        level, code, title = m.group(1).lower(), m.group(2), m.group(3).strip()
        body = [p.text]
        if p.kind == "heading":
            j = i + 1
            while j < len(out) and out[j].kind in (*_BODY_KINDS, "table", "footnote"):
                if out[j].kind in _BODY_KINDS:
                    body.append(out[j].text)
                j += 1
            if level != "axe":
                out[i] = replace(p, kind="measure")
        text = "\n".join(body)
        measures.append(MeasureDraft(i, level, code, title, text, parse_amount(text)))
    return out, measures
