"""Loader for the public PRISM alignment dataset (Kirk et al. 2024, arXiv 2404.16019).

PERSONA draws its prompts from PRISM's ``conversations`` subset: the opening prompts of the
values-guided and controversy-guided conversations, kept when they contain a question mark
and have at least five words. An optional model-based filter keeps only prompts a model
judges contested. Every excluded record is counted by reason, never silently dropped.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import Model
from pydantic import BaseModel, ConfigDict, ValidationError

from pluralbench._errors import InputError
from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench._files import describe_validation_error
from pluralbench._replies import ReplyParseError, parse_json_reply
from pluralbench.persona.prompts import CONTROVERSY_CHECK, QUESTION_LABEL

from .data import Question, passes_persona_filter

PRISM_FILTER_DATASET = "SynthLabsAI/PRISM-Filter"
"""persona-bench's prompts: PRISM prompts it kept, one ``question`` field per row, no id (train split)."""
PRISM_FILTER_REVISION = "main"
"""Hub revision of PRISM-Filter loaded. Not yet a commit SHA (the hub could not be reached where
this was written); the revision loaded is recorded in the task metadata (``question_source``)."""
PRISM_FILTER_ID_PREFIX = "prism-filter-"
PRISM_DATASET = "HannahRoseKirk/prism-alignment"
PRISM_CONFIG = "conversations"
GUIDED_TYPES: tuple[str, ...] = ("values guided", "controversy guided")


class PrismConversation(BaseModel):
    """The fields of a PRISM ``conversations`` record that the loader reads."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: str
    conversation_type: str
    opening_prompt: str


class PrismFilterRow(BaseModel):
    """A row of PRISM-Filter: only its ``question`` is read."""

    model_config = ConfigDict(extra="ignore")

    question: str


class ControversyVerdict(BaseModel):
    """Structured reply of the controversy filter (strict JSON types: ``contested`` a JSON boolean)."""

    model_config = ConfigDict(extra="ignore", strict=True)

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


def questions_from_prism_filter_records(records: Iterable[Mapping[str, Any]]) -> PrismSelection:
    """Read PRISM-Filter rows as questions, ids derived from the row (``prism-filter-000001``).

    The rows were already filtered by persona-bench, so no rule is applied again; blank rows
    are counted and left out. PRISM questions carry no premise about the asker.

    Args:
        records: The rows of the ``train`` split.

    Returns:
        The questions (no topic, no premise) and the count of blank rows.

    Raises:
        InputError: For a row without a text ``question`` field.
    """
    selection = PrismSelection(questions=[])
    for row, record in enumerate(records, start=1):
        try:
            text = PrismFilterRow.model_validate(record).question.strip()
        except ValidationError as error:
            raise InputError(f"{PRISM_FILTER_DATASET}, row {row}: {describe_validation_error(error)}") from error
        if not text:
            selection.excluded["blank question"] += 1
            continue
        selection.questions.append(Question(question_id=f"{PRISM_FILTER_ID_PREFIX}{row:06d}", question=text))
    return selection


def load_prism_filter_questions() -> PrismSelection:
    """Download PRISM-Filter (persona-bench's prompts, ``train`` split) and read its questions.

    Returns:
        The selection (needs network access on first use; cached by ``datasets`` afterwards).
    """
    from datasets import load_dataset

    rows = load_dataset(PRISM_FILTER_DATASET, split="train", revision=PRISM_FILTER_REVISION)
    return questions_from_prism_filter_records(rows)


def filter_contested_now(selection: PrismSelection, judge: Callable[[], Model]) -> PrismSelection:
    """Run :func:`filter_contested` to completion from synchronous code (a task factory).

    The filter runs on its own event loop in a worker thread, so it works whether or not the
    caller is inside a running loop; the judge is built in that thread so its client belongs
    to that loop.

    Args:
        selection: Questions to filter.
        judge: Returns the model that judges each question.

    Returns:
        The filtered selection.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(filter_contested(selection, judge()))).result()


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
        nonce = new_nonce()
        prompt = CONTROVERSY_CHECK.format(
            notice=untrusted_notice(nonce), question=fence(QUESTION_LABEL, question.question, nonce)
        )
        output = await model.generate(prompt)
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
