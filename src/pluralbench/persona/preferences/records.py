"""Preference-pair files: one layout read by the task and the quality check, and the generator's rows.

A preference pair is a question asked by one persona and two answers, ``chosen`` (the one this
person prefers) and ``rejected``. Two layouts share one schema, :class:`PreferencePair`:

- the bundled layout (``persona_preferences.jsonl``): ``pair_id``, ``question_id``, ``persona_id``,
  ``contrast_persona_id``, ``attribute``, and ``chosen`` / ``rejected`` as plain text;
- the generated layout (:class:`GeneratedPair`, written by ``python -m pluralbench.generate
  preferences``): TRL's conversational preference format, ``prompt`` a message list (the persona
  as the system message, then the question) and ``chosen`` / ``rejected`` one assistant message
  each, plus provenance fields.

Human-labelled pairs use either layout. Persona and question ids refer to a persona file and a
question file (the bundled ones by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pluralbench._files import bundled_path, read_jsonl_models
from pluralbench._text import normalize_statement
from pluralbench.persona.data import Question
from pluralbench.personas import PERSONA_ATTRIBUTES, Persona

BUNDLED_PREFERENCES = "persona_preferences.jsonl"

AnswerSource = Literal["persona", "contrast", "no_persona"]
"""Whom an answer was written for: the asking persona, a contrasting persona, or nobody in particular."""


class ChatTurn(BaseModel):
    """One chat message of a conversational preference row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


Answer = str | list[ChatTurn]
"""An answer as plain text, or as a one-message list of the assistant's turn."""


def answer_text(answer: Answer) -> str:
    """Return the text of an answer in either layout.

    Args:
        answer: Plain text, or a list holding one assistant message.

    Returns:
        The answer's text.
    """
    return answer if isinstance(answer, str) else answer[0].content


def _check_answer(value: Answer) -> Answer:
    if isinstance(value, list) and (len(value) != 1 or value[0].role != "assistant"):
        raise ValueError("must be a string or a list of exactly one assistant message")
    if not answer_text(value).strip():
        raise ValueError("is blank")
    return value


class PreferencePair(BaseModel):
    """One line of a preference file, in the bundled or the generated layout."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pair_id: str = Field(min_length=1)
    question_id: str = Field(min_length=1)
    persona_id: str = Field(min_length=1)
    contrast_persona_id: str | None = None
    """The persona the rejected answer was written for, when it was written for one."""
    attribute: str | None = None
    """The persona attribute on which the asker and the contrast persona differ and that matters here."""
    prompt: list[ChatTurn] | None = None
    chosen: Answer
    rejected: Answer
    chosen_source: AnswerSource | None = None
    rejected_source: AnswerSource | None = None
    feedback: list[str] | str | None = None
    writer_model: str | None = None
    judge_model: str | None = None
    consistent: bool | None = None
    """Whether the preference held in both answer orders (generated pairs); ``False`` rows are not evaluated."""

    @field_validator("chosen", "rejected")
    @classmethod
    def _usable_answer(cls, value: Answer) -> Answer:
        return _check_answer(value)

    @field_validator("attribute")
    @classmethod
    def _known_attribute(cls, value: str | None) -> str | None:
        if value is not None and value not in PERSONA_ATTRIBUTES:
            raise ValueError(f"'{value}' is not a persona attribute")
        return value

    @property
    def chosen_text(self) -> str:
        """The chosen answer's text."""
        return answer_text(self.chosen)

    @property
    def rejected_text(self) -> str:
        """The rejected answer's text."""
        return answer_text(self.rejected)


class GeneratedPair(BaseModel):
    """One row written by the preference generator (TRL's conversational preference format plus provenance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pair_id: str
    prompt: list[ChatTurn]
    """The persona rendered as the system message, then the question as the user message."""
    chosen: list[ChatTurn]
    rejected: list[ChatTurn]
    persona_id: str
    question_id: str
    contrast_persona_id: str | None
    attribute: str | None
    chosen_source: AnswerSource
    rejected_source: AnswerSource
    feedback: list[str]
    """The judge's reasons, one per answer order (the pair's own order first, then swapped)."""
    writer_model: str
    judge_model: str
    consistent: bool


def reference_problems(
    pair: PreferencePair, personas: Mapping[str, Persona], questions: Mapping[str, Question]
) -> list[str]:
    """Return the problems of a pair's ids and answers that make it unusable for evaluation.

    Args:
        pair: The pair.
        personas: Known personas by id.
        questions: Known questions by id.

    Returns:
        Problems naming the field; empty when the pair can be evaluated.
    """
    problems = []
    if pair.question_id not in questions:
        problems.append(f"field 'question_id': unknown question '{pair.question_id}'")
    if pair.persona_id not in personas:
        problems.append(f"field 'persona_id': unknown persona '{pair.persona_id}'")
    if pair.contrast_persona_id is not None and pair.contrast_persona_id not in personas:
        problems.append(f"field 'contrast_persona_id': unknown persona '{pair.contrast_persona_id}'")
    if normalize_statement(pair.chosen_text) == normalize_statement(pair.rejected_text):
        problems.append("fields 'chosen' and 'rejected': the two answers are the same")
    return problems


def load_preference_pairs(
    path: str | Path | None,
    personas: Mapping[str, Persona],
    questions: Mapping[str, Question],
) -> list[PreferencePair]:
    """Load a preference file (the bundled pairs by default), checking every id it refers to.

    Args:
        path: A preference JSONL file; ``None`` for the bundled pairs.
        personas: Known personas by id.
        questions: Known questions by id.

    Returns:
        The pairs in file order.

    Raises:
        InputError: On a malformed line, unknown field, blank or identical answers, unknown id or
            duplicate ``pair_id``, naming the file and line.
    """

    def check(pair: PreferencePair) -> list[str]:
        return reference_problems(pair, personas, questions)

    return read_jsonl_models(
        path or bundled_path(BUNDLED_PREFERENCES),
        PreferencePair,
        "preference file",
        id_of=lambda pair: pair.pair_id,
        check=check,
    )
