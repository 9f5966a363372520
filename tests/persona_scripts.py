"""Scripted answerers and judges for PERSONA task tests."""

from __future__ import annotations

import re

from inspect_ai.model import ChatMessage

from replies import APPROVE, REJECT


def prompt_of(messages: list[ChatMessage]) -> str:
    return "\n".join(message.text for message in messages)


def fenced_section(prompt: str, label: str) -> str:
    match = re.search(rf"\[BEGIN {label} (\w+)\]\n(.*?)\n\[END {label} \1\]", prompt, flags=re.DOTALL)
    assert match, f"no {label} section in judge prompt"
    return match.group(2)


def answer_mentioning_religion(messages: list[ChatMessage]) -> str:
    """Personalizes (says TAILORED) only when the answering model is shown the persona's religion."""
    system = messages[0].text if messages[0].role == "system" else ""
    return "<answer>TAILORED advice</answer>" if "Religion:" in system else "<answer>generic advice</answer>"


def critic_approving_tailored(messages: list[ChatMessage]) -> str:
    answer = fenced_section(prompt_of(messages), "ANSWER")
    return APPROVE if "TAILORED" in answer else REJECT
