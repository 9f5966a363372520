"""Shared fixtures: the local-model guard, a log directory, an approving critic, and ``run_eval``.

Helpers import by module name (``pythonpath = ["tests"]`` in pyproject): ``support`` (paths),
``replies`` (valid replies serialised from the suite's reply models), ``states`` (solvers and
scorers on a ``TaskState`` without an eval) and ``persona_scripts`` (PERSONA answerers and judges).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task, eval, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, ModelOutput

from pluralbench.model import _provider
from pluralbench.scripted import scripted_model
from replies import APPROVE
from states import RunEval


def pytest_collection_finish(session: pytest.Session) -> None:
    """Import the provider modules inspect loads when its first sample starts, once, before any test.

    The first sample of a process imports inspect's OpenAI and Anthropic provider code (several
    seconds); importing it here keeps that one-off cost out of whichever test happens to run first.
    """
    if session.items and not session.config.option.collectonly:
        import inspect_ai.model._openai_responses  # noqa: F401
        import inspect_ai.model._providers.anthropic  # noqa: F401


@pytest.fixture(autouse=True)
def no_local_model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside tests marked ``local_model``, a call to the local default model fails at once instead of running it."""
    if request.node.get_closest_marker("local_model"):
        return

    async def refuse(self: object, *args: object, **kwargs: object) -> ModelOutput:
        raise AssertionError("the local default model was called, not the model given to eval")

    monkeypatch.setattr(_provider.LocalLlamaAPI, "generate", refuse)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """A fresh log directory (not created until an eval writes to it)."""
    return tmp_path / "logs"


@pytest.fixture
def approving_critic() -> Model:
    """A critic that finds that every answer needs no revision."""
    return scripted_model(APPROVE)


@pytest.fixture
def run_eval(log_dir: Path) -> RunEval:
    """Run one task on a model (pinned on the task too, as ``pluralbench.api`` does) into ``log_dir``.

    ``run_eval(task, model, roles=None, expect="success", **eval_options)`` returns the log and
    checks its status.
    """

    def run(
        task: Task, model: Model, roles: dict[str, Model] | None = None, expect: str = "success", **options: Any
    ) -> EvalLog:
        options.setdefault("log_realtime", False)  # the same final log, written in half the time
        [log] = eval(
            task_with(task, model=model),
            model=model,
            model_roles=roles,  # type: ignore[arg-type]
            log_dir=str(log_dir),
            display="none",
            **options,
        )
        assert log.status == expect, log.error
        return log

    return run
