"""LibreOffice producer: ir.Document -> Flat ODT (.fodt) -> PDF by headless soffice.

What Writer does to text and that this producer asks of it: automatic French hyphenation
(fo:hyphenate, hyphen-fr patterns), justified text, multi-column sections (a spanning heading
or table closes the section and opens a new one), headers and footers of the page styles
(page-number and page-count fields; a « First Page » style without them on the cover; left
pages with their own content), footnotes at the foot of the page (text:note; endnotes are typed
under « Notes »), tables with a repeated header row and merged cells, text boxes (draw:frame +
draw:text-box) for boxed recommendations and key figures, lists, a landscape page style.

Needs Debian's libreoffice-writer-nogui and hyphen-fr (``make variety``).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import ir
from . import common
from .lo_styles import (
    DRAWN_MODES,
    GAP_CM,
    TEXT_WIDTH_CM,
    automatic_styles,
    masters,
    p,
    span,
    styles,
    x,
)

SOFFICE = "soffice"
FAMILIES = {
    "serif": ["DejaVu Serif", "Liberation Serif"],
    "sans": ["Liberation Sans", "DejaVu Sans"],
}
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
}


# -- body ------------------------------------------------------------------------------------


class Body:
    """Writes the blocks of office:text, opening and closing column sections around spans."""

    def __init__(self, doc: ir.Document, rng: random.Random) -> None:
        self.doc, self.st, self.rng = doc, doc.style, rng
        self.out: list[str] = []
        self.section = 0  # sections written so far
        self.open = False
        self.first = True
        self.note = 0
        self.endnotes: list[str] = []
        self.boxes_as_frames = rng.random() < 0.6

    # sections
    def open_flow(self) -> None:
        if self.st.columns > 1 and not self.open:
            self.section += 1
            self.out.append(
                f'<text:section text:style-name="Sect{self.st.columns}" '
                f'text:name="Colonnes{self.section}">'
            )
            self.open = True

    def close_flow(self) -> None:
        if self.open:
            self.out.append("</text:section>")
            self.open = False

    def para(self, content: str, style: str = "Text_20_body") -> None:
        if self.first:  # the first paragraph carries the page style of page 1
            self.out.append(p("", "MFirst"))
            self.first = False
        self.out.append(p(content, style))

    def heading(self, text: str, level: int, new_page: bool = False) -> None:
        level = min(level, 3)
        style = "HChapter" if new_page else f"Heading_20_{level}"
        self.out.append(
            f'<text:h text:style-name="{style}" text:outline-level="{level}">{x(text)}</text:h>'
        )

    def notes_of(self, para: ir.Paragraph) -> str:
        """The paragraph with its calls: real footnotes (text:note), or, for endnotes, a
        superscript number here and the note under « Notes » at the end (see endnotes)."""
        out = ""
        for chunk, number in common.pieces(para, self.note + 1):
            out += x(chunk)
            if number is None:
                continue
            note = para.notes[number - self.note - 1]
            if self.st.footnotes == "end":
                out += span(str(number), "Super")
                self.endnotes.append(note)
            else:
                out += (
                    f'<text:note text:id="n{number}" text:note-class="footnote">'
                    f"<text:note-citation>{number}</text:note-citation>"
                    f"<text:note-body>{p(x(note), 'Footnote')}</text:note-body></text:note>"
                )
        self.note += len(para.notes)
        return out

    def endnotes_section(self) -> None:
        """« Notes » at the end of the text (Writer's own endnotes would sit on a page of
        their own with no heading; a typed list is how many avis end)."""
        if not self.endnotes:
            return
        self.close_flow()
        self.heading(ir.CLOSING_NOTES, 2)
        for i, note in enumerate(self.endnotes, 1):
            self.para(span(str(i), "Super") + " " + x(note), "Endnote")

    def frame(self, inner: str, style: str, width: str) -> None:
        cols = self.st.columns if self.open else 1
        full = (TEXT_WIDTH_CM - GAP_CM * (cols - 1)) / cols - 0.45  # minus padding and borders
        w = f"{full:.2f}cm" if width == "100%" else width
        self.out.append(
            p(
                f'<draw:frame draw:style-name="{style}" text:anchor-type="paragraph" '
                f'svg:width="{w}" draw:z-index="0"><draw:text-box fo:min-height='
                f'"0.5cm">{inner}</draw:text-box></draw:frame>',
                "Text_20_body",
            )
        )

    def table(self, t: ir.Table) -> None:
        ncols = len(t.header)
        rows = []
        if t.group_header:
            cells = ""
            for text, span_n in t.group_header:
                cells += (
                    f'<table:table-cell table:style-name="TblHead" '
                    f'table:number-columns-spanned="{span_n}" office:value-type="string">'
                    f"{p(x(text), 'Table_20_Heading')}</table:table-cell>"
                )
                cells += "<table:covered-table-cell/>" * (span_n - 1)
            rows.append(f"<table:table-row>{cells}</table:table-row>")
        cells = "".join(
            f'<table:table-cell table:style-name="TblHead" office:value-type="string">'
            f"{p(x(h), 'Table_20_Heading')}</table:table-cell>"
            for h in t.header
        )
        rows.append(f"<table:table-row>{cells}</table:table-row>")
        head = "<table:table-header-rows>" + "".join(rows) + "</table:table-header-rows>"
        body = []
        for i, r in enumerate(t.rows):
            total = t.total_row and i == len(t.rows) - 1
            style = (
                "TableSub" if i in t.sub_rows else "TableTotal" if total else "Table_20_Contents"
            )
            cells = "".join(
                f'<table:table-cell table:style-name="TblCell" office:value-type="string">'
                f"{p(x(c), style if j == 0 or total else 'Table_20_Contents')}"
                "</table:table-cell>"
                for j, c in enumerate(r)
            )
            body.append(f"<table:table-row>{cells}</table:table-row>")
        if t.caption:
            self.para(x(t.caption), "Caption")
        self.out.append(
            f'<table:table table:name="Tableau{len(self.out)}" table:style-name="TblFull">'
            f'<table:table-column table:number-columns-repeated="{ncols}"/>'
            f"{head}{''.join(body)}</table:table>"
        )

    def block(self, b: ir.Block) -> None:
        st = self.st
        if isinstance(b, ir.Cover):
            if b.label:
                self.para(x(b.label), "CoverLabel")
            else:
                self.para("", "CoverLabel")
            self.para(x(b.title), "CoverTitle")
            self.para(x(b.body), "CoverBody")
            for line in b.lines:
                self.para(x(line), "CoverLine")
            self.para(span(b.date_line, "Strong"), "CoverLine")
        elif isinstance(b, ir.PageBreak):
            self.close_flow()
            self.out.append(p("", "PBreak"))
        elif isinstance(b, ir.Toc):
            self.close_flow()
            self.out.append(p(x(b.title), "Heading_20_1"))
            for e in b.entries:
                self.para(x(e.text) + "<text:tab/>" + x(str(e.page or "")), "Toc")
            self.out.append(p("", "PBreak"))
        elif isinstance(b, ir.Heading):
            if b.span:
                self.close_flow()
            else:
                self.open_flow()
            at_top = bool(self.out) and self.out[-1] in (p("", "PBreak"), p("", "MStandard"))
            self.heading(b.printed, b.level, b.chapter and st.chapter_pages and not at_top)
        elif isinstance(b, ir.Paragraph):
            self.open_flow()
            self.para(self.notes_of(b))
        elif isinstance(b, ir.Recommendation):
            self.open_flow()
            self.recommendation(b)
        elif isinstance(b, ir.Measure):
            self.open_flow()
            self.heading(b.heading, 3)
            self.para(x(b.text))
            if b.budget_line:
                self.para(span(b.budget_line, "Strong"))
        elif isinstance(b, ir.BulletList):
            self.open_flow()
            self.bullets(b)
        elif isinstance(b, ir.Table):
            if b.landscape:
                self.close_flow()
                self.out.append(p("", "MLandscape"))
                self.table(b)
                self.out.append(p("", "MStandard"))
            else:
                if b.span:
                    self.close_flow()
                else:
                    self.open_flow()
                self.table(b)
        elif isinstance(b, ir.Sidebar):
            self.open_flow()
            inner = p(x(b.title), "FrameLabel") + "".join(p(x(i), "FrameText") for i in b.items)
            if st.columns == 1:
                self.frame(inner, "FrSide", "7cm")
            else:
                self.frame(inner, "FrBox", "100%")
        elif isinstance(b, ir.PullQuote):
            self.open_flow()
            self.para(x(b.text), "Quote")
        elif isinstance(b, ir.VoteTable):
            self.open_flow()
            self.para(x(b.title), "Caption")
            rows = "".join(
                f'<table:table-row><table:table-cell table:style-name="TblCell" '
                f'office:value-type="string">{p(x(k), "Table_20_Contents")}'
                f'</table:table-cell><table:table-cell table:style-name="TblCell" '
                f'office:value-type="float" office:value="{v}">'
                f"{p(str(v), 'Table_20_Contents')}</table:table-cell></table:table-row>"
                for k, v in b.rows
            )
            self.out.append(
                f'<table:table table:name="Vote" table:style-name="TblHalf">'
                f'<table:table-column table:number-columns-repeated="2"/>{rows}'
                "</table:table>"
            )
        else:
            raise TypeError(f"libreoffice: no rendering for {type(b).__name__}")

    def recommendation(self, r: ir.Recommendation) -> None:
        label = r.label or ""
        if r.style == "heading_numbered":
            self.heading(label, 3)
            self.para(x(r.text))
        elif r.style == "box_numbered":
            if self.boxes_as_frames:
                self.frame(p(x(label), "FrameLabel") + p(x(r.text), "FrameText"), "FrBox", "100%")
            else:
                self.para(x(label), "BoxLabel")
                self.para(x(r.text), "BoxText")
        elif r.style == "list_numbered":
            self.para(x(label) + "<text:tab/>" + x(r.text), "Hanging")
        else:
            rest = r.text[len(r.emphasis) :] if r.emphasis else r.text
            self.para(span(r.emphasis, "Strong") + x(rest) if r.emphasis else x(rest))

    def bullets(self, b: ir.BulletList) -> None:
        style = "LNumber" if b.ordered else "LBullet"
        items = "".join(f"<text:list-item>{p(x(i), 'ListText')}</text:list-item>" for i in b.items)
        lst = f'<text:list text:style-name="{style}">{items}</text:list>'
        title = p(x(b.title), "FrameLabel" if b.boxed else "Heading_20_3") if b.title else ""
        if b.boxed:
            self.frame(title + lst, "FrBox", "100%")
        else:
            self.out.append(title + lst)


def to_fodt(doc: ir.Document) -> str:
    """The whole document as Flat ODT XML."""
    rng = random.Random(doc.seed ^ 0x10F)
    st = doc.style
    family = rng.choice(FAMILIES[st.font])
    face = "Body"
    features = "" if st.ligatures else ":-liga"
    decl = (
        f'<style:font-face style:name="{face}" svg:font-family="&apos;{family}{features}&apos;" '
        f'style:font-family-generic="{"roman" if st.font == "serif" else "swiss"}" '
        'style:font-pitch="variable"/>'
    )
    body = Body(doc, rng)
    for b in doc.blocks:
        body.block(b)
    body.endnotes_section()
    body.close_flow()
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document {ns} office:version="1.3" '
        'office:mimetype="application/vnd.oasis.opendocument.text">'
        f"<office:font-face-decls>{decl}</office:font-face-decls>"
        f"{styles(doc, face, rng)}{automatic_styles(doc)}{masters(doc)}"
        f"<office:body><office:text>{''.join(body.out)}</office:text></office:body>"
        "</office:document>"
    )


def render(doc: ir.Document, out: Path) -> None:
    """Write the .fodt to a temporary folder and convert it with headless LibreOffice.

    Page styles cannot put a header on every third page or on the last page only: a style that
    asks for « some » or « last_only » is drawn as « all_but_cover », and doc.style records it
    (the truth is written from doc.style after rendering, so it names what was drawn).
    """
    if doc.style.header_pages not in DRAWN_MODES:
        doc.style.header_pages = "all_but_cover"
    doc.style.hyphen_char = "-"  # what Writer prints at a hyphenated line end
    soffice = shutil.which(SOFFICE)
    if soffice is None:
        raise RuntimeError(
            "libreoffice: soffice not found; apt-get install libreoffice-writer-nogui hyphen-fr"
        )
    with tempfile.TemporaryDirectory(prefix="lo-") as tmp:
        src = Path(tmp) / f"{doc.id}.fodt"
        src.write_text(to_fodt(doc), encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(src),
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        pdf = Path(tmp) / f"{doc.id}.pdf"
        if res.returncode != 0 or not pdf.exists():
            raise RuntimeError(
                f"libreoffice failed on {doc.id}: {res.stderr[-500:]}{res.stdout[-300:]}"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(pdf), out)
