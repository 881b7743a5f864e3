"""The theme model on disk: arrays in a numpy .npz, everything else in JSON inside it.

Loading never unpickles: ``np.load(..., allow_pickle=False)`` refuses object arrays and
pickled files, so a file planted in the data folder cannot run code. One file, written to
a temporary name and renamed, so that a model is never half-written.
"""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import CeserError
from .features import FeatureSpace
from .taxonomy import taxonomy_from_dicts
from .theme_model import FORMAT, ThemeModel


def _text(value: str) -> np.ndarray:
    return np.frombuffer(value.encode("utf-8"), dtype=np.uint8)


def _untext(array: np.ndarray) -> str:
    return bytes(np.asarray(array, dtype=np.uint8)).decode("utf-8")


def to_arrays(model: Any) -> dict[str, np.ndarray]:
    """Return the arrays that describe a ThemeModel: weights, vocabulary, and JSON metadata."""
    space: FeatureSpace = model.features
    meta = {
        "format": model.format,
        "embedder": model.embedder_id,
        "taxonomy": [t.to_dict() for t in model.taxonomy.themes],
        "taxonomy_source": model.taxonomy.source,
        "labels": list(model.labels),
        "thresholds": model.thresholds,
        "margin": model.margin,
        "features": {
            "emb_weight": space.emb_weight,
            "lex_weight": space.lex_weight,
            "min_df": space.min_df,
        },
        "train_ids": list(model.train_ids),
        "cv": model.cv,
        "created_at": model.created_at,
        "context": model.context,
        "doc_blend": model.doc_blend,
        "thresholds_alone": model.thresholds_alone,
        "margin_alone": model.margin_alone,
    }
    return {
        "meta": _text(json.dumps(meta, ensure_ascii=False, sort_keys=True)),
        "terms": _text("\n".join(space.terms)),
        "idf": np.asarray(space.idf, dtype=np.float32),
        "coef": np.asarray(model.coef, dtype=np.float32),
        "intercept": np.asarray(model.intercept, dtype=np.float64),
    }


def write_model(model: Any, path: Path) -> Path:
    """Write model to path (.npz, compressed) through a temporary file; return path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        np.savez_compressed(f, **to_arrays(model))  # type: ignore[arg-type]
    tmp.replace(path)
    return path


def read_model(source: Path | IO[bytes] | bytes, name: str | None = None) -> Any:
    """Return the ThemeModel of a .npz written by write_model (a path, a file or its bytes)."""
    where = name or str(source)
    retrain = "relancez « ceser classify train »"
    try:
        with np.load(
            BytesIO(source) if isinstance(source, bytes) else source, allow_pickle=False
        ) as z:
            arrays = {k: z[k] for k in ("meta", "terms", "idf", "coef", "intercept")}
        meta = json.loads(_untext(arrays["meta"]))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise CeserError(f"modèle de thèmes d'un autre format ({where}) : {retrain}.")
        terms = _untext(arrays["terms"]).split("\n") if arrays["terms"].size else []
        taxonomy = taxonomy_from_dicts(meta["taxonomy"], meta.get("taxonomy_source", ""))
        space = FeatureSpace(**meta["features"], terms=terms, idf=arrays["idf"])
        coef, intercept = arrays["coef"], arrays["intercept"]
        n = len(taxonomy.keys)
        if coef.shape[0] != n or coef.shape[1] <= len(terms) or intercept.shape != (n,):
            raise ValueError(f"weights of shape {coef.shape} for {n} themes")
        alone = meta.get("thresholds_alone") or {}
        if set(meta["thresholds"]) != set(taxonomy.keys) or (
            alone and set(alone) != set(taxonomy.keys)
        ):
            raise ValueError("one threshold per theme expected")
        margin_alone = meta.get("margin_alone")
        return ThemeModel(
            taxonomy=taxonomy,
            embedder_id=str(meta["embedder"]),
            features=space,
            coef=coef,
            intercept=intercept,
            thresholds={k: float(v) for k, v in meta["thresholds"].items()},
            margin=float(meta["margin"]),
            train_ids=tuple(meta["train_ids"]),
            cv=dict(meta["cv"]),
            created_at=str(meta["created_at"]),
            labels=tuple(meta["labels"]),
            # a model of an earlier version read the text alone
            context=str(meta.get("context", "none")),
            # a model of an earlier version scored each passage alone
            doc_blend=float(meta.get("doc_blend", 0.0)),
            # a model of an earlier version judged a passage alone with the thresholds above
            thresholds_alone={k: float(v) for k, v in alone.items()},
            margin_alone=None if margin_alone is None else float(margin_alone),
        )
    except CeserError:
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as e:
        # a pickle, a truncated file, an object array: refused, never executed
        raise CeserError(f"modèle de thèmes illisible ({where}, {e}) : {retrain}.") from e
