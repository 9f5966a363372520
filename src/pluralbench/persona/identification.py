"""Persona identification: can a judge tell, from the answer alone, whom it was written for?

The judge sees the answer and ``k`` candidate personas (the true one and seeded distractors,
positions shuffled when the dataset was built) and names one. Chance level is ``1/k``; a
personalized answer should be identified well above it. Unlike the critic's verdict, this
signal does not depend on the judge's taste.
"""

from __future__ import annotations

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer, stderr
from inspect_ai.solver import TaskState
from pydantic import BaseModel, ConfigDict

from pluralbench._fence import new_nonce, strip_markers, untrusted_notice
from pluralbench._metrics import mean_ci
from pluralbench.persona.prompts import CANDIDATE, IDENTIFY_PERSON
from pluralbench.persona.types import PersonaSampleMeta

from .judging import ask_for_verdict, role_model


class IdentificationVerdict(BaseModel):
    """Structured reply of the identification judge."""

    model_config = ConfigDict(extra="ignore")

    reasoning: str = ""
    person: int


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


@scorer(metrics=[mean_ci(), stderr(), chance_level()])
def persona_identification() -> Scorer:
    """Score 1 when the judge picks the true persona among the candidates in the sample metadata.

    Returns:
        The scorer; replies naming no valid candidate are unscored with a reason.
    """

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(PersonaSampleMeta)
        answer = meta.answer
        candidates = meta.identify_candidates or []
        k = len(candidates)
        if not answer:
            return Score.unscored(reason=meta.answer_problem or "no answer to identify")
        nonce = new_nonce()
        blocks = "\n\n".join(
            CANDIDATE.format(number=i, nonce=nonce, persona=strip_markers(text, nonce))
            for i, text in enumerate(candidates, 1)
        )
        prompt = IDENTIFY_PERSON.format(
            k=k,
            nonce=nonce,
            notice=untrusted_notice(nonce),
            answer=strip_markers(answer, nonce),
            candidates=blocks,
        )
        judge, self_graded = role_model("judge")
        reply = await ask_for_verdict(judge, prompt, IdentificationVerdict, "identification")
        metadata = {
            "judge_model": str(judge),
            "self_graded": self_graded,
            "chance": 1 / k,
            "true_position": meta.identify_answer,
            "verdict_replies": reply.replies,
        }
        if reply.verdict is None:
            return Score.unscored(reason=reply.problem, metadata=metadata)
        chosen = reply.verdict.person
        if not 1 <= chosen <= k:
            return Score.unscored(reason=f"judge named person {chosen}, not one of 1..{k}", metadata=metadata)
        correct = chosen == meta.identify_answer
        return Score(
            value=1.0 if correct else 0.0,
            answer=str(chosen),
            explanation=reply.verdict.reasoning or None,
            metadata={**metadata, "chosen_position": chosen},
        )

    return score
