"""Labelled passages of the variety corpus (``corpus/variety/`` of the source checkout).

The variety corpus holds avis and plans of other regions, authors and PDF producers, split
by document into a tuning half and a test half (``split.toml``). Its truth files list every
printed text with its role; the passages the bank labels (paragraphs, findings,
recommendations, plan measures and sentences, group declarations) carry their themes as
written with the text. The tuning half is shipped as labelled passages (``data/labels/
variety-tune.jsonl``, written by ``write_tune_labels``) and trains the packaged model; the
test half is never trained or tuned on and serves ``ceser classify eval --set variety-test``.
The corpus is not in the wheel: the variety sets need the repository.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import CeserError
from .taxonomy import LabelledPassage, Taxonomy

HALVES = ("tune", "test")
# the roles whose themes the bank writes; headings, cover and sommaire lines, table cells,
# footnotes, sidebars, pull quotes and list items are printed copies or fragments, unlabelled
LABELLED_ROLES = frozenset(
    {"body", "finding", "recommendation", "measure", "plan_sentence", "declaration"}
)
ID_PREFIX = "V:"
# what follows a heading that is a caption, not a section of the text
BOXED_ROLES = frozenset({"sidebar", "table_cell", "toc", "measure", "pull_quote"})


def corpus_folder() -> Path:
    """Return the variety corpus folder of the source checkout (absent from an installed wheel)."""
    return Path(__file__).resolve().parents[2] / "corpus" / "variety"


def check_corpus(folder: Path | None = None) -> Path:
    """Return the variety corpus folder, or raise CeserError (one line) when it is absent."""
    folder = folder or corpus_folder()
    if not (folder / "split.toml").is_file() or not (folder / "truth").is_dir():
        raise CeserError(
            f"corpus de variété introuvable ({folder}) : il n'est pas livré avec le paquet ; "
            "lancez la commande depuis le dépôt ceser-explorer (make variety) ou choisissez "
            "--set ours."
        )
    return folder


def _split(folder: Path) -> dict[str, str]:
    split_file = check_corpus(folder) / "split.toml"
    try:
        halves = tomllib.loads(split_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CeserError(f"{split_file} n'est pas un fichier TOML valide ({e}).") from e
    return {str(k): str(v) for k, v in halves.items()}


def sections(entries: Sequence[dict[str, Any]]) -> list[str]:
    """Return the section each printed entry of a truth file stands under: the last heading
    before it that opens a part of the text (not the title of a sidebar, a table or the
    sommaire, nor a plan measure's own heading, which the measure's passage holds)."""
    out, current = [], ""
    for n, entry in enumerate(entries):
        if entry["role"] == "heading":
            following = entries[n + 1]["role"] if n + 1 < len(entries) else ""
            if following not in BOXED_ROLES:
                current = entry["text"].strip()
        out.append(current)
    return out


def label_rows(half: str, folder: Path | None = None) -> list[dict[str, Any]]:
    """Return the labelled passages of one half as JSONL rows (id, text, labels, split, doc).

    The tuning half's rows are of the train split, the test half's of the test split.
    """
    if half not in HALVES:
        raise CeserError(f"moitié « {half} » inconnue du corpus de variété ({', '.join(HALVES)}).")
    folder = folder or corpus_folder()
    split = "train" if half == "tune" else "test"
    rows: list[dict[str, Any]] = []
    for doc, doc_half in sorted(_split(folder).items()):
        if doc_half != half:
            continue
        path = folder / "truth" / f"{doc}.json"
        if not path.is_file():
            raise CeserError(f"{path} manque : construisez le corpus de variété (make variety).")
        entries = json.loads(path.read_text(encoding="utf-8"))["paragraphs"]
        for n, (entry, section) in enumerate(zip(entries, sections(entries), strict=True)):
            if entry["role"] in LABELLED_ROLES and entry["text"].strip():
                rows.append(
                    {
                        "id": f"{ID_PREFIX}{doc}:{n}",
                        "text": entry["text"],
                        "labels": list(entry["themes"]),
                        "split": split,
                        "doc": doc,
                        "section": section,
                    }
                )
    if not rows:
        raise CeserError(
            f"le corpus de variété ({folder}) n'a aucun passage dans la moitié {half}."
        )
    return rows


def load_half(half: str, taxonomy: Taxonomy, folder: Path | None = None) -> list[LabelledPassage]:
    """Return the labelled passages of one half of the variety corpus."""
    known = set(taxonomy.keys)
    out = []
    for row in label_rows(half, folder):
        unknown = set(row["labels"]) - known
        if unknown:
            raise CeserError(
                f"{row['id']} : thème « {sorted(unknown)[0]} » absent de la taxonomie "
                f"({', '.join(taxonomy.keys)})."
            )
        labels = tuple(k for k in taxonomy.keys if k in row["labels"])
        out.append(LabelledPassage(row["id"], row["text"], labels, row["split"], row["doc"]))
    return out


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> int:
    """Write labelled rows to path, one JSON object per line; return how many."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return len(rows)


def write_tune_labels(path: Path, folder: Path | None = None) -> int:
    """Write the tuning half's labelled passages to path (JSONL); return how many."""
    return write_jsonl(path, label_rows("tune", folder))


def document_ids(folder: Path | None = None) -> tuple[str, ...]:
    """Return the ids of the variety corpus's documents, none where the corpus is absent."""
    folder = folder or corpus_folder()
    return tuple(_split(folder)) if (folder / "split.toml").is_file() else ()
