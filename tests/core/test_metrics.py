"""The suite's intervals (pluralbench._bootstrap), interval metrics (pluralbench._metrics), the end-of-task
warnings (pluralbench._run_end), on known inputs."""

from __future__ import annotations

import ast
import asyncio
import logging
import math
import random
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.hooks import TaskEnd
from inspect_ai.log import EvalLog
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    mean,
    metric,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState

from pluralbench._bootstrap import (
    _tango_statistic,
    bca_mean_interval,
    bootstrap_interval,
    expanded_tail,
    mean_interval,
    paired_difference_interval,
    resample_means,
    student_t_cdf,
    student_t_quantile,
    wilson_interval,
)
from pluralbench._metrics import format_failure_rate, grouped_mean_ci, mean_ci, with_metrics
from pluralbench._run_end import TaskEndWarnings, register_diagnostic, task_end_warnings
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


# Student t quantiles t_{0.975, df} from published tables
T_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 5: 2.571, 9: 2.262, 19: 2.093, 39: 2.023, 120: 1.980, 1000: 1.962}


@pytest.mark.parametrize(("df", "quantile"), sorted(T_TABLE.items()))
def test_student_t_quantile_matches_the_table(df: int, quantile: float) -> None:
    assert student_t_quantile(0.975, df) == pytest.approx(quantile, abs=5e-4)
    assert student_t_quantile(0.025, df) == pytest.approx(-quantile, abs=5e-4)
    assert student_t_cdf(student_t_quantile(0.9, df), df) == pytest.approx(0.9, abs=1e-9)


def test_expanded_tail_widens_the_percentile_interval_at_small_n_only() -> None:
    # n = 8: alpha'/2 = Phi(-sqrt(8/7) * 2.3646) = 0.0057, against 0.025 for the plain percentile interval
    assert expanded_tail(8) == pytest.approx(0.00574, abs=2e-5)
    assert expanded_tail(40) < expanded_tail(400) < 0.025
    assert expanded_tail(100_000) == pytest.approx(0.025, abs=1e-4)


def test_wilson_interval_known_values() -> None:
    # 8 of 10, by hand: center (0.8 + z^2/20) / (1 + z^2/10) = 0.7168, half-width 0.2266
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(20, 20) == pytest.approx((0.8389, 1.0), abs=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert all(math.isnan(bound) for bound in wilson_interval(0, 0))


def test_mean_interval_routes_proportions_paired_differences_and_other_means() -> None:
    assert mean_interval([0.0, 1.0, 1.0, 1.0]) == wilson_interval(3, 4)
    differences = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]  # no -1 drawn: still not a proportion
    assert mean_interval(differences, paired_differences=True) == paired_difference_interval(3, 0, 10)
    assert mean_interval(differences) == wilson_interval(3, 10)
    values = [0.1, 0.4, 0.35, 0.8, 0.55, 0.2, 0.9, 0.6]
    assert mean_interval(values, seed=5) == bca_mean_interval(values, seed=5)
    assert mean_interval(values, seed=5) == mean_interval(values, seed=5) != mean_interval(values, seed=6)
    assert all(math.isnan(bound) for bound in mean_interval([0.5]))  # one value: no interval
    assert all(math.isnan(bound) for bound in mean_interval([]))


def test_bca_interval_shifts_the_expanded_percentile_levels_by_bias_and_acceleration() -> None:
    values = [1.0, 1.0, 0.9375, 1.0, 0.875, 0.9375, 1.0, 0.8125]  # skewed against the ceiling
    means = resample_means(values, np.random.default_rng(2), 2000)
    data = np.asarray(values)
    normal = NormalDist()
    bias = normal.inv_cdf((np.sum(means < data.mean()) + 0.5 * np.sum(means == data.mean())) / 2000)
    jackknife = (data.sum() - data) / 7
    deviations = jackknife.mean() - jackknife
    acceleration = np.sum(deviations**3) / (6 * np.sum(deviations**2) ** 1.5)
    tail = expanded_tail(8)
    levels = [
        normal.cdf(bias + (bias + q) / (1 - acceleration * (bias + q)))
        for q in (normal.inv_cdf(tail), normal.inv_cdf(1 - tail))
    ]
    assert bca_mean_interval(values, seed=2) == pytest.approx(tuple(np.quantile(means, levels)))
    low, high = bca_mean_interval(values, seed=2)
    assert low < data.mean() < high <= 1.0
    assert acceleration < 0 and abs(levels[0] - tail) > 1e-3  # the skew moved the percentile levels


def test_tango_interval_bounds_solve_the_score_equation() -> None:
    z = NormalDist().inv_cdf(0.975)
    low, high = paired_difference_interval(5, 2, 20)
    assert _tango_statistic(5, 2, 20, low) == pytest.approx(z, abs=1e-6)
    assert _tango_statistic(5, 2, 20, high) == pytest.approx(-z, abs=1e-6)
    assert low < 3 / 20 < high
    assert paired_difference_interval(2, 5, 20) == pytest.approx((-high, -low))  # symmetric in +1 and -1
    zero_low, zero_high = paired_difference_interval(0, 0, 10)
    assert zero_low == pytest.approx(-zero_high) and 0.2 < zero_high < 0.35
    assert paired_difference_interval(10, 0, 10)[1] == 1.0
    assert all(math.isnan(bound) for bound in paired_difference_interval(0, 0, 0))
    # at many pairs it approaches the Wald interval of the mean difference
    wide = paired_difference_interval(300, 100, 1000)
    wald = 0.2 + np.array([-z, z]) * math.sqrt((0.4 - 0.2**2) / 1000)
    assert wide == pytest.approx(tuple(wald), abs=2e-3)


