"""Choice methods: the model picks one response, without the target (``unaligned``) or with it in words."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._structured import StructuredMode
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.geometry import nearest
from pluralbench.alignment.prompts import (
    ALIGNED_QUERY,
    ALIGNED_SYSTEM,
    EXAMPLE_CHOICE_REASON,
    TARGET_LINE,
    UNALIGNED_QUERY,
    UNALIGNED_SYSTEM,
)
from pluralbench.alignment.types import Selection

from ._shared import (
    SampleContext,
    ask_structured,
    choice_reply_model,
    describe,
    example_items,
    fenced_blocks,
    finish,
    level_word,
    sample_context,
    shuffled,
)


async def choose(
    model: Model, messages: list[ChatMessage], order: Sequence[int], method: str, structured: StructuredMode
) -> Selection:
    """Ask for a choice among the shown responses and map it back to an original index.

    Args:
        model: The evaluated model.
        messages: The conversation ending with the query.
        order: Display position (0-based) -> original response index.
        method: The method name recorded in the selection.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The selection: the original index of the chosen response, or ``None`` with the failure
        (unreadable after the repair request, or a context overflow).
    """
    result = await ask_structured(model, messages, choice_reply_model(len(order)), "choice", structured)
    if result.reply is None:
        return Selection(
            method=method,
            choice=None,
            failures=[f"unparseable choice reply: {result.failure}"],
            context_overflow=result.context_overflow,
        )
    return Selection(method=method, choice=order[int(result.reply.model_dump()["choice"]) - 1])


def majority_vote(selections: Sequence[Selection], method: str, rng: random.Random) -> Selection:
    """Return the response most choice calls picked; one call's selection as it is.

    A call whose reply could not be used does not vote, and its failure is kept. A tie is broken
    at random by the sample's seeded generator. With no usable call there is no choice (a context
    overflow when a call's prompt did not fit), as for a single call.

    Args:
        selections: One selection per call, choices as original response indices.
        method: The method name recorded in the selection.
        rng: The sample's generator (:func:`~._shared.sample_context`).

    Returns:
        The selection, with every usable call's choice in ``votes``.
    """
    if len(selections) == 1:
        return selections[0]
    votes = [selection.choice for selection in selections if selection.choice is not None]
    failures = [failure for selection in selections for failure in selection.failures]
    if not votes:
        overflow = any(selection.context_overflow for selection in selections)
        return Selection(method=method, choice=None, failures=failures, votes=[], context_overflow=overflow)
    counts = Counter(votes)
    most = max(counts.values())
    tied = sorted(index for index, count in counts.items() if count == most)
    choice = tied[0] if len(tied) == 1 else rng.choice(tied)
    return Selection(method=method, choice=choice, failures=failures, votes=votes)


async def choose_by_vote(
    model: Model,
    context: SampleContext,
    method: str,
    samples: int,
    conversation: Callable[[list[int]], list[ChatMessage]],
) -> Selection:
    """Ask for a choice ``samples`` times, each showing the responses in a new seeded order, and vote.

    Args:
        model: The evaluated model.
        context: The sample's context (its generator draws the orders and breaks ties).
        method: The method name recorded in the selection.
        samples: Number of choice calls.
        conversation: The messages of one call, given its order (display position -> original index).

    Returns:
        The selection (:func:`majority_vote`).
    """
    orders = [shuffled(len(context.meta.responses), context.rng) for _ in range(samples)]
    selections = await asyncio.gather(
        *(choose(model, conversation(order), order, method, context.structured) for order in orders)
    )
    return majority_vote(selections, method, context.rng)


@solver
def unaligned_choice(seed: int = 0, structured: StructuredMode = "auto", samples: int = 1) -> Solver:
    """Let the model pick the best response without seeing the target.

    Args:
        seed: Seed of the response orders and tie-breaking.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).
        samples: Choice calls per sample, each with its own response order; more than one are put
            to a majority vote (:func:`majority_vote`).

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, "unaligned", seed, structured)

        def conversation(order: list[int]) -> list[ChatMessage]:
            shown = [context.meta.responses[index] for index in order]
            blocks = fenced_blocks(context.meta.prompt, shown, context.nonce)
            return [
                ChatMessageSystem(content=UNALIGNED_SYSTEM.format(nonce=context.nonce)),
                ChatMessageUser(content=UNALIGNED_QUERY.format(count=len(shown), **blocks)),
            ]

        model = get_model()
        return finish(state, await choose_by_vote(model, context, "unaligned", samples, conversation), model)

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
    blocks = fenced_blocks(prompt, shown, nonce)
    return ChatMessageUser(content=ALIGNED_QUERY.format(target_lines=target_lines(target), count=len(shown), **blocks))


@solver
def prompt_aligned_choice(
    pool: ExamplePool, seed: int = 0, structured: StructuredMode = "auto", samples: int = 1
) -> Solver:
    """Let the model pick the response closest to the target, described in words.

    The sample's few-shot examples (chosen when the dataset was built) are similar train items
    with the same target, answered with a response nearest the target by the annotations.

    Args:
        pool: The train items the examples come from.
        seed: Seed of the response orders and tie-breaking.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).
        samples: Choice calls per sample, each with its own order of the sample's responses (the
            examples are the same in every call); more than one are put to a majority vote
            (:func:`majority_vote`).

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, "prompt_aligned", seed, structured)
        meta, target = context.meta, context.meta.target
        messages: list[ChatMessage] = [ChatMessageSystem(content=ALIGNED_SYSTEM.format(nonce=context.nonce))]
        for item, _ in example_items(pool, meta.examples):
            example_order = shuffled(len(item.responses), context.rng)
            best = set(nearest(item.labels, target))
            number = next(position for position, index in enumerate(example_order, start=1) if index in best)
            example_shown = [item.responses[index] for index in example_order]
            messages.append(_aligned_query(item.prompt, example_shown, target, context.nonce))
            answer = {"reason": EXAMPLE_CHOICE_REASON.format(number=number), "choice": number}
            messages.append(ChatMessageAssistant(content=json.dumps(answer)))

        def conversation(order: list[int]) -> list[ChatMessage]:
            shown = [meta.responses[index] for index in order]
            return [*messages, _aligned_query(meta.prompt, shown, target, context.nonce)]

        model = get_model()
        return finish(state, await choose_by_vote(model, context, "prompt_aligned", samples, conversation), model)

    return solve
