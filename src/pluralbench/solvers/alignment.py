"""Response selection for the alignment-target task: the methods of Adams et al. 2025 and baselines.

Every method writes a :class:`Selection` to ``state.metadata["selection"]``: the chosen response
(an index into the sample's responses, ``None`` when the model's replies could not be used),
the predicted attribute values when the method predicts them, and the reasons replies failed.

- ``unaligned``: the model picks the best response; the target is not shown.
- ``prompt_aligned``: the model picks the response closest to the target, described in words,
  optionally after few-shot examples answered from the annotations.
- ``comparative_regression``: per target attribute, one call rates all responses side by side
  (0-100, with reasons), after few-shot examples with similar prompts that cover the attribute's
  levels. ``samples`` calls per attribute, each with its own seeded shuffle of the responses, are
  averaged; the predicted value is the mean score / 100 and the response nearest the target by
  Euclidean distance over the target's attributes is chosen (ties broken at random).
- ``regression``: as above, but each response is rated alone (the ablation).
- ``random`` and ``oracle``: model-free baselines (a seeded random pick; a nearest response by
  the true labels).

Responses are shown in a seeded random order and replies are mapped back, so a model's
preference for a position cannot become a preference for an original response.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ResponseSchema,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import json_schema
from pydantic import BaseModel, ConfigDict, Field, create_model

from pluralbench._replies import ReplyParseError, parse_json_reply, strip_markers
from pluralbench.datasets.alignment import AlignmentItem, AlignmentSampleMeta
from pluralbench.datasets.alignment_fewshot import ExamplePool
from pluralbench.datasets.alignment_geometry import choose_nearest, label_value, nearest
from pluralbench.prompts.alignment import (
    ALIGNED_QUERY,
    ALIGNED_SYSTEM,
    ATTRIBUTE_DESCRIPTIONS,
    COMPARATIVE_QUERY,
    COMPARATIVE_SYSTEM,
    EXAMPLE_CHOICE_REASON,
    EXAMPLE_REASON,
    LEVEL_WORDS,
    PROMPT_BLOCK,
    REGRESSION_QUERY,
    REGRESSION_SYSTEM,
    RESPONSE_BLOCK,
    TARGET_LINE,
    UNALIGNED_QUERY,
    UNALIGNED_SYSTEM,
)

METHODS = ("unaligned", "prompt_aligned", "comparative_regression", "regression", "random", "oracle")
"""Names accepted by the task's ``method`` option."""

SELECTION_KEY = "selection"
"""Key of the :class:`Selection` in ``state.metadata``."""


class Selection(BaseModel):
    """What a method chose for one sample (read by the scorer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str
    choice: int | None
    predicted: list[dict[str, float]] | None = None
    failures: list[str] = Field(default_factory=list)


class Rating(BaseModel):
    """One response's rating: a short reason, then a score from 0 to 100."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    score: float = Field(ge=0, le=100)


@functools.cache
def comparative_reply_model(count: int) -> type[BaseModel]:
    """Return the reply schema of a comparative call over ``count`` responses.

    One required field ``response_<n>`` per shown response, so a schema-enforcing provider
    cannot skip or repeat a response.

    Args:
        count: Number of responses shown.

    Returns:
        A pydantic model with fields ``response_1`` .. ``response_<count>`` holding a :class:`Rating`.
    """
    fields: dict[str, Any] = {f"response_{number}": (Rating, ...) for number in range(1, count + 1)}
    return create_model(f"ComparativeRatings{count}", __config__=ConfigDict(extra="forbid"), **fields)


@functools.cache
def choice_reply_model(count: int) -> type[BaseModel]:
    """Return the reply schema of a choice call over ``count`` responses.

    Args:
        count: Number of responses shown.

    Returns:
        A pydantic model with a ``reason`` and a ``choice`` from 1 to ``count``.
    """
    choice: Any = (int, Field(ge=1, le=count))
    return create_model(f"Choice{count}", __config__=ConfigDict(extra="forbid"), reason=(str, ...), choice=choice)


@functools.cache
def _schema_config(name: str, schema: type[BaseModel]) -> GenerateConfig:
    return GenerateConfig(response_schema=ResponseSchema(name=name, json_schema=json_schema(schema)))


SINGLE_CONFIG = _schema_config("rating", Rating)


@dataclass(frozen=True)
class _Context:
    """Per-sample material shared by a method's calls."""

    meta: AlignmentSampleMeta
    rng: random.Random
    nonce: str


def _context(state: TaskState, method: str, seed: int) -> _Context:
    meta = state.metadata_as(AlignmentSampleMeta)
    rng = random.Random(f"{seed}:{method}:{state.sample_id}:{state.epoch}")
    return _Context(meta=meta, rng=rng, nonce=f"{rng.getrandbits(48):012x}")


