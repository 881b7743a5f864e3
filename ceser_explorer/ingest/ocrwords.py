"""Words of scanned pages made plain: specks read as marks, letters read as digits, line-end
hyphens lost.

Tesseract reads a speck of dust as « | », « _ » or « . », a rule as « | », an « o » as « 0 »
or an « l » as « J »; it also drops a line-end hyphen now and then, and a scanner's own text
layer may lack it altogether (« régio » at a line end, « naux » on the next). Each repair
here needs the French lexicon to agree: a word is changed only into a French word.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Container, Iterable
from itertools import pairwise

from .lines import Line
from .rawpage import Word

# Marks that never belong to French text: rules, specks and underlines as Tesseract reads them
_MARKS = "|_¦"
# A speck read after a line-end hyphen (« trans-. »): a hyphen is never followed by them
_HYPHEN_SPECK = re.compile(r"-[.,:;'‘’`]+$")
_EDGES = ".,;:!?()[]«»\"'’‘"
# a line-end hyphen Tesseract reads as a dash, glued to the word it cuts
_DASH_AT_END = re.compile(r"(?<=[^\W\d_])-?[—–]$")
# Letters Tesseract reads as another glyph, and the letter they stand for
_CONFUSIONS = str.maketrans({"0": "o", "1": "l", "5": "s", "J": "l"})
_ORDINAL = re.compile(r"^\d+(e|er|re|ère|ème|es|è|eme)$", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_]+$")
_LEADING = re.compile(r"^[,.;:]+$")
# a speck read before the rest of a word cut at the line end above (« majori- » / « -tairement »)
_SPECK_BEFORE = re.compile(r"^[-‐‑–—.,·'‘’`]+(?=[a-zà-ÿ])")
# a word of two letters or more with a mark glued to it (« comprendre. », « formés! »)
_STOPPED = re.compile(r"^([^\W\d_]{2,})[.!?*]$")
# a word in lower case that goes on with a sentence (not a list's mark « b) », « il. »)
_NEXT_WORD = re.compile(r"^[a-zà-ÿœæ][^\W\d_]*(?:['’][^\W\d_]+)?[,;:]?$")
# abbreviations a full stop ends inside a sentence: the word after them may be in lower case
_ABBREVIATIONS = frozenset(
    "etc cf al art chap coll env ex fig hab op mds md mrd pp resp vol max min nb".split()
)
# Below this confidence a word that is no French word is noise; below a third of it, any word
NOISE_CONFIDENCE = 30.0
# Short words the lexicon lacks (it holds the forms of content words): « par » + « la » is no
# « parla », « en » + « cours » no « encours »
_FUNCTION_WORDS = frozenset(
    "à au aux du en et ou par pour avec sans pas qui dont où nous vous y mais donc ni chez "
    "de des le la les un une sur sous dans ne plus se sa son ses ce ces que il ils elle elles "
    "on est sont a ont".split()
)


def clean(words: list[Word], known: Container[str]) -> list[Word]:
    """Return Tesseract's words of one page without specks and with misread letters mended,
    a lost line-end hyphen given back where the two halves make a French word (known)."""
    heights = [w.bottom - w.top for w in words if any(c.isalpha() for c in w.text)]
    height = statistics.median(heights) if heights else 10.0
    out = []
    cut = False  # the line before ended with a hyphen: its word goes on here
    for k, w in enumerate(words):
        starts = k == 0 or words[k - 1].line != w.line
        if k + 1 == len(words) or words[k + 1].line != w.line:
            w.text = _DASH_AT_END.sub("-", w.text)  # « for— » / « mation »: a hyphen read long
        carried, cut = (
            starts and cut,
            w.text.endswith("-") and (k + 1 == len(words) or words[k + 1].line != w.line),
        )
        if _noise(w, known) and not carried and not w.text.endswith("-"):
            continue
        text = w.text.strip(_MARKS)
        if not any(c.isalnum() for c in text):
            # a mark smaller than a fifth of the text height both ways is a speck
            speck = w.x1 - w.x0 < 0.2 * height and w.bottom - w.top < 0.2 * height
            if not text or speck:
                continue
        # Tesseract reads an ellipsis as three full stops, text layers write U+2026: a
        # running head must read the same on scanned and other pages
        text = _HYPHEN_SPECK.sub("-", text).replace("...", "…")
        w.text = _mended(text, known)
        out.append(w)
    lines: dict[int, list[Word]] = {}
    for w in out:
        lines.setdefault(w.line, []).append(w)
    # a line never starts with a comma or a full stop: a speck before its first word
    specks = {id(row[0]) for row in lines.values() if len(row) > 1 and _LEADING.match(row[0].text)}
    ordered = [[w for w in row if id(w) not in specks] for row in lines.values()]
    for k, row in enumerate(ordered):
        # the next line's first word, in the same paragraph (not a running foot « page 5 »)
        after = ordered[k + 1][:1] if k + 1 < len(ordered) else []
        after = [w for w in after if w.group == row[-1].group]
        for w, nxt in pairwise([*row, *after]):
            if _speck_stop(w.text, nxt.text, known):
                w.text = w.text[:-1]
    for a, b in pairwise(ordered):
        if a[-1].text.endswith("-") and len(a[-1].text) > 1:
            b[0].text = _SPECK_BEFORE.sub("", b[0].text)
        if a[0].group != b[0].group:
            continue
        if lost_hyphen(a[-1].text, b[0].text, known):
            a[-1].text += "-"
        elif a[-1].text.endswith("-") and len(a[-1].text) > 1:
            # a word cut at the line end is mended whole (« s0- » / « lutions »)
            head, tail = a[-1].text[:-1], b[0].text.rstrip(_EDGES)
            whole = _mended(head + tail, known)
            if whole != head + tail:
                a[-1].text = whole[: len(head)] + "-"
    return [w for w in out if id(w) not in specks]


def _speck_stop(text: str, following: str, known: Container[str]) -> bool:
    """Return True when a full stop, a question or exclamation mark or an asterisk glued to a
    French word is a speck of the scan: the next word starts in lower case, as no sentence
    does (« comprendre. les limites », « formés! pour »; never « etc. », « I. du »,
    « 1. du »). French sets a space before « ! » and « ? »."""
    m = _STOPPED.match(text)
    if not m or not _NEXT_WORD.match(following):
        return False
    bare = m.group(1).lower()
    return bare not in _ABBREVIATIONS and (bare in known or bare in _FUNCTION_WORDS)


def _noise(w: Word, known: Container[str]) -> bool:
    """Return True for what Tesseract barely believes it read, a word of no French: dot
    leaders, a picture, a shaded box read as letters (« spnnn », « nee »)."""
    if w.conf < NOISE_CONFIDENCE / 3:
        return True
    word = w.text.strip(_EDGES).split("'")[-1].lower()
    return w.conf < NOISE_CONFIDENCE and word not in known and word not in _FUNCTION_WORDS


def _mended(text: str, known: Container[str]) -> str:
    """Return text with a letter read as a digit or as « J » put right, when the mended word
    is French and the word read is not (« s0lutions », « Jaboratoires »; never « 5e »)."""
    core = text.strip(_EDGES)
    if len(core) < 3 or _ORDINAL.match(core) or core.lower() in known:
        return text
    letters = sum(c.isalpha() for c in core)
    if letters < len(core) - 1 or not any(c in "015J" for c in core):
        return text
    mended = core.translate(_CONFUSIONS)
    if not _WORD.match(mended) or mended.lower() not in known:
        return text
    if core[0] == "J" and core[1:2].islower():  # « J » only ever for a lowercase « l »
        mended = "l" + mended[1:]
    elif core[0] == "J":
        return text
    return text.replace(core, mended, 1)


def lost_hyphen(last: str, first: str, known: Container[str]) -> bool:
    """Return True when a line ending with the word last and a line starting with first cut
    one word without a hyphen: both are letters only, first in lowercase, together they make
    a French word and at least one of them alone does not (« régio » / « naux »; never
    « par » / « la »)."""
    head = last.lstrip(_EDGES)
    tail = first.rstrip(_EDGES)
    if not (_WORD.match(head) and _WORD.match(tail) and tail[0].islower()):
        return False
    if head.isupper() and len(head) > 1:  # an acronym
        return False
    joined = (head + tail).lower()
    halves = [h.lower() for h in (head, tail)]
    return joined in known and any(h not in known and h not in _FUNCTION_WORDS for h in halves)


def french_share(words: Iterable[Word], known: Container[str]) -> float:
    """Return the share of a page's words (two characters or more, a letter among them) that
    are French: « s0lutions » is none; « d'achat » counts as « achat », « régio- » as
    « régio »."""
    tokens = [w.text.strip(_EDGES).rstrip("-").split("'")[-1].split("’")[-1] for w in words]
    tokens = [t.lower() for t in tokens if len(t) >= 2 and any(c.isalpha() for c in t)]
    french = sum(t in known or t in _FUNCTION_WORDS for t in tokens)
    return french / len(tokens) if tokens else 0.0


def rejoin_lines(pages: Iterable[list[Line]], known: Container[str]) -> None:
    """Give back the hyphen a line end lost where the next line of the same column goes on
    with the rest of the word (on scanned pages: a scanner's text layer lacks them), and glue
    to its word a line-end hyphen read as a word of its own (« régio - » / « naux »); pages
    are given as their lines in reading order."""
    for page in pages:
        lines = [ln for ln in page if ln.role == "body" and ln.words]
        for a, b in pairwise(lines):
            if a.col != b.col or not b.words[0].text[:1].islower():
                continue
            if _detached_hyphen(a.words):
                hyphen = a.words.pop()
                a.words[-1].text += "-"
                a.words[-1].x1 = max(a.words[-1].x1, hyphen.x1)
                a.text = a.text[: -len(hyphen.text)].rstrip() + "-"
            elif not a.text.endswith("-") and lost_hyphen(a.words[-1].text, b.words[0].text, known):
                a.words[-1].text += "-"
                a.text += "-"


def _detached_hyphen(words: list[Word]) -> bool:
    """Return True when a line ends with a hyphen set apart from the word it cuts."""
    return len(words) >= 2 and words[-1].text == "-" and words[-2].text[-1:].islower()
