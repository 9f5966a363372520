"""The group critic: the persona family's critic judges one answer once for each member of a group.

Each member's judgement is exactly the ``persona`` task's (same prompt, same verdict schema, one
repair request, optional debate), with that member's full persona, so a member's score for the
group answer and for an answer written for them alone (``compare_individual``) are comparable.
A missing or empty answer from the evaluated model is a failure (0 for every member it was meant
for) and counted as a format failure; a verdict unreadable after repair leaves that member
unjudged, counted in ``judge_failures``; an answer whose prompt did not fit the evaluated model's
context is unjudged too, counted in ``context_overflows``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from pluralbench._fence import new_nonce, strip_markers, untrusted_notice
from pluralbench._replies import ContextOverflowError
from pluralbench._structured import StructuredMode
from pluralbench.persona.judging import JudgeReply, ask_for_verdict, role_model
from pluralbench.persona.prompts import DEBATE_JUDGE, REVIEW_MATERIALS, SINGLE_CALL_CRITIC
from pluralbench.persona.scorers import CriticVerdict, JudgeVerdict, run_debate
from pluralbench.persona.types import CONTEXT_OVERFLOW
from pluralbench.persona.types import FORMAT_FAILURE as FORMAT_FAILURE_OUTCOME

from .metrics import base_metrics
from .outcomes import (
    CONTEXT_OVERFLOWS,
    FORMAT_FAILURE,
    INDIVIDUAL_FORMAT_FAILURE,
    JUDGE_FAILURES,
    SELF_GRADED,
    group_outcome,
    individual_keys,
    price_of_group,
)
from .types import GroupSampleMeta, MemberAnswer

NO_ANSWER = "no answer"


@dataclass
class Judgement:
    """The critic's judgement of one answer for one person.

    Attributes:
        score: 1.0 (needs no revision), 0.0 (needs revision, or no answer to judge), NaN (unreadable verdict).
        needs_revision: The verdict; ``None`` when there was no answer or the verdict was unreadable.
        problem: Why there is no verdict (the answer's format problem, or the unreadable reply's).
        critique: The critic's argument (or the debate transcript).
        replies: The raw verdict replies.
        self_graded: Whether a role was unbound and the evaluated model judged.
        context_overflow: Whether the answer's prompt did not fit the evaluated model's context (unjudged;
            a prompt that does not fit the critic's context is a judge failure).
    """

    score: float
    needs_revision: bool | None
    problem: str | None = None
    critique: str = ""
    replies: list[str] = field(default_factory=list)
    self_graded: bool = False
    context_overflow: bool = False

    @property
    def judge_failed(self) -> bool:
        """Whether the critic was asked and its verdict could not be read."""
        return math.isnan(self.score) and not self.context_overflow


async def judge_for_person(
    persona_text: str, question: str, answer: str, debate_rounds: int, structured: StructuredMode
) -> Judgement:
    """Ask the critic (or the debate and its judge) whether the answer needs revision for this person.

    Args:
        persona_text: The person's full persona, rendered.
        question: The question.
        answer: The answer (non-blank).
        debate_rounds: 0 for one critic call; R >= 1 for R rounds of debate and a judge verdict.
        structured: How the verdicts' JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The judgement.
    """
    nonce = new_nonce()
    materials = REVIEW_MATERIALS.format(
        nonce=nonce,
        persona=strip_markers(persona_text, nonce),
        question=strip_markers(question, nonce),
        answer=strip_markers(answer, nonce),
    )
    notice = untrusted_notice(nonce)
    critic, self_graded = role_model("critic")
    transcript: list[str] = []
    if debate_rounds == 0:
        reply: JudgeReply[CriticVerdict] | JudgeReply[JudgeVerdict] = await ask_for_verdict(
            critic,
            SINGLE_CALL_CRITIC.format(notice=notice, materials=materials),
            CriticVerdict,
            "critic_verdict",
            structured,
        )
    else:
        try:
            transcript = await run_debate(critic, materials, nonce, debate_rounds)
        except ContextOverflowError as overflow:  # the critic's own context: an instrument failure
            return Judgement(math.nan, None, f"{overflow.reason}: {overflow}", self_graded=self_graded)
        judge, judge_self_graded = role_model("judge")
        prompt = DEBATE_JUDGE.format(
            notice=notice, materials=materials, nonce=nonce, transcript="\n\n".join(transcript)
        )
        reply = await ask_for_verdict(judge, prompt, JudgeVerdict, "judge_verdict", structured)
        self_graded = self_graded or judge_self_graded
    if reply.verdict is None:
        return Judgement(math.nan, None, reply.problem, "\n\n".join(transcript), reply.replies, self_graded)
    verdict = reply.verdict
    critique = (
        "\n\n".join(transcript)
        if transcript
        else f"{getattr(verdict, 'personalization_critique', '')}\n\n{getattr(verdict, 'quality_critique', '')}".strip()
    )
    return Judgement(
        0.0 if verdict.needs_revision else 1.0, verdict.needs_revision, None, critique, reply.replies, self_graded
    )


async def judge_answer(
    answer: MemberAnswer, persona_text: str, question: str, debate_rounds: int, structured: StructuredMode
) -> Judgement:
    """Judge an answer for one person, without a critic call when there is no answer to judge.

    Args:
        answer: The answer and its outcome.
        persona_text: The person's full persona, rendered.
        question: The question.
        debate_rounds: Critic debate rounds.
        structured: How the verdicts' JSON is asked for.

    Returns:
        The judgement: 0 with the problem for a format failure, unjudged for a context overflow.
    """
    if answer.outcome == CONTEXT_OVERFLOW:
        return Judgement(math.nan, None, answer.answer_problem, context_overflow=True)
    if answer.answer is None or not answer.answer.strip():
        return Judgement(0.0, None, f"{NO_ANSWER}: {answer.answer_problem or 'the answer is empty'}")
    return await judge_for_person(persona_text, question, answer.answer, debate_rounds, structured)


def _explanation(group: Sequence[Judgement], individual: Sequence[Judgement] | None) -> str:
    lines = []
    for number, judgement in enumerate(group, start=1):
        verdict = judgement.problem or ("needs revision" if judgement.needs_revision else "needs no revision")
        lines.append(f"Person {number}: {verdict}. {judgement.critique}".strip())
        if individual is not None:
            own = individual[number - 1]
            own_verdict = own.problem or ("needs revision" if own.needs_revision else "needs no revision")
            lines.append(f"Person {number}, answer written for them alone: {own_verdict}.")
    return "\n\n".join(lines)


@scorer(metrics=base_metrics())
def group_critic(debate_rounds: int = 0, structured: StructuredMode = "auto") -> Scorer:
    """Judge the group answer once for each member (and each member's own answer, when written).

    Args:
        debate_rounds: 0 for one critic call per judgement; R >= 1 for R rounds of debate and a judge verdict.
        structured: How the verdicts' JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The scorer. Its dict value holds ``satisfaction``, ``worst_off``, ``all_served``,
        ``format_failure``, ``judge_failures``, ``context_overflows``, ``self_graded`` and, when individual answers were
        written, ``individual_satisfaction``, ``individual_worst_off``, ``individual_all_served``,
        ``individual_format_failure``, ``price`` and ``price_worst_off`` (see :mod:`.outcomes`).
    """
    if debate_rounds < 0:
        raise ValueError(f"option debate_rounds={debate_rounds}: must be 0 or more")

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(GroupSampleMeta)
        question = state.input_text
        texts = [member.persona_text for member in meta.members]
        group_answer = MemberAnswer(
            answer=meta.answer, answer_problem=meta.answer_problem, outcome=meta.outcome or FORMAT_FAILURE_OUTCOME
        )
        group_judgements = list(
            await asyncio.gather(
                *(judge_answer(group_answer, text, question, debate_rounds, structured) for text in texts)
            )
        )
        judgements = list(group_judgements)
        value: dict[str, float] = {
            **group_outcome([j.score for j in group_judgements]),
            FORMAT_FAILURE: 1.0 if group_answer.outcome == FORMAT_FAILURE_OUTCOME else 0.0,
        }
        own_judgements: list[Judgement] | None = None
        if meta.individual_answers is not None:
            own_judgements = list(
                await asyncio.gather(
                    *(
                        judge_answer(own, text, question, debate_rounds, structured)
                        for own, text in zip(meta.individual_answers, texts, strict=True)
                    )
                )
            )
            judgements += own_judgements
            individual = group_outcome([j.score for j in own_judgements])
            value.update(individual_keys(individual))
            value.update(price_of_group(group_outcome([j.score for j in group_judgements]), individual))
            failures = sum(own.outcome == FORMAT_FAILURE_OUTCOME for own in meta.individual_answers)
            value[INDIVIDUAL_FORMAT_FAILURE] = failures / len(meta.individual_answers)
        critic_calls = [j for j in judgements if j.replies]
        self_graded = any(j.self_graded for j in critic_calls)
        value[JUDGE_FAILURES] = float(sum(j.judge_failed for j in judgements))
        answers = [group_answer, *(meta.individual_answers or [])]
        value[CONTEXT_OVERFLOWS] = float(sum(answer.outcome == CONTEXT_OVERFLOW for answer in answers))
        value[SELF_GRADED] = 1.0 if self_graded else 0.0
        critic, _ = role_model("critic")
        models = {"critic_model": str(critic)}
        if debate_rounds:
            models["judge_model"] = str(role_model("judge")[0])
        members = []
        for index, (member, judgement) in enumerate(zip(meta.members, group_judgements, strict=True)):
            entry: dict[str, object] = {
                "persona_id": member.persona_id,
                "spec_group": member.spec_group,
                "score": judgement.score,
                "needs_revision": judgement.needs_revision,
                "problem": judgement.problem,
                "verdict_replies": judgement.replies,
            }
            if own_judgements is not None:
                own = own_judgements[index]
                entry.update(
                    individual_score=own.score,
                    individual_needs_revision=own.needs_revision,
                    individual_problem=own.problem,
                    individual_verdict_replies=own.replies,
                )
            members.append(entry)
        return Score(
            value=value,
            answer=meta.answer,
            explanation=_explanation(group_judgements, own_judgements),
            metadata={
                "members": members,
                **models,
                "debate_rounds": debate_rounds,
                "self_graded": self_graded,
            },
        )

    return score
