"""Shared mechanics of model judges: role resolution, fenced prompts, JSON verdicts with one repair."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ResponseSchema,
    get_model,
    model_roles,
)
from inspect_ai.util import json_schema
from pydantic import BaseModel

from pluralbench._replies import ReplyParseError, parse_json_reply
from pluralbench.persona.prompts import REPAIR_REPLY

VerdictT = TypeVar("VerdictT", bound=BaseModel)


@dataclass
class JudgeReply(Generic[VerdictT]):
    """The outcome of asking a judge for a structured verdict.

    Attributes:
        verdict: The parsed verdict, or ``None`` when it could not be read after the repair attempt.
        replies: Every raw reply of the judge, in order.
        problem: Why the verdict could not be read (``None`` when it was).
    """

    verdict: VerdictT | None
    replies: list[str] = field(default_factory=list)
    problem: str | None = None


def role_model(role: str) -> tuple[Model, bool]:
    """Resolve a model role, falling back to the evaluated model.

    Args:
        role: Role name (``critic`` or ``judge``).

    Returns:
        The model and whether it is the evaluated model grading itself (role unbound).
    """
    return get_model(role=role), role not in model_roles()


@functools.cache
def verdict_config(schema: type[BaseModel], name: str) -> GenerateConfig:
    """Return the generate config asking for a reply in ``schema``, built once per schema.

    Building the JSON schema of a pydantic model costs about a millisecond, once per judge
    call when not cached; the config is never mutated, so one instance serves every call.

    Args:
        schema: Pydantic model of the verdict.
        name: Name of the response schema.

    Returns:
        The config.
    """
    return GenerateConfig(response_schema=ResponseSchema(name=name, json_schema=json_schema(schema)))


async def ask_for_verdict(model: Model, prompt: str, schema: type[VerdictT], name: str) -> JudgeReply[VerdictT]:
    """Ask a judge for a JSON verdict, with one repair attempt when the reply cannot be read.

    Args:
        model: The judge.
        prompt: The full judge prompt.
        schema: Pydantic model of the verdict.
        name: Name of the response schema.

    Returns:
        The verdict (or the problem) and all raw replies.
    """
    config = verdict_config(schema, name)
    messages: list[ChatMessage] = [ChatMessageUser(content=prompt)]
    replies: list[str] = []
    problem = ""
    for _ in range(2):
        output = await model.generate(messages, config=config)
        replies.append(output.completion)
        try:
            return JudgeReply(parse_json_reply(output.completion, schema), replies)
        except ReplyParseError as error:
            problem = str(error)
        messages = [
            *messages,
            ChatMessageAssistant(content=output.completion),
            ChatMessageUser(content=REPAIR_REPLY.format(problem=problem)),
        ]
    return JudgeReply(None, replies, f"verdict unreadable after one repair attempt: {problem}")
