"""Words cut at a line end with no hyphen printed (fpdf2 with U+00AD as its hyphen)."""

from __future__ import annotations

from ceser_explorer.ingest.silentcuts import DocumentWords, is_cut


def test_pieces_that_make_a_word_only_glued_are_joined() -> None:
    assert is_cut("les soignants et les cher", "cheurs dont notre")
    assert is_cut("la disponibilité des établisse", "ments. Elle y consacre")
    # neither piece a word: a word the lexicon lacks (« arboriculture »)
    assert is_cut("l’arboricul", "ture de la vallée")


def test_two_words_stay_apart_unless_the_document_prints_them_whole() -> None:
    # words the document prints inside its lines (the lexicon lacks « par », « six »)
    inner = frozenset({"par", "le", "six", "mois"})
    # « par le » glued is « parle », a word: two words still
    assert not is_cut("accordée par", "le conseil régional", DocumentWords(inner, inner))
    assert not is_cut("pendant six", "mois au plus", DocumentWords(inner, inner))
    assert not is_cut("il faut pré", "paré le terrain")
    known = DocumentWords(every=frozenset({"préparé"}))
    assert is_cut("il a été pré", "paré par la commission", known)


def test_what_cannot_be_a_cut_word() -> None:
    assert not is_cut("une phrase finie.", "suite")  # punctuation ends the word
    assert not is_cut("le CESER", "Bretagne")  # a capital starts a word of its own
    assert not is_cut("en 2022", "et 2023")
