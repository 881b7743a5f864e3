"""French phrasing helpers: dates, labels, recommendation sentences, generated paragraphs."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from . import ir

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
MONTHS_ABBR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
               "oct.", "nov.", "déc."]


def typo(text: str, style: ir.Style) -> str:
    """Apply the house typography: apostrophes, spaces inside guillemets."""
    text = text.replace("'", style.apostrophe).replace("’", style.apostrophe)
    text = re.sub(r"«\s*", "«" + style.nbsp_guillemets, text)
    return re.sub(r"\s*»", style.nbsp_guillemets + "»", text)


def day_text(d: date) -> str:
    """« 1er mars 2025 », « 12 novembre 2025 »."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


def date_variants(d: date) -> dict[str, str]:
    """The ways an adoption date is printed."""
    return {"long": day_text(d), "numeric": d.strftime("%d/%m/%Y"),
            "abbr": f"{d.day} {MONTHS_ABBR[d.month - 1]} {d.year}",
            "month": f"{MONTHS[d.month - 1]} {d.year}", "year": str(d.year)}


def hearing_dates(d: date, rng: random.Random) -> list[date]:
    """Two to four earlier dates (hearings), which are not the adoption date."""
    start = d - timedelta(days=rng.randint(40, 120))
    days = {start + timedelta(days=rng.randint(0, 35)) for _ in range(rng.randint(2, 4))}
    return sorted({working_day(x) for x in days})


HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def working_day(d: date) -> date:
    """The next weekday that is not a fixed public holiday."""
    while d.weekday() >= 5 or (d.month, d.day) in HOLIDAYS:
        d += timedelta(days=1)
    return d


VOWEL = re.compile(r"^[aeiouyàâäéèêëîïôöùûüœh]", re.I)


def de(word_phrase: str) -> str:
    """« de » + phrase with elision before a vowel or mute h."""
    return ("d'" if VOWEL.match(word_phrase) else "de ") + word_phrase


def cap(s: str) -> str:
    """Capitalise the first letter."""
    return s[:1].upper() + s[1:]


def label_for(template: str, n: int) -> str:
    """Fill a label template with the number in its numbering."""
    return template.format(n=n, roman=ir.roman(n), letter=ir.letter(n), ROMAN=ir.roman(n))


# (3rd person singular, 1st plural, follows with « de » elision?)
VERBS: list[tuple[str, str, bool]] = [
    ("préconise", "préconisons", True), ("recommande", "recommandons", True),
    ("demande à la Région", "demandons à la Région", True), ("propose", "proposons", True),
    ("souhaite que la Région s'attache à", "souhaitons que la Région s'attache à", False),
    ("invite la Région à", "invitons la Région à", False), ("appelle à", "appelons à", False),
    ("suggère", "suggérons", True), ("encourage la Région à", "encourageons la Région à", False),
    ("insiste sur la nécessité", "insistons sur la nécessité", True),
    ("estime nécessaire", "estimons nécessaire", True),
    ("juge indispensable", "jugeons indispensable", True),
    ("attire l'attention sur la nécessité", "attirons l'attention sur la nécessité", True),
    ("plaide pour", "plaidons pour", False),
    ("alerte sur la nécessité", "alertons sur la nécessité", True),
    ("estime souhaitable", "estimons souhaitable", True),
]
LEADS = ["", "", "", "Dans ce contexte, ", "En conséquence, ", "Pour ces raisons, ", "Enfin, ",
         "Au-delà, ", "Sur ce point, "]


def prose_sentence(action: str, subject: str, rng: random.Random, verb: int | None = None) -> str:
    """« Le CESER préconise de renforcer… »; subject « nous » conjugates in the plural; verb is
    an index in VERBS (random when None)."""
    if subject == "impersonal":
        head = rng.choice(["Il conviendrait", "Il serait souhaitable", "Il paraît nécessaire"])
        return f"{head} {de(action)}."
    sing, plural, with_de = rng.choice(VERBS) if verb is None else VERBS[verb % len(VERBS)]
    verb = plural if subject.lower() == "nous" else sing
    tail = f"{verb} {de(action)}" if with_de else f"{verb} {action}"
    lead = rng.choice(LEADS)
    subj = subject[:1].lower() + subject[1:] if lead else subject
    return f"{lead}{subj} {tail}."


def acronym(body: str) -> str:
    """CESEC for the overseas and Corsican councils that use it, else CESER."""
    return "CESEC" if "CESEC" in body else "CESER"


