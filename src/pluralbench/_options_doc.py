"""The task option reference (``docs/options.md``), generated from the task signatures and docstrings.

Every registered task contributes one table: each option with its default (from the signature)
and its meaning (the ``Args:`` entry of the task's Google docstring), so the reference cannot drift
from the code; ``tests/core/test_readme.py`` checks that the committed file equals this output.
Regenerate with ``python -m pluralbench._options_doc > docs/options.md``.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

from inspect_ai._util.registry import is_registry_object, registry_info

HEADER = """\
# Task options

Generated from the task signatures and docstrings by `python -m pluralbench._options_doc`; do not edit by
hand. Pass options as `-T key=value` (values are read as YAML) or in `--task-config FILE.yaml`. Every option
is checked by type and range before anything runs; an empty value is an error (omit the option to get its
default). `bundled` and similar words stand for a `None` default: what the task uses instead.
"""

_ARG = re.compile(r"^(\s*)(\w+)(?: \(.*?\))?:\s*(.*)$")


def registered_tasks() -> dict[str, Callable[..., Any]]:
    """Return the suite's ``@task`` functions by their short registered name, in registry order.

    Returns:
        Task name (without ``pluralbench/``) to task function.
    """
    from pluralbench import _registry

    found: dict[str, Callable[..., Any]] = {}
    for name in _registry.__all__:
        obj = getattr(_registry, name)
        if callable(obj) and is_registry_object(obj, type="task"):
            found[registry_info(obj).name.removeprefix("pluralbench/")] = obj
    return found


def docstring_args(function: Callable[..., Any]) -> dict[str, str]:
    """Return each argument's description from a Google-style docstring, joined into one line.

    Args:
        function: The documented function.

    Returns:
        Argument name to description.
    """
    lines = inspect.getdoc(function) or ""
    described: dict[str, str] = {}
    inside, indent, current = False, None, None
    for line in lines.splitlines():
        if line.strip() == "Args:":
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith(" "):
            break
        match = _ARG.match(line)
        if match and (indent is None or len(match.group(1)) == indent):
            indent = len(match.group(1))
            current = match.group(2)
            described[current] = match.group(3).strip()
        elif current is not None and line.strip():
            described[current] += " " + line.strip()
    return described


def default_cell(parameter: inspect.Parameter, meaning: str) -> str:
    """Return the default as the table shows it: a literal in backticks, or ``bundled``-style text for None.

    Args:
        parameter: The signature parameter.
        meaning: Its description (the word used for a ``None`` default is taken from it when it says
            ``default: X``).

    Returns:
        The cell text.
    """
    default = parameter.default
    if default is inspect.Parameter.empty:
        return "required"
    if default is None:
        said = re.search(r"\(default:? ([^)]*)\)", meaning)
        return said.group(1) if said else "none"
    if isinstance(default, bool):
        return "`true`" if default else "`false`"
    if isinstance(default, list | tuple):
        return "`" + ",".join(str(item) for item in default) + "`"
    return f"`{default}`"


def render() -> str:
    """Return the whole ``docs/options.md`` text.

    Returns:
        Markdown: the header and one option table per task.
    """
    parts = [HEADER]
    for name, function in registered_tasks().items():
        meanings = docstring_args(function)
        rows = [f"| `{name}` option | default | meaning |", "|---|---|---|"]
        for parameter in inspect.signature(function).parameters.values():
            meaning = meanings.get(parameter.name, "").replace("|", "\\|")
            rows.append(f"| `{parameter.name}` | {default_cell(parameter, meaning)} | {meaning} |")
        parts.append(f"## `{name}`\n\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
