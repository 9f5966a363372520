"""The interval of a size of difference: Feldman and Cousins's unified interval for a folded normal.

A group gap is the size of a difference, ``theta = |delta|``, estimated by ``|d|`` with ``d``
approximately normal around ``delta``. Near ``theta = 0`` the estimate folds: a sample that
reverses the two groups still shows a positive gap, so a central interval of ``|d|`` (a percentile
bootstrap of best minus worst) can only miss on one side there. It covered a true gap of 0.2
between two groups of 20 in 98.3% of runs and a true gap of 0 hardly at all.

The unified interval (Feldman and Cousins 1998, Physical Review D 57(7), 3873-3889) inverts the
acceptance regions of a test ordered by the likelihood ratio ``f(z; t) / f(z; t_hat(z))`` of the
folded normal ``f(z; t) = phi(z - t) + phi(z + t)`` (``z = |d| / se``, ``t = theta / se``, ``t_hat``
the maximum likelihood size, 0 for ``z <= 1``). Each region holds the level's probability, so the
coverage is the level at every size: near 0 the region is one-sided and the interval reaches 0,
and away from 0 it becomes the central interval ``|d| +- z_(1+level)/2 * se``, which it is taken to
be beyond :data:`CENTRAL_FROM` standard errors.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

GRID_STEP = 0.005
"""Step, in standard errors, of the sizes and estimates the acceptance regions are computed on."""

CENTRAL_FROM = 7.0
"""Estimates above this many standard errors get the central interval (the regions are central there)."""

_SIZE_SPAN = CENTRAL_FROM + 3.0
_ESTIMATE_SPAN = _SIZE_SPAN + 4.0
_LEVEL_DIGITS = 4
_NORMAL = NormalDist()


def _density(z: NDArray[np.float64], t: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the folded normal density ``phi(z - t) + phi(z + t)`` at ``z >= 0``."""
    scale = 1 / math.sqrt(2 * math.pi)
    return scale * (np.exp(-0.5 * (z - t) ** 2) + np.exp(-0.5 * (z + t) ** 2))


def _best_size(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the maximum likelihood size of each estimate: 0 up to 1, else the root of ``t = z tanh(z t)``."""
    t = np.where(z > 1, z, 0.0)
    for _ in range(200):
        t = np.where(z > 1, z * np.tanh(z * t), 0.0)
    return t


@functools.lru_cache(maxsize=32)
def _acceptance_regions(level: float) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return the grid of sizes and each size's acceptance region ``[low, high]`` of estimates.

    A size's region takes estimates in decreasing likelihood ratio until their probability
    reaches ``level`` (the estimate's probability is its density times the grid step).
    """
    sizes = np.arange(0.0, _SIZE_SPAN + GRID_STEP / 2, GRID_STEP)
    estimates = np.arange(0.0, _ESTIMATE_SPAN + GRID_STEP / 2, GRID_STEP)
    weights = np.full(estimates.size, GRID_STEP)
    weights[0] = GRID_STEP / 2
    best = _density(estimates, _best_size(estimates))
    lows = np.empty(sizes.size)
    highs = np.empty(sizes.size)
    for index, size in enumerate(sizes):
        density = _density(estimates, size)
        order = np.argsort(-(density / best), kind="stable")
        accepted = order[: int(np.searchsorted(np.cumsum(density[order] * weights[order]), level)) + 1]
        lows[index], highs[index] = estimates[accepted].min(), estimates[accepted].max()
    return sizes, lows, highs


def folded_interval(estimate: float, standard_error: float, level: float) -> tuple[float, float]:
    """Return the unified interval of a size of difference ``|delta|``.

    Args:
        estimate: The estimated size ``|d|`` (at least 0).
        standard_error: The standard error of ``d``.
        level: Confidence level.

    Returns:
        ``(low, high)``; ``(estimate, estimate)`` when the standard error is 0; NaNs when either
        input is NaN.
    """
    if math.isnan(estimate) or math.isnan(standard_error):
        return math.nan, math.nan
    if standard_error <= 0:
        return estimate, estimate
    z = estimate / standard_error
    if z > CENTRAL_FROM:
        half = _NORMAL.inv_cdf((1 + level) / 2) * standard_error
        return estimate - half, estimate + half
    sizes, lows, highs = _acceptance_regions(round(level, _LEVEL_DIGITS))
    accepting = sizes[(lows <= z + 1e-12) & (z - 1e-12 <= highs)]
    return float(accepting.min()) * standard_error, float(accepting.max()) * standard_error
