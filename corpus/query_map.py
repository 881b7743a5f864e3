"""Learn the packaged query map (``ceser_explorer/data/query_map.npz``) from a ceser home.

The home holds our six sample PDFs and the variety corpus's tuning half, ingested with the
default embedder (``make query-map`` ingests them first); the map is learnt from those
documents only (a home holding more, the variety test half included, gives the same map),
with the index's own vectors and the embedder's query encoder (``search/querymap.py``).

    python corpus/query_map.py HOME [OUT]
    python corpus/query_map.py --pdfs     # the PDFs to ingest into HOME first
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

from ceser_explorer.catalog import Catalog
from ceser_explorer.config import Settings
from ceser_explorer.search import querymap
from ceser_explorer.search.dense import DenseRetriever

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ceser_explorer/data/query_map.npz"


def training_pdfs() -> list[Path]:
    """Our sample PDFs and the variety tuning half's."""
    split = tomllib.loads((ROOT / "corpus/variety/split.toml").read_text(encoding="utf-8"))
    tune = sorted(name for name, half in split.items() if half == "tune")
    pdf = ROOT / "corpus/variety/pdf"
    return sorted((ROOT / "corpus").glob("*.pdf")) + [pdf / f"{name}.pdf" for name in tune]


def main(argv: list[str]) -> None:
    if argv == ["--pdfs"]:
        print("\n".join(str(p.relative_to(ROOT)) for p in training_pdfs()))
        return
    if not argv or len(argv) > 2 or argv[0].startswith("-"):
        raise SystemExit(__doc__)
    settings = Settings.load(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else OUT
    files = [p.name for p in training_pdfs()]
    started = time.perf_counter()
    catalog = Catalog(settings.catalog_path)
    try:
        found = {row[0] for row in catalog.db.execute("SELECT file FROM documents")}
        missing = sorted(set(files) - found)
        if missing:
            raise SystemExit(f"{settings.home}: documents à ingérer d'abord : {missing}")
        dense = DenseRetriever(settings, catalog, query_map=False)
        stored = dense.matrix()
        if stored is None:
            raise SystemExit(f"{settings.home}: l'index doit être local (pas de serveur Chroma)")
        ids, _, vectors = stored
        learnt = querymap.learn(
            catalog,
            dense.embedder.id,
            dense.embedder.encode_queries,
            dict(zip(ids, vectors, strict=True)),
            files,
        )
    finally:
        catalog.close()
    if learnt is None:
        raise SystemExit(f"moins de {querymap.MIN_PAIRS} paires titre → paragraphe")
    learnt.save(out)
    took = time.perf_counter() - started
    print(f"{out}: {learnt.pairs} paires de {len(files)} documents, {took:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
