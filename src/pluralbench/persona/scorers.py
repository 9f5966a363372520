"""Debate critic: does an answer need revision to serve the person it was written for?

``debate_rounds=0``: one critic call in which a personalization critic and a
helpfulness/harmlessness critic argue inside one structured reply ending in a verdict.
``debate_rounds=R``: the two critics are separate calls (role ``critic``) that read each
other's arguments for R rounds; a judge (role ``judge``) reads the transcript and decides.
Critics and judge always see the full persona, the question and the answer.

The score is ``{"personalization": v, "format_failure": f}`` (see :mod:`pluralbench.persona.metrics`):
a reply with no readable answer is the evaluated model's failure, scored 0 without asking the
critic (outcome ``format_failure``, ``f`` 1); a prompt that did not fit a model's context, or a
verdict unreadable after the repair request, leaves ``personalization`` NaN (outcomes
``context_overflow``, ``judge_failure``), counted by :func:`~pluralbench.persona.metrics.grading_outcomes`.
"""

from __future__ import annotations

import math

from inspect_ai.model import Model
from inspect_ai.scorer import Metric, Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState
from pydantic import BaseModel, ConfigDict

from pluralbench._fence import new_nonce, strip_markers, untrusted_notice
from pluralbench._metrics import CONTEXT_OVERFLOW as CONTEXT_OVERFLOW_REASON
from pluralbench._metrics import FORMAT_FAILURE as FORMAT_FAILURE_KEY
from pluralbench._metrics import format_failure_rate, mean_ci
from pluralbench._replies import ContextOverflowError
from pluralbench._structured import StructuredMode
from pluralbench.persona.metrics import GRADED, JUDGE_FAILURE, OUTCOME, PERSONALIZATION, SELF_GRADED, grading_outcomes
from pluralbench.persona.prompts import (
    DEBATE_JUDGE,
    DEBATER_ROLES,
    DEBATER_TURN,
    EMPTY_TRANSCRIPT,
    REVIEW_MATERIALS,
    SINGLE_CALL_CRITIC,
)
from pluralbench.persona.types import CONTEXT_OVERFLOW, FORMAT_FAILURE, PersonaSampleMeta

from .judging import JudgeReply, ask_for_argument, ask_for_verdict, role_model

INVALID_FORMAT = "invalid_response_format"
"""Reason of a format failure's score (inspect's standard reason for a reply that violates the requested format)."""


def unanswered(meta: PersonaSampleMeta) -> str | None:
    """Return why a sample has no answer to grade, as its outcome, or ``None`` when it has one.

    Args:
        meta: The sample's metadata after the answer solver.

    Returns:
        ``context_overflow`` (the prompt did not fit the evaluated model's context: unscored),
        ``format_failure`` (missing, empty or unreadable answer: a failure, scored as one), or ``None``.
    """
    if meta.outcome == CONTEXT_OVERFLOW:
        return CONTEXT_OVERFLOW
    if meta.outcome == FORMAT_FAILURE or not (meta.answer and meta.answer.strip()):
        return FORMAT_FAILURE
    return None


def unanswered_score(outcome: str, meta: PersonaSampleMeta, key: str | None = PERSONALIZATION) -> Score:
    """Return the score of a sample without an answer to grade (no judge is asked).

    Args:
        outcome: ``format_failure`` or ``context_overflow`` (see :func:`unanswered`).
        meta: The sample's metadata.
        key: The key of a dict-valued score (the critic's ``personalization``); ``None`` for a
            numeric score.

    Returns:
        A format failure scored 0 (``format_failure`` 1) with reason ``invalid_response_format``,
        or a context overflow with NaNs and reason ``context_overflow``; the outcome in the metadata.
    """
    failed = outcome == FORMAT_FAILURE
    number = 0.0 if failed else math.nan
    return Score(
        value=number if key is None else {key: number, FORMAT_FAILURE_KEY: 1.0 if failed else math.nan},
        reason=INVALID_FORMAT if failed else CONTEXT_OVERFLOW_REASON,
        explanation=meta.answer_problem or "the reply has no answer",
        metadata={OUTCOME: outcome},
    )


