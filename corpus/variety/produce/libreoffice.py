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
from xml.sax.saxutils import escape, quoteattr

from .. import ir
from . import common

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
TEXT_WIDTH_CM = 17.0
DRAWN_MODES = ("all", "all_but_cover", "odd_even")  # header_pages that page styles can draw
GAP_CM = 0.8


def x(s: str) -> str:
    """Escaped XML text; tabs and runs of spaces as ODF elements."""
    return escape(s).replace("\t", "<text:tab/>")


def span(s: str, style: str | None) -> str:
    return f'<text:span text:style-name="{style}">{x(s)}</text:span>' if style else x(s)


def p(content: str, style: str) -> str:
    """A paragraph whose content is already XML."""
    return f'<text:p text:style-name="{style}">{content}</text:p>'


# -- styles ----------------------------------------------------------------------------------


def _para_style(
    name: str,
    parent: str = "Standard",
    para: str = "",
    text: str = "",
    extra: str = "",
) -> str:
    return (
        f'<style:style style:name="{name}" style:family="paragraph" '
        f'style:parent-style-name="{parent}"{extra}>'
        f"<style:paragraph-properties {para}/><style:text-properties {text}/></style:style>"
    )


def styles(doc: ir.Document, face: str, rng: random.Random) -> str:
    """The named styles (office:styles) of the house style."""
    st = doc.style
    size = st.base_size
    hyph = "true" if st.hyphenate else "false"
    align = "justify" if st.justify else "start"
    lang = 'fo:language="fr" fo:country="FR"'
    hyph_props = (
        f'fo:hyphenate="{hyph}" fo:hyphenation-remain-char-count="3" '
        'fo:hyphenation-push-char-count="3"'
    )
    accent, fill = st.accent, st.box_fill
    box = f'fo:background-color="{fill}" fo:border-left="3pt solid {accent}" fo:padding="0.15cm"'
    lead = 'style:leader-style="dotted" style:leader-text="."' if st.toc_leaders else ""
    tabs = (
        f'<style:tab-stops><style:tab-stop style:position="{TEXT_WIDTH_CM - 0.1}cm" '
        f'style:type="right" {lead}/></style:tab-stops>'
    )
    title_sp = 'fo:letter-spacing="0.12cm"' if st.title_letterspaced else ""
    caps = 'fo:font-variant="small-caps"' if st.title_smallcaps else ""
    head_align = rng.choice(["center", "end", "start"])
    out = [
        '<style:default-style style:family="paragraph"><style:paragraph-properties '
        'fo:hyphenation-ladder-count="no-limit" style:writing-mode="lr-tb"/>'
        f'<style:text-properties style:font-name="{face}" fo:font-size="{size}pt" {lang} '
        f"{hyph_props}/></style:default-style>",
        '<style:style style:name="Standard" style:family="paragraph" style:class="text"/>',
        _para_style(
            "Text_20_body",
            para=f'fo:text-align="{align}" fo:margin-bottom="0.2cm" '
            'fo:line-height="118%" fo:orphans="2" fo:widows="2"',
            text=hyph_props,
            extra=' style:display-name="Text body"',
        ),
        _para_style(
            "Heading_20_1",
            "Text_20_body",
            'fo:text-align="start" fo:margin-top="0.45cm" '
            'fo:margin-bottom="0.25cm" fo:keep-with-next="always"',
            f'fo:font-size="{size * 1.45:.1f}pt" fo:font-weight="bold" fo:color="{accent}" '
            'fo:hyphenate="false"',
            ' style:display-name="Heading 1" style:default-outline-level="1"',
        ),
        _para_style(
            "Heading_20_2",
            "Heading_20_1",
            "",
            f'fo:font-size="{size * 1.15:.1f}pt"',
            ' style:display-name="Heading 2" style:default-outline-level="2"',
        ),
        _para_style(
            "Heading_20_3",
            "Heading_20_1",
            'fo:margin-top="0.3cm" fo:margin-bottom="0.1cm"',
            f'fo:font-size="{size:.1f}pt"',
            ' style:display-name="Heading 3" style:default-outline-level="3"',
        ),
        _para_style(
            "CoverLabel",
            para='fo:margin-top="3cm" fo:margin-bottom="0.6cm"',
            text=f'fo:font-size="20pt" fo:font-weight="bold" fo:color="{accent}" {title_sp}',
        ),
        _para_style(
            "CoverTitle",
            para='fo:margin-bottom="1.2cm" fo:line-height="115%"',
            text=f'fo:font-size="24pt" fo:font-weight="bold" fo:hyphenate="false" '
            f"{title_sp} {caps}",
        ),
        _para_style("CoverBody", para='fo:margin-bottom="0.8cm"', text='fo:font-size="13pt"'),
        _para_style("CoverLine", para='fo:margin-bottom="0.15cm"', text='fo:font-size="10.5pt"'),
        _para_style("Toc", para='fo:margin-bottom="0.12cm"', extra="", text="").replace(
            '<style:paragraph-properties fo:margin-bottom="0.12cm"/>',
            f'<style:paragraph-properties fo:margin-bottom="0.12cm">{tabs}'
            "</style:paragraph-properties>",
        ),
        _para_style(
            "BoxLabel",
            "Text_20_body",
            f'{box} fo:margin-bottom="0cm" fo:keep-with-next="always"',
            f'fo:font-weight="bold" fo:color="{accent}"',
        ),
        _para_style("BoxText", "Text_20_body", f'{box} fo:margin-bottom="0.3cm"'),
        _para_style(
            "FrameLabel",
            "Text_20_body",
            'fo:margin-bottom="0.1cm"',
            f'fo:font-weight="bold" fo:color="{accent}"',
        ),
        _para_style(
            "FrameText",
            "Text_20_body",
            'fo:margin-bottom="0.1cm"',
            f'fo:font-size="{size * 0.92:.1f}pt"',
        ),
        _para_style("Hanging", "Text_20_body", 'fo:margin-left="1cm" fo:text-indent="-1cm"'),
        _para_style("ListText", "Text_20_body", 'fo:margin-bottom="0.1cm"'),
        _para_style(
            "Quote",
            "Text_20_body",
            f'fo:border-top="0.5pt solid {accent}" '
            f'fo:border-bottom="0.5pt solid {accent}" fo:padding="0.1cm" '
            'fo:margin-top="0.3cm" fo:margin-bottom="0.3cm" fo:text-align="start"',
            f'fo:font-size="{size * 1.2:.1f}pt" fo:font-style="italic" fo:color="{accent}"',
        ),
        _para_style(
            "Table_20_Contents",
            para='fo:text-align="start"',
            text=f'fo:font-size="{size * 0.9:.1f}pt"',
            extra=' style:display-name="Table Contents"',
        ),
        _para_style(
            "Table_20_Heading",
            "Table_20_Contents",
            "",
            'fo:font-weight="bold"',
            ' style:display-name="Table Heading"',
        ),
        _para_style(
            "TableSub", "Table_20_Contents", 'fo:margin-left="0.5cm"', 'fo:font-style="italic"'
        ),
        _para_style("TableTotal", "Table_20_Contents", "", 'fo:font-weight="bold"'),
        _para_style(
            "Caption",
            "Text_20_body",
            'fo:keep-with-next="always" fo:text-align="start"',
            'fo:font-weight="bold"',
        ),
        _para_style(
            "Footnote",
            "Standard",
            'fo:margin-left="0.4cm" fo:text-indent="-0.4cm"',
            f'fo:font-size="{size * 0.8:.1f}pt"',
        ),
        _para_style("Endnote", "Footnote"),
        _para_style(
            "Header",
            "Standard",
            f'fo:text-align="{head_align}"',
            'fo:font-size="7.5pt" fo:color="#555555"',
        ),
        _para_style("Footer", "Header", f'fo:text-align="{rng.choice(["center", "end"])}"'),
        '<style:style style:name="Strong" style:family="text"><style:text-properties '
        'fo:font-weight="bold"/></style:style>',
    ]
    notes = "".join(
        f'<text:notes-configuration text:note-class="{c}" text:citation-style-name="Super" '
        f'style:num-format="1" text:start-value="0" text:footnotes-position="{pos}" '
        f'text:start-numbering-at="document" text:default-style-name="{ps}"{mp}/>'
        for c, pos, ps, mp in (
            ("footnote", "page", "Footnote", ""),
            ("endnote", "document", "Endnote", ' text:master-page-name="Standard"'),
        )
    )
    out.append(
        '<style:style style:name="Super" style:family="text"><style:text-properties '
        'style:text-position="super 58%"/></style:style>'
    )
    return "<office:styles>" + "".join(out) + notes + "</office:styles>"


