"""The matching rules of the variety benchmark, on tiny hand-made inputs."""

from __future__ import annotations

import pytest
import variety_metrics as vm  # benchmarks/ is on pytest's pythonpath
from variety import naive_paragraphs, naive_recommendations

PARA = (
    "Le CESER constate que l'accompagnement des apprentis reste inégal d'un territoire "
    "à l'autre, faute de « référents » identifiés."
)


def test_normalise_unifies_typography():
    printed = "L’accom\u00adpagnement — « eﬃcace » : 12\u202f000\u00a0apprentis"
    plain = 'l\'accompagnement - "efficace": 12 000 apprentis'
    assert vm.normalise(printed) == vm.normalise(plain)
    assert vm.normalise("  A\n  b\tC ") == "a b c"


def test_words_split_compounds_and_cut_words():
    assert vm.words("Le porte-parole") == ["le", "porte", "parole"]
    assert vm.words("l'accompa- gnement") == ["l", "accompa", "gnement"]


def test_paragraph_whole_needs_one_passage():
    half = len(PARA) // 2
    cut = PARA.rfind(" ", 0, half)
    assert vm.paragraphs_whole([PARA], ["Titre", PARA.replace("’", "'") + " Suite."]) == (1, 1)
    assert vm.paragraphs_whole([PARA], [PARA[:cut], PARA[cut:]]) == (0, 1)
    # a word left cut at a line end breaks containment
    broken = PARA.replace("accompagnement", "accompa- gnement")
    assert vm.paragraphs_whole([PARA], [broken]) == (0, 1)


def test_whole_candidates_keep_long_body_roles():
    paragraphs = [
        {"text": PARA, "role": "finding"},
        {"text": PARA, "role": "footnote"},
        {"text": "Court.", "role": "body"},
    ]
    assert vm.whole_candidates(paragraphs) == [PARA]


def test_foreign_words_counts_tokens_absent_from_source():
    foreign, total = vm.foreign_words(
        ["L'accompagnement des apprentis"], ["l'accompa-gnement des apprentis 12"]
    )
    assert (foreign, total) == (3, 6)  # accompa, gnement, 12
    assert vm.foreign_words(["Un texte"], ["un TEXTE"]) == (0, 2)


def test_printed_forms_add_note_labels_and_calls():
    note = {"text": "Audition du 3 mars.", "role": "footnote", "label": "4", "number": 4}
    assert vm.printed_forms(note) == ["Audition du 3 mars.", "4 Audition du 3 mars."]
    para = {"text": "Les apprentis, les stagiaires.", "calls": [[13, 1], [29, 2]]}
    assert vm.printed_forms(para)[1] == "Les apprentis 1, les stagiaires 2."
    assert vm.printed_forms({"text": PARA}) == [PARA]


def test_printed_note_number_is_no_foreign_word_nor_leak():
    """« 4 Audition… » kept whole on page 4 (footer « 4 »): printed text, not a leak."""
    from variety import Extraction, score

    truth = {
        "meta": {},
        "paragraphs": [
            {"text": PARA, "role": "finding", "page": 4, "calls": [[17, 4]]},
            {"text": "Audition du 3 mars.", "role": "footnote", "page": 4, "label": "4"},
        ],
        "running": [{"page": 4, "where": "footer", "text": "4"}],
    }
    passages = ((PARA[:17] + "4" + PARA[17:], (4,)), ("4 Audition du 3 mars.", (4,)))
    got = Extraction(passages, (), "avis", "", "", None, 4, 1.0)
    s = score(truth, got)
    assert s.leaks == 0
    assert s.foreign == 1  # the call glued to its word, « constate4 », is two things merged
    lone = Extraction((("4", (4,)),), (), "avis", "", "", None, 4, 1.0)
    assert score(truth, lone).leaks == 1  # the footer alone is still a leak


def test_page_number_strings():
    assert vm.is_page_number("3")
    assert vm.is_page_number("– 3 –")
    assert vm.is_page_number("page 3 sur 12")
    assert vm.is_page_number("3/12")
    assert not vm.is_page_number("Avis – juin 2025")


