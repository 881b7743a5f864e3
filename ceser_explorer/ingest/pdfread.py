"""Open a PDF safely and read each page as words and frames (rectangles), OCR included.

Everything downstream works on ``RawPage`` objects: plain words with their box, font size
and weight, whether they come from the text layer or from Tesseract.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from ..config import ENV_MAX_INFLATED_MB, ENV_MAX_PAGES, MB, Limits
from ..errors import BadDocumentError
from . import inflate
from .chars import clean_word
from .dehyphen import join_cell_lines
from .lexicon import french_words
from .ocr import OCR_THREADS, Reading, page_image, recognise, tesseract_available
from .ocrwords import french_share
from .pageobjects import use_lean_objects
from .rawpage import Frame, RawPage, TableRegion, Word

__all__ = ["Frame", "RawPage", "TableRegion", "Word", "check_pdf_header", "read_pages", "vanished"]


def _bad(path: Path, reason: str, hint: str) -> BadDocumentError:
    return BadDocumentError(str(path), reason, hint)


def vanished(path: Path | str) -> BadDocumentError:
    """Return the error for a file that disappeared while the batch was reading it."""
    return BadDocumentError(
        str(path),
        "le fichier a disparu pendant le traitement",
        "vérifiez qu'il est toujours dans le dossier et relancez",
    )


def check_pdf_header(path: Path) -> None:
    """Raise BadDocumentError if the file is empty, missing or does not look like a PDF."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(1024)
    except FileNotFoundError as e:
        raise vanished(path) from e
    except OSError as e:
        raise _bad(
            path, f"lecture impossible ({e.strerror})", "vérifiez les droits du fichier"
        ) from e
    if size == 0:
        raise _bad(
            path,
            "fichier vide (0 octet)",
            "remplacez-le par le PDF complet puis relancez « ceser ingest »",
        )
    if b"%PDF-" not in head:
        raise _bad(
            path,
            "ce n'est pas un PDF (l'en-tête %PDF manque)",
            "exportez le document en PDF ou retirez-le du dossier",
        )


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return any(k in name for k in ("bold", "black", "heavy", "semibold", "-bd", ",bd"))


def _words(page: pdfplumber.page.Page) -> list[Word]:
    raw = page.extract_words(
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["size", "fontname"],
        x_tolerance=1.5,
        y_tolerance=2,
    )
    return [
        Word(
            clean_word(w["text"]),
            w["x0"],
            w["top"],
            w["x1"],
            w["bottom"],
            round(float(w["size"]), 1),
            _is_bold(w["fontname"]),
        )
        for w in raw
        # text turned 90° in a margin (a reference, a date) is no part of the reading order
        if w.get("upright", True) and clean_word(w["text"]).strip()
    ]


_CELL_HYPHEN = re.compile(r"(?<=[a-zà-ÿœ])[-\u00ad]\n(?=[a-zà-ÿœ])")


def _cell_text(cell: str | None) -> str:
    """Return a table cell's text on one line, words cut at line ends joined again, whatever
    the producer's hyphen character (« tra\u2010/vail » in a box read as a table) and where a
    narrow cell wrapped a word without a hyphen (« Significa »/« tion »)."""
    lines = (" ".join(clean_word(w) for w in ln.split()) for ln in (cell or "").split("\n"))
    cleaned = _CELL_HYPHEN.sub("", "\n".join(lines))
    return " ".join(join_cell_lines(cleaned.split("\n")).split())


def _tables(page: pdfplumber.page.Page) -> list[TableRegion]:
    out = []
    for t in page.find_tables():
        rows = [[_cell_text(c) for c in row] for row in t.extract()]
        rows = [r for r in rows if any(r)]
        ncols = max((len(r) for r in rows), default=0)
        if len(rows) >= 2 and ncols >= 2:
            x0, top, x1, bottom = t.bbox
            out.append(TableRegion(x0, top, x1, bottom, rows))
    return out


