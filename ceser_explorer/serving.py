"""Waiting for a local server (the explorer, a Chroma server) to answer, in one place.

``ceser explore --smoke``, the browser tests and the Import page benchmark all start a
server and must wait until it answers before they talk to it.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Return True once url answers 200, False if the server died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False
