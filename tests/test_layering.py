"""Layering of ``backtest``: no import cycle, imports point down the layers, heavy libraries stay
with the modules that own them.

Layers, lowest first (a module may import its own layer and the ones below):
exceptions/_typing/claims -> metrics -> data -> regimes/provenance -> engine -> strategy ->
runner/eventstudy -> sweep -> report -> cli -> the ``backtest`` package facade.
(``strategy`` sits above ``engine``: a spec names the engine's rebalance schedules.)

Checked on the source with ``ast`` (every ``import`` statement, also inside functions; imports
under ``if TYPE_CHECKING:`` are type-only and skipped), and by importing every module in a fresh
interpreter.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backtest"

LAYERS: dict[str, int] = {
    "backtest.exceptions": 0, "backtest._typing": 0, "backtest.claims": 0, "backtest._lazy": 0,
    "backtest.metrics": 1,
    "backtest.data": 2,
    "backtest.regimes": 3, "backtest.provenance": 3,
    "backtest.engine": 4,
    "backtest.strategy": 5,
    "backtest.runner": 6, "backtest.eventstudy": 6, "backtest.evidence": 7,
    "backtest.sweep": 7, "backtest.present": 7,
    "backtest.report": 8,
    "backtest.cli": 9, "backtest.__main__": 9,
    "backtest": 10,  # the package facade re-exports the public API
}
#: lazy (function-level) imports allowed to point up: a result drawing itself with the
#: report layer's figure code
UPWARD_SEAMS: set[tuple[str, str]] = {
    ("backtest.eventstudy.result", "backtest.report.event_chart"),
    ("backtest.runner.run", "backtest.report.charts"),
    ("backtest.engine.result", "backtest.report.charts"),
    ("backtest.sweep.sweep", "backtest.report.sweep_charts"),
    ("backtest.sweep.walkforward", "backtest.report.sweep_charts"),
    ("backtest.sweep.output", "backtest.report.sweep_report"),
    ("backtest.present.result", "backtest.report.now_charts"),
}
#: heavy libraries and the only modules that may import them at module level
OWNERS: dict[str, tuple[str, ...]] = {
    "vectorbt": ("backtest.engine.vbt",),
    "plotly": ("backtest.report",),
    "matplotlib": ("backtest.report",),
    "arch": ("backtest.report",),
    "dask": ("backtest.sweep.executor",),
    "numba": ("backtest.engine.drift", "backtest.report.bootstrap_nb", "backtest.sweep.kernel",
              "backtest.sweep.measures", "backtest.sweep.stats"),
    "scipy": ("backtest.sweep.stats",),
}


@dataclass(frozen=True)
class Import:
    """One import statement of a module."""

    source: str
    target: str
    lazy: bool  # inside a function
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _resolve(node: ast.ImportFrom, source: str) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".")
    if not MODULES[source].name == "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _targets(node: ast.Import | ast.ImportFrom, source: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
        return
    mod = _resolve(node, source)
    for a in node.names:
        sub = f"{mod}.{a.name}"
        # ``from pkg import submodule`` depends on the submodule, not on the package facade
        yield sub if sub in MODULES else mod


def imports_of(source: str) -> list[Import]:
    """Every import of ``source`` outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(MODULES[source].read_text(encoding="utf-8"))
    out: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub, lazy)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                out.extend(Import(source, t, lazy, child.lineno) for t in _targets(child, source))
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, inner)

    visit(tree, False)
    return out


ALL_IMPORTS = [imp for m in MODULES for imp in imports_of(m)]


def layer_of(module: str) -> tuple[str, int]:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return best, LAYERS[best]


def _internal(target: str) -> str | None:
    """The ``backtest`` module an import names (None for third-party imports)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def test_every_module_has_a_layer() -> None:
    for m in MODULES:
        assert layer_of(m)[0], m


def test_no_import_cycle_at_module_level() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in ALL_IMPORTS:
        t = _internal(imp.target)
        if not imp.lazy and t is not None and t != imp.source:
            graph[imp.source].add(t)
    cycles = _strongly_connected(graph)
    assert not cycles, "module-level import cycles: " + "; ".join(
        " <-> ".join(sorted(c)) for c in cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    for v in graph:
        if v not in index:
            strong(v)
    return found


def test_imports_point_down_the_layers() -> None:
    bad = []
    for imp in ALL_IMPORTS:
        t = _internal(imp.target)
        if t is None:
            continue  # third party
        (src_layer, src_rank), (dst_layer, dst_rank) = layer_of(imp.source), layer_of(t)
        if dst_rank <= src_rank:
            continue
        if imp.lazy and (imp.source, t) in UPWARD_SEAMS:
            continue
        bad.append(f"{imp.source}:{imp.line} ({src_layer}) imports {t} ({dst_layer})"
                   f"{' lazily' if imp.lazy else ''}")
    assert not bad, "imports that point up the layers:\n" + "\n".join(bad)


def test_upward_seams_exist() -> None:
    # the allowed exceptions name real, lazy imports (a stale entry would hide nothing)
    lazy = {(i.source, _internal(i.target)) for i in ALL_IMPORTS if i.lazy}
    assert UPWARD_SEAMS <= lazy


def test_heavy_libraries_only_where_they_belong() -> None:
    bad = []
    for imp in ALL_IMPORTS:
        lib = imp.target.partition(".")[0]
        if imp.lazy or lib not in OWNERS:
            continue
        owners = OWNERS[lib]
        if not any(imp.source == o or imp.source.startswith(o + ".") for o in owners):
            bad.append(f"{imp.source}:{imp.line} imports {imp.target} at module level")
    assert not bad, "\n".join(bad)


_IMPORT_EACH = r"""
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for key in [k for k in sys.modules if k == "backtest" or k.startswith("backtest.")]:
        del sys.modules[key]  # import each module as if first: no other qtbt module loaded
    try:
        importlib.import_module(name)
    except Exception:
        failed[name] = traceback.format_exc(limit=3)
print(json.dumps(failed))
"""

_HEAVY_AFTER = r"""
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
print(json.dumps(sorted({k.partition(".")[0] for k in sys.modules} & set(json.loads(sys.argv[2])))))
"""


def _python(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_every_module_imports_on_its_own_in_a_fresh_interpreter() -> None:
    names = [m for m in MODULES if m != "backtest.__main__"]
    failed = json.loads(_python(_IMPORT_EACH, json.dumps(names)))
    assert not failed, "\n".join(f"{k}:\n{v}" for k, v in failed.items())


@pytest.mark.parametrize("entry", [
    ["backtest", "backtest.claims", "backtest.provenance", "backtest.strategy"],
    ["backtest.runner", "backtest.eventstudy", "backtest.report", "backtest.regimes"],
])
def test_importing_the_library_loads_no_plotting_or_engine_library(entry: list[str]) -> None:
    heavy = ["plotly", "matplotlib", "vectorbt", "dask", "arch", "numba", "scipy"]
    loaded = json.loads(_python(_HEAVY_AFTER, json.dumps(entry), json.dumps(heavy)))
    assert loaded == []
