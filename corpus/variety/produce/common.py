"""Text helpers shared by the producers: soft hyphens, ligatures, footnote calls, fonts."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyphen

from .. import ir

SHY = "\u00ad"
LIGATURES = [("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"),
             ("fl", "\ufb02")]
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ]{7,}")
FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {  # family -> (regular, bold, italic, bold italic)
    "serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf",
              "dejavu/DejaVuSerif-Italic.ttf", "dejavu/DejaVuSerif-BoldItalic.ttf"),
    "sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf",
             "dejavu/DejaVuSans-Oblique.ttf", "dejavu/DejaVuSans-BoldOblique.ttf"),
}


@lru_cache(maxsize=1)
def _dic() -> pyphen.Pyphen:
    """French hyphenation patterns."""
    return pyphen.Pyphen(lang="fr_FR", left=3, right=3)


def soft_hyphens(text: str) -> str:
    """Insert U+00AD at the hyphenation points of long words (compounds keep their hyphen)."""
    return WORD.sub(lambda m: _dic().inserted(m.group(0), hyphen=SHY), text)


def ligate(text: str) -> str:
    """Replace ff/fi/fl/ffi/ffl by their ligature characters."""
    for seq, lig in LIGATURES:
        text = text.replace(seq, lig)
    return text


def pieces(p: ir.Paragraph, first_note: int) -> list[tuple[str, int | None]]:
    """Split a paragraph at its footnote calls: [(text, note number after it or None)]."""
    out, start = [], 0
    for k, at in enumerate(p.note_at):
        out.append((p.text[start:at], first_note + k))
        start = at
    out.append((p.text[start:], None))
    return out


def font_file(family: str, face: int = 0) -> str:
    """Path of a DejaVu face (0 regular, 1 bold, 2 italic, 3 bold italic)."""
    path = FONT_DIR / FONTS[family][face]
    if not path.exists():
        hint = "apt-get install fonts-dejavu-core fonts-dejavu-extra"
        raise FileNotFoundError(f"{path} is missing: {hint}")
    return str(path)
