"""The package's shape: every task registered once, logging every argument with its default and a version."""

from __future__ import annotations

import ast
import inspect as pyinspect
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai._eval.task.constants import TASK_ALL_PARAMS_ATTR

import pluralbench
from pluralbench import _registry

TASK_FUNCTIONS: dict[str, Callable[..., Task]] = {
    name: getattr(_registry, name) for name in _registry.__all__ if name != "local"
}


def test_every_task_is_registered() -> None:
    assert sorted(TASK_FUNCTIONS) == [
        "alignment_targets",
        "persona",
        "persona_group",
        "persona_intersectionality",
        "persona_loo",
        "persona_pass_at_k",
        "persona_preference",
        "steerability",
    ]


@pytest.mark.parametrize("name", sorted(TASK_FUNCTIONS))
def test_a_task_records_every_argument_with_its_default_and_has_a_version(name: str) -> None:
    function = TASK_FUNCTIONS[name]
    defaults = {key: p.default for key, p in pyinspect.signature(function).parameters.items()}
    assert all(p is not pyinspect.Parameter.empty for p in defaults.values()), "every option has a default"
    task = function(**({"n": 2} if "n" in defaults else {}))
    # what inspect 0.3.285 writes to the log's task_args (_eval/run.py reads this attribute)
    assert getattr(task, TASK_ALL_PARAMS_ATTR) == defaults | ({"n": 2} if "n" in defaults else {})
    assert task.version == 3


PACKAGE = Path(pluralbench.__file__).parent
FAMILIES = ("persona", "steerability", "alignment")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported_modules(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    """Return the package's modules that a module imports (``from pkg import mod`` names ``pkg.mod``).

    With ``top_level_only``, imports that run when the module loads: its body, ``if`` and ``try``
    blocks, not ``if TYPE_CHECKING`` and not inside functions.
    """
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()

    def record(node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            return
        base = package[: len(package) - node.level + 1] if node.level else []
        module = ".".join([*base, node.module] if node.module else base)
        found.update(f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names)

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                record(node)
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                visit(node.body + node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body])

    tree = ast.parse(path.read_text(encoding="utf-8"))
    if top_level_only:
        visit(tree.body)
    else:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                record(node)
    return found & set(MODULES)


def _family(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FAMILIES else None


def test_no_module_of_one_family_imports_another_family() -> None:
    crossing = [
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if _family(name)
        for target in _imported_modules(name, path, top_level_only=False)
        if _family(target) not in (None, _family(name))
    ]
    assert crossing == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one import cycle through each module that is on one (depth-first; empty when none)."""
    done: set[str] = set()

    def cycle_from(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph.get(name, set())):
            found = cycle_from(target, [*trail, name])
            if found:
                return found
        done.add(name)
        return None

    return [found for name in sorted(graph) if (found := cycle_from(name, []))]


def test_the_modules_import_each_other_without_a_cycle() -> None:
    assert _cycles({name: _imported_modules(name, path, top_level_only=True) for name, path in MODULES.items()}) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})[0] == ["a", "b", "c", "a"]
    assert _cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_import_reader_resolves_relative_imports_and_skips_type_checking(tmp_path: Path) -> None:
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("from . import second\n", encoding="utf-8")
    second.write_text("from pluralbench.persona import metrics\nif TYPE_CHECKING:\n    import pluralbench.api\n")
    assert _imported_modules("pluralbench.persona.first", first, top_level_only=True) == {"pluralbench.persona"}
    assert _imported_modules("pluralbench.persona.x", second, top_level_only=True) == {"pluralbench.persona.metrics"}
    assert _imported_modules("pluralbench.persona.x", second, top_level_only=False) == {
        "pluralbench.persona.metrics",
        "pluralbench.api",
    }


def test_analysis_and_solver_modules_are_under_400_lines() -> None:
    long = {
        name: lines
        for name, path in MODULES.items()
        if ("analysis" in name.split(".")[-1] or "solver" in name or ".solvers." in name)
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_LINES
    }
    assert long == {}
