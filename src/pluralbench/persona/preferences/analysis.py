"""``persona_preference`` runs as a frame: accuracy overall and by separating attribute, order consistency."""

from __future__ import annotations

import math

import pandas as pd

from pluralbench._metrics import COUNT, interval_names, mean_with_interval
from pluralbench.analysis._runs import Run
from pluralbench.analysis._scores import score_column, source_label
from pluralbench.persona.preferences.scorer import consistency_values

PREFERENCE = "preference_accuracy"
PREFERENCE_COLUMNS = ["measure", "group", "estimate", "low", "high", "n", "mode", "source"]


def _preference_metrics_from_samples(frame: pd.DataFrame, seed: int) -> dict[str, float]:
    """Recompute the ``persona_preference`` metrics from the samples, epochs averaged as inspect reduces them."""
    correct, failure = (score_column(frame, PREFERENCE, key) for key in ("correct", "format_failure"))
    if correct is None or failure is None:
        return {}
    scored = frame[frame[correct].notna()]
    reduced = scored.groupby("sample_id", sort=False).agg(
        pair_id=("pair_id", "first"),
        order=("order", "first"),
        group=("attribute_group", "first"),
        correct=(correct, "mean"),
        failure=(failure, "mean"),
    )
    metrics = mean_with_interval("accuracy", list(reduced["correct"]), seed)
    metrics["format_failure_rate"] = float(reduced["failure"].mean()) if len(reduced) else math.nan
    orders = zip(reduced["pair_id"], reduced["order"], reduced["correct"], reduced["failure"], strict=True)
    consistency = consistency_values((str(p), str(o), float(c), float(f)) for p, o, c, f in orders)
    metrics.update(mean_with_interval("order_consistency", consistency, seed))
    for group, members in reduced.groupby("group"):
        metrics.update(mean_with_interval(f"attribute:{group}", list(members["correct"]), seed))
    return metrics


def preference_frame(run: Run) -> pd.DataFrame:
    """Return the scores of a ``persona_preference`` run: accuracy overall and by separating attribute.

    Args:
        run: A ``persona_preference`` run.

    Returns:
        Columns ``measure`` (``accuracy``, ``order_consistency``, ``format_failure_rate``), ``group``
        (``all``, or the attribute group of the log's ``attribute:<group>`` metrics, alphabetical),
        ``estimate``, ``low``, ``high`` (the log's 95% interval; none for the format-failure share),
        ``n`` (samples; pairs for consistency), ``mode``, ``source``. From the log's metrics when
        present, else recomputed from the samples with the metrics' own functions and the task's
        seed (a format failure counts as wrong).
    """
    metrics = run.metric_values(PREFERENCE) if PREFERENCE in set(run.metrics.get("score", [])) else {}
    from_log = "accuracy" in metrics
    if not from_log:
        metrics = _preference_metrics_from_samples(run.samples, int(run.task_args.get("seed", 0)))
    rows = [
        [measure, "all", *(metrics.get(name, math.nan) for name in interval_names(measure))]
        for measure in ("accuracy", "order_consistency")
    ]
    failures = metrics.get("format_failure_rate", math.nan)
    rows.append(["format_failure_rate", "all", failures, math.nan, math.nan, metrics.get(f"accuracy{COUNT}", math.nan)])
    groups = sorted(
        name.removeprefix("attribute:").removesuffix(COUNT)
        for name in metrics
        if name.startswith("attribute:") and name.endswith(COUNT)
    )
    rows += [["accuracy", group, *(metrics[name] for name in interval_names(f"attribute:{group}"))] for group in groups]
    mode = str(run.task_args.get("mode", "persona"))
    return pd.DataFrame([[*row, mode, source_label(from_log)] for row in rows], columns=PREFERENCE_COLUMNS)