def test_leak_of_text_header_glued_to_paragraph():
    title = "L'apprentissage, une voie d'avenir"
    truth = [(title, 1), (PARA, 3)]
    assert vm.leaked(f"{PARA} {title}", [title], truth, pages=[3])
    # the cover line that is the title is not a leak, alone or with the next cover line
    assert not vm.leaked(title, [title], truth, pages=[1])
    assert not vm.leaked(f"{title} Avis du CESER", [title], truth, pages=[1])
    # strings under 6 characters are not checked
    assert not vm.leaked(f"{PARA} Avis", ["Avis"], truth, pages=[3])


def test_leak_of_page_numbers_only_at_edges():
    truth = [(PARA, 2), ("Le budget atteint 3 M€ en 2025.", 3)]
    assert vm.leaked(f"{PARA} 3/12", ["3/12"], truth)
    assert vm.leaked("– 3 –", ["– 3 –"], truth)
    assert vm.leaked(f"page 3 sur 12 {PARA}", ["page 3 sur 12"], truth)
    assert not vm.leaked("Le budget atteint 3 M€ en 2025.", ["3"], truth)
    assert not vm.leaked("3 M€ en 2025.", ["3"], [("3 M€ en 2025.", 3)])


def test_leak_count_checks_page_numbers_near_their_page():
    running = [{"page": 3, "where": "footer", "text": "3"}]
    passages = [(f"{PARA} 3", (3,)), (f"{PARA} 3", (9,))]
    assert vm.leak_count(passages, running, [(PARA, 3)]) == 1


def test_similarity_accepts_label_and_sentence_without_detail():
    truth = (
        "Renforcer l'accompagnement des entreprises qui accueillent un premier apprenti. "
        "Les petites entreprises manquent de temps pour former."
    )
    with_label = "Préconisation n°3 : " + truth
    first_sentence = truth.split(". ")[0]
    assert vm.is_match(vm.similarity(truth, with_label))
    assert vm.is_match(vm.similarity(truth, first_sentence))
    assert not vm.is_match(vm.similarity(truth, "Renforcer l'accompagnement"))
    assert not vm.is_match(vm.similarity(truth, PARA))


def test_match_recommendations_one_to_one_and_numbers():
    a = "Créer un guichet unique pour les apprentis dans chaque bassin d'emploi de la région"
    b = "Financer des formations aux nouveaux métiers du numérique pour les demandeurs d'emploi"
    truth = [(1, a), (2, b), (None, "Soutenir les laboratoires publics de recherche appliquée")]
    found = [(1, a), (1, a), (5, b), (None, "Un tout autre sujet sans rapport avec le reste")]
    pairs, s = vm.match_recommendations(truth, found)
    assert pairs == [(0, 0), (1, 2)]
    assert (s.truth, s.found, s.matched, s.wrong_number) == (3, 4, 2, 1)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(2 / 3)
    _, s = vm.match_recommendations([(None, a)], [(None, a)])
    assert s.wrong_number == 0


def test_body_short_and_long_names_are_the_same_body():
    names = ["CESER Bretagne", "Conseil économique, social et environnemental régional de Bretagne"]
    assert vm.same_body("CESER Bretagne", names)
    assert vm.same_body("Conseil économique social et environnemental régional de Bretagne", names)
    assert not vm.same_body("Région Bretagne", names)
    assert not vm.same_body("CESER Normandie", names)
    assert not vm.same_body("", names)
    assert vm.same_body("Conseil régional d'Occitanie", ["Région Occitanie"])
    assert vm.same_body("Région Île-de-France", ["Conseil régional d’Île-de-France"])


def test_title_equality_or_containment():
    t = "L'apprentissage, une voie d'avenir pour les jeunes bretons"
    assert vm.same_title("L’apprentissage, une voie d’avenir pour les jeunes bretons", t)
    assert vm.same_title("Avis du CESER " + t, t)
    assert vm.same_title("L'apprentissage, une voie d'avenir pour", t)
    assert not vm.same_title("Avis", t)
    assert not vm.same_title(t + " " + PARA + " " + PARA, t)


