"""Post-process a built PDF: chosen pages become noisy, skewed images (maybe turned 90°, maybe
with an invisible OCR text layer, good or garbled)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


def scan_image(page: pdfium.PdfPage, dpi: int, rng: np.random.Generator) -> Image.Image:
    """Render at dpi in grey, blur, tint, add noise and specks, skew by 0.5-3°."""
    img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    h, w = img.height, img.width
    blotch = rng.normal(0.0, 6.0, (h // 16 + 1, w // 16 + 1)).astype(np.float32)
    low = Image.fromarray(blotch, mode="F").resize((w, h), Image.Resampling.BILINEAR)
    px = np.asarray(img, dtype=np.float32) * 0.88 + 16 + np.asarray(low)
    px += rng.normal(0.0, 2.0, px.shape)
    specks = rng.random(px.shape) < 0.0004
    px[specks] -= rng.uniform(60, 160, int(specks.sum()))
    img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8), mode="L")
    angle = float(rng.uniform(0.5, 3.0)) * (1 if rng.random() < 0.5 else -1)
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=240)


def image_page(img: Image.Image, width: float, height: float, mode: str, dpi: int) -> bytes:
    """A one-page PDF holding only the image (no text layer): grey JPEG or bilevel CCITT G4."""
    if mode == "bilevel":
        buf = io.BytesIO()
        img.point(lambda v: 255 if v > 165 else 0).convert("1").save(buf, format="PDF",
                                                                      resolution=dpi)
        return buf.getvalue()
    for quality in (30, 20, 12):  # keep a page under ~140 KB
        jpeg = io.BytesIO()
        img.save(jpeg, format="JPEG", quality=quality, optimize=True)
        if jpeg.tell() < 140_000:
            break
    jpeg.seek(0)
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    canv.drawImage(ImageReader(jpeg), 0, 0, width=width, height=height)
    canv.showPage()
    canv.save()
    return buf.getvalue()


CONFUSIONS = {"e": "c", "l": "1", "o": "0", "i": "l", "é": "e", "m": "rn", "a": "o", "s": "5",
              "t": "f", "n": "u", "à": "a", "è": "c"}


def garble(text: str, rng: np.random.Generator) -> str:
    """A poor OCR reading: about 6 % of letters confused, some spaces lost."""
    out = []
    for ch in text:
        r = rng.random()
        if ch in CONFUSIONS and r < 0.06:
            out.append(CONFUSIONS[ch])
        elif ch == " " and r < 0.03:
            continue
        else:
            out.append(ch)
    return "".join(out)


def ocr_layer(page: pdfium.PdfPage, w: float, h: float, bad: bool,
              rng: np.random.Generator) -> bytes:
    """A page of invisible text (render mode 3) at the places of the original text lines."""
    tp = page.get_textpage()
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(w, h), invariant=1, pageCompression=1)
    for i in range(tp.count_rects()):
        left, bottom, right, top = tp.get_rect(i)
        text = tp.get_text_bounded(left, bottom, right, top).replace("\r", " ").replace("\n", " ")
        text = text.replace("\ufffe", "-").replace("\x02", "-")  # pdfium's line-end hyphens
        text = "".join(c for c in text if c.isprintable()).strip()
        if not text:
            continue
        text = garble(text, rng) if bad else text
        size = max((top - bottom) * 0.85, 4.0)
        t = canv.beginText(left, bottom + (top - bottom) * 0.2)
        t.setTextRenderMode(3)
        t.setFont("Helvetica", size)
        natural = canv.stringWidth(text, "Helvetica", size) or 1.0
        t.setHorizScale(100.0 * (right - left) / natural)
        t.textOut(text)
        canv.drawText(t)
    tp.close()
    canv.showPage()
    canv.save()
    return buf.getvalue()


def scan_pages(path: Path, pages: list[int], rotated: list[int], dpi: int, name: str,
               mode: str = "grey", ocr: str = "none") -> None:
    """Replace the 1-based pages of the PDF at path by scans; rotated ones are turned 90°."""
    if not pages:
        return
    data = path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    rendered = pdfium.PdfDocument(data)
    writer = PdfWriter()
    for number, page in enumerate(reader.pages, start=1):
        if number not in pages:
            writer.add_page(page)
            continue
        rng = np.random.default_rng(zlib.crc32(f"{name}:{number}".encode()))
        img = scan_image(rendered[number - 1], dpi, rng)
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if number in rotated:  # the sheet went through the scanner sideways
            img = img.transpose(Image.Transpose.ROTATE_90)
            w, h = h, w
        added = writer.add_page(PdfReader(io.BytesIO(image_page(img, w, h, mode, dpi))).pages[0])
        if ocr != "none" and number not in rotated:  # the scanner's own text layer
            layer = ocr_layer(rendered[number - 1], w, h, ocr == "bad", rng)
            added.merge_page(PdfReader(io.BytesIO(layer)).pages[0])
    rendered.close()
    if reader.metadata:
        writer.add_metadata(dict(reader.metadata))
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
