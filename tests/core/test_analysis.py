"""pluralbench.analysis: finding logs, tidy frames, the logs' own metrics, interrupted runs, bad logs.

Logs are run once per session (each on first use) with scripted models whose behaviour fixes the expected numbers
(the answerer personalizes only when shown the religion; the critic rejects answers for young
women; the baseline mode never personalizes). ``tests/core/test_visualization.py`` reuses them.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from inspect_ai import Task, eval, task_with
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log
from inspect_ai.model import ChatMessage, Model, ModelOutput, get_model

from persona_scripts import fenced_section, prompt_of
from pluralbench import analysis
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.persona.tasks import persona, persona_intersectionality, persona_loo, persona_pass_at_k
from pluralbench.scripted import scripted_model, scripted_output
from pluralbench.steerability.tasks import steerability
from replies import APPROVE, REJECT, identification_verdict

STEERED_PERSONAS = 32


def answer_knowing_religion(messages: list[ChatMessage]) -> str:
    """TAILORED when the system message shows the persona's religion; GENERIC otherwise (and in baseline)."""
    system = messages[0].text if messages[0].role == "system" else ""
    return "<answer>TAILORED advice</answer>" if "Religion:" in system else "<answer>GENERIC advice</answer>"


def _age(messages: list[ChatMessage]) -> int:
    match = re.search(r"^Age: (\d+)", fenced_section(prompt_of(messages), "PERSONA"), flags=re.MULTILINE)
    assert match, "no age in the persona"
    return int(match.group(1))


def critic_wanting_tailored(messages: list[ChatMessage]) -> str:
    return APPROVE if "TAILORED" in fenced_section(prompt_of(messages), "ANSWER") else REJECT


def critic_wanting_tailored_for_over_40s(messages: list[ChatMessage]) -> str:
    """Approves tailored answers for people aged 40 or more: the 4 LOO pairs (ages 65, 23, 25, 48) split 2/2."""
    return critic_wanting_tailored(messages) if _age(messages) >= 40 else REJECT


def critic_failing_young_women(messages: list[ChatMessage]) -> str:
    """Rejects every answer for a woman under 35, and answers for people of odd age (groups get mixed scores)."""
    young_woman = "Sex: Female" in fenced_section(prompt_of(messages), "PERSONA") and _age(messages) < 35
    return REJECT if young_woman or _age(messages) % 2 else APPROVE


def critic_by_hash(messages: list[ChatMessage]) -> str:
    """Approves about half the answers, fixed per prompt (prompts differ by a random fence token)."""
    return APPROVE if hashlib.sha256(prompt_of(messages).encode()).digest()[0] % 2 else REJECT


def judge_guessing(messages: list[ChatMessage]) -> str:
    """Names person 1, 2 or 3, fixed per prompt."""
    return identification_verdict(1 + hashlib.sha256(prompt_of(messages).encode()).digest()[0] % 3)


def steerer_by_hash(messages: list[ChatMessage]) -> str:
    return "Y" if hashlib.sha256(prompt_of(messages).encode()).digest()[0] % 2 else "N"


class Logs:
    """The session's logs (all in ``directory``), each run on first use so a test waits only for its own."""

    NAMES = (
        "loo",
        "intersectionality",
        "pass_at_k",
        "persona_baseline",
        "persona_output_only",
        "steerability",
        "alignment_random",
        "alignment_oracle",
    )

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def all(self) -> list[str]:
        """Every log's path (running those not run yet)."""
        return [getattr(self, name) for name in self.NAMES]

    @cached_property
    def loo(self) -> str:
        return run_eval(
            persona_loo(n=4, attributes="age,religion"),
            self.directory,
            answer_knowing_religion,
            {"critic": scripted_model(critic_wanting_tailored_for_over_40s)},
        )

    @cached_property
    def intersectionality(self) -> str:
        return run_eval(
            persona_intersectionality(n_per_group=4, min_n=2),
            self.directory,
            answer_knowing_religion,
            {"critic": scripted_model(critic_failing_young_women)},
        )

    @cached_property
    def pass_at_k(self) -> str:
        return run_eval(
            persona_pass_at_k(k=3, n=6),
            self.directory,
            answer_knowing_religion,
            {"critic": scripted_model(critic_by_hash)},
            log_format="json",
        )

    @cached_property
    def persona_baseline(self) -> str:
        roles = {"critic": scripted_model(critic_wanting_tailored), "judge": scripted_model(judge_guessing)}
        return run_eval(persona(mode="baseline", n=5, identify_k=3), self.directory, answer_knowing_religion, roles)

    @cached_property
    def persona_output_only(self) -> str:
        roles = {"critic": scripted_model(critic_wanting_tailored)}
        return run_eval(persona(mode="output_only", n=5), self.directory, answer_knowing_religion, roles)

    @cached_property
    def steerability(self) -> str:
        task = steerability(personas=STEERED_PERSONAS, n_steer=2, cross=2, statements=2)
        return run_eval(task, self.directory, steerer_by_hash)

    @cached_property
    def alignment_random(self) -> str:
        return run_eval(alignment_targets(method="random"), self.directory, "1", limit=30)

    @cached_property
    def alignment_oracle(self) -> str:
        return run_eval(alignment_targets(method="oracle"), self.directory, "1", limit=30)


