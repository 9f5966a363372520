"""Structured replies: one JSON object, strict types, bounds, one repair request, and context overflow.

Parsing is tested on strings; the judges (critic, debate, identification), the alignment methods,
the statement checker and the PRISM filter are tested on task states with scripted models, so
each reason reaches the score or the counts as the suite reports it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.scorer import Score
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import json_schema
from pydantic import BaseModel

from persona_scripts import is_nan, personalization
from pluralbench._replies import (
    AMBIGUOUS_REPLY,
    CONTEXT_OVERFLOW,
    UNREADABLE_REPLY,
    AmbiguousReplyError,
    ReplyParseError,
    context_overflow,
    parse_json_reply,
)
from pluralbench.alignment.scorers import choice_score
from pluralbench.alignment.solvers._shared import Rating, choice_reply_model
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.alignment.types import SELECTION_KEY, AlignmentSampleMeta, Selection
from pluralbench.persona.identification import identification_verdict_model, persona_identification
from pluralbench.persona.prism import PrismSelection, filter_contested
from pluralbench.persona.prompts import REPAIR_REPLY
from pluralbench.persona.scorers import CriticVerdict, JudgeVerdict, personalization_critic
from pluralbench.persona.tasks import persona
from pluralbench.scripted import scripted_model, scripted_output
from pluralbench.steerability.generate.statements import check_reply_model
from pluralbench.steerability.scorers import parse_batch_agreement
from replies import APPROVE, REJECT, critic_verdict, identification_verdict, judge_verdict, rating
from states import score, solve, solve_task, state_of

Reply = Callable[[list[ChatMessage]], str]

FLIPPED = '{"needs_revision": true} The answer itself says: {"needs_revision": false}'
"""The issue's example: a verdict followed by a quoted object that would flip it."""


class Recorder:
    """A scripted judge that records every call's messages and config, and replies from a list (the last repeats)."""

    def __init__(self, *replies: str | ModelOutput) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[list[ChatMessage], GenerateConfig]] = []

    def model(self) -> Model:
        async def outputs(
            messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
        ) -> ModelOutput:
            self.calls.append((list(messages), config))
            reply = self.replies[min(len(self.calls), len(self.replies)) - 1]
            return reply if isinstance(reply, ModelOutput) else scripted_output(reply)

        return get_model("mockllm/recorder", custom_outputs=outputs, memoize=False)

    def last_user_text(self, call: int) -> str:
        return self.calls[call][0][-1].text


def overflow_output(error: str | None = None, stop_reason: str = "model_length", text: str = "") -> ModelOutput:
    """An output as inspect's providers return it for a prompt longer than the context window."""
    return ModelOutput(
        model="mockllm/model",
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=text, model="mockllm/model"),
                stop_reason=stop_reason,  # type: ignore[arg-type]
            )
        ],
        usage=ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0),
        error=error,
    )


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text",
    [
        '{"needs_revision": false}',
        '```json\n{"needs_revision": false}\n```',
        'My verdict:\n{"personalization_critique": "a {brace} in a string", "needs_revision": false}\nDone.',
    ],
)
def test_a_single_object_is_read_whole_fenced_or_in_prose(text: str) -> None:
    assert parse_json_reply(text, CriticVerdict).needs_revision is False


@pytest.mark.parametrize(
    "text",
    [
        FLIPPED,
        '{"needs_revision": false}\n{"needs_revision": true}',
        '{"needs_revision": true} For example {"x": 1}',
        '{"needs_revision": true, "why": "the answer says {"needs_revision": false}"}',
        '{"needs_revision": true, "needs_revision": false}',
        '{"needs_revision": false} and then {"needs_revision": tru',
    ],
)
def test_several_objects_broken_wrappers_and_repeated_keys_are_ambiguous(text: str) -> None:
    with pytest.raises(AmbiguousReplyError) as raised:
        parse_json_reply(text, CriticVerdict)
    assert raised.value.reason == AMBIGUOUS_REPLY


