"""One avis imported from the explorer's Import page, timed in Chromium (issue 13: < 10 s).

Run: .venv/bin/python benchmarks/import_page.py [--pdf corpus/variety/pdf/X.pdf] [--json FILE]

What a staff member does: the explorer is running on a data folder that already holds the six
sample documents (ingested here first, with an embedding cache of their own, so the avis's
passages are embedded for real); they open Import, drop one 10-page avis (not scanned) and
press « Importer et indexer ». Timed from the click to the « Indexation terminée » message:
the upload, the child process that ingests (extraction, themes, embedding, postings,
coverage) and the page drawn again. In the same run, for scale: pdfplumber's
``extract_text`` on the same file and the load average. Needs Debian's chromium and
Playwright (the browser tests' setup); the app is started as users start it, ``ceser explore``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ceser_explorer.serving import wait_until_up

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
DEFAULT_PDF = ROOT / "corpus" / "variety" / "pdf" / "grand-est-travail-frontalier.pdf"
DONE = "Indexation terminée"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ceser(*args: str, env: dict[str, str]) -> None:
    exe = Path(sys.executable).with_name("ceser")
    subprocess.run([str(exe), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def plain_seconds(pdf: Path) -> tuple[int, float]:
    import pdfplumber

    start = time.perf_counter()
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            page.extract_text()
        pages = len(doc.pages)
    return pages, time.perf_counter() - start


def import_seconds(url: str, pdf: Path, shots: Path | None) -> float:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
            page.goto(f"{url}/import")
            expect(page.locator("h1").first).to_be_visible(timeout=120_000)
            page.locator('input[type="file"]').set_input_files(str(pdf))
            button = page.get_by_role("button", name="Importer et indexer")
            expect(button).to_be_enabled(timeout=60_000)
            start = time.perf_counter()
            button.click()
            expect(page.get_by_text(DONE).first).to_be_visible(timeout=600_000)
            seconds = time.perf_counter() - start
            if shots is not None:
                page.screenshot(path=str(shots), full_page=True)
            return seconds
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF, help="the avis to import")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--screenshot", type=Path, help="the Import page once done (PNG)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ceser-import-") as tmp:
        home, corpus = Path(tmp) / "home", Path(tmp) / "corpus"
        corpus.mkdir()
        env = dict(os.environ, CESER_HOME=str(home), CESER_CORPUS=str(corpus))
        env["CESER_EMBEDDING_CACHE"] = str(Path(tmp) / "embeddings.sqlite")
        env.pop("CESER_CHROMA_URL", None)
        samples = sorted((ROOT / "corpus").glob("*.pdf"))
        print(f"ingesting the {len(samples)} sample documents first…", flush=True)
        ceser("ingest", *map(str, samples), env=env)
        pages, plain = plain_seconds(args.pdf)
        port = free_port()
        log = (Path(tmp) / "explore.log").open("w")
        exe = Path(sys.executable).with_name("ceser")
        proc = subprocess.Popen(
            [str(exe), "explore", "--port", str(port), "--no-browser"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            if not wait_until_up(f"{url}/_stcore/health", proc, 120):
                raise SystemExit(f"the explorer did not answer at {url}")
            before = load()
            seconds = import_seconds(url, args.pdf, args.screenshot)
        finally:
            proc.terminate()
            proc.wait(10)
            log.close()
        shutil.rmtree(home, ignore_errors=True)
    figures = {
        "pdf": args.pdf.name,
        "pages": pages,
        "import_seconds": round(seconds, 2),
        "extract_text_seconds": round(plain, 3),
        "load_before": before,
        "load_after": load(),
    }
    print(
        f"{args.pdf.name} ({pages} pages) importé depuis la page Import en {seconds:.1f} s "
        f"(extract_text de pdfplumber : {plain:.2f} s ; charge avant {before}, après {load()})"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