def run_eval(
    task: Task,
    log_dir: Path,
    answer: Callable[[list[ChatMessage]], str] | str,
    roles: dict[str, Model] | None = None,
    **options: Any,
) -> str:
    model = scripted_model(answer)
    log = eval(
        task_with(task, model=model),
        model=model,
        model_roles=roles,
        log_dir=str(log_dir),
        display="none",
        log_realtime=False,  # the final log is the same; writing sample events as they happen doubles the time
        **options,
    )[0]
    assert log.status == "success", log.error
    return str(log.location)


_BUILT: list[Logs] = []


def shared_logs(tmp_path_factory: pytest.TempPathFactory) -> Logs:
    """The session's logs, shared by this module and tests/core/test_visualization.py."""
    if not _BUILT:
        _BUILT.append(Logs(tmp_path_factory.mktemp("logs")))
    return _BUILT[0]


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Logs:
    return shared_logs(tmp_path_factory)


def interrupted_copy(path: str, directory: Path, keep: float = 0.5) -> str:
    """Write a copy of a log as if its run had been cancelled part way: fewer samples, no results."""
    log = read_eval_log(path)
    samples = log.samples or []
    log.samples = samples[: max(1, int(len(samples) * keep))] if keep > 0 else []
    log.status = "cancelled"
    log.results = None
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / Path(path).name
    write_eval_log(log, str(target))
    return str(target)


def without_results(path: str, directory: Path) -> str:
    """Write a copy of a complete log without its metrics, to exercise recomputation from samples."""
    log = read_eval_log(path)
    log.results = None
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / Path(path).name
    write_eval_log(log, str(target))
    return str(target)


def logged_metrics(path: str, score: str | None = None, reducer: str | None = None) -> dict[str, float]:
    """The log's metrics of one score (and reducer), read straight from inspect's log model."""
    log = read_eval_log(path, header_only=True)
    assert log.results is not None
    for entry in log.results.scores:
        if (score is None or entry.name == score) and (reducer is None or entry.reducer == reducer):
            return {name: float(metric.value) for name, metric in entry.metrics.items()}
    raise AssertionError(f"no score {score} / reducer {reducer} in {path}")


def one_line(error: BaseException) -> bool:
    return "\n" not in str(error) and bool(str(error))


# finding logs


def test_finds_the_newest_log_of_a_task(logs: Logs, tmp_path: Path) -> None:
    older, newer = tmp_path / "a_persona-loo_old.eval", tmp_path / "b_persona-loo_new.eval"
    for target in (older, newer):
        shutil.copy(logs.loo, target)
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    assert analysis.find_logs("persona_loo", log_dir=str(tmp_path)) == [str(newer)]
    assert analysis.find_logs("pluralbench/persona_loo", paths=[str(tmp_path)]) == [str(newer)]


