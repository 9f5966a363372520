"""PERSONA analyses over a whole run: leave-one-out attribute importance and group disparity."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence

from inspect_ai.scorer import Metric, SampleScore, metric

from .bootstrap import bootstrap_interval, mean_interval

FULL_VARIANT = "full"
WITHOUT_PREFIX = "without "


def _scored(scores: list[SampleScore]) -> list[tuple[dict[str, object], float]]:
    """Return (sample metadata, value) of the scored samples (unscored NaNs dropped)."""
    scored = []
    for sample_score in scores:
        value = sample_score.score.value
        if isinstance(value, int | float) and not math.isnan(value):
            scored.append((sample_score.sample_metadata or {}, float(value)))
    return scored


def attribute_importance(pairs: dict[str, dict[str, float]], seed: int = 0) -> dict[str, dict[str, float]]:
    """Return each attribute's importance: mean of score(full) - score(without attribute), paired.

    Args:
        pairs: For each pair id, the score of each variant (``"full"``, ``"without <attr>"``).
        seed: Seed of the paired bootstrap.

    Returns:
        For each attribute: ``importance``, ``low``, ``high`` (95% paired bootstrap) and ``n`` pairs.
    """
    differences: dict[str, list[float]] = defaultdict(list)
    for variants in pairs.values():
        if FULL_VARIANT not in variants:
            continue
        for variant, value in variants.items():
            if variant.startswith(WITHOUT_PREFIX):
                differences[variant.removeprefix(WITHOUT_PREFIX)].append(variants[FULL_VARIANT] - value)
    result = {}
    for attribute, diffs in sorted(differences.items()):
        low, high = mean_interval(diffs, seed=seed)
        result[attribute] = {"importance": sum(diffs) / len(diffs), "low": low, "high": high, "n": float(len(diffs))}
    return result


@metric
def loo_importance() -> Metric:
    """Leave-one-out attribute importance with paired bootstrap 95% intervals.

    Returns:
        A metric whose value maps ``<attribute>``, ``<attribute>_low``, ``<attribute>_high`` to numbers.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        pairs: dict[str, dict[str, float]] = defaultdict(dict)
        for metadata, value in _scored(scores):
            pairs[str(metadata["pair_id"])][str(metadata["variant"])] = value
        flat: dict[str, float] = {}
        for attribute, stats in attribute_importance(pairs).items():
            flat[attribute] = stats["importance"]
            flat[f"{attribute}_low"] = stats["low"]
            flat[f"{attribute}_high"] = stats["high"]
        return flat

    return compute


def group_disparity(values_by_group: Mapping[str, Sequence[float]], min_n: int, seed: int = 0) -> dict[str, float]:
    """Summarize per-group means and the disparity between groups.

    Args:
        values_by_group: Scores of the samples in each group (a sample may be in several).
        min_n: Groups with fewer scored samples are reported with their n but left out of the disparity.
        seed: Seed of the bootstrap.

    Returns:
        ``<group>`` (mean), ``<group>_n``, ``<group>_low``, ``<group>_high`` for every group, then
        ``gap`` (best minus worst mean among groups with n >= min_n), ``gap_low``, ``gap_high``,
        ``ratio`` (worst over best mean) and ``groups_below_min_n``.
    """
    result: dict[str, float] = {}
    eligible: dict[str, Sequence[float]] = {}
    for group, values in values_by_group.items():
        n = len(values)
        result[f"{group}_n"] = float(n)
        result[group] = sum(values) / n if n else float("nan")
        result[f"{group}_low"], result[f"{group}_high"] = mean_interval(values, seed=seed)
        if n >= min_n:
            eligible[group] = values
    result["groups_below_min_n"] = float(len(values_by_group) - len(eligible))
    if len(eligible) < 2:
        result.update(gap=float("nan"), gap_low=float("nan"), gap_high=float("nan"), ratio=float("nan"))
        return result
    means = {group: sum(values) / len(values) for group, values in eligible.items()}
    best, worst = max(means.values()), min(means.values())
    result["gap"] = best - worst
    result["ratio"] = worst / best if best > 0 else float("nan")

    def resampled_gap(rng: random.Random) -> float:
        resampled = [sum(v[rng.randrange(len(v))] for _ in v) / len(v) for v in eligible.values()]
        return max(resampled) - min(resampled)

    result["gap_low"], result["gap_high"] = bootstrap_interval(resampled_gap, seed=seed)
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
