"""A page's objects as pdfplumber gives them, with its characters built lean.

pdfplumber turns every pdfminer object into a dict by resolving each of its attributes
(colour spaces, graphic state, marked-content tags…): on a text page that is half of the
time spent reading it, for characters whose colour nothing here reads. ``lean_objects``
walks the same pdfminer layout and builds each character's dict from the attributes that
word grouping and table extraction use (text, box, size, font, direction); rectangles,
lines, curves and images still go through pdfplumber's own conversion, so tables and
frames are found exactly as before. The boxes are pdfplumber's to the last bit: the same
pdfminer interpretation, the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTItem

Obj = dict[str, Any]


def _fontname(name: Any) -> str:
    if isinstance(name, bytes):  # rare byte-encoded font names
        from pdfplumber.page import fix_fontname_bytes

        return fix_fontname_bytes(name)
    return name


def lean_objects(page: pdfplumber.page.Page) -> dict[str, list[Obj]]:
    """Return the page's objects by kind, characters with lean dicts, the rest unchanged."""
    height = page.height
    mb_x0, mb_top = page.mediabox[0], page.mediabox[1]
    doctop0 = page.initial_doctop
    number = page.page_number
    norm = page.pdf.unicode_norm
    laparams = page.pdf.laparams is not None
    chars: list[Obj] = []
    objects: dict[str, list[Obj]] = {"char": chars}

    def walk(items: Iterable[LTItem]) -> None:
        for obj in items:
            if type(obj) is LTChar:
                text = obj.get_text()
                if norm is not None:
                    text = normalize_unicode(norm, text)
                top = (height - obj.y1) + mb_top
                chars.append(
                    {
                        "text": text,
                        "fontname": _fontname(obj.fontname),
                        "size": obj.size,
                        "adv": obj.adv,
                        "upright": obj.upright,
                        "matrix": obj.matrix,
                        "x0": obj.x0 + mb_x0,
                        "x1": obj.x1 + mb_x0,
                        "y0": obj.y0,
                        "y1": obj.y1,
                        "width": obj.width,
                        "height": obj.height,
                        "top": top,
                        "bottom": (height - obj.y0) + mb_top,
                        "doctop": doctop0 + top,
                        "object_type": "char",
                        "page_number": number,
                    }
                )
            elif isinstance(obj, LTContainer):
                if laparams:
                    _add(objects, page.process_object(obj))
                walk(obj._objs)
            else:
                _add(objects, page.process_object(obj))

    walk(page.layout._objs)
    objects.pop("anno", None)
    if not chars:
        del objects["char"]
    return objects


def _add(objects: dict[str, list[Obj]], obj: Obj) -> None:
    objects.setdefault(obj["object_type"], []).append(obj)


def use_lean_objects(page: pdfplumber.page.Page) -> None:
    """Make the page serve ``lean_objects`` wherever pdfplumber reads its objects.

    pdfplumber caches a page's objects in ``Page._objects`` (its ``objects`` property reads
    that attribute first): setting it before the first read is all it takes.
    """
    if not hasattr(page, "_objects"):
        page._objects = lean_objects(page)
