"""A French thesaurus of regional-policy wording, to expand lexical queries.

A councillor writes « chômeurs » or « jeunes pousses »; the documents say « demandeurs
d'emploi » or « start-up ». The thesaurus (``data/thesaurus.toml``, written by us) holds
groups of interchangeable expressions. When a query contains an expression of a group, as a
run of consecutive stems, the search adds the terms of the group's other expressions at a
lower weight; terms already in the query are not added again. Only wording that the
documents rarely use is expanded: there the query and the documents speak differently.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from .. import analysis
from ..errors import CeserError

DEFAULT_WEIGHT = 0.5  # an added term counts half as much as a term of the query
# Only wording that at most this share of the passages use is expanded: « IA » in a corpus
# about AI needs no « intelligence artificielle », which would only add noise. Weight and
# share were chosen on the tune split (README, « Recherche »).
MAX_SHARE = 0.01
# The query is re-embedded with another wording of at most this many of its expressions:
# each variant costs one more embedding, and more than two did not help on the tune split.
MAX_VARIANTS = 2
# The concept lexicon (``data/concepts.toml``): looser groups than the thesaurus' (an everyday
# word and the documents' words for the same notion: « alternant » ↔ « apprentissage »), for
# questions reworded without their answer's words. Its terms are added at CONCEPT_WEIGHT of
# the expansion weight, under the same rarity rule (docs/search.md).
CONCEPT_WEIGHT = 1.0


class Frequencies(Protocol):
    """How many passages there are, and in how many a term of a column occurs."""

    @property
    def size(self) -> int: ...

    def df(self, column: str, term: str) -> int: ...


def rare(index: Frequencies, max_share: float = MAX_SHARE) -> Callable[[Expression], bool]:
    """Return the test of whether an expression of a query is worth widening: its rarest stem
    is in at most max_share of the passages (the documents seldom word it so)."""

    def needed(expr: Expression) -> bool:
        return min(index.df("stems", t) for t in expr.stems) <= max_share * index.size

    return needed


@dataclass(frozen=True)
class Expression:
    """One expression of a group, as its stems (to find it) and its terms (to search it)."""

    text: str
    stems: tuple[str, ...]
    folded: tuple[str, ...]


@dataclass(frozen=True)
class Thesaurus:
    """Groups of interchangeable expressions."""

    groups: tuple[tuple[Expression, ...], ...]

    @cached_property
    def _by_first_stem(self) -> dict[str, list[tuple[int, Expression]]]:
        out: dict[str, list[tuple[int, Expression]]] = {}
        for g, group in enumerate(self.groups):
            for expr in group:
                out.setdefault(expr.stems[0], []).append((g, expr))
        return out

    def matches(self, query: str) -> list[tuple[Expression, tuple[Expression, ...]]]:
        """Return (expression found in the query, its group) for each group matched, in order."""
        stems = tuple(analysis.analyze(query, "stem"))
        found: dict[int, Expression] = {}
        for i, first in enumerate(stems):
            for g, expr in self._by_first_stem.get(first, ()):
                if g not in found and stems[i : i + len(expr.stems)] == expr.stems:
                    found[g] = expr
        return [(found[g], self.groups[g]) for g in sorted(found)]

    def alternatives(
        self, query: str, needed: Callable[[Expression], bool] | None = None
    ) -> list[tuple[Expression, tuple[Expression, ...]]]:
        """Return, for each expression of the query worth expanding, the others of its group."""
        return [
            (expr, tuple(other for other in group if other is not expr))
            for expr, group in self.matches(query)
            if needed is None or needed(expr)
        ]

    def rewordings(
        self, query: str, needed: Callable[[Expression], bool] | None = None
    ) -> list[list[Expression]]:
        """Return, for each expression of the query worth expanding, the other wordings of
        its group that are not mere inflections of it (their stems differ)."""
        return [
            [other for other in others if other.stems != expr.stems]
            for expr, others in self.alternatives(query, needed)
        ]

    def variants(self, query: str, needed: Callable[[Expression], bool] | None = None) -> list[str]:
        """Return the query followed, in brackets, by another wording of each expression found
        (of those needed says are worth it; by default, all).

        The other wording is the first rewording of the group (a rule that shares no word
        with it scored lower on the tune split).
        """
        return [
            f"{query} ({others[0].text})" for others in self.rewordings(query, needed) if others
        ]

    def expand(
        self,
        query: str,
        weight: float = DEFAULT_WEIGHT,
        needed: Callable[[Expression], bool] | None = None,
    ) -> dict[str, dict[str, float]]:
        """Return the terms to add per full-text column ("folded", "stems"), with their weight.

        needed(expression found in the query) says whether to expand it at all (by default,
        always): the search expands only wording that the documents rarely use.
        """
        own = {
            "folded": set(analysis.analyze(query, "folded")),
            "stems": set(analysis.analyze(query, "stem")),
        }
        out: dict[str, dict[str, float]] = {"folded": {}, "stems": {}}
        for _, others in self.alternatives(query, needed):
            for other in others:
                for column, terms in (("folded", other.folded), ("stems", other.stems)):
                    for t in terms:
                        if t not in own[column]:
                            out[column][t] = weight
        return {column: terms for column, terms in out.items() if terms}


def parse(text: str, source: str) -> Thesaurus:
    """Return the thesaurus of a TOML text ([[groupe]] termes = [...]); source is for errors."""
    try:
        data = tomllib.loads(text)
        raw = [list(g["termes"]) for g in data.get("groupe", [])]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise CeserError(
            f"thésaurus {source} illisible ({e}) : attendu des blocs [[groupe]] termes = [...]."
        ) from e
    groups = []
    for terms in raw:
        exprs = tuple(
            Expression(
                str(t),
                tuple(analysis.analyze(str(t), "stem")),
                tuple(analysis.analyze(str(t), "folded")),
            )
            for t in terms
        )
        exprs = tuple(e for e in exprs if e.stems)
        if len(exprs) >= 2:
            groups.append(exprs)
    return Thesaurus(tuple(groups))


@lru_cache(maxsize=1)
def concepts() -> Thesaurus:
    """Return the concept lexicon shipped with the package (``data/concepts.toml``)."""
    shipped = resources.files("ceser_explorer") / "data" / "concepts.toml"
    return parse(shipped.read_text(encoding="utf-8"), "data/concepts.toml")


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Thesaurus:
    """Return the thesaurus at path, or the one shipped with the package."""
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise CeserError(f"thésaurus {p} introuvable : vérifiez le chemin.")
        return parse(p.read_text(encoding="utf-8"), str(p))
    shipped = resources.files("ceser_explorer") / "data" / "thesaurus.toml"
    return parse(shipped.read_text(encoding="utf-8"), "data/thesaurus.toml")
