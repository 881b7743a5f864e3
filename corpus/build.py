"""Build the sample corpus: turn each ``corpus/src/<name>.md`` into ``corpus/<name>.pdf``.

The source format is specified in ``corpus/src/FORMAT.md``. Each source picks its PDF
producer with the ``engine`` front-matter key (``reportlab`` or ``fpdf2``); pages listed in
``scanned_pages`` are then replaced by noisy image-only pages. Output is deterministic:
rebuilding an unchanged source gives the same bytes.

Usage::

    python corpus/build.py                       # every source of corpus/src/
    python corpus/build.py corpus/src/avis_x.md  # only the sources named
    python corpus/build.py -o /tmp/out corpus/src/avis_x.md   # write elsewhere

Sources named ``FORMAT.md``, ``_*.md`` or ``example*.md`` are skipped when building all.
Needs the dev dependencies (reportlab, fpdf2, pyphen, pypdf, pypdfium2, Pillow, numpy) and
the DejaVu fonts (``apt-get install fonts-dejavu-core``); run it with the project's venv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _render import source
from _render.scan import replace_with_scans

CORPUS = Path(__file__).resolve().parent
SRC = CORPUS / "src"


def sources(paths: list[str]) -> list[Path]:
    """Return the sources to build: those named, else every publishable one in corpus/src/."""
    if paths:
        return [Path(p) for p in paths]
    return sorted(
        p
        for p in SRC.glob("*.md")
        if p.name != "FORMAT.md" and not p.name.startswith(("_", "example"))
    )


def render(document: source.Document) -> bytes:
    """Render a parsed document with the engine its front matter names."""
    if document.meta.engine == "fpdf2":
        from _render import fpdf_engine

        return fpdf_engine.render(document)
    from _render import rl_engine

    return rl_engine.render(document)


def build_one(path: Path, out_dir: Path) -> Path:
    """Build one source into out_dir/<name>.pdf; return the PDF path."""
    document = source.load(path)
    pdf = render(document)
    pdf = replace_with_scans(pdf, document.meta.scanned_pages, path.stem)
    target = out_dir / f"{path.stem}.pdf"
    if not target.exists() or target.read_bytes() != pdf:
        target.write_bytes(pdf)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="source files (default: all of corpus/src/)")
    parser.add_argument("-o", "--out", type=Path, default=CORPUS, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in sources(args.paths):
        start = time.perf_counter()
        try:
            target = build_one(path, args.out)
        except Exception as exc:  # report the bad source and go on with the others
            print(f"error: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{path.name} -> {target} ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
