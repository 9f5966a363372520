"""Interval metrics under the suite's one naming scheme.

Every estimate logged with an interval is four numbers:

- ``<name>``: the estimate (a mean unless the metric says otherwise);
- ``<name>_ci_low`` and ``<name>_ci_high``: its 95% interval, :func:`pluralbench._bootstrap.mean_interval`
  (Wilson for 0/1 values, Tango for paired differences of them, else a seeded expanded BCa
  bootstrap) over the values in ascending
  order, so the bounds depend on the values and the seed only, not on the order in which samples
  finished: identical across runs. Tasks seed it with their ``seed`` option;
- ``<name>_n``: how many scored units the estimate and interval are computed over (samples,
  unless the metric says it resamples something else, such as pairs or personas).

A standard error beside a keyed estimate is ``<name>_stderr``; a scorer with a single number
keeps inspect's own ``stderr`` beside its ``mean``. With nothing scored, the estimate and both
bounds are NaN and ``<name>_n`` is 0.

A failure of the evaluated model to answer in the required format is a scored failure (wrong, 0),
flagged by the score key ``format_failure`` (1 for such a sample, else 0); :func:`format_failure_rate`
reports their share. Computing any of these metrics registers the suite's end-of-task warnings
(:mod:`pluralbench._run_end`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from inspect_ai._util.registry import RegistryInfo, registry_info, set_registry_info
from inspect_ai.scorer import Metric, SampleScore, Scorer, metric

from pluralbench._bootstrap import mean_interval
from pluralbench._run_end import ensure_registered

CI_LOW = "_ci_low"
CI_HIGH = "_ci_high"
COUNT = "_n"
STDERR = "_stderr"
FORMAT_FAILURE = "format_failure"
"""Score key flagging a sample whose evaluated model gave no readable answer (scored as wrong)."""
FORMAT_FAILURE_RATE = "format_failure_rate"
CONTEXT_OVERFLOW = "context_overflow"
"""Unscored reason of a sample whose prompt did not fit the model's context (``stop_reason`` ``model_length``)."""


def interval_names(name: str) -> tuple[str, str, str, str]:
    """Return the four log names of an estimate with its interval.

    Args:
        name: The estimate's name.

    Returns:
        ``(name, name_ci_low, name_ci_high, name_n)``.
    """
    return name, f"{name}{CI_LOW}", f"{name}{CI_HIGH}", f"{name}{COUNT}"


def with_interval(name: str, estimate: float, interval: tuple[float, float], n: int) -> dict[str, float]:
    """Return an estimate, its interval and its count under the scheme's names.

    Args:
        name: The estimate's name.
        estimate: The estimate.
        interval: ``(low, high)`` bounds.
        n: Scored units the estimate is computed over.

    Returns:
        ``{name, name_ci_low, name_ci_high, name_n}``.
    """
    ensure_registered()  # the suite's interval metrics all report through here, before their task ends
    names = interval_names(name)
    return dict(zip(names, (estimate, interval[0], interval[1], float(n)), strict=True))


def mean_with_interval(
    name: str, values: Sequence[float], seed: int = 0, paired_differences: bool = False
) -> dict[str, float]:
    """Return the mean of ``values`` with its seeded 95% interval and count.

    Args:
        name: The estimate's name.
        values: Scored values (no NaNs).
        seed: Seed of the bootstrap.
        paired_differences: The values are paired differences of two scores (see
            :func:`pluralbench._bootstrap.mean_interval`).

    Returns:
        ``{name, name_ci_low, name_ci_high, name_n}``; NaNs and ``n`` 0 when ``values`` is empty.
    """
    ordered = sorted(values)
    estimate = float(np.mean(ordered)) if ordered else math.nan
    interval = mean_interval(ordered, seed=seed, paired_differences=paired_differences)
    return with_interval(name, estimate, interval, len(ordered))


def standard_error(values: Sequence[float]) -> float:
    """Return the standard error of the mean, computed as inspect's ``stderr()`` computes it.

    Args:
        values: Scored values (no NaNs).

    Returns:
        ``std(ddof=1) / sqrt(n)``; 0 for one value (as inspect reports it), NaN for none.
    """
    if not values:
        return math.nan
    if len(values) < 2:
        return 0.0
    return float(np.std(values, ddof=1) / np.sqrt(len(values)))


