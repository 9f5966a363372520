"""Loading logs into tidy runs: one row per sample and epoch, the log's own metrics, completeness.

A :class:`Run` has the samples (score keys and persona attributes as columns) and the log's
metrics. Log metrics follow the suite's scheme (:mod:`pluralbench._metrics`): ``<name>``,
``<name>_ci_low``, ``<name>_ci_high``, ``<name>_n``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.log import EvalLog, EvalSample

from pluralbench.analysis._logs import (
    WrongTaskError,
    read_log,
    short_task_name,
    wanted_tasks,
)

SCORE_PREFIX = "score_"
"""Score columns: ``score_<scorer>`` for a number, ``score_<scorer>.<key>`` for each key of a dict."""

GROUP_PREFIX = "group."
"""Boolean membership column of each intersectionality group: ``group.<name>``."""

BASE_COLUMNS = ("log", "task", "model", "sample_id", "epoch", "error")


@dataclass(frozen=True)
class Completeness:
    """How much of a run's planned work is in its log.

    Attributes:
        status: The log's status (``success``, ``error``, ``cancelled``, ``started``).
        planned: Planned sample attempts (samples times epochs).
        present: Sample attempts recorded in the log.
        errors: Recorded attempts that ended in an error (no score).
        epochs: Epochs per sample.
    """

    status: str
    planned: int
    present: int
    errors: int
    epochs: int

    @property
    def scored(self) -> int:
        """Recorded attempts that reached scoring."""
        return self.present - self.errors

    @property
    def missing(self) -> int:
        """Planned attempts without a score (errored or never run)."""
        return max(self.planned - self.scored, 0)

    @property
    def complete(self) -> bool:
        """Whether the run finished and every planned attempt was scored."""
        return self.status == "success" and self.missing == 0

    def describe(self, name: str) -> str:
        """Return a one-line account of what is missing.

        Args:
            name: The log's name.

        Returns:
            E.g. ``log X is incomplete (status error): 5 of 12 planned samples scored, 7 missing (2 errored, 5 not run)``.
        """
        unit = "sample attempts" if self.epochs > 1 else "samples"
        return (
            f"log {name} is incomplete (status {self.status}): {self.scored} of {self.planned} planned {unit} scored, "
            f"{self.missing} missing ({self.errors} errored, {max(self.planned - self.present, 0)} not run)"
        )


@dataclass(frozen=True)
class Run:
    """One log, loaded.

    Attributes:
        path: The log file.
        task: Task name without the package prefix (``persona_loo``).
        model: The evaluated model.
        created: When the run started (ISO time).
        task_args: The task's arguments, defaults included.
        model_roles: Models bound to roles (``critic``, ``judge``), by role.
        completeness: How much of the planned work the log holds.
        metrics: The log's own metrics, one row each: ``score`` (name), ``scorer``, ``reducer``,
            ``metric``, ``value``, ``scored_samples``, ``unscored_samples``. Empty when the log has no results.
        samples: One row per sample and epoch (see :func:`samples_frame`).
    """

    path: str
    task: str
    model: str
    created: str
    task_args: dict[str, Any]
    model_roles: dict[str, str]
    completeness: Completeness
    metrics: pd.DataFrame
    samples: pd.DataFrame

    @property
    def name(self) -> str:
        """The log's file name."""
        return Path(self.path).name

    @property
    def has_metrics(self) -> bool:
        """Whether the log carries its own metrics."""
        return not self.metrics.empty

    def metric_values(self, score: str | None = None, reducer: str | None = None) -> dict[str, float]:
        """Return the log's metrics of one score (and epoch reducer) by metric name.

        Args:
            score: Score name (a scorer, or a key of a dict-valued score); the first one when ``None``.
            reducer: Epoch reducer as logged (e.g. ``pluralbench/mean_and_pass_at_5``); any when ``None``.

        Returns:
            Metric name to value; empty when the log has no such metrics.
        """
        rows = self.metrics
        if rows.empty:
            return {}
        rows = rows[rows["score"] == (score if score is not None else rows["score"].iloc[0])]
        if reducer is not None:
            rows = rows[rows["reducer"] == reducer]
        return {str(name): float(value) for name, value in zip(rows["metric"], rows["value"], strict=True)}


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _number(value: Any) -> Any:
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float):
        return float(value)
    return value


def _sample_row(sample: EvalSample, base: dict[str, Any]) -> dict[str, Any]:
    row = {
        **base,
        "sample_id": sample.id,
        "epoch": sample.epoch,
        "error": sample.error.message if sample.error else None,
    }
    for key, value in _flatten(sample.metadata).items():
        row[f"metadata.{key}" if key in BASE_COLUMNS else key] = value
    for scorer, score in (sample.scores or {}).items():
        if isinstance(score.value, Mapping):
            for key, value in score.value.items():
                row[f"{SCORE_PREFIX}{scorer}.{key}"] = _number(value)
        else:
            row[f"{SCORE_PREFIX}{scorer}"] = _number(score.value)
    for group in sample.metadata.get("groups") or []:
        row[f"{GROUP_PREFIX}{group}"] = True
    return row


