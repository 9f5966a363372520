"""The suite's interval metrics (pluralbench._metrics) and the pass@k epoch reducer, on known inputs."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import SampleScore, Score, Scorer, Target, mean_score, pass_at, scorer, stderr
from inspect_ai.solver import TaskState

from pluralbench._bootstrap import mean_interval
from pluralbench._metrics import grouped_mean_ci, mean_ci
from pluralbench.persona.metrics import mean_and_pass_at, pass_at_keys
from pluralbench.scripted import scripted_model

NAMES = ("mean", "mean_ci_low", "mean_ci_high", "mean_n")


def sample_scores(values: list[object], groups: list[object] | None = None) -> list[SampleScore]:
    return [
        SampleScore(
            score=Score(value=value),  # type: ignore[arg-type]
            sample_id=index,
            sample_metadata={"size": groups[index]} if groups else None,
        )
        for index, value in enumerate(values)
    ]


def test_mean_ci_reports_the_mean_its_bootstrap_interval_and_n() -> None:
    result = mean_ci()(sample_scores([0.0, 1.0, 1.0, 1.0]))
    assert list(result) == list(NAMES)
    low, high = mean_interval([0.0, 1.0, 1.0, 1.0], seed=0)
    assert result == {"mean": 0.75, "mean_ci_low": low, "mean_ci_high": high, "mean_n": 4.0}
    # a resample draws no 0 with p = 0.32 (top: 1.0); three or more 0s with p = 0.051 > 0.025 > 0.004,
    # the chance of four (bottom: 0.25)
    assert (low, high) == (0.25, 1.0)


def test_mean_ci_is_a_95_percent_interval() -> None:
    rng = random.Random(7)
    values = [float(rng.random() < 0.5) for _ in range(400)]
    result = mean_ci()(sample_scores(list(values)))
    half_width = 1.96 * math.sqrt(result["mean"] * (1 - result["mean"]) / 400)  # normal approximation
    assert result["mean_ci_low"] == pytest.approx(result["mean"] - half_width, abs=0.01)
    assert result["mean_ci_high"] == pytest.approx(result["mean"] + half_width, abs=0.01)


def test_mean_ci_is_seeded_and_independent_of_sample_order() -> None:
    rng = random.Random(3)
    values: list[object] = [rng.random() for _ in range(30)]
    first, again = mean_ci()(sample_scores(values)), mean_ci()(sample_scores(values))
    assert first == again
    shuffled = values[:]
    rng.shuffle(shuffled)
    assert mean_ci()(sample_scores(shuffled)) == first
    assert mean_ci(seed=1)(sample_scores(values))["mean_ci_low"] != first["mean_ci_low"]


def test_nothing_scored_gives_nan_and_n_zero() -> None:
    for scores in ([], sample_scores([math.nan, math.nan])):
        result = mean_ci()(scores)
        assert result["mean_n"] == 0.0
        assert all(math.isnan(result[name]) for name in NAMES[:3])


def test_keyed_scores_skip_unscored_keys_and_report_inspects_stderr() -> None:
    values: list[object] = [{"a": 1.0, "b": 0.5}, {"a": 0.0, "b": math.nan}, math.nan, {"a": 1.0, "b": 0.25}]
    result = mean_ci("b", with_stderr=True)(sample_scores(values))
    assert list(result) == ["b", "b_ci_low", "b_ci_high", "b_n", "b_stderr"]
    assert (result["b"], result["b_n"]) == (0.375, 2.0)
    assert result["b_stderr"] == stderr()(sample_scores([0.25, 0.5]))
    assert mean_ci("a", name="accuracy")(sample_scores(values))["accuracy"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="not a number"):
        mean_ci()(sample_scores(values[:1]))
    with pytest.raises(ValueError, match="no key 'b'"):
        mean_ci("b")(sample_scores([1.0]))


def test_grouped_mean_ci_names_and_orders_groups() -> None:
    values: list[object] = [{"ok": 1.0}, {"ok": 0.0}, {"ok": 1.0}, {"ok": 1.0}]
    result = grouped_mean_ci("size", key="ok", name_template="ok_{group}")(sample_scores(values, [10, 2, 10, 2]))
    assert list(result) == [f"ok_{group}{suffix}" for group in (2, 10) for suffix in ("", "_ci_low", "_ci_high", "_n")]
    assert (result["ok_2"], result["ok_2_n"], result["ok_10"], result["ok_10_n"]) == (0.5, 2.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="no 'size' metadata"):
        grouped_mean_ci("size")(sample_scores([1.0]))


@scorer(metrics=[mean_ci(), stderr()])
def never_scored() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        return Score.unscored(reason="nothing to grade")

    return score


def test_an_all_unscored_run_logs_nan_bounds_and_n_zero(tmp_path: Path) -> None:
    task = Task(dataset=MemoryDataset([Sample(input="q") for _ in range(3)]), scorer=never_scored())
    [log] = eval(task, model=scripted_model("a"), log_dir=str(tmp_path), display="none")
    assert log.results is not None
    metrics = {name: metric.value for name, metric in log.results.scores[0].metrics.items()}
    assert metrics["mean_n"] == 0.0
    assert all(math.isnan(metrics[name]) for name in NAMES[:3])


def test_mean_and_pass_at_equals_inspects_reducers() -> None:
    epochs = [Score(value=v) for v in (1.0, 0.0, 0.0, 1.0, 0.0)]
    reduced = mean_and_pass_at(5)(epochs)
    expected = [mean_score()(epochs), *(pass_at(j)(epochs) for j in range(1, 6))]
    assert reduced.value == dict(zip(pass_at_keys(5), [score.value for score in expected], strict=True))
    assert list(reduced.value) == ["mean", "pass_at_1", "pass_at_2", "pass_at_3", "pass_at_4", "pass_at_5"]  # type: ignore[arg-type]
    short = mean_and_pass_at(3)([Score(value=1.0), Score.unscored(reason="x")]).value
    assert isinstance(short, dict) and short["pass_at_1"] == 1.0 and math.isnan(short["pass_at_2"])
    unscored = mean_and_pass_at(2)([Score.unscored(reason="x")] * 2)
    assert isinstance(unscored.value, float) and math.isnan(unscored.value)
