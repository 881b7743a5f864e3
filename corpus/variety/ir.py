"""Intermediate representation of a variety document: what plan.py writes and producers draw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Meta:
    """Metadata of the document, as the truth states it."""

    kind: str  # avis | plan | other
    doc_label: str  # Avis, Contribution, Plan, Schéma…
    title: str
    body: str  # short name: « CESER Bretagne », « Région Sud »
    body_long: str
    region: str
    date: str  # adoption date, ISO
    date_text: str  # as printed on the cover / closing line
    commission: str | None = None
    rapporteurs: list[str] = field(default_factory=list)
    saisine: str | None = None


@dataclass
class Style:
    """Every layout choice of one document (recorded in the truth)."""

    producer: str
    columns: int = 1  # 1, 2, 3
    balanced: bool = False  # columns balanced before each spanning heading/table
    chapter_pages: bool = False  # each chapter heading starts a page (spanning the columns)
    hyphen_char: str = "-"  # line-end hyphen glyph where the producer lets us choose
    hyphenate: bool = True
    justify: bool = True
    ligatures: bool = False
    title_letterspaced: bool = False
    title_smallcaps: bool = False
    header: str | None = None  # template: {title} {body} {date} {label} {n} {N}
    header_even: str | None = None  # used on even pages when header_pages == "odd_even"
    footer: str | None = None
    footer_even: str | None = None
    header_pages: str = "all_but_cover"  # all | all_but_cover | odd_even | some | last_only
    logo: bool = False  # a small drawn mark beside the running head
    margin_text: str | None = None  # template printed turned 90° in the left margin
    margin_pages: str = "all_but_cover"  # all | all_but_cover
    rec_style: str = "heading_numbered"  # heading_numbered | box_numbered | runin_bold |
    #                                     inline_prose | list_numbered
    rec_label: str | None = "Préconisation n°{n}"  # {n} {roman} {letter}; None for prose/run-in
    rec_numbering: str = "arabic"  # arabic | roman | letter
    summary_list: bool = False  # « L'essentiel » repeating the recommendations, short form
    summary_at: str = "start"  # start | end
    footnotes: str = "none"  # none | foot | end
    cover_names_type: bool = True
    heading_numbering: str = "1."  # "1." | "I." | "A." | "1.1" | ""
    toc: bool = False
    toc_leaders: bool = False
    font: str = "serif"  # serif | sans
    base_size: float = 10.0
    accent: str = "#1f4e79"  # colour of headings, boxes
    box_fill: str = "#e8eef5"
    bullet: str = "•"  # • – ▪ ►
    apostrophe: str = "’"  # ' or ’
    nbsp_guillemets: str = "\u00a0"  # U+00A0 or U+202F inside « »
    landscape_table: bool = False
    scanned_pages: list[int] = field(default_factory=list)  # 1-based, applied by scan.py
    rotated_pages: list[int] = field(default_factory=list)
    scan_dpi: int = 150
    scan_mode: str = "grey"  # grey (JPEG) | bilevel (CCITT G4)
    scan_ocr: str = "none"  # invisible text layer on scanned pages: none | good | bad


@dataclass
class Cover:
    """The cover page: label (or none), title, body, date line, other lines."""

    label: str | None  # printed type (« AVIS ») or None when the cover does not say it
    title: str
    body: str  # as printed (short or long name)
    date_line: str  # « Adopté en séance plénière du 12 novembre 2025 »…
    lines: list[str] = field(default_factory=list)  # commission, rapporteurs, saisine


@dataclass
class TocEntry:
    """One line of the sommaire; page filled after a first rendering."""

    text: str
    level: int = 1
    page: int | None = None


@dataclass
class Toc:
    """A sommaire, with or without dot leaders."""

    entries: list[TocEntry]
    leaders: bool = True
    title: str = "Sommaire"


@dataclass
class Heading:
    """A section heading; number is the printed prefix (« 2. », « II. »)."""

    text: str
    level: int = 1
    number: str = ""
    span: bool = True  # spans all columns
    chapter: bool = False  # opens a main part (a producer may start a page with it)

    @property
    def printed(self) -> str:
        """The heading as printed, number included."""
        return f"{self.number} {self.text}".strip()


@dataclass
class Recommendation:
    """A recommendation: printed label + text, in the document's style."""

    number: int | None
    label: str | None  # printed label, e.g. « Préconisation n°3 »
    text: str  # full printed sentence(s), without the label
    style: str
    themes: list[str] = field(default_factory=list)
    emphasis: str = ""  # leading part of text set in bold (runin_bold)