def samples_frame(log: EvalLog) -> pd.DataFrame:
    """Return one row per sample and epoch of a log.

    Columns: ``log``, ``task``, ``model``, ``sample_id``, ``epoch``, ``error`` (message or None);
    every metadata key (nested dicts flattened with dots, e.g. ``persona.age``); a boolean
    ``group.<name>`` per intersectionality group; and score columns, ``score_<scorer>`` for a
    numeric score or ``score_<scorer>.<key>`` for each key of a dict-valued score (NaN when unscored).

    Args:
        log: A log read with its samples.

    Returns:
        The frame (no rows when the log has no samples).
    """
    base = {"log": log.location, "task": short_task_name(log.eval.task), "model": log.eval.model}
    frame = pd.DataFrame([_sample_row(sample, base) for sample in log.samples or []])
    if frame.empty:
        return pd.DataFrame(columns=list(BASE_COLUMNS))
    for column in frame.columns:
        if str(column).startswith(GROUP_PREFIX):
            frame[column] = frame[column].fillna(False).astype(bool)
    return frame


def metrics_frame(log: EvalLog) -> pd.DataFrame:
    """Return the log's own metrics, one row per (score, reducer, metric).

    Args:
        log: A log (a header is enough).

    Returns:
        Columns ``score``, ``scorer``, ``reducer`` (empty string when none), ``metric``, ``value``,
        ``scored_samples``, ``unscored_samples``; no rows when the log has no results.
    """
    columns = ["score", "scorer", "reducer", "metric", "value", "scored_samples", "unscored_samples"]
    rows = [
        [
            score.name,
            score.scorer,
            score.reducer or "",
            name,
            float(metric.value),
            score.scored_samples,
            score.unscored_samples,
        ]
        for score in (log.results.scores if log.results else [])
        for name, metric in score.metrics.items()
    ]
    return pd.DataFrame(rows, columns=columns)


def completeness(log: EvalLog) -> Completeness:
    """Compare what a log holds with what its run planned.

    Args:
        log: A log read with its samples.

    Returns:
        The counts.
    """
    epochs = log.eval.config.epochs or 1
    ids = log.eval.dataset.sample_ids
    planned_samples = len(ids) if ids else (log.eval.dataset.samples or 0)
    if log.eval.config.limit is not None and not ids:
        limit = log.eval.config.limit
        planned_samples = min(planned_samples, limit if isinstance(limit, int) else limit[1] - limit[0])
    samples = log.samples or []
    return Completeness(
        status=str(log.status),
        planned=planned_samples * epochs,
        present=len(samples),
        errors=sum(1 for sample in samples if sample.error is not None),
        epochs=epochs,
    )


def load_run(path: str, tasks: str | Sequence[str]) -> Run:
    """Read one log of an accepted task.

    Args:
        path: Log file (``.eval`` or ``.json``).
        tasks: Accepted task name(s).

    Returns:
        The run.

    Raises:
        NoMatchingLogError: The file does not exist.
        UnreadableLogError: The file is not a readable inspect log.
        WrongTaskError: The log is from another task.
    """
    wanted = wanted_tasks(tasks)
    header = read_log(path, header_only=True)
    task = short_task_name(header.eval.task)
    if task not in wanted:
        raise WrongTaskError(f"{path} is a log of task {task}, not {' or '.join(wanted)}")
    log = read_log(path)
    log.location = log.location or path
    return Run(
        path=path,
        task=task,
        model=log.eval.model,
        created=str(log.eval.created),
        task_args=dict(log.eval.task_args),
        model_roles={
            role: ", ".join(c.model for c in (config if isinstance(config, list) else [config]))
            for role, config in (log.eval.model_roles or {}).items()
        },
        completeness=completeness(log),
        metrics=metrics_frame(log),
        samples=samples_frame(log),
    )


def load_runs(paths: Sequence[str], tasks: str | Sequence[str]) -> list[Run]:
    """Read several logs of accepted tasks (see :func:`load_run`).

    Args:
        paths: Log files.
        tasks: Accepted task name(s).

    Returns:
        The runs, in the order given.
    """
    return [load_run(path, tasks) for path in paths]


def run_labels(runs: Sequence[Run], ignore: Sequence[str] = ()) -> list[str]:
    """Return a short legend label for each run: the model, disambiguated when models repeat.

    Runs of the same model are told apart by the task arguments that differ between them
    (except ``ignore``), then by start time, then by file name.

    Args:
        runs: The runs.
        ignore: Task arguments that must not appear in labels (e.g. the one on an axis).

    Returns:
        One label per run, in order.
    """
    labels = [run.model for run in runs]
    for model, count in Counter(labels).items():
        if count < 2:
            continue
        same = [i for i, run in enumerate(runs) if run.model == model]
        keys = sorted({k for i in same for k in runs[i].task_args} - set(ignore))
        differing = [k for k in keys if len({repr(runs[i].task_args.get(k)) for i in same}) > 1]
        for i in same:
            details = ", ".join(f"{k}={runs[i].task_args.get(k)}" for k in differing)
            labels[i] = f"{model} ({details})" if details else model

    def shown(label: str, run: Run) -> tuple[str, ...]:
        return (label, *(repr(run.task_args.get(k)) for k in ignore))

    def started(run: Run) -> str:
        return run.created[:16].replace("T", " ")

    def file_name(run: Run) -> str:
        return run.name

    for extra in (started, file_name):
        counts = Counter(shown(label, run) for label, run in zip(labels, runs, strict=True))
        labels = [
            f"{label} [{extra(run)}]" if counts[shown(label, run)] > 1 else label
            for label, run in zip(labels, runs, strict=True)
        ]
    return labels
