"""Click's own words in French: usage errors (« Argument manquant »), help headings and notes.

Click writes them in English through gettext; the CLI speaks French everywhere else, so its
modules' gettext functions are replaced by these tables once, when the CLI is imported. A
message that is not in the tables (a newer Click's) stays in English rather than vanish.
"""

from __future__ import annotations

import gettext as _gettext
from types import ModuleType

from click import core, decorators, exceptions, formatting, parser, termui, types

MESSAGES = {
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
    "Options": "Options",
    "Positional arguments": "Arguments",
    "Commands": "Commandes",
    "env var: {var}": "variable d'environnement : {var}",
    "default: {default}": "défaut : {default}",
    "(dynamic)": "(calculé)",
    "required": "obligatoire",
    "deprecated": "obsolète",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "unknown error": "erreur inconnue",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Could not open file {filename!r}: {message}": (
        "Impossible d'ouvrir le fichier « {filename} » : {message}"
    ),
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "No such option {name!r}.": "Option inconnue : {name}.",
    "No such command {name!r}.": "Commande inconnue : {name}.",
    "Usage:": "Utilisation :",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Option {name!r} does not take a value.": "L'option {name} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name} prend {nargs} valeurs.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "« {value} » n'est pas un booléen : valeurs reconnues {states}"
    ),
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide.",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture impossible.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture impossible.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : pas exécutable.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
}
PLURALS = {
    "Got unexpected extra argument ({args})": (
        "Argument en trop : {args}",
        "Arguments en trop : {args}",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Prend {nargs} valeurs, 1 donnée.",
        "Prend {nargs} valeurs, {len} données.",
    ),
    "Did you mean {possibility}?": (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'une de : {possibilities} ?)",
    ),
    "Option {name!r} requires an argument.": (
        "L'option {name} demande une valeur.",
        "L'option {name} demande {nargs} valeurs.",
    ),
    "{value!r} is not {choice}.": (
        "« {value} » n'est pas {choice}.",
        "« {value} » n'est pas l'une de ces valeurs : {choices}.",
    ),
    "{value!r} does not match the format {format}.": (
        "« {value} » ne suit pas le format {format}.",
        "« {value} » ne suit aucun des formats {formats}.",
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "{len_type} valeurs demandées, {len_value} donnée.",
        "{len_type} valeurs demandées, {len_value} données.",
    ),
}
MODULES: tuple[ModuleType, ...] = (
    core,
    decorators,
    exceptions,
    formatting,
    parser,
    termui,
    types,
)


def french(message: str) -> str:
    """Return Click's message in French (as it is when it has no translation)."""
    return MESSAGES.get(message, message)


def french_plural(singular: str, plural: str, n: int) -> str:
    """Return the French singular or plural of Click's message."""
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n == 1 else many
    return _gettext.ngettext(singular, plural, n)


def install() -> None:
    """Make Click speak French in this process (its modules look the functions up by name)."""
    for module in MODULES:
        if hasattr(module, "_"):
            module._ = french  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = french_plural  # type: ignore[attr-defined]


__all__ = ["MESSAGES", "PLURALS", "install"]
