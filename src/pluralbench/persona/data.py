"""Loading persona and question files, and pairing personas with questions."""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pluralbench._errors import InputError
from pluralbench._files import bundled_path, read_jsonl_models
from pluralbench.personas import Persona

BUNDLED_PERSONAS = "personas.jsonl"
BUNDLED_QUESTIONS = "questions.jsonl"


class Question(BaseModel):
    """One line of a question file: a value-laden prompt a person might ask."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    topic: str | None = None


def passes_persona_filter(text: str) -> bool:
    """Return whether a prompt passes PERSONA's question filter.

    The PERSONA paper keeps prompts that contain a question mark and have at least five words.

    Args:
        text: The prompt.

    Returns:
        True when the prompt has a question mark and at least five words.
    """
    return "?" in text and len(text.split()) >= 5


def load_personas(path: str | Path | None = None) -> list[Persona]:
    """Load a persona JSONL file (the bundled personas by default).

    Args:
        path: A user persona file; ``None`` for the bundled personas.

    Returns:
        The personas in file order.

    Raises:
        InputError: On a malformed line, unknown attribute, wrong type or duplicate id.
    """
    return read_jsonl_models(
        path or bundled_path(BUNDLED_PERSONAS), Persona, "persona file", id_of=lambda p: p.persona_id
    )


def load_questions(path: str | Path | None = None) -> list[Question]:
    """Load a question JSONL file (the bundled questions by default).

    Args:
        path: A user question file; ``None`` for the bundled questions.

    Returns:
        The questions in file order.

    Raises:
        InputError: On a malformed line, empty question or duplicate id.
    """

    def blank(question: Question) -> list[str]:
        return ["field 'question': is blank"] if not question.question.strip() else []

    return read_jsonl_models(
        path or bundled_path(BUNDLED_QUESTIONS), Question, "question file", id_of=lambda q: q.question_id, check=blank
    )


def pair_personas_with_questions(
    personas: list[Persona], questions: list[Question], n: int, seed: int
) -> list[tuple[Persona, Question]]:
    """Draw ``n`` distinct (persona, question) pairs uniformly at random.

    Pairs are drawn from the full cross product with a seeded generator, so row ``i`` of
    one file is not tied to row ``i`` of the other and equal seeds give equal pairs.

    Args:
        personas: Personas to draw from.
        questions: Questions to draw from.
        n: Number of pairs.
        seed: Seed of the draw.

    Returns:
        The pairs, in draw order.

    Raises:
        InputError: If ``n`` is not positive or exceeds the number of distinct pairs.
    """
    total = len(personas) * len(questions)
    if n < 1:
        raise InputError(f"option n={n}: must be at least 1")
    if n > total:
        raise InputError(f"option n={n}: only {total} distinct persona-question pairs are available")
    picks = random.Random(seed).sample(range(total), n)
    return [(personas[i // len(questions)], questions[i % len(questions)]) for i in picks]
