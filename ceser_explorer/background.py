"""An ingestion run in a process of its own, its progress read back line by line.

The explorer's Import page never reads a PDF in Streamlit's process: a hostile file could
hang it or take its memory, and with it every user's session. ``run_ingest`` starts
``python -m ceser_explorer.background``, which runs ``Workspace.ingest`` and writes one JSON
object per line on its standard output: the progress events of the batch (files, pages,
passages embedded), then the report. The caller gets the same events through the reporter
protocol, and the report as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from .config import ENV_CHROMA_URL, ENV_EMBEDDER, ENV_EMBEDDING_CACHE, ENV_HOME, Settings
from .errors import CeserError
from .pace import Progress


def _environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_HOME] = str(settings.home)
    for name, value in (
        (ENV_CHROMA_URL, settings.chroma_url),
        (ENV_EMBEDDER, settings.embedder),
        (ENV_EMBEDDING_CACHE, settings.embedding_cache_file),
    ):
        if value:
            env[name] = str(value)
    return env


def run_ingest(
    settings: Settings,
    paths: Sequence[str | Path],
    prune: bool = False,
    yes: bool = False,
    reporter: Any = None,
    progress: Progress | None = None,
    waiting: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Ingest paths in a child process; return the batch summary (``BatchSummary.to_dict``)
    with "warnings" (what the derived data could not do) and "pid" (the child's).

    reporter receives file_started, page_done and file_done as the child sends them;
    progress, the passages embedded; waiting, the message of a child that waits for another
    writer to finish. Raises CeserError when the child stops without a report.
    """
    cmd = [sys.executable, "-m", "ceser_explorer.background"]
    cmd += ["--prune"] * prune + ["--yes"] * yes + ["--", *map(str, paths)]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            env=_environment(settings),
            text=True,
            encoding="utf-8",
        )
        assert proc.stdout is not None
        report = _follow(proc.stdout, reporter, progress, waiting)
        code = proc.wait()
        if report is None:
            errors.seek(0)
            tail = " ".join(errors.read().split())[-300:]
            raise CeserError(
                f"l'indexation s'est arrêtée sans bilan (code {code}) : {tail or 'aucun message'}"
                " — relancez-la, ou lancez « ceser ingest » dans un terminal pour voir le détail."
            )
    return {**report, "pid": proc.pid}


def _follow(
    lines: IO[str],
    reporter: Any,
    progress: Progress | None,
    waiting: Callable[[str], None] | None,
) -> dict[str, Any] | None:
    report = None
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a library writing on stdout: not an event
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "report":
            report = event["report"]
        elif kind == "waiting" and waiting is not None:
            waiting(event["message"])
        elif kind == "vectors" and progress is not None:
            progress(event["done"], event["total"])
        elif reporter is not None and kind == "file_started":
            reporter.file_started(event["name"], event["index"], event["total"])
        elif reporter is not None and kind == "page_done":
            reporter.page_done(event["page"], event["pages"], event["name"])
        elif reporter is not None and kind == "file_done":
            reporter.file_done(event["name"], event["status"])
    return report


class _Events:
    """The child's reporter: one JSON line per event on its standard output."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def send(self, **event: Any) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.out.flush()

    def file_started(self, name: str, index: int, total: int) -> None:
        self.send(event="file_started", name=name, index=index, total=total)

    def page_done(self, page: int, pages: int, name: str | None = None) -> None:
        self.send(event="page_done", page=page, pages=pages, name=name)

    def file_done(self, name: str, status: str) -> None:
        self.send(event="file_done", name=name, status=status)

    def vectors(self, done: int, total: int) -> None:
        self.send(event="vectors", done=done, total=total)


def main(argv: Sequence[str] | None = None) -> None:
    """The child: ingest the paths given into the data folder of $CESER_HOME."""
    from .workspace import Workspace

    parser = argparse.ArgumentParser(prog="python -m ceser_explorer.background")
    parser.add_argument("--prune", action="store_true")
    parser.add_argument("--yes", action="store_true")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # whatever else prints goes to the log, not among the events
    events = _Events(out)
    events.send(event="started", pid=os.getpid())
    try:
        with Workspace(Settings.load()) as ws:
            ws.notify = lambda message: events.send(event="waiting", message=message)
            report = ws.ingest(
                args.paths,
                prune=args.prune,
                yes=args.yes,
                reporter=events,
                progress=events.vectors,
            )
        result = {**report.summary.to_dict(), "warnings": report.derived.problems}
    except CeserError as e:
        result = {"refused": [str(e)]}
    events.send(event="report", report=result)


if __name__ == "__main__":
    main()
