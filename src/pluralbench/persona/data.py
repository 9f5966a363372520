"""Loading persona and question files, and pairing personas with questions.

Persona files come in two layouts: ours (JSONL, ``persona_id`` and snake_case attributes) and
persona-bench's as shipped (JSONL or a JSON array, its spaced attribute names, no id; see
:mod:`pluralbench.personas._persona_bench`). Question files may omit ``question_id`` on every
line (ids are then derived from the row: ``q-000001``) and may state a ``requires`` premise
about the asker (``{"sex": ["Female"]}``, ``{"age": [16, 50]}``); pairing draws only personas
that fit it, and counts the pairs it excludes.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from pluralbench._errors import InputError
from pluralbench._files import bundled_path, read_json_file, read_jsonl_models, read_text_file, split_lines
from pluralbench.personas import NUMERIC_ATTRIBUTES, Persona
from pluralbench.personas._persona_bench import (
    PERSONA_BENCH_NAMES,
    is_persona_bench_record,
    load_synthetic_personas,
    persona_from_persona_bench,
)

BUNDLED_PERSONAS = "personas.jsonl"
BUNDLED_QUESTIONS = "questions.jsonl"
SYNTHETIC_PERSONAS_OPTION = "synthetic-personas"
DERIVED_QUESTION_PREFIX = "q-"
PERSONA_LAYOUTS = (
    "pluralbench (JSONL: 'persona_id' plus snake_case attributes such as 'household_language') or "
    "persona-bench (JSONL or a JSON array of records with its spaced attribute names such as "
    "'household language', no id)"
)

PREMISE_ATTRIBUTES: tuple[str, ...] = (
    "age",
    "income",
    "sex",
    "marital_status",
    "family_presence_and_age",
    "household_type",
    "employment_status",
    "class_of_worker",
    "education",
    "religion",
    "place_of_birth",
    "citizenship",
    "veteran_status",
    "fertility",
)
"""Attributes a question premise may name: the numeric ones (as ``[min, max]``) and the closed
census categories, whose values are checked against the bundled personas' values."""


@functools.cache
def premise_vocabulary() -> dict[str, frozenset[str]]:
    """Return the values each categorical premise attribute takes in the bundled personas.

    Returns:
        Attribute name to its set of values.
    """
    vocabulary: dict[str, set[str]] = {name: set() for name in PREMISE_ATTRIBUTES if name not in NUMERIC_ATTRIBUTES}
    for persona in load_personas():
        for name, values in vocabulary.items():
            if (value := getattr(persona, name)) is not None:
                values.add(str(value))
    return {name: frozenset(values) for name, values in vocabulary.items()}


def check_premise(requires: Mapping[str, Sequence[str | int]]) -> list[str]:
    """Return the problems of a ``requires`` premise (empty when it is valid).

    Args:
        requires: Attribute name to allowed values, or ``[min, max]`` for a numeric attribute.

    Returns:
        One message per problem.
    """
    problems: list[str] = []
    vocabulary = premise_vocabulary()
    for name, allowed in requires.items():
        if name not in PREMISE_ATTRIBUTES:
            problems.append(f"'{name}' cannot be a premise; use one of {', '.join(PREMISE_ATTRIBUTES)}")
        elif name in NUMERIC_ATTRIBUTES:
            bounds = [v for v in allowed if type(v) is int]
            if len(allowed) != 2 or len(bounds) != 2 or bounds[0] > bounds[1]:
                problems.append(f"'{name}' needs [min, max] whole numbers with min <= max, not {list(allowed)}")
        elif not allowed:
            problems.append(f"'{name}' lists no values")
        else:
            unknown = [v for v in allowed if not isinstance(v, str) or v not in vocabulary[name]]
            if unknown:
                problems.append(
                    f"'{name}' has unknown value(s) {unknown}; known: {', '.join(sorted(vocabulary[name]))}"
                )
    return problems


