"""The evaluated model names the answer the person would prefer, as a JSON reply, with one repair request."""

from __future__ import annotations

from typing import Literal, get_args

from inspect_ai.model import ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench._replies import ReplyParseError, context_overflow, parse_json_reply
from pluralbench._structured import StructuredMode, generate_structured
from pluralbench.persona.prompts import PERSONA_LABEL, QUESTION_LABEL, REPAIR_REPLY

from .prompts import CHOOSE_FOR_PERSONA, CHOOSE_WITHOUT_PERSONA
from .types import PreferenceAnswer, PreferenceReply, PreferenceSampleMeta

PreferenceMode = Literal["persona", "baseline"]
PREFERENCE_MODES: tuple[str, ...] = get_args(PreferenceMode)
REPLY_SCHEMA = "preference_choice"


def choice_prompt(meta: PreferenceSampleMeta, question: str, mode: str, nonce: str) -> str:
    """Return the prompt asking which of the sample's two answers the person would prefer.

    Args:
        meta: The sample's metadata (persona and answers in the order shown).
        question: The question.
        mode: ``persona`` (the persona is shown) or ``baseline`` (it is not).
        nonce: The prompt's fence token.

    Returns:
        The prompt, with every untrusted text fenced.
    """
    blocks = {
        "notice": untrusted_notice(nonce),
        "question": fence(QUESTION_LABEL, question, nonce),
        "answer_1": fence("ANSWER 1", meta.answers[0], nonce),
        "answer_2": fence("ANSWER 2", meta.answers[1], nonce),
    }
    if mode == "baseline":
        return CHOOSE_WITHOUT_PERSONA.format(**blocks)
    return CHOOSE_FOR_PERSONA.format(persona=fence(PERSONA_LABEL, meta.persona_text, nonce), **blocks)


@solver
def preference_choice(mode: PreferenceMode = "persona", structured: StructuredMode = "auto") -> Solver:
    """Ask the evaluated model which answer the sample's person would prefer.

    The choice (or why none could be read), the reason and the mode go into ``state.metadata``
    for the scorer. A prompt that does not fit the model's context window is recorded as a
    context overflow (the scorer leaves the sample unscored) rather than as a format failure.

    Args:
        mode: ``persona`` shows the persona; ``baseline`` hides it.
        structured: How the reply's JSON is asked for (:mod:`pluralbench._structured`).

    Returns:
        The solver.
    """
    if mode not in PREFERENCE_MODES:
        raise ValueError(f"option mode={mode!r}: must be one of {', '.join(PREFERENCE_MODES)}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(PreferenceSampleMeta)
        state.messages = [ChatMessageUser(content=choice_prompt(meta, state.input_text, mode, new_nonce()))]
        reply: PreferenceReply | None = None
        problem: str | None = None
        overflow: str | None = None
        # Two model calls at most: the reply, and one repair request when it holds no readable
        # choice; a second unreadable reply is a format failure (scored wrong and counted).
        for attempt in range(2):
            state.output = await generate_structured(
                get_model(), state.messages, PreferenceReply, REPLY_SCHEMA, structured
            )
            state.messages.append(state.output.message)
            overflow = context_overflow(state.output)
            if overflow is not None:  # the model never saw the whole prompt: unscored, not a wrong answer
                break
            try:
                reply = parse_json_reply(state.output.completion, PreferenceReply)
                problem = None
                break
            except ReplyParseError as error:
                problem = str(error)
            if attempt == 0:
                state.messages.append(ChatMessageUser(content=REPAIR_REPLY.format(problem=problem)))
        if overflow is not None:
            reply_problem: str | None = overflow
        elif problem is not None:
            reply_problem = f"no readable choice after one repair request: {problem}"
        else:
            reply_problem = None
        answer = PreferenceAnswer(
            mode=mode,
            choice=reply.choice if reply else None,
            reason=reply.reason if reply else None,
            reply_problem=reply_problem,
            context_overflow=overflow is not None,
        )
        state.metadata.update(answer.model_dump())
        return state

    return solve
