"""A smoke check of the explorer as ``ceser explore`` serves it: server up, every page clean.

``make demo DEMO_SMOKE=1`` (and CI) run it instead of leaving the server open: it starts the
server with the very command ``ceser explore`` uses, waits until it answers, then runs every
page's script headlessly (Streamlit's AppTest) in the same environment and fails on any
exception or error box.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from ..serving import wait_until_up
from .main import PAGES

SERVER_TIMEOUT = 120.0
PAGE_TIMEOUT = 300.0


def page_problems(script: Path, page: str | None) -> list[str]:
    """Run the explorer script (switched to page) and return its exceptions and error boxes."""
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no bare-mode warnings
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    # streamlit may be imported already (the pages' list), its loggers set: quiet them too
    set_log_level("error")

    at = AppTest.from_file(str(script), default_timeout=PAGE_TIMEOUT)
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    problems = [e.message for e in at.exception]
    problems += [e.value for e in at.error]
    return [str(p).splitlines()[0] if str(p) else "erreur" for p in problems]


def smoke(
    cmd: Sequence[str],
    environ: dict[str, str],
    url: str,
    script: Path,
    say: Callable[[str], None],
) -> int:
    """Start the server with cmd, check it and every page, stop it; return the exit code."""
    proc = subprocess.Popen(
        list(cmd), env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        if not wait_until_up(f"{url}/_stcore/health", proc, SERVER_TIMEOUT):
            stderr = proc.stderr if proc.poll() else None
            err = stderr.read().decode(errors="replace")[-400:] if stderr else ""
            say(f"Échec : le serveur {url} n'a pas répondu en {SERVER_TIMEOUT:.0f} s. {err}")
            return 1
        say(f"Serveur prêt sur {url}.")
        os.environ.update(environ)
        failed = 0
        for i, (file, title, _icon, _url) in enumerate(PAGES):
            problems = page_problems(script, None if i == 0 else f"views/{file}")
            if problems:
                failed += 1
                say(f"Page {title} : {len(problems)} erreur(s) : {' | '.join(problems)}")
            else:
                say(f"Page {title} : OK")
        return 1 if failed else 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
