"""Contracts of the alignment-target family: item files, sample metadata and the solvers' selections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
UnitValue = Annotated[float, Field(ge=0.0, le=1.0)]


class AlignmentItem(BaseModel):
    """One line of an alignment item file: a prompt, its responses and their attribute labels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str = Field(min_length=1)
    split: Literal["train", "eval"]
    prompt: str = Field(min_length=1)
    responses: list[Annotated[str, Field(min_length=1)]] = Field(min_length=2)
    labels: list[dict[AttributeName, UnitValue]]
    reasonings: list[dict[AttributeName, str]] | None = None
    """Per response, an annotator's explanation per attribute (steerable pluralism's ``train.json``),
    shown as the reason of a few-shot example; ``None`` when the source has none."""

    @model_validator(mode="after")
    def _one_label_set_per_response(self) -> AlignmentItem:
        if len(self.labels) != len(self.responses):
            raise ValueError(f"{len(self.responses)} responses but {len(self.labels)} label sets")
        if self.reasonings is not None and len(self.reasonings) != len(self.responses):
            raise ValueError(f"{len(self.responses)} responses but {len(self.reasonings)} reasoning sets")
        if len(set(self.responses)) != len(self.responses):
            raise ValueError("two responses have the same text")
        return self


ExampleKind = Literal["none", "choices", "ratings", "single_ratings"]
"""How a method uses few-shot examples: none; whole items answered with a choice; whole items
rated per target attribute; single responses rated per target attribute."""


class FewShotExample(BaseModel):
    """One few-shot example chosen for a sample when the dataset is built (shown in the log).

    Attributes:
        item_id: The train item the example comes from.
        attribute: The attribute it demonstrates (rating methods); ``None`` for choice examples.
        response: The one response shown (single ratings); ``None`` when every response is shown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str
    attribute: str | None = None
    response: int | None = None


class AlignmentSampleMeta(BaseModel):
    """Metadata of one alignment sample, read by solvers and scorers with ``state.metadata_as``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str
    prompt: str
    responses: list[str]
    labels: list[dict[str, float]]
    target: dict[str, float]
    target_name: str
    target_size: int
    attributes: list[str]
    all_tied: bool
    examples: list[FewShotExample] = Field(default_factory=list)
    """Few-shot examples chosen for this sample's method, in the order they are shown."""


SELECTION_KEY = "selection"
"""Key of the :class:`Selection` in ``state.metadata``."""


class Selection(BaseModel):
    """What a method chose for one sample (read by the scorer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str
    choice: int | None
    predicted: list[dict[str, float]] | None = None
    failures: list[str] = Field(default_factory=list)
    votes: list[int] | None = None
    """With ``samples`` > 1, the original index each usable choice call picked (majority vote)."""
    context_overflow: bool = False
    """A prompt did not fit the model's context (``stop_reason`` ``model_length``): the sample is
    unscored (``context_overflow``), not a format failure of the model."""
