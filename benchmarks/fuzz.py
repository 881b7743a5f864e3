"""Fuzz the PDF reader: mutated PDFs never crash, hang or grow memory past the limits.

Seeds are the sample corpus PDFs and hostile PDFs built from raw bytes (tests/hostile.py:
a Flate bomb, more pages than allowed, deep nesting, a form that draws itself, a giant page,
a giant image). Hypothesis draws a seed and one to three mutations (truncation, byte flips, a
broken xref, huge object counts, deep nesting, giant pages, a bomb spliced in); each case is
read by ``parse_pdf`` in a child process forked from this one (the modules, spaCy included,
are loaded once) under a wall-clock timeout and an address-space limit (RLIMIT_AS). A case
passes when the child returns a document or raises CeserError (BadDocumentError included);
anything else is a crash, a hang (killed at the timeout) or a memory failure (MemoryError or
a kill under the limit). ``--save DIR`` writes each failing case there (tests/fuzz_cases/
holds the committed ones, replayed by tests/test_fuzz.py).

Usage::

    .venv/bin/python benchmarks/fuzz.py --seconds 600 --seed 7          # the long run
    .venv/bin/python benchmarks/fuzz.py --seconds 40 --json             # what CI runs
    .venv/bin/python benchmarks/fuzz.py --replay tests/fuzz_cases       # the regressions
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import hostile  # noqa: E402  (tests/hostile.py: the raw-bytes builders)

CORPUS_SEEDS = ("avis_budget.pdf", "avis_cprdfop.pdf", "plan_ia_occitanie.pdf")
# CPU seconds per case (RLIMIT_CPU: a shared, loaded machine does not make a slow case a hang;
# the slowest corpus PDF takes under 5), and wall-clock seconds as a last guard
DEFAULT_TIMEOUT = 30.0
WALL_FACTOR = 6
DEFAULT_MEMORY_MB = 1024  # address space a case may add to what the parent already maps


def hostile_seeds() -> dict[str, bytes]:
    """Return the hostile seeds, by name."""
    return {
        "bomb": hostile.flate_bomb(600),
        "pages": hostile.many_pages(2_100),
        "deep_array": hostile.deep_array(100_000),
        "deep_forms": hostile.deep_forms(40),
        "giant_page": hostile.giant_page(),
        "giant_image": hostile.giant_image(30_000, 30_000),
    }


def seeds() -> dict[str, bytes]:
    """Return every seed: the hostile ones and the sample corpus PDFs."""
    out = hostile_seeds()
    for name in CORPUS_SEEDS:
        path = ROOT / "corpus" / name
        if path.exists():
            out[name] = path.read_bytes()
    return out


# -- mutations: each takes the bytes and a random generator, returns new bytes -------------


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randint(0, max(len(data) - 1, 0))]


def flip(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 64)):
        if out:
            out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
    return bytes(out)


def break_xref(data: bytes, rnd: random.Random) -> bytes:
    """Point startxref elsewhere, or scramble offsets of the xref table."""
    if rnd.random() < 0.5:
        return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rnd.randint(0, 10**12), data)

    def scramble(m: re.Match[bytes]) -> bytes:
        return b"%010d" % rnd.randint(0, len(data) * 2) if rnd.random() < 0.3 else m.group(0)

    return re.sub(rb"\d{10}(?= \d{5} n)", scramble, data)


def many_objects(data: bytes, rnd: random.Random) -> bytes:
    """Append up to 100,000 objects and claim absurd counts."""
    n = rnd.randint(10_000, 100_000)
    base = 10_000
    tail = b"".join(b"%d 0 obj\n[%d]\nendobj\n" % (base + i, i) for i in range(n))
    data = re.sub(rb"/Count \d+", b"/Count %d" % rnd.choice([0, -1, 10**9, n]), data, count=1)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\n" % rnd.choice([base + n + 1, 2**31, 10**15])
    return data + b"\n" + tail + trailer + b"%%EOF\n"


def nest(data: bytes, rnd: random.Random) -> bytes:
    """Insert arrays or dictionaries nested up to 300,000 deep after a dictionary opens."""
    depth = rnd.randint(1_000, 300_000)
    inner = b"[" * depth + b"]" * depth if rnd.random() < 0.5 else b"<</A " * depth + b">>" * depth
    spots = [m.end() for m in re.finditer(rb"<<", data)] or [len(data) // 2]
    at = rnd.choice(spots)
    return data[:at] + b" /Deep " + inner + b" " + data[at:]


def giant_boxes(data: bytes, rnd: random.Random) -> bytes:
    """Give every page an absurd MediaBox (huge, negative, inverted or not numbers)."""
    box = rnd.choice(
        [b"[0 0 14400 14400]", b"[0 0 1e9 1e9]", b"[-1e6 -1e6 1e6 1e6]", b"[0 0 0 0]", b"[1 2]"]
    )
    return re.sub(rb"/MediaBox\s*\[[^\]]*\]", b"/MediaBox " + box, data)


def splice_bomb(data: bytes, rnd: random.Random) -> bytes:
    """Replace one stream's data by Flate data that inflates to 300 MB to 1.2 GB."""
    streams = list(re.finditer(rb"stream\r?\n", data))
    if not streams:
        return data
    m = rnd.choice(streams)
    end = data.find(b"endstream", m.end())
    if end < 0:
        return data
    bomb = hostile.deflate_repeated(b" " * (1 << 20), rnd.randint(300, 1200))
    head = data[: m.start()]
    at = head.rfind(b"/Length")
    if at >= 0:
        head = head[:at] + re.sub(
            rb"^/Length\s+\d+(\s+\d+\s+R)?", b"/Length %d" % len(bomb), head[at:]
        )
    if b"/FlateDecode" not in head[-300:]:
        close = head.rfind(b">>")
        head = head[:close] + b" /Filter /FlateDecode" + head[close:]
    return head + b"stream\n" + bomb + b"\n" + data[end:]


