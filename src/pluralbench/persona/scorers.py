"""Debate critic: does an answer need revision to serve the person it was written for?

``debate_rounds=0``: one critic call in which a personalization critic and a
helpfulness/harmlessness critic argue inside one structured reply ending in a verdict.
``debate_rounds=R``: the two critics are separate calls (role ``critic``) that read each
other's arguments for R rounds; a judge (role ``judge``) reads the transcript and decides.
Critics and judge always see the full persona, the question and the answer.
"""

from __future__ import annotations

from inspect_ai.model import Model
from inspect_ai.scorer import Score, Scorer, Target, scorer, stderr
from inspect_ai.solver import TaskState
from pydantic import BaseModel, ConfigDict

from pluralbench._fence import new_nonce, strip_markers, untrusted_notice
from pluralbench._metrics import mean_ci
from pluralbench.persona.prompts import (
    DEBATE_JUDGE,
    DEBATER_ROLES,
    DEBATER_TURN,
    EMPTY_TRANSCRIPT,
    REVIEW_MATERIALS,
    SINGLE_CALL_CRITIC,
)
from pluralbench.persona.types import PersonaSampleMeta

from .judging import JudgeReply, ask_for_verdict, role_model


class CriticVerdict(BaseModel):
    """Structured reply of the single-call critic."""

    model_config = ConfigDict(extra="ignore")

    personalization_critique: str = ""
    quality_critique: str = ""
    needs_revision: bool


class JudgeVerdict(BaseModel):
    """Structured reply of the debate judge."""

    model_config = ConfigDict(extra="ignore")

    reasoning: str = ""
    needs_revision: bool


def review_materials(state: TaskState, nonce: str) -> str:
    """Return the fenced persona, question and answer shown to critics and judges.

    Args:
        state: The sample's state (full persona and answer in its metadata).
        nonce: The prompt's fence token.

    Returns:
        The fenced material.
    """
    meta = state.metadata_as(PersonaSampleMeta)
    return REVIEW_MATERIALS.format(
        nonce=nonce,
        persona=strip_markers(meta.persona_text, nonce),
        question=strip_markers(state.input_text, nonce),
        answer=strip_markers(meta.answer or "", nonce),
    )


async def run_debate(critic: Model, materials: str, nonce: str, rounds: int) -> list[str]:
    """Let the two critics argue for ``rounds`` rounds, each seeing the debate so far.

    Args:
        critic: Model that plays both critics (separate calls).
        materials: Fenced persona, question and answer.
        nonce: The prompt's fence token.
        rounds: Number of rounds.

    Returns:
        Transcript entries such as ``"Round 1, personalization critic: ..."``.
    """
    transcript: list[str] = []
    notice = untrusted_notice(nonce)
    for round_number in range(1, rounds + 1):
        for side, role in DEBATER_ROLES.items():
            prompt = DEBATER_TURN.format(
                role=role,
                round=round_number,
                rounds=rounds,
                notice=notice,
                materials=materials,
                transcript="\n\n".join(transcript) or EMPTY_TRANSCRIPT,
            )
            output = await critic.generate(prompt)
            argument = strip_markers(output.completion.strip(), nonce) or "(no argument)"
            transcript.append(f"Round {round_number}, {side} critic: {argument}")
    return transcript


@scorer(metrics=[mean_ci(), stderr()])
def personalization_critic(debate_rounds: int = 0) -> Scorer:
    """Score 1 when the critic (or the debate judge) finds that the answer needs no revision.

    Args:
        debate_rounds: 0 for one critic call; R >= 1 for R rounds of debate and a judge verdict.

    Returns:
        The scorer; unreadable verdicts and missing answers are unscored with a reason.
    """
    if debate_rounds < 0:
        raise ValueError(f"option debate_rounds={debate_rounds}: must be 0 or more")

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(PersonaSampleMeta)
        answer = meta.answer
        if not answer:
            return Score.unscored(reason=meta.answer_problem or "no answer to grade")
        nonce = new_nonce()
        materials = review_materials(state, nonce)
        notice = untrusted_notice(nonce)
        critic, critic_self_graded = role_model("critic")
        metadata: dict[str, object] = {"critic_model": str(critic), "debate_rounds": debate_rounds}
        if debate_rounds == 0:
            reply: JudgeReply[CriticVerdict] | JudgeReply[JudgeVerdict] = await ask_for_verdict(
                critic, SINGLE_CALL_CRITIC.format(notice=notice, materials=materials), CriticVerdict, "critic_verdict"
            )
            metadata["self_graded"] = critic_self_graded
            transcript: list[str] = []
        else:
            transcript = await run_debate(critic, materials, nonce, debate_rounds)
            judge, judge_self_graded = role_model("judge")
            prompt = DEBATE_JUDGE.format(
                notice=notice, materials=materials, nonce=nonce, transcript="\n\n".join(transcript)
            )
            reply = await ask_for_verdict(judge, prompt, JudgeVerdict, "judge_verdict")
            metadata.update({"judge_model": str(judge), "self_graded": critic_self_graded or judge_self_graded})
        metadata.update({"transcript": transcript, "verdict_replies": reply.replies})
        if reply.verdict is None:
            return Score.unscored(reason=reply.problem, answer=answer, metadata=metadata)
        needs_revision = reply.verdict.needs_revision
        explanation = (
            "\n\n".join(transcript)
            if transcript
            else f"{getattr(reply.verdict, 'personalization_critique', '')}\n\n"
            f"{getattr(reply.verdict, 'quality_critique', '')}".strip()
        )
        return Score(
            value=0.0 if needs_revision else 1.0,
            answer=answer,
            explanation=explanation or None,
            metadata={**metadata, "needs_revision": needs_revision},
        )

    return score
