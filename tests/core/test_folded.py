"""The unified interval of a size of difference (:mod:`pluralbench._folded`), against its definition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pluralbench._folded import CENTRAL_FROM, folded_interval


@pytest.mark.parametrize("size", [0.0, 0.5, 1.33, 3.0, 6.0])
def test_the_interval_covers_the_true_size_95_percent_of_the_time_at_every_size(size: float) -> None:
    """4,000 estimates ``|N(size, 1)|``: the coverage's standard error is 0.0034, so +-0.012 is 3.5 of them.

    The central interval of the estimate, clipped at 0, would cover a size of 1.33 in 97.5% of runs
    (it can only miss above).
    """
    estimates = np.abs(np.random.default_rng(7).normal(size, 1.0, 4000))
    covered = [low <= size <= high for low, high in (folded_interval(float(z), 1.0, 0.95) for z in estimates)]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.012)


def test_near_zero_the_interval_starts_at_zero_and_is_one_sided() -> None:
    low, high = folded_interval(0.0, 1.0, 0.95)
    assert low == 0.0
    assert high == pytest.approx(
        1.645, abs=0.01
    )  # one-sided 95% bound: a size above it shows so small an estimate < 5%


def test_far_from_zero_it_is_the_central_interval_and_joins_it_without_a_jump() -> None:
    assert folded_interval(10.0, 0.1, 0.95) == pytest.approx((10.0 - 0.196, 10.0 + 0.196), abs=1e-3)
    below, above = folded_interval(CENTRAL_FROM - 0.01, 1.0, 0.95), folded_interval(CENTRAL_FROM + 0.01, 1.0, 0.95)
    assert below == pytest.approx(above, abs=0.03)


def test_the_bounds_grow_with_the_estimate_and_scale_with_the_standard_error() -> None:
    bounds = [folded_interval(z, 1.0, 0.95) for z in np.arange(0.0, 8.0, 0.25)]
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(bounds, bounds[1:], strict=False))
    assert folded_interval(0.3, 0.1, 0.95) == pytest.approx(tuple(0.1 * b for b in folded_interval(3.0, 1.0, 0.95)))


def test_a_wider_level_gives_a_wider_interval() -> None:
    narrow, wide = folded_interval(2.0, 1.0, 0.9), folded_interval(2.0, 1.0, 0.99)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


def test_no_standard_error_gives_the_estimate_and_nan_gives_nan() -> None:
    assert folded_interval(0.4, 0.0, 0.95) == (0.4, 0.4)
    assert all(math.isnan(bound) for bound in folded_interval(math.nan, 1.0, 0.95))
    assert all(math.isnan(bound) for bound in folded_interval(0.4, math.nan, 0.95))
