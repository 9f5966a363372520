"""Rating methods: rate responses per target attribute, then choose the response nearest the target.

``comparative_regression`` rates all responses side by side in one call per attribute (the
method of Adams et al. 2025); ``regression`` rates each response alone (their ablation). Both
are one solver, :func:`rating_solver`, that differs only in what one call shows. ``samples``
calls per value, each with its own seeded response order, are averaged; the predicted value is
the mean score / 100, and the response nearest the target by Euclidean distance over the
target's attributes is chosen (ties broken at random).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from pydantic import BaseModel

from pluralbench._structured import StructuredMode
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.geometry import choose_nearest, label_value
from pluralbench.alignment.prompts import (
    COMPARATIVE_QUERY,
    COMPARATIVE_SYSTEM,
    EXAMPLE_REASON,
    REGRESSION_QUERY,
    REGRESSION_SYSTEM,
)
from pluralbench.alignment.types import AlignmentItem, Selection

from ._shared import (
    Rating,
    SampleContext,
    ask_structured,
    comparative_reply_model,
    describe,
    example_items,
    fenced_blocks,
    finish,
    level_word,
    sample_context,
    shuffled,
)


@dataclass(frozen=True)
class _Shown:
    """What one rating call shows of an item: its prompt and responses in display order.

    ``order`` maps display position to original response index; ``labels`` are the annotations
    of a few-shot example (``None`` for the sample being rated).
    """

    prompt: str
    responses: Sequence[str]
    order: list[int]
    labels: Sequence[Mapping[str, float]] | None = None
    reasonings: Sequence[Mapping[str, str]] | None = None
    """The example's own explanations per response and attribute, when its source has them."""


def _example(item: AlignmentItem, order: list[int]) -> _Shown:
    return _Shown(item.prompt, item.responses, order, item.labels, item.reasonings)


@dataclass(frozen=True)
class _Rating:
    """Result of one rating call: values per original response index, or why there are none."""

    values: dict[int, float] | None
    failure: str | None = None
    context_overflow: bool = False


def _example_reply(shown: _Shown, attribute: str, comparative: bool) -> str:
    ratings = []
    for index in shown.order:
        value = label_value((shown.labels or [])[index], attribute)
        written = shown.reasonings[index].get(attribute) if shown.reasonings else None
        reason = written or EXAMPLE_REASON.format(attribute=attribute, level=level_word(value))
        ratings.append({"reason": reason, "score": round(value * 100)})
    if comparative:
        return json.dumps({f"response_{number}": rating for number, rating in enumerate(ratings, start=1)})
    return json.dumps(ratings[0])


def _query(shown: _Shown, attribute: str, nonce: str, comparative: bool) -> ChatMessageUser:
    blocks = fenced_blocks(shown.prompt, [shown.responses[index] for index in shown.order], nonce)
    template = COMPARATIVE_QUERY if comparative else REGRESSION_QUERY
    return ChatMessageUser(content=template.format(attribute=attribute, count=len(shown.order), **blocks))


async def _rating_call(
    model: Model,
    context: SampleContext,
    attribute: str,
    examples: Sequence[_Shown],
    sample: _Shown,
    comparative: bool,
) -> _Rating:
    system = (COMPARATIVE_SYSTEM if comparative else REGRESSION_SYSTEM).format(
        attribute=attribute, description=describe(attribute), nonce=context.nonce
    )
    messages: list[ChatMessage] = [ChatMessageSystem(content=system)]
    for example in examples:
        messages.append(_query(example, attribute, context.nonce, comparative))
        messages.append(ChatMessageAssistant(content=_example_reply(example, attribute, comparative)))
    messages.append(_query(sample, attribute, context.nonce, comparative))
    schema: type[BaseModel] = comparative_reply_model(len(sample.order)) if comparative else Rating
    kind = "ratings" if comparative else "rating"
    result = await ask_structured(model, messages, schema, kind, context.structured)
    reply = result.reply
    if reply is None:
        where = attribute if comparative else f"{attribute}, response {sample.order[0] + 1}"
        return _Rating(None, f"{where}: unparseable {kind}: {result.failure}", result.context_overflow)
    ratings: list[Rating] = (
        [getattr(reply, f"response_{number}") for number in range(1, len(sample.order) + 1)]
        if comparative
        else [Rating.model_validate(reply.model_dump())]
    )
    return _Rating({index: rating.score / 100 for index, rating in zip(sample.order, ratings, strict=True)})


