"""Shared mechanics of model judges: role resolution, JSON verdicts with one repair, context overflow.

Every judge call of the PERSONA family (critic, debate judge, identifier, and the debaters'
turns) goes through this module, so a reply is read one way: a prompt that does not fit the
judge's context window (``stop_reason == "model_length"`` or the server's context error) ends
the call at once with reason ``context_overflow`` (a repair request would only be longer); an
unreadable or ambiguous verdict gets one repair request, then ends with reason
``unreadable_reply`` or ``ambiguous_reply`` (constants in :mod:`pluralbench._replies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    Model,
    get_model,
    model_roles,
)
from inspect_ai.scorer import Score
from pydantic import BaseModel

from pluralbench._replies import (
    CONTEXT_OVERFLOW,
    UNREADABLE_REPLY,
    ContextOverflowError,
    ReplyParseError,
    context_overflow,
    parse_json_reply,
)
from pluralbench._structured import StructuredMode, generate_structured
from pluralbench.persona.prompts import REPAIR_REPLY

VerdictT = TypeVar("VerdictT", bound=BaseModel)


@dataclass
class JudgeReply(Generic[VerdictT]):
    """The outcome of asking a judge for a structured verdict.

    Attributes:
        verdict: The parsed verdict, or ``None`` when it could not be read after the repair attempt.
        replies: Every raw reply of the judge, in order.
        problem: Why the verdict could not be read, in words (``None`` when it was).
        reason: The unscored reason (``unreadable_reply``, ``ambiguous_reply`` or
            ``context_overflow``; ``None`` when the verdict was read).
    """

    verdict: VerdictT | None
    replies: list[str] = field(default_factory=list)
    problem: str | None = None
    reason: str | None = None

    def unscored(self, answer: str | None = None, metadata: dict[str, object] | None = None) -> Score:
        """Return the unscored score of a verdict that could not be read: its reason, and the problem as explanation.

        Args:
            answer: The graded answer, kept in the score.
            metadata: Score metadata.

        Returns:
            The unscored score.
        """
        return Score.unscored(
            reason=self.reason or UNREADABLE_REPLY, answer=answer, explanation=self.problem, metadata=metadata
        )


def role_model(role: str) -> tuple[Model, bool]:
    """Resolve a model role, falling back to the evaluated model.

    Args:
        role: Role name (``critic`` or ``judge``).

    Returns:
        The model and whether it is the evaluated model grading itself (role unbound).
    """
    return get_model(role=role), role not in model_roles()


async def ask_for_verdict(
    model: Model, prompt: str, schema: type[VerdictT], name: str, structured: StructuredMode
) -> JudgeReply[VerdictT]:
    """Ask a judge for a JSON verdict, with one repair attempt when the reply cannot be read.

    Args:
        model: The judge.
        prompt: The full judge prompt.
        schema: Pydantic model of the verdict.
        name: Name of the response schema.
        structured: The task's ``structured`` option: how the JSON is asked for
            (:mod:`pluralbench._structured`).

    Returns:
        The verdict, or why it could not be read (``problem``, and ``reason``: ``context_overflow``
        at once, without a repair request; ``ambiguous_reply`` or ``unreadable_reply`` after one),
        and all raw replies.
    """
    messages: list[ChatMessage] = [ChatMessageUser(content=prompt)]
    replies: list[str] = []
    error: ReplyParseError | None = None
    for _ in range(2):
        output = await generate_structured(model, messages, schema, name, structured)
        replies.append(output.completion)
        overflow = context_overflow(output)
        if overflow is not None:
            return JudgeReply(None, replies, overflow, CONTEXT_OVERFLOW)
        try:
            return JudgeReply(parse_json_reply(output.completion, schema), replies)
        except ReplyParseError as failure:
            error = failure
        messages = [
            *messages,
            ChatMessageAssistant(content=output.completion),
            ChatMessageUser(content=REPAIR_REPLY.format(problem=error)),
        ]
    assert error is not None  # the loop returns unless both replies failed to parse
    return JudgeReply(None, replies, f"verdict unreadable after one repair attempt: {error}", error.reason)


async def ask_for_argument(model: Model, prompt: str) -> str:
    """Ask a judge-side model (a debating critic) for free text.

    Args:
        model: The model.
        prompt: The full prompt.

    Returns:
        The stripped reply.

    Raises:
        ContextOverflowError: If the prompt did not fit the model's context window.
    """
    output = await model.generate(prompt)
    overflow = context_overflow(output)
    if overflow is not None:
        raise ContextOverflowError(overflow)
    return output.completion.strip()