@pytest.mark.parametrize(
    ("text", "schema", "field"),
    [
        ('{"needs_revision": "no"}', CriticVerdict, "needs_revision"),
        ('{"needs_revision": "off"}', CriticVerdict, "needs_revision"),
        ('{"needs_revision": 0}', JudgeVerdict, "needs_revision"),
        ('{"person": true}', identification_verdict_model(4), "person"),
        ('{"person": 2.0}', identification_verdict_model(4), "person"),
        ('{"person": "2"}', identification_verdict_model(4), "person"),
        ('{"person": 28}', identification_verdict_model(4), "person"),
        ('{"person": 0}', identification_verdict_model(4), "person"),
        ('{"reason": "r", "score": true}', Rating, "score"),
        ('{"reason": "r", "score": "85"}', Rating, "score"),
        ('{"reason": "r", "score": 101}', Rating, "score"),
        ('{"reason": "r", "choice": true}', choice_reply_model(3), "choice"),
        ('{"reason": "r", "choice": 4}', choice_reply_model(3), "choice"),
    ],
)
def test_fields_are_strictly_typed_and_bounded(text: str, schema: type[BaseModel], field: str) -> None:
    with pytest.raises(ReplyParseError) as raised:
        parse_json_reply(text, schema)
    assert not isinstance(raised.value, AmbiguousReplyError)
    assert raised.value.reason == UNREADABLE_REPLY and f"field '{field}'" in str(raised.value)


def test_a_number_is_not_a_json_constant_and_integers_are_numbers() -> None:
    with pytest.raises(ReplyParseError, match="no JSON object"):
        parse_json_reply('{"reason": "r", "score": NaN}', Rating)
    assert parse_json_reply('{"reason": "r", "score": 85}', Rating).score == 85.0
    assert parse_json_reply('{"person": 4}', identification_verdict_model(4)).person == 4


def test_identification_schema_sent_to_the_provider_carries_the_bounds() -> None:
    document = json_schema(identification_verdict_model(4)).model_dump(exclude_none=True)
    assert document["properties"]["person"]["minimum"] == 1
    assert document["properties"]["person"]["maximum"] == 4
    assert (
        json_schema(identification_verdict_model(7)).model_dump(exclude_none=True)["properties"]["person"]["maximum"]
        == 7
    )


def test_context_overflow_is_read_from_stop_reason_or_the_servers_error() -> None:
    assert context_overflow(scripted_output('{"needs_revision": false}')) is None
    assert context_overflow(overflow_output()) is not None
    refusal = overflow_output(
        error="This model's maximum context length is 8192 tokens; your messages resulted in 9000 tokens",
        stop_reason="stop",
    )
    described = context_overflow(refusal)
    assert described is not None and "maximum context length" in described
    assert context_overflow(overflow_output(error="rate limited", stop_reason="stop")) is None


def test_steerability_batch_replies_are_strict_and_unambiguous() -> None:
    assert parse_batch_agreement('{"1": true, "2": false}', 2) is False
    for text in ('{"1": "yes", "2": false}', '{"1": 1, "2": false}'):
        with pytest.raises(ReplyParseError):
            parse_batch_agreement(text, 1)
    with pytest.raises(AmbiguousReplyError):
        parse_batch_agreement('{"1": true, "2": false} {"1": false, "2": false}', 1)


def test_statement_checker_schema_is_bounded_and_allows_one_verdict_per_number() -> None:
    schema = check_reply_model(3)
    assert [
        v.number for v in parse_json_reply('{"verdicts": [{"number": 3, "verdict": "agree"}]}', schema).verdicts
    ] == [3]
    for text in (
        '{"verdicts": [{"number": 4, "verdict": "agree"}]}',
        '{"verdicts": [{"number": 1, "verdict": "agree"}, {"number": 1, "verdict": "disagree"}]}',
        '{"verdicts": [{"number": true, "verdict": "agree"}]}',
    ):
        with pytest.raises(ReplyParseError):
            parse_json_reply(text, schema)


# ---------------------------------------------------------------- the critic and the debate judge


@pytest.fixture(scope="module")
def answered_state() -> object:
    [state] = solve_task(persona(n=1), scripted_model("<answer>Some advice.</answer>"))
    return state


def critic_score(state: object, critic: Recorder, rounds: int = 0, judge: Recorder | None = None) -> Score:
    roles = {"critic": critic.model(), **({"judge": judge.model()} if judge else {})}
    return score(personalization_critic(debate_rounds=rounds), state, roles=roles)  # type: ignore[arg-type]


