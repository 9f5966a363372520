"""Inspect logs to tidy pandas frames: the one place in pluralbench that knows log structure.

Finding logs (the newest log of a task in ``./logs`` or ``INSPECT_LOG_DIR`` by default, or
explicit files and directories), loading them into a :class:`Run` (one row per sample and
epoch, score keys and persona attributes as columns, plus the log's own metrics), telling
whether a run was interrupted, and turning runs into the numbers each figure plots.

Numbers come from the log's own metrics whenever the log has them, so a figure's CSV equals
what ``inspect view`` shows. An interrupted log has no metrics: its numbers are recomputed from
the samples that are there with the same plain functions the metrics use (``source`` column).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log

from pluralbench.metrics.bootstrap import mean_interval
from pluralbench.metrics.persona_analysis import attribute_importance, group_disparity
from pluralbench.metrics.steerability import (
    Observation,
    accuracy_matrix,
    original_steerability_score,
    own_accuracies,
    persona_interval,
    persona_margins,
)

SKIPPED_SAMPLE_FIELDS = {"messages", "events", "store", "attachments"}
"""Sample fields never needed for analysis; left unread in ``.eval`` logs."""

SCORE_PREFIX = "score_"
"""Score columns: ``score_<scorer>`` for a number, ``score_<scorer>.<key>`` for each key of a dict."""

GROUP_PREFIX = "group."
"""Boolean membership column of each intersectionality group: ``group.<name>``."""

FROM_LOG = "log metrics"
FROM_SAMPLES = "recomputed from samples"

CRITIC = "personalization_critic"
IDENTIFICATION = "persona_identification"
STEERABILITY = "steerability_scorer"
ALIGNMENT = "alignment_target"
ALL_FRAMEWORKS = "all"

BASE_COLUMNS = ("log", "task", "model", "sample_id", "epoch", "error")


class LogAnalysisError(Exception):
    """A log cannot be analysed; the message is one line, fit to show a user."""


class NoMatchingLogError(LogAnalysisError):
    """No log of the wanted task exists where we looked."""


class WrongTaskError(LogAnalysisError):
    """A log given explicitly is from a different task."""


class UnreadableLogError(LogAnalysisError):
    """A file is not a readable inspect log."""


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
            reducer: Epoch reducer (``mean``, ``pass_at_2``); any when ``None``.

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


def short_task_name(task: str) -> str:
    """Return a task name without its package prefix (``pluralbench/persona_loo`` -> ``persona_loo``).

    Args:
        task: A task name as logged.

    Returns:
        The short name.
    """
    return task.rsplit("/", 1)[-1]


def default_log_dir() -> str:
    """Return ``INSPECT_LOG_DIR`` when set, else ``./logs``."""
    return os.environ.get("INSPECT_LOG_DIR") or "./logs"


def _wanted(tasks: str | Sequence[str]) -> list[str]:
    return [short_task_name(t) for t in ([tasks] if isinstance(tasks, str) else tasks)]


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _read(path: str, header_only: bool = False) -> EvalLog:
    if not Path(path).is_file():
        raise NoMatchingLogError(f"no log file at {path}")
    try:
        return read_eval_log(path, header_only=header_only, exclude_fields=SKIPPED_SAMPLE_FIELDS)
    except Exception as error:  # any failure to parse means the file is not a usable log
        raise UnreadableLogError(f"cannot read {path} as an inspect log: {_one_line(error)}") from error


def _local_path(name: str) -> str:
    return name.removeprefix("file://")


def _newest_in_dir(log_dir: str, wanted: list[str], distinct: Sequence[str]) -> list[str]:
    if not Path(log_dir).is_dir():
        raise NoMatchingLogError(f"no log directory {log_dir}: pass --log or set INSPECT_LOG_DIR")
    file_tasks = {t.replace("_", "-") for t in wanted} | set(wanted)
    found: dict[tuple[str, ...], str] = {}
    for info in list_eval_logs(log_dir, descending=True):
        if info.task and short_task_name(info.task) not in file_tasks:
            continue
        path = _local_path(info.name)
        try:
            header = read_eval_log(path, header_only=True)
        except Exception:  # an unreadable file in a directory is skipped, not fatal, when searching
            continue
        if short_task_name(header.eval.task) not in wanted:
            continue
        key = (header.eval.model, *(str(header.eval.task_args.get(arg)) for arg in distinct)) if distinct else ()
        found.setdefault(key, path)
        if not distinct:
            break
    if not found:
        raise NoMatchingLogError(f"no {' or '.join(wanted)} log in {log_dir}: run the task first or pass --log")
    return list(found.values())


def find_logs(
    tasks: str | Sequence[str],
    paths: Sequence[str] = (),
    log_dir: str | None = None,
    distinct: Sequence[str] = (),
) -> list[str]:
    """Find the logs to analyse.

    Args:
        tasks: Accepted task name(s), with or without the ``pluralbench/`` prefix.
        paths: Explicit log files (``.eval`` or ``.json``, returned as given) or directories
            (searched); when empty, ``log_dir`` is searched.
        log_dir: Directory searched when no paths are given (default: :func:`default_log_dir`).
        distinct: When empty, a searched directory yields its newest matching log; otherwise the
            newest log for each model and combination of these task arguments (e.g. ``("mode",)``).

    Returns:
        Log file paths, newest first within each searched directory.

    Raises:
        NoMatchingLogError: When a given file does not exist or a directory holds no matching log.
    """
    wanted = _wanted(tasks)
    if not paths:
        return _newest_in_dir(log_dir or default_log_dir(), wanted, distinct)
    found: list[str] = []
    for path in paths:
        if Path(path).is_dir():
            found.extend(_newest_in_dir(str(path), wanted, distinct))
        elif Path(path).is_file():
            found.append(str(path))
        else:
            raise NoMatchingLogError(f"no log file or directory at {path}")
    return found


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
    wanted = _wanted(tasks)
    header = _read(path, header_only=True)
    task = short_task_name(header.eval.task)
    if task not in wanted:
        raise WrongTaskError(f"{path} is a log of task {task}, not {' or '.join(wanted)}")
    log = _read(path)
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


def score_column(frame: pd.DataFrame, scorer: str, key: str | None = None) -> str | None:
    """Return the name of a score column if the frame has it.

    Args:
        frame: A samples frame.
        scorer: Scorer name.
        key: Key of a dict-valued score.

    Returns:
        ``score_<scorer>`` or ``score_<scorer>.<key>``, or ``None`` when absent.
    """
    column = f"{SCORE_PREFIX}{scorer}" + (f".{key}" if key else "")
    return column if column in frame.columns else None


def _values(frame: pd.DataFrame, column: str | None) -> list[float]:
    if column is None or column not in frame.columns or frame.empty:
        return []
    return [float(v) for v in pd.to_numeric(frame[column], errors="coerce").dropna()]


def _mean_stats(values: list[float]) -> dict[str, float]:
    n = len(values)
    mean = sum(values) / n if n else math.nan
    stderr = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n) if n > 1 else math.nan
    low, high = mean_interval(values)
    return {"mean": mean, "stderr": stderr, "low": low, "high": high, "n": float(n)}


def score_summary(run: Run, scorer: str) -> dict[str, float]:
    """Return mean, stderr, 95% interval (``low``, ``high``) and scored ``n`` of a scalar scorer.

    Args:
        run: The run.
        scorer: Scorer name.

    Returns:
        The log's metrics when present (``mean``, ``stderr``, ``lower``/``upper`` of ``ci``), else
        numbers recomputed from the samples; ``source`` is 1.0 for log metrics, 0.0 otherwise.
        Empty when the run has no such scorer.
    """
    metrics = run.metric_values(scorer) if scorer in set(run.metrics.get("score", [])) else {}
    if metrics:
        rows = run.metrics[run.metrics["score"] == scorer]
        return {
            "mean": metrics.get("mean", math.nan),
            "stderr": metrics.get("stderr", math.nan),
            "low": metrics.get("lower", metrics.get("ci_lower", math.nan)),
            "high": metrics.get("upper", metrics.get("ci_upper", math.nan)),
            "n": float(rows["scored_samples"].iloc[0] or 0),
            "source": 1.0,
        }
    values = _values(run.samples, score_column(run.samples, scorer))
    if score_column(run.samples, scorer) is None:
        return {}
    return {**_mean_stats(values), "source": 0.0}


def _source(from_log: bool) -> str:
    return FROM_LOG if from_log else FROM_SAMPLES


def loo_frame(run: Run) -> pd.DataFrame:
    """Return leave-one-out attribute importance, one row per attribute, most important first.

    Args:
        run: A ``persona_loo`` run.

    Returns:
        Columns ``attribute``, ``importance`` (score(full) - score(without attribute), paired),
        ``low``, ``high`` (95% paired bootstrap), ``n`` (pairs with both variants scored), ``source``.
    """
    frame = run.samples
    column = score_column(frame, CRITIC)
    pairs: dict[str, dict[str, float]] = defaultdict(dict)
    if column is not None and "variant" in frame.columns:
        for pair_id, variant, value in zip(frame["pair_id"], frame["variant"], frame[column], strict=True):
            if not pd.isna(value):
                pairs[str(pair_id)][str(variant)] = float(value)
    counts = {name: stats["n"] for name, stats in attribute_importance(pairs).items()}
    metrics = run.metric_values(CRITIC)
    attributes = [k for k in metrics if f"{k}_low" in metrics and f"{k}_high" in metrics]
    if attributes:
        stats = {
            a: {"importance": metrics[a], "low": metrics[f"{a}_low"], "high": metrics[f"{a}_high"]} for a in attributes
        }
    else:
        stats = {a: {k: s[k] for k in ("importance", "low", "high")} for a, s in attribute_importance(pairs).items()}
    rows = [
        {"attribute": a, **s, "n": counts.get(a, 0.0), "source": _source(bool(attributes))} for a, s in stats.items()
    ]
    result = pd.DataFrame(rows, columns=["attribute", "importance", "low", "high", "n", "source"])
    return result.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class GroupResults:
    """Per-group scores and the disparity between groups.

    Attributes:
        groups: One row per group: ``group``, ``mean``, ``low``, ``high``, ``n``, ``in_disparity``
            (n >= min_n), ``source``.
        disparity: ``gap`` (best minus worst eligible mean), ``gap_low``, ``gap_high``, ``ratio``
            (worst over best), ``groups_below_min_n``.
        min_n: Minimum scored samples for a group to enter the disparity.
    """

    groups: pd.DataFrame
    disparity: dict[str, float]
    min_n: int


def group_results(run: Run) -> GroupResults:
    """Return per-group scores and disparity of an intersectionality run.

    Args:
        run: A ``persona_intersectionality`` run.

    Returns:
        The results; group order is the order groups first appear in the samples.
    """
    min_n = int(run.task_args.get("min_n", 5))
    frame = run.samples
    names = [str(c).removeprefix(GROUP_PREFIX) for c in frame.columns if str(c).startswith(GROUP_PREFIX)]
    metrics = run.metric_values(CRITIC)
    from_log = bool(metrics) and all(f"{name}_n" in metrics for name in names)
    if from_log:
        values = metrics
    else:
        column = score_column(frame, CRITIC)
        values = group_disparity(
            {name: _values(frame[frame[f"{GROUP_PREFIX}{name}"]], column) for name in names}, min_n
        )
    rows = [
        {
            "group": name,
            "mean": values[name],
            "low": values[f"{name}_low"],
            "high": values[f"{name}_high"],
            "n": values[f"{name}_n"],
            "in_disparity": values[f"{name}_n"] >= min_n,
            "source": _source(from_log),
        }
        for name in names
    ]
    disparity = {
        key: values.get(key, math.nan) for key in ("gap", "gap_low", "gap_high", "ratio", "groups_below_min_n")
    }
    columns = ["group", "mean", "low", "high", "n", "in_disparity", "source"]
    return GroupResults(pd.DataFrame(rows, columns=columns), disparity, min_n)


@dataclass(frozen=True)
class GroupGrid:
    """Groups that form a grid of two attributes (e.g. sex x age band).

    Attributes:
        rows: Row labels, in display order.
        columns: Column labels, in display order.
        cells: ``(row, column) -> group name``.
        row_attribute: Persona attribute the rows vary (or a generic name).
        column_attribute: Persona attribute the columns vary (or a generic name).
    """

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], str]
    row_attribute: str
    column_attribute: str


def _split_group(name: str) -> list[str]:
    for separator in (", ", " & ", " x ", " / "):
        if separator in name:
            return [part.strip() for part in name.split(separator)]
    return [name]


def _level_attribute(frame: pd.DataFrame, members: dict[str, pd.Series], fallback: str) -> tuple[str, list[str]]:
    """Return the persona attribute that separates the levels, and the levels ordered by it."""
    levels = list(members)
    for column in [c for c in frame.columns if str(c).startswith("persona.")]:
        per_level = {level: frame.loc[mask, column].dropna() for level, mask in members.items()}
        if any(values.empty for values in per_level.values()):
            continue
        if all(
            values.astype(str).nunique() == 1 and values.astype(str).iloc[0] == lvl for lvl, values in per_level.items()
        ):
            return str(column).removeprefix("persona."), sorted(levels)
        numeric = {lvl: pd.to_numeric(values, errors="coerce") for lvl, values in per_level.items()}
        if all(values.notna().all() for values in numeric.values()):
            spans = sorted((float(v.min()), float(v.max()), lvl) for lvl, v in numeric.items())
            if all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1)):
                return str(column).removeprefix("persona."), [lvl for _, _, lvl in spans]
    return fallback, levels


def group_grid(run: Run, groups: Sequence[str]) -> GroupGrid | None:
    """Return the grid the groups form when every name has two parts and every combination exists.

    Names such as ``"Female, 18-34"`` split into a row and a column label; the persona attribute
    each part describes is found from the members' attributes (constant values, or disjoint
    numeric ranges, which also order the levels).

    Args:
        run: The run (its samples give group membership and persona attributes).
        groups: Group names.

    Returns:
        The grid, or ``None`` when the groups do not form a complete grid of at least 2 x 2.
    """
    parts = {name: _split_group(name) for name in groups}
    if not parts or any(len(p) != 2 for p in parts.values()):
        return None
    rows = list(dict.fromkeys(p[0] for p in parts.values()))
    columns = list(dict.fromkeys(p[1] for p in parts.values()))
    cells = {(p[0], p[1]): name for name, p in parts.items()}
    if len(rows) < 2 or len(columns) < 2 or len(cells) != len(rows) * len(columns):
        return None
    frame = run.samples

    def members(index: int, level: str) -> pd.Series:
        mask = pd.Series(False, index=frame.index)
        for name, p in parts.items():
            if p[index] == level and f"{GROUP_PREFIX}{name}" in frame.columns:
                mask |= frame[f"{GROUP_PREFIX}{name}"]
        return mask

    row_attribute, rows = _level_attribute(
        frame, {level: members(0, level) for level in rows}, "first part of group name"
    )
    column_attribute, columns = _level_attribute(
        frame, {level: members(1, level) for level in columns}, "second part of group name"
    )
    return GroupGrid(rows, columns, cells, row_attribute, column_attribute)


def _pass_at_k(values: list[float], k: int) -> float:
    total, correct = len(values), sum(1 for v in values if v >= 1.0)
    if total < k:
        return math.nan
    if total - correct < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(total - correct + 1, total + 1))


def pass_at_k_frame(run: Run) -> pd.DataFrame:
    """Return pass@k for k = 1..K of a pass@k run.

    Args:
        run: A ``persona_pass_at_k`` run.

    Returns:
        Columns ``k``, ``estimate``, ``stderr``, ``low``, ``high`` (95% bootstrap), ``n`` (samples),
        ``source``; from the log's ``pass_at_<k>`` reducer metrics when present, else recomputed
        with the same unbiased estimator from the epochs present (a sample counts for k only
        when it has at least k scored epochs).
    """
    k_max = int(run.task_args.get("k", run.completeness.epochs))
    columns = ["k", "estimate", "stderr", "low", "high", "n", "source"]
    rows = []
    scores = run.metrics[run.metrics["score"] == CRITIC] if run.has_metrics else run.metrics
    if not scores.empty:
        for k in range(1, k_max + 1):
            metrics = run.metric_values(CRITIC, reducer=f"pass_at_{k}")
            if metrics:
                n = scores[scores["reducer"] == f"pass_at_{k}"]["scored_samples"].iloc[0]
                rows.append(
                    [k, metrics["mean"], metrics.get("stderr"), metrics.get("lower"), metrics.get("upper"), n, FROM_LOG]
                )
        return pd.DataFrame(rows, columns=columns)
    column = score_column(run.samples, CRITIC)
    by_sample: dict[str, list[float]] = defaultdict(list)
    if column is not None:
        for sample_id, value in zip(run.samples["sample_id"], run.samples[column], strict=True):
            if not pd.isna(value):
                by_sample[str(sample_id)].append(float(value))
    for k in range(1, k_max + 1):
        estimates = [e for e in (_pass_at_k(v, k) for v in by_sample.values()) if not math.isnan(e)]
        stats = _mean_stats(estimates)
        rows.append([k, stats["mean"], stats["stderr"], stats["low"], stats["high"], stats["n"], FROM_SAMPLES])
    return pd.DataFrame(rows, columns=columns)


def _chance_level(run: Run) -> float:
    logged = run.metric_values(IDENTIFICATION).get("chance_level", math.nan) if run.has_metrics else math.nan
    if not math.isnan(logged) or "identify_candidates" not in run.samples.columns:
        return logged
    levels = [1 / len(c) for c in run.samples["identify_candidates"] if isinstance(c, list) and c]
    return sum(levels) / len(levels) if levels else math.nan


def mode_frame(run: Run) -> pd.DataFrame:
    """Return the scores of a PERSONA run with its generate mode, one row per scorer.

    Args:
        run: A ``persona`` run.

    Returns:
        Columns ``mode``, ``scorer``, ``mean``, ``stderr``, ``low``, ``high``, ``n``, ``chance``
        (identification chance level, NaN for the critic), ``source``.
    """
    rows = []
    for scorer in (CRITIC, IDENTIFICATION):
        summary = score_summary(run, scorer)
        if not summary:
            continue
        chance = _chance_level(run) if scorer == IDENTIFICATION else math.nan
        rows.append(
            {
                "mode": str(run.task_args.get("mode", "")),
                "scorer": scorer,
                **{k: summary[k] for k in ("mean", "stderr", "low", "high", "n")},
                "chance": chance,
                "source": _source(summary["source"] == 1.0),
            }
        )
    return pd.DataFrame(rows, columns=["mode", "scorer", "mean", "stderr", "low", "high", "n", "chance", "source"])


def _steerability_observations(run: Run) -> list[Observation]:
    """Return one observation per scored sample, its epochs averaged (as inspect's mean reducer does)."""
    frame = run.samples
    column = score_column(frame, STEERABILITY)
    if column is None or frame.empty:
        return []
    scored = frame[frame[column].notna()]
    reduced = scored.groupby("sample_id", sort=False).agg(
        steered=("steered_persona", "first"),
        test=("test_persona", "first"),
        agree=("agree", "first"),
        correct=(column, "mean"),
    )
    return [
        Observation(steered=str(steered), test=str(test), agree=bool(agree), correct=float(correct))
        for steered, test, agree, correct in zip(
            reduced["steered"], reduced["test"], reduced["agree"], reduced["correct"], strict=True
        )
    ]


def _persona_info(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return ``persona -> (framework, label)`` from the steered personas, falling back to test personas."""
    info: dict[str, tuple[str, str]] = {}
    if frame.empty:
        return info
    for persona, framework in zip(frame["test_persona"], frame["test_framework"], strict=True):
        info.setdefault(str(persona), (str(framework), str(persona)))
    for persona, framework, label in zip(frame["steered_persona"], frame["framework"], frame["label"], strict=True):
        info[str(persona)] = (str(framework), str(label))
    return info


def steerability_cells(run: Run) -> pd.DataFrame:
    """Return the accuracy matrix of a steerability run, one row per (steered, test) cell present.

    ``a(p, q)`` is the balanced accuracy of the model steered to p on q's test statements,
    computed from the samples with the function the task's metrics use.

    Args:
        run: A ``steerability`` run.

    Returns:
        Columns ``steered``, ``test``, ``steered_framework``, ``steered_label``, ``test_framework``,
        ``test_label``, ``own`` (p == q), ``accuracy``, ``n`` (scored statements).
    """
    observations = _steerability_observations(run)
    info = _persona_info(run.samples)
    counts = Counter((o.steered, o.test) for o in observations)
    rows = [
        {
            "steered": p,
            "test": q,
            "steered_framework": info[p][0],
            "steered_label": info[p][1],
            "test_framework": info[q][0],
            "test_label": info[q][1],
            "own": p == q,
            "accuracy": value,
            "n": float(counts[(p, q)]),
        }
        for (p, q), value in accuracy_matrix(observations).items()
    ]
    columns = [
        "steered",
        "test",
        "steered_framework",
        "steered_label",
        "test_framework",
        "test_label",
        "own",
        "accuracy",
        "n",
    ]
    return pd.DataFrame(rows, columns=columns)


def steerability_frameworks(run: Run) -> pd.DataFrame:
    """Return own-statement balanced accuracy per framework of the steered persona, and over all.

    Args:
        run: A ``steerability`` run.

    Returns:
        Columns ``framework`` (``all`` last), ``balanced_accuracy`` (the log's
        ``balanced_accuracy[_<framework>]`` when present), ``low``, ``high`` (95% bootstrap over
        steered personas: the log's for ``all``, recomputed from the samples per framework),
        ``personas``, ``source`` (of the estimate) and ``interval_source``.
    """
    matrix = accuracy_matrix(_steerability_observations(run))
    own = own_accuracies(matrix)
    info = _persona_info(run.samples)
    by_framework: dict[str, list[float]] = defaultdict(list)
    for persona, value in own.items():
        by_framework[info[persona][0]].append(value)
    metrics = run.metric_values(STEERABILITY)
    rows = []
    for framework in [*sorted(by_framework), ALL_FRAMEWORKS]:
        values = list(own.values()) if framework == ALL_FRAMEWORKS else by_framework[framework]
        key = "balanced_accuracy" if framework == ALL_FRAMEWORKS else f"balanced_accuracy_{framework}"
        low, high = persona_interval(values)
        if framework == ALL_FRAMEWORKS and "balanced_accuracy_ci_low" in metrics:
            low, high = metrics["balanced_accuracy_ci_low"], metrics["balanced_accuracy_ci_high"]
        estimate = metrics.get(key, sum(values) / len(values) if values else math.nan)
        interval_from_log = framework == ALL_FRAMEWORKS and "balanced_accuracy_ci_low" in metrics
        rows.append(
            [framework, estimate, low, high, float(len(values)), _source(key in metrics), _source(interval_from_log)]
        )
    columns = ["framework", "balanced_accuracy", "low", "high", "personas", "source", "interval_source"]
    return pd.DataFrame(rows, columns=columns)


def steerability_scores(run: Run) -> dict[str, float]:
    """Return the run's headline steerability scores.

    Args:
        run: A ``steerability`` run.

    Returns:
        ``steerability_margin`` with ``_ci_low``/``_ci_high``, ``original_score``,
        ``original_sensitivity``, ``original_specificity``: the log's metrics when present,
        else recomputed from the samples.
    """
    metrics = run.metric_values(STEERABILITY)
    names = ["steerability_margin", "steerability_margin_ci_low", "steerability_margin_ci_high"]
    names += ["original_score", "original_sensitivity", "original_specificity"]
    if all(name in metrics for name in names):
        return {name: metrics[name] for name in names}
    matrix = accuracy_matrix(_steerability_observations(run))
    margins = list(persona_margins(matrix).values())
    low, high = persona_interval(margins)
    original = original_steerability_score(matrix)
    return dict(
        zip(
            names,
            [sum(margins) / len(margins) if margins else math.nan, low, high]
            + [original.score, original.sensitivity, original.specificity],
            strict=True,
        )
    )


_SIZE_METRIC = re.compile(r"^(?:grouped_)?(\d+)_attributes$")


def alignment_by_size(run: Run) -> pd.DataFrame:
    """Return accuracy by number of target attributes of an alignment-target run.

    Args:
        run: An ``alignment_targets`` run.

    Returns:
        Columns ``target_size``, ``accuracy`` (the log's per-size metric when present), ``low``,
        ``high`` (95% bootstrap from the samples), ``n`` (scored samples), ``chance`` (mean chance
        of a random pick), ``source`` (of the accuracy) and ``interval_source``.
    """
    frame = run.samples
    correct = score_column(frame, ALIGNMENT, "correct")
    chance = score_column(frame, ALIGNMENT, "chance")
    logged = (
        {
            int(match.group(1)): value
            for name, value in run.metric_values("correct").items()
            if (match := _SIZE_METRIC.match(name)) is not None
        }
        if "correct" in set(run.metrics.get("score", []))
        else {}
    )
    rows = []
    sizes = sorted({int(size) for size in frame["target_size"].dropna()}) if "target_size" in frame.columns else []
    for size in sizes:
        subset = frame[frame["target_size"] == size]
        stats = _mean_stats(_values(subset, correct))
        chances = _values(subset, chance)
        estimate = logged.get(size, stats["mean"])
        rows.append(
            [
                size,
                estimate,
                stats["low"],
                stats["high"],
                stats["n"],
                sum(chances) / len(chances) if chances else math.nan,
            ]
            + [_source(size in logged), FROM_SAMPLES]
        )
    columns = ["target_size", "accuracy", "low", "high", "n", "chance", "source", "interval_source"]
    return pd.DataFrame(rows, columns=columns)


def alignment_summary(run: Run) -> dict[str, Any]:
    """Return the overall scores of an alignment-target run.

    Args:
        run: An ``alignment_targets`` run.

    Returns:
        ``method``, ``accuracy`` with ``stderr``, ``low``, ``high``, ``n`` (scored), ``chance``,
        ``distance``, ``tied_items`` and ``source``; log metrics when present.
    """
    correct = score_summary(run, "correct") if run.has_metrics else {}
    chance = score_summary(run, "chance") if run.has_metrics else {}
    distance = score_summary(run, "distance") if run.has_metrics else {}
    frame = run.samples
    if not correct:
        correct = {**_mean_stats(_values(frame, score_column(frame, ALIGNMENT, "correct"))), "source": 0.0}
        chance = _mean_stats(_values(frame, score_column(frame, ALIGNMENT, "chance")))
        distance = _mean_stats(_values(frame, score_column(frame, ALIGNMENT, "distance")))
    tied = run.metric_values("alignment_ties").get("tied_items")
    if tied is None:
        tied = float(sum(_values(frame, score_column(frame, "alignment_ties"))))
    return {
        "method": str(run.task_args.get("method", "")),
        "accuracy": correct["mean"],
        "stderr": correct["stderr"],
        "low": correct["low"],
        "high": correct["high"],
        "n": correct["n"],
        "chance": chance.get("mean", math.nan),
        "distance": distance.get("mean", math.nan),
        "tied_items": tied,
        "source": _source(correct["source"] == 1.0),
    }
