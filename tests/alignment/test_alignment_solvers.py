"""Alignment-target methods with scripted judges that read their prompts (no network, no real model)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageUser

from pluralbench import InputError
from pluralbench.alignment.dataset import load_alignment_data
from pluralbench.alignment.geometry import nearest
from pluralbench.alignment.solvers.choice import majority_vote
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.alignment.types import Selection
from pluralbench.scripted import scripted_model

BLOCK = re.compile(r"\[BEGIN RESPONSE (\d+) (\w+)\]\n(.*?)\n\[END RESPONSE \1 \2\]", re.DOTALL)
ATTRIBUTE = re.compile(r"^Attribute: (\w+)$", re.MULTILINE)
TARGET_LINE = re.compile(r"^- (\w+) = ([0-9.]+) \(", re.MULTILINE)

DATA = load_alignment_data("bundled", 0)
LABELS = {text: labels for item in DATA.items for text, labels in zip(item.responses, item.labels, strict=True)}
POSITION = {text: index for item in DATA.items for index, text in enumerate(item.responses)}


def shown_responses(text: str) -> list[str]:
    return [body for _, _, body in BLOCK.findall(text)]


def last_user(messages: list[ChatMessage]) -> str:
    return next(message.text for message in reversed(messages) if isinstance(message, ChatMessageUser))


def true_label_judge(calls: list[dict[str, Any]]) -> Callable[[list[ChatMessage]], str]:
    """Rate whatever responses the prompt shows with their true labels x 100."""

    def reply(messages: list[ChatMessage]) -> str:
        text = last_user(messages)
        attribute = ATTRIBUTE.findall(text)[-1]
        shown = shown_responses(text)
        calls.append({"attribute": attribute, "shown": shown, "messages": len(messages)})
        scores = [100 * LABELS[body][attribute] for body in shown]
        if len(shown) == 1:
            return json.dumps({"reason": "annotated value", "score": scores[0]})
        ratings = {f"response_{n}": {"reason": "annotated value", "score": s} for n, s in enumerate(scores, start=1)}
        return "Here are my ratings:\n" + json.dumps(ratings)

    return reply


def first_position_judge(messages: list[ChatMessage]) -> str:
    """Always rate the response shown first 100 and the others 0: a pure position bias."""
    count = len(shown_responses(last_user(messages)))
    ratings = {f"response_{n}": {"reason": "first", "score": 100 if n == 1 else 0} for n in range(1, count + 1)}
    return json.dumps(ratings)


def run(tmp_path: Path, reply: Callable[[list[ChatMessage]], str] | str, limit: int, **task_args: Any) -> EvalLog:
    log = eval(
        alignment_targets(**task_args),
        model=scripted_model(reply),
        limit=limit,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success", log.error
    return log


def metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    score = next(s for s in log.results.scores if s.name == "alignment_target")
    return {key: metric.value for key, metric in score.metrics.items()}


def choices(log: EvalLog) -> list[int]:
    assert log.samples is not None
    return [s.metadata["selection"]["choice"] for s in log.samples]


def test_comparative_regression_with_true_scores_chooses_correctly(tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []
    log = run(tmp_path, true_label_judge(calls), 40, method="comparative_regression", n_examples=2, samples=2)
    values = metrics(log)
    assert values["correct"] == 1.0
    assert values["mae"] == pytest.approx(0.0)
    assert log.samples is not None
    assert len(calls) == sum(2 * s.metadata["target_size"] for s in log.samples)
    assert {call["messages"] for call in calls} == {6}  # system, two example turns, the query
    reordered = [
        call
        for call in calls
        if [POSITION[body] for body in call["shown"]] != sorted(POSITION[b] for b in call["shown"])
    ]
    assert len(reordered) > len(calls) / 4  # the shuffle is exercised
    for sample in log.samples:
        predicted = sample.metadata["selection"]["predicted"]
        for values, truth in zip(predicted, sample.metadata["labels"], strict=True):
            assert values == pytest.approx({name: truth[name] for name in sample.metadata["target"]})


def test_shuffle_keeps_position_bias_out_of_the_choice(tmp_path: Path) -> None:
    log = run(
        tmp_path, first_position_judge, 70, method="comparative_regression", target="high_correctness", n_examples=0
    )
    chosen = Counter(choices(log))
    assert set(chosen) >= {0, 1, 2}
    assert max(chosen.values()) < 0.6 * 70
    assert log.samples is not None
    two = [s.metadata["selection"]["choice"] for s in log.samples if len(s.metadata["responses"]) == 2]
    assert 0.25 < two.count(0) / len(two) < 0.75


def test_regression_rates_each_response_alone(tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []
    log = run(tmp_path, true_label_judge(calls), 20, method="regression", target="random_2", n_examples=3)
    assert metrics(log)["correct"] == 1.0
    assert metrics(log)["mae"] == pytest.approx(0.0)
    assert log.samples is not None
    assert len(calls) == sum(2 * len(s.metadata["responses"]) for s in log.samples)
    assert all(len(call["shown"]) == 1 and call["messages"] == 8 for call in calls)


def nearest_choice_judge(checked: list[int]) -> Callable[[list[ChatMessage]], str]:
    """Answer prompt_aligned queries with the response nearest the stated target; check the examples."""

    def target_of(text: str) -> dict[str, float]:
        return {name: float(value) for name, value in TARGET_LINE.findall(text)}

    def best_number(text: str) -> set[int]:
        shown = shown_responses(text)
        return {n + 1 for n in nearest([LABELS[body] for body in shown], target_of(text))}

    def reply(messages: list[ChatMessage]) -> str:
        for query, answer in zip(messages, messages[1:], strict=False):
            if isinstance(query, ChatMessageUser) and isinstance(answer, ChatMessageAssistant):
                assert json.loads(answer.text)["choice"] in best_number(query.text)
                checked.append(1)
        return json.dumps({"reason": "nearest", "choice": min(best_number(last_user(messages)))})

    return reply


def test_prompt_aligned_examples_and_choice(tmp_path: Path) -> None:
    checked: list[int] = []
    log = run(
        tmp_path, nearest_choice_judge(checked), 20, method="prompt_aligned", target="brief_and_correct", n_examples=2
    )
    assert metrics(log)["correct"] == 1.0
    assert len(checked) == 2 * 20
    assert log.samples is not None
    first_prompt = log.samples[0].input
    assert isinstance(first_prompt, str) and "Target: correctness=1, verbosity=0" in first_prompt


def test_unaligned_choice_is_mapped_back_through_the_shuffle(tmp_path: Path) -> None:
    log = run(tmp_path, '{"reason": "first", "choice": 1}', 70, method="unaligned", target="high")
    chosen = Counter(choices(log))
    assert set(chosen) >= {0, 1, 2}
    assert max(chosen.values()) < 0.6 * 70


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("I would rather not rate these.", "unparseable ratings"),
        ('{"response_1": {"reason": "x", "score": 50}}', "field 'response_2': Field required"),
        (
            '{"response_1": {"reason": "x", "score": 150}, "response_2": {"reason": "x", "score": 5}}',
            "field 'response_1.score': Input should be less than or equal to 100",
        ),
    ],
)
def test_unusable_replies_are_format_failures_not_crashes(tmp_path: Path, reply: str, problem: str) -> None:
    log = run(tmp_path, reply, 10, method="comparative_regression", target="high_correctness", n_examples=0)
    assert log.results is not None
    assert metrics(log)["correct"] == 0.0
    assert log.samples is not None
    for sample in log.samples:
        assert sample.error is None
        score = sample.scores["alignment_target"] if sample.scores else None
        assert score is not None
        if not sample.metadata["all_tied"]:
            assert isinstance(score.value, dict) and score.value["format_failure"] == 1.0
            assert problem in (score.explanation or "")
            assert "after one repair request" in (score.explanation or "")


def test_choice_outside_the_shown_responses_is_unscored(tmp_path: Path) -> None:
    log = run(tmp_path, '{"reason": "x", "choice": 7}', 5, method="unaligned", target="high")
    assert log.samples is not None
    for sample in log.samples:
        assert sample.metadata["selection"]["choice"] is None
        assert "field 'choice': Input should be less than or equal to" in sample.metadata["selection"]["failures"][0]


def test_majority_vote_counts_usable_calls_keeps_failures_and_breaks_ties_by_the_seed() -> None:
    def pick(choice: int | None, failure: str | None = None, overflow: bool = False) -> Selection:
        return Selection(
            method="unaligned", choice=choice, failures=[failure] if failure else [], context_overflow=overflow
        )

    two_to_one = majority_vote([pick(2), pick(0), pick(2)], "unaligned", random.Random(0))
    assert (two_to_one.choice, two_to_one.votes) == (2, [2, 0, 2])
    failed = majority_vote([pick(1), pick(None, "unparseable choice reply: x"), pick(1)], "unaligned", random.Random(0))
    assert (failed.choice, failed.votes, failed.failures) == (1, [1, 1], ["unparseable choice reply: x"])
    none = majority_vote([pick(None, "a", overflow=True), pick(None, "b")], "unaligned", random.Random(0))
    assert (none.choice, none.votes, none.context_overflow, none.failures) == (None, [], True, ["a", "b"])
    single = pick(None, "c", overflow=True)
    assert majority_vote([single], "unaligned", random.Random(0)) is single  # one call: as it was
    ties = [majority_vote([pick(0), pick(1)], "unaligned", random.Random(seed)).choice for seed in range(40)]
    assert set(ties) == {0, 1}  # either, at random
    again = [majority_vote([pick(0), pick(1)], "unaligned", random.Random(seed)).choice for seed in range(40)]
    assert ties == again  # and the same for the same seed


@pytest.mark.parametrize("method", ["unaligned", "prompt_aligned"])
def test_choice_methods_with_samples_vote_over_calls_in_their_own_orders(tmp_path: Path, method: str) -> None:
    """A chooser that always names the original first response wins every vote; each call is logged."""
    calls: list[list[str]] = []

    def first_original(messages: list[ChatMessage]) -> str:
        shown = shown_responses(last_user(messages))
        calls.append(shown)
        number = next(n for n, body in enumerate(shown, start=1) if POSITION[body] == 0)
        return json.dumps({"reason": "the first one", "choice": number})

    log = run(tmp_path, first_original, 12, method=method, target="high", samples=3, n_examples=1)
    assert log.samples is not None
    assert len(calls) == 3 * 12
    for sample in log.samples:
        selection = sample.metadata["selection"]
        assert (selection["choice"], selection["votes"]) == (0, [0, 0, 0])
    orders = [tuple(POSITION[body] for body in shown) for shown in calls]
    assert len(set(orders)) > 1  # the calls did not all show one order


def test_votes_follow_a_position_biased_chooser_to_the_majority_of_its_picks(tmp_path: Path) -> None:
    log = run(tmp_path, '{"reason": "first shown", "choice": 1}', 30, method="unaligned", target="high", samples=3)
    assert log.samples is not None
    for sample in log.samples:
        selection = sample.metadata["selection"]
        counts = Counter(selection["votes"])
        assert len(selection["votes"]) == 3
        assert counts[selection["choice"]] == max(counts.values())


@pytest.mark.parametrize("method", ["random", "oracle"])
def test_model_free_methods_refuse_samples_above_1(method: str) -> None:
    with pytest.raises(InputError, match=f"option samples=2: method={method} calls no model; use samples=1"):
        alignment_targets(method=method, samples=2)
