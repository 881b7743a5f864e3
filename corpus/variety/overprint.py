"""Text drawn over text: a generator defect no extractor can undo.

Usage: python corpus/variety/overprint.py [DIR …]   (default: corpus/variety; DIR holds pdf/
and truth/, as a shadow does). Prints every page where a glyph is drawn over another glyph.

A producer that misplaces a block (fpdf2 leaving y under a short column, a label wider than
its table cell, a sommaire line longer than its column) prints two texts on the same spot.
Found on the glyphs' tight boxes (pypdfium2): two glyphs overlap when their intersection
covers at least a quarter of the smaller one. Glyphs next to each other in the content stream are
not compared (kerning: « L’ », « V. » touch by design); the letters of one ligature glyph
(« ﬀ » as f, f on one box) count as one glyph. Scanned pages are skipped.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

HERE = Path(__file__).resolve().parent
MIN_SHARE = 0.25


@dataclass(frozen=True)
class Overprint:
    """Two glyphs of one page drawn on the same spot."""

    page: int
    first: str
    second: str
    top: float  # PDF points from the page's foot

    def __str__(self) -> str:
        return f"page {self.page}: « {self.first} » / « {self.second} » at y={self.top:.0f}"


def page_overprints(page: pdfium.PdfPage, number: int) -> list[Overprint]:
    """Pairs of glyphs of one page whose tight boxes overlap (stream neighbours excepted)."""
    tp = page.get_textpage()
    try:
        glyphs: list[tuple[float, float, float, float, int, str]] = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if not ch.strip():
                continue
            left, bottom, right, top = tp.get_charbox(i)
            if right - left <= 0.2 or top - bottom <= 0.2:
                continue
            if glyphs and glyphs[-1][:4] == (bottom, top, left, right):
                glyphs[-1] = (*glyphs[-1][:5], glyphs[-1][5] + ch)  # one ligature glyph: « ff »
                continue
            glyphs.append((bottom, top, left, right, len(glyphs), ch))
    finally:
        tp.close()
    glyphs.sort()
    out = []
    for k, (b0, t0, l0, r0, i0, c0) in enumerate(glyphs):
        for b1, t1, l1, r1, i1, c1 in glyphs[k + 1 :]:
            if b1 >= t0:
                break
            if abs(i1 - i0) <= 1:
                continue  # neighbours in the stream: kerned by design
            w, h = min(r0, r1) - max(l0, l1), min(t0, t1) - max(b0, b1)
            if w <= 0 or h <= 0:
                continue
            small = min((r0 - l0) * (t0 - b0), (r1 - l1) * (t1 - b1))
            if w * h >= MIN_SHARE * small:
                first, second = (c0, c1) if i0 < i1 else (c1, c0)
                out.append(Overprint(number, first, second, max(t0, t1)))
    return out


def overprints(pdf_path: Path, skip: set[int] = frozenset()) -> list[Overprint]:
    """Every overprint of a PDF, pages in skip (1-based: scanned ones) left out."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        out = []
        for n in range(1, len(pdf) + 1):
            if n in skip:
                continue
            page = pdf[n - 1]
            out += page_overprints(page, n)
            page.close()
        return out
    finally:
        pdf.close()


def corpus_overprints(root: Path) -> dict[str, list[Overprint]]:
    """Overprints of every document of a corpus folder (truth/ and pdf/), by id."""
    found = {}
    for tj in sorted((root / "truth").glob("*.json")):
        t = json.loads(tj.read_text("utf-8"))
        pdf = root / "pdf" / f"{t['id']}.pdf"
        found[t["id"]] = overprints(pdf, set(t.get("scanned_pages") or ()))
    return found


def main(argv: list[str] | None = None) -> int:
    roots = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or [HERE]
    bad = 0
    for root in roots:
        for doc_id, found in corpus_overprints(root).items():
            if found:
                bad += 1
                pages = sorted({o.page for o in found})
                print(
                    f"{root.name}/{doc_id}: {len(found)} glyphs over glyphs, pages {pages}; "
                    f"first {found[0]}"
                )
    print(f"{bad} document(s) with text drawn over text")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
