"""Tracing: which measures of a Région plan answer each préconisation of a CESER avis, the
coverage of an avis by a plan, and the measure of tracing against true links."""

from .links import LinkReport, evaluate_links, load_links
from .tracer import (
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
    "THRESHOLD",
    "CoverageRow",
    "LinkReport",
    "Match",
    "Trace",
    "Tracer",
    "Unit",
    "coverage",
    "evaluate_links",
    "load_links",
    "plan_units",
    "resolve_unit",
    "trace",
]
