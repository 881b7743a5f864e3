"""Characters as producers print them, made plain: ligatures, hyphens, letter-spaced words.

Word processors, typesetters and web printers each set the same French text with other code
points: « ﬁ » for « fi », U+2010 or U+2011 for a hyphen, U+00AD for a line-break hyphen,
U+2212 for a hyphen by mistake, « A V I S » for a letter-spaced « AVIS ». Everything
downstream sees one form.
"""

from __future__ import annotations

import re

from .lexicon import french_words

SOFT_HYPHEN = "\u00ad"
# Ligature glyphs that carry a Unicode mapping of their own (Alphabetic Presentation Forms).
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_MINUS_AS_HYPHEN = re.compile(r"(?<=[^\W\d_])\u2212(?=[^\W\d_]|$)")
_INNER_SOFT = re.compile(SOFT_HYPHEN + r"(?=.)")
_LIGATURE_TEXTS = frozenset({"fi", "fl", "ff", "ffi", "ffl"})
_SPACED_PUNCT = re.compile(r"^[’'\-‐:;,.!?()«»]$")


def clean_word(text: str) -> str:
    """Return a word with ligatures expanded and every hyphen character made « - ».

    A soft hyphen at a word's end is kept: it marks a line break (paragraphs.py judges it).
    One inside a word was drawn, as only a hyphen is mid-line: a typesetter whose font maps
    its hyphen glyph to U+00AD (Typst) prints « Haute\u00adMarne », « 2022\u00ad2027 ». It is
    dropped only where the word without it is a French word (« accom\u00adpagnement », an
    invisible mark left in the text).
    """
    text = text.translate(_LIGATURES)
    text = _MINUS_AS_HYPHEN.sub("-", text)
    if SOFT_HYPHEN in text[:-1]:
        bare = _INNER_SOFT.sub("", text)
        word = re.split(r"['’]", bare.strip(".,;:!?()«»\"'’").rstrip(SOFT_HYPHEN))[-1].lower()
        return bare if word in french_words() else _INNER_SOFT.sub("-", text)
    return text


def ends_with_break(text: str) -> str | None:
    """Return « soft » if text ends with a soft hyphen, « hyphen » for « - », else None."""
    if text.endswith(SOFT_HYPHEN):
        return "soft"
    if text.endswith("-") and not text.endswith("--"):
        return "hyphen"
    return None


def letter_spaced_runs(texts: list[str], gaps: list[float], size: float) -> list[bool]:
    """Return, for each gap between words, True where it only spaces out a word's letters.

    A letter-spaced word prints each letter as a word of its own (« A V I S »): runs of three
    or more one-letter capitals (four in lowercase: « il y a à » has three) are joined where
    their gap is no wider than 1.6 times the letters' spacing in the run (its lower quartile
    of gaps: the space between two spaced words is wider than that). Punctuation is spaced
    out too (« d ’ e n s e i g n e m e n t : », « N o u v e l l e - A q u i t a i n e »): a
    run goes on over it.
    """
    joined = [False] * len(gaps)
    i = 0
    while i < len(texts):
        j = i
        while j + 1 < len(texts) and _glyph(texts[j]) and _glyph(texts[j + 1]):
            j += 1
        run_texts = texts[i : j + 1]
        glyphs = [t for t in run_texts if t.isalnum()]
        letters = [t for t in glyphs if t.isalpha()]
        # « il y a à » is three one-letter words: a lowercase run needs four letters, and so
        # does a run of digits (« 2 0 2 2 - 2 0 2 8 », a spaced-out year of a title)
        capitals = bool(letters) and all(t.isupper() for t in letters)
        long_enough = len(glyphs) >= (3 if capitals else 4)
        if long_enough and all(t.isalnum() or _SPACED_PUNCT.match(t) for t in run_texts):
            run = [g for k, g in enumerate(gaps[i:j], i) if (texts[k] + texts[k + 1]).isalnum()]
            # the spacing of the letters: a low quartile, not the least gap (a kerned pair,
            # « T » and « r », sits closer than the rest)
            spacing = sorted(run or gaps[i:j])
            base = max(spacing[len(spacing) // 4], 0.05 * size)
            for k in range(i, j):
                joined[k] = gaps[k] <= 1.6 * base and gaps[k] < 1.2 * size
            i = j + 1
        else:
            i += 1
    return joined


def _glyph(text: str) -> bool:
    """Whether a word is one printed glyph: a character, or a ligature expanded (« ﬁ »)."""
    return len(text) == 1 or text in _LIGATURE_TEXTS
