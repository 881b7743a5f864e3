"""Line-end hyphens: a word cut at a line end joined again, a real compound's hyphen kept.

Whether « porte-/parole » keeps its hyphen and « forma-/tion » loses it is told by the
document's own words first, then by the French word forms of spaCy's lexicon, then by the
heads and tails that only ever form compounds.
"""

from __future__ import annotations

import re

from .lexicon import french_words, is_french
from .lines import Line, PageLayout
from .silentcuts import silent_cuts

# Words whose hyphen at a line end is part of the compound, not a line-break hyphen.
_COMPOUND_HEADS = frozenset(
    "porte vice demi semi mi non ex après avant arrière sous grand grande belle beau "
    "auto-saisine c'est-à rendez état états chef chefs vis sud nord est ouest anglo "
    "franco euro micro macro post anti".split()
)
_COMPOUND_TAILS = frozenset(
    "dire être là ci ils elles on t-il t-elle même mêmes delà dessus dessous".split()
)


_LAST_WORD = re.compile(r"(?<![\w'’-])([^\W\d_]+)$|(?<=['’])([^\W\d_]+)$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)(?=$|[\s.,;:!?)»…])")

_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
# number words: « vingt-/cinq », « trente-/six » are compounds
_NUMERALS = frozenset(
    "un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize vingt trente quarante cinquante soixante cent cents mille".split()
)


# what follows the hyphen of a compound name or of « main-d’œuvre »: a linking word and the
# next part (« et-Garonne », « sur-Mer », « lès-Lille »), or an elided article; the tail of a
# cut name never starts so (« gogne-Franche-Comté », « béry-Annecy »)
_LINKED_NAME = re.compile(
    r"^(?:(?:et|sur|sous|en|lès|lez|les|le|la|de|du|des|aux?)-[A-ZÀ-Ý]|[dl]['’])"
)


class Vocabulary:
    """Words seen whole in a document, to decide whether a line-end hyphen is real, and its
    words cut at a line end with no hyphen printed (cuts: silentcuts.py)."""

    def __init__(self, pages: list[PageLayout]) -> None:
        self.words: set[str] = set()  # but the last of each line: it may be a piece
        for page in pages:
            for item in page.items:
                if not isinstance(item, Line):
                    continue
                for w in item.words[:-1]:
                    word = w.text.lower().strip(".,;:!?()«»\"'")
                    self.words.add(word)
                    self.words.add(_elided(word))  # « l’Île-de-France »: île-de-france
        self.cuts = silent_cuts(pages)  # words cut at a line end with no hyphen printed

    def known(self, word: str) -> bool:
        """Whether a word is one of the document's (seen whole) or French."""
        word = word.lower()
        return word in self.words or is_french(word)

    def join(self, left: str, right: str) -> str:
        """Join a line ending in "left-" with the next line starting with "right"."""
        head = left[:-1]
        first = re.match(r"[^\s]+", right)
        tail = first.group() if first else right
        bare_tail = tail.strip(".,;:!?()«»\"'")
        last_head = re.split(r"[\s]", head)[-1]
        compound = f"{last_head}-{bare_tail}".lower()
        joined = f"{last_head}{bare_tail}".lower()
        keep = self._known(compound, joined)
        if keep is None:  # neither form, or both, seen in the document
            keep = (bool(bare_tail[:1]) and bare_tail[:1].isupper()) or (
                _elided(last_head.lower()) in _COMPOUND_HEADS
                or last_head.lower() in _COMPOUND_HEADS
                or (bare_tail.lower() in _COMPOUND_TAILS and not last_head.lower().endswith("de"))
                or not bare_tail[:1].isalpha()
                or _two_words(last_head.lower(), bare_tail.lower())
                or (last_head.lower() in _NUMERALS and bare_tail.lower() in _NUMERALS)
                or _goes_on_compound(bare_tail)
            )
        return f"{left}{right}" if keep else f"{head}{right}"

    def cut_word(self, left: str, right: str) -> bool:
        """Return True when the last word of left and the first of right, glued, make a word
        of the document or of French (« régio » and « naux »): a hyphen set apart from the
        word it cuts (a scanner's text layer) is a line-break hyphen only then; otherwise it
        is a dash."""
        head = left.split()[-1:] or [""]
        tail = right.split()[:1] or [""]
        bare_tail = tail[0].strip(".,;:!?()«»\"'")
        if not (head[0].isalpha() and bare_tail[:1].isalpha()):
            return False
        joined = _elided(f"{head[0]}{bare_tail}".lower())
        return joined in self.words or joined in french_words()

    def _known(self, compound: str, joined: str) -> bool | None:
        """Return True to keep the hyphen, False to drop it, None when nothing tells.

        The document's own words decide first (« CE-SER » is « CESER » elsewhere in it), then
        the French word forms of spaCy's lexicon (« mi-neurs » is « mineurs », a word, while
        « mi-temps » is no « mitemps »).
        """
        for known in (self.words, french_words()):
            has_compound = compound in known or _elided(compound) in known
            has_joined = joined in known or _elided(joined) in known
            if has_compound != has_joined:
                return has_compound
        return None