def test_finds_logs_in_inspect_log_dir(logs: Logs, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {"persona_intersectionality": [logs.intersectionality], "persona_pass_at_k": [logs.pass_at_k]}
    monkeypatch.setenv("INSPECT_LOG_DIR", str(logs.directory))
    assert {task: analysis.find_logs(task) for task in expected} == expected


def test_finds_the_newest_log_per_model_and_distinct_argument(logs: Logs) -> None:
    expected = sorted([logs.persona_baseline, logs.persona_output_only])
    assert sorted(analysis.find_logs("persona", log_dir=str(logs.directory), distinct=("mode",))) == expected


def test_explicit_paths_are_returned_as_given(logs: Logs) -> None:
    assert analysis.find_logs("persona_loo", paths=[logs.loo, logs.loo]) == [logs.loo, logs.loo]


def test_no_matching_log_is_a_one_line_error(logs: Logs, tmp_path: Path) -> None:
    with pytest.raises(analysis.NoMatchingLogError, match="no persona_loo log in") as empty:
        analysis.find_logs("persona_loo", log_dir=str(tmp_path))
    with pytest.raises(analysis.NoMatchingLogError, match="no log directory") as missing_dir:
        analysis.find_logs("persona_loo", log_dir=str(tmp_path / "nowhere"))
    with pytest.raises(analysis.NoMatchingLogError, match="no log file or directory") as missing_file:
        analysis.find_logs("persona_loo", paths=[str(tmp_path / "gone.eval")])
    shutil.copy(logs.loo, tmp_path / Path(logs.loo).name)
    with pytest.raises(analysis.NoMatchingLogError, match="no steerability log in"):
        analysis.find_logs("steerability", log_dir=str(tmp_path))
    assert all(one_line(e.value) for e in (empty, missing_dir, missing_file))


def test_log_of_another_task_is_rejected(logs: Logs) -> None:
    with pytest.raises(analysis.WrongTaskError, match="is a log of task persona_pass_at_k, not persona_loo") as error:
        analysis.load_run(logs.pass_at_k, "persona_loo")
    assert one_line(error.value)


@pytest.mark.parametrize("content", [b"not a zip file", b'{"version": 2, "status": 7}', b""])
def test_unreadable_files_are_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / ("broken.json" if content.startswith(b"{") else "broken.eval")
    path.write_bytes(content)
    with pytest.raises(analysis.UnreadableLogError, match="cannot read .* as an inspect log") as error:
        analysis.load_run(str(path), "persona_loo")
    assert one_line(error.value)


def test_unreadable_files_in_a_directory_are_skipped_when_searching(logs: Logs, tmp_path: Path) -> None:
    shutil.copy(logs.loo, tmp_path / Path(logs.loo).name)
    (tmp_path / "2099-01-01T00-00-00-00-00_persona-loo_zzzzzzzz.eval").write_bytes(b"junk")
    assert analysis.find_logs("persona_loo", log_dir=str(tmp_path)) == [str(tmp_path / Path(logs.loo).name)]


# tidy frames


def test_samples_frame_has_one_row_per_sample_with_attributes_and_scores(logs: Logs) -> None:
    run = analysis.load_run(logs.loo, "persona_loo")
    frame = run.samples
    assert len(frame) == 16
    assert set(frame["variant"]) == {"full", "without age", "without religion", "all hidden"}
    assert {"persona.age", "persona.religion", "persona.big_five_scores.Openness", "pair_id"} <= set(frame.columns)
    assert set(frame["model"]) == {"mockllm/model"} and set(frame["task"]) == {"persona_loo"}
    by_variant = frame.groupby("variant")["score_personalization_critic.personalization"].mean().to_dict()
    assert by_variant == {"full": 0.5, "without age": 0.5, "without religion": 0.0, "all hidden": 0.0}
    assert run.model_roles == {"critic": "mockllm/model"}


def test_samples_frame_has_group_columns_and_dict_score_keys(logs: Logs) -> None:
    groups = analysis.load_run(logs.intersectionality, "persona_intersectionality").samples
    assert "group.Female, 18-34" in groups.columns and groups["group.Female, 18-34"].dtype == bool
    young_women = groups[groups["group.Female, 18-34"]]
    assert len(young_women) > 0 and (young_women["score_personalization_critic.personalization"] == 0.0).all()
    aligned = analysis.load_run(logs.alignment_oracle, "alignment_targets").samples
    assert {"score_alignment_target.correct", "score_alignment_target.distance", "target_size"} <= set(aligned.columns)


def test_json_logs_and_epochs_are_read(logs: Logs) -> None:
    run = analysis.load_run(logs.pass_at_k, "persona_pass_at_k")
    assert run.path.endswith(".json")
    assert len(run.samples) == 18 and sorted(set(run.samples["epoch"])) == [1, 2, 3]
    assert run.completeness == analysis.Completeness("success", planned=18, present=18, errors=0, epochs=3)


def test_metrics_frame_holds_the_logs_own_metrics(logs: Logs) -> None:
    run = analysis.load_run(logs.pass_at_k, "persona_pass_at_k")
    values = run.metric_values("personalization_critic", "pass_at_attempts_3")
    assert values == logged_metrics(logs.pass_at_k, "personalization_critic")
    for name in ("pass_at_1", "pass_at_2", "pass_at_3"):
        assert {f"{name}{suffix}" for suffix in ("", "_ci_low", "_ci_high", "_n", "_stderr")} <= set(values)


def test_run_labels_tell_runs_of_one_model_apart(logs: Logs) -> None:
    runs = analysis.load_runs([logs.persona_baseline, logs.persona_output_only], "persona")
    assert analysis.run_labels(runs) == [
        "mockllm/model (identify_k=3, mode=baseline)",
        "mockllm/model (identify_k=0, mode=output_only)",
    ]
    assert analysis.run_labels(runs, ignore=("mode", "identify_k")) == ["mockllm/model", "mockllm/model"]


def test_every_interval_in_every_log_follows_the_naming_scheme(logs: Logs) -> None:
    paths = logs.all()
    for path in paths:
        log = read_eval_log(path, header_only=True)
        assert log.results is not None
        intervals = 0
        for score in log.results.scores:
            names = set(score.metrics)
            assert not names & {"lower", "upper", "ci_lower", "ci_upper"}, (path, score.name)
            lows = {name.removesuffix("_ci_low") for name in names if name.endswith("_ci_low")}
            for base in lows:
                assert {base, f"{base}_ci_high", f"{base}_n"} <= names, (path, base)
            assert not [name for name in names if name.endswith(("_low", "_high")) and "_ci_" not in name], path
            intervals += len(lows)
        assert intervals > 0, path


# analyses: the log's numbers, and the same numbers recomputed from samples


def test_loo_importance_comes_from_the_log_with_correct_labels(logs: Logs) -> None:
    frame = analysis.loo_frame(analysis.load_run(logs.loo, "persona_loo"))
    metrics = logged_metrics(logs.loo)
    assert list(frame["attribute"]) == ["religion", "age"]
    names = ["importance[religion]", "importance[age]"]
    assert list(frame["importance"]) == [0.5, 0.0] == [metrics[name] for name in names]
    assert frame["low"].iloc[0] < 0.5 < frame["high"].iloc[0]
    assert list(frame["low"]) == [metrics[f"{name}_ci_low"] for name in names]
    assert list(frame["high"]) == [metrics[f"{name}_ci_high"] for name in names]
    assert list(frame["n"]) == [4.0, 4.0] == [metrics[f"{name}_n"] for name in names]
    assert set(frame["source"]) == {analysis.FROM_LOG}


def test_loo_importance_recomputed_from_samples_equals_the_log(logs: Logs, tmp_path: Path) -> None:
    bare = analysis.load_run(without_results(logs.loo, tmp_path), "persona_loo")
    logged = analysis.loo_frame(analysis.load_run(logs.loo, "persona_loo"))
    recomputed = analysis.loo_frame(bare)
    assert set(recomputed["source"]) == {analysis.FROM_SAMPLES}
    pd.testing.assert_frame_equal(recomputed.drop(columns="source"), logged.drop(columns="source"))


def test_group_results_and_grid(logs: Logs, tmp_path: Path) -> None:
    run = analysis.load_run(logs.intersectionality, "persona_intersectionality")
    results = analysis.group_results(run)
    metrics = logged_metrics(logs.intersectionality)
    means = dict(zip(results.groups["group"], results.groups["mean"], strict=True))
    assert means["Female, 18-34"] == 0.0 and 0.0 < results.groups["mean"].max() <= 1.0
    for column, suffix in (("mean", ""), ("low", "_ci_low"), ("high", "_ci_high"), ("n", "_n")):
        assert list(results.groups[column]) == [metrics[f"group[{group}]{suffix}"] for group in results.groups["group"]]
    assert any(low < high for low, high in zip(results.groups["low"], results.groups["high"], strict=True))
    assert results.disparity["gap"] == metrics["gap"] > 0 and results.disparity["ratio"] == 0.0
    for name in ("gap_ci_low", "gap_ci_high", "gap_n"):
        assert results.disparity[name] == metrics[name]
    assert results.min_n == 2
    grid = analysis.group_grid(run, list(results.groups["group"]))
    assert grid is not None
    assert (grid.row_attribute, grid.column_attribute) == ("sex", "age")
    assert grid.rows == ["Female", "Male"] and grid.columns == ["18-34", "35-54", "55+"]
    recomputed = analysis.group_results(
        analysis.load_run(without_results(logs.intersectionality, tmp_path), "persona_intersectionality")
    )
    pd.testing.assert_frame_equal(recomputed.groups.drop(columns="source"), results.groups.drop(columns="source"))
    assert recomputed.disparity == results.disparity


def test_group_grid_needs_a_complete_two_part_grid(logs: Logs) -> None:
    run = analysis.load_run(logs.intersectionality, "persona_intersectionality")
    assert analysis.group_grid(run, ["Female, 18-34", "Male, 18-34", "Female, 35-54"]) is None
    assert analysis.group_grid(run, ["young", "old"]) is None


def test_pass_at_k_from_the_log_and_recomputed(logs: Logs, tmp_path: Path) -> None:
    frame = analysis.pass_at_k_frame(analysis.load_run(logs.pass_at_k, "persona_pass_at_k"))
    assert list(frame["k"]) == [1, 2, 3]
    metrics = logged_metrics(logs.pass_at_k, "personalization_critic")
    for k, estimate, low, high in zip(frame["k"], frame["estimate"], frame["low"], frame["high"], strict=True):
        name = f"pass_at_{k}"
        assert (estimate, low, high) == (metrics[name], metrics[f"{name}_ci_low"], metrics[f"{name}_ci_high"])
    assert list(frame["estimate"]) == sorted(frame["estimate"])
    recomputed = analysis.pass_at_k_frame(
        analysis.load_run(without_results(logs.pass_at_k, tmp_path), "persona_pass_at_k")
    )
    assert list(recomputed["estimate"]) == pytest.approx(list(frame["estimate"]))
    assert list(recomputed["low"]) == pytest.approx(list(frame["low"]))  # the same seeded interval


def test_mode_frame_reads_both_scorers_and_chance(logs: Logs) -> None:
    baseline = analysis.mode_frame(analysis.load_run(logs.persona_baseline, "persona"))
    output_only = analysis.mode_frame(analysis.load_run(logs.persona_output_only, "persona"))
    assert list(baseline["scorer"]) == ["personalization_critic", "persona_identification"]
    assert baseline["mean"].iloc[0] == 0.0 and output_only["mean"].iloc[0] == 1.0
    assert list(output_only["mode"]) == ["output_only"]
    identification = logged_metrics(logs.persona_baseline, "persona_identification")
    assert baseline["mean"].iloc[1] == identification["mean"]
    assert baseline["chance"].iloc[1] == pytest.approx(1 / 3)


def test_steerability_frames_match_the_log(logs: Logs, tmp_path: Path) -> None:
    run = analysis.load_run(logs.steerability, "steerability")
    metrics = logged_metrics(logs.steerability)
    cells = analysis.steerability_cells(run)
    assert len(set(cells["steered"])) == STEERED_PERSONAS and len(cells) == STEERED_PERSONAS * 3
    assert cells[cells["own"]]["accuracy"].mean() == pytest.approx(metrics["balanced_accuracy"])
    frameworks = analysis.steerability_frameworks(run).set_index("framework")
    for framework in frameworks.index:
        key = (
            "balanced_accuracy" if framework == analysis.ALL_FRAMEWORKS else f"balanced_accuracy_framework_{framework}"
        )
        assert frameworks.loc[framework, "balanced_accuracy"] == metrics[key]
    assert frameworks.loc["all", "low"] == metrics["balanced_accuracy_ci_low"]
    assert frameworks["personas"].drop("all").sum() == STEERED_PERSONAS
    scores = analysis.steerability_scores(run)
    assert "original_score_partial" in scores and "format_failure_rate" in scores  # cross=2 of 31 others
    assert all(scores[name] == metrics[name] for name in scores)
    bare = analysis.load_run(without_results(logs.steerability, tmp_path), "steerability")
    recomputed = analysis.steerability_scores(bare)
    # the interval is seeded and taken over the personas' values in ascending order, so the
    # recomputation draws the same resamples as the metric although it meets personas in another order
    assert recomputed == pytest.approx(scores)
    assert recomputed["steerability_margin_n"] == STEERED_PERSONAS


def test_alignment_frames_match_the_log(logs: Logs) -> None:
    oracle = analysis.load_run(logs.alignment_oracle, "alignment_targets")
    by_size = analysis.alignment_by_size(oracle)
    assert len(by_size) >= 2 and set(by_size["accuracy"]) == {1.0}
    random_run = analysis.load_run(logs.alignment_random, "alignment_targets")
    metrics = logged_metrics(logs.alignment_random, "alignment_target")
    by_size = analysis.alignment_by_size(random_run)
    for row in by_size.itertuples():
        name = f"correct_{row.target_size}_attributes"
        assert [row.accuracy, row.low, row.high, row.n] == [
            metrics[f"{name}{s}"] for s in ("", "_ci_low", "_ci_high", "_n")
        ]
    assert set(by_size["interval_source"]) == {analysis.FROM_LOG}
    summary = analysis.alignment_summary(random_run)
    assert [summary[k] for k in ("accuracy", "stderr", "low", "high", "n")] == [
        metrics[f"correct{s}"] for s in ("", "_stderr", "_ci_low", "_ci_high", "_n")
    ]
    assert summary["method"] == "random" and summary["chance"] == metrics["chance"]
    assert summary["format_failure_rate"] == metrics["format_failure_rate"] == 0.0


def overflowing(messages: list[ChatMessage]) -> ModelOutput:
    """A server that refuses every prompt as longer than its context."""
    output = scripted_output("")
    output.choices[0].stop_reason = "model_length"
    return output


def test_a_log_with_nothing_scored_gives_nan_estimates_and_bounds(tmp_path: Path) -> None:
    model = get_model("mockllm/model", custom_outputs=lambda *args: overflowing(args[0]), memoize=False)
    task = steerability(personas=4, n_steer=2, cross=1, statements=2)
    [log] = eval(task_with(task, model=model), model=model, log_dir=str(tmp_path), display="none")
    assert log.results is not None and log.results.scores[0].scored_samples == 0
    run = analysis.load_run(str(log.location), "steerability")
    scores = analysis.steerability_scores(run)
    assert all(math.isnan(value) for name, value in scores.items() if not name.endswith("_n"))
    frameworks = analysis.steerability_frameworks(run)
    assert frameworks[["balanced_accuracy", "low", "high"]].isna().all().all()
    assert math.isnan(analysis.mean_stats([])["low"]) and math.isnan(analysis.mean_stats([])["high"])


# interrupted runs


def test_a_run_stopped_by_an_error_reports_what_is_missing(tmp_path: Path) -> None:
    calls = 0

    def failing_critic(messages: list[ChatMessage]) -> str:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise RuntimeError("critic went away")
        return critic_wanting_tailored(messages)

    model = scripted_model(answer_knowing_religion)
    log: EvalLog = eval(
        task_with(persona_loo(n=4, attributes="age,religion"), model=model),
        model=model,
        model_roles={"critic": scripted_model(failing_critic)},
        log_dir=str(tmp_path),
        display="none",
        max_samples=1,
    )[0]
    assert log.status == "error"
    run = analysis.load_run(str(log.location), "persona_loo")
    c = run.completeness
    assert not c.complete and c.planned == 16 and c.scored == 5 and c.missing == 11
    assert c.describe(run.name) == (
        f"log {run.name} is incomplete (status error): 5 of 16 planned samples scored, "
        f"11 missing ({c.errors} errored, {16 - c.present} not run)"
    )
    frame = analysis.loo_frame(run)
    assert set(frame["source"]) == {analysis.FROM_SAMPLES} and frame["n"].sum() >= 1


def test_a_cancelled_copy_counts_epochs(logs: Logs, tmp_path: Path) -> None:
    run = analysis.load_run(interrupted_copy(logs.pass_at_k, tmp_path), "persona_pass_at_k")
    c = run.completeness
    assert (c.status, c.planned, c.present, c.missing) == ("cancelled", 18, 9, 9)
    assert "9 of 18 planned sample attempts scored" in c.describe(run.name)
    frame = analysis.pass_at_k_frame(run)
    complete = int((run.samples.groupby("sample_id").size() == 3).sum())  # samples with all k attempts
    assert set(frame["source"]) == {analysis.FROM_SAMPLES} and list(frame["n"]) == [complete] * 3
    assert math.isnan(frame["estimate"].iloc[0]) == (complete == 0)
