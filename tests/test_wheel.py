"""The wheel is self-contained: installed in a fresh venv, run from a folder outside the
repository, ``ceser ingest`` gives themes and ``ceser search`` finds them.

The wheel is built without network (no build isolation) and installed without its
dependencies; the fresh venv sees the running interpreter's site-packages for those only
(a .pth file), never the repository. Deselect with ``-m 'not wheel'``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from helpers import AVIS, ROOT

# it ingests with the real embedding model
pytestmark = [pytest.mark.wheel, pytest.mark.slow, pytest.mark.model]
PIP = (sys.executable, "-m", "pip")


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 400) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Return (the fresh venv's bin folder, the environment to run it in)."""
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents, "the venv must live outside the repository"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # built from a copy of what the wheel is made of: nothing written into the repository,
    # no stale build/ folder of an earlier build slipped into the wheel
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "ceser_explorer", src / "ceser_explorer", ignore=ignore)
    dist = base / "dist"
    run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(src)],
        base,
        env,
    )
    (wheel,) = dist.glob("ceser_explorer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = ("labels/passages.jsonl", "labels/variety-tune.jsonl", "labels/train-docs.jsonl")
    for data in ("themes.toml", *packaged, "queries.jsonl", "themes.npz", "e5-adapt.npz"):
        assert f"ceser_explorer/data/{data}" in names, data

    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    # the dependencies only: the running interpreter's site-packages (an editable install of
    # the project there is a finder that a .pth line does not activate)
    ours = sysconfig.get_paths(vars={"base": sys.prefix, "platbase": sys.prefix})["purelib"]
    (purelib / "zz_dependencies.pth").write_text(ours + "\n", "utf-8")
    python = venv / "bin" / "python"
    run(
        [*PIP, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        base,
        env,
    )
    return venv / "bin", env


def test_the_installed_wheel_ingests_searches_and_gives_themes(installed, tmp_path, sample_corpus):
    bin_dir, env = installed
    work = tmp_path / "ailleurs"  # a working directory with no corpus/ folder
    (work / "pdf").mkdir(parents=True)
    shutil.copy(sample_corpus / AVIS, work / "pdf" / AVIS)
    env = {**env, "CESER_HOME": str(tmp_path / "home")}
    env.pop("CESER_EMBEDDER", None)
    ceser = str(bin_dir / "ceser")

    show = "import ceser_explorer; print(ceser_explorer.__file__)"
    where = run([str(bin_dir / "python"), "-c", show], work, env)
    assert Path(where.strip()).is_relative_to(bin_dir.parent), where
    assert ROOT not in Path(where.strip()).parents

    ingest = json.loads(run([ceser, "ingest", "pdf", "--json"], work, env))
    assert [Path(p).name for p in ingest["added"]] == [AVIS]
    assert ingest["derived"]["themed_passages"] > 20 and not ingest["derived"]["problems"]

    hits = json.loads(run([ceser, "search", "former les enseignants à l'IA", "--json"], work, env))
    assert hits, "no hit"
    themed = json.loads(
        run([ceser, "search", "enseignants", "--theme", "formation", "--json"], work, env)
    )
    assert themed, "no hit with --theme formation"
    passages = json.loads(run([ceser, "passages", "--json"], work, env))
    assert any("formation" in p.get("labels", []) for p in passages), passages[:2]

    report = json.loads(run([ceser, "classify", "eval", "--json"], work, env))
    assert report["data"].startswith("ceser_explorer:data/labels/passages.jsonl, ")
    assert report["methods"]["modèle"]["macro_f1"] >= 0.85
    # the variety corpus stays in the repository: a one-line French error, no traceback
    done = subprocess.run(
        [ceser, "classify", "eval", "--set", "variety-test"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "corpus de variété introuvable" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (work / "corpus").exists()