def test_bootstrap_interval_needs_two_units_and_skips_degenerate_resamples() -> None:
    def statistic(rng: np.random.Generator, count: int) -> np.ndarray:  # type: ignore[type-arg]
        values = rng.random(count)
        values[::2] = math.nan
        return values

    low, high = bootstrap_interval(statistic, units=50, seed=1)
    assert 0.0 <= low < 0.05 and 0.95 < high <= 1.0
    assert all(math.isnan(bound) for bound in bootstrap_interval(statistic, units=1))


def test_the_suite_uses_no_unseeded_inspect_interval() -> None:
    forbidden = {"ci", "ci_wilson", "bootstrap_stderr"}
    package = Path(__file__).resolve().parents[2] / "src" / "pluralbench"
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("inspect_ai"):
                assert not forbidden & {alias.name for alias in node.names}, f"{path} imports {forbidden}"


def test_mean_ci_reports_the_mean_its_interval_and_n() -> None:
    result = mean_ci()(sample_scores([0.0, 1.0, 1.0, 1.0]))
    assert list(result) == list(NAMES)
    low, high = wilson_interval(3, 4)
    assert result == {"mean": 0.75, "mean_ci_low": low, "mean_ci_high": high, "mean_n": 4.0}


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
    assert first["mean_ci_low"] < first["mean"] < first["mean_ci_high"]
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


def test_format_failure_rate_is_the_share_of_scored_samples_flagged() -> None:
    values: list[object] = [
        {"correct": 0.0, "format_failure": 1.0},
        {"correct": 1.0, "format_failure": 0.0},
        {"correct": 0.0, "format_failure": 0.0},
        math.nan,
    ]
    assert format_failure_rate()(sample_scores(values)) == pytest.approx(1 / 3)
    assert math.isnan(format_failure_rate()([]))  # type: ignore[arg-type]


@scorer(metrics=[mean()])
def constant_one() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=1.0)

    return score


def test_with_metrics_replaces_the_metrics_of_one_scorer_only(tmp_path: Path) -> None:
    seeded = with_metrics(constant_one(), [mean_ci(seed=9)])
    task = Task(dataset=MemoryDataset([Sample(input="q") for _ in range(3)]), scorer=[seeded, never_scored()])
    [log] = eval(task, model=scripted_model("a"), log_dir=str(tmp_path), display="none")
    assert log.results is not None
    first, second = log.results.scores
    assert set(first.metrics) == set(NAMES)
    assert first.metrics["mean_ci_low"].params == {"seed": 9}
    assert set(second.metrics) == {*NAMES, "stderr"}


DIAGNOSTIC = register_diagnostic("test_left_out", "the test estimate left out {count} unit(s)")


def finished_log(tmp_path: Path, scorer_: Scorer, samples: int = 3) -> EvalLog:
    task = Task(dataset=MemoryDataset([Sample(input="q") for _ in range(samples)]), scorer=scorer_)
    [log] = eval(task, model=scripted_model("a"), log_dir=str(tmp_path), display="none")
    log.eval.task_registry_name = "pluralbench/example"  # as the suite's own tasks are named
    return log


def test_a_run_with_nothing_scored_ends_with_one_warning_naming_the_task_and_reasons(tmp_path: Path) -> None:
    log = finished_log(tmp_path, never_scored())
    assert task_end_warnings(log) == [
        "pluralbench/example: every sample is unscored by never_scored (3 nothing to grade); its metrics are NaN"
    ]
    log.samples = None  # as an eval set hands the hook a header: the reasons are read from the file
    assert task_end_warnings(log)[0].endswith("(3 nothing to grade); its metrics are NaN")
    log.eval.task_registry_name = "someone_else/task"
    assert task_end_warnings(log) == []  # other suites' tasks are left alone


@metric
def leaves_two_out() -> Metric:
    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {"estimate": 0.5, DIAGNOSTIC: 2.0}

    return compute


@scorer(metrics=[leaves_two_out()])
def scored_one() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=1.0)

    return score


def test_a_positive_diagnostic_metric_becomes_one_warning_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = finished_log(tmp_path, scored_one())
    assert task_end_warnings(log) == ["pluralbench/example: the test estimate left out 2 unit(s)"]
    with caplog.at_level(logging.WARNING, logger="pluralbench._run_end"):
        asyncio.run(TaskEndWarnings().on_task_end(TaskEnd(eval_set_id=None, run_id="r", eval_id="e", log=log)))
    warned = [record.getMessage() for record in caplog.records if record.name == "pluralbench._run_end"]
    assert warned == task_end_warnings(log)
