"""PERSONA analyses over a whole run: leave-one-out attribute importance, group disparity, pass@k.

Names follow the suite's scheme (:mod:`pluralbench._metrics`): every estimate with an interval
is ``<name>``, ``<name>_ci_low``, ``<name>_ci_high`` and ``<name>_n``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, ScoreReducer, mean_score, metric, pass_at, score_reducer
from numpy.typing import NDArray

from pluralbench._bootstrap import bootstrap_interval, resample_means
from pluralbench._metrics import mean_with_interval, with_interval

FULL_VARIANT = "full"
WITHOUT_PREFIX = "without "
IMPORTANCE_PREFIX = "importance_"
"""Leave-one-out metrics are ``importance_<attribute>`` with ``_ci_low``, ``_ci_high`` and ``_n`` (pairs)."""
MEAN_KEY = "mean"
PASS_AT_PREFIX = "pass_at_"


def _scored(scores: list[SampleScore]) -> list[tuple[dict[str, object], float]]:
    """Return (sample metadata, value) of the scored samples (unscored NaNs dropped)."""
    scored = []
    for sample_score in scores:
        value = sample_score.score.value
        if isinstance(value, int | float) and not math.isnan(value):
            scored.append((sample_score.sample_metadata or {}, float(value)))
    return scored


def attribute_importance(pairs: dict[str, dict[str, float]], seed: int = 0) -> dict[str, float]:
    """Return each attribute's importance: mean of score(full) - score(without attribute), paired.

    Args:
        pairs: For each pair id, the score of each variant (``"full"``, ``"without <attr>"``).
        seed: Seed of the paired bootstrap.

    Returns:
        For each attribute, in alphabetical order: ``importance_<attribute>``, its 95% paired
        bootstrap interval ``importance_<attribute>_ci_low`` and ``_ci_high``, and
        ``importance_<attribute>_n`` (pairs with both variants scored).
    """
    differences: dict[str, list[float]] = defaultdict(list)
    for variants in pairs.values():
        if FULL_VARIANT not in variants:
            continue
        for variant, value in variants.items():
            if variant.startswith(WITHOUT_PREFIX):
                differences[variant.removeprefix(WITHOUT_PREFIX)].append(variants[FULL_VARIANT] - value)
    result: dict[str, float] = {}
    for attribute, diffs in sorted(differences.items()):
        result.update(mean_with_interval(f"{IMPORTANCE_PREFIX}{attribute}", diffs, seed))
    return result


@metric
def loo_importance() -> Metric:
    """Leave-one-out attribute importance with paired bootstrap 95% intervals.

    Returns:
        A metric reporting, for each attribute, ``importance_<attribute>`` with ``_ci_low``,
        ``_ci_high`` and ``_n`` (see :func:`attribute_importance`).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        pairs: dict[str, dict[str, float]] = defaultdict(dict)
        for metadata, value in _scored(scores):
            pairs[str(metadata["pair_id"])][str(metadata["variant"])] = value
        return attribute_importance(pairs)

    return compute


def group_disparity(values_by_group: Mapping[str, Sequence[float]], min_n: int, seed: int = 0) -> dict[str, float]:
    """Summarize per-group means and the disparity between groups.

    Args:
        values_by_group: Scores of the samples in each group (a sample may be in several).
        min_n: Groups with fewer scored samples are reported with their n but left out of the disparity.
        seed: Seed of the bootstrap.

    Returns:
        For every group ``<group>`` (mean), ``<group>_ci_low``, ``<group>_ci_high`` and
        ``<group>_n`` (scored samples); ``groups_below_min_n``; ``gap`` (best minus worst mean
        among groups with n >= min_n) with ``gap_ci_low``, ``gap_ci_high`` and ``gap_n`` (scored
        samples of those groups, a sample counted once per group it is in; 0 without a gap);
        and ``ratio`` (worst over best mean).
    """
    result: dict[str, float] = {}
    eligible: dict[str, Sequence[float]] = {}
    for group, values in values_by_group.items():
        result.update(mean_with_interval(group, values, seed))
        if len(values) >= min_n:
            eligible[group] = sorted(values)
    eligible = dict(sorted(eligible.items()))  # the gap's bootstrap draws depend on values, not on sample order
    result["groups_below_min_n"] = float(len(values_by_group) - len(eligible))
    if len(eligible) < 2:
        result.update(with_interval("gap", math.nan, (math.nan, math.nan), 0), ratio=math.nan)
        return result
    means = {group: sum(values) / len(values) for group, values in eligible.items()}
    best, worst = max(means.values()), min(means.values())

    def resampled_gaps(rng: np.random.Generator, resamples: int) -> NDArray[np.float64]:
        means = np.stack([resample_means(values, rng, resamples) for values in eligible.values()])
        return np.asarray(means.max(axis=0) - means.min(axis=0), dtype=np.float64)

    interval = bootstrap_interval(resampled_gaps, seed=seed)
    result.update(with_interval("gap", best - worst, interval, sum(len(v) for v in eligible.values())))
    result["ratio"] = worst / best if best > 0 else math.nan
    return result


@metric
def group_disparity_metric(min_n: int = 5) -> Metric:
    """Per-group means with intervals and n, and the disparity between groups.

    Groups come from each sample's ``groups`` metadata list; a sample counts in every group it is in.

    Args:
        min_n: Minimum scored samples for a group to enter the disparity.

    Returns:
        The metric.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        values_by_group: dict[str, list[float]] = defaultdict(list)
        for score in scores:
            for group in (score.sample_metadata or {}).get("groups", []):
                values_by_group.setdefault(str(group), [])
        for metadata, value in _scored(scores):
            for group in metadata.get("groups", []):  # type: ignore[attr-defined]
                values_by_group[str(group)].append(value)
        return group_disparity(values_by_group, min_n)

    return compute


def pass_at_keys(k: int) -> list[str]:
    """Return the keys of the :func:`mean_and_pass_at` score: ``mean``, ``pass_at_1`` .. ``pass_at_<k>``.

    Args:
        k: Attempts per sample.

    Returns:
        The keys, in order.
    """
    return [MEAN_KEY, *(f"{PASS_AT_PREFIX}{j}" for j in range(1, k + 1))]


@score_reducer
def mean_and_pass_at(k: int) -> ScoreReducer:
    """Reduce a sample's epochs to one dict score: their mean and pass@1 .. pass@k.

    Each entry is inspect's own reducer applied to the epochs (``mean``; ``pass_at_<j>``, the
    unbiased estimator, counting a value >= 1 as a pass, NaN with fewer than j scored epochs).
    One reducer instead of k + 1 keeps every number in one score whose metrics say which is which.

    Args:
        k: Attempts per sample (epochs).

    Returns:
        The reducer; a sample with no scored epoch stays unscored.
    """
    reducers = dict(zip(pass_at_keys(k), [mean_score(), *(pass_at(j) for j in range(1, k + 1))], strict=True))

    def reduce(scores: list[Score]) -> Score:
        reduced = {key: reducer(scores) for key, reducer in reducers.items()}
        mean = reduced[MEAN_KEY]
        if math.isnan(mean.as_float()):
            return mean
        return mean.model_copy(update={"value": {key: score.as_float() for key, score in reduced.items()}})

    return reduce
