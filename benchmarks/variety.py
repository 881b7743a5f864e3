"""Variety benchmark: our extraction against a naive pdfplumber reading, on corpus/variety/.

Run: .venv/bin/python benchmarks/variety.py [--split test|tune|all] [--only PRODUCER]
                                            [--json FILE] [--truth DIR] [--no-ocr]

For every truth file corpus/variety/truth/<id>.json of the chosen half, reads its PDF with
ceser_explorer.ingest.parse_pdf (OCR on when Tesseract is installed) and with a naive tool
(pdfplumber extract_text, paragraphs cut at blank lines or at lines ending with . ! ? :
followed by a capital, a regex for « Préconisation n°N »), then measures per producer and
overall (rules in benchmarks/variety_metrics.py and docs/variety.md):

  whole    paragraphs of >= 80 characters (body, finding, plan sentence, recommendation,
           measure) found whole in ONE passage, normalised
  foreign  share of the passages' word tokens that are not words of the document's truth
           (what it prints: note labels and footnote calls included)
  leaks    passages that carry a running header or footer string
  rec P/R  recommendations found vs truth, matched by text; num✗ = matched pairs whose
           number is wrong (or missing)
  type, body, title, date   metadata accuracy
  pages/s  our ingestion; pdfplumber extract_text on the same files (the naive tool's time)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import variety_metrics as vm  # noqa: E402

VARIETY = ROOT / "corpus" / "variety"
TOOLS = ("ours", "naive")
META_FIELDS = ("type", "body", "title", "date")


@dataclass(frozen=True)
class Extraction:
    """What one tool read from one PDF."""

    passages: tuple[tuple[str, tuple[int, ...]], ...]  # (text, pages)
    recommendations: tuple[tuple[int | None, str], ...]  # (number, text)
    kind: str
    body: str
    title: str
    date: str | None
    pages: int
    seconds: float


@dataclass
class Score:
    """Summed counts of every metric over some documents, for one tool."""

    docs: int = 0
    pages: int = 0
    seconds: float = 0.0
    whole: int = 0
    whole_of: int = 0
    foreign: int = 0
    words: int = 0
    leaks: int = 0
    passages: int = 0
    rec: vm.RecScore = field(default_factory=lambda: vm.RecScore(0, 0, 0, 0))
    meta: dict[str, int] = field(default_factory=lambda: dict.fromkeys(META_FIELDS, 0))

    def add(self, other: Score) -> None:
        self.docs += other.docs
        self.pages += other.pages
        self.seconds += other.seconds
        self.whole += other.whole
        self.whole_of += other.whole_of
        self.foreign += other.foreign
        self.words += other.words
        self.leaks += other.leaks
        self.passages += other.passages
        self.rec = self.rec + other.rec
        for k in META_FIELDS:
            self.meta[k] += other.meta[k]

    def summary(self) -> dict:
        def rate(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "docs": self.docs,
            "pages": self.pages,
            "pages_per_s": round(self.pages / self.seconds, 2) if self.seconds else None,
            "paragraphs_whole": rate(self.whole, self.whole_of),
            "paragraphs_whole_counts": [self.whole, self.whole_of],
            "foreign_words": rate(self.foreign, self.words),
            "foreign_words_counts": [self.foreign, self.words],
            "leaks": self.leaks,
            "passages": self.passages,
            "rec_precision": None if self.rec.precision is None else round(self.rec.precision, 4),
            "rec_recall": None if self.rec.recall is None else round(self.rec.recall, 4),
            "rec_counts": asdict(self.rec),
            "rec_wrong_numbers": self.rec.wrong_number,
            **{f"meta_{k}": rate(v, self.docs) for k, v in self.meta.items()},
        }


# -- the two tools ---------------------------------------------------------------------------


def read_ours(pdf: Path, ocr: bool | None) -> Extraction:
    from ceser_explorer.ingest import parse_pdf

    t0 = time.perf_counter()
    doc = parse_pdf(pdf, ocr=ocr)
    seconds = time.perf_counter() - t0
    return Extraction(
        passages=tuple((p.text, p.provenance.pages) for p in doc.passages),
        recommendations=tuple((r.number, r.text) for r in doc.recommendations),
        kind=doc.kind,
        body=doc.body,
        title=doc.title,
        date=doc.date,
        pages=len(doc.pages),
        seconds=seconds,
    )


_SENTENCE_END = re.compile(r"[.!?:]\s*$")
_CAPITAL = re.compile(r"^[\"«“(]?\s*[A-ZÀ-ÖØ-Þ]")
_NAIVE_REC = re.compile(r"Pr[ée]conisation\s*n\s*[°º]\s*(\d+)\s*[:.–—-]?\s*", re.IGNORECASE)
_NAIVE_BODY = re.compile(
    r"\b(CESER|Conseil économique, social et environnemental régional|Conseil régional|Région)"
    r"\s+((?:de la |de l'|de |d'|du |des )?[A-ZÉÈÎ][\w'’-]+(?:[- ][A-ZÉ][\w'’-]+)*)"
)


def naive_paragraphs(page_texts: list[str]) -> list[tuple[str, tuple[int, ...]]]:
    """Paragraphs of the naive tool: blank-line blocks, or, when extract_text gives no blank
    line, lines cut after . ! ? : when the next line starts with a capital."""
    lines = [(ln, n) for n, t in enumerate(page_texts, 1) for ln in t.split("\n")]
    blank = any(re.search(r"\n[ \t]*\n", t) for t in page_texts)
    paragraphs: list[tuple[str, tuple[int, ...]]] = []
    cur: list[tuple[str, int]] = []

    def flush() -> None:
        if cur:
            text = " ".join(ln.strip() for ln, _ in cur).strip()
            if text:
                paragraphs.append((text, tuple(sorted({n for _, n in cur}))))
            cur.clear()

    for i, (ln, n) in enumerate(lines):
        if not ln.strip():
            if blank:
                flush()
            continue
        cur.append((ln, n))
        if not blank:
            nxt = next((x for x, _ in lines[i + 1 :] if x.strip()), "")
            if _SENTENCE_END.search(ln) and _CAPITAL.match(nxt.strip()):
                flush()
    flush()
    return paragraphs


def naive_recommendations(paragraphs: list[str]) -> list[tuple[int | None, str]]:
    """« Préconisation n°N » anywhere in a paragraph: the text after it, up to the next label
    (or the next paragraph when the label stands alone)."""
    recs: list[tuple[int | None, str]] = []
    for i, text in enumerate(paragraphs):
        ms = list(_NAIVE_REC.finditer(text))
        for k, m in enumerate(ms):
            end = ms[k + 1].start() if k + 1 < len(ms) else len(text)
            rest = text[m.end() : end].strip()
            if len(rest.split()) < 3 and i + 1 < len(paragraphs):
                rest = (rest + " " + paragraphs[i + 1]).strip()
            recs.append((int(m.group(1)), rest))
    return recs


def naive_metadata(first_page: str) -> tuple[str, str, str, str | None]:
    """(kind, body, title, date) from the text of page 1: the first line of 3 words or more,
    « avis » or a plan word, the first body name, the first date (parse_date's regex)."""
    from ceser_explorer.ingest import parse_date

    lines = [ln.strip() for ln in first_page.split("\n") if ln.strip()]
    title = next((ln for ln in lines if len(ln.split()) >= 3), lines[0] if lines else "")
    kind = "other"
    if re.search(r"\bavis\b", first_page, re.IGNORECASE):
        kind = "avis"
    elif re.search(r"\b(plan|schéma|stratégie|feuille de route)\b", first_page, re.IGNORECASE):
        kind = "plan"
    m = _NAIVE_BODY.search(first_page)
    body = f"{m.group(1)} {m.group(2)}" if m else ""
    return kind, body, title, parse_date(first_page)


def read_naive(pdf: Path) -> Extraction:
    import pdfplumber

    t0 = time.perf_counter()
    with pdfplumber.open(pdf) as doc:
        texts = []
        for page in doc.pages:
            texts.append(page.extract_text() or "")
            page.close()
    seconds = time.perf_counter() - t0
    paragraphs = naive_paragraphs(texts)
    kind, body, title, date = naive_metadata(texts[0] if texts else "")
    return Extraction(
        passages=tuple(paragraphs),
        recommendations=tuple(naive_recommendations([t for t, _ in paragraphs])),
        kind=kind,
        body=body,
        title=title,
        date=date,
        pages=len(texts),
        seconds=seconds,
    )


# -- scoring ---------------------------------------------------------------------------------


def source_texts(truth: dict) -> list[str]:
    """Every text the document prints, as the truth knows it (the vocabulary of metric 2)."""
    meta = truth.get("meta", {})
    out = [t for p in truth.get("paragraphs", []) for t in vm.printed_forms(p)]
    out += [r["text"] for r in truth.get("running", [])]
    for r in truth.get("recommendations", []):
        out += [r.get("text") or "", r.get("label") or ""]
    out += [s.get("text") or "" for s in truth.get("summary_items", [])]
    for m in truth.get("measures", []):
        out += [m.get("code") or "", m.get("title") or "", m.get("text") or ""]
    keys = ("doc_label", "title", "body", "body_long", "region", "date_text")
    out += [str(meta.get(k) or "") for k in keys]
    return out


def score(truth: dict, got: Extraction) -> Score:
    meta = truth.get("meta", {})
    texts = [t for t, _ in got.passages]
    whole, whole_of = vm.paragraphs_whole(vm.whole_candidates(truth["paragraphs"]), texts)
    foreign, nwords = vm.foreign_words(source_texts(truth), texts)
    # what each page prints: a note with its label (« 4 Texte de la note » on page 4 is no
    # page number « 4 » leaking), a paragraph with its calls; and a recommendation's label
    # (« Piste 4 » in a box)
    located = [
        (t, int(p.get("page", -1))) for p in truth["paragraphs"] for t in vm.printed_forms(p)
    ]
    located += [
        (r["label"], int(r.get("page", -1)))
        for r in truth.get("recommendations", [])
        if r.get("label")
    ]
    leaks = vm.leak_count(got.passages, truth.get("running", []), located)
    truth_recs = [(r.get("number"), r["text"]) for r in truth.get("recommendations", [])]
    _, rec = vm.match_recommendations(truth_recs, list(got.recommendations))
    names = [meta.get("body", ""), meta.get("body_long", "")]
    meta_ok = {
        "type": got.kind == meta.get("kind"),
        "body": vm.same_body(got.body, names),
        "title": vm.same_title(got.title, meta.get("title", "")),
        "date": got.date is not None and got.date == meta.get("date"),
    }
    return Score(
        docs=1,
        pages=got.pages,
        seconds=got.seconds,
        whole=whole,
        whole_of=whole_of,
        foreign=foreign,
        words=nwords,
        leaks=leaks,
        passages=len(texts),
        rec=rec,
        meta={k: int(v) for k, v in meta_ok.items()},
    )


# -- corpus and report -----------------------------------------------------------------------


def load_truths(truth_dir: Path, split: str, only: str | None) -> list[tuple[Path, dict]]:
    split_file = truth_dir.parent / "split.toml"
    splits = tomllib.loads(split_file.read_text("utf-8")) if split_file.exists() else {}
    out = []
    for f in sorted(truth_dir.glob("*.json")):
        truth = json.loads(f.read_text("utf-8"))
        half = truth.get("split") or splits.get(truth["id"])
        if split != "all" and half != split:
            continue
        if only and truth.get("producer") != only:
            continue
        pdf = (truth_dir.parent / truth["file"]).resolve()
        if not pdf.exists():
            raise SystemExit(f"{f}: le PDF {pdf} manque; construisez-le (corpus/variety/build.py).")
        out.append((pdf, truth))
    return out


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


COLUMNS = (
    ("producer", 11),
    ("tool", 5),
    ("docs", 4),
    ("pages", 5),
    ("whole%", 6),
    ("foreign%", 8),
    ("leaks", 5),
    ("recP%", 5),
    ("recR%", 5),
    ("num✗", 5),
    ("type%", 5),
    ("body%", 5),
    ("title%", 6),
    ("date%", 5),
    ("pages/s", 7),
)


def row(producer: str, tool: str, s: dict) -> str:
    values = (
        producer,
        tool,
        str(s["docs"]),
        str(s["pages"]),
        pct(s["paragraphs_whole"]),
        pct(s["foreign_words"]),
        str(s["leaks"]),
        pct(s["rec_precision"]),
        pct(s["rec_recall"]),
        f"{s['rec_wrong_numbers']}/{s['rec_counts']['matched']}",
        *(pct(s[f"meta_{k}"]) for k in META_FIELDS),
        "—" if s["pages_per_s"] is None else f"{s['pages_per_s']:.1f}",
    )
    cells = zip(values, COLUMNS, strict=True)
    return "  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, (_, w)) in enumerate(cells))


def table(report: dict) -> str:
    head = "  ".join(n.ljust(w) if i < 2 else n.rjust(w) for i, (n, w) in enumerate(COLUMNS))
    lines = [head, "-" * len(head)]
    for producer in [*sorted(report["producers"]), "all"]:
        scores = report["overall"] if producer == "all" else report["producers"][producer]
        if producer == "all":
            lines.append("-" * len(head))
        for tool in TOOLS:
            lines.append(row(producer, tool, scores[tool]))
    return "\n".join(lines)


def run(
    items: Iterable[tuple[Path, dict]],
    ocr: bool | None,
    progress: bool = True,
    each: Callable[[dict, Extraction], None] | None = None,
) -> dict:
    """Read and score every (pdf, truth) with both tools; each, where given, is called with a
    document's truth and our reading of it (variety_scans.py scores the scanned pages so)."""
    per_producer: dict[str, dict[str, Score]] = {}
    overall = {t: Score() for t in TOOLS}
    docs = []
    items = list(items)
    from ceser_explorer.ingest import french_words as nlp

    nlp()  # load spaCy once, outside the timed readings
    for k, (pdf, truth) in enumerate(items, 1):
        producer = truth.get("producer", "?")
        if progress:
            print(f"[{k}/{len(items)}] {truth['id']} ({producer})", file=sys.stderr, flush=True)
        got = {"ours": read_ours(pdf, ocr), "naive": read_naive(pdf)}
        if each is not None:
            each(truth, got["ours"])
        entry = {"id": truth["id"], "producer": producer, "split": truth.get("split")}
        for tool in TOOLS:
            s = score(truth, got[tool])
            per_producer.setdefault(producer, {t: Score() for t in TOOLS})[tool].add(s)
            overall[tool].add(s)
            entry[tool] = s.summary()
        docs.append(entry)
    return {
        "producers": {
            p: {t: s.summary() for t, s in scores.items()} for p, scores in per_producer.items()
        },
        "overall": {t: s.summary() for t, s in overall.items()},
        "documents": docs,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--only", metavar="PRODUCER", help="one producer (reportlab, typst…)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the full report here")
    parser.add_argument("--truth", type=Path, default=VARIETY / "truth", help="truth folder")
    parser.add_argument("--no-ocr", action="store_true", help="read without OCR (faster)")
    args = parser.parse_args(argv)
    items = load_truths(args.truth, args.split, args.only)
    if not items:
        raise SystemExit(
            f"Aucune vérité pour --split {args.split}"
            + (f" --only {args.only}" if args.only else "")
            + f" dans {args.truth}; construisez le corpus (corpus/variety/build.py)."
        )
    from ceser_explorer.ingest import tesseract_available

    ocr = False if args.no_ocr else tesseract_available()
    report = run(items, ocr)
    report["split"] = args.split
    report["only"] = args.only
    report["ocr"] = ocr
    print(f"variety corpus, split {args.split}: {len(items)} PDFs; OCR {'on' if ocr else 'off'}")
    print(table(report))
    o = report["overall"]
    print(
        f"ingestion: {o['ours']['pages_per_s']} pages/s; "
        f"pdfplumber extract_text: {o['naive']['pages_per_s']} pages/s "
        f"({o['ours']['pages']} pages)"
    )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
