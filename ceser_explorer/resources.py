"""Files shipped inside the package (``ceser_explorer/data/``), read with importlib.resources.

A packaged file is named ``ceser_explorer:data/<name>`` wherever a file name is recorded or
shown (a model's label sets, a report): the name is the same in the source checkout and in
an installed wheel, and it never depends on the working directory.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "ceser_explorer"
PREFIX = f"{PACKAGE}:"

TAXONOMY = f"{PREFIX}data/themes.toml"
LABELS = f"{PREFIX}data/labels/passages.jsonl"
# the variety corpus's tuning half, labelled by document (written by classify/variety.py)
VARIETY_LABELS = f"{PREFIX}data/labels/variety-tune.jsonl"
# whole documents written for training, labelled by document (classify/train_docs.py)
TRAIN_DOC_LABELS = f"{PREFIX}data/labels/train-docs.jsonl"
PACKAGED_LABELS = (LABELS, VARIETY_LABELS)
QUERIES = f"{PREFIX}data/queries.jsonl"
THEME_MODEL = f"{PREFIX}data/themes.npz"
# the encoder's top layers adapted on the headings and recommendations of our documents and
# the variety tuning half (studies/e5_ship.py); read by the « e5-ceser » embedder
E5_ADAPTATION = f"{PREFIX}data/e5-adapt.npz"

Source = str | os.PathLike[str] | Traversable


def is_packaged(source: Source) -> bool:
    """Return whether source names a file shipped in the package (``ceser_explorer:…``)."""
    return isinstance(source, str) and source.startswith(PREFIX)


def data_file(name: str) -> Traversable:
    """Return the packaged file ``ceser_explorer:data/…`` (or its bare name under data/)."""
    rel = name[len(PREFIX) :] if name.startswith(PREFIX) else f"data/{name}"
    return resources.files(PACKAGE).joinpath(*rel.split("/"))


def resolve(source: Source) -> Path | Traversable:
    """Return the file that source names: a packaged file, or a path of the file system."""
    if is_packaged(source):
        return data_file(str(source))
    if isinstance(source, str | os.PathLike):
        return Path(source).expanduser()
    return source


def display(source: Source) -> str:
    """Return how source is recorded and shown: its packaged name, else its path."""
    return str(source)
