"""Scripted models for tests and benchmarks: deterministic replies, no network, token usage set.

inspect's ``mockllm/model`` counts tokens with tiktoken when outputs carry no usage, which
downloads an encoding file; every output made here carries its own usage, so nothing is fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo

ReplyFunction = Callable[[list[ChatMessage]], str]


def word_count(messages: list[ChatMessage]) -> int:
    """Return the number of whitespace-separated words in a conversation (a stand-in token count).

    Args:
        messages: The conversation.

    Returns:
        Total word count of the message texts.
    """
    return sum(len(message.text.split()) for message in messages)


def scripted_output(text: str, input_tokens: int = 0) -> ModelOutput:
    """Return a model output with the given text and word-count token usage.

    Args:
        text: The completion.
        input_tokens: Tokens to record for the input.

    Returns:
        A ``ModelOutput`` with ``usage`` set.
    """
    output_tokens = len(text.split())
    return ModelOutput(
        model="mockllm/model",
        choices=[
            ChatCompletionChoice(message=ChatMessageAssistant(content=text, model="mockllm/model"), stop_reason="stop")
        ],
        usage=ModelUsage(
            input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
        ),
    )


def scripted_model(
    reply: ReplyFunction | str, *, latency: float = 0.0, fail_every: int = 0, name: str = "model"
) -> Model:
    """Return a mock model whose replies come from a function of the conversation.

    Args:
        reply: A fixed reply, or a function from the conversation to the reply text.
        latency: Seconds to sleep per call (for throughput benchmarks).
        fail_every: When positive, every ``fail_every``-th call raises a transient
            ``ConnectionError`` before replying (for retry tests).
        name: Model name after ``mockllm/`` (tells scripted systems apart in logs and reports).

    Returns:
        A ``mockllm/<name>`` instance that is not memoized.
    """
    calls = 0

    async def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        nonlocal calls
        calls += 1
        if fail_every and calls % fail_every == 0:
            raise ConnectionError(f"scripted transient failure on call {calls}")
        if latency:
            await asyncio.sleep(latency)
        text = reply(messages) if callable(reply) else reply
        return scripted_output(text, word_count(messages))

    return get_model(f"mockllm/{name}", custom_outputs=outputs, memoize=False)
