"""File formats of the statement generator: framework personas in, steerability statements out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pluralbench._files import DataFileError, read_jsonl_models


class FrameworkPersona(BaseModel):
    """One persona of a personality framework (e.g. MBTI INTJ), as stored in ``framework_personas.jsonl``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str = Field(min_length=1)
    framework: str = Field(min_length=1)
    framework_description: str = Field(min_length=1)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class StatementRow(BaseModel):
    """One steerability statement: a first-person sentence and whether the persona agrees with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statement_id: str = Field(min_length=1)
    persona_id: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    agree: bool


def read_framework_personas(path: str | Path, persona_ids: Sequence[str] | None = None) -> list[FrameworkPersona]:
    """Read a framework personas file, optionally keeping only some personas.

    Args:
        path: The personas JSONL file.
        persona_ids: Ids to keep, in the file's order; ``None`` keeps every persona.

    Returns:
        The selected personas.

    Raises:
        DataFileError: If the file is missing or malformed, or an id is not in it.
    """
    personas = read_jsonl_models(path, FrameworkPersona, "persona file", id_of=lambda persona: persona.persona_id)
    if persona_ids is None:
        return personas
    known = {persona.persona_id for persona in personas}
    unknown = [pid for pid in dict.fromkeys(persona_ids) if pid not in known]
    if unknown:
        raise DataFileError(f"persona file {path}: unknown persona id(s): {', '.join(unknown)}")
    wanted = set(persona_ids)
    return [persona for persona in personas if persona.persona_id in wanted]