class CriticVerdict(BaseModel):
    """Structured reply of the single-call critic (strict JSON types: ``needs_revision`` a JSON boolean)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    personalization_critique: str = ""
    quality_critique: str = ""
    needs_revision: bool


class JudgeVerdict(BaseModel):
    """Structured reply of the debate judge (strict JSON types: ``needs_revision`` a JSON boolean)."""

    model_config = ConfigDict(extra="ignore", strict=True)

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

    Raises:
        ContextOverflowError: If a turn's prompt did not fit the critic's context window.
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
                nonce=nonce,
                transcript="\n\n".join(transcript) or EMPTY_TRANSCRIPT,
            )
            argument = strip_markers(await ask_for_argument(critic, prompt), nonce) or "(no argument)"
            transcript.append(f"Round {round_number}, {side} critic: {argument}")
    return transcript


def critic_metrics(seed: int = 0) -> list[Metric]:
    """Return the critic's metrics.

    Args:
        seed: Seed of the bootstrap (the task's ``seed``).

    Returns:
        ``personalization`` with its interval, n and stderr; ``format_failure_rate``; and
        ``judge_failures``, ``context_overflows``, ``self_graded``.
    """
    return [mean_ci(PERSONALIZATION, with_stderr=True, seed=seed), format_failure_rate(), grading_outcomes()]


@scorer(metrics=critic_metrics())
def personalization_critic(debate_rounds: int = 0, structured: StructuredMode = "auto") -> Scorer:
    """Score ``personalization`` 1 when the critic (or the debate judge) finds that the answer needs no revision.

    Args:
        debate_rounds: 0 for one critic call; R >= 1 for R rounds of debate and a judge verdict.
        structured: How the verdict's JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The scorer: 0 for a missing, empty or unreadable answer (no critic call); NaN with a
        reason for an unreadable verdict or a context overflow; the outcome in the metadata.
    """
    if debate_rounds < 0:
        raise ValueError(f"option debate_rounds={debate_rounds}: must be 0 or more")

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(PersonaSampleMeta)
        answer = meta.answer
        failure = unanswered(meta)
        if failure is not None or answer is None:
            return unanswered_score(failure or FORMAT_FAILURE, meta)
        nonce = new_nonce()
        materials = review_materials(state, nonce)
        notice = untrusted_notice(nonce)
        critic, critic_self_graded = role_model("critic")
        metadata: dict[str, object] = {"critic_model": str(critic), "debate_rounds": debate_rounds}
        if debate_rounds == 0:
            reply: JudgeReply[CriticVerdict] | JudgeReply[JudgeVerdict] = await ask_for_verdict(
                critic,
                SINGLE_CALL_CRITIC.format(notice=notice, materials=materials),
                CriticVerdict,
                "critic_verdict",
                structured,
            )
            metadata[SELF_GRADED] = critic_self_graded
            transcript: list[str] = []
        else:
            try:
                transcript = await run_debate(critic, materials, nonce, debate_rounds)
            except ContextOverflowError as overflow:
                return Score(
                    value={PERSONALIZATION: math.nan, FORMAT_FAILURE_KEY: math.nan},
                    reason=overflow.reason,
                    answer=answer,
                    explanation=str(overflow),
                    metadata={**metadata, OUTCOME: CONTEXT_OVERFLOW},
                )
            judge, judge_self_graded = role_model("judge")
            prompt = DEBATE_JUDGE.format(
                notice=notice, materials=materials, nonce=nonce, transcript="\n\n".join(transcript)
            )
            reply = await ask_for_verdict(judge, prompt, JudgeVerdict, "judge_verdict", structured)
            metadata.update({"judge_model": str(judge), SELF_GRADED: critic_self_graded or judge_self_graded})
        metadata.update({"transcript": transcript, "verdict_replies": reply.replies})
        if reply.verdict is None:
            return Score(
                value={PERSONALIZATION: math.nan, FORMAT_FAILURE_KEY: math.nan},
                reason=reply.reason,
                answer=answer,
                explanation=reply.problem,
                metadata={**metadata, OUTCOME: CONTEXT_OVERFLOW if reply.reason == CONTEXT_OVERFLOW else JUDGE_FAILURE},
            )
        needs_revision = reply.verdict.needs_revision
        explanation = (
            "\n\n".join(transcript)
            if transcript
            else f"{getattr(reply.verdict, 'personalization_critique', '')}\n\n"
            f"{getattr(reply.verdict, 'quality_critique', '')}".strip()
        )
        return Score(
            value={PERSONALIZATION: 0.0 if needs_revision else 1.0, FORMAT_FAILURE_KEY: 0.0},
            answer=answer,
            explanation=explanation or None,
            metadata={**metadata, OUTCOME: GRADED, "needs_revision": needs_revision},
        )

    return score
