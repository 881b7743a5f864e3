"""The package's layout: no import cycle, dependencies pointing one way, thin CLI and app.

A small walk over the import statements of every module (with ``ast``, nothing imported):
docs/architecture.md draws the same layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "ceser_explorer"

# Lower layers never import higher ones; packages of one layer do not import each other
# (layer 0 excepted: small shared modules).
LAYERS = {
    "errors": 0,
    "config": 0,
    "models": 0,
    "analysis": 0,
    "vocabulary": 0,
    "resources": 0,
    "pace": 0,
    "lock": 0,
    "files": 0,
    "serving": 0,
    "spacymodels": 0,
    "ingest": 1,
    "catalog": 1,
    "workers": 2,
    "warm": 2,
    "index": 2,
    "classify": 3,
    "search": 3,
    "tracing": 3,
    "batch": 4,
    "check": 4,
    "workspace": 5,
    "background": 6,
    "cli": 7,
    "app": 7,
}
# The one import across a layer: ``ceser explore --smoke`` runs the app's smoke check.
ALLOWED = {("ceser_explorer.cli.explore", "ceser_explorer.app.smoke")}
# What the CLI and the app may import: the façade and the packages' public names.
FRONT_ALLOWED = {
    "ceser_explorer",
    "ceser_explorer.workspace",
    "ceser_explorer.background",
    "ceser_explorer.config",
    "ceser_explorer.errors",
    "ceser_explorer.models",
    "ceser_explorer.vocabulary",
    "ceser_explorer.resources",
    "ceser_explorer.serving",
    "ceser_explorer.catalog",
    "ceser_explorer.index",
    "ceser_explorer.search",
    "ceser_explorer.tracing",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(body: list[ast.stmt], top: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Yield import statements with whether they run when the module is imported."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, top
        elif isinstance(node, ast.If) and _type_checking(node):
            continue  # for type checkers only
        else:
            for field in ("body", "orelse", "handlers", "finalbody"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.AST):
                    stmts = [s for s in inner if isinstance(s, ast.stmt)]
                    for h in inner:
                        if isinstance(h, ast.ExceptHandler):
                            stmts += h.body
                    nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    yield from _walk(
                        stmts, top and not nested and not isinstance(node, ast.ClassDef)
                    )


def imports(name: str) -> list[tuple[str, bool]]:
    """Return (imported module of the package, at import time?) for one module."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node, top in _walk(ast.parse(path.read_text(encoding="utf-8")).body, True):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join([*base, *([node.module] if node.module else [])])
            else:
                stem = node.module or ""
            # ``from x import y`` imports x.y when y is a module, else x
            targets = [
                f"{stem}.{a.name}" if f"{stem}.{a.name}" in MODULES else stem for a in node.names
            ]
        out += [(t, top) for t in targets if t == "ceser_explorer" or t in MODULES]
    return out


GRAPH = {name: imports(name) for name in MODULES}


def unit(module: str) -> str:
    """Return the top-level package or module of the package that module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_walk_sees_the_package():
    assert {
        "ceser_explorer.workspace",
        "ceser_explorer.cli",
        "ceser_explorer.search.engine",
    } <= set(MODULES)
    assert ("ceser_explorer.search.engine", True) in GRAPH["ceser_explorer.cli.search"] or any(
        t.startswith("ceser_explorer.search") for t, _ in GRAPH["ceser_explorer.cli.search"]
    )
    assert {unit(m) for m in MODULES} - {""} <= set(LAYERS), "a new package needs a layer"


def test_no_import_cycle_between_modules():
    """No cycle at all, lazy imports inside functions included: a cycle hidden in a function
    is still two modules that cannot be understood one without the other."""
    edges = {m: {t for t, _ in targets if t != m} for m, targets in GRAPH.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                cycles.append([*path[path.index(t) :], t])
            elif t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert not cycles, cycles


def test_no_cycle_and_no_upward_import_between_packages():
    wrong = []
    for m, targets in GRAPH.items():
        a = unit(m)
        for t, _ in targets:
            b = unit(t)
            if not a or not b or a == b or (m, t) in ALLOWED:
                continue
            if LAYERS[b] > LAYERS[a] or (LAYERS[b] == LAYERS[a] and LAYERS[a] > 0):
                wrong.append(f"{m} -> {t}")
    assert not wrong, wrong


@pytest.mark.parametrize("front", ["cli", "app"])
def test_cli_and_app_use_only_the_facade_and_public_names(front):
    wrong = [
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if unit(m) == front
        for t, _ in targets
        if unit(t) != front and t not in FRONT_ALLOWED and (m, t) not in ALLOWED
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("front", ["cli", "app"])
def test_cli_and_app_write_no_sql(front):
    for path in (PACKAGE / front).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not used & {"db", "execute", "executemany"}, path


def test_ingest_is_pure():
    """PDF in, records out: extraction never touches the catalog or the index."""
    wrong = [
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if unit(m) == "ingest"
        for t, _ in targets
        if unit(t)
        not in ("ingest", "errors", "models", "analysis", "vocabulary", "config", "spacymodels")
    ]
    assert not wrong, wrong


def test_benchmarks_use_only_the_facade_and_public_names():
    """The benchmarks measure what users call: the façade, the packages' public names and the
    small shared modules, never a module inside a package (nor ``batch``)."""
    public = {"ceser_explorer", "ceser_explorer.workspace"} | {
        m
        for m, p in MODULES.items()
        if m.count(".") == 1 and (p.name == "__init__.py" or LAYERS.get(unit(m)) == 0)
    }
    wrong = []
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                stem = node.module
                targets = [
                    f"{stem}.{a.name}" if f"{stem}.{a.name}" in MODULES else stem
                    for a in node.names
                ]
            else:
                continue
            wrong += [
                f"{path.name} -> {t}"
                for t in targets
                if t.startswith("ceser_explorer") and t not in public
            ]
    assert not wrong, wrong
