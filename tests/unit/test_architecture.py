"""The import rules of docs/architecture.md, checked on the source (every import statement counts, also
those inside functions or under `TYPE_CHECKING`, because a lazy import is still a dependency).

Dependencies point down: `api/`, `indexer/`, `bench/` and the CLIs use `engine/`; `engine/` imports none
of them; the test fixtures do not lean on the benchmarks; and the engine's own packages form no cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("api", "bench", "engine", "indexer", "tests", "scripts", "tools")

# package -> the project's top-level packages it must never import
FORBIDDEN = {
    "engine": {"api", "indexer", "bench", "tests", "tools"},
    "indexer": {"api", "bench", "tests", "tools"},
    "api": {"bench", "tests", "tools"},
    "tests/fixtures": {"bench"},
    "tests/support": {"bench"},
}


# The engine's packages (and top-level modules) from the bottom up: each may import only from layers
# below its own (docs/architecture.md explains what each owns). This also rules out cycles; the cycle
# test below still names one plainly if a new package is left out of this table.
LAYERS: list[set[str]] = [
    {"errors"},
    {"config", "records", "charset", "resilience", "ports", "feed_values", "markup", "sale_dates"},
    {"storage", "schema_checks", "sample", "events", "environment", "crashpoints"},
    {"schema_attributes", "schema_sale"},
    {"ranking", "lexical", "product_schema"},
    {"models", "suggestions", "merch", "analytics"},
    {"triton"},
    {"inference"},
    {"vectors"},
    {"catalog", "pipeline"},
    {"personalize", "catalog_undo"},
    {"learning", "services"},
    {"encoder"},
    {"cli"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in `path`; relative imports are resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from engine import catalog` imports engine.catalog
                yield node.lineno, f"{base}.{alias.name}"


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def unit_of(module: str) -> str | None:
    """The engine package (or top-level engine module) a module belongs to: engine.pipeline.search ->
    engine.pipeline; None outside the engine or for the bare `engine` package."""
    parts = module.split(".")
    if parts[0] != "engine" or len(parts) < 2:
        return None
    return ".".join(parts[:2])


def engine_units() -> set[str]:
    units = {p.stem for p in (ROOT / "engine").glob("*.py") if p.stem != "__init__"}
    units |= {p.parent.name for p in (ROOT / "engine").glob("*/__init__.py")}
    return {f"engine.{u}" for u in units}


def engine_graph() -> dict[str, dict[str, str]]:
    """unit -> {imported unit: first place it is imported from}."""
    known = engine_units()
    graph: dict[str, dict[str, str]] = {u: {} for u in known}
    for path in python_files("engine"):
        source = unit_of(module_name(path))
        if source is None:
            continue
        for line, name in imports_of(path):
            target = unit_of(name)
            if target is None or target == source or target not in known:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            graph[source].setdefault(target, where)
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle as a list of units (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_layers_import_only_downwards() -> None:
    broken = []
    for folder, forbidden in FORBIDDEN.items():
        for path in python_files(folder):
            for line, name in imports_of(path):
                if name.split(".")[0] in forbidden:
                    broken.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not broken, "imports against the layering:\n" + "\n".join(sorted(set(broken)))


def test_engine_packages_form_no_cycle() -> None:
    graph = engine_graph()
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in pairwise(cycle)]
        raise AssertionError("engine packages import each other in a cycle:\n" + "\n".join(steps))


def test_every_engine_package_has_a_layer() -> None:
    layered = {f"engine.{name}" for layer in LAYERS for name in layer}
    assert engine_units() == layered, "add new engine packages to LAYERS (and docs/architecture.md)"


def test_engine_packages_import_only_from_lower_layers() -> None:
    level = {f"engine.{name}": n for n, layer in enumerate(LAYERS) for name in layer}
    broken = [
        f"{source} -> {target} ({where})"
        for source, targets in engine_graph().items()
        for target, where in targets.items()
        if source in level and target in level and level[target] >= level[source]
    ]
    assert not broken, "imports against the engine's layers:\n" + "\n".join(sorted(broken))


def test_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}, "d": {"a": "w"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": "x"}, "b": {}}) is None


def test_units_are_engine_packages() -> None:
    assert unit_of("engine.pipeline.search") == "engine.pipeline"
    assert unit_of("engine") is None
    assert unit_of("api.deps") is None


MODULE_LINE_BUDGET = 300


def long_modules_without_a_reason(root: Path) -> list[str]:
    """Modules of engine/, api/ and indexer/ over the line budget whose docstring does not say why."""
    missing = []
    for package in ("engine", "api", "indexer"):
        for path in sorted((root / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            if source.count("\n") <= MODULE_LINE_BUDGET:
                continue
            doc = " ".join((ast.get_docstring(ast.parse(source)) or "").split()).lower()
            if f"over {MODULE_LINE_BUDGET} lines because" not in doc:
                missing.append(str(path.relative_to(root)))
    return missing


def test_long_modules_say_why_in_their_docstring() -> None:
    assert long_modules_without_a_reason(ROOT) == []


def test_the_line_budget_check_sees_a_long_module_without_a_reason(tmp_path: Path) -> None:
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "big.py").write_text('"""A module."""\n' + "x = 1\n" * 400)
    (tmp_path / "engine" / "why.py").write_text(
        '"""A module.\n\nOver 300 lines because.\n"""\n' + "x = 1\n" * 400
    )
    assert long_modules_without_a_reason(tmp_path) == ["engine/big.py"]
