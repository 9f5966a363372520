"""Scripted answerers and judges for PERSONA task tests, and readers of the critic's dict scores."""

from __future__ import annotations

import math
import re

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
from inspect_ai.scorer import Score
from inspect_ai.tool import ToolChoice, ToolInfo

from replies import APPROVE, REJECT


def prompt_of(messages: list[ChatMessage]) -> str:
    return "\n".join(message.text for message in messages)


def fenced_section(prompt: str, label: str) -> str:
    match = re.search(rf"\[BEGIN {label} (\w+)\]\n(.*?)\n\[END {label} \1\]", prompt, flags=re.DOTALL)
    assert match, f"no {label} section in judge prompt"
    return match.group(2)


def personalization(score: Score) -> float:
    """The critic's ``personalization`` value of a score (NaN when unscored)."""
    assert isinstance(score.value, dict), score.value
    return float(score.value["personalization"])


def is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def answer_mentioning_religion(messages: list[ChatMessage]) -> str:
    """Personalizes (says TAILORED) only when the answering model is shown the persona's religion."""
    system = messages[0].text if messages[0].role == "system" else ""
    return "<answer>TAILORED advice</answer>" if "Religion:" in system else "<answer>generic advice</answer>"


def critic_approving_tailored(messages: list[ChatMessage]) -> str:
    answer = fenced_section(prompt_of(messages), "ANSWER")
    return APPROVE if "TAILORED" in answer else REJECT


def is_easy(messages: list[ChatMessage]) -> bool:
    """About half of the pairs, fixed per pair: the persona's age is even (prompts carry random fence tokens)."""
    match = re.search(r"Age: (\d+)", prompt_of(messages))
    assert match, "no age in the prompt"
    return int(match.group(1)) % 2 == 0


def reasoner_never_closing_on_hard(messages: list[ChatMessage]) -> str:
    """chain_of_thought: a tailored answer on easy questions; on hard ones reasoning that never closes."""
    if is_easy(messages):
        return "<reasoning>They care about X.</reasoning>\n<answer>TAILORED advice</answer>"
    return "<reasoning>Let me think about this person. On the one hand... and on the other hand..."


def reasoner_generic_on_hard(messages: list[ChatMessage]) -> str:
    """chain_of_thought: the same model, answering the hard questions generically instead."""
    if is_easy(messages):
        return "<reasoning>They care about X.</reasoning>\n<answer>TAILORED advice</answer>"
    return "<reasoning>Hard to say.</reasoning>\n<answer>generic advice</answer>"


def overflowing_model() -> Model:
    """A model that refuses every prompt as too long, as inspect's providers report it (``model_length``)."""

    async def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        return ModelOutput(
            model="mockllm/model",
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(content="", model="mockllm/model"), stop_reason="model_length"
                )
            ],
            usage=ModelUsage(input_tokens=1, output_tokens=0, total_tokens=1),
        )

    return get_model("mockllm/model", custom_outputs=outputs, memoize=False)
