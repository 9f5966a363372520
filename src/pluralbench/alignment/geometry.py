"""Distances between responses and an alignment target, shared by solvers and scorers.

A target maps some attributes to values in [0, 1]. A response's distance to the target is
the Euclidean distance over the target's attributes only; an attribute missing from a
response's labels counts as the neutral value 0.5.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

MISSING_VALUE = 0.5
"""Value assumed for an attribute a response carries no label for."""

TIE_TOLERANCE = 1e-9
"""Distances closer than this are equal (labels are multiples of 0.25 or small fractions)."""

LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The five attribute levels of HelpSteer2 (0-4 rescaled) and of the bundled dataset."""


def label_value(labels: Mapping[str, float], attribute: str) -> float:
    """Return a response's value for an attribute, or :data:`MISSING_VALUE` when unlabeled.

    Args:
        labels: The response's attribute values.
        attribute: Attribute name.

    Returns:
        The value in [0, 1].
    """
    return labels.get(attribute, MISSING_VALUE)


def level_of(value: float) -> float:
    """Return the nearest of the five :data:`LEVELS` to a value.

    Args:
        value: A value in [0, 1].

    Returns:
        The value rounded to the nearest quarter.
    """
    return round(value * 4) / 4


def distance(labels: Mapping[str, float], target: Mapping[str, float]) -> float:
    """Return the Euclidean distance of one response's values to the target.

    Args:
        labels: The response's attribute values (true labels or predictions).
        target: Attribute -> target value.

    Returns:
        The distance over the target's attributes.
    """
    return math.sqrt(sum((label_value(labels, name) - value) ** 2 for name, value in target.items()))


def max_distance(target: Mapping[str, float]) -> float:
    """Return the largest distance any point of the unit cube can have from the target.

    Args:
        target: Attribute -> target value.

    Returns:
        ``sqrt(sum(max(t, 1 - t)^2))``; at least ``sqrt(k) / 2`` for ``k`` attributes.
    """
    return math.sqrt(sum(max(value, 1.0 - value) ** 2 for value in target.values()))


def nearest(labels: Sequence[Mapping[str, float]], target: Mapping[str, float]) -> list[int]:
    """Return the indices of every response at the smallest distance (ties included).

    Args:
        labels: Values of each response.
        target: Attribute -> target value.

    Returns:
        Indices in ascending order.
    """
    distances = [distance(values, target) for values in labels]
    best = min(distances)
    return [index for index, value in enumerate(distances) if value - best <= TIE_TOLERANCE]


def all_tied(labels: Sequence[Mapping[str, float]], target: Mapping[str, float]) -> bool:
    """Return whether every response is equally near the target (the item cannot discriminate).

    Args:
        labels: True labels of each response.
        target: Attribute -> target value.

    Returns:
        True when all responses are nearest.
    """
    return len(nearest(labels, target)) == len(labels)


def choose_nearest(values: Sequence[Mapping[str, float]], target: Mapping[str, float], rng: random.Random) -> int:
    """Return the response nearest the target, breaking ties at random.

    Random tie-breaking keeps the choice free of any preference for a position.

    Args:
        values: Values of each response (predicted or true).
        target: Attribute -> target value.
        rng: Seeded random generator used only for ties.

    Returns:
        The chosen response index.
    """
    candidates = nearest(values, target)
    return candidates[0] if len(candidates) == 1 else rng.choice(candidates)


def random_target(attributes: Sequence[str], rng: random.Random, size: int | None = None) -> dict[str, float]:
    """Draw a target over some of the attributes, each set to one of the five levels.

    Args:
        attributes: The dataset's attributes, in display order.
        rng: Seeded random generator.
        size: Number of attributes; drawn uniformly from 1..n when ``None``.

    Returns:
        Attribute -> level, in the attributes' display order.
    """
    if size is None:
        size = rng.randint(1, len(attributes))
    chosen = set(rng.sample(list(attributes), size))
    return {name: rng.choice(LEVELS) for name in attributes if name in chosen}
