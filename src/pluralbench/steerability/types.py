"""Contracts of the steerability family: statement files, framework personas and sample metadata."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class FrameworkPersona(BaseModel):
    """One line of ``framework_personas.jsonl``: a persona defined by a personality framework."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str = Field(min_length=1)
    framework: str = Field(min_length=1)
    framework_description: str = Field(min_length=1)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Statement(BaseModel):
    """One line of ``statements.jsonl``: a statement and whether its persona agrees with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statement_id: str = Field(min_length=1)
    persona_id: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    agree: StrictBool


class SteeringExample(BaseModel):
    """A steering statement with the steered persona's reaction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statement: str
    agree: bool


class SteerabilityMetadata(BaseModel):
    """Metadata of one steerability Sample; solver, scorer and metrics read it from here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steered_persona: str
    """Persona p the system is steered to."""
    test_persona: str
    """Persona q whose statement (and label) is tested."""
    own: bool
    """Whether p == q."""
    framework: str
    """Framework of p."""
    test_framework: str
    """Framework of q."""
    label: str
    """Label of p in its framework."""
    framework_description: str
    """Description of p's framework."""
    statement_id: str
    """Id of the test statement."""
    agree: bool
    """Whether q agrees with the test statement (the target)."""
    steering: list[SteeringExample]
    """p's steering statements, in prompt order."""
    batch_id: str
    """Id of the call this statement is answered in."""
    batch: list[str]
    """Statements answered in that call, in prompt order."""
    batch_position: int
    """1-based number of this statement within ``batch``."""
    batched: bool
    """Whether statements are asked in structured multi-statement calls (``statements_per_call`` > 1)."""
