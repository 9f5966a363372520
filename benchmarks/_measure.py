"""Running benchmark evals and reading calls, tokens and times from their logs."""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from _cases import Case
from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, EvalSample, resolve_sample_attachments
from inspect_ai.model import ChatMessage, GenerateConfig, Model, get_model
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench.api import build_task

QUIET: dict[str, Any] = {"display": "none", "log_level": "error"}


@dataclass
class RunResult:
    """What one eval run cost and how long it took.

    Attributes:
        log: The eval log.
        setup_seconds: Time to build the task (reading data files, building samples).
        eval_seconds: Wall time of ``inspect_ai.eval``.
        units: Sample records in the log (samples x epochs).
        scored: Sample records whose main score is a number.
        calls: Model calls by the evaluated model.
        judge_calls: Model calls by model roles (critic, judge).
        input_tokens: Input tokens of all calls.
        output_tokens: Output tokens of all calls.
    """

    log: EvalLog
    setup_seconds: float
    eval_seconds: float
    units: int
    scored: int
    calls: int
    judge_calls: int
    input_tokens: int
    output_tokens: int

    @property
    def calls_per_unit(self) -> float:
        """All model calls per sample record."""
        return (self.calls + self.judge_calls) / self.units if self.units else float("nan")

    @property
    def metric_values(self) -> int:
        """Metric values in the log's results, over all scorers (each is a row of inspect's results display)."""
        return sum(len(score.metrics) for score in self.log.results.scores) if self.log.results else 0

    @property
    def sample_span(self) -> float:
        """Seconds from the first sample's start to the last sample's end (falls back to wall time)."""
        samples = self.log.samples or []
        starts = [_time(s.started_at) for s in samples if s.started_at]
        ends = [_time(s.completed_at) for s in samples if s.completed_at]
        return max(ends) - min(starts) if starts and ends else self.eval_seconds


def _time(stamp: str | datetime) -> float:
    return (stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))).timestamp()


def _is_number(value: object) -> bool:
    if isinstance(value, bool | int | float):
        return not math.isnan(float(value))
    if isinstance(value, dict):
        return any(_is_number(v) for v in value.values())
    return value is not None


def is_scored(sample: EvalSample) -> bool:
    """Return whether a sample record has a numeric main score and no error.

    Args:
        sample: The sample record.

    Returns:
        True when the first scorer's value is a number (or a dict holding one).
    """
    if sample.error is not None or not sample.scores:
        return False
    return _is_number(next(iter(sample.scores.values())).value)


def read_run(log: EvalLog, setup_seconds: float, eval_seconds: float) -> RunResult:
    """Count calls from the sample events and tokens from ``log.stats.model_usage``.

    Args:
        log: The eval log (with samples).
        setup_seconds: Task construction time.
        eval_seconds: Eval wall time.

    Returns:
        The run's figures.
    """
    samples = log.samples or []
    calls = judge_calls = 0
    for sample in samples:
        for event in sample.events:
            if isinstance(event, ModelEvent):
                if event.role is None:
                    calls += 1
                else:
                    judge_calls += 1
    usage = log.stats.model_usage.values()
    return RunResult(
        log=log,
        setup_seconds=setup_seconds,
        eval_seconds=eval_seconds,
        units=len(samples),
        scored=sum(is_scored(s) for s in samples),
        calls=calls,
        judge_calls=judge_calls,
        input_tokens=sum(u.input_tokens for u in usage),
        output_tokens=sum(u.output_tokens for u in usage),
    )


def timed_eval(task: Task, model: Model, log_dir: Path, setup_seconds: float = 0.0, **options: Any) -> RunResult:
    """Run one eval and read its figures.

    A full garbage collection runs first, outside the timing, and every object alive then is
    frozen (``gc.freeze``) until the run ends: the cyclic collector's full passes (about half a
    second each over everything a process that has imported inspect holds) would otherwise be
    triggered by objects that earlier runs left behind and land at random in a later run,
    whichever task that is, and scan the earlier runs' logs. Collections of what the timed eval
    allocates itself still count.

    Args:
        task: The task (its own model, if set, is used).
        model: The evaluated model.
        log_dir: Log directory.
        setup_seconds: Task construction time to record.
        **options: Further ``inspect_ai.eval`` options.

    Returns:
        The run's figures.

    Raises:
        RuntimeError: If the eval did not succeed.
    """
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        [log] = eval(task, model=model, log_dir=str(log_dir), **QUIET, **options)
        seconds = time.perf_counter() - start
    finally:
        gc.unfreeze()
    if log.status != "success":
        raise RuntimeError(f"{log.eval.task} ended with status {log.status}: {log.error}")
    return read_run(log, setup_seconds, seconds)


