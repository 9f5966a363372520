"""The README's checkable claims: option tables match the task signatures, fences close, size, names.

An option table is a Markdown table whose header names tasks in backticks. Either the first
header cell names one task (``| `steerability` option | default | meaning |``) and the
``default`` column holds its defaults, or several header cells name tasks (``| option |
`persona` | `persona_loo` | ... | meaning |``) and each of those columns holds that task's
defaults, with ``-`` where the task has no such option. A default is a literal in backticks
(``true``/``false`` for booleans, lists comma-separated) or, for a ``None`` default, plain text
saying what is used instead (``bundled``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from inspect_ai._util.registry import is_registry_object, registry_info

from pluralbench.alignment import tasks as alignment_tasks
from pluralbench.persona import tasks as persona_tasks
from pluralbench.steerability import tasks as steerability_tasks

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
CI_SCRIPT = REPO / ".ci" / "run"
MAX_BYTES = 15_000
TASK_MODULES: tuple[ModuleType, ...] = (persona_tasks, steerability_tasks, alignment_tasks)
ABSENT = {"-", "–", "—"}
"""Cells of a task column for an option that task does not have."""

FENCE = re.compile(r"^\s*(```+|~~~+)(.*)$")
TASK_REFERENCE = re.compile(r"(?<![\w./-])pluralbench/([A-Za-z_][\w]*)")
BACKTICKED = re.compile(r"^`([^`]*)`$")


def registered_tasks() -> dict[str, Callable[..., Any]]:
    """Return the ``@task`` functions of the family task modules by their registered short name."""
    found: dict[str, Callable[..., Any]] = {}
    for module in TASK_MODULES:
        for obj in vars(module).values():
            if callable(obj) and is_registry_object(obj, type="task"):
                name = registry_info(obj).name
                assert name.startswith("pluralbench/"), name
                found[name.removeprefix("pluralbench/")] = obj
    return found


TASKS = registered_tasks()


def readme_lines() -> list[str]:
    return README.read_text(encoding="utf-8").splitlines()


def prose_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Return (line number, line) of the lines outside code fences."""
    result, fenced = [], False
    for number, line in enumerate(lines, start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            result.append((number, line))
    return result


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def task_in(cell: str) -> str | None:
    """Return the task a header cell names in backticks, if any."""
    names = [name for name in re.findall(r"`([^`]+)`", cell) if name in TASKS]
    return names[0] if len(names) == 1 else None


@dataclass
class OptionTable:
    """Defaults per task from one README table, and where it starts."""

    line: int
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)


def option_tables() -> list[OptionTable]:
    """Parse every option table of the README (outside code fences)."""
    lines = prose_lines(readme_lines())
    tables = []
    index = 0
    while index < len(lines) - 1:
        number, header = lines[index]
        separator = lines[index + 1][1]
        if not (header.lstrip().startswith("|") and re.fullmatch(r"\s*\|[\s:|-]+\|\s*", separator)):
            index += 1
            continue
        head = cells(header)
        first = task_in(head[0])
        if first is not None:
            assert "default" in head, f"README line {number}: the table of {first} has no 'default' column"
            columns = {first: head.index("default")}
        else:
            columns = {task: position for position, cell in enumerate(head) if (task := task_in(cell))}
        index += 2
        rows = []
        while index < len(lines) and lines[index][1].lstrip().startswith("|"):
            rows.append(lines[index])
            index += 1
        if not columns:
            continue
        table = OptionTable(number, {task: {} for task in columns})
        for row_number, row in rows:
            row_cells = cells(row)
            assert len(row_cells) == len(head), (
                f"README line {row_number}: {len(row_cells)} cells, header has {len(head)}"
            )
            match = BACKTICKED.match(row_cells[0])
            assert match, f"README line {row_number}: the option cell must be one option name in backticks"
            for task, position in columns.items():
                if row_cells[position] not in ABSENT:
                    table.defaults[task][match.group(1)] = row_cells[position]
        tables.append(table)
    return tables