@dataclass
class Paragraph:
    """A paragraph of prose; recs lists recommendations it contains (inline prose)."""

    text: str
    themes: list[str] = field(default_factory=list)
    role: str = "body"  # body | finding | plan_sentence | recommendation | declaration
    notes: list[str] = field(default_factory=list)  # footnote texts
    note_at: list[int] = field(default_factory=list)  # char offset (end of a word) of each call
    recs: list[Recommendation] = field(default_factory=list)


@dataclass
class Measure:
    """A plan measure: code + title as a heading, text, budget line."""

    code: str
    title: str
    text: str
    budget: str | None = None
    themes: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The measure's heading as printed."""
        return f"{self.code} – {self.title}"

    @property
    def budget_line(self) -> str | None:
        """The budget line as printed (None without a budget)."""
        return f"Budget : {self.budget}" if self.budget else None


@dataclass
class BulletList:
    """A bulleted or numbered list; numbers are the recommendations summarised, if any."""

    items: list[str]
    ordered: bool = False
    role: str = "list_item"  # list_item | summary
    title: str | None = None
    numbers: list[int | None] = field(default_factory=list)
    boxed: bool = False


@dataclass
class Table:
    """A table; sub_rows are « dont » rows (indented); group_header merges header cells."""

    header: list[str]
    rows: list[list[str]]
    caption: str | None = None
    sub_rows: list[int] = field(default_factory=list)
    group_header: list[tuple[str, int]] = field(default_factory=list)  # (text, colspan)
    total_row: bool = False
    landscape: bool = False  # alone on a landscape page
    span: bool = True


@dataclass
class Sidebar:
    """A shaded box of key figures (not recommendations)."""

    title: str
    items: list[str]


@dataclass
class PullQuote:
    """A pull quote repeating a sentence of the body."""

    text: str


CLOSING_NOTES = "Notes"  # title of the endnotes section (style.footnotes == "end")


def note_label(style: Style, n: int) -> str:
    """The label printed before the text of note n (at the foot of its page or under « Notes »):
    « 3 » (a superscript, or Typst's footnote number), « 3. » in fpdf2's typed endnotes. The
    call in the body prints the bare number n."""
    return f"{n}." if style.producer == "fpdf2" and style.footnotes == "end" else str(n)


@dataclass
class VoteTable:
    """« Résultat du vote »: counts per option."""

    rows: list[tuple[str, int]]  # (« Pour », 54)…
    title: str = "Résultat du vote"


@dataclass
class PageBreak:
    """Force a new page."""


Block = (
    Cover | Toc | Heading | Paragraph | Recommendation | Measure | BulletList | Table | Sidebar
    | PullQuote | VoteTable | PageBreak
)


@dataclass
class Document:
    """A whole document: metadata, house style, blocks in reading order."""

    id: str
    seed: int
    meta: Meta
    style: Style
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)  # all footnote texts, in call order


ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    """Roman numeral of n (1..39)."""
    out = ""
    for value, sym in ROMAN:
        while n >= value:
            out += sym
            n -= value
    return out


def letter(n: int) -> str:
    """Letter a, b, c… for n = 1, 2, 3…"""
    return chr(ord("a") + n - 1)


def running_on(style: Style, where: str, n: int, total: int) -> bool:
    """Whether the running header/footer is printed on page n of total."""
    if (style.header if where == "header" else style.footer) is None:
        return False
    mode = style.header_pages
    if mode == "all":
        return True
    if n == 1:
        return mode == "last_only" and total == 1
    if mode == "some":
        return n % 3 == 0 or n == total
    if mode == "last_only":
        return n == total
    return True  # all_but_cover, odd_even


def running_text(doc: Document, where: str, n: int, total: int) -> str | None:
    """The running header/footer/margin text printed on page n (None when absent)."""
    st = doc.style
    if where == "margin":
        on = st.margin_text and (st.margin_pages == "all" or n > 1)
        return fill(doc, st.margin_text, n, total) if on else None
    if not running_on(st, where, n, total):
        return None
    tpl = st.header if where == "header" else st.footer
    even = st.header_even if where == "header" else st.footer_even
    if st.header_pages == "odd_even" and n % 2 == 0 and even is not None:
        tpl = even
    assert tpl is not None
    return fill(doc, tpl, n, total)


def fill(doc: Document, tpl: str, n: int | str, total: int | str) -> str:
    """Fill a running-head template (long titles shortened)."""
    m = doc.meta
    short = m.title if len(m.title) <= 70 else m.title[:67].rsplit(" ", 1)[0] + "…"
    return tpl.format(title=short, body=m.body, date=m.date_text, label=m.doc_label,
                      n=n, N=total, region=m.region)
