"""ir.Document + rendered PDF -> truth JSON (each paragraph located on the page where it starts)."""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from . import ir

NON_ALNUM = re.compile(r"[^0-9a-zà-öø-ÿœæ]+")


def skeleton(text: str) -> str:
    """Lowercase letters and digits only (ligatures expanded): robust to hyphens and spacing."""
    text = unicodedata.normalize("NFKC", text).lower()
    return NON_ALNUM.sub("", text)


def page_texts(pdf_path: Path) -> list[str]:
    """Text layer of every page."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        out = []
        for page in pdf:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        pdf.close()


class Locator:
    """Finds texts in the PDF in reading order (a cursor avoids earlier repeats)."""

    def __init__(self, pages: list[str]) -> None:
        skels = [skeleton(p) for p in pages]
        self.starts = []
        pos = 0
        for s in skels:
            self.starts.append(pos)
            pos += len(s) + 1
        self.all = "|".join(skels)
        self.cursor = 0

    def page_at(self, offset: int) -> int:
        """1-based page of an offset in the joined skeleton."""
        return bisect.bisect_right(self.starts, offset)

    def find(self, text: str) -> int:
        """Page where text starts (-1 if not found); moves the cursor forward."""
        sk = skeleton(text)
        if not sk:
            return -1
        page_start = self.starts[self.page_at(self.cursor) - 1] if self.starts else 0
        if len(sk) < 8:  # short heading: only near the cursor, never from the start
            probes, bounds = [(0, sk)], (self.cursor, page_start)
        else:
            probes = [(0, sk[:n]) for n in (60, 35, 18)]
            probes += [(k, sk[k:k + 30]) for k in range(30, len(sk) - 20, 40)]
            bounds = (self.cursor, page_start, 0)
        for shift, probe in probes:
            for lo in bounds:
                at = self.all.find(probe, lo)
                if at >= 0:
                    self.cursor = max(self.cursor, at)
                    return self.page_at(max(at - shift, 0))
        return -1


def entries(doc: ir.Document) -> list[dict[str, Any]]:
    """Every printed text of the document in reading order, with its role (page not yet set)."""
    out: list[dict[str, Any]] = []
    notes: list[str] = []

    def add(text: str | None, role: str, themes: list[str] | None = None, **extra: Any) -> None:
        if text:
            out.append({"text": text, "page": -1, "themes": list(themes or []), "role": role,
                        **extra})

    for b in doc.blocks:
        if isinstance(b, ir.Cover):
            add(b.label, "cover")
            add(b.title, "cover")
            add(b.body, "cover")
            for line in b.lines:
                add(line, "cover")
            add(b.date_line, "cover")
        elif isinstance(b, ir.Toc):
            add(b.title, "heading")
            for t in b.entries:  # the line as printed, page number included
                add(f"{t.text} {t.page or ''}".strip(), "toc")
        elif isinstance(b, ir.Heading):
            add(b.printed, "heading")
        elif isinstance(b, ir.Paragraph):
            recs = [{"number": r.number, "label": r.label, "text": r.text, "themes": r.themes}
                    for r in b.recs]
            # the calls printed after words: (character offset in text, note number)
            calls = [[at, len(notes) + k] for k, at in enumerate(b.note_at, 1)]
            add(b.text, b.role, b.themes, recs=recs, **({"calls": calls} if calls else {}))
            notes.extend(b.notes)
        elif isinstance(b, ir.Recommendation):
            # a run-in recommendation prints no number: a reader can cite none
            number = b.number if b.label else None
            rec = {"number": number, "label": b.label, "text": b.text, "themes": b.themes}
            add(b.text, "recommendation", b.themes, recs=[rec])
        elif isinstance(b, ir.Measure):
            add(b.heading, "heading", measure={"code": b.code, "title": b.title})
            add(b.text, "measure", b.themes)
            add(b.budget_line, "body")
        elif isinstance(b, ir.BulletList):
            add(b.title, "heading")
            for i, item in enumerate(b.items):
                num = b.numbers[i] if i < len(b.numbers) else None
                add(item, "list_item", summary={"number": num} if b.role == "summary" else None)
        elif isinstance(b, ir.Table):
            add(b.caption, "heading")
            for text, _ in b.group_header:
                add(text, "table_cell")
            for cell in [*b.header, *(c for r in b.rows for c in r)]:
                add(cell, "table_cell")
        elif isinstance(b, ir.Sidebar):
            add(b.title, "heading")
            for item in b.items:
                add(item, "sidebar")
        elif isinstance(b, ir.PullQuote):
            add(b.text, "pull_quote")
        elif isinstance(b, ir.VoteTable):
            for k, v in b.rows:
                add(k, "table_cell")
                add(str(v), "table_cell")
    if notes and doc.style.footnotes == "end":
        add(ir.CLOSING_NOTES, "heading")
    for n, t in enumerate(notes, 1):  # printed after their number: « 3 Texte de la note »
        add(t, "footnote", number=n, label=ir.note_label(doc.style, n))
    return out


def locate(doc: ir.Document, pdf_path: Path) -> tuple[list[dict[str, Any]], int]:
    """Entries with their page; returns (entries, page count)."""
    pages = page_texts(pdf_path)
    loc = Locator(pages)
    items = entries(doc)
    for e in items:
        if e["role"] == "footnote":
            continue
        if not placeable(e):
            continue  # too short to place; left -1 and not counted as a paragraph
        e["page"] = loc.find(e["text"])
    foot = Locator(pages)  # notes sit at the foot or the end: search from the start
    for e in items:
        if e["role"] == "footnote":
            e["page"] = foot.find(e["text"])
    return items, len(pages)


def toc_pages(doc: ir.Document, items: list[dict[str, Any]]) -> bool:
    """Fill the sommaire's page numbers from located headings; True if any changed."""
    heads = {e["text"]: e["page"] for e in items if e["role"] == "heading" and e["page"] > 0}
    changed = False
    for b in doc.blocks:
        if isinstance(b, ir.Toc):
            for t in b.entries:
                page = heads.get(t.text)
                if page != t.page:
                    t.page, changed = page, True
    return changed


