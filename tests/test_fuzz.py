"""Fuzzing the PDF reader: the committed crash cases, and a short seeded run of the fuzzer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, TESTS

from ceser_explorer.errors import BadDocumentError
from ceser_explorer.ingest import parse_pdf

CASES = sorted((TESTS / "fuzz_cases").glob("*.pdf"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_a_fuzz_case_is_read_or_refused_in_one_line(case: Path) -> None:
    try:
        parse_pdf(case, ocr=False)
    except BadDocumentError as e:
        assert str(e).startswith(str(case)) and "\n" not in str(e)


@pytest.mark.timeout(300)
def test_a_seeded_fuzz_run_finds_no_crash_hang_or_memory_growth() -> None:
    # about 40 s of cases (each in a child process, 30 s and 1 GB at most), plus the warm-up
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fuzz.py"),
            "--seconds",
            "40",
            "--seed",
            "20261206",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=ROOT,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["failures"] == [], report["failures"]
    assert report["cases"] >= 5  # the same first cases every run (seeded); more on a fast machine
    assert report["max_rss_mb"] < 1024
