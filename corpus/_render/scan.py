"""Replace PDF pages by noisy, slightly rotated greyscale images of themselves (no text layer)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .style import SCAN_DPI


def scan_image(page: pdfium.PdfPage, rng: np.random.Generator) -> Image.Image:
    """Render a page at SCAN_DPI in grey, then blur, tint, noise and rotate it like a scan."""
    bitmap = page.render(scale=SCAN_DPI / 72, grayscale=True)
    img = bitmap.to_pil().convert("L").filter(ImageFilter.GaussianBlur(0.45))
    pixels = np.asarray(img, dtype=np.float32)
    pixels = pixels * 0.93 + 10  # greyish paper, less contrast
    pixels += rng.normal(0.0, 5.0, pixels.shape)
    specks = rng.random(pixels.shape) < 0.0004
    pixels[specks] -= rng.uniform(60, 160, int(specks.sum()))
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    angle = float(rng.uniform(0.3, 0.6)) * (1 if rng.random() < 0.5 else -1)
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=244)


def image_page(img: Image.Image, width: float, height: float) -> bytes:
    """Return a one-page PDF of the given size holding only the image."""
    jpeg = io.BytesIO()
    img.save(jpeg, format="JPEG", quality=60, optimize=True)
    jpeg.seek(0)
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    canv.drawImage(ImageReader(jpeg), 0, 0, width=width, height=height)
    canv.showPage()
    canv.save()
    return buf.getvalue()


def replace_with_scans(pdf: bytes, pages: Sequence[int], name: str) -> bytes:
    """Return pdf with the given 1-based pages replaced by scanned-looking images."""
    if not pages:
        return pdf
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    bad = [p for p in pages if not 1 <= p <= total]
    if bad:
        raise ValueError(f"{name}: scanned_pages {bad} out of range: the PDF has {total} pages")
    rendered = pdfium.PdfDocument(pdf)
    writer = PdfWriter()
    for number, page in enumerate(reader.pages, start=1):
        if number not in pages:
            writer.add_page(page)
            continue
        rng = np.random.default_rng(zlib.crc32(f"{name}:{number}".encode()))
        img = scan_image(rendered[number - 1], rng)
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        writer.add_page(PdfReader(io.BytesIO(image_page(img, width, height))).pages[0])
    rendered.close()
    if reader.metadata:
        writer.add_metadata(dict(reader.metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