def _frames(page: pdfplumber.page.Page, tables: list[TableRegion]) -> list[Frame]:
    frames = []
    for r in page.rects:
        w, h = r["x1"] - r["x0"], r["bottom"] - r["top"]
        if w < 80 or h < 18 or w > page.width * 0.98:
            continue
        inside_table = any(
            r["x0"] >= t.x0 - 2
            and r["x1"] <= t.x1 + 2
            and r["top"] >= t.top - 2
            and r["bottom"] <= t.bottom + 2
            for t in tables
        )
        if not inside_table:
            frames.append(Frame(r["x0"], r["top"], r["x1"], r["bottom"]))
    return frames


def _too_inflated(path: Path, limit: int) -> BadDocumentError:
    return _bad(
        path,
        f"ses flux se décompressent au-delà de la limite de {limit // MB} Mo "
        "(bombe de décompression ?)",
        f"si le document est sûr, relevez la limite ({ENV_MAX_INFLATED_MB}="
        f"{2 * limit // MB}) puis relancez « ceser ingest »",
    )


def read_pages(
    path: Path,
    on_page: Callable[[int, int], None] | None = None,
    ocr: bool | None = None,
    limits: Limits | None = None,
) -> Iterator[RawPage]:
    """Yield each page of the PDF as a RawPage; OCR image-only pages when Tesseract exists.

    Raises BadDocumentError for files that cannot be read as a PDF or that exceed the limits
    (decompressed streams, pages; by default those of the environment, see ``Limits``).
    """
    limits = limits or Limits.from_env()
    check_pdf_header(path)
    with inflate.budget(limits.inflated_bytes):
        yield from _read_pages(path, on_page, ocr, limits)


def _read_pages(
    path: Path,
    on_page: Callable[[int, int], None] | None,
    ocr: bool | None,
    limits: Limits,
) -> Iterator[RawPage]:
    use_ocr = tesseract_available() if ocr is None else ocr
    try:
        pdf = pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise _bad(
            path,
            "PDF protégé par un mot de passe",
            "enregistrez une copie sans mot de passe et déposez-la à la place",
        ) from e
    except FileNotFoundError as e:
        raise vanished(path) from e
    except PdfminerException as e:
        if inflate.limit_error(e):
            raise _too_inflated(path, limits.inflated_bytes) from e
        cause = f"{e} {e.__cause__ or ''} {type(e.args[0]).__name__ if e.args else ''}".lower()
        if "password" in cause or "encrypt" in cause:
            raise _bad(
                path,
                "PDF protégé par un mot de passe",
                "enregistrez une copie sans mot de passe et déposez-la à la place",
            ) from e
        raise _bad(
            path, "PDF endommagé ou tronqué", "re-téléchargez ou ré-exportez le fichier"
        ) from e
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as e:
        raise _bad(
            path, "PDF endommagé ou tronqué", "re-téléchargez ou ré-exportez le fichier"
        ) from e
    except Exception as e:  # pdfminer raises many kinds of errors on broken files
        if inflate.limit_error(e):
            raise _too_inflated(path, limits.inflated_bytes) from e
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise _bad(
                path,
                "PDF protégé par un mot de passe",
                "enregistrez une copie sans mot de passe et déposez-la à la place",
            ) from e
        raise _bad(
            path, f"PDF illisible ({type(e).__name__})", "re-téléchargez ou ré-exportez le fichier"
        ) from e
    try:
        try:
            n = len(pdf.pages)
        except Exception as e:
            if inflate.limit_error(e):
                raise _too_inflated(path, limits.inflated_bytes) from e
            raise _bad(
                path,
                "PDF endommagé ou tronqué (pages illisibles)",
                "re-téléchargez ou ré-exportez le fichier",
            ) from e
        if n == 0:
            raise _bad(path, "le PDF ne contient aucune page", "vérifiez l'export du document")
        if n > limits.pages:
            raise _bad(
                path,
                f"{n} pages, au-delà de la limite de {limits.pages} pages par document",
                f"découpez le document ou relevez la limite ({ENV_MAX_PAGES}={n}) "
                "puis relancez « ceser ingest »",
            )
        with ThreadPoolExecutor(OCR_THREADS, thread_name_prefix="ocr") as ocr_pool:
            yield from _pages_in_order(path, pdf, n, use_ocr, limits, ocr_pool, on_page)
    finally:
        _close(pdf)