class Question(BaseModel):
    """One question: a value-laden prompt a person might ask, and what it presupposes about them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    topic: str | None = None
    requires: dict[str, list[StrictStr] | list[StrictInt]] | None = None
    """The asker's premise (``"My husband died"``: ``{"marital_status": ["Widowed"], "sex": ["Female"]}``);
    ``None`` when the question fits anyone."""

    @field_validator("requires")
    @classmethod
    def _valid_premise(cls, value: dict[str, list[str] | list[int]] | None) -> dict[str, list[str] | list[int]] | None:
        if value is not None and (problems := check_premise(value)):
            raise ValueError("; ".join(problems))
        return value or None

    def fits(self, persona: Persona) -> bool:
        """Return whether a persona can ask the question: it has every required attribute, within its premise.

        Args:
            persona: The persona.

        Returns:
            True when there is no premise, or every premise attribute is present and allowed.
        """
        for name, allowed in (self.requires or {}).items():
            value = getattr(persona, name)
            if value is None:
                return False
            if name in NUMERIC_ATTRIBUTES:
                if not allowed[0] <= value <= allowed[1]:
                    return False
            elif str(value) not in allowed:
                return False
        return True


class QuestionLine(BaseModel):
    """One line of a question file as written: ``question_id`` may be left out on every line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str | None = Field(default=None, min_length=1)
    question: str = Field(min_length=1)
    topic: str | None = None
    requires: dict[str, list[StrictStr] | list[StrictInt]] | None = None

    @field_validator("requires")
    @classmethod
    def _valid_premise(cls, value: dict[str, list[str] | list[int]] | None) -> dict[str, list[str] | list[int]] | None:
        if value is not None and (problems := check_premise(value)):
            raise ValueError("; ".join(problems))
        return value or None


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
    """Load a persona file (the bundled personas by default) in our layout or persona-bench's.

    Args:
        path: A user persona file; ``None`` for the bundled personas.

    Returns:
        The personas in file order (persona-bench records get ids ``pb-000001``... by row).

    Raises:
        InputError: On a malformed line, unknown attribute, wrong type, duplicate id, or a file
            that fits neither layout.
    """
    path = path or bundled_path(BUNDLED_PERSONAS)
    if str(path).endswith(".json"):
        raw: Any = read_json_file(path, "persona file")
        if not isinstance(raw, list) or not all(isinstance(r, dict) and is_persona_bench_record(r) for r in raw):
            raise InputError(f"persona file {path}: fits none of the layouts: {PERSONA_LAYOUTS}")
        return [
            persona_from_persona_bench(record, row, f"persona file {path}, record {row}")
            for row, record in enumerate(raw, start=1)
        ]
    lines = [(number, line) for number, line in enumerate(split_lines(read_text_file(path, "persona file")), 1)]
    records = [(number, line) for number, line in lines if line.strip()]
    first = _json_object(records[0][1]) if records else None
    if first is not None and "persona_id" not in first:
        if not is_persona_bench_record(first):
            unknown = sorted(key for key in first if key not in PERSONA_BENCH_NAMES)
            raise InputError(
                f"persona file {path}: fits none of the layouts: {PERSONA_LAYOUTS} "
                f"(line {records[0][0]} has no 'persona_id' and unknown keys {unknown})"
            )
        return _persona_bench_lines(path, records)
    return read_jsonl_models(path, Persona, "persona file", id_of=lambda p: p.persona_id)


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _persona_bench_lines(path: str | Path, records: list[tuple[int, str]]) -> list[Persona]:
    personas = []
    for row, (number, line) in enumerate(records, start=1):
        where = f"persona file {path}, line {number}"
        record = _json_object(line)
        if record is None:
            raise InputError(f"{where}: not a JSON object")
        if "persona_id" in record:
            raise InputError(f"{where}: has 'persona_id' but line {records[0][0]} is in persona-bench's layout (no id)")
        personas.append(persona_from_persona_bench(record, row, where))
    return personas


def load_persona_option(option: str | None) -> tuple[list[Persona], dict[str, Any]]:
    """Load the ``personas`` option: a file, ``synthetic-personas[:split]`` (the hub), or bundled.

    Args:
        option: A persona file path, ``synthetic-personas`` / ``synthetic-personas:test``, or ``None``.

    Returns:
        The personas and a description of their source for the task metadata.

    Raises:
        InputError: For a file that cannot be read (see :func:`load_personas`) or an unknown split.
    """
    if option is not None and (
        option == SYNTHETIC_PERSONAS_OPTION or option.startswith(SYNTHETIC_PERSONAS_OPTION + ":")
    ):
        _, _, split = option.partition(":")
        return load_synthetic_personas(split or "train")
    personas = load_personas(option)
    return personas, {"file": str(option or BUNDLED_PERSONAS), "rows": len(personas)}


