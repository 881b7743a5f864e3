"""Recommendations found by mechanism, on passages as extraction hands them over: labels alone
on a line, boxes read as tables or cut from their label, labels glued inside a paragraph,
sections filed beside their heading, group declarations; and the running-head rule that keeps
recommendation labels at the top of pages (VARIETY.md, « How recommendations are written »)."""

from __future__ import annotations

from helpers import set_words as words

from ceser_explorer.ingest import layout
from ceser_explorer.ingest.pdfread import RawPage
from ceser_explorer.ingest.recommendations import find_recommendations, label
from ceser_explorer.models import Box, PassageDraft, Provenance


def passage(kind: str, text: str, section: str = "", frame: str | None = None) -> PassageDraft:
    return PassageDraft(kind, text, Provenance((Box(1, 0, 0, 10, 10),), section), frame=frame)


def found(passages: list[PassageDraft], kind: str = "avis") -> list[tuple[int | None, str]]:
    _, recs = find_recommendations(passages, kind)
    return [(r.number, r.text) for r in recs]


def test_a_label_alone_on_its_line_heads_the_paragraphs_under_it() -> None:
    assert label("R4", "avis") == (4, "")
    recs = found(
        [
            passage("heading", "Recommandations"),
            passage("heading", "R1", "Recommandations"),
            passage("paragraph", "Créer un fonds. Il aiderait les PME.", "Recommandations > R1"),
            passage("heading", "R2", "Recommandations"),
            passage("paragraph", "Ouvrir les données.", "Recommandations > R2"),
        ]
    )
    assert recs == [(1, "Créer un fonds. Il aiderait les PME."), (2, "Ouvrir les données.")]


def test_a_box_read_as_a_one_column_table_is_a_recommendation() -> None:
    box = " | Préconisation n° 3\n | Adopter une charte régionale.\n | Elle fixerait les usages."
    real_table = "Vote | Voix\nPour | 85\nContre | 9"
    recs = found(
        [
            passage("heading", "Préconisations"),
            passage("table", box, "Préconisations"),
            passage("table", real_table, "Préconisations"),
        ]
    )
    assert recs == [(3, "Adopter une charte régionale. Elle fixerait les usages.")]


def test_a_label_in_a_strip_of_its_own_still_heads_the_box_text() -> None:
    # the label sits in a coloured strip (one frame), the text below it in another
    recs = found(
        [
            passage("heading", "Préconisation n° 5", "Préconisations", frame="4:0"),
            passage("paragraph", "Associer les représentants du personnel.", "x", frame="4:1"),
            passage("paragraph", "Un paragraphe d'après, hors du cadre.", "x", frame=None),
        ]
    )
    assert recs == [(5, "Associer les représentants du personnel.")]


def test_two_labelled_boxes_read_as_one_paragraph_give_two_recommendations() -> None:
    text = (
        "Recommandation 5 – Pérenniser les plateformes locales. Elles ont prouvé leur utilité. "
        "Recommandation 6 – Développer les immersions en entreprise."
    )
    recs = found([passage("paragraph", text, "Nos propositions")])
    assert recs == [
        (5, "Pérenniser les plateformes locales. Elles ont prouvé leur utilité."),
        (6, "Développer les immersions en entreprise."),
    ]


def test_a_numbered_item_under_a_sub_heading_of_the_recommendations_counts() -> None:
    # a line of the list was taken for a heading: the next items are filed under it
    section = "5 Recommandations > Un usage maîtrisé suppose de comprendre"
    recs = found(
        [
            passage("list_item", "5. Associer les représentants du personnel.", section),
            passage("list_item", "Le contexte a changé depuis 2020.", section),
        ]
    )
    assert recs == [(5, "Associer les représentants du personnel.")]


def test_a_paragraph_of_two_inline_recommendations_is_not_one_infinitive_item() -> None:
    # « Notre » ends like an infinitive; the paragraph holds two pieces of advice
    text = (
        "Notre assemblée recommande de créer un diagnostic cyber. Il lèverait un frein. "
        "Sur ce point, elle alerte sur la nécessité de renforcer le centre de réponse."
    )
    recs = found([passage("paragraph", text, "Ce que propose le CESER")])
    assert [t[:30] for _, t in recs] == [
        "Notre assemblée recommande de ",
        "Sur ce point, elle alerte sur ",
    ]


