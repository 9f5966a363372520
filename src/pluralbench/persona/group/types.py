"""Contracts of the group task: the metadata every group sample carries, and what the solver adds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pluralbench.persona.types import AnswerOutcome
from pluralbench.personas import render_attributes


class GroupMember(BaseModel):
    """One person of a group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str
    persona: dict[str, Any]
    """The full persona's attribute values (the answering model and the critic see all of them)."""
    spec_group: str | None = None
    """The group of the ``groups`` file this member was drawn from (``None`` for diverse draws)."""

    @property
    def persona_text(self) -> str:
        """The persona, rendered for prompts."""
        return render_attributes(self.persona)


class MemberAnswer(BaseModel):
    """An answer written for one member alone (``compare_individual``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: str | None
    """The answer to grade; ``None`` when the reply had no readable answer."""
    answer_problem: str | None = None
    outcome: AnswerOutcome
    """Whether the reply had a readable answer, none (a format failure), or did not fit the context."""


class GroupAnswers(BaseModel):
    """What the group solver writes into the sample metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str
    answer: str | None
    """The one answer for the whole group; ``None`` when the reply had no readable answer."""
    preamble: str | None
    """The reasoning or summary before the answer, in modes that ask for one."""
    answer_problem: str | None
    outcome: AnswerOutcome
    individual_answers: list[MemberAnswer] | None = None
    """One answer per member, written for that member alone, in member order (``compare_individual``)."""


class GroupSampleMeta(BaseModel):
    """Metadata of one group sample, read by the solver, scorer and metrics with ``state.metadata_as``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group_id: str
    question_id: str
    topic: str
    composition: str
    """How the members were drawn: ``diverse`` or ``groups`` (one member from each of m groups of a file)."""
    members: list[GroupMember]
    distance: float
    """Mean number of diversity attributes on which two members differ (over all member pairs)."""
    mode: str | None = None
    answer: str | None = None
    preamble: str | None = None
    answer_problem: str | None = None
    outcome: AnswerOutcome | None = None
    individual_answers: list[MemberAnswer] | None = None
