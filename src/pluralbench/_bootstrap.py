"""Seeded percentile bootstrap intervals, vectorised with numpy.

Every resample is drawn from ``numpy.random.default_rng(seed)``, so equal inputs and seeds
give equal bounds. Resample indices are drawn in blocks of whole resamples (at most
``BLOCK_ELEMENTS`` indices at a time), so memory stays bounded for large inputs; the block
size depends only on the number of values, which keeps the stream reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95
BLOCK_ELEMENTS = 1 << 20
"""Most resample indices drawn in one block (4 MB of int32 indices)."""

Statistic = Callable[[np.random.Generator, int], NDArray[np.float64]]
"""Computes a statistic on ``resamples`` resamples drawn with the generator: one value per
resample, NaN where a resample is degenerate."""


def resample_means(values: Sequence[float], rng: np.random.Generator, resamples: int) -> NDArray[np.float64]:
    """Return the means of ``resamples`` bootstrap resamples (``n`` draws with replacement) of ``values``.

    Args:
        values: Observations (non-empty).
        rng: Generator the resample indices are drawn from.
        resamples: Number of resamples.

    Returns:
        One mean per resample.
    """
    data = np.asarray(values, dtype=np.float64)
    n = data.size
    rows = max(1, BLOCK_ELEMENTS // n)
    means = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, rows):
        stop = min(start + rows, resamples)
        means[start:stop] = data[rng.integers(0, n, size=(stop - start, n), dtype=np.int32)].mean(axis=1)
    return means


def percentile_interval(statistics: NDArray[np.float64], level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Return the central ``level`` percentile interval of resampled statistics (NaNs skipped).

    Quantiles interpolate linearly between order statistics.

    Args:
        statistics: One statistic per resample.
        level: Confidence level.

    Returns:
        ``(low, high)``; NaNs when no statistic is a number.
    """
    finite = statistics[~np.isnan(statistics)]
    if finite.size == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return float(low), float(high)


def bootstrap_interval(
    statistic: Statistic,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> tuple[float, float]:
    """Return the percentile interval of a statistic computed on bootstrap resamples.

    Args:
        statistic: Computes the statistic on ``resamples`` resamples drawn with the given
            generator (see :data:`Statistic`); degenerate resamples give NaN and are skipped.
        resamples: Number of resamples.
        level: Confidence level.
        seed: Seed of the resampling.

    Returns:
        ``(low, high)``; NaNs when no resample gave a value.
    """
    rng = np.random.default_rng(seed)
    return percentile_interval(np.asarray(statistic(rng, resamples), dtype=np.float64), level)


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
        return math.nan, math.nan

    def statistic(rng: np.random.Generator, count: int) -> NDArray[np.float64]:
        return resample_means(values, rng, count)

    return bootstrap_interval(statistic, resamples=resamples, level=level, seed=seed)
