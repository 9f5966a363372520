"""Pieces every alignment method shares: per-sample context, response order, fenced blocks, reply schemas."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import ChatMessageAssistant, GenerateConfig, Model, ModelOutput, ResponseSchema
from inspect_ai.solver import TaskState
from inspect_ai.util import json_schema
from pydantic import BaseModel, ConfigDict, Field, create_model

from pluralbench._fence import fence, new_nonce
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.prompts import ATTRIBUTE_DESCRIPTIONS, LEVEL_WORDS
from pluralbench.alignment.types import SELECTION_KEY, AlignmentItem, AlignmentSampleMeta, FewShotExample, Selection


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
def schema_config(name: str, schema: type[BaseModel]) -> GenerateConfig:
    """Return the generate config that asks the provider for a reply in ``schema``.

    Args:
        name: Schema name sent to the provider.
        schema: The reply model.

    Returns:
        The config.
    """
    return GenerateConfig(response_schema=ResponseSchema(name=name, json_schema=json_schema(schema)))


@dataclass(frozen=True)
class SampleContext:
    """Per-sample material shared by a method's calls.

    Attributes:
        meta: The sample's metadata.
        rng: Generator seeded by the task seed, method, sample id and epoch (orders, tie-breaks).
        nonce: Fence token of this sample's prompts (from :mod:`secrets`).
    """

    meta: AlignmentSampleMeta
    rng: random.Random
    nonce: str


def sample_context(state: TaskState, method: str, seed: int) -> SampleContext:
    """Return the context of one sample for one method.

    Args:
        state: The sample's state.
        method: The method name (part of the seed, so methods draw independent orders).
        seed: The task seed.

    Returns:
        The context.
    """
    meta = state.metadata_as(AlignmentSampleMeta)
    rng = random.Random(f"{seed}:{method}:{state.sample_id}:{state.epoch}")
    return SampleContext(meta=meta, rng=rng, nonce=new_nonce())


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
        "prompt_block": fence("PROMPT", prompt, nonce),
        "response_blocks": "\n\n".join(
            fence(f"RESPONSE {number}", text, nonce) for number, text in enumerate(responses, start=1)
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
