"""The Beta CDF and quantiles behind the suite's Jeffreys intervals, against closed forms."""

from __future__ import annotations

import pytest

from pluralbench._beta import beta_cdf, beta_quantile


@pytest.mark.parametrize("x", [0.001, 0.1, 0.37, 0.5, 0.8, 0.999])
def test_cdf_matches_the_closed_forms(x: float) -> None:
    assert beta_cdf(x, 1.0, 1.0) == pytest.approx(x, abs=1e-12)  # uniform
    assert beta_cdf(x, 2.0, 2.0) == pytest.approx(3 * x**2 - 2 * x**3, abs=1e-12)
    assert beta_cdf(x, 3.5, 1.0) == pytest.approx(x**3.5, abs=1e-12)
    assert beta_cdf(x, 1.0, 4.2) == pytest.approx(1 - (1 - x) ** 4.2, abs=1e-12)


@pytest.mark.parametrize("probability", [0.025, 0.5, 0.975])
def test_quantile_inverts_the_closed_forms(probability: float) -> None:
    assert beta_quantile(probability, 3.5, 1.0) == pytest.approx(probability ** (1 / 3.5), abs=1e-12)
    assert beta_quantile(probability, 1.0, 4.2) == pytest.approx(1 - (1 - probability) ** (1 / 4.2), abs=1e-12)


def test_quantile_is_symmetric_and_inverts_the_cdf_for_jeffreys_shapes() -> None:
    # Jeffreys shapes: x + 1/2 and n - x + 1/2, including the skewed ends.
    for a, b in ((0.5, 20.5), (14.5625, 14.5625), (7.3, 21.9), (200.5, 3.5)):
        for probability in (0.025, 0.975):
            x = beta_quantile(probability, a, b)
            assert beta_cdf(x, a, b) == pytest.approx(probability, abs=1e-12)
            assert beta_quantile(1 - probability, b, a) == pytest.approx(1 - x, abs=1e-12)
    assert beta_quantile(0.5, 14.5625, 14.5625) == pytest.approx(0.5, abs=1e-12)


def test_cdf_is_0_and_1_outside_the_unit_interval() -> None:
    assert beta_cdf(0.0, 2.0, 3.0) == 0.0 and beta_cdf(-1.0, 2.0, 3.0) == 0.0
    assert beta_cdf(1.0, 2.0, 3.0) == 1.0 and beta_cdf(1.5, 2.0, 3.0) == 1.0
