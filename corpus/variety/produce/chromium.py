"""Chromium producer: HTML + CSS paged media, printed by headless Chromium."""

from __future__ import annotations

import re
import subprocess
import tempfile
from html import escape
from pathlib import Path

from .. import ir
from . import common

CHROMIUM = "/usr/bin/chromium"
DATE = re.compile(rb"\(D:(\d{14})([^)]*)\)")
NODE = re.compile(rb"node\d{8}")
FAMILIES = {"serif": "'DejaVu Serif', 'Liberation Serif', serif",
            "sans": "'Liberation Sans', 'DejaVu Sans', sans-serif"}


def css_content(tpl: str, doc: ir.Document) -> str:
    """A running-head template as a CSS content value (page counters for {n} and {N})."""
    text = ir.fill(doc, tpl, "\x01", "\x02")
    parts = []
    for i, chunk in enumerate(text.replace("\x02", "\x01\x02").split("\x01")):
        if chunk.startswith("\x02"):
            parts.append("counter(pages)")
            chunk = chunk[1:]
        elif i:
            parts.append("counter(page)")
        if chunk:
            parts.append('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts) or '""'


def page_css(doc: ir.Document) -> str:
    """@page rules: size, margins, running heads in margin boxes."""
    st = doc.style
    out = ["@page { size: A4; margin: 2.3cm 2cm 2.2cm 2cm;"]
    pos = {"header": "@top-center", "footer": "@bottom-center"}
    for where, tpl in (("header", st.header), ("footer", st.footer)):
        if tpl:
            align = "@bottom-right" if where == "footer" and tpl == "{n}" else pos[where]
            out.append(f" {align} {{ content: {css_content(tpl, doc)}; font-size: 7.5pt;"
                       f" color: #555; }}")
            pos[where] = align
    if st.logo and st.header:
        out.append(" @top-left { content: ''; width: 0.9cm; height: 0.5cm;"
                   f" background: {st.accent}; }}")
    out.append("}")
    if st.header_pages != "all":
        boxes = " ".join(f"{pos[w]} {{ content: none; background: none; }}"
                         for w in ("header", "footer"))
        boxes += " @top-left { content: none; background: none; }"
        out.append(f"@page :first {{ {boxes} }}")
    if st.header_pages == "odd_even":
        for where, even in (("header", st.header_even), ("footer", st.footer_even)):
            if even:
                box = f"{pos[where]} {{ content: {css_content(even, doc)}; }}"
                out.append(f"@page :left {{ {box} }}")
    out.append("@page wide { size: A4 landscape; }")
    return "\n".join(out)


FLOAT = ".side, .quote { float: right; width: 42%; margin: 0.2em 0 0.5em 1em; }"


def body_css(st: ir.Style) -> str:
    """The house style."""
    return f"""
html {{ font-family: {FAMILIES[st.font]}; font-size: {st.base_size}pt; line-height: 1.35; }}
body {{ margin: 0; print-color-adjust: exact; -webkit-print-color-adjust: exact;
  font-variant-ligatures: {'common-ligatures' if st.ligatures else 'none'}; }}
.flow {{ column-count: {st.columns}; column-gap: 0.8cm;
  column-fill: {'balance' if st.balanced else 'auto'}; }}
p {{ margin: 0 0 0.55em 0; text-align: {'justify' if st.justify else 'left'};
  hyphens: manual; orphans: 2; widows: 2; }}
h1, h2, h3 {{ color: {st.accent}; break-after: avoid; line-height: 1.2; }}
h1 {{ font-size: 1.45em; margin: 1em 0 0.5em; }} h2 {{ font-size: 1.15em; margin: 0.8em 0 0.4em; }}
h3 {{ font-size: 1em; margin: 0.7em 0 0.3em; }}
.span {{ column-span: all; }} .chapter {{ break-before: page; }}
.cover {{ height: 24cm; break-after: page; display: flex; flex-direction: column;
  justify-content: space-between; }}
.cover .label {{ font-size: 20pt; color: {st.accent}; font-weight: bold;
  letter-spacing: {'0.35em' if st.title_letterspaced else '0.05em'}; }}
.cover .title {{ font-size: 24pt; font-weight: bold; line-height: 1.2; color: #222;
  {'letter-spacing: 0.12em;' if st.title_letterspaced else ''}
  {'font-variant: small-caps;' if st.title_smallcaps else ''} }}
.cover .body {{ font-size: 13pt; }} .cover .line {{ font-size: 10.5pt; margin: 0.2em 0; }}
.band {{ height: 1.2cm; background: {st.accent}; }}
.toc {{ break-after: page; }} .toc div {{ display: flex; margin: 0.3em 0; }}
.toc .t {{ flex: 0 1 auto; max-width: 85%; }} .toc .pg {{ flex: 0 0 auto; }}
.toc .lead {{ flex: 1 1 0; min-width: 0; overflow: hidden; white-space: nowrap; margin: 0 0.3em; }}
.toc .lead.dots::after {{ content: "{'. ' * 120}"; color: #777; }}
.box, .summary {{ background: {st.box_fill}; border-left: 3pt solid {st.accent};
  padding: 0.5em 0.7em; margin: 0.6em 0; break-inside: avoid; }}
.box .lab {{ font-weight: bold; color: {st.accent}; margin-bottom: 0.3em; }}
.summary ul, .summary ol {{ margin: 0.3em 0 0 1.2em; padding: 0; }}
ul {{ list-style-type: "{st.bullet}\00a0"; }}
.side {{ background: {st.box_fill}; padding: 0.5em 0.7em; margin: 0.6em 0; font-size: 0.92em;
  break-inside: avoid; }}
.side .lab {{ font-weight: bold; }}
{FLOAT if st.columns == 1 else ''}
.quote {{ font-size: 1.2em; font-style: italic; color: {st.accent}; border-top: 1pt solid;
  border-bottom: 1pt solid; padding: 0.4em 0; margin: 0.8em 0; }}
.li {{ padding-left: 2em; text-indent: -2em; }} .li .mk {{ display: inline-block; width: 2em;
  text-indent: 0; font-weight: bold; color: {st.accent}; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.9em; }}
th, td {{ border: 0.5pt solid #888; padding: 2pt 5pt; text-align: left; }}
th {{ background: {st.box_fill}; }} td.num {{ text-align: right; }}
tr.dont td:first-child {{ padding-left: 1.6em; font-style: italic; }}
tr.total {{ font-weight: bold; }}
caption {{ font-weight: bold; text-align: left; margin-bottom: 0.3em; }}
.wide {{ page: wide; column-span: all; }}
.notes p {{ font-size: 0.85em; }} sup {{ font-size: 0.7em; line-height: 0; }}
.budget {{ font-weight: bold; }}

"""


def text(s: str, st: ir.Style) -> str:
    """Escaped text with soft hyphens when the house style hyphenates."""
    return escape(common.soft_hyphens(s) if st.hyphenate else s, quote=False)


def table_html(t: ir.Table, st: ir.Style) -> str:
    """A table with merged group header, « dont » rows and total row."""
    head = ""
    if t.group_header:
        cells = "".join(f'<th colspan="{c}">{escape(x)}</th>' for x, c in t.group_header)
        head += f"<tr>{cells}</tr>"
    head += "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in t.header) + "</tr>"
    rows = []
    for i, r in enumerate(t.rows):
        cls = "dont" if i in t.sub_rows else "total" if t.total_row and i == len(t.rows) - 1 else ""
        cells = "".join(f'<td{" class=num" if j else ""}>{escape(c)}</td>' for j, c in enumerate(r))
        rows.append(f'<tr class="{cls}">{cells}</tr>')
    cap = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    cls = "wide" if t.landscape else "span" if t.span else ""
    return f'<table class="{cls}">{cap}<thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def block_html(b: ir.Block, doc: ir.Document, notes: list[str]) -> str:
    """HTML of one block; footnote texts are appended to notes."""
    st = doc.style
    if isinstance(b, ir.Cover):
        label = f'<div class="label">{escape(b.label)}</div>' if b.label else ""
        lines = "".join(f'<div class="line">{escape(x)}</div>' for x in b.lines)
        return (f'<section class="cover"><div class="band"></div>{label}<div class="title">'
                f'{escape(b.title)}</div><div class="body">{escape(b.body)}</div><div>{lines}'
                f'<div class="line"><b>{escape(b.date_line)}</b></div></div></section>')
    if isinstance(b, ir.Toc):
        dots = "lead dots" if b.leaders else "lead"
        rows = "".join(f'<div><span class="t">{escape(e.text)}</span><span class="{dots}"></span>'
                       f'<span class="pg">{e.page or ""}</span></div>' for e in b.entries)
        return f'<section class="toc"><h1>{escape(b.title)}</h1>{rows}</section>'
    if isinstance(b, ir.Heading):
        tag = f"h{min(b.level, 3)}"
        cls = ("span" if b.span else "") + (" chapter" if b.chapter and st.chapter_pages else "")
        return f'<{tag} class="{cls}">{escape(b.printed)}</{tag}>'
    if isinstance(b, ir.Paragraph):
        out = ""
        for chunk, note in common.pieces(b, len(notes) + 1):
            out += text(chunk, st)
            if note is not None:
                out += f"<sup>{note}</sup>"
        notes.extend(b.notes)
        return f"<p>{out}</p>"
    if isinstance(b, ir.Recommendation):
        rest = b.text[len(b.emphasis):] if b.emphasis else b.text
        if b.style == "heading_numbered":
            return f"<h3>{escape(b.label or '')}</h3><p>{text(b.text, st)}</p>"
        if b.style == "box_numbered":
            lab = f'<div class="lab">{escape(b.label or "")}</div>'
            return f'<div class="box">{lab}<p>{text(b.text, st)}</p></div>'
        if b.style == "list_numbered":
            mark = f'<span class="mk">{escape(b.label or "")}</span>'
            return f'<p class="li">{mark}{text(b.text, st)}</p>'
        return f"<p><b>{text(b.emphasis, st)}</b>{text(rest, st)}</p>"
    if isinstance(b, ir.Measure):
        budget = f'<p class="budget">{escape(b.budget_line)}</p>' if b.budget_line else ""
        return f"<h3>{escape(b.heading)}</h3><p>{text(b.text, st)}</p>{budget}"
    if isinstance(b, ir.BulletList):
        tag = "ol" if b.ordered else "ul"
        items = "".join(f"<li>{text(x, st)}</li>" for x in b.items)
        title = f"<h3>{escape(b.title)}</h3>" if b.title else ""
        return f'<div class="{"summary" if b.boxed else ""}">{title}<{tag}>{items}</{tag}></div>'
    if isinstance(b, ir.Table):
        return table_html(b, st)
    if isinstance(b, ir.Sidebar):
        items = "".join(f"<p>{text(x, st)}</p>" for x in b.items)
        return f'<aside class="side"><div class="lab">{escape(b.title)}</div>{items}</aside>'
    if isinstance(b, ir.PullQuote):
        return f'<p class="quote">{text(b.text, st)}</p>'
    if isinstance(b, ir.VoteTable):
        rows = "".join(f"<tr><td>{escape(k)}</td><td class=num>{v}</td></tr>" for k, v in b.rows)
        return f'<table style="width:50%"><tbody>{rows}</tbody></table>'
    if isinstance(b, ir.PageBreak):
        return ""
    raise TypeError(f"chromium: no rendering for {type(b).__name__}")


def to_html(doc: ir.Document) -> str:
    """The whole document as one HTML page."""
    notes: list[str] = []
    front_blocks = [b for b in doc.blocks if isinstance(b, ir.Cover | ir.Toc)]
    front = "".join(block_html(b, doc, notes) for b in front_blocks)
    flow = "".join(block_html(b, doc, notes) for b in doc.blocks if b not in front_blocks)
    if notes and doc.style.footnotes == "end":
        flow += f'<h2 class="span">{ir.CLOSING_NOTES}</h2><div class="notes">' + "".join(
            f"<p><sup>{i}</sup> {escape(t)}</p>" for i, t in enumerate(notes, 1)) + "</div>"
    style = page_css(doc) + body_css(doc.style)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>'
            f'{escape(doc.meta.title)}</title><style>{style}</style></head><body>{front}'
            f'<div class="flow">{flow}</div></body></html>')


def render(doc: ir.Document, out: Path) -> None:
    """Write the HTML to a temporary folder and print it to PDF with Chromium."""
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / f"{doc.id}.html"
        html.write_text(to_html(doc), encoding="utf-8")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", html.as_uri()]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if res.returncode != 0 or not out.exists():
            raise RuntimeError(f"chromium failed on {doc.id}: {res.stderr[-500:]}")
    out.write_bytes(steady(out.read_bytes()))


def steady(pdf: bytes) -> bytes:
    """Fixed dates and structure ids renumbered in order (same lengths: the xref offsets hold),
    so that the same HTML gives the same bytes."""
    pdf = DATE.sub(rb"(D:20250101000000\2)", pdf)
    ids: dict[bytes, bytes] = {}
    for m in NODE.finditer(pdf):
        ids.setdefault(m.group(0), b"node%08d" % len(ids))
    return NODE.sub(lambda m: ids[m.group(0)], pdf)