def _pages_in_order(
    path: Path,
    pdf: pdfplumber.PDF,
    n: int,
    use_ocr: bool,
    limits: Limits,
    ocr_pool: ThreadPoolExecutor,
    on_page: Callable[[int, int], None] | None,
) -> Iterator[RawPage]:
    """Read the pages one after the other, Tesseract recognising up to OCR_THREADS image
    pages at once while the next pages are read; yield them in page order."""
    pending: deque[tuple[RawPage, Future[Reading] | None]] = deque()

    def finish(raw: RawPage, recognised: Future[Reading] | None) -> RawPage:
        if recognised is not None:
            try:
                reading = recognised.result()
            except Exception as e:
                if not raw.ocr:  # the scanner's text layer is read all the same
                    return done(raw)
                raise _bad(
                    path,
                    f"page {raw.number} illisible par OCR ({type(e).__name__})",
                    "re-téléchargez ou ré-exportez le fichier",
                ) from e
            if not raw.ocr:  # a scan with the scanner's own text layer, read by Tesseract too
                # Tesseract's reading gives the page's lines and paragraphs and its line-end
                # hyphens: it is kept unless the layer reads more French words
                if french_share(reading.words, french_words()) < french_share(
                    raw.words, french_words()
                ):
                    return done(raw)
                raw.ocr, raw.tables, raw.frames = True, [], []
            raw.words = reading.words
            raw.skew = reading.skew
            if reading.turn:  # laid out as read, upright; ingest maps its boxes back
                raw.turn = reading.turn
                if reading.turn in (90, 270):
                    raw.width, raw.height = raw.height, raw.width
            raw.textless = not raw.words
        return done(raw)

    def done(raw: RawPage) -> RawPage:
        if on_page:
            on_page(raw.number, n)
        return raw

    for page in pdf.pages:
        try:
            raw, image = _read_page(page, use_ocr, limits)
        except BadDocumentError:
            raise
        except FileNotFoundError as e:
            raise vanished(path) from e
        except Exception as e:
            if inflate.limit_error(e):
                raise _too_inflated(path, limits.inflated_bytes) from e
            raise _bad(
                path,
                f"page {page.page_number} illisible ({type(e).__name__})",
                "re-téléchargez ou ré-exportez le fichier",
            ) from e
        finally:
            page.close()  # flush pdfplumber's caches: memory stays bounded
        task = None if image is None else ocr_pool.submit(recognise, *image)
        pending.append((raw, task))
        while pending and (
            len(pending) > OCR_THREADS or pending[0][1] is None or pending[0][1].done()
        ):
            yield finish(*pending.popleft())
        if not os.path.exists(path):
            raise vanished(path)
    while pending:
        yield finish(*pending.popleft())


def _close(pdf: pdfplumber.PDF) -> None:
    """Close pdf; on a broken file pdfplumber's close fails on the very pages that could not be
    read (a MediaBox of two numbers...): its file is closed all the same, the error not raised
    over the one that says what is wrong with the document."""
    try:
        pdf.close()
    except Exception:
        if not pdf.stream_is_external:
            pdf.stream.close()


def _scanned(page: pdfplumber.page.Page) -> bool:
    """Return True when an image covers the page (a scan, whatever text lies over it)."""
    area = float(page.width) * float(page.height)
    return any(
        (min(i["x1"], page.width) - max(i["x0"], 0))
        * (min(i["bottom"], page.height) - max(i["top"], 0))
        >= 0.9 * area
        for i in page.images
    )


def _read_page(
    page: pdfplumber.page.Page, use_ocr: bool, limits: Limits
) -> tuple[RawPage, tuple[Any, float] | None]:
    """Return the page read, and its image (with its resolution) when Tesseract has to read
    its words."""
    use_lean_objects(page)
    raw = RawPage(page.page_number, float(page.width), float(page.height))
    if page.chars:
        raw.tables = _tables(page)
        raw.frames = _frames(page, raw.tables)
        raw.words = _words(page)
        raw.scan = _scanned(page)
        if use_ocr and raw.scan:
            # the scanner's text layer may be garbled, or lack line-end hyphens: Tesseract
            # reads the page too, and the reading with more French words is kept
            return raw, page_image(page, limits)
    elif page.images or page.rects or page.curves:
        if use_ocr:
            raw.ocr = True
            return raw, page_image(page, limits)
        raw.textless = True
    return raw, None
