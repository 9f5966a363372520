"""The group solver: one answer for every member, and, to compare, one answer for each member alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, ModelOutput, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench.persona.prompts import MODE_INSTRUCTIONS, QUESTION_LABEL
from pluralbench.persona.solvers import (
    CONTEXT_OVERFLOW_PROBLEM,
    GENERATE_MODES,
    GenerateMode,
    answer_messages,
    split_reply,
    unbound_roles_check,
)
from pluralbench.persona.types import ANSWERED, CONTEXT_OVERFLOW, FORMAT_FAILURE

from .prompts import GROUP_MODE_INSTRUCTIONS, GROUP_SYSTEM, MEMBER_LABEL
from .types import GroupAnswers, GroupMember, GroupSampleMeta, MemberAnswer


def read_output(mode: str, output: ModelOutput) -> MemberAnswer:
    """Read the answer of one reply as the persona family does.

    Args:
        mode: The generate mode.
        output: The model's output.

    Returns:
        The answer (or why there is none) and its outcome: ``context_overflow`` when the prompt did
        not fit the model's context, ``format_failure`` when the reply had no readable answer.
    """
    if output.stop_reason == "model_length":
        return MemberAnswer(answer=None, answer_problem=CONTEXT_OVERFLOW_PROBLEM, outcome=CONTEXT_OVERFLOW)
    answer, _, problem = split_reply(mode, output.completion)
    return MemberAnswer(answer=answer, answer_problem=problem, outcome=ANSWERED if answer else FORMAT_FAILURE)


def group_messages(mode: str, question: str, members: Sequence[GroupMember]) -> list[ChatMessage]:
    """Return the conversation asking for one answer for the whole group.

    Args:
        mode: The generate mode; ``baseline`` shows no one (the persona family's baseline message).
        question: The question.
        members: The members, each shown in full between fences.

    Returns:
        A system message with the fenced members (except in ``baseline``) and the user message.
    """
    nonce = new_nonce()
    question = fence(QUESTION_LABEL, question, nonce)
    if mode == "baseline":
        return [ChatMessageUser(content=MODE_INSTRUCTIONS["baseline"].format(question=question))]
    blocks = "\n\n".join(
        fence(MEMBER_LABEL.format(number=number), member.persona_text, nonce)
        for number, member in enumerate(members, start=1)
    )
    system = GROUP_SYSTEM.format(m=len(members), notice=untrusted_notice(nonce), members=blocks)
    return [
        ChatMessageSystem(content=system),
        ChatMessageUser(content=GROUP_MODE_INSTRUCTIONS[mode].format(question=question)),
    ]


async def individual_answers(mode: str, question: str, members: Sequence[GroupMember]) -> list[MemberAnswer]:
    """Ask the evaluated model for one answer per member, each written for that member alone.

    The prompt is the ``persona`` task's own, so these answers are what personalization for one
    person gives.

    Args:
        mode: The generate mode.
        question: The question.
        members: The members.

    Returns:
        One answer per member, in member order.
    """
    model = get_model()
    outputs = await asyncio.gather(
        *(model.generate(answer_messages(mode, question, member.persona_text)) for member in members)
    )
    return [read_output(mode, output) for output in outputs]


@solver
def group_answer(
    mode: GenerateMode = "output_only", compare_individual: bool = False, grading_roles: Sequence[str] = ()
) -> Solver:
    """Ask the evaluated model for one answer that serves every member of the sample's group.

    The answer, preamble and any format problem are stored in ``state.metadata`` (see
    :class:`~.types.GroupAnswers`); with ``compare_individual`` the model is also asked, in separate
    calls outside the sample's conversation, for one answer per member written for that member
    alone (``individual_answers``).

    Args:
        mode: ``baseline`` (no one shown), ``output_only``, ``chain_of_thought`` or ``demographic_summary``.
        compare_individual: Also write each member's individual answer.
        grading_roles: The roles the task's scorer resolves; the first sample warns once about
            those not bound (:func:`~pluralbench.persona.solvers.unbound_roles_check`).

    Returns:
        The solver.
    """
    if mode not in GENERATE_MODES:
        raise ValueError(f"option mode={mode!r}: must be one of {', '.join(GENERATE_MODES)}")

    check_roles = unbound_roles_check(grading_roles)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        check_roles()
        meta = state.metadata_as(GroupSampleMeta)
        state.messages = group_messages(mode, state.input_text, meta.members)
        state = await generate(state)
        group = read_output(mode, state.output)
        preamble = None if group.outcome == CONTEXT_OVERFLOW else split_reply(mode, state.output.completion)[1]
        # the members' own answers are separate calls with fresh contexts, not turns of this conversation
        individual = await individual_answers(mode, state.input_text, meta.members) if compare_individual else None
        state.metadata.update(
            GroupAnswers(
                mode=mode,
                answer=group.answer,
                preamble=preamble,
                answer_problem=group.answer_problem,
                outcome=group.outcome,
                individual_answers=individual,
            ).model_dump()
        )
        return state

    return solve
