"""Ingestion benchmark: extraction speed against plain pdfplumber, no-op re-index, peak RSS.

Run: .venv/bin/python benchmarks/ingest.py [--pages 300] [--corpus corpus/]

(a) pages per second of our extraction (parse_pdf, OCR off) on the corpus PDFs, next to
    pdfplumber's extract_text() on the same files in the same run;
(b) the time of a no-op re-index of the whole corpus (everything unchanged);
(c) the peak RSS of ingesting a generated document of N pages (default 300), measured in a
    child process.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def extraction_speed(pdfs: list[Path]) -> tuple[int, float, float]:
    import pdfplumber

    from ceser_explorer.ingest import parse_pdf

    pages = 0
    t0 = time.perf_counter()
    for pdf in pdfs:
        pages += len(parse_pdf(pdf, ocr=False).pages)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for pdf in pdfs:
        with pdfplumber.open(pdf) as doc:
            for page in doc.pages:
                page.extract_text()
                page.close()
    plain = time.perf_counter() - t0
    return pages, ours, plain


def noop_reindex(corpus: Path) -> float:
    from ceser_explorer.batch import ingest_paths
    from ceser_explorer.catalog import Catalog

    with tempfile.TemporaryDirectory() as home, Catalog(Path(home) / "c.sqlite") as cat:
        ingest_paths(cat, [corpus], ocr=False)
        t0 = time.perf_counter()
        summary = ingest_paths(cat, [corpus], ocr=False)
        elapsed = time.perf_counter() - t0
        assert not summary.added and not summary.updated
    return elapsed


def make_long_pdf(path: Path, pages: int) -> None:
    from pdfgen import Column, new_canvas, write_page

    c = new_canvas(path)
    line = "Le CESER recommande de renforcer l'accompagnement des entreprises de la région"
    for i in range(pages):
        left = Column(56, [(f"{i + 1}. Section de test", 13, True), ""] + [line[:46]] * 50)
        right = Column(310, [line[:46]] * 52)
        write_page(c, [left, right], header="Document long de test", footer=f"Page {i + 1}")
    c.save()


def peak_rss(pages: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "long.pdf"
        make_long_pdf(pdf, pages)
        code = (
            "import sys; from pathlib import Path; from ceser_explorer.catalog import Catalog;"
            "from ceser_explorer.batch import ingest_paths;"
            "c = Catalog(Path(sys.argv[2]) / 'c.sqlite');"
            "s = ingest_paths(c, [sys.argv[1]], ocr=False); assert s.added, s.failed"
        )
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(pdf), tmp], check=True)
        elapsed = time.perf_counter() - t0
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kib / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    pdfs = sorted(args.corpus.glob("*.pdf"))
    pages, ours, plain = extraction_speed(pdfs)
    print(f"corpus: {len(pdfs)} PDFs, {pages} pages")
    print(f"extraction (ceser, OCR off): {pages / ours:.1f} pages/s ({ours:.2f} s)")
    print(f"pdfplumber extract_text():   {pages / plain:.1f} pages/s ({plain:.2f} s)")
    print(f"ratio ceser / plain time:    {ours / plain:.2f}x")
    print(f"no-op re-index of the corpus: {noop_reindex(args.corpus) * 1000:.0f} ms")
    rss, elapsed = peak_rss(args.pages)
    print(f"{args.pages}-page generated PDF: peak RSS {rss:.0f} MiB, ingest {elapsed:.1f} s")


if __name__ == "__main__":
    main()
