"""Few-shot steering solver: steer with a persona's statements, then ask about a test statement.

The steering context (framework, optional label, steering statements with the persona's
reactions) is the system message. It depends only on the steered persona, so it is a stable
prefix for provider prompt caching.

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

from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ModelOutput, ResponseSchema
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import JSONSchema

from pluralbench.steerability.prompts import (
    AGREE_VERDICT,
    BATCH_LINE,
    BATCH_QUESTION,
    DISAGREE_VERDICT,
    EXAMPLE_LINE,
    FRAMEWORK_SECTION,
    LABEL_SECTION,
    NO_EXAMPLES,
    SINGLE_QUESTION,
    STEERING_SYSTEM,
)
from pluralbench.steerability.types import SteerabilityMetadata


def steering_context(metadata: SteerabilityMetadata, include_label: bool) -> str:
    """Render the system message that steers the model to persona p.

    Args:
        metadata: The sample's metadata (p's framework, label and steering statements).
        include_label: Whether to name p's label (e.g. ``INTJ``) in the prompt.

    Returns:
        The system message text.
    """
    framework = FRAMEWORK_SECTION.format(
        framework=metadata.framework, description=" ".join(metadata.framework_description.split())
    )
    if include_label:
        framework += "\n" + LABEL_SECTION.format(label=metadata.label)
    examples = "\n".join(
        EXAMPLE_LINE.format(verdict=AGREE_VERDICT if example.agree else DISAGREE_VERDICT, statement=example.statement)
        for example in metadata.steering
    )
    return STEERING_SYSTEM.format(framework=framework, examples=examples or NO_EXAMPLES)


def steering_question(metadata: SteerabilityMetadata) -> str:
    """Render the user message asking about the test statement(s).

    Args:
        metadata: The sample's metadata (its batch of statements).

    Returns:
        The user message text: a Y/N question for one statement, or a request for one JSON
        object over the numbered statements of the batch.
    """
    if not metadata.batched:
        return SINGLE_QUESTION.format(statement=metadata.batch[0])
    lines = "\n".join(
        BATCH_LINE.format(number=number, statement=statement) for number, statement in enumerate(metadata.batch, 1)
    )
    return BATCH_QUESTION.format(statements=lines)


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
def few_shot_steering(include_label: bool = False) -> Solver:
    """Steer with the persona's statements in the system message and ask about test statements.

    Args:
        include_label: Whether the steering context names the persona's label.

    Returns:
        The solver.
    """
    shared: WeakKeyDictionary[Generate, dict[tuple[int, str], _SharedCall]] = WeakKeyDictionary()

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        metadata = state.metadata_as(SteerabilityMetadata)
        state.messages = [
            ChatMessageSystem(content=steering_context(metadata, include_label)),
            ChatMessageUser(content=steering_question(metadata)),
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
                state = await generate(state, response_schema=batch_response_schema(len(metadata.batch)))
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
