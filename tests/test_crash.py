"""Crash-complete batches: ``ceser ingest`` killed (SIGKILL) at seeded moments across a
multi-document batch, in extraction, themes, vectors and coverage, then run again, leaves
exactly what a clean run leaves: passages, vectors, themes and coverage identical.

Real processes, the real default embedder, the embedding cache shared with the rest of the
suite (warm after the reference run). The moments come from a first, clean run: each
phase (the wait for the first document, each next document, the themes, the vectors, the
coverage) is timed there, and the runs are killed a seeded fraction of the way into one.
A killed run is followed by re-runs that are themselves killed right after they make
progress (a chain of up to four kills), then by one run to the end, whose result is
compared.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from crashing import Marks, kill_after_progress, phases, run_and_kill, snapshot, timeline
from crashing import ingest as run_ingest
from helpers import VARIETY_BATCH as DOCS
from helpers import variety_batch

KILLS = 21  # kills that land while ingest runs (a run may end before its moment)
CHAINS = 12  # at most; chains of up to 4 kills, the first one in each phase in turn
SEED = 14

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return variety_batch(tmp_path_factory.mktemp("batch"))


def test_ingest_killed_at_seeded_moments_then_run_again_equals_a_clean_run(batch, tmp_path):
    started = time.monotonic()
    clean = tmp_path / "clean"
    times, final = timeline(clean, batch)  # also warms the embedding cache, if cold
    assert final.documents == len(DOCS) and final.themed == len(DOCS) and final.coverage > 0
    expected = snapshot(clean)
    assert expected["vectors"] and expected["themes"] and expected["coverage"]
    names = [name for name, _ in phases(final)]
    bounds = [*[times[n] for n in names], times["end"]]
    durations = {n: max(bounds[i + 1] - bounds[i], 0.05) for i, n in enumerate(names)}
    rng = random.Random(SEED)
    kills: list[tuple[str, Marks]] = []
    for chain in range(CHAINS):
        if len(kills) >= KILLS:
            break
        home = tmp_path / f"chain-{chain}"
        phase = names[chain % len(names)]
        fraction = rng.uniform(0.5, 0.95) if phase == "start" else rng.uniform(0.05, 0.95)
        killed, at = run_and_kill(home, batch, final, phase, fraction * durations[phase])
        if killed:
            kills.append((phase, at))
        for _ in range(3):
            if at == final:
                break  # nothing left to interrupt
            killed, at = kill_after_progress(home, batch, rng.uniform(0.0, 1.5))
            if killed:
                kills.append(("re-run", at))
        report = run_ingest(home, batch)
        assert not report["derived"]["problems"], report["derived"]["problems"]
        got = snapshot(home)
        for key, value in expected.items():
            assert got[key] == value, f"chain {chain} ({phase}): {key} differs from a clean run"
    seen = {phase for phase, _ in kills}
    states = sorted({(m.documents, m.themed, m.postings, m.coverage) for _, m in kills})
    print(f"{len(kills)} kills in {time.monotonic() - started:.0f} s; {sorted(seen)}; {states}")
    assert len(kills) >= 20
    assert {"themes", "vectors", "coverage"} & seen and "re-run" in seen
