"""Bounded stream decoding for pdfminer: a Flate or LZW bomb is refused before it fills memory.

pdfminer inflates each stream it reads in one call (``zlib.decompress``): a 1.3 MB stream that
inflates to 1.2 GB took 1.5 GB of memory and minutes. Its decoders are replaced here (once, by
``install``) with bounded ones: a Flate stream is first inflated into a counter, piece by piece
and nothing kept, and refused when it would take the document past its budget of decompressed
bytes; only then is it inflated for real. ``budget`` sets that budget for the PDF being read.
"""

from __future__ import annotations

import io
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..config import Limits
from ..errors import cause_of

_IN = 16 * 1024  # input fed at a time: the unconsumed tail zlib copies stays small
_OUT = 1024 * 1024  # output taken at a time


class InflateLimitError(Exception):
    """A PDF's streams decompress to more than its budget."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"decompressed streams exceed {limit} bytes")


@dataclass
class _Budget:
    limit: int
    left: int


_state = threading.local()


def _current() -> _Budget:
    found = getattr(_state, "budget", None)
    if found is None:  # pdfminer used outside ``budget``: each stream gets the default
        limit = Limits().inflated_bytes
        return _Budget(limit, limit)
    return found


@contextmanager
def budget(limit: int) -> Iterator[None]:
    """Within the block, the streams pdfminer decodes in this thread share limit bytes."""
    install()
    previous = getattr(_state, "budget", None)
    _state.budget = _Budget(limit, limit)
    try:
        yield
    finally:
        _state.budget = previous


def _pieces(data: bytes, cap: int) -> Iterator[bytes]:
    """Yield what data inflates to, piece by piece, stopping once past cap bytes.

    Damaged data yields what came before the damage (pdfminer's own fallback does the same).
    """
    d = zlib.decompressobj()
    total = 0
    view = memoryview(data)
    for start in range(0, max(len(data), 1), _IN):
        tail: bytes = bytes(view[start : start + _IN])
        while True:
            try:
                out = d.decompress(tail, _OUT)
            except zlib.error:
                return
            total += len(out)
            if out:
                yield out
            if total > cap or d.eof:
                return
            tail = d.unconsumed_tail
            if not tail and len(out) < _OUT:
                break


def inflated_size(data: bytes, cap: int) -> int:
    """Return how many bytes data inflates to, counting no further than just past cap."""
    return sum(len(piece) for piece in _pieces(data, cap))


def _take(size: int) -> _Budget:
    found = _current()
    if size > found.left:
        raise InflateLimitError(found.limit)
    return found


def bounded_decompress(data: bytes, *_: Any) -> bytes:
    """zlib.decompress for pdfminer, within the budget; damaged data gives what precedes the
    damage (never an error: pdfminer's byte-by-byte fallback is never needed)."""
    found = _take(inflated_size(data, _current().left))
    out = b"".join(_pieces(data, found.left))
    found.left -= len(out)
    return out


def bounded_lzwdecode(data: bytes) -> bytes:
    """pdfminer's lzwdecode, stopped as soon as its output passes the budget."""
    from pdfminer.lzw import LZWDecoder

    found = _current()
    out = io.BytesIO()
    for piece in LZWDecoder(io.BytesIO(data)).run():
        out.write(piece)
        if out.tell() > found.left:
            raise InflateLimitError(found.limit)
    found.left -= out.tell()
    return out.getvalue()


class _GuardedZlib:
    """The zlib module as pdfminer's pdftypes sees it: decompress is bounded."""

    error = zlib.error
    decompress = staticmethod(bounded_decompress)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def install() -> None:
    """Give pdfminer the bounded decoders (idempotent)."""
    from pdfminer import pdftypes

    if not isinstance(pdftypes.zlib, _GuardedZlib):
        pdftypes.zlib = _GuardedZlib()  # type: ignore[assignment]
        pdftypes.lzwdecode = bounded_lzwdecode


def limit_error(error: BaseException) -> InflateLimitError | None:
    """Return the InflateLimitError behind error (pdfplumber wraps pdfminer's), if any."""
    return cause_of(error, InflateLimitError)
