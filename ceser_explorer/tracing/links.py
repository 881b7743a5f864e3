"""Measuring tracing against true links written by hand (``corpus/links.toml``).

Each ``[[link]]`` names a recommendation of an avis (file and number), a plan, and the codes
of the plan measures that truly answer it (none: the plan does not answer it).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..config import Settings
from ..errors import CeserError
from .tracer import Tracer, json_value, plan_units, resolve_unit


@dataclass(frozen=True)
class LinkReport:
    """Precision and recall of tracing on true links (pairs recommendation → measure)."""

    threshold: float
    true_links: int
    predicted: int
    correct: int
    covered_accuracy: float
    missing: tuple[str, ...]  # true links not found, "avis.pdf#3 → plan.pdf 2.1"
    spurious: tuple[str, ...]  # links found that are not true
    links: int = 0  # préconisations (with or without a true measure) measured

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_links if self.true_links else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **json_value(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


def load_links(path: str | Path) -> list[dict[str, Any]]:
    """Return the [[link]] tables of a links file (avis, number, plan, measures)."""
    p = Path(path)
    if not p.is_file():
        raise CeserError(f"fichier de liens introuvable : {p}.")
    try:
        links = tomllib.loads(p.read_text(encoding="utf-8")).get("link", [])
    except tomllib.TOMLDecodeError as e:
        raise CeserError(f"{p} n'est pas un fichier TOML valide ({e}).") from e
    for n, link in enumerate(links, 1):
        if not {"avis", "number", "plan", "measures"} <= set(link):
            raise CeserError(f"{p} : le lien n°{n} doit avoir avis, number, plan et measures.")
    return list(links)


def evaluate_links(
    settings: Settings,
    catalog: Catalog,
    links: str | Path,
    tracer: Tracer | None = None,
    avis: str | None = None,
    plan: str | None = None,
) -> LinkReport:
    """Return the precision and recall of tracing against the true links of a links file.

    avis and plan (file names or paths) keep only the links of that avis or that plan.
    """
    tracer = tracer or Tracer(settings, catalog)
    truth: set[tuple[str, int, str, str]] = set()
    found: set[tuple[str, int, str, str]] = set()
    covered_ok = 0
    entries = [
        link
        for link in load_links(links)
        if (avis is None or Path(avis).name == Path(str(link["avis"])).name)
        and (plan is None or Path(plan).name == Path(str(link["plan"])).name)
    ]
    if not entries:
        raise CeserError(
            f"{links} : aucun lien pour cet avis et ce plan ; vérifiez --doc et --plan."
        )
    for link in entries:
        doc, number, target = str(link["avis"]), int(link["number"]), str(link["plan"])
        truth.update((doc, number, target, str(code)) for code in link["measures"])
        source = resolve_unit(catalog, f"{doc}#{number}")
        ranked = tracer.rank(source, plan_units(catalog, target))
        answered = {(doc, number, target, m.code) for m in ranked if m.answers}
        found |= answered
        covered_ok += bool(answered) == bool(link["measures"])
    fmt = [f"{a}#{n} → {p} {c}" for a, n, p, c in sorted(truth - found)]
    extra = [f"{a}#{n} → {p} {c}" for a, n, p, c in sorted(found - truth)]
    return LinkReport(
        tracer.threshold,
        len(truth),
        len(found),
        len(truth & found),
        covered_ok / len(entries),
        tuple(fmt),
        tuple(extra),
        len(entries),
    )
