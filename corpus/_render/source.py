"""Parse a corpus source file (``corpus/src/*.md``, see ``FORMAT.md``) into a document model."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """A run of text in one style; ``ref`` is set for a footnote reference (text = number)."""

    text: str
    bold: bool = False
    italic: bool = False
    ref: str | None = None


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    spans: Inline

    @property
    def text(self) -> str:
        return plain(self.spans)


@dataclass(frozen=True)
class Para:
    spans: Inline


@dataclass(frozen=True)
class Bullet:
    spans: Inline


@dataclass(frozen=True)
class Box:
    kind: str  # "preconisation" | "encadre"
    title: str
    blocks: tuple[Para | Bullet, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...]  # "L" | "R" | "C" per column


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Columns:
    n: int


Block = Heading | Para | Bullet | Box | Table | PageBreak | Columns


@dataclass(frozen=True)
class Meta:
    title: str
    body: str
    subtitle: str = ""
    kind: str = "other"
    date: str = ""
    cover_lines: tuple[str, ...] = ()
    engine: str = "reportlab"
    columns: int = 1
    running_header: str = ""
    running_footer: str = ""
    scanned_pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...]
    notes: dict[str, Inline] = field(default_factory=dict)

    def toc_headings(self) -> list[Heading]:
        """Return the level-1 and level-2 headings, in order (the sommaire entries)."""
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= 2]


class SourceError(ValueError):
    """A source file breaks the format in a way the parser cannot recover from."""


def plain(spans: Inline) -> str:
    """Return the text of spans without markup (footnote references dropped)."""
    return "".join(s.text for s in spans if s.ref is None)


def warn(path: Path, lineno: int, message: str) -> None:
    print(f"{path}:{lineno}: warning: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- front matter

_META_KEYS = {f for f in Meta.__dataclass_fields__}


def parse_meta(path: Path, text: str) -> tuple[Meta, list[str], int]:
    """Split the TOML front matter from the body; return (meta, body lines, body first lineno)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        raise SourceError(f"{path}: the file must start with a '+++' front-matter line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise SourceError(f"{path}: the front matter is not closed by a '+++' line") from None
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: invalid TOML front matter: {exc}") from None
    for key in sorted(set(data) - _META_KEYS):
        warn(path, 1, f"unknown front-matter key {key!r} ignored")
    for key in ("title", "body"):
        if key not in data:
            raise SourceError(f"{path}: front matter lacks the required key {key!r}")
    values = {k: v for k, v in data.items() if k in _META_KEYS}
    values["cover_lines"] = tuple(str(x) for x in values.get("cover_lines", ()))
    values["scanned_pages"] = tuple(int(x) for x in values.get("scanned_pages", ()))
    values["columns"] = int(values.get("columns", 1))
    values["date"] = str(values.get("date", ""))
    meta = Meta(**values)
    if meta.engine not in ("reportlab", "fpdf2"):
        raise SourceError(f"{path}: engine must be 'reportlab' or 'fpdf2', not {meta.engine!r}")
    if meta.columns not in (1, 2):
        raise SourceError(f"{path}: columns must be 1 or 2, not {meta.columns}")
    return meta, lines[end + 1 :], end + 2


# --------------------------------------------------------------------------- inline markup

_INLINE = re.compile(r"\*\*|\*|\[\^([^\]\s]+)\]")


_NBSP_BEFORE = re.compile(r" (?=[:;!?»%])|(?<=«) |(?<=\d) (?=M€|Md€|k€|€|\d{3}(?!\d))")


def typography(text: str) -> str:
    """Put French no-break spaces where a line must not break.

    Before : ; ! ? » %, after «, between a number and its unit (M€) and inside numbers
    written with thousands separators (3 838,7).
    """
    return _NBSP_BEFORE.sub("\u00a0", text)


def parse_inline(text: str) -> Inline:
    """Parse ``**gras**``, ``*italique*`` and ``[^n]`` references into spans."""
    text = typography(text)
    spans = _parse_inline(text, strict=True)
    return spans if spans is not None else _parse_inline(text, strict=False) or ()


def _parse_inline(text: str, strict: bool) -> Inline | None:
    """Return spans, or None when strict and an emphasis is left open.

    As in Markdown, an asterisk opens emphasis only before a non-space and closes it only
    after a non-space, so that "5 * 3" stays text. Not strict: asterisks are all text.
    """
    spans: list[Span] = []
    bold = italic = False
    pos = 0
    for m in _INLINE.finditer(text):
        marker = m.group(0)
        if m.group(1) is None:
            if not strict:
                continue
            is_bold = marker == "**"
            is_open = bold if is_bold else italic
            before = text[m.start() - 1] if m.start() else " "
            after = text[m.end()] if m.end() < len(text) else " "
            if before.isspace() if is_open else after.isspace():
                continue  # cannot open or close here: plain text
        if m.start() > pos:
            spans.append(Span(text[pos : m.start()], bold, italic))
        if m.group(1) is not None:
            spans.append(Span(m.group(1), ref=m.group(1)))
        elif marker == "**":
            bold = not bold
        else:
            italic = not italic
        pos = m.end()
    if pos < len(text):
        spans.append(Span(text[pos:], bold, italic))
    if strict and (bold or italic):
        return None
    return tuple(_merge(spans))


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (
            prev
            and s.ref is None
            and prev.ref is None
            and prev.bold == s.bold
            and (prev.italic == s.italic)
        ):
            out[-1] = Span(prev.text + s.text, s.bold, s.italic)
        elif s.text:
            out.append(s)
    return out


# --------------------------------------------------------------------------- blocks

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*•–]\s+(.*)$")
_NOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
_BOX_OPEN = re.compile(r"^:::\s*(\S+)\s*(.*?)\s*$")
_DIRECTIVE = re.compile(r"^<<<\s*(\w+)\s*(\d*)\s*>>>\s*$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


class _Parser:
    def __init__(self, path: Path, lines: list[str], first: int) -> None:
        self.path = path
        self.lines = lines
        self.first = first
        self.i = 0
        self.notes: dict[str, Inline] = {}

    def warn(self, message: str) -> None:
        warn(self.path, self.first + self.i, message)

    def parse(self) -> list[Block]:
        blocks: list[Block] = []
        box: tuple[str, str, list[Para | Bullet]] | None = None
        para: list[str] = []

        def flush() -> None:
            if para:
                target = box[2] if box else blocks
                target.append(Para(parse_inline(" ".join(para))))
                para.clear()

        while self.i < len(self.lines):
            raw = self.lines[self.i]
            line = raw.strip()
            if not line or line.startswith("<!--"):
                flush()
                self._skip_comment(line)
                self.i += 1
                continue
            if m := _NOTE_DEF.match(line):
                flush()
                self._note(m.group(1), m.group(2))
                continue
            if line.startswith(":::"):
                flush()
                if box is not None and line.strip(": ") == "":
                    blocks.append(self._close_box(*box))
                    box = None
                elif box is not None:
                    self.warn("box opened inside a box; closing the first one")
                    blocks.append(self._close_box(*box))
                    box = self._open_box(line)
                elif line.strip(": ") == "":
                    self.warn("':::' closes no box; ignored")
                else:
                    box = self._open_box(line)
                self.i += 1
                continue
            if m := _BULLET.match(raw):
                flush()
                target = box[2] if box else blocks
                target.append(Bullet(parse_inline(self._item(m.group(1)))))
                continue
            if box is not None and not _HEADING.match(line) and not line.startswith("|"):
                para.append(line)
                self.i += 1
                continue
            if box is not None:
                self.warn("headings and tables are not allowed in a box; box closed")
                flush()
                blocks.append(self._close_box(*box))
                box = None
            if m := _HEADING.match(line):
                flush()
                level = min(len(m.group(1)), 3)
                blocks.append(Heading(level, parse_inline(m.group(2))))
                self.i += 1
            elif m := _DIRECTIVE.match(line):
                flush()
                blocks.append(self._directive(m.group(1).lower(), m.group(2)))
                self.i += 1
            elif line.startswith("|"):
                flush()
                blocks.append(self._table())
            else:
                para.append(line)
                self.i += 1
        flush()
        if box is not None:
            self.warn("box not closed by ':::' before the end of the file")
            blocks.append(self._close_box(*box))
        return [b for b in blocks if b is not None]

    def _skip_comment(self, line: str) -> None:
        if line.startswith("<!--"):
            while "-->" not in self.lines[self.i] and self.i + 1 < len(self.lines):
                self.i += 1

    def _continuation(self) -> list[str]:
        """Consume the indented lines that continue an item or a note definition."""
        out = []
        while self.i < len(self.lines):
            nxt = self.lines[self.i]
            if nxt.startswith("  ") and nxt.strip() and not _BULLET.match(nxt):
                out.append(nxt.strip())
                self.i += 1
            else:
                break
        return out

    def _item(self, first: str) -> str:
        self.i += 1
        return " ".join([first.strip(), *self._continuation()])

    def _note(self, number: str, first: str) -> None:
        if number in self.notes:
            self.warn(f"footnote [^{number}] defined twice; the last definition wins")
        self.i += 1
        self.notes[number] = parse_inline(" ".join([first.strip(), *self._continuation()]))

    def _open_box(self, line: str) -> tuple[str, str, list[Para | Bullet]]:
        m = _BOX_OPEN.match(line)
        assert m is not None
        kind = m.group(1).lower().replace("é", "e").replace("è", "e")
        arg = m.group(2).strip()
        if kind == "preconisation":
            return kind, f"Préconisation n°{arg}" if arg else "Préconisation", []
        if kind != "encadre":
            self.warn(f"unknown box kind {m.group(1)!r}; rendered as an 'encadre'")
            arg = f"{m.group(1)} {arg}".strip()
        return "encadre", arg, []

    def _close_box(self, kind: str, title: str, items: list[Para | Bullet]) -> Box:
        return Box(kind, title, tuple(items))

    def _directive(self, name: str, arg: str) -> Block:
        if name == "pagebreak":
            return PageBreak()
        if name == "columns" and arg in ("1", "2"):
            return Columns(int(arg))
        raise SourceError(
            f"{self.path}:{self.first + self.i}: unknown directive <<<{name} {arg}>>>; "
            "use <<<pagebreak>>>, <<<columns 1>>> or <<<columns 2>>>"
        )

    def _table(self) -> Table:
        rows: list[list[str]] = []
        align: list[str] = []
        while self.i < len(self.lines) and self.lines[self.i].strip().startswith("|"):
            line = self.lines[self.i].strip()
            self.i += 1
            if _TABLE_SEP.match(line) and len(rows) == 1 and not align:
                align = [_cell_align(c) for c in _cells(line)]
                continue
            rows.append(_cells(line))
        if not align:
            self.warn("table without a '|---|' separator row; its first row is the header")
        width = max(len(r) for r in rows)
        if any(len(r) != width for r in rows):
            self.warn("table rows have different numbers of cells; padded with empty cells")
        grid = [[parse_inline(c) for c in r + [""] * (width - len(r))] for r in rows]
        align += ["L"] * (width - len(align))
        return Table(tuple(grid[0]), tuple(tuple(r) for r in grid[1:]), tuple(align[:width]))


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def _cell_align(spec: str) -> str:
    spec = spec.strip()
    if spec.startswith(":") and spec.endswith(":"):
        return "C"
    return "R" if spec.endswith(":") else "L"


def load(path: Path) -> Document:
    """Read and parse one source file; raise SourceError naming the problem."""
    meta, lines, first = parse_meta(path, path.read_text(encoding="utf-8"))
    parser = _Parser(path, lines, first)
    blocks = parser.parse()
    _check_notes(path, blocks, parser.notes)
    return Document(meta, tuple(blocks), parser.notes)


def _check_notes(path: Path, blocks: list[Block], notes: dict[str, Inline]) -> None:
    refs = [s.ref for s in _all_spans(blocks) if s.ref]
    for ref in refs:
        if ref not in notes:
            warn(path, 0, f"footnote reference [^{ref}] has no definition")
    for number in notes:
        if number not in refs:
            warn(path, 0, f"footnote [^{number}] is defined but never referenced")


def _all_spans(blocks: list[Block]) -> list[Span]:
    out: list[Span] = []
    for b in blocks:
        if isinstance(b, Heading | Para | Bullet):
            out.extend(b.spans)
        elif isinstance(b, Box):
            out.extend(_all_spans(list(b.blocks)))
        elif isinstance(b, Table):
            for row in (b.header, *b.rows):
                for cell in row:
                    out.extend(cell)
    return out