def describe(attribute: str) -> str:
    """Return the meaning of an attribute shown to the model.

    Args:
        attribute: Attribute name.

    Returns:
        Its description, or its name in words for attributes the suite does not know.
    """
    return ATTRIBUTE_DESCRIPTIONS.get(attribute, attribute.replace("_", " "))


def level_word(value: float) -> str:
    """Return the word for a value in [0, 1] (``very low`` .. ``very high``).

    Args:
        value: The value.

    Returns:
        The word.
    """
    return next(word for bound, word in LEVEL_WORDS if value <= bound)


def shuffled(count: int, rng: random.Random) -> list[int]:
    """Return a seeded random display order: position -> original response index.

    Args:
        count: Number of responses.
        rng: Seeded random generator.

    Returns:
        A permutation of ``range(count)``.
    """
    order = list(range(count))
    rng.shuffle(order)
    return order


def _blocks(prompt: str, responses: Sequence[str], nonce: str) -> dict[str, str]:
    return {
        "prompt_block": PROMPT_BLOCK.format(nonce=nonce, prompt=strip_markers(prompt, nonce)),
        "response_blocks": "\n\n".join(
            RESPONSE_BLOCK.format(number=number, nonce=nonce, response=strip_markers(text, nonce))
            for number, text in enumerate(responses, start=1)
        ),
    }


def _finish(state: TaskState, selection: Selection, model: Model | None) -> TaskState:
    state.metadata[SELECTION_KEY] = selection.model_dump()
    if selection.choice is None:
        summary = "No response chosen: " + "; ".join(selection.failures)
    else:
        summary = f"Chose response {selection.choice + 1} of {len(state.metadata['responses'])}."
    state.output = ModelOutput.from_content(model=str(model) if model is not None else "none", content=summary)
    state.messages.append(ChatMessageAssistant(content=summary, model=state.output.model))
    return state


def _failure(output: ModelOutput, problem: str) -> str:
    truncated = " (reply cut off at max_tokens)" if output.choices and output.stop_reason == "max_tokens" else ""
    return f"{problem}{truncated}"


# ---------------------------------------------------------------- choice methods


async def _choose(model: Model, messages: list[ChatMessage], order: Sequence[int]) -> tuple[int | None, list[str]]:
    schema = choice_reply_model(len(order))
    output = await model.generate(messages, config=_schema_config("choice", schema))
    try:
        reply = parse_json_reply(output.completion, schema)
    except ReplyParseError as error:
        return None, [_failure(output, f"unparseable choice reply: {error}")]
    return order[int(reply.model_dump()["choice"]) - 1], []


