"""Curated free-text components (job descriptions, quirks, ...) that give personas texture."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field


class PersonaComponents(BaseModel):
    """Layout of ``data/persona_components.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job_descriptions: dict[str, list[str]]
    quirks: list[str] = Field(min_length=1)
    mannerisms: list[str] = Field(min_length=1)
    personal_time: list[str] = Field(min_length=1)
    lifestyle: list[str] = Field(min_length=1)


@lru_cache(maxsize=1)
def load_persona_components() -> PersonaComponents:
    """Load the bundled free-text component lists.

    Returns:
        The validated components.
    """
    text = files("pluralbench.data").joinpath("persona_components.json").read_text(encoding="utf-8")
    return PersonaComponents.model_validate(json.loads(text))
