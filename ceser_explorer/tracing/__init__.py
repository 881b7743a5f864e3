"""Tracing: which measures of a Région plan answer each préconisation of a CESER avis, the
coverage of an avis by a plan, and the measure of tracing against true links."""

from .links import LinkReport, evaluate_links, load_links
from .stored import coverage_key, load_coverage, save_coverage, stale_avis
from .tracer import (
    FLOOR,
    NO_PLAN,
    NO_PLAN_TEXT,
    THRESHOLD,
    CoverageRow,
    Match,
    Trace,
    Tracer,
    Unit,
    coverage,
    plan_units,
    resolve_unit,
    trace,
)

__all__ = [
    "FLOOR",
    "NO_PLAN",
    "NO_PLAN_TEXT",
    "THRESHOLD",
    "CoverageRow",
    "LinkReport",
    "Match",
    "Trace",
    "Tracer",
    "Unit",
    "coverage",
    "coverage_key",
    "evaluate_links",
    "load_coverage",
    "load_links",
    "plan_units",
    "resolve_unit",
    "save_coverage",
    "stale_avis",
    "trace",
]
