"""Contracts of the PERSONA family: the metadata every sample carries, and what the answer solver adds."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pluralbench.personas import render_attributes

AnswerOutcome = Literal["answered", "format_failure", "context_overflow"]
"""What became of the evaluated model's reply: a readable answer; no readable answer (missing,
empty, or its section never closed: a failure of the model, scored 0); or a prompt too long for
the model's context (``stop_reason == "model_length"``: unscored, counted)."""
ANSWERED: AnswerOutcome = "answered"
FORMAT_FAILURE: AnswerOutcome = "format_failure"
CONTEXT_OVERFLOW: AnswerOutcome = "context_overflow"


class PersonaSampleMeta(BaseModel):
    """Metadata of one PERSONA sample, read by solvers, scorers and metrics with ``state.metadata_as``.

    The dataset fills the persona, question and variant fields; the answer solver adds ``mode``,
    ``answer``, ``preamble``, ``answer_problem`` and ``outcome`` (see :class:`PersonaAnswer`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pair_id: str
    persona_id: str
    question_id: str
    topic: str
    variant: str
    persona: dict[str, Any]
    """The full persona's attribute values (judges always see all of them)."""
    hidden_attributes: list[str] | None = None
    """The attributes hidden from the answering model (leave-one-out variants), if any."""
    identify_candidates: list[str] | None = None
    identify_candidate_ids: list[str] | None = None
    identify_answer: int | None = None
    """1-based position of the true persona among ``identify_candidates``."""
    groups: list[str] | None = None
    """Intersectionality groups the persona belongs to."""
    cell_size: int | None = None
    """Intersectionality: personas of the pool in the same cell (exactly the same ``groups``), the
    weight of the cell's mean in each of its groups' estimates."""
    mode: str | None = None
    answer: str | None = None
    preamble: str | None = None
    answer_problem: str | None = None
    outcome: AnswerOutcome | None = None

    @property
    def persona_text(self) -> str:
        """The full persona, rendered for judges.

        Rendered from ``persona`` when read rather than stored: the text is a function of the
        attribute values, and long strings in sample metadata cost inspect time in every
        sample summary it builds.
        """
        return render_attributes(self.persona)

    @property
    def answer_persona_text(self) -> str:
        """What the answering model sees: the full persona, or the persona without ``hidden_attributes``."""
        if not self.hidden_attributes:
            return self.persona_text
        hidden = set(self.hidden_attributes)
        return render_attributes({name: value for name, value in self.persona.items() if name not in hidden})


class PersonaAnswer(BaseModel):
    """What the answer solver writes into the sample metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str
    answer: str | None
    """The answer to grade; ``None`` when the reply had no readable answer."""
    preamble: str | None
    """The reasoning or demographic summary before the answer, in modes that ask for one."""
    answer_problem: str | None
    """Why no answer could be read, when it could not."""
    outcome: AnswerOutcome
    """Whether the reply had a readable answer (see :data:`AnswerOutcome`)."""