@solver
def unaligned_choice(seed: int = 0) -> Solver:
    """Let the model pick the best response without seeing the target.

    Args:
        seed: Seed of the response order and marker token.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "unaligned", seed)
        order = shuffled(len(context.meta.responses), context.rng)
        shown = [context.meta.responses[index] for index in order]
        messages: list[ChatMessage] = [
            ChatMessageSystem(content=UNALIGNED_SYSTEM.format(nonce=context.nonce)),
            ChatMessageUser(
                content=UNALIGNED_QUERY.format(count=len(shown), **_blocks(context.meta.prompt, shown, context.nonce))
            ),
        ]
        model = get_model()
        choice, failures = await _choose(model, messages, order)
        return _finish(state, Selection(method="unaligned", choice=choice, failures=failures), model)

    return solve


def target_lines(target: dict[str, float]) -> str:
    """Describe a target in words, one attribute per line.

    Args:
        target: Attribute -> value.

    Returns:
        The lines.
    """
    return "\n".join(
        TARGET_LINE.format(attribute=name, value=value, level=level_word(value), description=describe(name))
        for name, value in target.items()
    )


def _aligned_query(prompt: str, shown: Sequence[str], target: dict[str, float], nonce: str) -> ChatMessageUser:
    return ChatMessageUser(
        content=ALIGNED_QUERY.format(
            target_lines=target_lines(target), count=len(shown), **_blocks(prompt, shown, nonce)
        )
    )


@solver
def prompt_aligned_choice(pool: ExamplePool | None = None, n_examples: int = 0, seed: int = 0) -> Solver:
    """Let the model pick the response closest to the target, described in words.

    Few-shot examples are similar train items with the same target, answered with a response
    nearest the target by the annotations.

    Args:
        pool: The few-shot pool (train items); none when ``None``.
        n_examples: Number of examples (0 for none).
        seed: Seed of the response orders and marker token.

    Returns:
        The solver.
    """
    examples_pool = pool if pool is not None else ExamplePool([])

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "prompt_aligned", seed)
        meta, target = context.meta, context.meta.target
        messages: list[ChatMessage] = [ChatMessageSystem(content=ALIGNED_SYSTEM.format(nonce=context.nonce))]
        for item in examples_pool.select_items(meta.prompt, list(target), n_examples):
            example_order = shuffled(len(item.responses), context.rng)
            best = set(nearest(item.labels, target))
            number = next(position for position, index in enumerate(example_order, start=1) if index in best)
            example_shown = [item.responses[index] for index in example_order]
            messages.append(_aligned_query(item.prompt, example_shown, target, context.nonce))
            answer = {"reason": EXAMPLE_CHOICE_REASON.format(number=number), "choice": number}
            messages.append(ChatMessageAssistant(content=json.dumps(answer)))
        order = shuffled(len(meta.responses), context.rng)
        messages.append(_aligned_query(meta.prompt, [meta.responses[index] for index in order], target, context.nonce))
        model = get_model()
        choice, failures = await _choose(model, messages, order)
        return _finish(state, Selection(method="prompt_aligned", choice=choice, failures=failures), model)

    return solve


# ---------------------------------------------------------------- rating methods


@dataclass(frozen=True)
class _Rating:
    """Result of one rating call: values per original response index, or why there are none."""

    values: dict[int, float] | None
    failure: str | None = None


def _example_answer(item: AlignmentItem, order: Sequence[int], attribute: str) -> str:
    ratings = {}
    for number, index in enumerate(order, start=1):
        value = label_value(item.labels[index], attribute)
        reason = EXAMPLE_REASON.format(attribute=attribute, level=level_word(value))
        ratings[f"response_{number}"] = {"reason": reason, "score": round(value * 100)}
    return json.dumps(ratings)


async def _comparative_call(
    model: Model,
    context: _Context,
    attribute: str,
    examples: Sequence[tuple[AlignmentItem, list[int]]],
    order: Sequence[int],
) -> _Rating:
    meta, nonce = context.meta, context.nonce
    system = COMPARATIVE_SYSTEM.format(attribute=attribute, description=describe(attribute), nonce=nonce)
    messages: list[ChatMessage] = [ChatMessageSystem(content=system)]
    for item, example_order in examples:
        shown = [item.responses[index] for index in example_order]
        query = COMPARATIVE_QUERY.format(attribute=attribute, count=len(shown), **_blocks(item.prompt, shown, nonce))
        messages.append(ChatMessageUser(content=query))
        messages.append(ChatMessageAssistant(content=_example_answer(item, example_order, attribute)))
    shown = [meta.responses[index] for index in order]
    query = COMPARATIVE_QUERY.format(attribute=attribute, count=len(shown), **_blocks(meta.prompt, shown, nonce))
    messages.append(ChatMessageUser(content=query))
    schema = comparative_reply_model(len(order))
    output = await model.generate(messages, config=_schema_config("ratings", schema))
    try:
        reply = parse_json_reply(output.completion, schema)
    except ReplyParseError as error:
        return _Rating(None, _failure(output, f"{attribute}: unparseable ratings: {error}"))
    ratings: list[Rating] = [getattr(reply, f"response_{number}") for number in range(1, len(order) + 1)]
    return _Rating({index: rating.score / 100 for index, rating in zip(order, ratings, strict=True)})


async def _single_call(
    model: Model, context: _Context, attribute: str, examples: Sequence[tuple[AlignmentItem, int]], index: int
) -> _Rating:
    nonce = context.nonce
    system = REGRESSION_SYSTEM.format(attribute=attribute, description=describe(attribute), nonce=nonce)
    messages: list[ChatMessage] = [ChatMessageSystem(content=system)]
    for item, position in examples:
        blocks = _blocks(item.prompt, [item.responses[position]], nonce)
        messages.append(ChatMessageUser(content=REGRESSION_QUERY.format(attribute=attribute, **blocks)))
        value = label_value(item.labels[position], attribute)
        reason = EXAMPLE_REASON.format(attribute=attribute, level=level_word(value))
        messages.append(ChatMessageAssistant(content=json.dumps({"reason": reason, "score": round(value * 100)})))
    blocks = _blocks(context.meta.prompt, [context.meta.responses[index]], nonce)
    messages.append(ChatMessageUser(content=REGRESSION_QUERY.format(attribute=attribute, **blocks)))
    output = await model.generate(messages, config=SINGLE_CONFIG)
    try:
        reply = parse_json_reply(output.completion, Rating)
    except ReplyParseError as error:
        return _Rating(None, _failure(output, f"{attribute}, response {index + 1}: unparseable rating: {error}"))
    return _Rating({index: reply.score / 100})


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


@solver
def comparative_regression(
    pool: ExamplePool | None = None, n_examples: int = 3, samples: int = 1, seed: int = 0
) -> Solver:
    """Rate all responses side by side per target attribute, then choose the nearest to the target.

    Args:
        pool: The few-shot pool (train items); none when ``None``.
        n_examples: Examples per attribute (similar prompts covering the attribute's levels).
        samples: Rating calls per attribute, averaged (each with its own response order).
        seed: Seed of the response orders and tie-breaking.

    Returns:
        The solver.
    """
    examples_pool = pool if pool is not None else ExamplePool([])

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "comparative_regression", seed)
        meta = context.meta
        model = get_model()
        plans: list[tuple[str, list[tuple[AlignmentItem, list[int]]], list[int]]] = []
        for attribute in meta.target:
            examples = [
                (item, shuffled(len(item.responses), context.rng))
                for item in examples_pool.select_items(meta.prompt, [attribute], n_examples)
            ]
            for _ in range(samples):
                plans.append((attribute, examples, shuffled(len(meta.responses), context.rng)))
        results = await asyncio.gather(
            *(_comparative_call(model, context, attribute, examples, order) for attribute, examples, order in plans)
        )
        ratings: dict[str, list[_Rating]] = {attribute: [] for attribute in meta.target}
        for (attribute, _, _), rating in zip(plans, results, strict=True):
            ratings[attribute].append(rating)
        predicted, failures = _predict(list(meta.target), len(meta.responses), ratings)
        choice = choose_nearest(predicted, meta.target, context.rng) if predicted is not None else None
        selection = Selection(method="comparative_regression", choice=choice, predicted=predicted, failures=failures)
        return _finish(state, selection, model)

    return solve


@solver
def single_regression(pool: ExamplePool | None = None, n_examples: int = 3, samples: int = 1, seed: int = 0) -> Solver:
    """Rate each response alone per target attribute, then choose the nearest to the target.

    Args:
        pool: The few-shot pool (train items); none when ``None``.
        n_examples: Example responses per attribute (similar prompts covering the attribute's levels).
        samples: Rating calls per response and attribute, averaged.
        seed: Seed of the tie-breaking and marker token.

    Returns:
        The solver.
    """
    examples_pool = pool if pool is not None else ExamplePool([])

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "regression", seed)
        meta = context.meta
        model = get_model()
        plans: list[tuple[str, list[tuple[AlignmentItem, int]], int]] = []
        for attribute in meta.target:
            examples = examples_pool.select_responses(meta.prompt, attribute, n_examples)
            plans.extend((attribute, examples, index) for index in range(len(meta.responses)) for _ in range(samples))
        results = await asyncio.gather(
            *(_single_call(model, context, attribute, examples, index) for attribute, examples, index in plans)
        )
        ratings: dict[str, list[_Rating]] = {attribute: [] for attribute in meta.target}
        for (attribute, _, _), rating in zip(plans, results, strict=True):
            ratings[attribute].append(rating)
        predicted, failures = _predict(list(meta.target), len(meta.responses), ratings)
        choice = choose_nearest(predicted, meta.target, context.rng) if predicted is not None else None
        return _finish(
            state, Selection(method="regression", choice=choice, predicted=predicted, failures=failures), model
        )

    return solve


# ---------------------------------------------------------------- model-free baselines


@solver
def random_response(seed: int = 0) -> Solver:
    """Pick a response uniformly at random (seeded); no model call.

    Args:
        seed: Seed of the pick.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "random", seed)
        choice = context.rng.randrange(len(context.meta.responses))
        return _finish(state, Selection(method="random", choice=choice), None)

    return solve


@solver
def oracle_response(seed: int = 0) -> Solver:
    """Pick a response nearest the target by the true labels; no model call (the ceiling).

    Args:
        seed: Seed of the tie-breaking.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = _context(state, "oracle", seed)
        choice = choose_nearest(context.meta.labels, context.meta.target, context.rng)
        return _finish(state, Selection(method="oracle", choice=choice), None)

    return solve


def method_solver(method: str, pool: ExamplePool, n_examples: int, samples: int, seed: int) -> Solver:
    """Return the solver of a method named by the task's ``method`` option.

    Args:
        method: One of :data:`METHODS`.
        pool: The few-shot pool (train items).
        n_examples: Few-shot examples (per attribute for the rating methods).
        samples: Rating calls averaged per value (rating methods).
        seed: Seed of orders, picks and tie-breaking.

    Returns:
        The solver.

    Raises:
        ValueError: On an unknown method.
    """
    if method == "unaligned":
        return unaligned_choice(seed)
    if method == "prompt_aligned":
        return prompt_aligned_choice(pool, n_examples, seed)
    if method == "comparative_regression":
        return comparative_regression(pool, n_examples, samples, seed)
    if method == "regression":
        return single_regression(pool, n_examples, samples, seed)
    if method == "random":
        return random_response(seed)
    if method == "oracle":
        return oracle_response(seed)
    raise ValueError(f"option method={method!r}: must be one of {', '.join(METHODS)}")