def test_naive_paragraphs_cut_after_sentence_end_before_capital():
    pages = ["Titre du document\nUne phrase qui se\ntermine ici.\nUne autre phrase.", "suite"]
    assert [t for t, _ in naive_paragraphs(pages)] == [
        "Titre du document Une phrase qui se termine ici.",
        "Une autre phrase. suite",
    ]
    assert naive_paragraphs(["a b\n\nc d"]) == [("a b", (1,)), ("c d", (1,))]


def test_naive_recommendations_regex():
    paras = ["Préconisation n°2", "Créer un guichet unique pour les apprentis.", "Texte."]
    assert naive_recommendations(paras) == [(2, "Créer un guichet unique pour les apprentis.")]
    two = "Préconisation n° 1 : Agir vite et bien. Préconisation nº3 – Mesurer les effets réels."
    assert naive_recommendations([two]) == [
        (1, "Agir vite et bien."),
        (3, "Mesurer les effets réels."),
    ]


def test_score_of_one_document():
    from variety import Extraction, score

    rec = "Créer un guichet unique pour les apprentis dans chaque bassin d'emploi de la région."
    truth = {
        "meta": {
            "kind": "avis",
            "title": "L'apprentissage en Bretagne",
            "body": "CESER Bretagne",
            "body_long": "Conseil économique, social et environnemental régional de Bretagne",
            "date": "2025-06-18",
        },
        "paragraphs": [
            {"text": "L'apprentissage en Bretagne", "role": "cover", "page": 1},
            {"text": PARA, "role": "finding", "page": 2},
            {"text": rec, "role": "recommendation", "page": 3},
        ],
        "recommendations": [{"number": 3, "label": "Préconisation n°3", "text": rec, "page": 3}],
        "running": [
            {"page": 2, "where": "footer", "text": "2/3"},
            {"page": 3, "where": "footer", "text": "3/3"},
        ],
    }
    got = Extraction(
        passages=(
            ("L'apprentissage en Bretagne", (1,)),
            (PARA + " 2/3", (2,)),
            ("Préconisation n°3 : " + rec, (3,)),
        ),
        recommendations=((4, rec),),
        kind="avis",
        body="Conseil économique, social et environnemental régional de Bretagne",
        title="Avis du CESER : L'apprentissage en Bretagne",
        date="2025-06-18",
        pages=3,
        seconds=1.0,
    )
    s = score(truth, got)
    # the finding lies whole in its passage; the footer glued to it is a leak
    assert (s.whole, s.whole_of) == (2, 2)
    assert s.leaks == 1
    assert s.foreign == 0  # « 2/3 » is a running string, « préconisation n°3 » a label
    assert (s.rec.matched, s.rec.wrong_number) == (1, 1)
    assert s.meta == {"type": 1, "body": 1, "title": 1, "date": 1}


def test_a_misread_paragraph_that_names_the_running_head_is_no_leak():
    """An OCR'd paragraph naming « CESER Occitanie » (also the running head) with one word
    misread elsewhere is not the truth's text to the letter: its own mention is no leak, a
    head glued to it still is."""
    para = (
        "Chaque usage a sa légitimité. Le CESER Occitanie déplore que les arbitrages se "
        "fassent le plus souvent dans l'urgence, sans vision d'ensemble."
    )
    read = para.replace("l'urgence", "lurgence")
    truth = [(para, 2)]
    assert not vm.leaked(read, ["CESER Occitanie"], truth, pages=[2])
    assert vm.leaked(f"CESER Occitanie {read}", ["CESER Occitanie"], truth, pages=[2])
    # a part of the paragraph, misread, is no leak either; on another page it is checked
    assert not vm.leaked(read.split(". ")[1], ["CESER Occitanie"], truth, pages=[2])
    assert vm.leaked(read, ["CESER Occitanie"], truth, pages=[5])
