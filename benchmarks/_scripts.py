"""Scripted models for the benchmarks: replies of realistic length, token counts, optional latency.

One reply function serves every task. Structured calls are answered from the JSON schema the
suite asks for (``response_schema``), so a judge, a rater or a batch of statements gets a valid
object without the benchmark knowing the prompt text; free-text calls (PERSONA answers, debate
arguments, single steerability statements) are recognized by the reply format they request.

Latency is an ``await asyncio.sleep``: the call yields to the event loop the way a network call
does, so concurrent calls overlap. Token counts use SmolLM2's tokenizer, unlike
``pluralbench.scripted`` (word counts), so the cost table reads in real tokens.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

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

ANSWER_WORDS = 150
"""Length of a scripted PERSONA answer (a typical short chat answer)."""
PREAMBLE_WORDS = 80
"""Length of a scripted chain-of-thought or demographic summary."""
ARGUMENT_WORDS = 80
"""Length of a scripted debate argument."""
FIELD_WORDS = 30
"""Length of each free-text field in a structured reply (critiques, reasons)."""

_RESPONSE_BLOCK = re.compile(r"\[BEGIN RESPONSE (\d+) ")
_NUMBERED_LINE = re.compile(r"^(\d+)\. ", re.MULTILINE)

Counter = Callable[[str], int]


def filler(words: int) -> str:
    """Return ``words`` words of neutral prose.

    Args:
        words: Number of words.

    Returns:
        The text.
    """
    base = "this reply stands in for what a model would write here so that token counts look real".split()
    return " ".join(base[i % len(base)] for i in range(words))


def _instance(schema: dict[str, Any], prompt: str, name: str) -> Any:
    """Return a value valid against a JSON schema (the subset inspect emits for pydantic models)."""
    kind = schema.get("type")
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        return {key: _instance(sub, prompt, name) for key, sub in properties.items()}
    if kind == "array":
        item = schema.get("items", {})
        numbers = sorted({int(n) for n in _RESPONSE_BLOCK.findall(prompt)}) or [1]
        if name == "comparative_ratings":
            return [{**_instance(item, prompt, name), "response": number} for number in numbers]
        return [_instance(item, prompt, name)]
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return min(max(50.0, float(schema.get("minimum", 0))), float(schema.get("maximum", 100)))
    return filler(FIELD_WORDS)


def bench_reply(messages: list[ChatMessage], config: GenerateConfig) -> str:
    """Return a plausible reply to any call the suite makes.

    Args:
        messages: The conversation.
        config: The call's generation config (its ``response_schema`` names structured calls).

    Returns:
        The reply text.
    """
    prompt = messages[-1].text if messages else ""
    schema = config.response_schema
    if schema is not None:
        raw = schema.json_schema.model_dump(exclude_none=True)
        return json.dumps(_instance(raw, prompt, schema.name))
    if "<answer>" in prompt:
        parts = []
        for tag in ("reasoning", "summary"):
            if f"<{tag}>" in prompt:
                parts.append(f"<{tag}>{filler(PREAMBLE_WORDS)}</{tag}>")
        return "".join(parts) + f"<answer>{filler(ANSWER_WORDS)}</answer>"
    if "one letter" in prompt:
        return "Y"
    if _NUMBERED_LINE.search(prompt) and "JSON" in prompt:
        return json.dumps({number: True for number in _NUMBERED_LINE.findall(prompt)})
    return filler(ARGUMENT_WORDS)


def word_counter(text: str) -> int:
    """Count whitespace-separated words (the fallback token count).

    Args:
        text: The text.

    Returns:
        The number of words.
    """
    return len(text.split())


def smollm2_counter() -> tuple[Counter, str]:
    """Return a token counter with SmolLM2's BPE tokenizer, or the word counter when unavailable.

    Returns:
        The counter and a short name of what it counts.
    """
    spec = find_spec("llama_cpp")
    if spec is None:
        return word_counter, "words"
    try:
        from llama_cpp import Llama

        from pluralbench.model import bundled_smollm2_path

        vocab = Llama(model_path=str(bundled_smollm2_path()), vocab_only=True, verbose=False)
    except Exception:  # noqa: BLE001 (any failure to load the tokenizer falls back to words)
        return word_counter, "words"

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0

    return count, "SmolLM2 tokens"


def bench_model(latency: float = 0.0, count: Counter = word_counter) -> Model:
    """Return a mock model answering with :func:`bench_reply`.

    Args:
        latency: Seconds each call waits (asynchronously) before replying.
        count: Token counter for the usage recorded on each output.

    Returns:
        A ``mockllm/model`` instance, not memoized.
    """

    async def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        if latency:
            await asyncio.sleep(latency)
        text = bench_reply(messages, config)
        input_tokens = sum(count(message.text) for message in messages)
        output_tokens = count(text)
        return ModelOutput(
            model="mockllm/model",
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(content=text, model="mockllm/model"), stop_reason="stop"
                )
            ],
            usage=ModelUsage(
                input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
            ),
        )

    return get_model("mockllm/model", custom_outputs=outputs, memoize=False)
