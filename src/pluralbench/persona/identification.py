"""Persona identification: can a judge tell, from the answer alone, whom it was written for?

The judge sees the answer and ``k`` candidate personas (the true one and seeded distractors,
positions shuffled when the dataset was built) and names one. Chance level is ``1/k``; a
personalized answer should be identified well above it. Unlike the critic's verdict, this
signal does not depend on the judge's taste.
"""

from __future__ import annotations

import functools
from typing import Any

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer, stderr
from inspect_ai.solver import TaskState
from pydantic import BaseModel, ConfigDict, Field, create_model

from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench._metrics import mean_ci
from pluralbench._structured import StructuredMode
from pluralbench.persona.metrics import self_graded
from pluralbench.persona.prompts import ANSWER_LABEL, CANDIDATE_LABEL, IDENTIFY_PERSON
from pluralbench.persona.scorers import unanswered, unanswered_score
from pluralbench.persona.types import FORMAT_FAILURE, PersonaSampleMeta

from .judging import ask_for_verdict, role_model


class IdentificationVerdict(BaseModel):
    """Structured reply of the identification judge (strict JSON types; bounded per ``k`` below)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    reasoning: str = ""
    person: int = Field(ge=1)


@functools.cache
def identification_verdict_model(k: int) -> type[IdentificationVerdict]:
    """Return the identification reply schema for ``k`` candidates: ``person`` from 1 to ``k``.

    The bounds are part of the JSON schema sent as ``response_schema``, and a reply outside
    them fails validation, so it gets the repair request.

    Args:
        k: Number of candidate personas shown.

    Returns:
        A subclass of :class:`IdentificationVerdict` whose ``person`` is bounded by ``k``.
    """
    person: Any = (int, Field(ge=1, le=k, description=f"The number of the person, 1 to {k}."))
    return create_model(f"IdentificationVerdict{k}", __base__=IdentificationVerdict, person=person)


@metric
def chance_level() -> Metric:
    """Mean chance level ``1/k`` of the scored samples, to read next to the identification rate.

    Returns:
        The metric.
    """

    def compute(scores: list[SampleScore]) -> float:
        levels = [
            float(s.score.metadata["chance"]) for s in scores if s.score.metadata and "chance" in s.score.metadata
        ]
        return sum(levels) / len(levels) if levels else float("nan")

    return compute


@scorer(metrics=[mean_ci(), stderr(), chance_level(), self_graded()])
def persona_identification(structured: StructuredMode = "auto") -> Scorer:
    """Score 1 when the judge picks the true persona among the candidates in the sample metadata.

    Args:
        structured: How the verdict's JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The scorer; replies naming no valid candidate are unscored with a reason.
    """

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(PersonaSampleMeta)
        answer = meta.answer
        candidates = meta.identify_candidates or []
        k = len(candidates)
        failure = unanswered(meta)
        if failure is not None or answer is None:  # no answer: not identified (0), or unscored on context overflow
            return unanswered_score(failure or FORMAT_FAILURE, meta, key=None)
        nonce = new_nonce()
        blocks = "\n\n".join(fence(f"{CANDIDATE_LABEL} {i}", text, nonce) for i, text in enumerate(candidates, 1))
        prompt = IDENTIFY_PERSON.format(
            k=k, notice=untrusted_notice(nonce), answer=fence(ANSWER_LABEL, answer, nonce), candidates=blocks
        )
        judge, self_graded = role_model("judge")
        reply = await ask_for_verdict(judge, prompt, identification_verdict_model(k), "identification", structured)
        metadata = {
            "judge_model": str(judge),
            "self_graded": self_graded,
            "chance": 1 / k,
            "true_position": meta.identify_answer,
            "verdict_replies": reply.replies,
        }
        if reply.verdict is None:
            return reply.unscored(metadata=metadata)
        chosen = reply.verdict.person
        correct = chosen == meta.identify_answer
        return Score(
            value=1.0 if correct else 0.0,
            answer=str(chosen),
            explanation=reply.verdict.reasoning or None,
            metadata={**metadata, "chosen_position": chosen},
        )

    return score