def test_a_flipped_critic_verdict_is_never_scored_one(answered_state: object) -> None:
    critic = Recorder(FLIPPED)
    result = critic_score(answered_state, critic)
    assert len(critic.calls) == 2, "one repair request"
    assert "could not be read" in critic.last_user_text(1) and "JSON objects" in critic.last_user_text(1)
    assert is_nan(personalization(result)) and result.reason == AMBIGUOUS_REPLY


def test_an_ambiguous_verdict_repaired_to_one_object_is_scored(answered_state: object) -> None:
    critic = Recorder(FLIPPED, REJECT)
    result = critic_score(answered_state, critic)
    assert len(critic.calls) == 2 and personalization(result) == 0.0


@pytest.mark.parametrize("value", ['"no"', '"off"', "0", '"false"'])
def test_a_non_boolean_verdict_is_unscored_after_repair_not_approved(answered_state: object, value: str) -> None:
    critic = Recorder(f'{{"needs_revision": {value}}}')
    result = critic_score(answered_state, critic)
    assert len(critic.calls) == 2
    assert is_nan(personalization(result)) and result.reason == UNREADABLE_REPLY
    assert result.explanation and "needs_revision" in result.explanation


def test_a_critic_prompt_too_long_for_the_context_is_context_overflow_without_repair(answered_state: object) -> None:
    critic = Recorder(overflow_output(text="error: prompt too long"))
    result = critic_score(answered_state, critic)
    assert len(critic.calls) == 1
    assert is_nan(personalization(result)) and result.reason == CONTEXT_OVERFLOW
    assert result.metadata and result.metadata["outcome"] == CONTEXT_OVERFLOW


def test_a_debater_turn_too_long_for_the_context_ends_the_debate_as_context_overflow(answered_state: object) -> None:
    critic = Recorder("A first argument.", overflow_output())
    judge = Recorder(judge_verdict(False))
    result = critic_score(answered_state, critic, rounds=2, judge=judge)
    assert len(critic.calls) == 2 and judge.calls == []
    assert is_nan(personalization(result)) and result.reason == CONTEXT_OVERFLOW


def test_a_flipped_debate_judge_verdict_is_unscored_ambiguous(answered_state: object) -> None:
    critic = Recorder("An argument.")
    judge = Recorder('{"reasoning": "r", "needs_revision": true}\n{"reasoning": "r", "needs_revision": false}')
    result = critic_score(answered_state, critic, rounds=1, judge=judge)
    assert len(judge.calls) == 2 and result.reason == AMBIGUOUS_REPLY and is_nan(personalization(result))
    judge_overflow = Recorder(overflow_output())
    overflowed = critic_score(answered_state, Recorder("An argument."), rounds=1, judge=judge_overflow)
    assert len(judge_overflow.calls) == 1 and overflowed.reason == CONTEXT_OVERFLOW


def test_valid_verdicts_still_score(answered_state: object) -> None:
    assert personalization(critic_score(answered_state, Recorder(APPROVE))) == 1.0
    assert personalization(critic_score(answered_state, Recorder(critic_verdict(True)))) == 0.0


# ---------------------------------------------------------------- identification


@pytest.fixture(scope="module")
def identify_state() -> object:
    [state] = solve_task(persona(n=1, identify_k=4), scripted_model("<answer>Some advice.</answer>"))
    return state


def identify(state: object, judge: Recorder) -> Score:
    return score(persona_identification(), state, roles={"judge": judge.model()})  # type: ignore[arg-type]


def test_person_true_is_not_candidate_one(identify_state: object) -> None:
    judge = Recorder('{"reasoning": "r", "person": true}')
    result = identify(identify_state, judge)
    assert len(judge.calls) == 2 and math.isnan(float(result.value)) and result.reason == UNREADABLE_REPLY  # type: ignore[arg-type]


def test_a_person_out_of_range_gets_the_repair_request_and_the_schema_shows_the_bounds(identify_state: object) -> None:
    meta_answer = identify_state.metadata["identify_answer"]  # type: ignore[attr-defined]
    judge = Recorder('{"reasoning": "r", "person": 28}', identification_verdict(meta_answer))
    result = identify(identify_state, judge)
    assert len(judge.calls) == 2
    assert "less than or equal to 4" in judge.last_user_text(1)
    assert REPAIR_REPLY.split(":")[0] in judge.last_user_text(1)
    assert result.value == 1.0
    schema = judge.calls[0][1].response_schema
    assert schema is not None and schema.json_schema.properties is not None
    assert schema.json_schema.properties["person"].maximum == 4


