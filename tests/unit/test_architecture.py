"""The layers of ``sim/`` (docs/design.md, "Layers: the folders"), checked on the source.

* The core (everything in ``sim`` but the CLI) never imports drawing or terminal
  libraries, nor ``viz`` (checked in a fresh interpreter: what importing it pulls in).
* A module imports only from its own layer and the layers below (imports read from the
  source, wherever they are written; imports only for type checkers are left out).
* The import graph of ``sim`` and ``viz`` has no cycle.
* The core has no function-level import of its own modules (such imports hide cycles).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Layers from the bottom; a module may import from its own layer and those listed before.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("sim.errors", "sim.version"),
    ("sim.model",),
    # sim.report.text (words, numbers and metric labels for people) depends on the metric
    # catalogue only and serves the batch and compliance reports below sim.report
    ("sim.engine", "sim.report.text"),
    ("sim.security",),
    ("sim.hazards",),
    ("sim.run",),
    ("sim.io",),
    ("sim.batch",),
    ("sim.analysis",),
    ("sim.generate",),
    ("sim.report",),
    ("sim", "sim.cli", "viz"),
)
FORBIDDEN_IN_CORE = ("viz", "matplotlib", "pygame", "typer", "rich")
#: Function-level imports of the core's own modules that are deliberate lazy loads (not
#: circle breakers: the cycle check counts them as ordinary imports), with the reason.
LAZY = {
    ("sim.batch.executors", "sim.batch.dask_tuning"):
        "imports dask.distributed (about 1 s) only when a Dask scheduler is used",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in ("sim", "viz") for p in (ROOT / pkg).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    """Imports of one module: (target module, line, inside a function)."""

    def __init__(self, name: str, is_pkg: bool, known: set[str]) -> None:
        self.name, self.is_pkg, self.known = name, is_pkg, known
        self.found: list[tuple[str, int, bool]] = []
        self.depth = 0

    def _resolve(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.name.split(".")
        base = base if self.is_pkg else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)

    def _add(self, target: str, line: int) -> None:
        self.found.append((target, line, self.depth > 0))

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node):
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self._add(a.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = self._resolve(node)
        for a in node.names:
            full = f"{mod}.{a.name}"
            self._add(full if full in self.known else mod, node.lineno)


def _graph() -> dict[str, list[tuple[str, int, bool]]]:
    mods = _modules()
    known = set(mods)
    out: dict[str, list[tuple[str, int, bool]]] = {}
    for name, path in mods.items():
        v = _Imports(name, path.name == "__init__.py", known)
        v.visit(ast.parse(path.read_text(encoding="utf-8")))
        out[name] = [(t, line, f) for t, line, f in v.found
                     if t.split(".")[0] in ("sim", "viz") and t != name]
    return out


def _layer(module: str) -> int:
    best, best_len = -1, -1
    for k, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = k, len(p)
    assert best >= 0, f"{module} is in no layer"
    return best


def _target_module(target: str, known: set[str]) -> str:
    while target not in known and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def test_core_pulls_in_no_drawing_or_terminal_library() -> None:
    core = sorted(m for m in _modules() if m.startswith("sim") and not m.startswith("sim.cli"))
    code = ("import importlib, json, sys\n"
            f"for m in {core!r}:\n    importlib.import_module(m)\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_CORE!r})\n"
            "print(json.dumps(bad))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=300, check=True)
    assert json.loads(r.stdout) == []


def test_every_import_goes_down_the_layers() -> None:
    graph = _graph()
    known = set(graph)
    bad = [f"{m}:{line} imports {t}"
           for m, edges in graph.items() for t, line, _ in edges
           if _layer(_target_module(t, known)) > _layer(m)]
    assert bad == []


def test_import_graph_has_no_cycle() -> None:
    graph = _graph()
    known = set(graph)
    edges = {m: sorted({_target_module(t, known) for t, _, _ in es} - {m})
             for m, es in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in edges.get(m, ()):
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n):], n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert cycles == []


def test_core_has_no_function_level_import_of_its_own_modules() -> None:
    graph = _graph()
    bad = [f"{m}:{line} imports {t} inside a function" for m, edges in graph.items()
           if m.startswith("sim") and not m.startswith("sim.cli")
           for t, line, in_fn in edges if in_fn and (m, t) not in LAZY]
    assert bad == []


@pytest.mark.parametrize("bad", ["import viz.plots", "from sim.cli import main"])
def test_the_check_sees_a_forbidden_import(tmp_path: Path, bad: str) -> None:
    """The checks above fail when the core imports upward (the check can fail)."""
    known = set(_modules())
    v = _Imports("sim.engine.world", False, known)
    v.visit(ast.parse(bad))
    (target, _, _), = v.found
    assert _layer(_target_module(target, known)) > _layer("sim.engine.world")
