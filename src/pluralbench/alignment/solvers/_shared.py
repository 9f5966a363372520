"""Pieces every alignment method shares: per-sample context, response order, fenced blocks, reply schemas.

Every model call of a method goes through :func:`ask_structured`, so a reply is read one way:
one JSON object, strictly typed and within the schema's bounds (:mod:`pluralbench._replies`);
one repair request when it cannot be read; and a prompt that does not fit the model's context
window (``stop_reason == "model_length"`` or the server's context error) stops at once and marks
the sample ``context_overflow`` (unscored), not a format failure.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    Model,
    ModelOutput,
)
from inspect_ai.solver import TaskState
from pydantic import BaseModel, ConfigDict, Field, create_model

from pluralbench._fence import fence, new_nonce
from pluralbench._replies import ReplyParseError, context_overflow, parse_json_reply
from pluralbench._structured import StructuredMode, generate_structured
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.prompts import (
    ATTRIBUTE_DESCRIPTIONS,
    LEVEL_WORDS,
    PROMPT_LABEL,
    REPAIR_REPLY,
    RESPONSE_LABEL,
)
from pluralbench.alignment.types import SELECTION_KEY, AlignmentItem, AlignmentSampleMeta, FewShotExample, Selection

ReplyT = TypeVar("ReplyT", bound=BaseModel)


class Rating(BaseModel):
    """One response's rating: a short reason, then a score from 0 to 100 (a JSON number, not a boolean)."""

    model_config = ConfigDict(extra="forbid", strict=True)

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
    return create_model(f"ComparativeRatings{count}", __config__=ConfigDict(extra="forbid", strict=True), **fields)


@functools.cache
def choice_reply_model(count: int) -> type[BaseModel]:
    """Return the reply schema of a choice call over ``count`` responses.

    Args:
        count: Number of responses shown.

    Returns:
        A pydantic model with a ``reason`` and a ``choice``, a JSON integer from 1 to ``count``.
    """
    choice: Any = (int, Field(ge=1, le=count))
    config = ConfigDict(extra="forbid", strict=True)
    return create_model(f"Choice{count}", __config__=config, reason=(str, ...), choice=choice)


@dataclass(frozen=True)
class SampleContext:
    """Per-sample material shared by a method's calls.

    Attributes:
        meta: The sample's metadata.
        rng: Generator seeded by the task seed, method, sample id and epoch (orders, tie-breaks).
        nonce: Fence token of this sample's prompts (from :mod:`secrets`).
        structured: The task's ``structured`` option, for every call (:mod:`pluralbench._structured`).
    """

    meta: AlignmentSampleMeta
    rng: random.Random
    nonce: str
    structured: StructuredMode


def sample_context(state: TaskState, method: str, seed: int, structured: StructuredMode) -> SampleContext:
    """Return the context of one sample for one method.

    Args:
        state: The sample's state.
        method: The method name (part of the seed, so methods draw independent orders).
        seed: The task seed.
        structured: The task's ``structured`` option.

    Returns:
        The context.
    """
    meta = state.metadata_as(AlignmentSampleMeta)
    rng = random.Random(f"{seed}:{method}:{state.sample_id}:{state.epoch}")
    return SampleContext(meta=meta, rng=rng, nonce=new_nonce(), structured=structured)


def example_items(pool: ExamplePool, examples: Sequence[FewShotExample]) -> list[tuple[AlignmentItem, FewShotExample]]:
    """Look up the train items of a sample's few-shot examples.

    Args:
        pool: The train pool the examples were chosen from.
        examples: The sample's examples.

    Returns:
        ``(item, example)`` pairs in the examples' order.
    """
    return [(pool.by_id[example.item_id], example) for example in examples]


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


def fenced_blocks(prompt: str, responses: Sequence[str], nonce: str) -> dict[str, str]:
    """Return the fenced prompt and numbered responses for a query template.

    Args:
        prompt: The item's prompt (untrusted).
        responses: The responses in display order (untrusted).
        nonce: The prompt's fence token.

    Returns:
        ``prompt_block`` and ``response_blocks`` for the templates.
    """
    return {
        "prompt_block": fence(PROMPT_LABEL, prompt, nonce),
        "response_blocks": "\n\n".join(
            fence(f"{RESPONSE_LABEL} {number}", text, nonce) for number, text in enumerate(responses, start=1)
        ),
    }


def finish(state: TaskState, selection: Selection, model: Model | None) -> TaskState:
    """Store a method's selection for the scorer and summarise it as the sample's output.

    Args:
        state: The sample's state.
        selection: What the method chose.
        model: The model that was called, or ``None`` for model-free methods.

    Returns:
        The state.
    """
    state.metadata[SELECTION_KEY] = selection.model_dump()
    if selection.choice is None:
        summary = "No response chosen: " + "; ".join(selection.failures)
    else:
        summary = f"Chose response {selection.choice + 1} of {len(state.metadata['responses'])}."
    state.output = ModelOutput.from_content(model=str(model) if model is not None else "none", content=summary)
    state.messages.append(ChatMessageAssistant(content=summary, model=state.output.model))
    return state


@dataclass(frozen=True)
class StructuredReply(Generic[ReplyT]):
    """The outcome of one structured call: the reply, or why there is none.

    Attributes:
        reply: The validated reply; ``None`` when it could not be used.
        failure: Why it could not be used (``None`` when it could).
        context_overflow: Whether the prompt did not fit the model's context window.
    """

    reply: ReplyT | None
    failure: str | None = None
    context_overflow: bool = False


async def ask_structured(
    model: Model, messages: list[ChatMessage], schema: type[ReplyT], name: str, structured: StructuredMode
) -> StructuredReply[ReplyT]:
    """Ask for a reply in ``schema``, with one repair request when it cannot be read.

    Args:
        model: The model to call.
        messages: The conversation ending with the query.
        schema: The reply model (strict types and bounds).
        name: Schema name sent to the provider.
        structured: How the JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The reply; or the failure, after the repair request; or a context overflow, at once.
    """
    problem = ""
    for _ in range(2):
        output = await generate_structured(model, messages, schema, name, structured)
        overflow = context_overflow(output)
        if overflow is not None:
            return StructuredReply(None, overflow, context_overflow=True)
        try:
            return StructuredReply(parse_json_reply(output.completion, schema))
        except ReplyParseError as error:
            problem = failure(output, str(error))
        messages = [
            *messages,
            ChatMessageAssistant(content=output.completion),
            ChatMessageUser(content=REPAIR_REPLY.format(problem=problem)),
        ]
    return StructuredReply(None, f"{problem} (after one repair request)")


def failure(output: ModelOutput, problem: str) -> str:
    """Describe why a reply could not be used, noting a reply cut off at ``max_tokens``.

    Args:
        output: The model output.
        problem: What was wrong with it.

    Returns:
        The description.
    """
    truncated = " (reply cut off at max_tokens)" if output.choices and output.stop_reason == "max_tokens" else ""
    return f"{problem}{truncated}"