def load_questions(path: str | Path | None = None) -> list[Question]:
    """Load a question JSONL file (the bundled questions by default).

    Every line has a ``question_id``, or none does: ids are then derived from the row
    (``q-000001`` is the first question).

    Args:
        path: A user question file; ``None`` for the bundled questions.

    Returns:
        The questions in file order.

    Raises:
        InputError: On a malformed line, empty question, invalid premise, duplicate id, or a
            file where only some lines have ids.
    """
    path = path or bundled_path(BUNDLED_QUESTIONS)

    def blank(line: QuestionLine) -> list[str]:
        return ["field 'question': is blank"] if not line.question.strip() else []

    lines = read_jsonl_models(path, QuestionLine, "question file", check=blank)
    with_ids = [line.question_id is not None for line in lines]
    if any(with_ids) and not all(with_ids):
        row = with_ids.index(False) + 1
        raise InputError(
            f"question file {path}: question {row} has no 'question_id' but others do; give every line an id or none"
        )
    questions = [
        Question(
            question_id=line.question_id or f"{DERIVED_QUESTION_PREFIX}{row:06d}",
            question=line.question,
            topic=line.topic,
            requires=line.requires,
        )
        for row, line in enumerate(lines, start=1)
    ]
    seen: dict[str, int] = {}
    for row, question in enumerate(questions, start=1):
        if question.question_id in seen:
            raise InputError(
                f"question file {path}: duplicate id '{question.question_id}' (questions {seen[question.question_id]} and {row})"
            )
        seen[question.question_id] = row
    return questions


def _excluded_by_persona(personas: Sequence[Persona], questions: Sequence[Question]) -> list[frozenset[int]]:
    """Return, for each persona, the indices of the questions whose premise it does not fit."""
    constrained = [(i, q) for i, q in enumerate(questions) if q.requires]
    return [frozenset(i for i, q in constrained if not q.fits(p)) for p in personas]


def premise_exclusions(personas: Sequence[Persona], questions: Sequence[Question]) -> dict[str, Any]:
    """Count the (persona, question) pairs that question premises exclude from the draw.

    Args:
        personas: The persona pool.
        questions: The questions.

    Returns:
        ``questions_with_premise``, ``pairs_total``, ``pairs_excluded`` and, per question with a
        premise, the personas of the pool that do not fit it (``excluded_by_question``).
    """
    excluded = _excluded_by_persona(personas, questions)
    by_question = {q.question_id: sum(1 for e in excluded if i in e) for i, q in enumerate(questions) if q.requires}
    return {
        "questions_with_premise": len(by_question),
        "pairs_total": len(personas) * len(questions),
        "pairs_excluded": sum(by_question.values()),
        "excluded_by_question": by_question,
    }


def available_pairs(personas: Sequence[Persona], questions: Sequence[Question]) -> int:
    """Return the number of (persona, question) pairs whose persona fits the question's premise.

    Args:
        personas: The personas.
        questions: The questions.

    Returns:
        The count.
    """
    return len(personas) * len(questions) - sum(len(e) for e in _excluded_by_persona(personas, questions))


def pair_personas_with_questions(
    personas: Sequence[Persona], questions: Sequence[Question], n: int, seed: int
) -> list[tuple[Persona, Question]]:
    """Draw ``n`` distinct (persona, question) pairs uniformly at random among the pairs that fit.

    Pairs are drawn from the cross product, without the pairs whose persona does not fit the
    question's premise (:meth:`Question.fits`), with a seeded generator, so row ``i`` of one
    file is not tied to row ``i`` of the other and equal seeds give equal pairs. Without
    premises the draw is the same as over the whole cross product.

    Args:
        personas: Personas to draw from.
        questions: Questions to draw from.
        n: Number of pairs.
        seed: Seed of the draw.

    Returns:
        The pairs, in draw order.

    Raises:
        InputError: If ``n`` is not positive or exceeds the number of distinct fitting pairs.
    """
    excluded = _excluded_by_persona(personas, questions)
    counts = [len(questions) - len(e) for e in excluded]
    total = sum(counts)
    if n < 1:
        raise InputError(f"option n={n}: must be at least 1")
    if n > total:
        dropped = len(personas) * len(questions) - total
        raise InputError(
            f"option n={n}: only {total} distinct persona-question pairs are available"
            + (f" ({dropped} excluded by question premises)" if dropped else "")
        )
    picks = random.Random(seed).sample(range(total), n)
    ends = list(itertools.accumulate(counts))
    pairs = []
    for pick in picks:
        p = bisect.bisect_right(ends, pick)
        offset = pick - (ends[p - 1] if p else 0)
        if excluded[p]:
            offset = [i for i in range(len(questions)) if i not in excluded[p]][offset]
        pairs.append((personas[p], questions[offset]))
    return pairs
