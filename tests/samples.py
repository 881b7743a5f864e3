"""Builders of the small test PDFs, each named after what it tests."""

from __future__ import annotations

from pathlib import Path

from pdfgen import Column, image_page, new_canvas, text_image, write_page

HEADER = "CESER Test · Avis d'essai sur la formation"


def two_columns(path: Path) -> Path:
    """Three pages, two columns, a paragraph running from the left to the right column and
    on to the next page, hyphenated line ends, a footnote, running header and footer."""
    c = new_canvas(path)
    write_page(
        c,
        [
            Column(
                56,
                [
                    ("Avis du CESER Test", 22, True),
                    "",
                    ("La formation des adultes", 16, True),
                    "",
                    "Adopté en séance plénière le 3 mars 2024",
                ],
            )
        ],
    )
    left = Column(
        56,
        [
            ("1. Le contexte régional", 13, True),
            "",
            "La région compte de nombreux organismes de",
            "formation qui accompagnent les salariés et les",
            "demandeurs d'emploi dans le développement de",
            "leurs compé-",
            "tences tout au long de la vie professionnelle^1 et",
            "le porte-",
            "parole du collectif insiste sur la",
            "coordination avec le Carif-",
            "Oref pour suivre les entrées en formation dans",
        ],
    )
    right = Column(
        310,
        [
            "chaque bassin d'emploi de la région, y compris",
            "dans les territoires ruraux les plus isolés.",
            "",
            "Un second paragraphe traite de l'apprentis-",
            "sage dans les petites entreprises artisanales.",
            "Le CESER recommande de renforcer l'accompa-",
            "gnement des maîtres d'apprentissage et de",
            "simplifier les démarches administratives des",
        ],
    )
    write_page(
        c,
        [left, right],
        header=HEADER,
        footer="Page 2",
        footnotes=[(56, "1 Source : enquête régionale sur la formation continue, 2023.")],
    )
    left3 = Column(
        56,
        [
            "employeurs qui accueillent des apprentis dans",
            "les métiers en tension du bâtiment.",
            "",
            ("2. Les préconisations", 13, True),
            "",
            ("Préconisation n°1", 10, True),
            "Créer un fonds régional pour la formation des",
            "formateurs aux outils numériques.",
        ],
    )
    right3 = Column(
        310,
        [
            ("Préconisation n°2", 10, True),
            "Ouvrir des places de formation qualifiante",
            "dans chaque département de la région.",
            "",
            "Le CESER invite la Région à publier chaque",
            "année un bilan des entrées en formation.",
        ],
    )
    write_page(
        c,
        [left3, right3],
        header=HEADER,
        footer="Page 3",
        boxes=[(50, 200, 290, 240), (304, 84, 545, 122)],
    )
    c.save()
    return path


def scanned(path: Path) -> Path:
    """A text page followed by an image-only (scanned) page."""
    c = new_canvas(path)
    write_page(
        c,
        [
            Column(
                56,
                [
                    "Avis du CESER Test sur les transports",
                    "",
                    "Ce document contient une page numérisée.",
                ],
            )
        ],
    )
    image_page(
        c,
        text_image(
            [
                "Le CESER recommande de moderniser les gares",
                "régionales et de renforcer la desserte des",
                "territoires ruraux par des lignes de car.",
            ]
        ),
    )
    c.save()
    return path


def budget_table(path: Path) -> Path:
    """A plan page: a measure heading, a paragraph, a ruled 3x3 table, a closing paragraph."""
    from pdfgen import H, _fonts

    c = new_canvas(path)
    regular, bold = _fonts()
    c.setFont(bold, 14)
    c.drawString(56, H - 90, "Axe 1 – Structurer la filière")
    c.setFont(regular, 10)
    c.drawString(56, H - 120, "Le tableau ci-dessous détaille les montants engagés par mesure.")
    rows = [
        ("Mesure", "Montant", "Calendrier"),
        ("Mesure 1.1", "18 M€", "2024-2028"),
        ("Mesure 1.2", "2,5 M€", "2025"),
    ]
    x = [56, 220, 360, 500]
    y0 = H - 150
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            c.setFont(bold if i == 0 else regular, 10)
            c.drawString(x[j] + 4, y0 - 20 * i - 14, cell)
    for i in range(len(rows) + 1):
        c.line(x[0], y0 - 20 * i, x[-1], y0 - 20 * i)
    for xx in x:
        c.line(xx, y0, xx, y0 - 20 * len(rows))
    c.setFont(regular, 10)
    c.drawString(56, y0 - 100, "Ces crédits sont votés chaque année au budget primitif.")
    c.showPage()
    c.save()
    return path


def encrypted(path: Path, source: Path) -> Path:
    """A copy of source that needs a user password to open."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    with path.open("wb") as f:
        writer.write(f)
    return path


def no_pages(path: Path) -> Path:
    """A syntactically valid PDF with an empty page tree."""
    from pypdf import PdfWriter

    with path.open("wb") as f:
        PdfWriter().write(f)
    return path