def _predict(
    attributes: Sequence[str], count: int, ratings: dict[str, list[_Rating]]
) -> tuple[list[dict[str, float]] | None, list[str]]:
    """Average the ratings per response and attribute; ``None`` when some value has no rating."""
    failures = [rating.failure for name in attributes for rating in ratings[name] if rating.failure]
    predicted: list[dict[str, float]] = [{} for _ in range(count)]
    for name in attributes:
        for index in range(count):
            values = [rating.values[index] for rating in ratings[name] if rating.values and index in rating.values]
            if not values:
                failures.append(f"{name}: no usable rating for response {index + 1}")
                return None, failures
            predicted[index][name] = mean(values)
    return predicted, failures


def _plans(
    context: SampleContext, pool: ExamplePool, samples: int, comparative: bool
) -> list[tuple[str, list[_Shown], _Shown]]:
    """Return every rating call of a sample: (attribute, examples shown, sample responses shown)."""
    meta = context.meta
    plans: list[tuple[str, list[_Shown], _Shown]] = []
    for attribute in meta.target:
        chosen = [
            (item, example) for item, example in example_items(pool, meta.examples) if example.attribute == attribute
        ]
        if comparative:
            examples = [_example(item, shuffled(len(item.responses), context.rng)) for item, _ in chosen]
            for _ in range(samples):
                plans.append(
                    (
                        attribute,
                        examples,
                        _Shown(meta.prompt, meta.responses, shuffled(len(meta.responses), context.rng)),
                    )
                )
        else:
            examples = [_example(item, [example.response or 0]) for item, example in chosen]
            for index in range(len(meta.responses)):
                plans.extend(
                    (attribute, examples, _Shown(meta.prompt, meta.responses, [index])) for _ in range(samples)
                )
    return plans


@solver
def rating_solver(
    pool: ExamplePool, comparative: bool = True, samples: int = 1, seed: int = 0, structured: StructuredMode = "auto"
) -> Solver:
    """Rate responses per target attribute (side by side or one at a time), then choose the nearest.

    Args:
        pool: The train items the sample's few-shot examples (chosen when the dataset was built) come from.
        comparative: Rate all responses in one call per attribute (``comparative_regression``),
            or each response alone (``regression``).
        samples: Rating calls per value, averaged (each comparative call with its own response order).
        seed: Seed of the response orders and tie-breaking.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The solver.
    """
    method = "comparative_regression" if comparative else "regression"

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, method, seed, structured)
        meta = context.meta
        model = get_model()
        plans = _plans(context, pool, samples, comparative)
        results = await asyncio.gather(
            *(
                _rating_call(model, context, attribute, examples, shown, comparative)
                for attribute, examples, shown in plans
            )
        )
        ratings: dict[str, list[_Rating]] = {attribute: [] for attribute in meta.target}
        for (attribute, _, _), rating in zip(plans, results, strict=True):
            ratings[attribute].append(rating)
        predicted, failures = _predict(list(meta.target), len(meta.responses), ratings)
        choice = choose_nearest(predicted, meta.target, context.rng) if predicted is not None else None
        # A context overflow makes the sample unscored only when it left a value without a rating.
        overflow = predicted is None and any(rating.context_overflow for rating in results)
        selection = Selection(
            method=method, choice=choice, predicted=predicted, failures=failures, context_overflow=overflow
        )
        return finish(state, selection, model)

    return solve
