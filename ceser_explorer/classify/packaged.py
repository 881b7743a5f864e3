"""The default theme model, shipped in the package and trained from the packaged labels.

``pip install`` + ``ceser ingest`` gives themes with no training step: the packaged model
(``ceser_explorer:data/themes.npz``) was trained with the default embedder. With another
embedder, a model is trained once from the packaged labels and kept in the data folder
(``models/themes-<embedder>.npz``). A model trained with ``ceser classify train`` (the data
folder's ``models/themes.npz``) wins over both.

The packaged labels are ours (``data/labels/passages.jsonl``) and the variety corpus's tuning
half (``data/labels/variety-tune.jsonl``, rewritten here from ``corpus/variety`` when the
source checkout has it). The whole documents written for training (``data/labels/
train-docs.jsonl``, rewritten here from ``corpus/train-docs``) are shipped but not trained on:
a model trained with them scored lower on the variety test half (docs/themes.md); a CESER
may add them with ``ceser classify train --labels ceser_explorer:data/labels/train-docs.jsonl``.
Regenerate the packaged model after changing the labels, the variety corpus or the taxonomy
(``make theme-model``)::

    python -c "from ceser_explorer.classify.packaged import main; main()"
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import resources
from ..config import Settings
from ..index.embedders import Embedder
from . import store
from .features import Progress
from .model import model_path, train
from .theme_model import ModelMissingError, ThemeModel


def available() -> bool:
    """Return whether the package ships its theme model."""
    return resources.data_file(resources.THEME_MODEL).is_file()


@lru_cache(maxsize=1)
def packaged_model() -> Any:
    """Return the ThemeModel shipped in the package (read once)."""
    if not available():
        raise ModelMissingError(
            f"modèle de thèmes fourni absent ({resources.THEME_MODEL}) : réinstallez "
            "ceser-explorer ou lancez « ceser classify train »."
        )
    data = resources.data_file(resources.THEME_MODEL).read_bytes()
    return store.read_model(data, resources.THEME_MODEL)


def auto_path(settings: Settings, embedder_id: str) -> Path:
    """Return where the model trained on first use for embedder_id is kept."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_id)[:48]
    digest = hashlib.sha1(embedder_id.encode()).hexdigest()[:8]
    return settings.models_path / f"themes-{slug}-{digest}.npz"


def default_model(settings: Settings, embedder_id: str | None = None) -> Any:
    """Return the packaged model, or the one trained from it for embedder_id when saved."""
    model = packaged_model()
    if embedder_id is None or model.embedder_id == embedder_id:
        return model
    auto = auto_path(settings, embedder_id)
    if auto.is_file():
        trained = store.read_model(auto)
        if trained.embedder_id == embedder_id:
            return trained
    raise ModelMissingError(
        f"le modèle de thèmes fourni a été entraîné avec l'embedder « {model.embedder_id} », "
        f"pas « {embedder_id} » : lancez « ceser classify apply » (il l'entraîne une fois "
        "sur nos passages annotés) ou « ceser classify train »."
    )


def has_model(settings: Settings) -> bool:
    """Return whether a theme model is at hand: this data folder's, else the packaged one."""
    return model_path(settings).is_file() or available()


def load_model(settings: Settings, embedder_id: str | None = None) -> ThemeModel:
    """Return the model of this data folder, else the packaged one (never unpickled).

    With embedder_id: the data folder's model must have been trained with it
    (EmbedderMismatchError), and in its absence the packaged model, or the one trained on
    first use from the packaged labels for that embedder (ModelMissingError when neither).
    """
    path = model_path(settings)
    if path.is_file():
        model = store.read_model(path)
        if embedder_id is not None:
            model.check_embedder(embedder_id)
        return model
    return default_model(settings, embedder_id)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_model(
    settings: Settings,
    embedder: Embedder,
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
) -> Any:
    """Return the model for embedder; train it from the packaged labels on first use."""
    try:
        return load_model(settings, embedder.id)
    except ModelMissingError:
        if not available():
            raise
    target = auto_path(settings, embedder.id)
    (notify or _stderr)(
        f"Thèmes : le modèle fourni a été entraîné avec l'embedder « "
        f"{packaged_model().embedder_id} » ; entraînement pour « {embedder.id} » sur les "
        f"passages annotés fournis (une seule fois, quelques minutes) → {target}"
    )
    return train(settings, embedder=embedder, progress=progress, path=target).model


def source_path() -> Path:
    """Return the packaged model's file in the source checkout (where make writes it)."""
    return Path(__file__).resolve().parents[1] / "data" / "themes.npz"


def variety_labels_path() -> Path:
    """Return the packaged labels of the variety tuning half in the source checkout."""
    return Path(__file__).resolve().parents[1] / "data" / "labels" / "variety-tune.jsonl"


def train_docs_labels_path() -> Path:
    """Return the packaged labels of the training documents in the source checkout."""
    return Path(__file__).resolve().parents[1] / "data" / "labels" / "train-docs.jsonl"


def main() -> None:
    """Rewrite the variety tuning half's and the training documents' labels, then train the
    packaged model from the packaged labels with the default embedder."""
    import tempfile

    from ..index.embedders import DEFAULT_EMBEDDER, get_embedder, original
    from . import train_docs
    from .taxonomy import DEFAULT_TAXONOMY, load_taxonomy
    from .variety import corpus_folder, write_tune_labels

    if corpus_folder().is_dir():
        n = write_tune_labels(variety_labels_path())
        print(f"{variety_labels_path()} : {n} passages de la moitié « tune » du corpus de variété")
    if train_docs.corpus_folder().is_dir():
        keys = load_taxonomy(DEFAULT_TAXONOMY).keys
        n = train_docs.write_labels(train_docs_labels_path(), keys)
        print(f"{train_docs_labels_path()} : {n} passages des documents d'entraînement")
    embedder = original(get_embedder(DEFAULT_EMBEDDER))
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.load(home=home)  # $CESER_EMBEDDING_CACHE is honoured
        result = train(settings, embedder=embedder, path=source_path())
    model = result.model
    size = source_path().stat().st_size
    print(
        f"{source_path()} : {len(model.keys)} thèmes, {len(model.features.terms)} termes, "
        f"embedder {model.embedder_id}, macro-F1 (validation croisée) "
        f"{model.cv['macro_f1']:.3f}, {size / 1024:.0f} Ko"
    )
