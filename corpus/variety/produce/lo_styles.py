"""Styles of the LibreOffice producer: named and automatic styles, page styles with running heads.

Kept apart from libreoffice.py (the body writer and the conversion) to keep each module small.
"""

from __future__ import annotations

import random
from xml.sax.saxutils import escape, quoteattr

from .. import ir

TEXT_WIDTH_CM = 17.0
GAP_CM = 0.8
DRAWN_MODES = ("all", "all_but_cover", "odd_even")  # header_pages that page styles can draw


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
