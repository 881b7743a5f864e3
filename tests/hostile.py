"""Hostile PDFs built from raw bytes: bombs, huge page counts, deep nesting, giant pages.

Each builder returns the bytes of a PDF whose structure is valid (a correct xref table), so
that what is tested is the limit, not the parser's tolerance of broken files.
"""

from __future__ import annotations

import zlib

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_bytes(objects: list[bytes], root: int = 1) -> bytes:
    """Return a PDF whose object n (1-based) is objects[n - 1], with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    """Return a stream object body (data compressed first when flate)."""
    if flate:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_content(text: str, x: int = 72, y: int = 720, size: int = 12) -> bytes:
    """Return a content stream that writes text (Latin-1, PDF string escaped) in Helvetica."""
    raw = text.encode("latin-1", "replace")
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"BT /F1 %d Tf %d %d Td (%s) Tj ET" % (size, x, y, raw)


def simple_pdf(
    pages: list[bytes], media_box: tuple[float, float] = (595, 842), title: str | None = None
) -> bytes:
    """Return a PDF with one page per content stream, Helvetica as /F1, an optional /Title."""
    n = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
        FONT,
        b"<< /Title (%s) >>" % (title or "").encode("latin-1", "replace"),
    ]
    box = b"[0 0 %g %g]" % media_box
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (box, 6 + 2 * i)
        )
        objects.append(stream(content))
    data = pdf_bytes(objects)
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 4 0 R >>")


def deflate_repeated(chunk: bytes, times: int, prefix: bytes = b"") -> bytes:
    """Return zlib data that inflates to prefix + chunk * times, made in well under a second.

    After a full flush deflate forgets what came before, so every chunk compresses to the
    same bytes: they are compressed once and repeated, and the checksum is computed apart.
    """
    c = zlib.compressobj(9)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == block, "deflate did not repeat itself"
    tail = c.flush()[:-4]  # the last (empty) block, without the checksum of these two chunks
    check = zlib.adler32(prefix)
    for _ in range(times):
        check = zlib.adler32(chunk, check)
    return head + block * times + tail + check.to_bytes(4, "big")


def flate_bomb(inflated_mb: int = 1200) -> bytes:
    """Return a one-page PDF whose content stream (about 1 MB per GB) inflates to inflated_mb MB.

    The stream is spaces after a line of text: valid content, only very long.
    """
    head = text_content("Bombe de decompression") + b"\n"
    data = deflate_repeated(b" " * (1 << 20), inflated_mb, head)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    return pdf_bytes(objects)


def many_pages(count: int) -> bytes:
    """Return a PDF of count pages that all share one tiny content stream."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        FONT,
        stream(text_content("Page")),
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    ] * count
    return pdf_bytes(objects)


def deep_array(depth: int) -> bytes:
    """Return a one-page PDF whose page dictionary holds arrays nested depth deep."""
    nested = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Junk %s "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>" % nested,
        stream(text_content("Profond")),
    ]
    return pdf_bytes(objects)


def deep_forms(depth: int) -> bytes:
    """Return a one-page PDF whose content draws a form that draws a form... depth times."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> /XObject << /X 5 0 R >> >> /Contents %d 0 R >>"
        % (5 + depth),
    ]
    for i in range(depth):
        nxt = 5 + i + 1 if i + 1 < depth else 5  # the last one draws the first: a loop
        objects.append(
            stream(
                text_content("Forme") + b" /X Do",
                b" /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
                b" /Resources << /Font << /F1 3 0 R >> /XObject << /X %d 0 R >> >>" % nxt,
            )
        )
    objects.append(stream(b"/X Do " + text_content("Page")))
    return pdf_bytes(objects)


def giant_page(side: float = 14_400) -> bytes:
    """Return a one-page PDF of side x side points (the largest PDF allows), no text."""
    return simple_pdf([b"0 0 m 100 100 l S"], media_box=(side, side))


def giant_image(width: int = 60_000, height: int = 60_000) -> bytes:
    """Return a one-page PDF drawing a grey image that declares width x height pixels
    (its Flate data inflates to width * height bytes: a bomb as well)."""
    data = deflate_repeated(b"\x80" * width, height)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im 6 0 R >> >> /Contents 5 0 R >>",
        stream(b"q 595 0 0 842 0 0 cm /Im Do Q"),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (width, height, len(data))
        + data
        + b"\nendstream",
    ]
    return pdf_bytes(objects)