def test_group_declarations_filed_beside_their_heading_give_no_recommendation() -> None:
    # the group headings came out at the level of « Déclarations des groupes », not under it
    recs = found(
        [
            passage("heading", "Déclarations des groupes", "Titre"),
            passage("heading", "CFDT", "Titre"),
            passage(
                "paragraph",
                "Pour la CFDT, ce texte arrive à un moment décisif. Elle demande que le suivi "
                "de ces travaux fasse l'objet d'un point d'étape.",
                "Titre > CFDT",
            ),
        ]
    )
    assert recs == []


def test_labels_at_the_top_of_two_pages_are_no_running_head() -> None:
    body = words("Le CESER a entendu les acteurs de la filière hydrogène en région.", 300, 10)
    contents = [
        words("Avis – novembre 2025 – page 1", 30) + body,
        words("Avis – novembre 2025 – page 2", 30) + words("Action 2", 60, 11) + body,
        words("Avis – novembre 2025 – page 3", 30) + body,
        words("Avis – novembre 2025 – page 4", 30) + words("Action 6", 60, 11) + body,
    ]
    pages = [layout.layout_page(RawPage(n, 595, 842, ws)) for n, ws in enumerate(contents, 1)]
    layout.mark_running_lines(pages)
    roles = {ln.text: ln.role for p in pages for ln in p.items if isinstance(ln, layout.Line)}
    assert roles["Action 2"] == roles["Action 6"] == "body"
    assert roles["Avis – novembre 2025 – page 3"] == "header"


def test_a_pronoun_stands_for_the_body_named_last() -> None:
    group = "Pour la CFDT, ce texte arrive à un moment décisif. Elle demande un point d'étape."
    region = "La Région engage un plan pour la mer. Elle souhaite développer les ports."
    council = "Le CESER préconise de créer un fonds. Il aiderait les PME. Il recommande d'agir."
    assert found([passage("paragraph", group, "Conclusion")]) == []
    assert found([passage("paragraph", region, "Le plan")]) == []
    assert [t for _, t in found([passage("paragraph", council, "Avis")])] == [
        "Le CESER préconise de créer un fonds. Il aiderait les PME.",
        "Il recommande d'agir.",
    ]


def test_advice_filed_under_the_vote_section_is_still_advice() -> None:
    # a column read out of order puts the last paragraphs after « Résultat du vote »
    text = "Dans ce contexte, le CESER estime souhaitable de faire connaître la filière."
    recs = found(
        [
            passage("heading", "Résultat du vote", "Titre"),
            passage("paragraph", text, "Titre > Résultat du vote"),
        ]
    )
    assert recs == [(None, text)]


def test_a_numbered_list_goes_on_wherever_its_end_was_filed() -> None:
    recs = found(
        [
            passage("heading", "Préconisations"),
            passage("list_item", "I. Élaborer des plans de partage.", "Préconisations"),
            passage("list_item", "II. Créer un fonds d'appui.", "Préconisations"),
            passage("heading", "Résultat du vote"),
            passage("list_item", "III. Conditionner le soutien régional.", "Résultat du vote"),
            passage("list_item", "V. Ouvrir les instances.", "Résultat du vote"),
        ]
    )
    assert [n for n, _ in recs] == [1, 2, 3]


def test_a_run_in_lead_taken_for_a_heading_starts_its_recommendation() -> None:
    section = "E. Ce que propose le CESER"
    lead = f"{section} > Mettre en place, avec le"
    recs = found(
        [
            passage("heading", "E. Ce que propose le CESER"),
            passage("heading", "Mettre en place, avec le", section),
            passage("paragraph", "Carif-Oref, un tableau de bord annuel.", lead),
            passage("paragraph", "Renforcer l'accompagnement des entreprises.", lead),
        ]
    )
    assert recs == [
        (None, "Mettre en place, avec le Carif-Oref, un tableau de bord annuel."),
        (None, "Renforcer l'accompagnement des entreprises."),
    ]


def test_a_recommendation_cut_by_a_table_runs_on_after_it() -> None:
    recs = found(
        [
            passage("heading", "PRÉCONISATION N° 6", "Préconisations"),
            passage("paragraph", "Mettre en place un suivi des jeunes accompagnés par les", "x"),
            passage("table", "Contre | 6\nAbstentions | 6", "x"),
            passage("paragraph", "dispositifs régionaux sur trois ans.", "x"),
        ]
    )
    assert recs == [
        (
            6,
            "Mettre en place un suivi des jeunes accompagnés par les dispositifs régionaux "
            "sur trois ans.",
        )
    ]


def test_a_pronominal_infinitive_opens_a_recommendation() -> None:
    text = "S’appuyer sur les analyses du Carif-Oref pour faire évoluer la carte des formations."
    assert found([passage("paragraph", text, "Ce que propose le CESER")]) == [(None, text)]


