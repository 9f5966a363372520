"""Rejected task options and files: one short message naming the option, before any model call.

Every example of issue 15, point 9 (and a bad seed for every registered task) runs twice: cheaply
through ``inspect_ai.eval`` with the ``-T`` values parsed exactly as the CLI parses them (YAML),
and, marked ``slow``, through the real ``inspect eval`` command in a subprocess, where the
message must be exactly one line on stderr at an 80-column terminal (no blank padding, no
wrapping, no traceback), with exit status 1.
"""

from __future__ import annotations

import inspect as pyinspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai._util.config import parse_cli_args
from inspect_ai.model import ChatMessage, Model

from pluralbench import _registry
from pluralbench._errors import InputError
from pluralbench.scripted import scripted_model
from support import REPO

AGE_TRUE = "{age_true}"
"""Placeholder for a persona file whose first line has ``"age": true``."""

# (task, -T arguments as typed on the command line, pattern the message must match)
CASES: list[tuple[str, list[str], str]] = [
    ("persona", ["n=abc"], r"^option n='abc': must be an integer >= 1$"),
    ("persona", ["n=1.5"], r"^option n=1\.5: must be an integer >= 1$"),
    ("persona", ["personas=0"], r"^option personas=0: must be a persona file path"),
    ("persona", ["personas="], r"^option personas=<empty>: must be a persona file path.*, not empty"),
    ("persona", ["questions="], r"^option questions=<empty>: must be a question JSONL file path.*, not empty"),
    ("persona", ["seed=abc"], r"^option seed='abc': must be an integer >= 0$"),
    (
        "persona",
        [f"personas={AGE_TRUE}"],
        r"^persona file .*people\.jsonl, line 1: field 'age': Input should be a valid integer",
    ),
    ("persona_loo", ["attributes="], r"^option attributes=<empty>: must be attribute names"),
    ("persona_loo", ["n=1.5"], r"^option n=1\.5: must be an integer >= 1$"),
    ("persona_intersectionality", ["groups="], r"^option groups=<empty>: must be a groups JSON file path"),
    ("persona_intersectionality", ["debate_rounds=1.5"], r"^option debate_rounds=1\.5: must be an integer >= 0$"),
    ("persona_pass_at_k", ["k=2.5"], r"^option k=2\.5: must be an integer >= 1$"),
    ("persona_pass_at_k", ["temperature=abc"], r"^option temperature='abc': must be a number >= 0$"),
    ("persona_pass_at_k", ["temperature=-1"], r"^option temperature=-1: must be a number >= 0$"),
    ("steerability", ["include_label=maybe"], r"^option include_label='maybe': must be true or false$"),
    ("steerability", ["personas=0"], r"^option personas=0: must be a count >= 1"),
    ("steerability", ["data="], r"^option data=<empty>: must be a statements file or directory path"),
    ("steerability", ["cross=some"], r"^option cross='some': must be an integer >= 0 or 'all'$"),
    ("alignment_targets", ["target="], r"^option target=<empty>: must be a bundled target name"),
    ("alignment_targets", ["dataset="], r"^option dataset=<empty>: must be 'bundled', 'helpsteer2'"),
    ("alignment_targets", ["samples=0"], r"^option samples=0: must be an integer >= 1$"),
    (
        "alignment_targets",
        ["method=oracle", "samples=3"],
        r"^option samples=3: method=oracle calls no model; use samples=1$",
    ),
]

TASKS = sorted(name for name in _registry.__all__ if name != "local")
SEED_CASES = [
    (name, ["seed=abc"], r"^option seed='abc': must be an integer >= 0$")
    for name in TASKS
    if "seed" in pyinspect.signature(getattr(_registry, name)).parameters
]
ALL_CASES = CASES + [case for case in SEED_CASES if case[0] != "persona"]
IDS = [f"{task}:{' '.join(args)}" for task, args, _ in ALL_CASES]


def test_every_registered_task_is_covered() -> None:
    assert {task for task, _, _ in ALL_CASES} == set(TASKS)


