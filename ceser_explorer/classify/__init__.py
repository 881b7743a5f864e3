"""Theme classifier: taxonomy file, training, evaluation, and scores stored in the catalog.

Public API (the CLI and the app call only these)::

    train(settings, data, taxonomy) -> TrainResult      # ceser classify train
    evaluate(settings, data=None) -> EvalReport         # ceser classify eval
    apply(settings, catalog, doc_ids=None) -> int       # ceser classify apply, after ingest
    load_model(settings, embedder_id=None) -> ThemeModel
"""

from .apply import apply
from .evaluate import EvalReport, evaluate
from .model import ModelMissingError, ThemeModel, TrainResult, has_model, load_model, train
from .taxonomy import Taxonomy, Theme, load_labelled, load_taxonomy

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