def automatic_styles(doc: ir.Document) -> str:
    """Page layouts, section columns, tables, frames and the master-page switches."""
    st = doc.style
    margins = (
        'fo:margin-top="1.6cm" fo:margin-bottom="1.4cm" fo:margin-left="2cm" fo:margin-right="2cm"'
    )
    hf = (
        '<style:header-style><style:header-footer-properties fo:min-height="0.5cm" '
        'fo:margin-bottom="0.4cm"/></style:header-style><style:footer-style>'
        '<style:header-footer-properties fo:min-height="0.5cm" fo:margin-top="0.4cm"/>'
        "</style:footer-style>"
    )
    out = [
        f'<style:page-layout style:name="pmA4"><style:page-layout-properties fo:page-width="21cm" '
        f'fo:page-height="29.7cm" style:print-orientation="portrait" {margins}/>{hf}'
        "</style:page-layout>",
        '<style:page-layout style:name="pmA4L">'
        '<style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" '
        f'style:print-orientation="landscape" {margins}/>{hf}'
        "</style:page-layout>",
    ]
    for n in (1, 2, 3):
        cols = "".join(
            f'<style:column style:rel-width="1*" fo:start-indent="{0 if i == 0 else GAP_CM / 2}cm" '
            f'fo:end-indent="{0 if i == n - 1 else GAP_CM / 2}cm"/>'
            for i in range(n)
        )
        out.append(
            f'<style:style style:name="Sect{n}" style:family="section"><style:section-properties '
            f'text:dont-balance-text-columns="{str(not st.balanced).lower()}">'
            f'<style:columns fo:column-count="{n}" '
            f'fo:column-gap="{GAP_CM}cm">{cols}</style:columns></style:section-properties>'
            "</style:style>"
        )
    for name, master in (
        ("MFirst", "First_20_Page" if st.header_pages != "all" else "Standard"),
        ("MStandard", "Standard"),
        ("MLandscape", "Landscape"),
    ):
        out.append(
            f'<style:style style:name="{name}" style:family="paragraph" '
            f'style:parent-style-name="Standard" style:master-page-name="{master}">'
            '<style:paragraph-properties style:page-number="auto"/></style:style>'
        )
    out.append(
        '<style:style style:name="HChapter" style:family="paragraph" '
        'style:parent-style-name="Heading_20_1"><style:paragraph-properties '
        'fo:break-before="page"/></style:style>'
    )
    out.append(
        '<style:style style:name="PBreak" style:family="paragraph" '
        'style:parent-style-name="Standard"><style:paragraph-properties '
        'fo:break-before="page"/></style:style>'
    )
    for name, width in (("TblFull", f"{TEXT_WIDTH_CM}cm"), ("TblHalf", f"{TEXT_WIDTH_CM / 2}cm")):
        out.append(
            f'<style:style style:name="{name}" style:family="table"><style:table-properties '
            f'style:width="{width}" table:align="left" fo:margin-top="0.2cm" '
            'fo:margin-bottom="0.3cm" style:may-break-between-rows="true"/></style:style>'
        )
    out.append(
        '<style:style style:name="TblCell" style:family="table-cell"><style:table-cell-properties '
        'fo:padding="0.08cm" fo:border="0.5pt solid #888888"/></style:style>'
    )
    out.append(
        f'<style:style style:name="TblHead" style:family="table-cell"><style:table-cell-properties '
        f'fo:padding="0.08cm" fo:border="0.5pt solid #888888" fo:background-color="{st.box_fill}"/>'
        "</style:style>"
    )
    frame = (
        f'fo:background-color="{st.box_fill}" fo:border="0.8pt solid {st.accent}" '
        'fo:padding="0.2cm" style:vertical-pos="top" style:vertical-rel="paragraph" '
        'style:horizontal-rel="paragraph" draw:fill="solid" '
        f'draw:fill-color="{st.box_fill}"'
    )
    out.append(
        f'<style:style style:name="FrBox" style:family="graphic"><style:graphic-properties '
        f'{frame} style:wrap="none" style:horizontal-pos="center" fo:margin-top="0.15cm" '
        'fo:margin-bottom="0.25cm"/></style:style>'
    )
    out.append(
        f'<style:style style:name="FrSide" style:family="graphic"><style:graphic-properties '
        f'{frame} style:wrap="parallel" style:number-wrapped-paragraphs="no-limit" '
        'style:horizontal-pos="right" fo:margin-left="0.3cm" fo:margin-bottom="0.2cm"/>'
        "</style:style>"
    )
    out.append(
        f'<style:style style:name="GrLogo" style:family="graphic"><style:graphic-properties '
        f'draw:fill="solid" draw:fill-color="{st.accent}" draw:stroke="none" '
        'style:vertical-pos="middle" style:vertical-rel="text"/></style:style>'
    )
    bullet = quoteattr(st.bullet)
    out.append(
        '<text:list-style style:name="LBullet"><text:list-level-style-bullet text:level="1" '
        f"text:bullet-char={bullet}><style:list-level-properties text:list-level-position-and-"
        'space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by='
        '"listtab" text:list-tab-stop-position="0.7cm" fo:text-indent="-0.5cm" '
        'fo:margin-left="0.7cm"/></style:list-level-properties></text:list-level-style-bullet>'
        "</text:list-style>"
    )
    out.append(
        '<text:list-style style:name="LNumber"><text:list-level-style-number text:level="1" '
        'style:num-suffix="." style:num-format="1"><style:list-level-properties text:list-level-'
        'position-and-space-mode="label-alignment"><style:list-level-label-alignment '
        'text:label-followed-by="listtab" text:list-tab-stop-position="0.8cm" '
        'fo:text-indent="-0.6cm" fo:margin-left="0.8cm"/></style:list-level-properties>'
        "</text:list-level-style-number></text:list-style>"
    )
    return "<office:automatic-styles>" + "".join(out) + "</office:automatic-styles>"


