"""Scoring a preference choice, and the metrics of the ``persona_preference`` task.

Each sample's score is ``{"correct": 0 or 1, "format_failure": 0 or 1}``. A sample whose reply
held no readable choice (after one repair request) is a format failure and counts as wrong, so
``accuracy`` is over every sample, never a shrunken denominator. Chance accuracy is 0.5.

``order_consistency`` is computed over pairs: a pair is consistent when both of its orders were
evaluated and the model picked the same answer in both (a format failure in either order makes it
inconsistent); pairs with only one order evaluated (``--limit``) are left out and not counted in
``order_consistency_n``; its interval is over pairs. A sample whose prompt did not fit the
model's context window is unscored (reason ``context_overflow``, counted by inspect as unscored),
so its pair has one order evaluated. ``format_failure_rate`` is the suite's
share of format failures (:func:`pluralbench._metrics.format_failure_rate`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from pluralbench._metrics import (
    CONTEXT_OVERFLOW,
    FORMAT_FAILURE,
    format_failure_rate,
    grouped_mean_ci,
    mean_ci,
    mean_with_interval,
)

from .types import ORDERS, PreferenceSampleMeta

CORRECT = "correct"
ATTRIBUTE_METRIC = "attribute:{group}"
"""Accuracy of the pairs separated by one attribute; the prefix keeps these names apart from the others."""


def consistency_values(orders: Iterable[tuple[str, str, float, float]]) -> list[float]:
    """Return 1 or 0 for every pair whose two orders were both scored: same answer picked in both, or not.

    Args:
        orders: ``(pair_id, order, correct, format_failure)`` of each scored sample.

    Returns:
        One value per complete pair, in the order pairs first appear; a format failure in either
        order makes the pair inconsistent.
    """
    by_pair: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for pair_id, order, correct, failure in orders:
        by_pair[pair_id][order] = (correct, failure)
    values = []
    for by_order in by_pair.values():
        if all(order in by_order for order in ORDERS):
            (first, first_failure), (second, second_failure) = (by_order[order] for order in ORDERS)
            readable = first_failure == 0 and second_failure == 0
            values.append(1.0 if readable and first == second else 0.0)
    return values


def pair_consistency(scores: list[SampleScore]) -> list[float]:
    """Return the consistency of every complete pair among sample scores (see :func:`consistency_values`).

    Args:
        scores: Sample scores with the sample metadata.

    Returns:
        One value per pair with both orders scored.
    """
    orders = []
    for item in scores:
        metadata = item.sample_metadata or {}
        value = item.score.value
        if isinstance(value, dict):
            orders.append(
                (str(metadata["pair_id"]), str(metadata["order"]), float(value[CORRECT]), float(value[FORMAT_FAILURE]))
            )
    return consistency_values(orders)


@metric
def order_consistency(seed: int = 0) -> Metric:
    """Share of pairs on which the model picked the same answer in both orders, with its interval.

    Args:
        seed: Seed of the interval (the task's ``seed``).

    Returns:
        A metric reporting ``order_consistency``, ``_ci_low``, ``_ci_high`` and ``_n`` (complete pairs).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return mean_with_interval("order_consistency", pair_consistency(scores), seed)

    return compute


def preference_metrics(seed: int = 0) -> list[Metric | dict[str, list[Metric]]]:
    """Return the metrics of :func:`preference_accuracy`, intervals seeded with the task's ``seed``.

    Args:
        seed: The task's seed.

    Returns:
        ``accuracy`` (with interval and n), ``format_failure_rate``, ``order_consistency`` (over
        pairs) and ``attribute:<group>`` accuracy for every separating attribute.
    """
    return [
        mean_ci(CORRECT, name="accuracy", seed=seed),
        format_failure_rate(FORMAT_FAILURE),
        order_consistency(seed),
        grouped_mean_ci("attribute_group", key=CORRECT, name_template=ATTRIBUTE_METRIC, seed=seed),
    ]


@scorer(metrics=preference_metrics())
def preference_accuracy() -> Scorer:
    """Score 1 when the model picked the answer the person prefers; a format failure scores 0.

    The task seeds the metrics with its ``seed`` (:func:`pluralbench._metrics.with_metrics`).

    Returns:
        The scorer (model-free: it reads the choice the solver stored in the metadata).
    """

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(PreferenceSampleMeta)
        if meta.context_overflow:
            return Score.unscored(reason=CONTEXT_OVERFLOW, explanation=meta.reply_problem)
        if meta.choice is None:
            return Score(
                value={CORRECT: 0.0, FORMAT_FAILURE: 1.0},
                answer=None,
                explanation=meta.reply_problem,
                metadata={"picked": None, "format_failure": True},
            )
        picked = "chosen" if meta.choice == meta.chosen_position else "rejected"
        return Score(
            value={CORRECT: 1.0 if picked == "chosen" else 0.0, FORMAT_FAILURE: 0.0},
            answer=str(meta.choice),
            explanation=meta.reason,
            metadata={"picked": picked, "format_failure": False},
        )

    return score
