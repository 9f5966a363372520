"""Metrics of the group task, under the suite's naming (:mod:`pluralbench._metrics`).

Every mean is over groups (samples) with a seeded bootstrap interval over groups; ``price`` is the
mean of each group's individual-minus-group difference, so its interval is paired over groups.
Per-cell results of a ``groups`` file are over members: ``satisfaction/<group>`` (and
``individual_satisfaction/<group>``, ``price/<group>``) with ``_ci_low``, ``_ci_high``, ``_n``; the slash keeps a group's name from
colliding with a metric's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from inspect_ai.scorer import Metric, SampleScore, metric

from pluralbench._metrics import mean_ci, mean_with_interval, scored_values

from .outcomes import (
    CONTEXT_OVERFLOWS,
    FORMAT_FAILURE,
    INDIVIDUAL_FORMAT_FAILURE,
    INDIVIDUAL_PREFIX,
    JUDGE_FAILURES,
    OUTCOME_KEYS,
    PRICE,
    PRICE_WORST_OFF,
    SATISFACTION,
    SELF_GRADED,
    WORST_OFF,
)

GROUP_SCORER = "group_critic"
"""The name the group task's scores and metrics are logged under."""
FORMAT_FAILURE_RATE = "format_failure_rate"
INDIVIDUAL_FORMAT_FAILURE_RATE = "individual_format_failure_rate"
CELL_SEPARATOR = "/"
"""Per-cell metrics are ``satisfaction/<group>`` and ``price/<group>``."""


@metric
def total(key: str) -> Metric:
    """Sum of a key of dict-valued scores over the samples (NaNs skipped).

    Args:
        key: The key.

    Returns:
        A metric reporting ``<key>``.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {key: float(sum(scored_values(scores, key)))}

    return compute


@metric
def share(key: str) -> Metric:
    """Mean of a 0/1 key of dict-valued scores over the samples that have it.

    Args:
        key: The key.

    Returns:
        A metric reporting ``<key>`` (NaN when no sample has it).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        values = scored_values(scores, key)
        return {key: sum(values) / len(values) if values else math.nan}

    return compute


def _member_number(entry: Mapping[str, object], key: str) -> float:
    value = entry.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan


@metric
def cell_metrics(compare_individual: bool, seed: int = 0) -> Metric:
    """Per-cell member satisfaction (and price) when members come from the groups of a groups file.

    Args:
        compare_individual: Also report ``individual_satisfaction/<group>`` and ``price/<group>``, each
            member's individual minus group score.
        seed: Seed of the bootstrap.

    Returns:
        A metric reporting ``satisfaction/<group>`` (members of that group whose verdict was read),
        ``individual_satisfaction/<group>`` and ``price/<group>`` (members with both verdicts read), each with ``_ci_low``, ``_ci_high``
        and ``_n``, groups in alphabetical order.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        satisfaction: dict[str, list[float]] = defaultdict(list)
        individual: dict[str, list[float]] = defaultdict(list)
        price: dict[str, list[float]] = defaultdict(list)
        for sample_score in scores:
            for entry in (sample_score.score.metadata or {}).get("members", []):
                cell = entry.get("spec_group")
                if cell is None:
                    continue
                group_score = _member_number(entry, "score")
                satisfaction.setdefault(cell, [])
                price.setdefault(cell, [])
                if not math.isnan(group_score):
                    satisfaction[cell].append(group_score)
                own = _member_number(entry, "individual_score")
                if not math.isnan(own):
                    individual[cell].append(own)
                if not math.isnan(group_score) and not math.isnan(own):
                    price[cell].append(own - group_score)
        result: dict[str, float] = {}
        for cell in sorted(satisfaction):
            result.update(mean_with_interval(f"{SATISFACTION}{CELL_SEPARATOR}{cell}", satisfaction[cell], seed))
            if compare_individual:
                own_name = f"{INDIVIDUAL_PREFIX}{SATISFACTION}{CELL_SEPARATOR}{cell}"
                result.update(mean_with_interval(own_name, individual[cell], seed))
                result.update(mean_with_interval(f"{PRICE}{CELL_SEPARATOR}{cell}", price[cell], seed))
        return result

    return compute


def group_outcome_names() -> dict[tuple[str, str], str]:
    """Return the log name of each outcome of each answer.

    Returns:
        ``(measure, answer) -> metric name``: ``("satisfaction", "group") -> "satisfaction"``,
        ``("satisfaction", "individual") -> "individual_satisfaction"``, ``("satisfaction", "price") -> "price"``,
        ``("worst_off", "price") -> "price_worst_off"``, ...
    """
    names = {(key, "group"): key for key in OUTCOME_KEYS}
    names.update({(key, "individual"): f"{INDIVIDUAL_PREFIX}{key}" for key in OUTCOME_KEYS})
    names.update({(SATISFACTION, "price"): PRICE, (WORST_OFF, "price"): PRICE_WORST_OFF})
    return names


def base_metrics(seed: int = 0) -> list[Metric]:
    """Return the metrics of every group run.

    Args:
        seed: Seed of the bootstraps.

    Returns:
        ``satisfaction``, ``worst_off`` and ``all_served`` with intervals; ``format_failure_rate``
        (share of groups whose answer was missing or empty, scored 0 for everyone) with its
        interval; ``judge_failures`` (verdicts unreadable after repair); ``context_overflows``
        (answers whose prompt did not fit the evaluated model's context, left unjudged);
        ``self_graded`` (share of samples judged by the evaluated model itself).
    """
    return [
        *(mean_ci(key, seed=seed) for key in OUTCOME_KEYS),
        mean_ci(FORMAT_FAILURE, name=FORMAT_FAILURE_RATE, seed=seed),
        total(JUDGE_FAILURES),
        total(CONTEXT_OVERFLOWS),
        share(SELF_GRADED),
    ]


def comparison_metrics(seed: int = 0) -> list[Metric]:
    """Return the metrics added by ``compare_individual``.

    Args:
        seed: Seed of the bootstraps.

    Returns:
        ``individual_satisfaction``, ``individual_worst_off``, ``individual_all_served``, ``price``
        and ``price_worst_off`` (individual minus group, paired over groups), and
        ``individual_format_failure_rate`` (share of individual answers missing or empty), each
        with its interval.
    """
    return [
        *(mean_ci(f"{INDIVIDUAL_PREFIX}{key}", seed=seed) for key in OUTCOME_KEYS),
        mean_ci(PRICE, seed=seed),
        mean_ci(PRICE_WORST_OFF, seed=seed),
        mean_ci(INDIVIDUAL_FORMAT_FAILURE, name=INDIVIDUAL_FORMAT_FAILURE_RATE, seed=seed),
    ]
