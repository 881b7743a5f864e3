"""Words cut at a line end with no hyphen printed (fpdf2 with U+00AD as its hyphen)."""

from __future__ import annotations

from ceser_explorer.ingest.silentcuts import Evidence, SilentCuts

MANY = SilentCuts(Evidence.MANY)


def is_cut(left: str, right: str, known: SilentCuts = MANY) -> bool:
    return known.is_cut(left, right)


def test_pieces_that_make_a_word_only_glued_are_joined() -> None:
    assert is_cut("les soignants et les cher", "cheurs dont notre")
    assert is_cut("la disponibilité des établisse", "ments. Elle y consacre")
    # neither piece a word: a word the lexicon lacks (« arboriculture »)
    assert is_cut("l’arboricul", "ture de la vallée")


def test_two_words_that_glued_make_a_third_are_one_unless_one_is_a_function_word() -> None:
    # words the document prints inside its lines (the lexicon lacks « par », « six »)
    inner = frozenset({"par", "le", "six", "mois", "sou", "tien"})
    known = SilentCuts(Evidence.MANY, inner, inner)
    assert is_cut("la Région concentre son sou", "tien sur les équipements", known)
    assert is_cut("le rapport a été pré", "paré par la commission", known)
    # « par le » glued is « parle », a word: two words still; so are « six mois »
    assert not is_cut("accordée par", "le conseil régional", known)
    assert not is_cut("pendant six", "mois au plus", known)
    assert not is_cut("des pertes en", "fin de parcours", known)


def test_what_cannot_be_a_cut_word() -> None:
    assert not is_cut("une phrase finie.", "suite")  # punctuation ends the word
    assert not is_cut("le CESER", "Bretagne")  # a capital starts a word of its own
    assert not is_cut("en 2022", "et 2023")


def test_a_document_with_a_few_cuts_only_joins_the_plain_ones() -> None:
    inner = frozenset({"tien", "sur", "place"})  # « sou » never inside a line
    every = inner | {"ressource"}  # printed whole elsewhere (the lexicon lacks it)
    few = SilentCuts(Evidence.SOME, every, inner, frozenset({("sur", "place")}))
    assert few.is_cut("les soignants et les cher", "cheurs dont notre")
    assert few.is_cut("l’arboricul", "ture de la vallée")  # long enough, never printed whole
    assert not few.is_cut("les entreprises sur", "place chaque année")  # printed in a row
    assert few.is_cut("la Région concentre son sou", "tien sur les équipements")
    # a capital goes on a word only inside a word set in capitals (a cover's title)
    assert few.is_cut("LA RESSOUR", "CE EN EAU")
    assert not few.is_cut("le CESER", "Bretagne")


def test_a_document_without_cuts_joins_nothing() -> None:
    assert not SilentCuts().is_cut("les soignants et les cher", "cheurs dont notre")


def test_relatives_names_and_years_cut_without_a_hyphen() -> None:
    # « les » / « quelles » is never two words; a place name the lexicon lacks (« Gre » /
    # « noble »), and a year cut after its century, in a document that cuts so over and over
    assert is_cut("avec les", "quelles le schéma organise")
    assert is_cut("à Lyon-Saint-Étienne, Gre", "noble, Clermont-Ferrand")
    assert is_cut("Schéma régional 20", "22-2028")
    assert not is_cut("reçus par Mme", "la présidente")  # a function word follows
    assert not is_cut("en 2022", "23 communes")
    assert not SilentCuts(Evidence.SOME).is_cut("à Gre", "noble, Clermont")