NO_VOCABULARY = Vocabulary([])  # footnote and table-of-contents lines: no dehyphenation vocabulary


def _goes_on_compound(tail: str) -> bool:
    """Whether the text after a line-end hyphen goes on with a compound: a name's
    (« Tarn-/et-Garonne », « Val-/d’Oise », « Boulogne-/sur-Mer ») or an elided article
    (« main-/d’œuvre »), where no word is ever cut."""
    return bool(_LINKED_NAME.match(tail))


def combining_form(head: str) -> bool:
    """Whether a word part is a combining form: it ends in i (« quasi », « multi ») or in o
    and stands for an adjective (« socio » for « social », « hospitalo » for « hospitalier »,
    « politico »), where a piece that hyphenation leaves (« décarbo- ») stands for none."""
    if head.endswith("i"):
        return True
    if not head.endswith("o"):
        return False
    known = french_words()
    return any(head[:-1] + end in known for end in ("al", "ale", "ique", "ier", "ien", "ie"))


def _two_words(head: str, tail: str) -> bool:
    """Return True when both sides of the hyphen are words, or a combining form and a word,
    while the two glued are no word: « papier-/carton », « quasi-/totalité »,
    « hospitalo-/universitaires » are compounds.

    The first part of a compound is a word or a combining form (« socio- », « quasi- »: it
    ends in o or i); hyphenation leaves word pieces (« profon-/dément », « plu-/sieurs »,
    « ligé-/riens »), and below five letters on either side the hyphen is left to the other
    rules.
    """
    head = re.split(r"['’-]", head)[-1]  # « d’hospitalo », « mi-par »: the part cut
    known = french_words()
    combining = head in known or combining_form(head)
    return (
        len(head) >= 5
        and len(tail) >= 5
        and combining
        and tail in known
        and head + tail not in known
    )


def _elided(word: str) -> str:
    """Return a word without the article or pronoun elided before it (« l’ », « d' »,
    « qu’ »); an apostrophe inside a compound stays (« val-d’oise », « main-d’œuvre »)."""
    return _ELISION.sub("", word)


def join_cell_lines(lines: list[str]) -> str:
    """Return a table cell's lines on one line, with the words a narrow cell cut without a
    hyphen joined again (reportlab wraps « Significa »/« tion », « technicie »/« n », « é »/
    « conomiqu »/« e, »): where the two pieces glued, or the three when the middle one is a
    line of its own, make a French word and one of them is none."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    out = lines[0] if lines else ""
    k = 1
    while k < len(lines):
        nxt = lines[k]
        head, tail = _LAST_WORD.search(out), _FIRST_WORD.match(nxt)
        glue = False
        if head and tail and tail.group(1)[:1].islower():
            h, t = head.group(head.lastindex or 1).lower(), tail.group(1).lower()
            pieces = not is_french(h) or not is_french(t)
            glue = pieces and is_french(h + t)
            if not glue and pieces and nxt == tail.group(1) and k + 1 < len(lines):
                third = _FIRST_WORD.match(lines[k + 1])
                if third and is_french(h + t + third.group(1).lower()):
                    out, k = out + nxt + lines[k + 1], k + 2
                    continue
        out = out + nxt if glue else f"{out} {nxt}"
        k += 1
    return out
