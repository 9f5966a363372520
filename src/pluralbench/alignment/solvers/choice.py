"""Choice methods: the model picks one response, without the target (``unaligned``) or with it in words."""

from __future__ import annotations

import json
from collections.abc import Sequence

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


@solver
def unaligned_choice(seed: int = 0, structured: StructuredMode = "auto") -> Solver:
    """Let the model pick the best response without seeing the target.

    Args:
        seed: Seed of the response order.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, "unaligned", seed, structured)
        order = shuffled(len(context.meta.responses), context.rng)
        shown = [context.meta.responses[index] for index in order]
        blocks = fenced_blocks(context.meta.prompt, shown, context.nonce)
        messages: list[ChatMessage] = [
            ChatMessageSystem(content=UNALIGNED_SYSTEM.format(nonce=context.nonce)),
            ChatMessageUser(content=UNALIGNED_QUERY.format(count=len(shown), **blocks)),
        ]
        model = get_model()
        return finish(state, await choose(model, messages, order, "unaligned", structured), model)

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
def prompt_aligned_choice(pool: ExamplePool, seed: int = 0, structured: StructuredMode = "auto") -> Solver:
    """Let the model pick the response closest to the target, described in words.

    The sample's few-shot examples (chosen when the dataset was built) are similar train items
    with the same target, answered with a response nearest the target by the annotations.

    Args:
        pool: The train items the examples come from.
        seed: Seed of the response orders.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).

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
        order = shuffled(len(meta.responses), context.rng)
        messages.append(_aligned_query(meta.prompt, [meta.responses[index] for index in order], target, context.nonce))
        model = get_model()
        return finish(state, await choose(model, messages, order, "prompt_aligned", structured), model)

    return solve
