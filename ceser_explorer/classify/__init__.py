"""Theme classifier: taxonomy file, training, evaluation, and scores stored in the catalog.

Public API (the CLI and the app call only these)::

    train(settings, data=None, taxonomy) -> TrainResult # ceser classify train (ours by default)
    evaluate(settings, data=None) -> EvalReport         # ceser classify eval
    apply(settings, catalog, doc_ids=None) -> int       # ceser classify apply, after ingest
    load_model(settings, embedder_id=None) -> ThemeModel  # the data folder's, else packaged

The taxonomy, the labelled passages and the default model ship in the package
(``ceser_explorer/data/``, see classify/packaged.py); models are stored as arrays and JSON
(classify/store.py), never pickled.
"""

from .apply import apply
from .evaluate import EvalReport, evaluate
from .model import TrainResult, train
from .packaged import has_model, load_model
from .taxonomy import Taxonomy, Theme, load_labelled, load_taxonomy
from .theme_model import ModelMissingError, ThemeModel

__all__ = [
    "EvalReport",
    "ModelMissingError",
    "Taxonomy",
    "Theme",
    "ThemeModel",
    "TrainResult",
    "apply",
    "evaluate",
    "has_model",
    "load_labelled",
    "load_model",
    "load_taxonomy",
    "train",
]
