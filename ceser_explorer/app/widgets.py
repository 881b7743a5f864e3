"""Pieces shared by the pages: citation line, theme badges, the source view of a passage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from ..errors import CeserError
from ..models import Box, DocumentInfo
from ..vocabulary import DocKind, date_fr
from . import exports, markup, pdfview
from .state import Context, document


def pages_label(boxes: Sequence[Box], page: int) -> str:
    """Return « p. 7 », or « p. 5-6 » when the boxes span two pages."""
    pages = pdfview.pages_of(boxes) or [page]
    return f"p. {pages[0]}" if len(pages) == 1 else f"p. {pages[0]}-{pages[-1]}"


def citation_line(
    info: DocumentInfo | None, page: int, boxes: Sequence[Box] = (), section: str = ""
) -> str:
    """Return « CESER Occitanie, avis du 12/11/2025, « Titre », p. 7, section « 3.2 … » »."""
    where = pages_label(boxes, page)
    if info is None:
        return where
    kind = DocKind.of(info.kind).noun
    date = date_fr(info.date)
    parts = [info.body or info.file, f"{kind} du {date}" if date else kind]
    if info.title:
        parts.append(f"« {info.title} »")
    parts.append(where)
    if section:
        parts.append(f"section « {section} »")
    return ", ".join(parts)


def citation(text: str) -> None:
    """Show a citation line with a copy button (the code block's copy icon)."""
    st.code(text, language=None, wrap_lines=True)


def badges(
    themes: Mapping[str, float],
    labels: Sequence[str],
    review: Sequence[str],
    names: Mapping[str, str],
) -> None:
    """Show theme badges with their confidence; doubtful ones marked « à vérifier »."""
    st.html(markup.theme_badges(themes, labels, review, names))


@st.cache_data(show_spinner=False, max_entries=64)
def page_png(
    path: str, sha256: str, page: int, boxes: tuple[Box, ...], scale: float = pdfview.SCALE
) -> bytes:
    """Return the page as PNG with the boxes drawn (cached by file hash, page and boxes)."""
    del sha256  # part of the cache key only: a replaced file is rendered again
    return pdfview.render_png(path, page, boxes, scale)


@st.cache_data(show_spinner=False, max_entries=32)
def page_pdf(path: str, sha256: str, page: int, boxes: tuple[Box, ...]) -> bytes:
    """Return the page as a one-page PDF with the boxes framed (cached like page_png)."""
    del sha256
    return pdfview.page_pdf(path, page, boxes)


def source_view(
    ctx: Context, doc_id: int, boxes: Sequence[Box], page: int, key: str, beside: bool = True
) -> None:
    """Show the page(s) of the passage with its boxes framed, and a download of the PDF.

    beside: pages and download side by side (wide room); else one under the other.
    """
    doc = document(ctx, doc_id)
    if doc is None:
        st.warning("Ce document n'est plus dans le catalogue : relancez la recherche.")
        return
    pages = pdfview.pages_of(boxes) or [page]
    zoom = st.segmented_control(
        "Taille de la page",
        pdfview.ZOOMS,
        default=pdfview.SCALE,
        format_func=lambda z: f"{round(z / pdfview.SCALE * 100)} %",
        key=f"zoom-{key}",
    )
    cols = (
        st.columns(max(2, len(pages)))
        if beside and zoom != max(pdfview.ZOOMS)
        else [st.container() for _ in pages]
    )
    for col, p in zip(cols, pages, strict=False):
        with col:
            try:
                png = page_png(doc.path, doc.sha256, p, tuple(boxes), zoom or pdfview.SCALE)
            except CeserError as e:
                st.error(markup.md(str(e)))
                continue
            # a caption is Markdown: the file name is escaped
            caption = markup.md(f"{doc.file} — page {p} sur {doc.page_count}")
            st.image(png, caption=caption, width="stretch")
    with cols[-1] if beside and len(pages) == 1 else st.container():
        where = (
            f"page {pages[0]}"
            if len(pages) == 1
            else f"pages {pages[0]} et {pages[-1]} (il continue sur la page suivante)"
        )
        st.caption(f"Passage encadré en orange, {where}.")
        _download(doc.path, doc.file, key)
        if Path(doc.path).is_file():
            try:
                one = page_pdf(doc.path, doc.sha256, pages[0], tuple(boxes))
            except CeserError as e:
                st.caption(markup.md(str(e)))
            else:
                st.download_button(
                    "Télécharger cette page",
                    data=one,
                    file_name=f"{Path(doc.file).stem}-page-{pages[0]}.pdf",
                    mime="application/pdf",
                    key=f"page-{key}",
                    icon=":material/picture_as_pdf:",
                    on_click="ignore",
                )


def _download(path_str: str, file: str, key: str) -> None:
    path = Path(path_str)
    if path.is_file():
        st.download_button(
            "Télécharger le PDF original",
            data=path.read_bytes(),
            file_name=file,
            mime="application/pdf",
            key=f"pdf-{key}",
            icon=":material/download:",
            on_click="ignore",
        )
    else:
        st.warning(markup.md(f"{file} : le fichier n'est plus à {path}."))


def export_buttons(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], name: str, sheet: str, key: str
) -> None:
    """Offer the rows as CSV (Excel in French) and XLSX downloads, side by side."""
    a, b, _ = st.columns([1, 1, 4])
    with a:
        st.download_button(
            "Exporter en CSV",
            exports.to_csv(rows, columns),
            f"{name}.csv",
            "text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
            on_click="ignore",
        )
    with b:
        st.download_button(
            "Exporter en XLSX",
            exports.to_xlsx(rows, columns, sheet=sheet),
            f"{name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )
