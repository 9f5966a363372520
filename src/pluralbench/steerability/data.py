"""Steerability data: framework personas and their agree/disagree statements, in two layouts.

Our layout (bundled) is two JSONL files: ``framework_personas.jsonl`` (one persona a line) and
``statements.jsonl`` (one statement a line, pointing at its persona). The original benchmark's
layout is a ``statements.csv`` that repeats the persona's columns on every row, with an optional
``personas.csv`` beside it; its ``persona_description`` column holds the persona's label (e.g.
``INTJ``), which becomes both the label and the description here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pluralbench._errors import InputError
from pluralbench._files import (
    bundled_path,
    describe_validation_error,
    read_jsonl_models,
    read_text_file,
    split_lines,
)
from pluralbench.steerability.types import FrameworkPersona, Statement

BUNDLED_PERSONAS = "framework_personas.jsonl"
BUNDLED_STATEMENTS = "statements.jsonl"
ORIGINAL_STATEMENTS = "statements.csv"
ORIGINAL_PERSONAS = "personas.csv"

RowT = TypeVar("RowT", bound=BaseModel)


class OriginalPersonaRow(BaseModel):
    """One row of the original benchmark's ``personas.csv``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    persona_id: str = Field(min_length=1)
    framework_name: str = Field(min_length=1)
    framework_description: str = Field(min_length=1)
    persona_description: str = Field(min_length=1)

    def to_persona(self) -> FrameworkPersona:
        """Return the persona in our layout (the description column is the label)."""
        return FrameworkPersona(
            persona_id=self.persona_id,
            framework=self.framework_name,
            framework_description=self.framework_description,
            label=self.persona_description,
            description=self.persona_description,
        )


class OriginalStatementRow(OriginalPersonaRow):
    """One row of the original benchmark's ``statements.csv`` (persona columns repeated)."""

    statement: str = Field(min_length=1)
    statement_id: str = Field(min_length=1)
    is_agree: bool

    def to_statement(self) -> Statement:
        """Return the statement in our layout."""
        return Statement(
            statement_id=self.statement_id, persona_id=self.persona_id, statement=self.statement, agree=self.is_agree
        )


@dataclass(frozen=True)
class SteerabilityData:
    """Personas with their statements, ready for sample building.

    Attributes:
        personas: Personas that have statements, by id, in file order.
        statements: Each persona's statements, in file order.
        source: Where the data came from (for messages and the log).
        listed: Every persona id of the persona file (``personas.csv`` when the original layout
            has one, else the order of first appearance in the statements), with or without
            statements: the rows the original samples personas from.
    """

    personas: dict[str, FrameworkPersona]
    statements: dict[str, list[Statement]]
    source: str
    listed: tuple[str, ...] = ()


def _csv_rows(path: Path, model: type[RowT], what: str) -> Iterator[tuple[int, RowT]]:
    """Yield (first line, validated row) of a CSV file whose header must match ``model``'s fields."""
    reader = csv.DictReader(split_lines(read_text_file(path, what), keepends=True))
    expected = list(model.model_fields)
    header = reader.fieldnames or []
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        raise InputError(f"{what} {path}: {'; '.join(problems)} (expected columns: {', '.join(expected)})")
    start = reader.line_num + 1
    for row in reader:
        where = f"{what} {path}, line {start}"
        if None in row:
            raise InputError(f"{where}: more values than columns")
        try:
            record = model.model_validate(row)
        except ValidationError as error:
            raise InputError(f"{where}: {describe_validation_error(error)}") from error
        yield start, record
        start = reader.line_num + 1


def load_original_personas(path: str | Path) -> list[FrameworkPersona]:
    """Load the original benchmark's ``personas.csv``.

    Args:
        path: The CSV file.

    Returns:
        The personas in file order.

    Raises:
        InputError: On a missing file, wrong columns, an empty field or a duplicate id.
    """
    what = "steerability personas file"
    personas: dict[str, FrameworkPersona] = {}
    for line, row in _csv_rows(Path(path), OriginalPersonaRow, what):
        if row.persona_id in personas:
            raise InputError(f"{what} {path}, line {line}: duplicate persona_id '{row.persona_id}'")
        personas[row.persona_id] = row.to_persona()
    if not personas:
        raise InputError(f"{what} {path}: contains no records")
    return list(personas.values())