def refusing_model() -> Model:
    def reply(messages: list[ChatMessage]) -> str:
        raise AssertionError("a model was called before the input was validated")

    return scripted_model(reply)


def cli_args(args: list[str], tmp_path: Path) -> list[str]:
    """Fill in the placeholder file of a case with a file written in ``tmp_path``."""
    if any(AGE_TRUE in arg for arg in args):
        people = tmp_path / "people.jsonl"
        people.write_text('{"persona_id": "p1", "age": true, "sex": "Female"}\n', encoding="utf-8")
        return [arg.replace(AGE_TRUE, str(people)) for arg in args]
    return args


@pytest.mark.parametrize(("task", "args", "pattern"), ALL_CASES, ids=IDS)
def test_rejected_through_eval_with_cli_parsed_values(task: str, args: list[str], pattern: str, tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    with pytest.raises(InputError) as caught:
        eval(
            f"pluralbench/{task}",
            task_args=parse_cli_args(cli_args(args, tmp_path)),
            model=refusing_model(),
            model_roles={"critic": refusing_model(), "judge": refusing_model()},
            log_dir=str(log_dir),
            display="none",
        )
    message = str(caught.value)
    assert "\n" not in message and re.search(pattern, message), message
    assert not log_dir.exists() or not any(log_dir.iterdir()), "a run was started"


@pytest.mark.slow
@pytest.mark.parametrize(("task", "args", "pattern"), ALL_CASES, ids=IDS)
def test_rejected_through_the_inspect_cli_in_one_line(task: str, args: list[str], pattern: str, tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    command = [sys.executable, "-m", "inspect_ai", "eval", f"pluralbench/{task}", "--model", "mockllm/model"]
    for arg in cli_args(args, tmp_path):
        command += ["-T", arg]
    command += ["--log-dir", str(log_dir)]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output[-3000:]
    assert result.stdout == "", output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), lines  # one line, unwrapped, no blank padding
    assert not log_dir.exists() or not any(log_dir.iterdir()), "a run was started"


@pytest.mark.slow
def test_rejected_under_display_none_still_prints_its_line_on_stderr(tmp_path: Path) -> None:
    """inspect's own hook prints through a console that ``--display none`` silences; the suite's does not."""
    command = [sys.executable, "-m", "inspect_ai", "eval", "pluralbench/persona", "--model", "mockllm/model"]
    command += ["-T", "n=abc", "--display", "none", "--log-dir", str(tmp_path / "logs")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == "option n='abc': must be an integer >= 1", result.stderr
    assert result.stdout.strip() == ""


FAILING_TASK = """
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.solver import solver


@solver
def fault():
    async def solve(state, generate):
        raise RuntimeError("a fault inside the sample")

    return solve


@task
def faulty():
    return Task(dataset=[Sample(input="x", target="y")], solver=fault())
"""


@pytest.mark.slow
def test_inspect_eval_exits_0_on_a_log_that_ends_in_error_and_eval_set_exits_1(tmp_path: Path) -> None:
    """What the README documents: ``inspect eval`` (0.3.285) reports a run that ended in error only in its log.

    ``inspect eval-set`` exits 1 unless every task succeeded, so scripts that need a failing exit
    status use it (or read ``log.status``). If inspect changes this, the README must change too.
    """
    task_file = tmp_path / "faulty.py"
    task_file.write_text(FAILING_TASK, encoding="utf-8")
    codes = {}
    for command in ("eval", "eval-set"):
        log_dir = tmp_path / command
        result = subprocess.run(
            [sys.executable, "-m", "inspect_ai", command, task_file.name, "--model", "mockllm/model"]
            + ["--log-dir", str(log_dir), "--display", "none", "--log-format", "json"]
            + (["--retry-attempts", "0"] if command == "eval-set" else []),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        codes[command] = result.returncode
        statuses = {json.loads(path.read_text())["status"] for path in log_dir.glob("*_faulty_*.json")}
        assert statuses == {"error"}, (command, statuses, result.stderr[-2000:])
    assert codes == {"eval": 0, "eval-set": 1}
