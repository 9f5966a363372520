"""The Beta distribution's CDF and quantiles, for Jeffreys intervals (no SciPy in the dependencies).

The regularized incomplete beta function ``I_x(a, b)`` is evaluated with its continued fraction
(Abramowitz and Stegun 26.5.8), summed by the modified Lentz method, on the side of the mean where
it converges fast (``I_x(a, b) = 1 - I_{1-x}(b, a)`` otherwise). Quantiles invert it by bisection,
which is slow but cannot fail: the CDF is monotone on [0, 1].
"""

from __future__ import annotations

import math

_TINY = 1e-300
_EPSILON = 1e-14
_MAX_TERMS = 500
_BISECTIONS = 60


def _continued_fraction(x: float, a: float, b: float) -> float:
    """Return the continued fraction of ``I_x(a, b)`` (A&S 26.5.8), converged to ``_EPSILON``."""
    total = a + b
    c = 1.0
    d = 1.0 - total * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    fraction = d
    for m in range(1, _MAX_TERMS + 1):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (total + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            step = c * d
            fraction *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return fraction


def beta_cdf(x: float, a: float, b: float) -> float:
    """Return ``P(X <= x)`` for ``X ~ Beta(a, b)``.

    Args:
        x: The point.
        a: First shape parameter (> 0).
        b: Second shape parameter (> 0).

    Returns:
        The probability.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = a * math.log(x) + b * math.log1p(-x) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(1.0 - x, b, a) / b


def beta_quantile(probability: float, a: float, b: float) -> float:
    """Return the ``probability`` quantile of ``Beta(a, b)``.

    Args:
        probability: In [0, 1].
        a: First shape parameter (> 0).
        b: Second shape parameter (> 0).

    Returns:
        The ``x`` with ``beta_cdf(x, a, b) = probability`` (to about 1e-15).
    """
    low, high = 0.0, 1.0
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if beta_cdf(middle, a, b) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2