def scored_values(scores: Sequence[SampleScore], key: str | None = None) -> list[float]:
    """Return the numbers of the scored samples (unscored NaNs skipped).

    Args:
        scores: Sample scores.
        key: For dict-valued scores, the key to read; ``None`` for numeric scores.

    Returns:
        The values, in sample order.

    Raises:
        ValueError: If a value read is not a number, or a key is given for a score that is not a dict
            (e.g. a task's dict-valued epoch reducer was replaced by a scalar one).
    """
    values = []
    for sample_score in scores:
        value: object = sample_score.score.value
        if key is not None:
            if isinstance(value, float) and math.isnan(value):
                continue  # an unscored sample (NaN at the root) has no keys
            if not isinstance(value, Mapping):
                raise ValueError(f"sample {sample_score.sample_id}: score {value!r} has no key {key!r} (not a dict)")
            value = value.get(key, math.nan)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"sample {sample_score.sample_id}: score {value!r} is not a number (key {key!r})")
        if not math.isnan(value):
            values.append(float(value))
    return values


@metric
def mean_ci(key: str | None = None, name: str | None = None, with_stderr: bool = False, seed: int = 0) -> Metric:
    """Mean of the scored samples with a seeded 95% bootstrap interval and the count.

    Args:
        key: For dict-valued scores, the key to average; ``None`` for numeric scores.
        name: Name of the estimate in the log (default: ``key``, else ``mean``).
        with_stderr: Also report ``<name>_stderr``.
        seed: Seed of the bootstrap.

    Returns:
        A metric reporting ``<name>``, ``<name>_ci_low``, ``<name>_ci_high``, ``<name>_n``
        (and ``<name>_stderr``).
    """
    label = name or key or "mean"

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        values = sorted(scored_values(scores, key))  # the numbers then do not depend on sample order
        result = mean_with_interval(label, values, seed)
        if with_stderr:
            result[f"{label}{STDERR}"] = standard_error(values)
        return result

    return compute


def _group_order(group: str) -> tuple[int, float, str]:
    """Sort numeric group names numerically, before the others, which sort alphabetically."""
    try:
        return 0, float(group), group
    except ValueError:
        return 1, 0.0, group


@metric
def grouped_mean_ci(group_key: str, key: str | None = None, name_template: str = "{group}", seed: int = 0) -> Metric:
    """Per-group means, each with a seeded 95% bootstrap interval and count.

    Args:
        group_key: Sample metadata key whose value names the group.
        key: For dict-valued scores, the key to average; ``None`` for numeric scores.
        name_template: Name of each group's estimate, with ``{group}`` for the group's value.
        seed: Seed of the bootstrap.

    Returns:
        A metric reporting, for each group with a scored sample, ``<name>``, ``<name>_ci_low``,
        ``<name>_ci_high`` and ``<name>_n``, groups in numeric then alphabetical order.

    Raises:
        ValueError: When a sample lacks ``group_key`` in its metadata.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        by_group: dict[str, list[SampleScore]] = {}
        for sample_score in scores:
            metadata = sample_score.sample_metadata or {}
            if group_key not in metadata:
                raise ValueError(f"sample {sample_score.sample_id} has no {group_key!r} metadata to group by")
            by_group.setdefault(str(metadata[group_key]), []).append(sample_score)
        result: dict[str, float] = {}
        for group in sorted(by_group, key=_group_order):
            name = name_template.format(group=group)
            result.update(mean_with_interval(name, scored_values(by_group[group], key), seed))
        return result

    return compute


@metric
def format_failure_rate(key: str = FORMAT_FAILURE) -> Metric:
    """Share of scored samples whose evaluated model gave no readable answer (counted wrong in the headline).

    Args:
        key: Score key holding 1 for a format failure, 0 otherwise.

    Returns:
        A metric reporting ``format_failure_rate``; NaN when nothing is scored.
    """

    def compute(scores: list[SampleScore]) -> float:
        ensure_registered()
        values = scored_values(scores, key)
        return sum(values) / len(values) if values else math.nan

    return compute


def with_metrics(scorer: Scorer, metrics: Sequence[Metric | Mapping[str, Sequence[Metric]]]) -> Scorer:
    """Return a scorer whose logged metrics are ``metrics`` instead of those of its ``@scorer`` declaration.

    inspect's ``Task(metrics=...)`` replaces the metrics of every scorer of a task; this replaces
    them for one scorer, so a task with two scorers can seed its own metrics (with the task's
    ``seed``). It sets the same registry entry that ``Task(metrics=...)`` sets.

    Args:
        scorer: A scorer made by a ``@scorer`` factory.
        metrics: The metrics to compute over its scores.

    Returns:
        The same scorer.
    """
    info = registry_info(scorer)
    set_registry_info(
        scorer, RegistryInfo(type=info.type, name=info.name, metadata={**info.metadata, "metrics": list(metrics)})
    )
    return scorer