MUTATIONS = {
    "truncate": truncate,
    "flip": flip,
    "xref": break_xref,
    "objects": many_objects,
    "nest": nest,
    "giant_boxes": giant_boxes,
    "bomb": splice_bomb,
}


def mutate(data: bytes, ops: list[tuple[str, int]]) -> bytes:
    """Apply the named mutations in turn, each with its own seed."""
    for name, op_seed in ops:
        data = MUTATIONS[name](data, random.Random(op_seed))
    return data


# -- running one case in a child process -----------------------------------------------------


@dataclass
class Outcome:
    status: str  # ok | refused | crash | hang | memory
    seconds: float
    detail: str = ""
    rss_mb: float = 0.0  # resident memory the case added


def _status_kb(field: str) -> int:
    """Return a size (kB) of /proc/self/status: VmSize (address space), VmRSS (resident)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _child(path: str, timeout: float, memory_mb: int, ocr: bool, out_fd: int) -> None:
    from ceser_explorer.errors import CeserError
    from ceser_explorer.ingest import parse_pdf

    logging.disable(logging.WARNING)  # pdfminer warns at length about every broken object

    limit = (_status_kb("VmSize") + memory_mb * 1024) * 1024
    # reset the peak (VmHWM), copied from the parent's at fork
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    rss_before = _status_kb("VmRSS") / 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU past it
    try:
        parse_pdf(path, ocr=ocr)
        result = {"status": "ok"}
    except CeserError as e:
        result = {"status": "refused", "detail": str(e)}
    except MemoryError:
        result = {"status": "memory", "detail": "MemoryError"}
    except BaseException as e:
        tb = traceback.format_exception(e)
        result = {"status": "crash", "detail": f"{type(e).__name__}: {e}\n{''.join(tb[-6:])}"}
    # what the case added to the memory the parent had already loaded (spaCy, the modules)
    result["rss_mb"] = _status_kb("VmHWM") / 1024 - rss_before
    os.write(out_fd, json.dumps(result).encode()[:60_000])


def run_case(path: Path, timeout: float, memory_mb: int, ocr: bool = False) -> Outcome:
    """Read path with parse_pdf in a forked child; return how it ended (a hang: more than
    timeout seconds of CPU, or timeout * WALL_FACTOR seconds of wall clock)."""
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        code = 0
        try:
            _child(str(path), timeout, memory_mb, ocr, write_fd)
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    os.close(write_fd)
    status = None
    while time.monotonic() - start < timeout * WALL_FACTOR:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_fd)
        return Outcome(
            "hang", time.monotonic() - start, f"killed after {timeout * WALL_FACTOR:.0f} s"
        )
    seconds = time.monotonic() - start
    with os.fdopen(read_fd, "rb") as f:
        raw = f.read()
    if not raw:
        sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else 0
        if sig == signal.SIGXCPU:
            return Outcome("hang", seconds, f"more than {timeout:.0f} s of CPU")
        return Outcome(
            "memory" if sig in (signal.SIGKILL, signal.SIGSEGV) else "crash",
            seconds,
            f"child ended without a result (status {status})",
        )
    result = json.loads(raw)
    return Outcome(result["status"], seconds, result.get("detail", ""), result.get("rss_mb", 0.0))


def warm_up() -> None:
    """Load what parse_pdf loads lazily (spaCy, the lexicon) once, before forking: a child
    then reads a corpus PDF in about 2 s instead of 10 s and 400 MB."""
    from ceser_explorer.ingest import parse_pdf

    parse_pdf(ROOT / "corpus" / CORPUS_SEEDS[0], ocr=False)


# -- the run -----------------------------------------------------------------------------


@dataclass
class Report:
    seed: int
    seconds: float = 0.0
    cases: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, object]] = field(default_factory=list)
    slowest: float = 0.0
    max_rss_mb: float = 0.0

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["statuses"] = dict(self.statuses)
        return out


def _record(report: Report, name: str, outcome: Outcome, data: bytes, save: Path | None) -> None:
    report.cases += 1
    report.statuses[outcome.status] += 1
    report.slowest = max(report.slowest, outcome.seconds)
    report.max_rss_mb = max(report.max_rss_mb, outcome.rss_mb)
    if outcome.status in ("ok", "refused"):
        return
    failure: dict[str, object] = {"case": name, **asdict(outcome)}
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        target = save / f"{name}.pdf"
        target.write_bytes(data)
        failure["file"] = str(target)
    report.failures.append(failure)


class _TimeUp(Exception):
    pass


def fuzz(
    seconds: float,
    seed: int,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    save: Path | None = None,
    ocr: bool = False,
    verbose: bool = False,
) -> Report:
    """Run mutated cases for about seconds (the last case may run over by its timeout)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    pool = seeds()
    names = sorted(pool)
    report = Report(seed)
    start = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ceser-fuzz-"))

    @hseed(seed)
    @settings(
        max_examples=1_000_000,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(names),
        st.lists(
            st.tuples(st.sampled_from(sorted(MUTATIONS)), st.integers(0, 2**32 - 1)),
            min_size=0,
            max_size=3,
        ),
    )
    def case(name: str, ops: list[tuple[str, int]]) -> None:
        if time.monotonic() - start > seconds:
            raise _TimeUp
        data = mutate(pool[name], ops)
        label = "-".join([name.removesuffix(".pdf"), *(f"{op}{s % 10_000}" for op, s in ops)])
        path = tmp / "case.pdf"
        path.write_bytes(data)
        outcome = run_case(path, timeout, memory_mb, ocr)
        if verbose:
            print(
                f"{label}: {outcome.status} {outcome.seconds:.1f} s +{outcome.rss_mb:.0f} Mo "
                f"{outcome.detail[:150]}",
                file=sys.stderr,
            )
        _record(report, label, outcome, data, save)

    with contextlib.suppress(_TimeUp):  # time is up: hypothesis stops at the first raise
        case()
    report.seconds = time.monotonic() - start
    return report


