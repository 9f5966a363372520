"""Alignment-target runs as frames: accuracy by target size and the overall summary."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pluralbench._metrics import FORMAT_FAILURE, FORMAT_FAILURE_RATE, interval_names
from pluralbench.alignment.scorers import SIZE_METRIC
from pluralbench.analysis._runs import Run
from pluralbench.analysis._scores import (
    mean_stats,
    run_seed,
    score_column,
    score_summary,
    score_values,
    source_label,
)

ALIGNMENT = "alignment_target"


def alignment_by_size(run: Run) -> pd.DataFrame:
    """Return accuracy by number of target attributes of an alignment-target run.

    Args:
        run: An ``alignment_targets`` run.

    Returns:
        Columns ``target_size``, ``accuracy``, ``low``, ``high`` (95% bootstrap), ``n`` (scored
        samples): the log's ``correct_<size>_attributes`` with ``_ci_low``, ``_ci_high`` and ``_n``
        when present, else recomputed from the samples (with the run's seed); ``chance`` (mean
        chance of a random pick),
        ``source`` (of the accuracy) and ``interval_source`` (of the interval, the same).
    """
    frame = run.samples
    correct = score_column(frame, ALIGNMENT, "correct")
    chance = score_column(frame, ALIGNMENT, "chance")
    metrics = run.metric_values(ALIGNMENT) if ALIGNMENT in set(run.metrics.get("score", [])) else {}
    rows = []
    sizes = sorted({int(size) for size in frame["target_size"].dropna()}) if "target_size" in frame.columns else []
    for size in sizes:
        subset = frame[frame["target_size"] == size]
        names = interval_names(SIZE_METRIC.format(group=size))
        from_log = names[0] in metrics
        if from_log:
            estimate, low, high, n = (metrics[name] for name in names)
        else:
            stats = mean_stats(score_values(subset, correct), run_seed(run))
            estimate, low, high, n = stats["mean"], stats["low"], stats["high"], stats["n"]
        chances = score_values(subset, chance)
        source = source_label(from_log)
        rows.append(
            [size, estimate, low, high, n, sum(chances) / len(chances) if chances else math.nan, source, source]
        )
    columns = ["target_size", "accuracy", "low", "high", "n", "chance", "source", "interval_source"]
    return pd.DataFrame(rows, columns=columns)


def alignment_summary(run: Run) -> dict[str, Any]:
    """Return the overall scores of an alignment-target run.

    Args:
        run: An ``alignment_targets`` run.

    Returns:
        ``method``, ``accuracy`` with ``stderr``, ``low``, ``high``, ``n`` (scored), ``chance``,
        ``distance``, ``format_failure_rate`` (share of scored samples with no readable choice,
        counted wrong), ``tied_items`` and ``source``: the log's ``correct``, ``correct_stderr``,
        ``correct_ci_low``, ... when present, else recomputed from the samples.
    """
    empty = {**mean_stats([]), "source": 0.0}
    correct, chance, distance = (
        score_summary(run, ALIGNMENT, key) or empty for key in ("correct", "chance", "distance")
    )
    frame = run.samples
    failures = run.metric_values(ALIGNMENT).get(FORMAT_FAILURE_RATE)
    if failures is None:
        flagged = score_values(frame, score_column(frame, ALIGNMENT, FORMAT_FAILURE))
        failures = sum(flagged) / len(flagged) if flagged else math.nan
    tied = run.metric_values("alignment_ties").get("tied_items")
    if tied is None:
        tied = float(sum(score_values(frame, score_column(frame, "alignment_ties"))))
    return {
        "method": str(run.task_args.get("method", "")),
        "accuracy": correct["mean"],
        "stderr": correct["stderr"],
        "low": correct["low"],
        "high": correct["high"],
        "n": correct["n"],
        "chance": chance.get("mean", math.nan),
        "distance": distance.get("mean", math.nan),
        "format_failure_rate": failures,
        "tied_items": tied,
        "source": source_label(correct["source"] == 1.0),
    }
