"""The PERSONA generate modes: how the evaluated model is asked to answer for a person.

One model call per sample. Each mode asks for a tagged reply that the suite splits itself, so
only the answer is graded and the reasoning or summary stays in the log; no second model call
extracts fields.
"""

from __future__ import annotations

from typing import Literal, get_args

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._replies import extract_tagged
from pluralbench.persona.prompts import MODE_INSTRUCTIONS, PERSONA_SYSTEM
from pluralbench.persona.types import PersonaAnswer, PersonaSampleMeta

GenerateMode = Literal["baseline", "output_only", "chain_of_thought", "demographic_summary"]
GENERATE_MODES: tuple[str, ...] = get_args(GenerateMode)

PREAMBLE_TAGS: dict[str, str] = {"chain_of_thought": "reasoning", "demographic_summary": "summary"}
"""Modes whose reply has a section before the answer, and that section's tag."""


def split_reply(mode: str, reply: str) -> tuple[str | None, str | None, str | None]:
    """Split a reply into (answer, preamble, problem) for a generate mode.

    In ``baseline`` and ``output_only`` the whole reply is the answer when it has no answer
    tags. In the two-part modes the answer is the ``<answer>`` section, or else the text
    after the closed preamble section; a reply with neither has no gradable answer.

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
        A system message with the persona (except in ``baseline``) and the user message.
    """
    user = ChatMessageUser(content=MODE_INSTRUCTIONS[mode].format(question=question))
    if mode == "baseline":
        return [user]
    return [ChatMessageSystem(content=PERSONA_SYSTEM.format(persona=persona_text)), user]


@solver
def persona_answer(mode: GenerateMode = "output_only") -> Solver:
    """Ask the evaluated model to answer the sample's question in a generate mode.

    The answer, the reasoning or summary, and any format problem are stored in
    ``state.metadata`` (``answer``, ``preamble``, ``answer_problem``) for the scorers.

    Args:
        mode: ``baseline`` (no persona), ``output_only``, ``chain_of_thought`` or ``demographic_summary``.

    Returns:
        The solver.
    """
    if mode not in GENERATE_MODES:
        raise ValueError(f"option mode={mode!r}: must be one of {', '.join(GENERATE_MODES)}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(PersonaSampleMeta)
        state.messages = answer_messages(mode, state.input_text, meta.answer_persona_text)
        state = await generate(state)
        answer, preamble, problem = split_reply(mode, state.output.completion)
        state.metadata.update(
            PersonaAnswer(mode=mode, answer=answer, preamble=preamble, answer_problem=problem).model_dump()
        )
        return state

    return solve