def running(doc: ir.Document, tpl: str | None, style: str) -> str:
    """A header/footer paragraph: the template with page-number and page-count fields."""
    if tpl is None:
        return ""
    text = ir.fill(doc, tpl, "\x01", "\x02")
    out = ""
    parts = text.replace("\x01", "\x00n\x00").replace("\x02", "\x00N\x00").split("\x00")
    for part in parts:
        if part == "n":
            out += '<text:page-number text:select-page="current">1</text:page-number>'
        elif part == "N":
            out += "<text:page-count>1</text:page-count>"
        else:
            out += x(part)
    logo = ""
    if doc.style.logo and style == "Header":
        logo = (
            '<draw:rect draw:style-name="GrLogo" text:anchor-type="as-char" svg:width="0.9cm" '
            'svg:height="0.4cm"/> '
        )
    return p(logo + out, style)


def masters(doc: ir.Document) -> str:
    """Standard (running heads; left pages differ for odd_even), First Page (none), Landscape."""
    st = doc.style
    mode = st.header_pages
    if mode not in DRAWN_MODES:
        raise ValueError(
            f"libreoffice: header_pages « {mode} » cannot be drawn by page styles; "
            f"choose one of {', '.join(DRAWN_MODES)} for this producer (plan.py)"
        )

    def heads(left: bool) -> str:
        out = ""
        for where, tpl, even in (
            ("header", st.header, st.header_even),
            ("footer", st.footer, st.footer_even),
        ):
            if tpl is None:
                continue
            name = "Header" if where == "header" else "Footer"
            out += f"<style:{where}>{running(doc, tpl, name)}</style:{where}>"
            if left and mode == "odd_even":
                out += f"<style:{where}-left>{running(doc, even or tpl, name)}</style:{where}-left>"
        return out

    return (
        "<office:master-styles>"
        f'<style:master-page style:name="Standard" style:page-layout-name="pmA4">{heads(True)}'
        "</style:master-page>"
        '<style:master-page style:name="First_20_Page" style:display-name="First Page" '
        'style:page-layout-name="pmA4" style:next-style-name="Standard"/>'
        '<style:master-page style:name="Landscape" style:page-layout-name="pmA4L" '
        f'style:next-style-name="Standard">{heads(True)}</style:master-page>'
        "</office:master-styles>"
    )


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
