"""Lining raters up unit by unit, accounting for every unit, and computing their agreement.

For a set of raters, every unit any of them has is counted exactly once, as one of:

- ``compared``: labelled by every rater, and every log rater judged the same material;
- ``absent``: missing from at least one rater (a sample one log has and another lacks, or a
  unit the human raters did not label);
- ``unscored``: present everywhere but unscored by at least one rater (its verdict was unreadable,
  there was no answer to judge, or the sample errored);
- ``material_differs``: labelled by all, but the logs' raters judged different answers (a rerun
  that wrote new answers), so their verdicts are not about the same thing.

Agreement is computed over the compared units only, and the other counts are reported beside it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pluralbench._errors import InputError

from .labels import FIELD_LABELS, Rater
from .stats import Agreement, LabelTable, agreement


@dataclass(frozen=True)
class Coverage:
    """What happened to every unit of a set of raters (see the module docstring).

    Attributes:
        compared: Keys of the compared units, in sorted order.
        absent: Units missing from at least one rater.
        unscored: Units present everywhere and unscored by at least one rater.
        material_differs: Units labelled by all whose judged material differs between logs.
        reasons: Why units were unscored, ``"<rater>: <reason>" -> units``.
    """

    compared: tuple[str, ...]
    absent: int
    unscored: int
    material_differs: int
    reasons: dict[str, int]

    @property
    def total(self) -> int:
        """Every unit of any of the raters."""
        return len(self.compared) + self.absent + self.unscored + self.material_differs

    @property
    def left_out(self) -> int:
        """Units not compared."""
        return self.total - len(self.compared)


def coverage(raters: Sequence[Rater]) -> Coverage:
    """Account for every unit of the raters.

    Args:
        raters: The raters.

    Returns:
        The coverage.
    """
    keys = sorted({key for rater in raters for key in rater.units})
    compared: list[str] = []
    absent = unscored = differs = 0
    reasons: Counter[str] = Counter()
    for key in keys:
        labels = [rater.units.get(key) for rater in raters]
        if any(label is None for label in labels):
            absent += 1
            continue
        missing = [(rater, label) for rater, label in zip(raters, labels, strict=True) if label and label.label is None]
        if missing:
            unscored += 1
            reasons.update(f"{rater.name}: {label.reason}" for rater, label in missing)
            continue
        materials = {label.material for label in labels if label and label.material is not None}
        if len(materials) > 1:
            differs += 1
            continue
        compared.append(key)
    return Coverage(tuple(compared), absent, unscored, differs, dict(reasons.most_common()))


@dataclass(frozen=True)
class Comparison:
    """Agreement of one set of raters.

    Attributes:
        raters: The raters' names.
        coverage: What happened to each of their units.
        result: The agreement over the compared units; ``None`` when no unit could be compared.
    """

    raters: tuple[str, ...]
    coverage: Coverage
    result: Agreement | None

    @property
    def name(self) -> str:
        """``A vs B``, or ``all k raters``."""
        return " vs ".join(self.raters) if len(self.raters) == 2 else f"all {len(self.raters)} raters"


def compare(raters: Sequence[Rater], seed: int = 0) -> Comparison:
    """Compare a set of raters over the units they all labelled.

    Args:
        raters: Two or more raters.
        seed: Seed of the bootstrap.

    Returns:
        The comparison.
    """
    cover = coverage(raters)
    rows = [[str(rater.units[key].label) for rater in raters] for key in cover.compared]
    labels = FIELD_LABELS[raters[0].label_field]
    result = agreement(LabelTable.from_rows(rows, labels), seed=seed) if rows else None
    return Comparison(tuple(rater.name for rater in raters), cover, result)


def distinct_names(raters: Sequence[Rater]) -> None:
    """Make rater names unique, adding the source file to names that repeat.

    Args:
        raters: The raters (renamed in place).
    """
    counts = Counter(rater.name for rater in raters)
    for rater in raters:
        if counts[rater.name] > 1:
            rater.name = f"{rater.name} [{rater.source.rsplit('/', 1)[-1]}]"
    counts = Counter(rater.name for rater in raters)
    for number, rater in enumerate(raters, start=1):
        if counts[rater.name] > 1:
            rater.name = f"{rater.name} #{number}"


def check_compatible(raters: Sequence[Rater]) -> None:
    """Check that the raters can be compared: at least two, one label field, logs of one task.

    Args:
        raters: The raters.

    Raises:
        InputError: Naming the source that does not fit.
    """
    if len(raters) < 2:
        raise InputError(f"agreement needs at least two raters (logs or human raters), got {len(raters)}")
    first = raters[0]
    for rater in raters[1:]:
        if rater.label_field != first.label_field:
            raise InputError(
                f"{rater.source}: labels '{rater.label_field}', but {first.source} labels '{first.label_field}'; compare like with like"
            )
        if rater.task and first.task and rater.task != first.task:
            raise InputError(f"{rater.source}: a log of task {rater.task}, but {first.source} is of task {first.task}")


def comparisons(raters: Sequence[Rater], seed: int = 0) -> list[Comparison]:
    """Compare every pair of raters (Cohen's kappa) and, with more than two, all of them (Fleiss' kappa).

    Args:
        raters: Two or more compatible raters with distinct names.
        seed: Seed of the bootstraps.

    Returns:
        The pairs in rater order, then the all-raters comparison when there are more than two.
    """
    result = [compare(pair, seed) for pair in itertools.combinations(raters, 2)]
    if len(raters) > 2:
        result.append(compare(raters, seed))
    return result
