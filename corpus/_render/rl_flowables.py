"""reportlab pieces: a frame that keeps footnotes at its bottom, and the footnoted flowable."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Table
from reportlab.platypus.doctemplate import BaseDocTemplate

NOTE_RULE_GAP = 9.0  # space above the first footnote of a frame, where the short rule goes
NOTE_GAP = 1.5  # space between two footnotes


class NoteFrame(Frame):
    """A frame whose bottom rises as footnotes are reserved in it.

    ``NotedFlowable`` reserves the height of its notes; the frame moves its bottom up by
    that height once the flowable is placed, and ``draw_notes`` prints them under a rule.
    """

    def _reset(self) -> None:
        super()._reset()
        self._geom()  # restore the bottom raised by the notes of the previous page
        self.notes: list[tuple[str, Paragraph]] = []
        self.pending_shift = 0.0

    def add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        placed = self._add(flowable, canv, trySplit)
        if placed and self.pending_shift:
            # the flowable reserved room for its notes below itself: give the room back to
            # the text cursor and take it from the bottom of the frame instead
            self._y += self.pending_shift
            self._y1p += self.pending_shift
            self.pending_shift = 0.0
        return placed

    def note_numbers(self) -> set[str]:
        return {number for number, _ in self.notes}

    def draw_notes(self, canv: Canvas) -> None:
        """Print this frame's footnotes at its bottom, under a short rule."""
        if not self.notes:
            return
        width = self._aW
        heights = [p.wrap(width, 1e6)[1] for _, p in self.notes]
        top = self._y1 + self._bottomPadding + sum(heights) + NOTE_GAP * len(heights)
        x = self._x1 + self._leftPadding
        canv.saveState()
        canv.setLineWidth(0.5)
        canv.line(x, top + NOTE_RULE_GAP - 3, x + min(width / 3, 120), top + NOTE_RULE_GAP - 3)
        canv.restoreState()
        y = top
        for (_, para), h in zip(self.notes, heights, strict=True):
            y -= h + NOTE_GAP
            para.drawOn(canv, x, y)
        self.notes = []


def paragraph_refs(para: Paragraph, width: float) -> list[str]:
    """Return the footnote numbers referenced in a (possibly split) paragraph."""
    if not hasattr(para, "blPara"):
        para.wrap(width, 1e9)
    bl = para.blPara
    if getattr(bl, "kind", 0) != 1:
        return []
    return [
        w.text.strip()
        for line in bl.lines
        for w in line.words
        if getattr(w, "rise", 0) > 0 and w.text.strip()
    ]


def table_refs(table: Table) -> list[str]:
    """Return the footnote numbers referenced in the paragraphs of a (possibly split) table."""
    refs = []
    for row in table._cellvalues:
        for width, cell in zip(table._colWidths, row, strict=False):
            for item in cell if isinstance(cell, list | tuple) else [cell]:
                if isinstance(item, Paragraph):
                    refs += paragraph_refs(item, width or 100.0)
    return refs


class NotedFlowable(Flowable):
    """Wrap a flowable whose text refers to footnotes; reserve and register them on drawing."""

    def __init__(
        self,
        inner: Flowable,
        notes: dict[str, Callable[[], Paragraph]],
        doc: BaseDocTemplate,
        refs: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.notes = notes  # number -> function building the note Paragraph
        self.doc = doc
        self.fixed_refs = refs
        self.notes_height = 0.0

    # -- delegation
    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def getKeepWithNext(self) -> bool:
        return self.inner.getKeepWithNext()

    def identity(self, maxLen: int | None = None) -> str:
        return f"NotedFlowable({self.inner.identity(maxLen)})"

    # -- notes
    def _frame_now(self) -> NoteFrame | None:
        frame = getattr(self, "_frame", None) or getattr(self.doc, "frame", None)
        return frame if isinstance(frame, NoteFrame) else None

    def refs(self, width: float) -> list[str]:
        if self.fixed_refs is not None:
            return self.fixed_refs
        if isinstance(self.inner, Paragraph):
            return [r for r in paragraph_refs(self.inner, width) if r in self.notes]
        if isinstance(self.inner, Table):
            return [r for r in table_refs(self.inner) if r in self.notes]
        return list(self.notes)

    def _new_notes(self, width: float) -> list[tuple[str, Paragraph]]:
        frame = self._frame_now()
        if frame is None:
            return []
        known = frame.note_numbers()
        return [(r, self.notes[r]()) for r in self.refs(width) if r not in known]

    def _height_of(self, notes: list[tuple[str, Paragraph]]) -> float:
        frame = self._frame_now()
        if not notes or frame is None:
            return 0.0
        h = sum(p.wrap(frame._aW, 1e6)[1] + NOTE_GAP for _, p in notes)
        return h + (0.0 if frame.notes else NOTE_RULE_GAP)

    # -- flowable protocol
    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        w, h = self.inner.wrap(availWidth, availHeight)
        self.width, self.height = w, h
        self.notes_height = self._height_of(self._new_notes(availWidth))
        return w, h + self.notes_height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        reserve = 0.0
        for _ in range(4):
            parts = self.inner.split(availWidth, availHeight - reserve)
            if not parts:
                return []
            first = NotedFlowable(parts[0], self.notes, self.doc, self._part_refs(parts[0], True))
            need = first._height_of(first._new_notes(availWidth))
            if need <= reserve:
                break
            reserve = need
        rest = [
            NotedFlowable(p, self.notes, self.doc, self._part_refs(p, False)) for p in parts[1:]
        ]
        return [first, *rest]

    def _part_refs(self, part: Flowable, first: bool) -> list[str] | None:
        if isinstance(part, Paragraph):
            return None  # found from the part's own lines
        if isinstance(part, Table):
            return [r for r in table_refs(part) if r in self.notes]
        return list(self.notes) if first else []

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        frame = self._frame_now()
        new = self._new_notes(self.width)
        reserve = self._height_of(new)
        self.inner.drawOn(canvas, x, y + reserve, _sW)
        if frame is not None and new:
            frame.notes.extend(new)
            frame.pending_shift += reserve
