"""Typst producer: ir.Document -> .typ source -> PDF with the typst compiler (PyPI ``typst``).

What Typst does to text: its own French hyphenation (line-end breaks come out as U+00AD in the
text layer), optional ligatures, page-level columns, running heads computed per page from the
page counter (so every header_pages mode is drawn: all, all_but_cover, odd_even, some,
last_only), footnotes of its own (or endnotes under « Notes »), tables with a repeated header and
merged cells, shaded blocks for boxed recommendations, sidebars and summaries.
All text goes in as string literals (#"…"), so no character of the IR is read as markup.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from .. import ir
from . import common

FAMILIES = {
    "serif": ["DejaVu Serif", "Liberation Serif"],
    "sans": ["Liberation Sans", "DejaVu Sans"],
}


def s(text: str) -> str:
    """A Typst string literal as content: #"…"."""
    return '#"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lit(text: str) -> str:
    """A Typst string literal in code mode."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def head_expr(doc: ir.Document, tpl: str) -> str:
    """A code expression for a running-head template: strings joined with str(n), str(N)."""
    text = ir.fill(doc, tpl, "\x01", "\x02")
    parts = text.replace("\x01", "\x00n\x00").replace("\x02", "\x00N\x00").split("\x00")
    out = []
    for part in parts:
        if part in ("n", "N"):
            out.append(f"str({part})")
        elif part:
            out.append(lit(part))
    return " + ".join(out) or '""'


def running(doc: ir.Document, where: str) -> str:
    """The header: or footer: argument of the page set rule (None when the style has none)."""
    st = doc.style
    tpl = st.header if where == "header" else st.footer
    if tpl is None:
        return "none"
    even = st.header_even if where == "header" else st.footer_even
    cond = {
        "all": "true",
        "all_but_cover": "n > 1",
        "odd_even": "n > 1",
        "some": "n > 1 and (calc.rem(n, 3) == 0 or n == N)",
        "last_only": "n == N",
    }[st.header_pages]
    expr = head_expr(doc, tpl)
    if st.header_pages == "odd_even" and even is not None:
        expr = f"if calc.even(n) {{ {head_expr(doc, even)} }} else {{ {expr} }}"
    logo = ""
    if st.logo and where == "header":
        logo = f'box(width: 0.9cm, height: 0.4cm, fill: rgb("{st.accent}")) + h(0.3em) + '
    align = "right" if where == "footer" and tpl == "{n}" else "center"
    return (
        f"context {{ let n = counter(page).get().first(); "
        f"let N = counter(page).final().first(); "
        f'if {cond} {{ set text(size: 7.5pt, fill: rgb("#555555")); '
        f"align({align}, {logo}[#({expr})]) }} }}"
    )


def preamble(doc: ir.Document, rng: random.Random) -> str:
    st = doc.style
    family = rng.choice(FAMILIES[st.font])
    lines = [
        f'#set page(paper: "a4", margin: (x: 2cm, top: 2.3cm, bottom: 2.2cm), '
        f"header: {running(doc, 'header')}, footer: {running(doc, 'footer')})",
        f'#set text(lang: "fr", region: "FR", font: {lit(family)}, size: {st.base_size}pt, '
        f"hyphenate: {str(st.hyphenate).lower()}, ligatures: {str(st.ligatures).lower()})",
        f"#set par(justify: {str(st.justify).lower()}, leading: 0.6em, spacing: 0.9em)",
        "#set columns(gutter: 0.8cm)",
        f'#show heading: set text(fill: rgb("{st.accent}"), hyphenate: false)',
        "#show heading.where(level: 1): set text(size: 1.4em)",
        "#show heading.where(level: 2): set text(size: 1.15em)",
        "#show heading.where(level: 3): set text(size: 1em)",
        "#show heading: set block(above: 1.1em, below: 0.6em)",
        '#set table(stroke: 0.5pt + rgb("#888888"), inset: 4pt)',
        "#set footnote.entry(separator: line(length: 30%, stroke: 0.5pt))",
    ]
    return "\n".join(lines) + "\n"


class Writer:
    """Typst markup of the blocks, in order."""

    def __init__(self, doc: ir.Document) -> None:
        self.doc, self.st = doc, doc.style
        self.out: list[str] = []
        self.flow_started = False
        self.notes: list[str] = []

    def emit(self, text: str) -> None:
        self.out.append(text + "\n")

    def start_flow(self) -> None:
        if not self.flow_started:
            self.flow_started = True
            if self.st.columns > 1:
                self.emit(f"#set page(columns: {self.st.columns})")

    def heading(self, text: str, level: int) -> None:
        self.emit(f"#heading(level: {min(level, 3)}, numbering: none, outlined: false)[{s(text)}]")

    def paragraph(self, para: ir.Paragraph) -> str:
        out = ""
        for chunk, number in common.pieces(para, len(self.notes) + 1):
            out += s(chunk)
            if number is not None:
                note = para.notes[number - len(self.notes) - 1]
                if self.st.footnotes == "end":
                    out += f"#super[{number}]"
                else:
                    out += f"#footnote[{s(note)}]"
        self.notes.extend(para.notes)
        return out

    def box(self, inner: str) -> str:
        st = self.st
        return (
            f'#block(fill: rgb("{st.box_fill}"), stroke: (left: 3pt + rgb("{st.accent}")), '
            f"inset: 7pt, width: 100%, breakable: false)[{inner}]"
        )

    def label(self, text: str) -> str:
        return f'#text(weight: "bold", fill: rgb("{self.st.accent}"))[{s(text)}]'

    def table(self, t: ir.Table) -> None:
        n = len(t.header)
        head = []
        for text, span in t.group_header:
            head.append(f"table.cell(colspan: {span})[*{s(text)}*]")
        head += [f"[*{s(h)}*]" for h in t.header]
        cells = []
        for i, r in enumerate(t.rows):
            total = t.total_row and i == len(t.rows) - 1
            for j, c in enumerate(r):
                if i in t.sub_rows and j == 0:
                    cells.append(f"table.cell(inset: (left: 1.4em, rest: 4pt))[_{s(c)}_]")
                elif total:
                    cells.append(f"[*{s(c)}*]")
                else:
                    cells.append(f"[{s(c)}]")
        fill = f'(x, y) => if y < {1 + bool(t.group_header)} {{ rgb("{self.st.box_fill}") }}'
        cap = f"#strong[{s(t.caption)}]\n\n" if t.caption else ""
        body = (
            f"{cap}#table(columns: {n}, fill: {fill}, table.header(repeat: true, "
            f"{', '.join(head)}), {', '.join(cells)})"
        )
        if t.landscape:
            self.emit(f"#page(flipped: true, columns: 1)[{body}]")
        else:
            self.emit(body)

    def block(self, b: ir.Block) -> None:
        st = self.st
        if isinstance(b, ir.Cover):
            track = "tracking: 0.3em, " if st.title_letterspaced else ""
            title = s(b.title)
            if st.title_smallcaps:
                title = f"#smallcaps[{title}]"
            self.emit(f'#block(width: 100%, height: 1.2cm, fill: rgb("{st.accent}"))')
            self.emit("#v(2cm)")
            if b.label:
                self.emit(
                    f'#text(size: 20pt, weight: "bold", fill: rgb("{st.accent}"), {track})'
                    f"[{s(b.label)}]\n"
                )
            self.emit(
                f'#par(justify: false)[#text(size: 24pt, weight: "bold", hyphenate: false, '
                f"{track})[{title}]]\n"
            )
            self.emit("#v(1cm)")
            self.emit(f"#text(size: 13pt)[{s(b.body)}]\n")
            self.emit("#v(1fr)")
            for line in b.lines:
                self.emit(f"#text(size: 10.5pt)[{s(line)}]\n")
            self.emit(f"#strong[{s(b.date_line)}]\n")
        elif isinstance(b, ir.PageBreak):
            self.emit("#pagebreak(weak: true)")
        elif isinstance(b, ir.Toc):
            self.emit(
                f'#text(size: 1.4em, weight: "bold", fill: rgb("{st.accent}"))[{s(b.title)}]\n'
            )
            fill = "#box(width: 1fr, repeat[. ])" if b.leaders else "#h(1fr)"
            for e in b.entries:
                indent = "#h(1em)" * (e.level - 1)
                self.emit(f"{indent}{s(e.text)} {fill} {s(str(e.page or ''))}\n")
            self.emit("#pagebreak(weak: true)")
        elif isinstance(b, ir.Heading):
            self.start_flow()
            if b.chapter and st.chapter_pages:
                # a new page, the heading floated to its top across the columns
                self.emit("#pagebreak(weak: true)")
                self.emit(
                    '#place(top, scope: "parent", float: true, clearance: 0.8em)['
                    f"#heading(level: {min(b.level, 3)}, numbering: none, outlined: false)"
                    f"[{s(b.printed)}]]"
                )
            else:
                self.heading(b.printed, b.level)
        elif isinstance(b, ir.Paragraph):
            self.start_flow()
            self.emit(self.paragraph(b) + "\n")
        elif isinstance(b, ir.Recommendation):
            self.start_flow()
            self.recommendation(b)
        elif isinstance(b, ir.Measure):
            self.start_flow()
            self.heading(b.heading, 3)
            self.emit(s(b.text) + "\n")
            if b.budget_line:
                self.emit(f"#strong[{s(b.budget_line)}]\n")
        elif isinstance(b, ir.BulletList):
            self.start_flow()
            self.bullets(b)
        elif isinstance(b, ir.Table):
            self.start_flow()
            self.table(b)
        elif isinstance(b, ir.Sidebar):
            self.start_flow()
            inner = self.label(b.title) + "".join(f"#parbreak(){s(i)}" for i in b.items)
            box = (
                f'#block(fill: rgb("{st.box_fill}"), inset: 7pt, width: 100%, '
                f"breakable: false)[#set text(size: 0.92em)\n{inner}]"
            )
            if st.columns == 1:
                box = f"#align(right, block(width: 50%)[{box}])"
            self.emit(box)
        elif isinstance(b, ir.PullQuote):
            self.start_flow()
            self.emit(
                f'#block(stroke: (top: 1pt + rgb("{st.accent}"), bottom: 1pt + '
                f'rgb("{st.accent}")), inset: (y: 6pt), width: 100%)[#text(size: 1.2em, '
                f'style: "italic", fill: rgb("{st.accent}"))[{s(b.text)}]]'
            )
        elif isinstance(b, ir.VoteTable):
            self.start_flow()
            rows = ", ".join(f"[{s(k)}], [{v}]" for k, v in b.rows)
            self.emit(f"#strong[{s(b.title)}]\n")
            table = f"table(columns: (1fr, auto), {rows})"
            if st.hyphenate:  # a label too wide for its cell breaks at a hyphen (« Absten-tions »)
                self.emit(f"#block(width: 50%)[#{table}]")
            else:
                # half the width, or the width its one-word labels need: unbroken, « Abstentions »
                # in half a narrow column ran over the count beside it
                self.emit(
                    f"#layout(size => {{let t = table(columns: (auto, auto), {rows}); "
                    "block(width: calc.min(size.width, calc.max(50% * size.width, "
                    f"measure(t).width)))[#{table}]}})"
                )
        else:
            raise TypeError(f"typst: no rendering for {type(b).__name__}")

    def recommendation(self, r: ir.Recommendation) -> None:
        label = r.label or ""
        if r.style == "heading_numbered":
            self.heading(label, 3)
            self.emit(s(r.text) + "\n")
        elif r.style == "box_numbered":
            self.emit(self.box(f"{self.label(label)}#parbreak(){s(r.text)}"))
        elif r.style == "list_numbered":
            self.emit(f"#par(hanging-indent: 1.2cm)[#box(width: 1.2cm)[{s(label)}]{s(r.text)}]\n")
        elif r.emphasis:
            self.emit(f"#strong[{s(r.emphasis)}]{s(r.text[len(r.emphasis) :])}\n")
        else:
            self.emit(s(r.text) + "\n")

    def bullets(self, b: ir.BulletList) -> None:
        items = ", ".join(f"[{s(i)}]" for i in b.items)
        lst = f"#enum({items})" if b.ordered else f"#list(marker: [{s(self.st.bullet)}], {items})"
        title = self.label(b.title) + "#parbreak()" if b.title else ""
        if b.boxed:
            self.emit(self.box(title + lst))
        else:
            self.emit(f"{title}\n{lst}\n")

    def endnotes(self) -> None:
        if self.notes and self.st.footnotes == "end":
            self.heading(ir.CLOSING_NOTES, 2)
            for i, note in enumerate(self.notes, 1):
                self.emit(f"#text(size: 0.85em)[#super[{i}] {s(note)}]\n")


def to_typst(doc: ir.Document) -> str:
    """The whole document as Typst source."""
    rng = random.Random(doc.seed ^ 0x7195)
    w = Writer(doc)
    for b in doc.blocks:
        w.block(b)
    w.endnotes()
    return preamble(doc, rng) + "\n" + "".join(w.out)


def render(doc: ir.Document, out: Path) -> None:
    """Compile the source with the typst package (no network: fonts from the system)."""
    import typst

    doc.style.hyphen_char = "\u00ad"  # Typst's line-end hyphen comes out as a soft hyphen
    doc.style.balanced = False  # page columns fill one after the other
    src = to_typst(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="typst-") as tmp:
        typ = Path(tmp) / f"{doc.id}.typ"
        typ.write_text(src, encoding="utf-8")
        try:
            pdf = typst.compile(str(typ), font_paths=[str(common.FONT_DIR)])
        except Exception as e:  # the compiler's message names the line of the source
            kept = Path(tempfile.gettempdir()) / f"typst-failed-{doc.id}.typ"
            kept.write_text(src, encoding="utf-8")
            raise RuntimeError(f"typst failed on {doc.id} (source kept in {kept}): {e}") from e
    out.write_bytes(pdf)
