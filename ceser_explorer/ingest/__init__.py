"""Ingestion: PDF -> pages -> lines -> passages, with recommendations and plan measures."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..config import Limits
from ..models import ParsedDocument
from . import layout, metadata, ocrwords, paragraphs, pdfread
from .lexicon import french_words
from .metadata import parse_date
from .ocr import OCR_HINT, tesseract_available, to_page
from .recommendations import find_measures, find_recommendations

__all__ = [
    "EXTRACTION_VERSION",
    "OCR_HINT",
    "find_measures",
    "find_recommendations",
    "french_words",
    "parse_date",
    "parse_pdf",
    "tesseract_available",
]

# Raised whenever a change of extraction changes what is stored for a PDF: documents read by an
# older version are read again at the next ingestion, even when their file has not changed.
# 1: first release. 2: cover lines and the table of contents head no section, unnumbered
# headings take the level of the numbered headings of their size, full-width lines are not cut
# at a false gutter, footnote calls set at 80 % of the text go, line-end hyphens are judged
# with a French lexicon too. 3: hyphen code points, ligatures, letter-spacing; any number of
# columns; recommendations in every labelling style, inline with any subject; metadata from
# the issuer, the running header and the closing lines. 4: short spanning headings, boxes across
# the columns and pull quotes part the columns; list marks hanging in a gutter; a paragraph runs
# over a column or page end after a full stop on a full line; the adoption date from the
# closing lines that agree with the cover; where each metadata field was read. 5: bands of a
# page with gutters of their own (columns that move mid-page, a sidebar beside the body); a
# paragraph goes on over a float at a column's foot; compound hyphens at line ends kept; a
# scanner text layer's line sizes evened out and its detached hyphens joined; scanned pages:
# boxes on the page as displayed, smoothed rendering, OCR words mended, a scanner's layer read
# by Tesseract too; recommendations in boxes read as tables, labels alone on a line, lists
# filed under stray headings, pronouns that stand for another body; bodies over line breaks;
# running lines alike but for a number kept. 6: words cut at line ends with no hyphen printed
# joined where a document cuts so; a soft hyphen drawn mid-line is a hyphen; table cells
# cleaned as words are; a footnote call joins the line it overlaps most; text does not flow
# into a narrower sidebar beside it and goes on below it; compounds cut at a line end keep
# their hyphen (« Val-/d'Oise »); letter-spaced and small-capitals titles read whole; words a
# narrow table cell wraps joined; note numbers glued to their note set apart; OCR list marks
# back with their items and misread numbers put right by their series. 7: a gutter found under
# a heading that runs over it; a paragraph goes on past a box or heading set at a column's
# foot; one detector of words cut with no hyphen printed, for the text and the title;
# letter-spacing measured on the gaps' lower quartile; box labels side by side kept apart;
# skewed scans straightened before Tesseract reads them, and scanned columns read apart; a
# letter-spaced year closed up as a letter-spaced word is; a contents list without leaders.
# 8: scanned pages: a running line read with a letter wrong, a misread digit or in pieces is
# still the running line, and a scan counts for a repeated line by its outermost rows only;
# Tesseract's own word breaks kept (no gluing of narrow gaps), specks read as marks dropped.
# 9: fully scanned documents: lines read alike from scans alone are a running line on three
# pages (two when set small, never when set large), so numbered headings at the tops of
# scanned pages (« Préconisation 2 : … », « Axe 3 … ») stay text; a blank page is not turned.
# 10: the cover's title read from top to bottom, not in reading order (a line the column finder
# set apart no longer cuts it).
EXTRACTION_VERSION = 10
_CESER = re.compile(r"\bCESE[RC]\b|Conseil économique,? social", re.IGNORECASE)


def parse_pdf(
    path: str | Path,
    on_page: Callable[[int, int], None] | None = None,
    ocr: bool | None = None,
    limits: Limits | None = None,
) -> ParsedDocument:
    """Read a PDF and return its passages with provenance, recommendations and measures.

    Raises BadDocumentError when the file cannot be read as a PDF or exceeds the limits
    (None: those of the environment).
    """
    path = Path(path)
    pages = []
    ocr_pages, textless = [], []
    # scanned pages read turned upright or straightened
    turns: dict[int, tuple[int, float, float, float]] = {}
    scans = set()  # pages read by OCR or from a scanner's text layer
    for raw in pdfread.read_pages(path, on_page=on_page, ocr=ocr, limits=limits):
        pages.append(layout.layout_page(raw))
        if raw.ocr or raw.scan:
            scans.add(raw.number)
        if raw.turn or raw.skew:
            turns[raw.number] = (raw.turn, raw.width, raw.height, raw.skew)
        if raw.ocr:
            ocr_pages.append(raw.number)
        if raw.textless:
            textless.append(raw.number)
    layout.mark_running_lines(pages)
    lines = (
        [i for i in page.items if isinstance(i, layout.Line)]
        for page in pages
        if page.number in scans
    )
    ocrwords.rejoin_lines(lines, french_words())
    body = layout.body_size(pages)
    for page in pages:
        layout.mark_toc(page)
        layout.mark_footnotes(page, body)
        for item in page.items:
            if isinstance(item, layout.Line) and item.role == "body":
                layout.drop_superscripts(item)
    meta = metadata.resolve(path, pages)
    passages, texts = paragraphs.build_passages(pages, body)
    # a CESER's documents carry recommendations whatever type they were taken for
    by_ceser = meta.kind != "plan" or bool(_CESER.search(f"{meta.body} {meta.title}"))
    passages, recs = find_recommendations(passages, meta.kind, ceser=by_ceser)
    measures: list = []
    if meta.kind == "plan":
        passages, measures = find_measures(passages)
    # boxes where the page is displayed (the explorer's highlights), not where it was read
    passages, texts = to_page(passages, texts, turns)
    return ParsedDocument(
        title=meta.title,
        body=meta.body,
        kind=meta.kind,
        date=meta.date,
        pages=tuple(texts),
        passages=tuple(passages),
        recommendations=tuple(recs),
        measures=tuple(measures),
        ocr_pages=tuple(ocr_pages),
        textless_pages=tuple(textless),
        extraction=EXTRACTION_VERSION,
        meta_sources=meta.sources,
    )
