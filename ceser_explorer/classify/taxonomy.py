"""The theme taxonomy (a TOML file) and the labelled passages (JSONL files).

Nothing in the code names a theme: the keys, labels, definitions, examples and keywords
all come from the taxonomy file, so that a user can add a theme and retrain. Ours ship in
the package (``ceser_explorer:data/themes.toml``, ``ceser_explorer:data/labels/``).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import resources
from ..errors import CeserError
from ..resources import Source

DEFAULT_TAXONOMY = resources.TAXONOMY
DEFAULT_DATA = resources.PACKAGED_LABELS
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Theme:
    """One theme: its key, French label, definition, examples and keywords."""

    key: str
    label: str
    definition: str
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def description(self) -> str:
        """Return the label and definition as one sentence (for zero-shot similarity)."""
        return f"{self.label} : {self.definition}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "definition": self.definition,
            "examples": list(self.examples),
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True)
class Taxonomy:
    """The themes in file order."""

    themes: tuple[Theme, ...]
    source: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.themes)

    def theme(self, key: str) -> Theme:
        """Return the theme of the given key, or raise CeserError naming the known keys."""
        for t in self.themes:
            if t.key == key:
                return t
        raise CeserError(f"thème « {key} » inconnu : thèmes connus {', '.join(self.keys)}.")

    def label(self, key: str) -> str:
        return self.theme(key).label


@dataclass(frozen=True)
class LabelledPassage:
    """A hand-labelled passage: its id, text, themes, split (train or test) and document.

    doc names the document the passage was taken from, when it was (cross-validation then
    holds out a document's passages together); passages written one by one have none.
    section: the heading it stands under in that document, when it has one: it goes in
    front of the text embedded, as at ingest (``index.passage_text``).
    """

    id: str
    text: str
    labels: tuple[str, ...]
    split: str
    doc: str = ""
    section: str = ""


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CeserError(f"{where} doit être une liste de textes entre guillemets.")
    return tuple(v for v in value if v.strip())


def load_taxonomy(path: Source = DEFAULT_TAXONOMY) -> Taxonomy:
    """Return the taxonomy read from a TOML file with one [themes.<key>] table per theme."""
    p = resources.display(path)
    f = resources.resolve(path)
    if not f.is_file():
        raise CeserError(f"taxonomie introuvable : {p}. Indiquez le fichier avec --taxonomy.")
    try:
        data = tomllib.loads(f.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CeserError(f"{p} n'est pas un fichier TOML valide ({e}). Corrigez-le.") from e
    table = data.get("themes")
    if not isinstance(table, dict) or not table:
        raise CeserError(f"{p} ne définit aucun thème : ajoutez des tables [themes.<clé>].")
    themes = []
    for key, spec in table.items():
        where = f"{p} [themes.{key}]"
        if not isinstance(spec, dict):
            raise CeserError(f"{where} doit être une table (label, definition, examples…).")
        definition = str(spec.get("definition", "")).strip()
        if not definition:
            raise CeserError(f'{where} : la définition (definition = "…") est obligatoire.')
        themes.append(
            Theme(
                key=key,
                label=str(spec.get("label") or key),
                definition=definition,
                examples=_strings(spec.get("examples"), f"{where} examples"),
                keywords=_strings(spec.get("keywords"), f"{where} keywords"),
            )
        )
    return Taxonomy(tuple(themes), p)


def taxonomy_from_dicts(items: list[dict[str, Any]], source: str = "") -> Taxonomy:
    """Return a taxonomy rebuilt from Theme.to_dict() values (as saved with a model)."""
    return Taxonomy(
        tuple(
            Theme(d["key"], d["label"], d["definition"], tuple(d["examples"]), tuple(d["keywords"]))
            for d in items
        ),
        source,
    )


def load_labelled(path: Source, taxonomy: Taxonomy) -> list[LabelledPassage]:
    """Return the labelled passages of a JSONL file, checking labels against the taxonomy."""
    p = resources.display(path)
    f = resources.resolve(path)
    if not f.is_file():
        raise CeserError(f"données annotées introuvables : {p}. Indiquez le fichier avec --labels.")
    known = set(taxonomy.keys)
    out: list[LabelledPassage] = []
    seen: set[str] = set()
    for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{p}, ligne {n}"
        try:
            row = json.loads(line)
            pid, text, labels = str(row["id"]), str(row["text"]), row.get("labels") or []
            split = str(row.get("split", "train"))
            doc = str(row.get("doc") or "")
            section = str(row.get("section") or "")
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise CeserError(f"{where} : objet JSON attendu avec id, text, labels ({e}).") from e
        unknown = [lab for lab in labels if lab not in known]
        if unknown:
            alone = ", ou entraînez sur vos seules annotations (--replace)"
            raise CeserError(
                f"{where} : thème « {unknown[0]} » absent de la taxonomie "
                f"({', '.join(taxonomy.keys)}). Ajoutez-le au fichier des thèmes"
                f"{alone if resources.is_packaged(path) else ''}."
            )
        if split not in SPLITS:
            raise CeserError(f"{where} : split « {split} » inconnu (train ou test).")
        if pid in seen:
            raise CeserError(f"{where} : identifiant « {pid} » en double.")
        seen.add(pid)
        out.append(
            LabelledPassage(
                pid, text, tuple(k for k in taxonomy.keys if k in labels), split, doc, section
            )
        )
    if not out:
        raise CeserError(f"{p} ne contient aucun passage annoté.")
    return out


def label_sources(data: Source | Sequence[Source] | None) -> tuple[Source, ...]:
    """Return the labelled files to read: one, several, or ours when data is None."""
    if data is None:
        return DEFAULT_DATA
    if isinstance(data, str | os.PathLike) or not isinstance(data, Sequence):
        return (data,)
    if not data:
        raise CeserError("aucun fichier de passages annotés : indiquez-en un avec --labels.")
    return tuple(data)


def load_label_sets(
    data: Source | Sequence[Source] | None, taxonomy: Taxonomy
) -> list[LabelledPassage]:
    """Return the passages of several labelled files, in order; a passage whose id an earlier
    file already has replaces it (a CESER's own labels correct ours), at its first place."""
    merged: dict[str, LabelledPassage] = {}
    for source in label_sources(data):
        for passage in load_labelled(source, taxonomy):
            merged[passage.id] = passage
    return list(merged.values())
