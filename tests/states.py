"""Run solvers and scorers on ``TaskState``s directly, without an eval, with scripted models bound.

Inside the coroutine the evaluated model and the model roles are bound the way an eval binds
them, so ``get_model()`` and ``get_model(role="critic")`` resolve as in a real run. Tests of
arithmetic and parsing use these; a few end-to-end evals per task check the wiring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar

from inspect_ai import Task
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessageUser, GenerateConfig, Model, ModelName, get_model
from inspect_ai.model._model import init_active_model, init_model_roles
from inspect_ai.scorer import SampleScore, Score, Scorer, Target
from inspect_ai.solver import Generate, Solver, TaskState

from pluralbench.scripted import scripted_model, scripted_output

T = TypeVar("T")

RunEval = Callable[..., EvalLog]
"""Type of the ``run_eval`` fixture (``tests/conftest.py``): ``run_eval(task, model, roles=None, **options)``."""

NO_MODEL_CALLS = "no model may be called here"


def refusing_model() -> Model:
    """A scripted model that fails the test when it is called."""

    def reply(messages: object) -> str:
        raise AssertionError(NO_MODEL_CALLS)

    return scripted_model(reply)  # type: ignore[arg-type]


def state_of(
    sample: Sample, *, epoch: int = 1, output: str | None = None, metadata: dict[str, Any] | None = None
) -> TaskState:
    """Return the state an eval starts a sample with (plus ``output`` and extra ``metadata``).

    Args:
        sample: The sample (from a task's dataset or built by the test).
        epoch: The epoch number.
        output: Completion to set as the model's output (as if a solver had run).
        metadata: Entries added to the sample's metadata (e.g. what a solver writes).
    """
    messages = [ChatMessageUser(content=sample.input)] if isinstance(sample.input, str) else list(sample.input)
    state = TaskState(
        model=ModelName("mockllm/model"),
        sample_id=sample.id if sample.id is not None else 1,
        epoch=epoch,
        input=sample.input,
        messages=messages,
        target=Target(sample.target),
        metadata={**(sample.metadata or {}), **(metadata or {})},
    )
    if output is not None:
        state.output = scripted_output(output)
    return state


def run_bound(work: Callable[[], Awaitable[T]], model: Model | None = None, roles: dict[str, Model] | None = None) -> T:
    """Run ``work()`` in a fresh event loop with ``model`` as the evaluated model and ``roles`` bound."""

    async def bound() -> T:
        init_active_model(model or refusing_model(), GenerateConfig())
        init_model_roles(dict(roles or {}))  # type: ignore[arg-type]
        return await work()

    return asyncio.run(bound())


def plain_generate() -> Generate:
    """A ``generate`` like an eval's (one model call, reply appended), for tools-free solvers."""

    async def generate(
        state: TaskState, tool_calls: Literal["loop", "single", "none"] = "loop", **config: Any
    ) -> TaskState:
        state.output = await get_model().generate(state.messages, config=GenerateConfig(**config))
        state.messages.append(state.output.message)
        return state

    return generate  # type: ignore[return-value]


def solve_all(
    solver: Solver, states: Sequence[TaskState], model: Model, roles: dict[str, Model] | None = None
) -> list[TaskState]:
    """Run ``solver`` on every state concurrently, as one run (one shared ``generate``)."""
    generate = plain_generate()

    async def work() -> list[TaskState]:
        return list(await asyncio.gather(*(solver(state, generate) for state in states)))

    return run_bound(work, model, roles)


def solve(solver: Solver, state: TaskState, model: Model, roles: dict[str, Model] | None = None) -> TaskState:
    """Run ``solver`` on one state."""
    [solved] = solve_all(solver, [state], model, roles)
    return solved


def score_all(
    scorer: Scorer,
    states: Iterable[TaskState],
    model: Model | None = None,
    roles: dict[str, Model] | None = None,
    concurrent: bool = True,
) -> list[Score]:
    """Score every state (concurrently unless ``concurrent`` is false), with ``model`` and ``roles`` bound."""
    items = list(states)

    async def work() -> list[Score]:
        if concurrent:
            return list(await asyncio.gather(*(scorer(state, state.target) for state in items)))
        return [await scorer(state, state.target) for state in items]

    return run_bound(work, model, roles)


def score(scorer: Scorer, state: TaskState, model: Model | None = None, roles: dict[str, Model] | None = None) -> Score:
    """Score one state."""
    [result] = score_all(scorer, [state], model, roles)
    return result


def solve_task(
    task: Task, model: Model, roles: dict[str, Model] | None = None, limit: int | None = None, epoch: int = 1
) -> list[TaskState]:
    """Run a task's solver on (the first ``limit`` of) its samples, as one run, without an eval."""
    samples = list(task.dataset)[:limit]
    return solve_all(task.solver, [state_of(sample, epoch=epoch) for sample in samples], model, roles)


def sample_scores(
    scorer: Scorer,
    states: Sequence[TaskState],
    model: Model | None = None,
    roles: dict[str, Model] | None = None,
    concurrent: bool = True,
) -> list[SampleScore]:
    """Score the states and wrap each score as a metric receives it (with the sample's metadata)."""
    scores = score_all(scorer, states, model, roles, concurrent)
    return [
        SampleScore(score=result, sample_id=state.sample_id, sample_metadata=state.metadata)
        for state, result in zip(states, scores, strict=True)
    ]
