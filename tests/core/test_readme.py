"""The README's checkable claims, and the option reference generated from the task signatures.

The option tables live in ``docs/options.md``, generated from each task's signature (defaults)
and docstring (meanings) by :mod:`pluralbench._options_doc`: the committed file must equal the
generated text, so it cannot drift from the code.
"""

from __future__ import annotations

import re
from pathlib import Path

from pluralbench._options_doc import registered_tasks, render

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
OPTIONS_DOC = REPO / "docs" / "options.md"
CI_SCRIPT = REPO / ".ci" / "run"
MAX_BYTES = 15_000
TASKS = registered_tasks()

FENCE = re.compile(r"^\s*(```+|~~~+)(.*)$")
TASK_REFERENCE = re.compile(r"(?<![\w./-])pluralbench/([A-Za-z_][\w]*)")


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


def test_the_registry_holds_all_eight_tasks() -> None:
    assert set(TASKS) == {
        "persona",
        "persona_loo",
        "persona_intersectionality",
        "persona_pass_at_k",
        "persona_preference",
        "persona_group",
        "steerability",
        "alignment_targets",
    }


def test_the_option_reference_is_generated_from_the_signatures() -> None:
    assert OPTIONS_DOC.read_text(encoding="utf-8") == render(), (
        "docs/options.md is stale: python -m pluralbench._options_doc > docs/options.md"
    )


def test_every_option_of_every_task_is_documented() -> None:
    import inspect

    from pluralbench._options_doc import docstring_args

    for name, function in TASKS.items():
        undocumented = set(inspect.signature(function).parameters) - set(docstring_args(function))
        assert not undocumented, f"{name}: options without an Args: entry in the docstring: {sorted(undocumented)}"


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
