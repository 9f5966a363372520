"""Contracts of the ``persona_preference`` task: sample metadata, and what the choice solver adds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from pluralbench.personas import render_attributes

Order = Literal["chosen_first", "rejected_first"]
ORDERS: tuple[Order, Order] = ("chosen_first", "rejected_first")
NO_PERSONA_GROUP = "no_persona"
"""Attribute group of pairs whose rejected answer was written without a persona."""
UNSPECIFIED_GROUP = "unspecified"
"""Attribute group of pairs that name no separating attribute."""


class PreferenceSampleMeta(BaseModel):
    """Metadata of one (pair, order) sample, read by the solver, scorer and metrics with ``state.metadata_as``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pair_id: str
    order: Order
    persona_id: str
    question_id: str
    topic: str
    contrast_persona_id: str | None = None
    attribute_group: str
    """The separating attribute, ``no_persona`` or ``unspecified`` (metrics ``attribute:<group>``)."""
    persona: dict[str, Any]
    answers: tuple[str, str]
    """The two answers in the order shown (1, 2)."""
    chosen_position: Literal[1, 2]
    """Where the answer this person prefers is shown."""
    mode: str | None = None
    choice: int | None = None
    reason: str | None = None
    reply_problem: str | None = None
    context_overflow: bool = False

    @property
    def persona_text(self) -> str:
        """The persona, rendered as in the PERSONA tasks."""
        return render_attributes(self.persona)


def _an_integer(value: object) -> object:
    # A Literal compares by equality, so true and 1.0 would pass as 1; only a JSON integer is a choice.
    if type(value) is not int:
        raise ValueError(f"must be the integer 1 or 2, not {value!r}")
    return value


AnswerNumber = Annotated[Literal[1, 2], BeforeValidator(_an_integer)]
"""The number of one of two shown answers, as a JSON integer (not ``true`` or ``1.0``)."""


class PreferenceReply(BaseModel):
    """The evaluated model's structured reply: a short reason, then the number of the answer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    reason: str
    choice: AnswerNumber


class PreferenceAnswer(BaseModel):
    """What the choice solver writes into the sample metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str
    choice: int | None
    """The number of the answer picked; ``None`` when no readable choice came after one repair request."""
    reason: str | None
    reply_problem: str | None
    context_overflow: bool = False
    """Whether the prompt did not fit the model's context window (the sample is then unscored)."""