def test_a_summary_line_that_keeps_a_hyphen_the_full_text_lost_is_one_recommendation() -> None:
    full = "Organiser des formations qualifiantes multimétiers pour les saisonniers l'hiver."
    summary = "4. Organiser des formations qualifiantes multi-métiers pour les saisonniers"
    recs = found(
        [
            passage("list_item", f"4. {full}", "Les préconisations du CESER"),
            passage("list_item", summary, "Synthèse des propositions"),
        ]
    )
    assert recs == [(4, full)]


def test_a_head_on_the_last_page_only_goes_when_made_of_cover_names_dates_and_numbers() -> None:
    body = words("Le CESER a entendu les acteurs de la filière hydrogène en région.", 300, 10)
    cover = words("Hydrogène vert", 200, 22) + words(
        "Conseil économique, social et environnemental régional d'Occitanie", 280, 13
    )
    note = words("1 Audition du 3 mars 2021 devant la commission.", 790, 8)
    contents = [
        cover,
        body,
        body + note,
        words("CESER Occitanie – Avis", 30)
        + body
        + words("2022 · page 4", 800)
        + words("Hydrogène", 790, 8, x=300),
    ]
    pages = [layout.layout_page(RawPage(n, 595, 842, ws)) for n, ws in enumerate(contents, 1)]
    layout.mark_running_lines(pages)
    roles = {ln.text: ln.role for p in pages for ln in p.items if isinstance(ln, layout.Line)}
    assert roles["CESER Occitanie – Avis"] == roles["2022 · page 4"] == "header"
    # a note, and a single name without a page number or a date, stay
    assert roles["1 Audition du 3 mars 2021 devant la commission."] == "body"
    assert roles["Hydrogène"] == "body"


def test_an_ocr_comma_after_a_list_number_and_an_item_taken_for_a_heading() -> None:
    section = "5 Recommandations"
    ocr_item = PassageDraft(
        "paragraph",
        "2, Garantir un accès humain aux services publics.",
        Provenance((Box(1, 0, 0, 10, 10),), section),
        ocr=True,
    )
    recs = found(
        [
            passage("heading", section),
            passage("list_item", "1. Adopter une charte régionale.", section),
            ocr_item,
            passage("heading", "3. Améliorer en priorité l'information des", ""),
            passage("paragraph", "voyageurs du TER en cas de perturbation.", "3. Améliorer"),
        ]
    )
    assert recs == [
        (1, "Adopter une charte régionale."),
        (2, "Garantir un accès humain aux services publics."),
        (3, "Améliorer en priorité l'information des voyageurs du TER en cas de perturbation."),
    ]


def test_a_numbered_section_heading_after_the_list_is_no_item_of_it() -> None:
    recs = found(
        [
            passage("heading", "Synthèse des propositions"),
            passage("list_item", "3) Créer un réseau.", "Synthèse des propositions"),
            passage("heading", "IV. Faire entrer l'entreprise dans l'orientation", ""),
            passage("paragraph", "Les entreprises se disent prêtes.", "IV. Faire entrer"),
        ]
    )
    assert recs == [(3, "Créer un réseau.")]


def test_boxes_side_by_side_read_label_label_text_text_keep_their_numbers() -> None:
    # two boxes in two columns: the second box's label is read right after the first's, then
    # the second box's text, then the first's (« Proposition V », « Proposition VII »)
    recs = found(
        [
            passage("heading", "Recommandations"),
            passage("heading", "Proposition V", "Recommandations", frame="5:1"),
            passage("heading", "Proposition VII", "Recommandations", frame="5:3"),
            passage("paragraph", "Ouvrir les marchés publics aux PME.", "Recommandations", "5:3"),
            passage("paragraph", "Fixer des objectifs de mixité.", "Recommandations", "5:1"),
        ]
    )
    assert sorted(recs, key=lambda r: r[0] or 0) == [
        (5, "Fixer des objectifs de mixité."),
        (7, "Ouvrir les marchés publics aux PME."),
    ]


def test_a_title_beside_a_box_read_into_its_label_line_does_not_take_its_number() -> None:
    # « Glossaire », the heading of the next column, joined the label's line; its table is
    # read between the label and the box's text
    recs = found(
        [
            passage("heading", "Recommandations"),
            passage("heading", "Préconisation n° 8 Glossaire", "Recommandations", frame="5:0"),
            passage("table", "Sigle | Signification\nPME | Petites et moyennes entreprises"),
            passage("paragraph", "Publier chaque année un bilan des aides.", "Glossaire", "5:0"),
        ]
    )
    assert recs == [(8, "Publier chaque année un bilan des aides.")]
