"""Agreement statistics over a table of labels (units x raters), with seeded bootstrap intervals.

- Percent agreement: for two raters the share of units both label alike; for more, the mean over
  units of the share of rater pairs that agree (Fleiss' observed agreement, equal to the former for two).
- Cohen's kappa (two raters): ``(p_o - p_e) / (1 - p_e)``, with ``p_e`` from each rater's own label
  shares (Cohen 1960). Fleiss' kappa (two or more raters): the same with ``p_e`` from the pooled
  label shares (Fleiss 1971). Kappa is NaN when ``p_e`` is 1 (every rater gives one label only):
  agreement beyond chance is then undefined, not perfect.
- Intervals: percentile bootstrap over units, each resample a multinomial count of how often each
  unit is drawn, from ``numpy.random.default_rng(seed)``; percentile bounds as
  :func:`pluralbench._bootstrap.percentile_interval` computes them (resamples where kappa is
  undefined are skipped). Resamples are drawn in blocks, so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pluralbench._bootstrap import BLOCK_ELEMENTS, DEFAULT_RESAMPLES, percentile_interval

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LabelTable:
    """Labels of the units every rater labelled, coded as integers.

    Attributes:
        codes: ``units x raters`` label codes, indices into ``labels``.
        labels: The label names, in code order.
    """

    codes: NDArray[np.int64]
    labels: tuple[str, ...]

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[str]], labels: Sequence[str] = ()) -> LabelTable:
        """Code a table of label names.

        Args:
            rows: One row per unit, one label per rater (every row the same length).
            labels: Labels that exist even if no rater gave them (they appear in the confusion counts).

        Returns:
            The coded table; labels sorted by name.
        """
        labels = tuple(sorted({*labels, *(label for row in rows for label in row)}))
        index = {label: code for code, label in enumerate(labels)}
        codes = np.array([[index[label] for label in row] for row in rows], dtype=np.int64)
        return cls(codes.reshape(len(rows), -1 if rows else 0), labels)

    @property
    def units(self) -> int:
        """Number of units."""
        return int(self.codes.shape[0])

    def onehot(self, rater: int) -> FloatArray:
        """Return ``units x labels`` indicators of one rater's labels.

        Args:
            rater: Column of the rater.

        Returns:
            The indicators.
        """
        return np.eye(len(self.labels), dtype=np.float64)[self.codes[:, rater]]

    def category_counts(self) -> FloatArray:
        """Return ``units x labels`` counts of raters giving each label to each unit."""
        stacked = np.stack([self.onehot(rater) for rater in range(self.codes.shape[1])])
        return np.asarray(stacked.sum(axis=0), dtype=np.float64)


def _kappa(observed: FloatArray, expected: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (observed - expected) / (1.0 - expected)
    return np.where(np.isclose(expected, 1.0), np.nan, kappa)


def _cohen_parts(table: LabelTable) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-unit agreement indicator and each rater's label indicators (two raters)."""
    agree = (table.codes[:, 0] == table.codes[:, 1]).astype(np.float64)
    return agree, table.onehot(0), table.onehot(1)


def _fleiss_parts(table: LabelTable) -> tuple[FloatArray, FloatArray]:
    """Per-unit observed agreement and per-unit label shares (any number of raters)."""
    raters = table.codes.shape[1]
    counts = table.category_counts()
    per_unit = (np.sum(counts * counts, axis=1) - raters) / (raters * (raters - 1))
    return per_unit, counts / raters


def weighted_statistics(table: LabelTable, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return agreement and kappa for each row of unit weights (a resample's draw counts).

    Args:
        table: The labels.
        weights: ``resamples x units`` counts (rows sum to the number of units); ones for the data itself.

    Returns:
        ``(agreement, kappa)`` per row; Cohen's kappa for two raters, Fleiss' for more.
    """
    total = weights.sum(axis=1)
    if table.codes.shape[1] == 2:
        agree, first, second = _cohen_parts(table)
        observed = weights @ agree / total
        expected = np.sum((weights @ first) * (weights @ second), axis=1) / (total * total)
        return observed, _kappa(observed, expected)
    per_unit, shares = _fleiss_parts(table)
    observed = weights @ per_unit / total
    pooled = weights @ shares / total[:, None]
    return observed, _kappa(observed, np.sum(pooled * pooled, axis=1))


@dataclass(frozen=True)
class Agreement:
    """Agreement of two or more raters over the same units.

    Attributes:
        units: Units compared.
        raters: Raters compared.
        agreement: Percent agreement (as a share) and its 95% interval.
        kappa: Cohen's (two raters) or Fleiss' (more) kappa and its 95% interval; NaN when undefined.
        confusion: For two raters, ``(label of the first, label of the second) -> units``; empty for more.
    """

    units: int
    raters: int
    agreement: tuple[float, float, float]
    kappa: tuple[float, float, float]
    confusion: dict[tuple[str, str], int]

    @property
    def method(self) -> str:
        """``cohen`` for two raters, ``fleiss`` for more."""
        return "cohen" if self.raters == 2 else "fleiss"


def agreement(table: LabelTable, *, seed: int = 0, resamples: int = DEFAULT_RESAMPLES) -> Agreement:
    """Compute agreement, kappa and their seeded bootstrap intervals.

    Args:
        table: Labels of at least one unit by at least two raters.
        seed: Seed of the bootstrap.
        resamples: Bootstrap resamples.

    Returns:
        The agreement.

    Raises:
        ValueError: With fewer than two raters or no unit.
    """
    units, raters = table.codes.shape
    if raters < 2 or units == 0:
        raise ValueError(f"agreement needs at least one unit and two raters, not {units} units and {raters} raters")
    observed, kappa = weighted_statistics(table, np.ones((1, units)))
    rows = max(1, BLOCK_ELEMENTS // units)

    def draw(rng: np.random.Generator, count: int) -> NDArray[np.float64]:
        parts = []
        for start in range(0, count, rows):
            weights = rng.multinomial(units, np.full(units, 1.0 / units), size=min(rows, count - start))
            parts.append(np.stack(weighted_statistics(table, weights.astype(np.float64))))
        return np.concatenate(parts, axis=1)

    resampled = draw(np.random.default_rng(seed), resamples)
    agreement_interval, kappa_interval = percentile_interval(resampled[0]), percentile_interval(resampled[1])
    confusion: dict[tuple[str, str], int] = {}
    if raters == 2:
        for first in range(len(table.labels)):
            for second in range(len(table.labels)):
                cell = int(np.sum((table.codes[:, 0] == first) & (table.codes[:, 1] == second)))
                confusion[(table.labels[first], table.labels[second])] = cell
    return Agreement(
        units=units,
        raters=raters,
        agreement=(float(observed[0]), *agreement_interval),
        kappa=(float(kappa[0]), *kappa_interval),
        confusion=confusion,
    )
