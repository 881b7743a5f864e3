"""Labelled whole documents written for training (``corpus/train-docs/`` of the source checkout).

Each TOML file is one avis or plan written for the theme model, not laid out as a PDF: its
sections and their paragraphs, each with the themes written with it (``data/labels/
GUIDELINES.md``) and its role. Written like the variety corpus's tuning half: a passage
keeps its document (cross-validation holds a document out whole, ``doc_blend`` leans it toward
its document) and its section heading (in front of its text in its vector, as at ingest).
``write_labels`` writes them to ``data/labels/train-docs.jsonl`` (``make theme-model``). They
are not among the packaged model's labels (``resources.PACKAGED_LABELS``: a model trained with
them scored lower on the variety test half, docs/themes.md); ``ceser classify train --labels
ceser_explorer:data/labels/train-docs.jsonl`` adds them to a CESER's own model.

File format::

    id = "region-subject"          # the document's id: unique, not one of the variety corpus
    kind = "avis"                  # avis, plan or other; title, region, body, date: what it is
    title = "…"
    [[sections]]
    heading = "1. …"
      [[sections.paragraphs]]
      text = "…"
      themes = ["formation"]       # a subset of the taxonomy's keys, [] for none
      role = "recommendation"      # body (default), finding, recommendation, measure, declaration
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import CeserError
from ..vocabulary import DocKind

ID_PREFIX = "D:"
ROLES = ("body", "finding", "recommendation", "measure", "declaration")
KINDS = tuple(k.value for k in DocKind)
FIELDS = ("id", "kind", "title", "region", "body", "date")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def corpus_folder() -> Path:
    """Return the training documents' folder of the source checkout (absent from a wheel)."""
    return Path(__file__).resolve().parents[2] / "corpus" / "train-docs"


def _fail(path: Path, where: str, what: str) -> CeserError:
    return CeserError(f"{path} {where}: {what}")


def read_document(path: Path, keys: Sequence[str]) -> dict[str, Any]:
    """Return one training document (its fields and its passages), or raise CeserError naming
    the file, the place and the fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CeserError(f"{path} n'est pas un fichier TOML valide ({e}) : corrigez-le.") from e
    for field in FIELDS:
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise _fail(path, "", f"le champ « {field} » (texte non vide) manque.")
    if data["kind"] not in KINDS:
        raise _fail(path, "", f"kind « {data['kind']} » inconnu ({', '.join(KINDS)}).")
    doc = data["id"]
    if not ID_PATTERN.match(doc) or doc != path.stem:
        raise _fail(
            path,
            "",
            f"id « {doc} » : minuscules, chiffres et tirets, le nom du fichier sans .toml.",
        )
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise _fail(path, "", "aucune section ([[sections]] avec heading et paragraphs).")
    known = set(keys)
    passages = []
    for s, section in enumerate(sections, 1):
        heading = section.get("heading") if isinstance(section, dict) else None
        if not isinstance(heading, str) or not heading.strip():
            raise _fail(path, f"section {s}", "le titre (heading = « … ») manque.")
        paragraphs = section.get("paragraphs")
        if not isinstance(paragraphs, list) or not paragraphs:
            raise _fail(path, f"section {s}", "aucun paragraphe ([[sections.paragraphs]]).")
        for n, para in enumerate(paragraphs, 1):
            where = f"section {s}, paragraphe {n}"
            if not isinstance(para, dict):
                raise _fail(path, where, "table attendue (text, themes, role).")
            text, themes = para.get("text"), para.get("themes")
            role = para.get("role", "body")
            if not isinstance(text, str) or not text.strip():
                raise _fail(path, where, "le texte (text = « … ») manque.")
            if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
                raise _fail(path, where, "themes = [ … ] manque ([] pour aucun thème).")
            unknown = sorted(set(themes) - known)
            if unknown:
                raise _fail(path, where, f"thème « {unknown[0]} » inconnu ({', '.join(keys)}).")
            if len(set(themes)) != len(themes):
                raise _fail(path, where, "un thème y figure deux fois.")
            if role not in ROLES:
                raise _fail(path, where, f"rôle « {role} » inconnu ({', '.join(ROLES)}).")
            passages.append(
                {
                    "text": " ".join(text.split()),
                    "labels": [k for k in keys if k in themes],
                    "section": " ".join(heading.split()),
                    "role": role,
                }
            )
    return {field: data[field] for field in FIELDS} | {"passages": passages}


def label_rows(
    keys: Sequence[str], folder: Path | None = None, taken: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Return the passages of every training document of folder as JSONL rows (id, text,
    labels, split train, doc, section); taken: document ids already used elsewhere (the
    variety corpus's), which a training document may not reuse."""
    folder = folder or corpus_folder()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CeserError(f"{folder} ne contient aucun document d'entraînement (*.toml).")
    rows: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for path in files:
        doc = read_document(path, keys)
        if doc["id"] in taken:
            raise _fail(path, "", f"id « {doc['id']} » déjà pris par le corpus de variété.")
        for n, p in enumerate(doc["passages"]):
            pid = f"{ID_PREFIX}{doc['id']}:{n}"
            if p["text"] in texts:
                raise _fail(path, f"passage {n}", f"même texte que {texts[p['text']]}.")
            texts[p["text"]] = pid
            rows.append(
                {
                    "id": pid,
                    "text": p["text"],
                    "labels": p["labels"],
                    "split": "train",
                    "doc": doc["id"],
                    "section": p["section"],
                }
            )
    return rows


def write_labels(path: Path, keys: Sequence[str], folder: Path | None = None) -> int:
    """Write the training documents' passages to path (JSONL); return how many."""
    from .variety import document_ids, write_jsonl

    return write_jsonl(path, label_rows(keys, folder, document_ids()))
