"""Steerability runs as frames: the accuracy matrix by cell, per-framework scores, headline scores."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd

from pluralbench._metrics import FORMAT_FAILURE, FORMAT_FAILURE_RATE, interval_names
from pluralbench._run_end import DIAGNOSTICS
from pluralbench.analysis._runs import Run
from pluralbench.analysis._scores import run_seed, score_column, score_values, source_label
from pluralbench.steerability.metrics import (
    CORRECT,
    FRAMEWORK_METRIC,
    Observation,
    accuracy_matrix,
    margin_result,
    original_result,
    own_accuracies,
    persona_interval,
)

STEERABILITY = "steerability_scorer"
ALL_FRAMEWORKS = "all"


def _steerability_observations(run: Run) -> list[Observation]:
    """Return one observation per scored sample, its epochs averaged (as inspect's mean reducer does).

    Reads ``score_steerability_scorer.correct`` (task version 3 on), or the single score column of
    earlier logs.
    """
    frame = run.samples
    column = score_column(frame, STEERABILITY, CORRECT) or score_column(frame, STEERABILITY)
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
        Columns ``framework`` (``all`` last), ``balanced_accuracy`` (the log's ``balanced_accuracy``
        or ``balanced_accuracy_framework_<framework>`` when present), ``low``, ``high`` (95%
        interval over steered personas: the log's for ``all``, recomputed from the samples with the
        run's seed per framework), ``personas``, ``source`` (of the estimate) and ``interval_source``.
    """
    matrix = accuracy_matrix(_steerability_observations(run))
    own = own_accuracies(matrix)
    info = _persona_info(run.samples)
    by_framework: dict[str, list[float]] = defaultdict(list)
    for persona, value in own.items():
        by_framework[info[persona][0]].append(value)
    metrics = run.metric_values(STEERABILITY)
    seed = run_seed(run)
    rows = []
    for framework in [*sorted(by_framework), ALL_FRAMEWORKS]:
        values = list(own.values()) if framework == ALL_FRAMEWORKS else by_framework[framework]
        key = "balanced_accuracy" if framework == ALL_FRAMEWORKS else FRAMEWORK_METRIC.format(group_name=framework)
        low, high = persona_interval(values, seed=seed)
        if framework == ALL_FRAMEWORKS and "balanced_accuracy_ci_low" in metrics:
            low, high = metrics["balanced_accuracy_ci_low"], metrics["balanced_accuracy_ci_high"]
        estimate = metrics.get(key, sum(values) / len(values) if values else math.nan)
        interval_from_log = framework == ALL_FRAMEWORKS and "balanced_accuracy_ci_low" in metrics
        rows.append(
            [
                framework,
                estimate,
                low,
                high,
                float(len(values)),
                source_label(key in metrics),
                source_label(interval_from_log),
            ]
        )
    columns = ["framework", "balanced_accuracy", "low", "high", "personas", "source", "interval_source"]
    return pd.DataFrame(rows, columns=columns)


def steerability_scores(run: Run) -> dict[str, float]:
    """Return the run's headline steerability scores.

    Args:
        run: A ``steerability`` run.

    Returns:
        ``steerability_margin`` with ``_ci_low``, ``_ci_high`` and ``_n`` (steered personas); the
        published score's ``original_score``, ``original_sensitivity``, ``original_specificity``
        (named ``..._partial`` when part of the matrix was not run, as the log names them); and
        ``format_failure_rate`` (share of scored statements whose reply was unreadable, counted
        wrong): the log's metrics when it has them all, else recomputed from the samples with the
        functions the metrics use (the interval with the run's seed).
    """
    observations = _steerability_observations(run)
    failures = score_values(run.samples, score_column(run.samples, STEERABILITY, FORMAT_FAILURE))
    margin = margin_result(observations, seed=run_seed(run))
    original = original_result(observations)
    recomputed = {name: margin[name] for name in interval_names("steerability_margin")}
    recomputed.update({name: value for name, value in original.items() if name not in DIAGNOSTICS})
    recomputed[FORMAT_FAILURE_RATE] = sum(failures) / len(failures) if failures else math.nan
    metrics = run.metric_values(STEERABILITY)
    if all(name in metrics for name in recomputed):
        return {name: metrics[name] for name in recomputed}
    return recomputed
