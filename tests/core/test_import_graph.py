"""The webapp package imports no module that (directly or through others) imports it back.

The graph is read from the source with `ast`, so it also sees imports inside functions (the
lazy ones a cycle usually hides behind). An arrow from module A to module B means A imports
B or a name from B; `from . import x` points at the submodule x when there is one, else at the
package. Importing a submodule also imports its package's __init__, but that is not an arrow:
a package's __init__ importing its own submodules (blueprint routes) is the normal layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "webapp"
BLUEPRINT_NAME = "bp"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its __init__)."""
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _base(module: str, path: Path, level: int) -> str:
    """The package a relative import of `level` dots starts from."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return package


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of import nodes inside `if TYPE_CHECKING:` blocks."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return skipped


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The webapp modules one module imports, anywhere in its body."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _type_checking_only(tree)
    own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _base(module, path, node.level)
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            # `from pkg import sub` imports the submodule sub; `from pkg import name` takes a name from pkg
            names = [alias.name for alias in node.names]
            if origin == own_package and path.name != "__init__.py":
                names = [name for name in names if name != BLUEPRINT_NAME]  # the blueprint layout (see above)
            targets = [f"{origin}.{name}" if f"{origin}.{name}" in known else origin for name in names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """module → the webapp modules it imports."""
    names = module_names()
    known = set(names)
    return {module: imports_of(module, path, known) for module, path in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return path[path.index(following) :] + [following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def all_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by removing one arrow of each found cycle in turn (for the failure message)."""
    graph = {k: set(v) for k, v in graph.items()}
    cycles = []
    while (cycle := find_cycle(graph)) is not None:
        cycles.append(cycle)
        graph[cycle[-2]].discard(cycle[-1])
    return cycles


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "webapp.reports.registry" in graph["webapp.reports.forms"]  # from .registry import TEMPLATES
    assert "webapp.jobs" in graph["webapp.reports.cli"]  # from ..jobs import … inside a command function
    assert "webapp.reports.signals" in graph["webapp.reports.service"]
    assert "webapp.reports.metrics" in graph["webapp.reports.kinds.weekly_ops"]  # from .. import metrics
    assert "webapp.reports" not in graph["webapp.reports.routes"]  # from . import bp: the blueprint layout
    assert "webapp.reports.template" not in graph["webapp.reports.data"]  # only under TYPE_CHECKING


def test_find_cycle_reports_the_loop():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_webapp_has_no_import_cycle():
    cycles = all_cycles(import_graph())
    assert not cycles, "import cycles in webapp/:\n" + "\n".join(" → ".join(c) for c in cycles)


def is_view(module: str) -> bool:
    """Modules that hold routes: <area>.routes, <area>.*_routes and the API modules."""
    last = module.rpartition(".")[2]
    return last == "routes" or last.endswith("_routes") or (module.startswith(f"{PACKAGE}.api.") and last != "api")


def test_views_do_not_import_views():
    graph = import_graph()
    arrows = [f"{m} → {d}" for m in sorted(graph) if is_view(m) for d in sorted(graph[m]) if is_view(d)]
    assert not arrows, "a view module imports another view module (move the shared code to a domain module):\n" + "\n".join(
        arrows
    )


def test_reports_do_not_import_schedules():
    """Schedules build on reports (they request them and e-mail them), never the other way round."""
    graph = import_graph()
    reports, schedules = f"{PACKAGE}.reports", f"{PACKAGE}.schedules"
    arrows = [
        f"{m} → {d}"
        for m in sorted(graph)
        if m == reports or m.startswith(reports + ".")
        for d in sorted(graph[m])
        if d == schedules or d.startswith(schedules + ".")
    ]
    assert not arrows, "\n".join(arrows)