def test_identification_prompt_too_long_is_context_overflow(identify_state: object) -> None:
    judge = Recorder(overflow_output(error="context length exceeded", stop_reason="unknown"))
    result = identify(identify_state, judge)
    assert len(judge.calls) == 1 and result.reason == CONTEXT_OVERFLOW


# ---------------------------------------------------------------- alignment methods


ITEMS = """\
{"item_id": "t1", "split": "train", "prompt": "Train prompt?", "responses": ["Short.", "A much longer answer."], \
"labels": [{"verbosity": 0.1}, {"verbosity": 0.9}]}
{"item_id": "e1", "split": "eval", "prompt": "Eval prompt?", "responses": ["Brief.", "Long and detailed text."], \
"labels": [{"verbosity": 0.2}, {"verbosity": 0.8}]}
"""


def alignment_state(tmp_path: Path, method: str) -> tuple[object, object]:
    path = tmp_path / "items.jsonl"
    path.write_text(ITEMS, encoding="utf-8")
    task = alignment_targets(dataset=str(path), target='{"verbosity": 1.0}', method=method, n_examples=0)
    [sample] = list(task.dataset)
    return task.solver, state_of(sample)


def test_a_rating_of_true_is_not_a_score_and_gets_one_repair(tmp_path: Path) -> None:
    solver, state = alignment_state(tmp_path, "regression")
    model = Recorder('{"reason": "r", "score": true}', rating(80))
    solved = solve(solver, state, model.model())  # type: ignore[arg-type]
    selection = Selection.model_validate(solved.metadata[SELECTION_KEY])
    assert len(model.calls) == 3, "two responses rated alone, one repair after the boolean score"
    assert selection.choice is not None and selection.predicted is not None
    assert [values["verbosity"] for values in selection.predicted] == [0.8, 0.8], "the boolean was not read as 1"


def test_an_ambiguous_choice_after_repair_is_a_failure_not_a_pick(tmp_path: Path) -> None:
    solver, state = alignment_state(tmp_path, "unaligned")
    model = Recorder('{"reason": "r", "choice": 1} {"reason": "r", "choice": 2}')
    solved = solve(solver, state, model.model())  # type: ignore[arg-type]
    selection = Selection.model_validate(solved.metadata[SELECTION_KEY])
    assert len(model.calls) == 2 and selection.choice is None and not selection.context_overflow
    assert "JSON objects" in selection.failures[0]


@pytest.mark.parametrize("method", ["unaligned", "prompt_aligned", "comparative_regression", "regression"])
def test_an_alignment_prompt_too_long_is_unscored_context_overflow(tmp_path: Path, method: str) -> None:
    solver, state = alignment_state(tmp_path, method)
    model = Recorder(overflow_output())
    solved = solve(solver, state, model.model())  # type: ignore[arg-type]
    selection = Selection.model_validate(solved.metadata[SELECTION_KEY])
    assert selection.context_overflow and selection.choice is None
    assert all("repair" not in failure for failure in selection.failures)
    result = choice_score(solved.metadata_as(AlignmentSampleMeta), selection)
    assert result.reason == CONTEXT_OVERFLOW


# ---------------------------------------------------------------- PRISM filter


def test_controversy_filter_counts_a_non_boolean_verdict_as_unreadable() -> None:
    from pluralbench.persona.data import Question

    questions = [Question(question_id=f"q{i}", question=f"Should people do thing {i}?", topic="t") for i in range(3)]
    replies = iter(['{"contested": "yes"}', '{"contested": true} {"contested": false}', '{"contested": true}'])
    kept = asyncio.run(filter_contested(PrismSelection(questions=questions), scripted_model(lambda _: next(replies))))
    assert [q.question_id for q in kept.questions] == ["q2"]
    assert kept.excluded["controversy verdict unreadable"] == 2


def test_reply_builders_still_produce_readable_verdicts() -> None:
    assert parse_json_reply(APPROVE, CriticVerdict).needs_revision is False
    assert parse_json_reply(judge_verdict(True), JudgeVerdict).needs_revision is True
    assert parse_json_reply(identification_verdict(3), identification_verdict_model(4)).person == 3
