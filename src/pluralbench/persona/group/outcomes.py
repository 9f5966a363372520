"""What a group's member scores add up to: satisfaction, the worst-off member, whether all are served.

Pure functions over member scores (1 = the critic finds the answer needs no revision for that
member, 0 = it does, NaN = the critic's verdict could not be read). A group with an unreadable
verdict has no group outcome (NaN, counted as a judge failure by the scorer): its missing member
might be the worst-off one, so leaving them out would flatter the answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SATISFACTION = "satisfaction"
WORST_OFF = "worst_off"
ALL_SERVED = "all_served"
OUTCOME_KEYS: tuple[str, ...] = (SATISFACTION, WORST_OFF, ALL_SERVED)
INDIVIDUAL_PREFIX = "individual_"
PRICE = "price"
PRICE_WORST_OFF = "price_worst_off"
FORMAT_FAILURE = "format_failure"
INDIVIDUAL_FORMAT_FAILURE = "individual_format_failure"
JUDGE_FAILURES = "judge_failures"
CONTEXT_OVERFLOWS = "context_overflows"
SELF_GRADED = "self_graded"


def group_outcome(member_scores: Sequence[float]) -> dict[str, float]:
    """Return a group's mean member satisfaction, worst-off member and whether everyone is served.

    Args:
        member_scores: One score in [0, 1] per member (NaN when unjudged).

    Returns:
        ``satisfaction`` (mean), ``worst_off`` (minimum) and ``all_served`` (1.0 when every member
        scores 1, else 0.0); all NaN when any member is unjudged. With the critic's 0/1 verdicts,
        ``worst_off`` and ``all_served`` coincide; they differ for graded member scores.
    """
    if not member_scores or any(math.isnan(score) for score in member_scores):
        return dict.fromkeys(OUTCOME_KEYS, math.nan)
    return {
        SATISFACTION: sum(member_scores) / len(member_scores),
        WORST_OFF: min(member_scores),
        ALL_SERVED: 1.0 if all(score >= 1.0 for score in member_scores) else 0.0,
    }


def price_of_group(group: dict[str, float], individual: dict[str, float]) -> dict[str, float]:
    """Return the price of serving a group with one answer: individual minus group, per group.

    Args:
        group: The group answer's outcome (see :func:`group_outcome`).
        individual: The outcome of the members' individual answers.

    Returns:
        ``price`` (difference of mean satisfaction) and ``price_worst_off`` (difference of the
        worst-off member's score); NaN when either side is NaN.
    """
    return {
        PRICE: individual[SATISFACTION] - group[SATISFACTION],
        PRICE_WORST_OFF: individual[WORST_OFF] - group[WORST_OFF],
    }


def individual_keys(outcome: dict[str, float]) -> dict[str, float]:
    """Return an outcome with each key prefixed ``individual_``.

    Args:
        outcome: An outcome (see :func:`group_outcome`).

    Returns:
        The same numbers under ``individual_satisfaction``, ``individual_worst_off``, ``individual_all_served``.
    """
    return {f"{INDIVIDUAL_PREFIX}{key}": value for key, value in outcome.items()}
