"""The persona_preference task with scripted answerers: known answers give known metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage

from persona_scripts import fenced_section, overflowing_model, prompt_of
from pluralbench._errors import InputError
from pluralbench.persona.preferences.scorer import pair_consistency, preference_accuracy, preference_metrics
from pluralbench.persona.preferences.task import persona_preference
from pluralbench.persona.preferences.types import PreferenceReply
from pluralbench.scripted import scripted_model
from states import RunEval, sample_scores, solve_task
from support import FIXTURES

PAIRS = FIXTURES / "persona" / "preferences.jsonl"
ROWS = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
CHOSEN = {row["chosen"] for row in ROWS}
ATTRIBUTES = sorted(row["attribute"] for row in ROWS)


def reply(choice: int, reason: str = "fits them") -> str:
    return PreferenceReply(reason=reason, choice=choice).model_dump_json()  # type: ignore[arg-type]


def knows_the_asker(messages: list[ChatMessage]) -> str:
    """Picks the answer that was written for the persona who asks."""
    return reply(1 if fenced_section(prompt_of(messages), "ANSWER 1") in CHOSEN else 2)


def run(model_reply: Any, **options: Any) -> tuple[list[Any], dict[str, float]]:
    """Solve and score the fixture pairs; return the scores and every metric the task logs."""
    states = solve_task(persona_preference(**{"data": str(PAIRS), **options}), scripted_model(model_reply))
    scores = sample_scores(preference_accuracy(), states)
    metrics: dict[str, float] = {}
    for metric in preference_metrics():
        value = metric(scores)  # type: ignore[operator]
        metrics.update(value if isinstance(value, dict) else {"format_failure_rate": value})
    return scores, metrics


def test_an_answerer_that_knows_the_asker_scores_one_and_is_consistent() -> None:
    scores, metrics = run(knows_the_asker)
    assert len(scores) == 2 * len(ROWS)
    assert metrics["accuracy"] == 1.0 and metrics["accuracy_n"] == 12
    assert metrics["order_consistency"] == 1.0 and metrics["order_consistency_n"] == 6
    assert metrics["format_failure_rate"] == 0.0
    for attribute in ATTRIBUTES:
        assert metrics[f"attribute:{attribute}"] == 1.0 and metrics[f"attribute:{attribute}_n"] == 2


def test_a_position_biased_answerer_is_at_chance_with_no_consistency() -> None:
    scores, metrics = run(reply(1))
    assert metrics["accuracy"] == 0.5 and metrics["order_consistency"] == 0.0
    assert metrics["order_consistency_n"] == 6 and metrics["format_failure_rate"] == 0.0
    assert metrics["accuracy_ci_low"] < 0.5 < metrics["accuracy_ci_high"]
    assert all(metrics[f"attribute:{attribute}"] == 0.5 for attribute in ATTRIBUTES)


def test_an_answerer_that_prefers_the_other_persona_is_consistent_but_wrong() -> None:
    _, metrics = run(lambda messages: reply(2 if fenced_section(prompt_of(messages), "ANSWER 1") in CHOSEN else 1))
    assert metrics["accuracy"] == 0.0 and metrics["order_consistency"] == 1.0


def test_garbage_replies_are_format_failures_counted_as_wrong_after_one_repair() -> None:
    lengths: list[int] = []

    def garbage(messages: list[ChatMessage]) -> str:
        lengths.append(len(messages))
        return "I would go with the first one, probably."

    scores, metrics = run(garbage, n=2)
    assert sorted(lengths) == [1] * 4 + [3] * 4  # the repair request follows the first reply
    assert metrics["accuracy"] == 0.0 and metrics["accuracy_n"] == 4  # counted, not dropped
    assert metrics["format_failure_rate"] == 1.0 and metrics["order_consistency"] == 0.0
    assert all(s.score.answer is None and "after one repair request" in str(s.score.explanation) for s in scores)


@pytest.mark.parametrize("bad", ['{"reason": "x", "choice": true}', '{"reason": "x", "choice": "1"}', '{"choice": 3}'])
def test_a_choice_must_be_the_integer_1_or_2_and_a_repaired_reply_is_read(bad: str) -> None:
    def repaired(messages: list[ChatMessage]) -> str:
        return bad if len(messages) == 1 else knows_the_asker(messages[:1])

    _, metrics = run(repaired, n=1)
    assert metrics["accuracy"] == 1.0 and metrics["format_failure_rate"] == 0.0


def test_baseline_hides_the_persona_and_persona_mode_fences_it() -> None:
    prompts: list[str] = []

    def record(messages: list[ChatMessage]) -> str:
        prompts.append(prompt_of(messages))
        return reply(1)

    run(record, n=1, mode="baseline")
    run(record, n=1, mode="persona")
    baseline, persona = prompts[:2], prompts[2:]
    assert all("PERSONA" not in p and "Religion:" not in p for p in baseline)
    assert all("Religion:" in fenced_section(p, "PERSONA") for p in persona)
    for prompt in baseline + persona:  # both answers and the question are fenced with the prompt's nonce
        assert fenced_section(prompt, "ANSWER 1") != fenced_section(prompt, "ANSWER 2")
        assert fenced_section(prompt, "QUESTION")


def test_pair_consistency_needs_both_orders() -> None:
    scores, _ = run(reply(1), n=2)
    assert pair_consistency(scores) == [0.0, 0.0]
    assert pair_consistency(scores[:3]) == [0.0]  # a pair with one order evaluated is left out


def test_the_logged_metrics_of_a_full_eval(run_eval: RunEval) -> None:
    log = run_eval(persona_preference(data=str(PAIRS), n=3), scripted_model(knows_the_asker))
    assert log.results is not None
    [result] = log.results.scores
    values = {name: metric.value for name, metric in result.metrics.items()}
    assert values["accuracy"] == 1.0 and values["order_consistency"] == 1.0 and values["format_failure_rate"] == 0.0
    assert {"accuracy_ci_low", "accuracy_ci_high", "accuracy_n", "order_consistency_n"} <= set(values)
    logged = {s.metadata["attribute_group"] for s in log.samples or [] if s.metadata}
    assert len(logged) == 3 and all(values[f"attribute:{group}"] == 1.0 for group in logged)
    assert all(values[f"attribute:{group}_n"] == 2 for group in logged)
    assert log.eval.task_args["mode"] == "persona" and log.eval.task_version == 3


def write_rows(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return str(path)


def test_generated_layout_is_read_and_inconsistent_rows_are_skipped(tmp_path: Path) -> None:
    def turn(text: str) -> list[dict[str, str]]:
        return [{"role": "assistant", "content": text}]

    generated = [
        {
            "pair_id": f"g{index}",
            "prompt": [{"role": "system", "content": "about you"}, {"role": "user", "content": "q"}],
            "chosen": turn(row["chosen"]),
            "rejected": turn(row["rejected"]),
            "persona_id": row["persona_id"],
            "question_id": row["question_id"],
            "contrast_persona_id": None,
            "attribute": None,
            "chosen_source": "persona",
            "rejected_source": "no_persona",
            "feedback": ["a", "b"],
            "writer_model": "w",
            "judge_model": "j",
            "consistent": index != 0,
        }
        for index, row in enumerate(ROWS[:3])
    ]
    task = persona_preference(data=write_rows(tmp_path / "generated.jsonl", generated))
    assert len(task.dataset) == 4 and task.metadata and task.metadata["skipped_inconsistent"] == 1
    assert {sample.metadata["attribute_group"] for sample in task.dataset if sample.metadata} == {"no_persona"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "x"}, "option mode='x': must be one of 'persona', 'baseline'"),
        ({"n": 0}, "option n=0: must be a number of pairs >= 1 or 'all'"),
        ({"n": "some"}, "option n='some': must be a number of pairs >= 1 or 'all'"),
        ({"n": 1.5}, "option n=1.5: must be a number of pairs >= 1 or 'all'"),
        ({"n": 7}, "option n=7: must be 'all' or a number of pairs from 1 to 6"),
        ({"seed": "s"}, "option seed='s': must be an integer >= 0"),
        ({"data": ""}, "option data='': must be a preference JSONL file path, not empty"),
    ],
)
def test_bad_options_are_one_line_input_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        persona_preference(**{"data": str(PAIRS), **options})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"persona_id": "p9999"}, "line 2: field 'persona_id': unknown persona 'p9999'"),
        ({"question_id": "q9999"}, "line 2: field 'question_id': unknown question 'q9999'"),
        ({"rejected": "  "}, "line 2: field 'rejected'"),
        (
            {"rejected": ROWS[1]["chosen"].upper()},
            "line 2: fields 'chosen' and 'rejected': the two answers are the same",
        ),
        ({"attribute": "zodiac"}, "line 2: field 'attribute'"),
        ({"colour": "red"}, "line 2: field 'colour': unknown field"),
        ({"pair_id": "pp9001"}, "line 2: duplicate id 'pp9001'"),
    ],
)
def test_bad_preference_files_name_the_line_and_field(tmp_path: Path, change: dict[str, str], message: str) -> None:
    rows = [ROWS[0], {**ROWS[1], **change}]
    with pytest.raises(InputError, match=message):
        persona_preference(data=write_rows(tmp_path / "bad.jsonl", rows))


def test_the_structured_option_reaches_the_choice_call(run_eval: RunEval) -> None:
    prompts: list[str] = []

    def record(messages: list[ChatMessage]) -> str:
        prompts.append(messages[-1].text)
        return reply(1)

    log = run_eval(persona_preference(data=str(PAIRS), n=1, structured="prompt"), scripted_model(record))
    assert log.eval.task_args["structured"] == "prompt" and len(prompts) == 2
    assert all("It must match this JSON schema" in prompt and '"choice"' in prompt for prompt in prompts)


def test_a_prompt_that_overflows_the_context_is_unscored_not_a_format_failure() -> None:
    states = solve_task(persona_preference(data=str(PAIRS), n=1), overflowing_model())
    scores = sample_scores(preference_accuracy(), states)
    assert all(math.isnan(s.score.as_float()) and s.score.reason == "context_overflow" for s in scores)
    assert all(len(state.messages) == 2 for state in states)  # no repair request after an overflow
    assert pair_consistency(scores) == []