def run_case(case: Case, model: Model, judge: Model, limit: int, log_dir: Path, **options: Any) -> RunResult:
    """Build a case's task the way users do and run it on scripted models.

    Args:
        case: The case.
        model: The evaluated model.
        judge: Model bound to the case's roles.
        limit: Dataset samples to run (each runs ``case.epochs`` times).
        log_dir: Log directory.
        **options: Further ``inspect_ai.eval`` options.

    Returns:
        The run's figures.
    """
    start = time.perf_counter()
    task = build_task(case.evaluation_type, model, task_args=case.args)
    setup = time.perf_counter() - start
    roles = {role: judge for role in case.roles}
    return timed_eval(task, model, log_dir, setup, model_roles=roles, limit=limit, **options)


def calls_of(index: int, rate: float) -> int:
    """Return the calls sample ``index`` makes so that samples ``0..n-1`` make ``round(n * rate)`` in all.

    Args:
        index: 0-based sample index.
        rate: Mean calls per sample.

    Returns:
        The sample's number of calls.
    """
    return math.floor((index + 1) * rate + 1e-9) - math.floor(index * rate + 1e-9)


@solver
def repeated_generate(rate: float) -> Solver:
    """Call the model ``rate`` times per sample on average: one ``generate`` and direct calls.

    Args:
        rate: Mean calls per sample.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        calls = calls_of(int(str(state.sample_id)) - 1, rate)
        if calls:
            state = await generate(state)
        model = get_model()
        for _ in range(calls - 1):
            await model.generate(state.input_text)
        return state

    return solve


@dataclass(frozen=True)
class RecordedSample:
    """What one sample record of a suite run sent and kept.

    Attributes:
        calls: Its model calls in order: (input messages, generate config).
        messages: Its final conversation (kept as is when the record made no call of its own, as a
            steerability sample that reads a batch's shared reply or an alignment oracle does).
    """

    calls: list[tuple[list[ChatMessage], GenerateConfig]]
    messages: list[ChatMessage]


RecordedCalls = dict[str, RecordedSample]
"""Sample records by id ``<sample id>:<epoch>``."""


def recorded_calls(log: EvalLog) -> RecordedCalls:
    """Return every sample record's model calls (evaluated model and roles alike) and conversation from a log.

    Args:
        log: The eval log (with samples).

    Returns:
        Calls by record id ``<sample id>:<epoch>``.
    """
    calls: RecordedCalls = {}
    for sample in log.samples or []:
        resolved = resolve_sample_attachments(sample)  # the log stores long texts once, as attachments
        calls[f"{sample.id}:{sample.epoch}"] = RecordedSample(
            [(list(event.input), event.config) for event in resolved.events if isinstance(event, ModelEvent)],
            list(resolved.messages),
        )
    return calls


@solver
def replay_calls(calls: RecordedCalls) -> Solver:
    """Make a sample record's recorded calls again: the first through ``generate``, the rest directly.

    A record that made no call keeps its recorded conversation, so the sample logs what the
    suite's sample logged.

    Args:
        calls: The recorded calls (:func:`recorded_calls`).

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        recorded = calls[str(state.sample_id)]
        if not recorded.calls:
            state.messages = list(recorded.messages)
            return state
        (messages, config), *rest = recorded.calls
        state.messages = list(messages)
        state = await generate(state, **config.model_dump(exclude_none=True))
        model = get_model()
        for messages, config in rest:
            await model.generate(messages, config=config)
        return state

    return solve


def replay_task(log: EvalLog) -> Task:
    """Return plain inspect making exactly the model calls of a suite run: same prompts, configs and order.

    One sample per sample record of the log, a constant scorer, no metadata: beside the suite's
    run it shows what the suite adds beyond its model traffic (prompt building, reply parsing,
    metadata, scoring, metrics), where :func:`minimal_task` also counts the length of the prompts.

    Args:
        log: The suite run's log (with samples).

    Returns:
        The task.
    """
    calls = recorded_calls(log)
    dataset = MemoryDataset([Sample(id=key, input="replay") for key in calls])
    return Task(dataset=dataset, solver=replay_calls(calls), scorer=constant_score(), name="replay")


@scorer(metrics=[mean()])
def constant_score() -> Scorer:
    """Score every sample 1 without looking at it.

    Returns:
        The scorer.
    """

    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=1.0)

    return score


def minimal_task(samples: int, rate: float) -> Task:
    """Return the reference task: plain inspect with ``rate`` model calls per sample and a trivial scorer.

    Args:
        samples: Number of samples.
        rate: Mean model calls per sample.

    Returns:
        The task.
    """
    dataset = MemoryDataset([Sample(id=i, input=f"Question {i}: what do you think?") for i in range(1, samples + 1)])
    return Task(dataset=dataset, solver=repeated_generate(rate), scorer=constant_score(), name="minimal")