def subjects(body: str, region: str) -> list[tuple[str, str]]:
    """Explicit subjects and the pronoun that may follow them."""
    acr = acronym(body)
    named = body if body.startswith(acr) else f"{acr} {region}"
    return [(f"Le {acr}", "Il"), (f"Le {named}", "Il"), ("Le Conseil", "Il"),
            ("Notre assemblée", "Elle"), ("Nous", "Nous"), ("impersonal", "impersonal")]


GROUPS: list[tuple[str, str]] = [  # (subject as printed, pronoun)
    ("Le groupe des entreprises", "il"), ("La CFDT", "elle"), ("La CGT", "elle"),
    ("Force ouvrière", "elle"), ("La CFE-CGC", "elle"), ("L'UNSA", "elle"),
    ("Le groupe des associations", "il"), ("Le groupe des chambres consulaires", "il"),
    ("La FSU", "elle"), ("Le groupe de l'agriculture", "il"),
]
DECLARATIONS = [
    "{g} partage l'essentiel du diagnostic de cet avis. {Il} aurait souhaité que la question "
    "des moyens soit davantage approfondie, mais {il} en approuve les orientations et le votera.",
    "{g} salue la qualité du travail conduit par la commission et par ses rapporteurs. {Il} "
    "regrette toutefois que le calendrier imposé n'ait pas permis d'entendre davantage d'acteurs "
    "de terrain.",
    "Pour {gl}, ce texte arrive à un moment décisif. {Il} demande que le suivi de ces travaux "
    "fasse l'objet d'un point d'étape devant l'assemblée dans un délai d'un an.",
    "{g} s'abstiendra. Sans contester la pertinence de plusieurs constats, {il} estime que "
    "certaines orientations auraient mérité un débat plus large au sein de l'assemblée.",
    "{g} votera cet avis, qui reprend plusieurs de ses propositions. {Il} restera attentif à la "
    "manière dont la collectivité s'en saisira dans ses prochaines délibérations.",
]


def declarations(rng: random.Random, k: int) -> list[tuple[str, str]]:
    """k « déclarations de groupes » as (group heading, text); never CESER recommendations."""
    groups = rng.sample(GROUPS, k)
    texts = rng.sample(DECLARATIONS, k)
    out = []
    for (g, pron), tpl in zip(groups, texts, strict=True):
        gl = g[0].lower() + g[1:] if g.startswith(("Le ", "La ")) else g
        out.append((g.replace("Le groupe", "Groupe").replace("La ", "").replace("L'", ""),
                    tpl.format(g=g, gl=gl, Il=cap(pron), il=pron)))
    return out


NOTES = [
    "Données de l'observatoire régional, dernière année disponible.",
    "Audition du {hearing} devant la commission.",
    "Chiffres arrondis ; le détail figure en annexe.",
    "Source : services de la Région, traitement de la commission.",
    "Ce périmètre inclut les établissements publics et privés sous contrat.",
    "Voir la partie {part} du présent document.",
]

GLOSSARY = {
    "AFPA": "Agence nationale pour la formation professionnelle des adultes",
    "BTS": "Brevet de technicien supérieur",
    "CAP": "Certificat d'aptitude professionnelle",
    "CESEC": "Conseil économique, social, environnemental et culturel",
    "CESER": "Conseil économique, social et environnemental régional",
    "CFA": "Centre de formation d'apprentis",
    "CHU": "Centre hospitalier universitaire",
    "CIRAD": "Centre de coopération internationale en recherche agronomique pour le développement",
    "CNFPT": "Centre national de la fonction publique territoriale",
    "CNRS": "Centre national de la recherche scientifique",
    "CPRDFOP": "Contrat de plan régional de développement des formations et de l'orientation "
               "professionnelles",
    "IA": "Intelligence artificielle",
    "INRAE": "Institut national de recherche pour l'agriculture, l'alimentation et "
             "l'environnement",
    "IRD": "Institut de recherche pour le développement",
    "IUT": "Institut universitaire de technologie",
    "ONISEP": "Office national d'information sur les enseignements et les professions",
    "OPCO": "Opérateur de compétences",
    "PIB": "Produit intérieur brut",
    "PME": "Petites et moyennes entreprises",
    "SNCF": "Société nationale des chemins de fer français",
    "SRDEII": "Schéma régional de développement économique, d'innovation et "
              "d'internationalisation",
    "SRESRI": "Schéma régional de l'enseignement supérieur, de la recherche et de l'innovation",
    "TER": "Transport express régional",
    "TPE": "Très petites entreprises",
    "TVA": "Taxe sur la valeur ajoutée",
}
