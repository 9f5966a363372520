"""Bootstrap intervals as plain functions over lists of numbers."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Return the ``q`` quantile (0-1) of sorted values by linear interpolation.

    Args:
        sorted_values: Values in ascending order (non-empty).
        q: Quantile in [0, 1].

    Returns:
        The interpolated quantile.
    """
    position = q * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def bootstrap_interval(
    statistic: Callable[[random.Random], float],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> tuple[float, float]:
    """Return the percentile interval of a statistic computed on bootstrap resamples.

    Args:
        statistic: Computes the statistic on one resample drawn with the given generator;
            returns NaN when a resample is degenerate (those resamples are skipped).
        resamples: Number of resamples.
        level: Confidence level.
        seed: Seed of the resampling.

    Returns:
        ``(low, high)``; NaNs when no resample gave a value.
    """
    rng = random.Random(seed)
    values = sorted(v for v in (statistic(rng) for _ in range(resamples)) if not math.isnan(v))
    if not values:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    return percentile(values, tail), percentile(values, 1 - tail)


def mean_interval(
    values: Sequence[float],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> tuple[float, float]:
    """Return the bootstrap interval of the mean of ``values``.

    Args:
        values: Observations.
        resamples: Number of resamples.
        level: Confidence level.
        seed: Seed of the resampling.

    Returns:
        ``(low, high)``, NaNs for an empty list.
    """
    if not values:
        return float("nan"), float("nan")
    n = len(values)

    def statistic(rng: random.Random) -> float:
        return sum(values[rng.randrange(n)] for _ in range(n)) / n

    return bootstrap_interval(statistic, resamples=resamples, level=level, seed=seed)