def truth(doc: ir.Document, items: list[dict[str, Any]], pages: int, split: str,
          file: str) -> dict[str, Any]:
    """The truth JSON object of one document."""
    st = dataclasses.asdict(doc.style)
    meta = {k: getattr(doc.meta, k) for k in ("kind", "doc_label", "title", "body", "body_long",
                                               "region", "date", "date_text")}
    recs, summary, measures, paragraphs = [], [], [], []
    for e in items:
        for r in e.pop("recs", []) or []:
            recs.append({**r, "page": e["page"]})
        s = e.pop("summary", None)
        if s:
            summary.append({"number": s["number"], "text": e["text"], "page": e["page"]})
        m = e.pop("measure", None)
        if m:
            measures.append({**m, "page": e["page"]})
        paragraphs.append(e)
    running = []
    for n in range(1, pages + 1):
        for where in ("header", "footer", "margin"):
            text = ir.running_text(doc, where, n, pages)
            if text:
                running.append({"page": n, "where": where, "text": text})
    return {"id": doc.id, "file": file, "producer": doc.style.producer, "split": split,
            "seed": doc.seed, "style": st, "meta": meta, "pages": pages,
            "scanned_pages": doc.style.scanned_pages, "rotated_pages": doc.style.rotated_pages,
            "paragraphs": paragraphs, "recommendations": recs, "summary_items": summary,
            "measures": measures, "running": running,
            "not_located": sum(1 for p in paragraphs if p["page"] < 0 and placeable(p))}


def placeable(p: dict[str, Any]) -> bool:
    """Texts the locator places (very short table cells are skipped)."""
    return not (p["role"] == "table_cell" and len(skeleton(p["text"])) < 8)
