"""Alignment-target scoring: the dict score, ties, failures, and the model-free baselines end to end."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.scorer import Score

from pluralbench.datasets.alignment import AlignmentSampleMeta, load_alignment_data
from pluralbench.datasets.alignment_geometry import all_tied
from pluralbench.scorers.alignment import ALL_TIED_REASON, choice_score, mean_absolute_error
from pluralbench.solvers.alignment import Selection
from pluralbench.tasks.alignment import alignment_targets


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


def test_all_tied_and_failed_samples_are_unscored_with_reasons() -> None:
    tied = choice_score(_meta(LABELS[:2], TARGET), Selection(method="oracle", choice=0))
    assert isinstance(tied.value, float) and math.isnan(tied.value)
    assert tied.reason == ALL_TIED_REASON
    assert tied.metadata and tied.metadata["all_tied"] is True
    failed = choice_score(_meta(LABELS, TARGET), Selection(method="unaligned", choice=None, failures=["bad json"]))
    assert isinstance(failed.value, float) and math.isnan(failed.value)
    assert failed.reason == "invalid_response_format"
    assert failed.explanation == "bad json"


def _metrics(log: EvalLog, name: str) -> dict[str, float]:
    assert log.results is not None
    score = next(s for s in log.results.scores if s.name == name)
    return {key: metric.value for key, metric in score.metrics.items()}


def _unscored(log: EvalLog, name: str) -> int:
    assert log.results is not None
    return next(s for s in log.results.scores if s.name == name).unscored_samples or 0


def _expected_ties(target: str) -> int:
    data = load_alignment_data("bundled", 0)
    values = {"high": dict.fromkeys(data.attributes, 1.0), "high_coherence": {"coherence": 1.0}}[target]
    return sum(all_tied([dict(labels) for labels in item.labels], values) for item in data.split("eval"))


@pytest.mark.parametrize("target", ["high_coherence", "sampled"])
def test_oracle_scores_one_and_ties_are_counted(tmp_path: Path, target: str) -> None:
    log = eval(alignment_targets(method="oracle", target=target), log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success"
    correct = _metrics(log, "correct")
    assert correct["mean"] == 1.0
    assert correct["ci_lower"] == 1.0
    ties = _metrics(log, "alignment_ties")
    assert ties["tied_items"] > 0
    assert _unscored(log, "correct") == ties["tied_items"]
    if target == "high_coherence":
        assert ties["tied_items"] == _expected_ties(target)
        assert correct["grouped_1_attributes"] == 1.0
    assert log.samples is not None
    reasons = [s.scores["alignment_target"].reason for s in log.samples if s.scores and s.metadata["all_tied"]]
    assert reasons and set(reasons) == {ALL_TIED_REASON}


def test_random_is_near_chance_and_seeded(tmp_path: Path) -> None:
    logs = [
        eval(alignment_targets(method="random", target="sampled", seed=0), log_dir=str(tmp_path), display="none")[0]
        for _ in range(2)
    ]
    first, again = (_metrics(log, "correct") for log in logs)
    chance = _metrics(logs[0], "chance")
    assert first["mean"] == again["mean"]
    assert 0.2 < chance["mean"] < 0.6
    assert abs(first["mean"] - chance["mean"]) < 3 * first["stderr"]
    assert first["mean"] < 0.8  # far from the oracle
