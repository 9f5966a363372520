"""The steerability task: solver and scorer on task states with scripted steerers, the metrics on their
scores, strict answer parsing, option errors, and small end-to-end evals (plain and batched)."""

from __future__ import annotations

import csv
import hashlib
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task, eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, ModelOutput
from inspect_ai.scorer import SampleScore

from pluralbench._errors import InputError
from pluralbench._metrics import format_failure_rate
from pluralbench._replies import ReplyParseError
from pluralbench.model import default_task_model
from pluralbench.scripted import scripted_model
from pluralbench.steerability.metrics import balanced_accuracy, original_score, steerability_margin
from pluralbench.steerability.scorers import parse_agreement, parse_batch_agreement, steerability_scorer
from pluralbench.steerability.tasks import steerability
from replies import batch_answers
from states import sample_scores, solve_task, state_of
from support import FIXTURES as FIXTURE_ROOT

FIXTURES = FIXTURE_ROOT / "steerability"
FRAMEWORKS = ["Alpha", "Beta", "Gamma"]
PERSONAS = 12
STATEMENTS = 24

Decide = Callable[[str, str], bool]
"""An answerer's decision: (steered persona read from the prompt, statement text) -> agrees."""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, bool]]]:
    """An original-layout statements.csv of 12 personas x 24 statements, and text -> (persona, agree)."""
    path = tmp_path_factory.mktemp("steer") / "statements.csv"
    lookup: dict[str, tuple[str, bool]] = {}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "persona_id",
                "persona_description",
                "framework_name",
                "framework_description",
                "statement",
                "statement_id",
                "is_agree",
            ]
        )
        for i in range(PERSONAS):
            pid, framework = f"p{i:02d}", FRAMEWORKS[i % len(FRAMEWORKS)]
            for j in range(STATEMENTS):
                text = f"Persona {pid} view number {j:02d} on topic {i * 100 + j}."
                agree = (i + j) % 2 == 0
                lookup[text] = (pid, agree)
                writer.writerow(
                    [pid, f"Type{i}", framework, f"{framework} sorts people.", text, f"{pid}_{j:02d}", agree]
                )
    return path, lookup


def _statements_in(text: str, lookup: dict[str, tuple[str, bool]]) -> list[str]:
    """Known statements appearing in ``text``, in order of appearance."""
    found = [(text.find(statement), statement) for statement in lookup if statement in text]
    return [statement for _, statement in sorted(found)]


def answerer(lookup: dict[str, tuple[str, bool]], decide: Decide, calls: list[int] | None = None) -> Any:
    """A scripted steerer: reads p from the steering statements in the system message, then decides.

    Replies Y/N to one statement, or one JSON object when the question numbers several.
    """

    def reply(messages: list[ChatMessage]) -> str:
        if calls is not None:
            calls.append(1)
        system, question = messages[0].text, messages[-1].text
        steering = _statements_in(system, lookup)
        p = lookup[steering[0]][0] if steering else ""
        tested = _statements_in(question, lookup)
        answers = [decide(p, statement) for statement in tested]
        if "JSON" in question:
            return batch_answers(dict(enumerate(answers, 1)))
        return "Y" if answers[0] else "N"

    return reply


def oracle(lookup: dict[str, tuple[str, bool]]) -> Decide:
    """Knows p's labels (and only p's): answers them exactly, says agree to anything else."""
    return lambda p, statement: lookup[statement][1] if lookup[statement][0] == p else True


def coin(p: str, statement: str) -> bool:
    """A seeded pseudo-random answerer: a fixed coin flip per (steered persona, statement)."""
    return hashlib.sha256(f"{p}|{statement}".encode()).digest()[0] % 2 == 0


def run(task: Task, reply: Any, tmp_path: Path) -> EvalLog:
    log = eval(task, model=scripted_model(reply), log_dir=str(tmp_path), display="none", log_realtime=False)[0]
    assert log.status == "success", log.error
    return log


def scored(task: Task, reply: Any) -> list[SampleScore]:
    """The task's samples answered by ``reply`` and scored, without an eval."""
    return sample_scores(steerability_scorer(), solve_task(task, scripted_model(reply)))


def metrics_of(scores: list[SampleScore]) -> dict[str, float]:
    """The task's headline metrics computed on sample scores, as the log would hold them."""
    values: dict[str, float] = {}
    for compute in (balanced_accuracy(), steerability_margin(), original_score()):
        values.update(compute(scores))  # type: ignore[arg-type]
    return values


def metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    return {name: metric.value for name, metric in log.results.scores[0].metrics.items()}


def task_on(source: Path, **options: Any) -> Task:
    settings: dict[str, Any] = {"personas": PERSONAS, "n_steer": 4, "cross": 3, "data": str(source)}
    settings.update(options)
    return steerability(**settings)


def test_oracle_is_perfect_on_own_statements_with_a_clear_margin(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    log = run(task_on(data, personas=4, cross=2, statements=4), answerer(lookup, oracle(lookup)), tmp_path)
    values = metrics(log)
    assert len(log.samples or []) == 4 * 3 * 4
    assert values["balanced_accuracy"] == 1.0
    assert values["steerability_margin"] == pytest.approx(0.5)
    assert values["steerability_margin_ci_low"] > 0.3
    assert {values[f"balanced_accuracy_framework_{framework}"] for framework in FRAMEWORKS} == {1.0}
    assert values["format_failure_rate"] == 0.0
    assert values["original_score_partial"] == 1.0


def test_constant_agree_scores_chance_no_margin_and_a_perfect_published_score(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, _ = synthetic
    values = metrics_of(scored(task_on(data, personas=4, cross=2, statements=6), "Y"))
    assert values["balanced_accuracy"] == 0.5
    assert values["steerability_margin"] == 0.0
    assert values["original_score_partial"] == 1.0  # cross=2 of 3 other personas: part of the matrix
    assert values["original_sensitivity_partial"] == 1.0 and values["original_specificity_partial"] == 1.0


def test_random_answerer_is_near_chance_with_no_margin(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    values = metrics_of(scored(task_on(data, personas=8, cross=1, statements=16), answerer(lookup, coin)))
    assert abs(values["balanced_accuracy"] - 0.5) < 0.1
    assert values["balanced_accuracy_ci_low"] < 0.5 < values["balanced_accuracy_ci_high"]
    assert abs(values["steerability_margin"]) < 0.15
    assert values["steerability_margin_ci_low"] < 0 < values["steerability_margin_ci_high"]


def test_statements_per_call_gives_identical_scores_with_fewer_calls(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    single_calls: list[int] = []
    batched_calls: list[int] = []
    options: dict[str, Any] = {"personas": 4, "cross": 1, "statements": 10}
    single = run(task_on(data, **options), answerer(lookup, coin, single_calls), tmp_path / "one")
    batched = run(
        task_on(data, **options, statements_per_call=3), answerer(lookup, coin, batched_calls), tmp_path / "three"
    )
    assert metrics(single) == metrics(batched)
    cells = 4 * 2
    assert len(single_calls) == cells * 10
    assert len(batched_calls) == cells * 4  # 10 test statements in batches of 3, 3, 3 and 1
    per_sample = {s.id: s.scores["steerability_scorer"].value for s in single.samples or []}
    assert per_sample == {s.id: s.scores["steerability_scorer"].value for s in batched.samples or []}


def test_batched_calls_read_the_same_answers_on_task_states(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    single_calls: list[int] = []
    batched_calls: list[int] = []
    options: dict[str, Any] = {"personas": 4, "cross": 1, "statements": 10}
    single = scored(task_on(data, **options), answerer(lookup, oracle(lookup), single_calls))
    batched = scored(task_on(data, **options, statements_per_call=3), answerer(lookup, oracle(lookup), batched_calls))
    assert len(single_calls) == 4 * 2 * 10 and len(batched_calls) == 4 * 2 * 4
    assert {s.sample_id: s.score.value for s in single} == {s.sample_id: s.score.value for s in batched}
    assert metrics_of(single) == metrics_of(batched)


def test_an_unreadable_reply_counts_as_a_wrong_answer_and_in_the_format_failure_rate(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    samples = list(task_on(data, personas=3, cross=1, statements=10).dataset)

    def rambles(sample: Any) -> bool:
        return _statements_in(str(sample.input), lookup)[0].endswith("0.")

    def wrong(sample: Any) -> str:
        return "N" if sample.metadata["agree"] else "Y"

    def score_with(reply: Callable[[Any], str]) -> list[SampleScore]:
        return sample_scores(steerability_scorer(), [state_of(sample, output=reply(sample)) for sample in samples])

    rambling = score_with(lambda sample: "I think they probably would." if rambles(sample) else "N")
    answered_wrong = score_with(lambda sample: wrong(sample) if rambles(sample) else "N")
    failed = [s.score for s in rambling if s.score.value["format_failure"] == 1.0]  # type: ignore[index]
    assert 0 < len(failed) == sum(map(rambles, samples)) < len(samples)
    assert all(score.value == {"correct": 0.0, "format_failure": 1.0} for score in failed)
    assert all((score.metadata or {})["problem"] == "invalid_response_format" for score in failed)
    assert "expected Y or N" in (failed[0].explanation or "")
    # failing the format scores exactly as answering wrongly: never better, never left out
    assert metrics_of(rambling) == metrics_of(answered_wrong)
    assert metrics_of(rambling)["balanced_accuracy"] < 0.5
    assert format_failure_rate()(rambling) == pytest.approx(len(failed) / len(samples))
    assert format_failure_rate()(answered_wrong) == 0.0


def test_a_prompt_longer_than_the_context_is_unscored_as_context_overflow(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, _ = synthetic
    sample = next(iter(task_on(data, personas=2, cross=1, statements=2).dataset))
    state = state_of(sample)
    state.output = ModelOutput.from_content(model="mockllm/model", content="", stop_reason="model_length")
    [result] = sample_scores(steerability_scorer(), [state])
    assert math.isnan(result.score.as_float()) and result.score.reason == "context_overflow"


def test_a_bad_batch_reply_fails_only_its_statements(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic

    def reply(messages: list[ChatMessage]) -> str:
        tested = _statements_in(messages[-1].text, lookup)
        if tested[0].endswith("0."):
            return "Sure, they agree with all of these."
        return batch_answers(dict.fromkeys(range(1, len(tested)), True))  # the last statement is missing

    scores = [s.score for s in scored(task_on(data, personas=3, cross=1, statements=10, statements_per_call=4), reply)]
    failed = [score for score in scores if (score.metadata or {}).get("problem") == "invalid_response_format"]
    assert any("no answer for statement 4" in (score.explanation or "") for score in failed)
    assert any("agree with all of these" in str((score.metadata or {}).get("reply")) for score in failed)
    assert 0 < len(failed) < len(scores)
    assert all(score.value == {"correct": 0.0, "format_failure": 1.0} for score in failed)
    assert all(score.value["format_failure"] == 0.0 for score in scores if score not in failed)  # type: ignore[index]


def test_two_agree_statements_give_no_balanced_accuracy_and_say_why(  # type: ignore[no-untyped-def]
    synthetic, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, _ = synthetic
    task = task_on(data, personas=2, cross=1, statements=4)
    first = next(iter(task.dataset)).metadata["steered_persona"]  # type: ignore[index]
    agree = [
        sample.id
        for sample in task.dataset
        if sample.metadata and sample.metadata["own"] and sample.metadata["steered_persona"] == first
        if sample.metadata["agree"]
    ][:2]
    with caplog.at_level(logging.WARNING, logger="pluralbench._run_end"):
        log = eval(task, model=scripted_model("Y"), sample_id=agree, log_dir=str(tmp_path), display="none")[0]
    values = metrics(log)
    assert len(log.samples or []) == 2
    assert math.isnan(values["balanced_accuracy"]) and values["balanced_accuracy_n"] == 0.0  # not 1.000
    assert values["balanced_accuracy_missing"] == 1.0
    assert math.isnan(values["original_score"]) and values["original_score_missing"] == 1.0
    assert math.isnan(values["steerability_margin"]) and values["steerability_margin_missing"] == 1.0
    warnings = [record.getMessage() for record in caplog.records if record.name == "pluralbench._run_end"]
    assert len(warnings) == 3 and all(line.startswith("pluralbench/steerability: ") for line in warnings)
    assert "both labels" in warnings[0] and "\n" not in "".join(warnings)


def test_intervals_are_seeded_by_the_task_seed_and_identical_across_runs(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    first, again = (
        run(task_on(data, personas=6, cross=1, statements=6, seed=3), answerer(lookup, coin), tmp_path / name)
        for name in ("first", "again")
    )
    assert metrics(first) == metrics(again)
    assert log_params(first)["balanced_accuracy"] == {"seed": 3}
    assert 0 < metrics(first)["balanced_accuracy_ci_low"] < metrics(first)["balanced_accuracy_ci_high"] < 1


def log_params(log: EvalLog) -> dict[str, dict[str, Any]]:
    assert log.results is not None
    return {name: metric.params for name, metric in log.results.scores[0].metrics.items()}


def test_prompt_holds_steering_in_the_system_message_and_hides_the_label(synthetic) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    for include_label in (False, True):
        options = {"personas": 2, "cross": 1, "statements": 4, "include_label": include_label}
        states = solve_task(task_on(data, **options), scripted_model("Y"))
        systems: dict[str, set[str]] = {}
        for state in states:
            system = state.messages[0]
            assert system.role == "system" and "sorts people." in system.text
            assert len(_statements_in(system.text, lookup)) == 4
            assert not set(_statements_in(system.text, lookup)) & set(_statements_in(state.messages[1].text, lookup))
            systems.setdefault(state.metadata["steered_persona"], set()).add(system.text)
            assert ("Type" in system.text) is include_label
        assert all(len(texts) == 1 for texts in systems.values())  # a stable prefix per steered persona


def test_runs_from_the_task_file_with_the_eval_model(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, lookup = synthetic
    assert default_task_model() is None  # outside an eval: the eval's own model is used
    log = eval(
        "pluralbench/steerability",
        task_args={"personas": 2, "cross": 1, "statements": 2, "data": str(data)},
        model=scripted_model("N"),
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success" and log.eval.model == "mockllm/model"
    assert len(log.samples or []) == 8


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"personas": ["p00", "nobody"]}, "unknown persona id.*nobody"),
        ({"personas": 0}, "personas=0"),
        ({"personas": 13}, "between 1 and 12"),
        ({"personas": "p01,p01", "cross": 0}, "duplicate"),
        ({"n_steer": 3}, "n_steer=3.*even"),
        ({"n_steer": -2}, "n_steer=-2"),
        ({"n_steer": 26}, "n_steer=26.*persona"),
        ({"n_steer": 24}, "no statements left"),
        ({"cross": 12}, "cross=12: only 11 other personas"),
        ({"cross": -1}, "cross=-1"),
        ({"cross": "some"}, "cross='some'"),
        ({"statements": 0}, "statements=0"),
        ({"statements": 21}, "statements=21: only 20 test statements"),
        ({"statements_per_call": 0}, "statements_per_call=0"),
        ({"data": "/no/such/file.csv"}, "no such file"),
        ({"data": str(FIXTURES / "personas.csv")}, "missing column"),
        ({"seed": "x"}, "seed"),
    ],
)
def test_bad_options_fail_before_any_model_call(synthetic, options: dict[str, Any], message: str) -> None:  # type: ignore[no-untyped-def]
    data, _ = synthetic
    with pytest.raises(InputError, match=message):
        task_on(data, **options)


@pytest.mark.parametrize(
    ("reply", "agree"),
    [("Y", True), ("n", False), (" Yes. ", True), ("**N**", False), ("true", True), ("false", False), ('"Y"', True)],
)
def test_parse_agreement_accepts_y_n_and_json_booleans(reply: str, agree: bool) -> None:
    assert parse_agreement(reply) is agree


@pytest.mark.parametrize("reply", ["", "Maybe", "Y N", "Yes, they would.", '{"agree": true}', "1"])
def test_parse_agreement_rejects_anything_else(reply: str) -> None:
    with pytest.raises(ReplyParseError):
        parse_agreement(reply)


def test_parse_batch_agreement() -> None:
    assert parse_batch_agreement('{"1": true, "2": false}', 2) is False
    assert parse_batch_agreement('Here you go: {"1": true}', 1) is True
    for bad, position in [('{"1": "yes"}', 1), ('{"1": true}', 2), ("[true]", 1), ("Y", 1)]:
        with pytest.raises(ReplyParseError):
            parse_batch_agreement(bad, position)


@pytest.mark.local_model
def test_local_model_runs_the_task_file_offline(tmp_path: Path) -> None:
    log = eval(
        "pluralbench/steerability",
        task_args={"personas": 2, "cross": 1, "statements": 2, "n_steer": 2, "data": str(FIXTURES)},
        max_tokens=4,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success", log.error
    assert log.eval.model == "local/smollm2-135m"
    assert len(log.samples or []) == 2 * 2 * 2
    assert log.results is not None
    assert log.results.scores[0].scored_samples + log.results.scores[0].unscored_samples == 8