def expected_cell(default: Any) -> str | None:
    """Return the backticked literal the README must show for a default (None: free text)."""
    if default is None:
        return None
    if isinstance(default, bool):
        return "`true`" if default else "`false`"
    if isinstance(default, list | tuple):
        return "`" + ",".join(str(item) for item in default) + "`"
    return f"`{default}`"


def test_the_family_modules_register_all_six_tasks() -> None:
    assert set(TASKS) == {
        "persona",
        "persona_loo",
        "persona_intersectionality",
        "persona_pass_at_k",
        "steerability",
        "alignment_targets",
    }


@pytest.mark.parametrize("task_name", sorted(TASKS))
def test_option_table_matches_the_task_signature(task_name: str) -> None:
    tables = [table for table in option_tables() if task_name in table.defaults]
    assert len(tables) == 1, f"README needs exactly one option table for {task_name}, found {len(tables)}"
    documented = tables[0].defaults[task_name]
    parameters = inspect.signature(TASKS[task_name]).parameters
    assert list(documented) == list(parameters), (
        f"options of {task_name} in the README table (line {tables[0].line}) differ from its signature"
    )
    for name, parameter in parameters.items():
        cell = documented[name]
        expected = expected_cell(parameter.default)
        if expected is None:
            assert not cell.startswith("`"), f"{task_name}.{name} defaults to None; the README shows a literal {cell}"
            assert cell, f"{task_name}.{name}: say what is used when the option is not given"
        else:
            assert cell == expected, f"{task_name}.{name}: README default {cell}, signature default {expected}"


def test_every_table_row_has_the_header_cell_count() -> None:
    lines = prose_lines(readme_lines())
    width = None
    for (number, line), (_, following) in zip(lines, [*lines[1:], (0, "")], strict=True):
        if not line.lstrip().startswith("|"):
            width = None
            continue
        if width is None and re.fullmatch(r"\s*\|[\s:|-]+\|\s*", following):
            width = len(cells(line))
        assert width is None or len(cells(line)) == width, (
            f"README line {number}: {len(cells(line))} cells, not {width}"
        )


def test_code_fences_are_closed() -> None:
    opened_at = None
    for number, line in enumerate(readme_lines(), start=1):
        match = FENCE.match(line)
        if not match:
            continue
        if opened_at is None:
            opened_at = number
        else:
            # a closing fence carries no info string; "```bash" here means the fence above was never closed
            assert not match.group(2).strip(), (
                f"README line {number} opens a fence inside the one opened at {opened_at}"
            )
            opened_at = None
    assert opened_at is None, f"the code fence opened at README line {opened_at} is never closed"


def test_readme_is_under_the_size_budget() -> None:
    size = README.stat().st_size
    assert size < MAX_BYTES, f"README.md is {size:,} bytes; keep it under {MAX_BYTES:,} (detail goes to docs/)"


def test_every_named_task_is_registered() -> None:
    named = set(TASK_REFERENCE.findall(README.read_text(encoding="utf-8")))
    assert named, "the README names no pluralbench/<task>"
    assert named <= set(TASKS), f"not registered tasks: {sorted(named - set(TASKS))}"


def test_no_task_files_are_named() -> None:
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w/.-])tasks/\w+\.py", text), "tasks/*.py are gone: use inspect eval pluralbench/<task>"


def test_quick_start_commands_are_the_ones_ci_runs() -> None:
    ci_lines = [line.strip() for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines()]
    install = next(line for line in ci_lines if "pip install" in line)
    tests = next(line for line in ci_lines if line.startswith("python -m pytest"))
    text = README.read_text(encoding="utf-8")
    assert install in text, f"the README's install command differs from CI's: {install}"
    assert re.search(rf"^{re.escape(tests)}\b", text, flags=re.MULTILINE), f"the README does not show {tests!r}"