def replay(folder: Path, timeout: float, memory_mb: int, ocr: bool = False) -> Report:
    """Run every PDF of folder once (the committed regression cases)."""
    report = Report(0)
    start = time.monotonic()
    for path in sorted(folder.glob("*.pdf")):
        _record(report, path.stem, run_case(path, timeout, memory_mb, ocr), b"", None)
    report.seconds = time.monotonic() - start
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="how long to fuzz")
    parser.add_argument("--seed", type=int, default=20261206, help="hypothesis seed")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per case")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="per case")
    parser.add_argument("--ocr", action="store_true", help="OCR image-only pages (Tesseract)")
    parser.add_argument("--save", type=Path, help="write failing cases to this folder")
    parser.add_argument("--replay", type=Path, help="run the PDFs of this folder instead")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    args = parser.parse_args(argv)
    warm_up()
    if args.replay:
        report = replay(args.replay, args.timeout, args.memory_mb, args.ocr)
    else:
        report = fuzz(
            args.seconds, args.seed, args.timeout, args.memory_mb, args.save, args.ocr, args.verbose
        )
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(
            f"{report.cases} cas en {report.seconds:.0f} s (graine {report.seed}) : "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
            + f" ; le plus lent {report.slowest:.1f} s, mémoire max {report.max_rss_mb:.0f} Mo"
        )
        for failure in report.failures:
            print(f"ÉCHEC {failure['case']} [{failure['status']}] {failure['detail']}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
