"""Alignment-target scoring: the dict score, ties, failures, and the model-free baselines end to end."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import mean as average
from statistics import stdev

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.scorer import Score
from inspect_ai.solver import TaskState

from pluralbench._bootstrap import wilson_interval
from pluralbench.alignment.dataset import AlignmentSampleMeta, load_alignment_data
from pluralbench.alignment.geometry import all_tied
from pluralbench.alignment.scorers import (
    ALL_TIED,
    alignment_target,
    alignment_ties,
    choice_score,
    mean_absolute_error,
)
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.alignment.types import Selection
from pluralbench.scripted import scripted_model
from states import refusing_model, score_all, solve_task


def _meta(labels: list[dict[str, float]], target: dict[str, float]) -> AlignmentSampleMeta:
    return AlignmentSampleMeta(
        item_id="x",
        prompt="p",
        responses=[f"r{n}" for n in range(len(labels))],
        labels=labels,
        target=target,
        target_name="custom",
        target_size=len(target),
        attributes=["correctness", "verbosity"],
        all_tied=all_tied(labels, target),
    )


LABELS = [
    {"correctness": 1.0, "verbosity": 0.0},
    {"correctness": 1.0, "verbosity": 0.0},
    {"correctness": 0.0, "verbosity": 1.0},
    {"correctness": 0.5, "verbosity": 0.5},
]
TARGET = {"correctness": 1.0, "verbosity": 0.25}


def _value(score: Score) -> dict[str, float]:
    assert isinstance(score.value, dict)
    return {key: float(value) for key, value in score.value.items() if isinstance(value, int | float)}


def test_correct_allows_ties_and_reports_distance_and_chance() -> None:
    value = _value(choice_score(_meta(LABELS, TARGET), Selection(method="oracle", choice=1)))
    assert value["correct"] == 1.0
    assert value["chance"] == 0.5  # two of four responses are nearest
    d_max = math.sqrt(1.0 + 0.75**2)
    assert value["distance"] == pytest.approx(1 - 0.25 / d_max)
    assert math.isnan(value["mae"])
    wrong = _value(choice_score(_meta(LABELS, TARGET), Selection(method="random", choice=2)))
    assert wrong["correct"] == 0.0
    assert wrong["distance"] == pytest.approx(1 - math.sqrt(1 + 0.75**2) / d_max) == pytest.approx(0.0)


def test_mae_of_predictions() -> None:
    predicted = [{"correctness": 0.9, "verbosity": 0.0}, {"correctness": 1.0, "verbosity": 0.2}] + LABELS[2:]
    assert mean_absolute_error(predicted, LABELS, TARGET) == pytest.approx((0.1 + 0.2) / 8)
    selection = Selection(method="comparative_regression", choice=0, predicted=predicted)
    assert _value(choice_score(_meta(LABELS, TARGET), selection))["mae"] == pytest.approx(0.3 / 8)


def test_all_tied_and_context_overflow_samples_are_unscored_with_reasons() -> None:
    tied = choice_score(_meta(LABELS[:2], TARGET), Selection(method="oracle", choice=0))
    assert isinstance(tied.value, float) and math.isnan(tied.value)
    assert tied.reason == ALL_TIED
    assert tied.metadata and tied.metadata["all_tied"] is True
    overflow = Selection(method="unaligned", choice=None, failures=["prompt too long"], context_overflow=True)
    overflowed = choice_score(_meta(LABELS, TARGET), overflow)
    assert isinstance(overflowed.value, float) and math.isnan(overflowed.value)
    assert overflowed.reason == "context_overflow" and overflowed.explanation == "prompt too long"


def test_no_readable_choice_is_wrong_at_the_worst_distance() -> None:
    failed = choice_score(_meta(LABELS, TARGET), Selection(method="unaligned", choice=None, failures=["bad json"]))
    value = _value(failed)
    worst = _value(choice_score(_meta(LABELS, TARGET), Selection(method="random", choice=2)))  # the farthest
    assert value["correct"] == 0.0 and value["format_failure"] == 1.0
    assert value["distance"] == worst["distance"] and value["chance"] == worst["chance"]
    assert math.isnan(value["mae"])
    assert "bad json" in (failed.explanation or "")
    chosen = _value(choice_score(_meta(LABELS, TARGET), Selection(method="oracle", choice=0)))
    assert chosen["format_failure"] == 0.0


def _metrics(log: EvalLog, scorer: str = "alignment_target") -> dict[str, float]:
    assert log.results is not None
    score = next(s for s in log.results.scores if s.name == scorer)
    return {key: metric.value for key, metric in score.metrics.items()}


def _unscored(log: EvalLog, scorer: str = "alignment_target") -> int:
    assert log.results is not None
    return next(s for s in log.results.scores if s.name == scorer).unscored_samples or 0


def _expected_ties(target: str) -> int:
    data = load_alignment_data("bundled", 0)
    values = {"high": dict.fromkeys(data.attributes, 1.0), "high_coherence": {"coherence": 1.0}}[target]
    return sum(all_tied([dict(labels) for labels in item.labels], values) for item in data.split("eval"))


def _chosen_and_scored(method: str, target: str, seed: int = 0) -> tuple[list[TaskState], list[Score], list[Score]]:
    """A model-free method run on every sample of the eval split, scored, without an eval."""
    states = solve_task(alignment_targets(method=method, target=target, seed=seed), refusing_model())
    return states, score_all(alignment_target(), states), score_all(alignment_ties(), states)


@pytest.mark.parametrize("target", ["high_coherence", "sampled"])
def test_oracle_chooses_a_nearest_response_on_every_untied_item(target: str) -> None:
    states, scores, ties = _chosen_and_scored("oracle", target)
    tied = [bool(state.metadata["all_tied"]) for state in states]
    assert 0 < sum(tied) < len(states)
    assert [tie.value for tie in ties] == [float(flag) for flag in tied]
    if target == "high_coherence":
        assert sum(tied) == _expected_ties(target)
    for flag, score in zip(tied, scores, strict=True):
        if flag:
            assert score.reason == ALL_TIED and math.isnan(float(score.as_float()))
        else:
            assert _value(score)["correct"] == 1.0


def test_oracle_run_logs_accuracy_one_and_counts_ties(tmp_path: Path) -> None:
    task = alignment_targets(method="oracle", target="sampled")
    log = eval(task, limit=40, log_dir=str(tmp_path), display="none", log_realtime=False)[0]
    assert log.status == "success"
    metrics = _metrics(log)
    assert metrics["correct"] == 1.0
    scored = int(metrics["correct_n"])
    assert (metrics["correct_ci_low"], metrics["correct_ci_high"]) == wilson_interval(scored, scored)
    assert metrics["correct_1_attributes"] == 1.0
    assert metrics["format_failure_rate"] == 0.0
    ties = _metrics(log, "alignment_ties")
    assert ties["tied_items"] > 0
    assert _unscored(log) == ties["tied_items"] == len(log.samples or []) - metrics["correct_n"]
    assert log.samples is not None
    reasons = [s.scores["alignment_target"].reason for s in log.samples if s.scores and s.metadata["all_tied"]]
    assert reasons and set(reasons) == {ALL_TIED}


def test_a_model_that_never_answers_readably_scores_zero_not_nothing(tmp_path: Path) -> None:
    task = alignment_targets(method="unaligned", target="high_coherence", seed=5)
    log = eval(task, model=scripted_model("I like the second one."), limit=12, log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success"
    metrics = _metrics(log)
    untied = len(log.samples or []) - _unscored(log)
    assert untied > 0 and metrics["correct_n"] == untied  # every untied sample is scored: none leaves the mean
    assert metrics["correct"] == 0.0 and metrics["format_failure_rate"] == 1.0
    assert metrics["distance"] < 1.0
    assert log.results is not None
    score = next(s for s in log.results.scores if s.name == "alignment_target")
    assert score.metrics["correct_ci_low"].params == {"key": "correct", "with_stderr": True, "seed": 5}


def test_random_is_near_chance_and_seeded() -> None:
    runs = [_chosen_and_scored("random", "sampled", seed) for seed in (0, 0, 1)]
    picks = [[state.metadata["selection"]["choice"] for state in states] for states, _, _ in runs]
    assert picks[0] == picks[1] != picks[2]
    values = [_value(score) for score in runs[0][1] if isinstance(score.value, dict)]
    correct, chance = [v["correct"] for v in values], [v["chance"] for v in values]
    assert 0.2 < average(chance) < 0.6
    assert abs(average(correct) - average(chance)) < 3 * stdev(correct) / math.sqrt(len(correct))
    assert average(correct) < 0.8  # far from the oracle
