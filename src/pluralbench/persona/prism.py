"""Loader for the public PRISM alignment dataset (Kirk et al. 2024, arXiv 2404.16019).

PERSONA draws its prompts from PRISM's ``conversations`` subset: the opening prompts of the
values-guided and controversy-guided conversations, kept when they contain a question mark
and have at least five words. An optional model-based filter keeps only prompts a model
judges contested. Every excluded record is counted by reason, never silently dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import Model
from pydantic import BaseModel, ConfigDict

from pluralbench._replies import ReplyParseError, parse_json_reply
from pluralbench.persona.prompts import CONTROVERSY_CHECK

from .data import Question, passes_persona_filter

PRISM_DATASET = "HannahRoseKirk/prism-alignment"
PRISM_CONFIG = "conversations"
GUIDED_TYPES: tuple[str, ...] = ("values guided", "controversy guided")


class PrismConversation(BaseModel):
    """The fields of a PRISM ``conversations`` record that the loader reads."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: str
    conversation_type: str
    opening_prompt: str


class ControversyVerdict(BaseModel):
    """Structured reply of the controversy filter."""

    model_config = ConfigDict(extra="ignore")

    contested: bool


@dataclass
class PrismSelection:
    """Questions kept from PRISM, and how many records were excluded for each reason."""

    questions: list[Question]
    excluded: Counter[str] = field(default_factory=Counter)


def questions_from_prism_records(
    records: Iterable[Mapping[str, Any]], conversation_types: tuple[str, ...] = GUIDED_TYPES
) -> PrismSelection:
    """Select PERSONA questions from PRISM conversation records.

    Args:
        records: Records of the ``conversations`` subset.
        conversation_types: Conversation types whose opening prompts are used.

    Returns:
        The kept questions (id = conversation id, topic = conversation type) and exclusion counts.
    """
    selection = PrismSelection(questions=[])
    seen: set[str] = set()
    for record in records:
        conversation = PrismConversation.model_validate(record)
        prompt = conversation.opening_prompt.strip()
        if conversation.conversation_type not in conversation_types:
            selection.excluded[f"conversation type '{conversation.conversation_type}'"] += 1
        elif not passes_persona_filter(prompt):
            selection.excluded["no question mark or fewer than 5 words"] += 1
        elif prompt.lower() in seen:
            selection.excluded["duplicate prompt"] += 1
        else:
            seen.add(prompt.lower())
            topic = conversation.conversation_type.replace(" ", "_")
            selection.questions.append(Question(question_id=conversation.conversation_id, question=prompt, topic=topic))
    return selection


def load_prism_questions() -> PrismSelection:
    """Download PRISM's conversations from the Hugging Face hub and select PERSONA questions.

    Returns:
        The selection (needs network access on first use; cached by ``datasets`` afterwards).
    """
    from datasets import load_dataset

    rows = load_dataset(PRISM_DATASET, PRISM_CONFIG, split="train")
    return questions_from_prism_records(rows)


async def filter_contested(selection: PrismSelection, model: Model) -> PrismSelection:
    """Keep only the questions a model judges contested (people of different backgrounds disagree).

    Args:
        selection: Questions selected by the rule-based filter.
        model: The model that judges each question.

    Returns:
        A new selection; rejected and unreadable verdicts are counted in ``excluded``.
    """
    kept: list[Question] = []
    excluded = Counter(selection.excluded)
    for question in selection.questions:
        output = await model.generate(CONTROVERSY_CHECK.format(question=question.question))
        try:
            contested = parse_json_reply(output.completion, ControversyVerdict).contested
        except ReplyParseError:
            excluded["controversy verdict unreadable"] += 1
            continue
        if contested:
            kept.append(question)
        else:
            excluded["judged not contested"] += 1
    return PrismSelection(questions=kept, excluded=excluded)
