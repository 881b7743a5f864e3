"""Matching rules of the variety benchmark: normalisation, words, leaks, recommendations, metadata.

Pure functions on strings and small records, so that each rule can be tested on a tiny input
(tests/test_variety_metrics.py). benchmarks/variety.py runs them on the corpus. The rules are
those of docs/variety.md:

- normalise(): NFKC (ligatures ﬁ -> fi, no-break and thin spaces -> space), lowercase, soft
  hyphens removed, apostrophes / quotes / dashes unified, whitespace collapsed, and no
  whitespace next to French punctuation (; : ! ? « » and quotes), since producers print the
  thin space there as a space, a gap or nothing.
- words(): the \\w+ runs of the normalised text (so « porte-parole » is two words and a word
  cut at a line end, « accompa-gnement », is two words that are not in the source).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_APOSTROPHES = dict.fromkeys(map(ord, "’‘ʼ′`´"), "'")
_QUOTES = dict.fromkeys(map(ord, "«»“”„‟‹›"), '"')
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_SOFT = {0xAD: None, 0x200B: None, 0x2060: None, 0xFEFF: None}
_TABLE = {**_APOSTROPHES, **_QUOTES, **_DASHES, **_SOFT}
_SPACE_PUNCT = re.compile(r'\s*([;:!?"])\s*')
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """The comparable form of a text (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    text = " ".join(text.split())
    return _SPACE_PUNCT.sub(r"\1", text)


def words(text: str) -> list[str]:
    """The word tokens of a text, normalised."""
    return _WORD.findall(normalise(text))


# -- what the page prints ----------------------------------------------------------------------


def printed_forms(paragraph: dict) -> list[str]:
    """A truth paragraph as a reader reads it and, when it differs, as the page prints it.

    The truth's text is the reader's (no footnote call, no note number); the page also prints
    a note's label before its text (« 3 Texte de la note », label "3") and the calls after
    their words (calls: [[offset, number]…] -> « formation 3, »). An extraction that keeps
    what is printed keeps source words (never foreign) and no running string (never a leak);
    a call glued to its word (« formation3 ») stays foreign: two printed things merged.
    """
    text = paragraph["text"]
    printed = text
    for at, number in sorted(paragraph.get("calls") or (), reverse=True):
        printed = f"{printed[:at]} {number}{printed[at:]}"
    label = paragraph.get("label")
    if label:
        printed = f"{label} {printed}"
    return [text] if printed == text else [text, printed]


# -- 1. paragraphs whole ----------------------------------------------------------------------

WHOLE_ROLES = frozenset({"body", "finding", "plan_sentence", "recommendation", "measure"})
WHOLE_MIN_CHARS = 80


def whole_candidates(paragraphs: Iterable[dict]) -> list[str]:
    """Truth paragraph texts that metric 1 checks: body-like roles, >= 80 characters."""
    return [
        p["text"]
        for p in paragraphs
        if p.get("role", "body") in WHOLE_ROLES and len(p["text"]) >= WHOLE_MIN_CHARS
    ]


def paragraphs_whole(truth_texts: Sequence[str], passages: Sequence[str]) -> tuple[int, int]:
    """(how many truth texts lie whole in ONE passage, how many truth texts)."""
    norm_passages = [normalise(p) for p in passages]
    found = 0
    for t in truth_texts:
        nt = normalise(t)
        if any(nt in p for p in norm_passages):
            found += 1
    return found, len(truth_texts)


# -- 2. words not in the source ---------------------------------------------------------------


def foreign_words(source_texts: Iterable[str], passages: Iterable[str]) -> tuple[int, int]:
    """(word tokens of the passages absent from the source vocabulary, all word tokens)."""
    vocabulary = {w for t in source_texts for w in words(t)}
    foreign = total = 0
    for p in passages:
        for w in words(p):
            total += 1
            if w not in vocabulary:
                foreign += 1
    return foreign, total


# -- 3. running header / footer leaks ---------------------------------------------------------

RUNNING_MIN_CHARS = 6
_PAGE_NUMBER_ONLY = re.compile(r"^[\W_]*(?:page\s*)?\d+(?:\s*(?:/|sur)\s*\d+)?[\W_]*$")


def is_page_number(text: str) -> bool:
    """True for running strings that are only a page number: « 3 », « 3/12 », « – 3 – »."""
    return bool(_PAGE_NUMBER_ONLY.match(normalise(text)))


def _at_edge(needle: str, hay: str) -> tuple[bool, bool]:
    """(hay starts with needle as a whole token, hay ends with needle as a whole token)."""
    starts = hay == needle or hay.startswith(needle + " ")
    ends = hay == needle or hay.endswith(" " + needle)
    return starts, ends


Truth = Sequence[tuple[str, int]]  # (text, page where it starts; -1 = not located)


def leaked(
    passage: str,
    running: Iterable[str],
    truth: Truth,
    pages: Iterable[int] = (),
) -> bool:
    """Whether a passage (on the given pages) carries a running header or footer string.

    A text string (>= 6 characters) leaks when the passage holds it more often than the truth
    explains: the truth text the passage is part of, or the truth texts of the passage's pages
    that lie inside it. A cover line that IS the title is no leak; a body paragraph of page 3
    with the title glued to it is. A page-number string leaks when it is the passage, or opens
    or closes it where no such truth text does. Shorter strings that are not page numbers are
    not checked.
    """
    norm = [(normalise(t), pg) for t, pg in truth]
    return _leaked(normalise(passage), running, norm, set(pages))


def _leaked(np: str, running: Iterable[str], norm_truth: Truth, pages: set[int]) -> bool:
    around = [t for t, _ in norm_truth if t and np in t]
    inside = [t for t, pg in norm_truth if t and t in np and (not pages or pg in pages or pg < 0)]
    for r in {normalise(r) for r in running}:
        if not r:
            continue
        if is_page_number(r):
            starts, ends = _at_edge(r, np)
            if np == r:
                return True
            if starts and not any(_at_edge(r, t)[0] for t in around + inside):
                return True
            if ends and not any(_at_edge(r, t)[1] for t in around + inside):
                return True
        elif len(r) >= RUNNING_MIN_CHARS:
            n = np.count(r)
            if not n:
                continue
            explained = max(
                sum(t.count(r) for t in inside), max((t.count(r) for t in around), default=0)
            )
            if n > explained:
                explained = max(explained, _explained_as_read(np, r, norm_truth, pages))
            if n > explained:
                return True
    return False


READ_ALIKE_MIN = 0.9  # share of a text's words the other holds: the same text, misread


def _explained_as_read(np: str, r: str, norm_truth: Truth, pages: set[int]) -> int:
    """Occurrences of r that truth texts of the passage's pages explain once the passage is
    allowed to be a misreading of them (an OCR'd paragraph that names « CESER Occitanie », a
    running head too, with one letter wrong elsewhere: « lurgence »): truth texts whose words
    the passage holds (>= 90 %), summed, or the one truth text that holds the passage's."""
    got = set(_WORD.findall(np))
    inside = around = 0
    for t, pg in norm_truth:
        if r not in t or (pages and pg not in pages and pg >= 0):
            continue
        tw = set(_WORD.findall(t))
        small = min(len(tw), len(got))
        if small < CONTAINED_MIN_WORDS:
            continue
        shared = len(tw & got)
        if shared >= READ_ALIKE_MIN * len(tw):
            inside += t.count(r)
        elif shared >= READ_ALIKE_MIN * len(got):
            around = max(around, t.count(r))
    return max(inside, around)


def leak_count(
    passages: Sequence[tuple[str, Sequence[int]]], running: Sequence[dict], truth: Truth
) -> int:
    """Number of passages (text, pages) that leak a running string.

    Text strings are checked on every passage; page-number strings only on passages of the
    page they belong to or the pages next to it (a « 3 » elsewhere is just a number).
    """
    texts = {r["text"] for r in running if not is_page_number(r["text"])}
    numbers: dict[int, set[str]] = {}
    for r in running:
        if is_page_number(r["text"]):
            numbers.setdefault(int(r["page"]), set()).add(r["text"])
    norm_truth = [(normalise(t), pg) for t, pg in truth]
    count = 0
    for text, pages in passages:
        near = set(texts)
        for pg in pages or ():
            for q in (pg - 1, pg, pg + 1):
                near |= numbers.get(q, set())
        if _leaked(normalise(text), near, norm_truth, set(pages or ())):
            count += 1
    return count


# -- 4. recommendations -----------------------------------------------------------------------

JACCARD_MIN = 0.6
CONTAINED_MIN = 0.9  # share of the smaller text's words found in the larger one
CONTAINED_MIN_WORDS = 6
CONTAINED_MIN_RATIO = 0.3  # the smaller text has at least this share of the larger's words


def similarity(a: str, b: str) -> float:
    """How well two recommendation texts match, 0..1 (>= 0.6 counts as the same one).

    The token Jaccard of the two word sets, or, when one text is a large enough part of the
    other (an inline sentence without its justification, a label glued in front), the share of
    the smaller text's words found in the larger one when that share is >= 0.9.
    """
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    inter = len(wa & wb)
    score = inter / len(wa | wb)
    small, large = sorted((len(wa), len(wb)))
    if small >= CONTAINED_MIN_WORDS and small >= CONTAINED_MIN_RATIO * large:
        contained = inter / small
        if contained >= CONTAINED_MIN:
            score = max(score, contained)
    return score


def is_match(score: float) -> bool:
    return score >= JACCARD_MIN


@dataclass(frozen=True)
class RecScore:
    """Counts of the recommendation metric for one document (or summed)."""

    truth: int
    found: int
    matched: int
    wrong_number: int

    def __add__(self, other: RecScore) -> RecScore:
        return RecScore(
            self.truth + other.truth,
            self.found + other.found,
            self.matched + other.matched,
            self.wrong_number + other.wrong_number,
        )

    @property
    def precision(self) -> float | None:
        return self.matched / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.truth if self.truth else None


def match_recommendations(
    truth: Sequence[tuple[int | None, str]], found: Sequence[tuple[int | None, str]]
) -> tuple[list[tuple[int, int]], RecScore]:
    """Pair found with truth recommendations (number, text), one to one, best pairs first.

    Returns the pairs (truth index, found index) and the counts; a pair's number is wrong when
    it differs from the truth's (None for None is right).
    """
    candidates = []
    for i, (_, t) in enumerate(truth):
        for j, (_, f) in enumerate(found):
            s = similarity(t, f)
            if is_match(s):
                candidates.append((-s, i, j))
    candidates.sort()
    used_t: set[int] = set()
    used_f: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_t or j in used_f:
            continue
        used_t.add(i)
        used_f.add(j)
        pairs.append((i, j))
    wrong = sum(1 for i, j in pairs if truth[i][0] != found[j][0])
    return sorted(pairs), RecScore(len(truth), len(found), len(pairs), wrong)


# -- 5. metadata ------------------------------------------------------------------------------

_CESER_LONG = re.compile(
    r"^(?:conseil economique,? social et environnemental regional|ceser)\s+(?:de la |de l'|"
    r"de |d'|du |des )?"
)
_REGION_LONG = re.compile(r"^(?:conseil regional|region)\s+(?:de la |de l'|de |d'|du |des )?")


def _plain(text: str) -> str:
    """Normalised, accents removed."""
    text = unicodedata.normalize("NFKD", normalise(text))
    return "".join(c for c in text if not unicodedata.combining(c))


def body_key(body: str) -> tuple[str, str]:
    """(institution, place) of a body name: « CESER Bretagne » and « Conseil économique,
    social et environnemental régional de Bretagne » give ("ceser", "bretagne"), « Région
    Bretagne » and « Conseil régional de Bretagne » give ("region", "bretagne")."""
    b = _plain(body).strip()
    for inst, pattern in (("ceser", _CESER_LONG), ("region", _REGION_LONG)):
        m = pattern.match(b)
        if m:
            return inst, b[m.end() :].strip(" .,")
    return "", b


def same_body(found: str, truth_names: Iterable[str]) -> bool:
    """Whether the found body names the same body as one of the truth's names."""
    if not found.strip():
        return False
    key = body_key(found)
    return any(key == body_key(n) for n in truth_names if n)


def same_title(found: str, truth: str) -> bool:
    """Normalised equality, or containment: the truth title inside a found title at most twice
    as long (a label such as « Avis du CESER » before it), or a found title that keeps at least
    60 % of the truth title (a cut subtitle)."""
    f, t = normalise(found), normalise(truth)
    if not f or not t:
        return False
    if f == t:
        return True
    if t in f and len(f) <= 2 * len(t):
        return True
    return f in t and len(f) >= 0.6 * len(t)
