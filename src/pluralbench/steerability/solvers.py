"""Few-shot steering solver: steer with a persona's statements, then ask about a test statement.

The steering context (framework, optional label, steering statements with the persona's
reactions) is the system message. It depends only on the steered persona, so it is a stable
prefix for provider prompt caching: its fence nonce is drawn (from :mod:`secrets`) once per
solver, i.e. per run, which the data's authors cannot know either.

With ``statements_per_call`` > 1 every statement is still its own Sample, but the Samples of one
batch share one model call: the first of them to run makes the call with a JSON response
schema, and the others wait for its output. Token usage is therefore recorded on that first
Sample only. The shared calls are kept per eval run (keyed by the run's ``generate`` function)
and per epoch, and are dropped once every member of the batch has read them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ModelOutput, ResponseSchema, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import JSONSchema

from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench._structured import StructuredMode, generate_structured
from pluralbench.steerability.prompts import (
    AGREE_VERDICT,
    BATCH_QUESTION,
    DISAGREE_VERDICT,
    EXAMPLE_LABEL,
    EXAMPLE_LINE,
    FRAMEWORK_LABEL,
    FRAMEWORK_SECTION,
    FRAMEWORK_TEXT,
    LABEL_SECTION,
    NO_EXAMPLES,
    SINGLE_QUESTION,
    STATEMENT_LABEL,
    STEERING_SYSTEM,
    TYPE_LABEL,
)
from pluralbench.steerability.types import SteerabilityMetadata


def steering_context(metadata: SteerabilityMetadata, include_label: bool, nonce: str) -> str:
    """Render the system message that steers the model to persona p.

    Args:
        metadata: The sample's metadata (p's framework, label and steering statements).
        include_label: Whether to name p's label (e.g. ``INTJ``) in the prompt.
        nonce: The fence nonce of the run's prompts.

    Returns:
        The system message text, with the framework, label and statements fenced.
    """
    description = " ".join(metadata.framework_description.split())
    framework = FRAMEWORK_SECTION.format(
        framework=fence(
            FRAMEWORK_LABEL, FRAMEWORK_TEXT.format(framework=metadata.framework, description=description), nonce
        )
    )
    if include_label:
        framework += "\n" + LABEL_SECTION.format(label=fence(TYPE_LABEL, metadata.label, nonce))
    examples = "\n\n".join(
        EXAMPLE_LINE.format(
            verdict=AGREE_VERDICT if example.agree else DISAGREE_VERDICT,
            statement=fence(f"{EXAMPLE_LABEL} {number}", example.statement, nonce),
        )
        for number, example in enumerate(metadata.steering, 1)
    )
    return STEERING_SYSTEM.format(notice=untrusted_notice(nonce), framework=framework, examples=examples or NO_EXAMPLES)


def steering_question(metadata: SteerabilityMetadata, nonce: str) -> str:
    """Render the user message asking about the test statement(s).

    Args:
        metadata: The sample's metadata (its batch of statements).
        nonce: The fence nonce of the run's prompts.

    Returns:
        The user message text: a Y/N question for one fenced statement, or a request for one
        JSON object over the fenced, numbered statements of the batch.
    """
    if not metadata.batched:
        return SINGLE_QUESTION.format(statement=fence(STATEMENT_LABEL, metadata.batch[0], nonce))
    blocks = "\n\n".join(
        fence(f"{STATEMENT_LABEL} {number}", statement, nonce) for number, statement in enumerate(metadata.batch, 1)
    )
    return BATCH_QUESTION.format(statements=blocks, count=len(metadata.batch))


def batch_response_schema(size: int) -> ResponseSchema:
    """Return the JSON schema of a multi-statement reply: statement number -> boolean.

    Args:
        size: Number of statements in the call.

    Returns:
        A response schema requiring keys ``"1"`` to ``"<size>"``, each a boolean.
    """
    keys = [str(number) for number in range(1, size + 1)]
    return ResponseSchema(
        name="agreement",
        description="For each statement number, whether the person would agree.",
        json_schema=JSONSchema(
            type="object",
            properties={key: JSONSchema(type="boolean") for key in keys},
            required=keys,
            additionalProperties=False,
        ),
    )


class SharedCallError(RuntimeError):
    """The call a batch of Samples shares failed in the Sample that made it."""


@dataclass
class _SharedCall:
    output: asyncio.Future[ModelOutput]
    readers_left: int


def _retrieve_exception(future: asyncio.Future[ModelOutput]) -> None:
    """Mark a failed shared call as handled when no other Sample waits for it."""
    if not future.cancelled():
        future.exception()


@solver
def few_shot_steering(include_label: bool = False, structured: StructuredMode = "auto") -> Solver:
    """Steer with the persona's statements in the system message and ask about test statements.

    Args:
        include_label: Whether the steering context names the persona's label.
        structured: How a batched call's JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The solver.
    """
    shared: WeakKeyDictionary[Generate, dict[tuple[int, str], _SharedCall]] = WeakKeyDictionary()
    nonce = new_nonce()

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        metadata = state.metadata_as(SteerabilityMetadata)
        state.messages = [
            ChatMessageSystem(content=steering_context(metadata, include_label, nonce)),
            ChatMessageUser(content=steering_question(metadata, nonce)),
        ]
        if not metadata.batched:
            return await generate(state)

        calls = shared.setdefault(generate, {})
        key = (state.epoch, metadata.batch_id)
        call = calls.get(key)
        if call is None:
            # First member of the batch to run: make the call that the other members will read.
            call = _SharedCall(asyncio.get_running_loop().create_future(), len(metadata.batch))
            call.output.add_done_callback(_retrieve_exception)
            calls[key] = call
            try:
                schema = batch_response_schema(len(metadata.batch))
                state.output = await generate_structured(get_model(), state.messages, schema, schema.name, structured)
                state.messages.append(state.output.message)
            except BaseException as error:
                calls.pop(key, None)
                call.output.set_exception(SharedCallError(f"the shared call of batch {metadata.batch_id} failed"))
                raise error
            call.output.set_result(state.output)
        else:
            output = await asyncio.shield(call.output)
            state.output = output
            state.messages.append(output.message)
        call.readers_left -= 1
        if call.readers_left == 0:
            calls.pop(key, None)
        return state

    return solve
