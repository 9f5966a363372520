"""The PERSONA generate modes: how the evaluated model is asked to answer for a person.

One model call per sample. Each mode asks for a tagged reply that the suite splits itself, so
only the answer is graded and the reasoning or summary stays in the log; no second model call
extracts fields. A reply without a readable answer is the evaluated model's failure
(``outcome`` ``format_failure``, scored 0 without asking the critic); a prompt that did not fit
the model's context (``stop_reason`` ``model_length``) is ``context_overflow`` (unscored, counted).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Literal, get_args

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._fence import fence, new_nonce
from pluralbench._replies import context_overflow, extract_tagged
from pluralbench.persona.prompts import MODE_INSTRUCTIONS, PERSONA_LABEL, PERSONA_SYSTEM, QUESTION_LABEL
from pluralbench.persona.types import ANSWERED, CONTEXT_OVERFLOW, FORMAT_FAILURE, PersonaAnswer, PersonaSampleMeta

logger = logging.getLogger(__name__)

GenerateMode = Literal["baseline", "output_only", "chain_of_thought", "demographic_summary"]
GENERATE_MODES: tuple[str, ...] = get_args(GenerateMode)

PREAMBLE_TAGS: dict[str, str] = {"chain_of_thought": "reasoning", "demographic_summary": "summary"}
"""Modes whose reply has a section before the answer, and that section's tag."""

_ANSWER_OPENING = re.compile(r"<answer>", flags=re.IGNORECASE)
CONTEXT_OVERFLOW_PROBLEM = "the prompt does not fit the evaluated model's context window"
"""The answer problem of a context overflow (``stop_reason`` ``model_length``, or the server's context error)."""


def split_reply(mode: str, reply: str) -> tuple[str | None, str | None, str | None]:
    """Split a reply into (answer, preamble, problem) for a generate mode.

    In ``baseline`` and ``output_only`` the whole reply is the answer when it has no answer
    tags. In the two-part modes the answer is the ``<answer>`` section, or else the text
    after the closed preamble section; a reply with neither (e.g. reasoning that never closes)
    has no gradable answer. An empty ``<answer></answer>`` section is no answer in every mode.

    Args:
        mode: The generate mode.
        reply: The model's reply.

    Returns:
        The answer (or ``None``), the reasoning/summary (or ``None``), and a problem description
        when no answer could be separated.
    """
    answer = extract_tagged(reply, "answer")
    tag = PREAMBLE_TAGS.get(mode)
    preamble = extract_tagged(reply, tag) if tag else None
    if answer is None and _ANSWER_OPENING.search(reply):
        return None, preamble, "the reply's <answer> section is empty"
    if answer is None and tag is None:
        answer = reply.strip() or None
    if answer is None and tag is not None and f"</{tag}>" in reply.lower():
        answer = reply[reply.lower().rindex(f"</{tag}>") + len(tag) + 3 :].strip() or None
    if answer is None:
        expected = "an <answer> section" if tag else "any text"
        return None, preamble, f"the reply has no gradable answer (expected {expected})"
    return answer, preamble, None


def answer_messages(mode: str, question: str, persona_text: str) -> list[ChatMessage]:
    """Return the conversation that asks the evaluated model to answer in a mode.

    Args:
        mode: The generate mode.
        question: The question.
        persona_text: The rendered persona the model may see (unused in ``baseline``).

    Returns:
        A system message with the fenced persona (except in ``baseline``) and the user message
        with the fenced question (one fresh nonce for both).
    """
    nonce = new_nonce()
    user = ChatMessageUser(content=MODE_INSTRUCTIONS[mode].format(question=fence(QUESTION_LABEL, question, nonce)))
    if mode == "baseline":
        return [user]
    system = PERSONA_SYSTEM.format(persona=fence(PERSONA_LABEL, persona_text, nonce))
    return [ChatMessageSystem(content=system), user]


@solver
def persona_answer(mode: GenerateMode = "output_only", grading_roles: Sequence[str] = ()) -> Solver:
    """Ask the evaluated model to answer the sample's question in a generate mode.

    The answer, the reasoning or summary, any format problem and the outcome are stored in
    ``state.metadata`` (``answer``, ``preamble``, ``answer_problem``, ``outcome``) for the scorers.

    Args:
        mode: ``baseline`` (no persona), ``output_only``, ``chain_of_thought`` or ``demographic_summary``.
        grading_roles: The roles the task's scorers resolve; the first sample warns once about
            those not bound (:func:`unbound_roles_check`).

    Returns:
        The solver.
    """
    if mode not in GENERATE_MODES:
        raise ValueError(f"option mode={mode!r}: must be one of {', '.join(GENERATE_MODES)}")

    check_roles = unbound_roles_check(grading_roles)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        check_roles()
        meta = state.metadata_as(PersonaSampleMeta)
        state.messages = answer_messages(mode, state.input_text, meta.answer_persona_text)
        state = await generate(state)
        answer: str | None
        preamble: str | None
        problem: str | None
        if context_overflow(state.output) is not None:
            answer, preamble, problem = None, None, CONTEXT_OVERFLOW_PROBLEM
            outcome = CONTEXT_OVERFLOW
        else:
            answer, preamble, problem = split_reply(mode, state.output.completion)
            outcome = ANSWERED if answer is not None else FORMAT_FAILURE
        state.metadata.update(
            PersonaAnswer(
                mode=mode, answer=answer, preamble=preamble, answer_problem=problem, outcome=outcome
            ).model_dump()
        )
        return state

    return solve


def unbound_roles_warning(roles: Sequence[str], bound: Sequence[str]) -> str | None:
    """Return the one-line warning for grading roles that are not bound, or ``None`` when all are.

    Args:
        roles: The roles the task's scorers resolve (``critic``, ``judge``).
        bound: The roles bound in the running eval.

    Returns:
        E.g. ``role critic is not bound: the evaluated model grades its own answers (self-grading); bind
        with --model-role critic=<model>``.
    """
    unbound = [role for role in roles if role not in bound]
    if not unbound:
        return None
    names = ", ".join(unbound)
    subject = f"role {names} is" if len(unbound) == 1 else f"roles {names} are"
    binding = " ".join(f"--model-role {role}=<model>" for role in unbound)
    return f"{subject} not bound: the evaluated model grades its own answers (self-grading); bind with {binding}"


def unbound_roles_check(roles: Sequence[str]) -> Callable[[], None]:
    """Return a check that warns once, at its first call, that grading roles fall back to the evaluated model.

    Whether a role is bound is known only inside the running eval: a task built in Python
    before ``eval()`` sees no roles, and a task's own ``model_roles`` and an eval-retry's roles
    are merged in after the task is built. The answer solvers call the check as each sample
    starts, so the first sample tells with the final roles bound.

    Args:
        roles: The roles the task's scorers resolve (``critic``, ``judge``).

    Returns:
        The check: logs :func:`unbound_roles_warning` once, and nothing at later calls.
    """
    checked = False

    def check() -> None:
        nonlocal checked
        if not checked:
            checked = True
            warning = unbound_roles_warning(roles, list(model_roles()))
            if warning is not None:
                logger.warning(warning)

    return check
