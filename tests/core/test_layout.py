"""The package's shape: every task registered once, logging every argument with its default and a version."""

from __future__ import annotations

import inspect as pyinspect
from collections.abc import Callable

import pytest
from inspect_ai import Task
from inspect_ai._eval.task.constants import TASK_ALL_PARAMS_ATTR

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