def load_original_statements(path: str | Path) -> tuple[list[FrameworkPersona], list[Statement]]:
    """Load the original benchmark's ``statements.csv``, taking the personas from its own columns.

    Args:
        path: The CSV file.

    Returns:
        The personas (in order of first appearance) and the statements (in file order).

    Raises:
        InputError: On a missing file, wrong columns, a bad value, a duplicate statement id, or
            a persona whose columns differ between rows.
    """
    what = "steerability statements file"
    personas: dict[str, FrameworkPersona] = {}
    statements: list[Statement] = []
    seen: set[str] = set()
    for line, row in _csv_rows(Path(path), OriginalStatementRow, what):
        persona = row.to_persona()
        known = personas.setdefault(persona.persona_id, persona)
        if known != persona:
            raise InputError(
                f"{what} {path}, line {line}: persona '{persona.persona_id}' has different framework or "
                "description columns than on its earlier rows"
            )
        if row.statement_id in seen:
            raise InputError(f"{what} {path}, line {line}: duplicate statement_id '{row.statement_id}'")
        seen.add(row.statement_id)
        statements.append(row.to_statement())
    if not statements:
        raise InputError(f"{what} {path}: contains no records")
    return list(personas.values()), statements


def load_framework_personas(path: str | Path | None = None) -> list[FrameworkPersona]:
    """Load a ``framework_personas.jsonl`` file (the bundled one by default).

    Args:
        path: The JSONL file; ``None`` for the bundled personas.

    Returns:
        The personas in file order.

    Raises:
        InputError: On a malformed line, a missing or unknown field, or a duplicate id.
    """
    return read_jsonl_models(
        path or bundled_path(BUNDLED_PERSONAS), FrameworkPersona, "framework persona file", id_of=lambda p: p.persona_id
    )


def load_statements(path: str | Path | None = None) -> list[Statement]:
    """Load a ``statements.jsonl`` file (the bundled one by default).

    Args:
        path: The JSONL file; ``None`` for the bundled statements.

    Returns:
        The statements in file order.

    Raises:
        InputError: On a malformed line, a missing or unknown field, or a duplicate id.
    """
    return read_jsonl_models(
        path or bundled_path(BUNDLED_STATEMENTS),
        Statement,
        "steerability statements file",
        id_of=lambda s: s.statement_id,
    )


def _combine(personas: list[FrameworkPersona], statements: list[Statement], source: str) -> SteerabilityData:
    """Group statements by persona, rejecting statements of unknown personas."""
    known = {persona.persona_id: persona for persona in personas}
    by_persona: dict[str, list[Statement]] = {}
    for statement in statements:
        if statement.persona_id not in known:
            raise InputError(
                f"{source}: statement '{statement.statement_id}' belongs to unknown persona '{statement.persona_id}'"
            )
        by_persona.setdefault(statement.persona_id, []).append(statement)
    ordered = {pid: persona for pid, persona in known.items() if pid in by_persona}
    return SteerabilityData(
        personas=ordered, statements={pid: by_persona[pid] for pid in ordered}, source=source, listed=tuple(known)
    )


def _original_directory(directory: Path) -> SteerabilityData:
    """Load an original-layout directory: ``statements.csv`` and, when present, ``personas.csv``."""
    personas, statements = load_original_statements(directory / ORIGINAL_STATEMENTS)
    persona_file = directory / ORIGINAL_PERSONAS
    if persona_file.is_file():
        listed = {persona.persona_id: persona for persona in load_original_personas(persona_file)}
        for persona in personas:
            if listed.get(persona.persona_id) != persona:
                raise InputError(
                    f"steerability personas file {persona_file}: persona '{persona.persona_id}' is missing or "
                    f"differs from its columns in {directory / ORIGINAL_STATEMENTS}"
                )
        personas = list(listed.values())
    return _combine(personas, statements, str(directory))


def load_steerability_data(
    data: str | Path | None = None, *, persona_file: str | Path | None = None
) -> SteerabilityData:
    """Load the statements (and personas) selected by the task's ``data`` option.

    Args:
        data: ``None`` for the bundled data; a ``.jsonl`` statements file in our layout (its
            personas come from ``persona_file``); an original-layout ``statements.csv`` (personas
            from its own columns); or a directory holding ``statements.csv`` (and optionally
            ``personas.csv``, which must agree with it).
        persona_file: Personas of a ``.jsonl`` statements file (default: the bundled personas).

    Returns:
        The personas that have statements, with their statements.

    Raises:
        InputError: On an unusable path or any malformed file.
    """
    if data is None:
        return _combine(load_framework_personas(persona_file), load_statements(), "bundled steerability data")
    path = Path(data)
    if path.is_dir():
        if not (path / ORIGINAL_STATEMENTS).is_file():
            raise InputError(f"option data={data}: directory has no {ORIGINAL_STATEMENTS} (original layout)")
        return _original_directory(path)
    if not path.is_file():
        hint = "" if path.is_absolute() else f" under {Path.cwd()} (inspect loads task files from their own directory)"
        raise InputError(f"option data={data}: no such file or directory{hint}")
    if path.suffix == ".csv":
        personas, statements = load_original_statements(path)
        return _combine(personas, statements, str(path))
    if path.suffix == ".jsonl":
        return _combine(load_framework_personas(persona_file), load_statements(path), str(path))
    raise InputError(
        f"option data={data}: expected a .jsonl statements file, an original-layout statements.csv, "
        "or a directory holding statements.csv"
    )
