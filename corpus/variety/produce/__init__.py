"""Registry of producers: name -> render(doc, out_pdf). Each module is imported on first use.

Contract of a producer module produce/<m>.py: ``render(doc: ir.Document, out: Path) -> None``
writes one PDF. It draws doc.blocks in order, in doc.style.columns columns (Heading/Table
with span=True across them), running heads from ``ir.running_text(doc, where, n, N)`` (None =
nothing on that page), footnote calls numbered 1, 2, 3… in reading order (Paragraph.notes at
Paragraph.note_at character offsets), at the foot of the page or as « Notes » at the end
(style.footnotes), Toc entries with their page when set (build.py renders twice), Table with
landscape=True alone on a landscape page. Text must be printed exactly as in the IR (the truth
is the IR text); only line-end hyphens, ligatures and letter-spacing may change glyphs.
Scanned pages are done afterwards by scan.py, not by producers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from .. import ir

Render = Callable[[ir.Document, Path], None]

# producer name -> module of corpus/variety/produce/ exposing ``render(doc, out)``
MODULES: dict[str, str] = {
    "reportlab": "reportlab",
    "fpdf2": "fpdf",
    "chromium": "chromium",
    "libreoffice": "libreoffice",
    "typst": "typst",
}


def _lazy(module: str) -> Render:
    """A render function that imports produce/<module>.py only when first called."""

    def render(doc: ir.Document, out: Path) -> None:
        mod = importlib.import_module(f"{__name__}.{module}")
        mod.render(doc, out)

    render.__name__ = f"render_{module}"
    return render


PRODUCERS: dict[str, Render] = {name: _lazy(mod) for name, mod in MODULES.items()}
