"""Score numbers of a run, from the log's metrics when it has them, else recomputed from its samples.

Numbers come from the log's own metrics whenever the log has them, so a figure's CSV equals
what ``inspect view`` shows; the frames here name an interval's bounds ``low`` and ``high`` and
its count ``n``. An interrupted log has no metrics: its numbers are recomputed from the samples
that are there with the same plain functions the metrics use (``source`` column).
"""

from __future__ import annotations

import math

import pandas as pd

from pluralbench._metrics import CI_HIGH, CI_LOW, COUNT, STDERR, mean_with_interval
from pluralbench.analysis._runs import SCORE_PREFIX, Run

FROM_LOG = "log metrics"
FROM_SAMPLES = "recomputed from samples"


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


def score_values(frame: pd.DataFrame, column: str | None) -> list[float]:
    """Return the numeric, non-missing values of a score column (empty when the column is absent).

    Args:
        frame: A samples frame.
        column: Column name, or ``None``.

    Returns:
        The values as floats.
    """
    if column is None or column not in frame.columns or frame.empty:
        return []
    return [float(v) for v in pd.to_numeric(frame[column], errors="coerce").dropna()]


def run_seed(run: Run) -> int:
    """Return the seed a run's metrics seeded their bootstraps with: the task's ``seed`` option.

    Args:
        run: The run.

    Returns:
        The logged ``seed`` task argument, or 0 when the task has none.
    """
    seed = run.task_args.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


def mean_stats(values: list[float], seed: int = 0) -> dict[str, float]:
    """Return mean, stderr, 95% interval and count of a list of values.

    Args:
        values: Observations.
        seed: Seed of the bootstrap (the run's, :func:`run_seed`, to match its log).

    Returns:
        ``mean``, ``stderr``, ``low``, ``high`` and ``n`` (NaNs when too few values); the mean and
        interval are those the log's metrics report for the same values and seed.
    """
    n = len(values)
    stats = mean_with_interval("mean", values, seed)
    stderr = math.sqrt(sum((v - stats["mean"]) ** 2 for v in values) / (n - 1) / n) if n > 1 else math.nan
    return {
        "mean": stats["mean"],
        "stderr": stderr,
        "low": stats[f"mean{CI_LOW}"],
        "high": stats[f"mean{CI_HIGH}"],
        "n": float(n),
    }


def score_summary(run: Run, scorer: str, key: str | None = None) -> dict[str, float]:
    """Return mean, stderr, 95% interval (``low``, ``high``) and scored ``n`` of a scorer.

    Args:
        run: The run.
        scorer: Scorer name.
        key: For a dict-valued score, the key (its metrics are ``<key>``, ``<key>_stderr``,
            ``<key>_ci_low``, ...); ``None`` for a numeric score (``mean``, ``stderr``, ``mean_ci_low``, ...).

    Returns:
        The log's metrics when present, else numbers recomputed from the samples; ``source`` is
        1.0 for log metrics, 0.0 otherwise. Empty when the run has no such score.
    """
    name = key or "mean"
    metrics = run.metric_values(scorer) if scorer in set(run.metrics.get("score", [])) else {}
    if name in metrics:
        return {
            "mean": metrics[name],
            "stderr": metrics.get(f"{key}{STDERR}" if key else "stderr", math.nan),
            "low": metrics.get(f"{name}{CI_LOW}", math.nan),
            "high": metrics.get(f"{name}{CI_HIGH}", math.nan),
            "n": metrics.get(f"{name}{COUNT}", math.nan),
            "source": 1.0,
        }
    column = score_column(run.samples, scorer, key)
    if column is None:
        return {}
    return {**mean_stats(score_values(run.samples, column), run_seed(run)), "source": 0.0}


def source_label(from_log: bool) -> str:
    """Return the ``source`` column value: log metrics or recomputed from samples.

    Args:
        from_log: Whether the number came from the log's own metrics.

    Returns:
        ``FROM_LOG`` or ``FROM_SAMPLES``.
    """
    return FROM_LOG if from_log else FROM_SAMPLES
