"""The visualization scripts: PNG + CSV from scripted-model logs, CSV numbers equal to the logs' metrics,
and the bad cases (no matching log, a log of another task, an interrupted log, an unreadable file).

Exit codes (visualization/_common.py): 0 written; 1 nothing written, one-line error; 2 written
from an incomplete log, one warning line per incomplete log.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.scorer import Score
from matplotlib.figure import Figure
from test_analysis import Logs, interrupted_copy, logged_metrics, shared_logs

from pluralbench import analysis
from support import REPO

SCRIPTS = REPO / "visualization"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Logs:
    return shared_logs(tmp_path_factory)


# script -> (logs it draws, a log of another task)
CASES: dict[str, tuple[Callable[[Logs], list[str]], Callable[[Logs], str]]] = {
    "loo": (lambda logs: [logs.loo], lambda logs: logs.pass_at_k),
    "intersectionality": (lambda logs: [logs.intersectionality], lambda logs: logs.loo),
    "pass_at_k": (lambda logs: [logs.pass_at_k], lambda logs: logs.intersectionality),
    "modes": (lambda logs: [logs.persona_baseline, logs.persona_output_only], lambda logs: logs.loo),
    "steerability": (lambda logs: [logs.steerability], lambda logs: logs.alignment_random),
    "alignment": (lambda logs: [logs.alignment_random, logs.alignment_oracle], lambda logs: logs.steerability),
}


def load_script(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(f"visualization_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(name: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    code = load_script(name).main(args)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def written(stdout: list[str]) -> tuple[Path, Path]:
    paths = [Path(line.removeprefix("wrote ")) for line in stdout if line.startswith("wrote ")]
    assert [p.suffix for p in paths] == [".png", ".csv"], stdout
    png, csv = paths
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 10_000
    return png, csv


def equal(a: object, b: object) -> bool:
    return bool(a == pytest.approx(b, nan_ok=True, rel=1e-9, abs=1e-12))


# every script on good logs: PNG, and CSV numbers equal to the logs' own metrics


def check_loo(data: pd.DataFrame, logs: Logs) -> None:
    metrics = logged_metrics(logs.loo)
    assert list(data["attribute"]) == ["religion", "age"]
    for row in data.itertuples():
        name = f"importance[{row.attribute}]"
        assert equal(
            [row.importance, row.low, row.high, row.n],
            [metrics[f"{name}{suffix}"] for suffix in ("", "_ci_low", "_ci_high", "_n")],
        )


def check_intersectionality(data: pd.DataFrame, logs: Logs) -> None:
    metrics = logged_metrics(logs.intersectionality)
    assert len(data) == 6 and set(data["sex"]) == {"Female", "Male"} and set(data["age"]) == {"18-34", "35-54", "55+"}
    for row in data.itertuples():
        group = str(row.group)
        assert equal(
            [row.mean, row.low, row.high, row.n],
            [metrics[f"group[{group}]{suffix}"] for suffix in ("", "_ci_low", "_ci_high", "_n")],
        )
        assert equal(
            [row.gap, row.gap_ci_low, row.gap_ci_high, row.gap_n, row.ratio],
            [metrics[k] for k in ("gap", "gap_ci_low", "gap_ci_high", "gap_n", "ratio")],
        )


def check_pass_at_k(data: pd.DataFrame, logs: Logs) -> None:
    assert list(data["k"]) == [1, 2, 3]
    metrics = logged_metrics(logs.pass_at_k, "personalization_critic")
    for row in data.itertuples():
        name = f"pass_at_{row.k}"
        assert equal(
            [row.estimate, row.stderr, row.low, row.high, row.n],
            [metrics[f"{name}{suffix}"] for suffix in ("", "_stderr", "_ci_low", "_ci_high", "_n")],
        )


def check_modes(data: pd.DataFrame, logs: Logs) -> None:
    assert set(data["mode"]) == {"baseline", "output_only"}
    for row in data.itertuples():
        path = logs.persona_baseline if row.mode == "baseline" else logs.persona_output_only
        metrics = logged_metrics(path, str(row.scorer))
        names = (
            ("personalization", "personalization_stderr", "personalization_ci_low", "personalization_ci_high")
            if row.scorer == "personalization_critic"
            else ("mean", "stderr", "mean_ci_low", "mean_ci_high")
        )
        assert equal([row.mean, row.stderr, row.low, row.high, row.n], [metrics[k] for k in (*names, f"{names[0]}_n")])
    critic = data[data["scorer"] == "personalization_critic"].set_index("mode")["mean"]
    assert critic.to_dict() == {"baseline": 0.0, "output_only": 1.0}


def check_steerability(data: pd.DataFrame, logs: Logs) -> None:
    metrics = logged_metrics(logs.steerability)
    frameworks = data[data["kind"] == "framework"].set_index("framework")
    for framework, row in frameworks.iterrows():
        key = "balanced_accuracy" if framework == "all" else f"balanced_accuracy_framework_{framework}"
        assert equal(row["value"], metrics[key])
    assert equal(
        [frameworks.loc["all", "low"], frameworks.loc["all", "high"]],
        [metrics["balanced_accuracy_ci_low"], metrics["balanced_accuracy_ci_high"]],
    )
    scores = data[data["kind"] == "score"].set_index("name")
    published = ("original_score_partial", "original_sensitivity_partial", "original_specificity_partial")
    for name in ("steerability_margin", *published):  # cross=2 of 31 other personas: part of the matrix
        assert equal(scores.loc[name, "value"], metrics[name])
    cells = data[data["kind"] == "cell"]
    assert len(cells) == 3 * 32
    assert equal(cells[cells["own"].astype(str) == "True"]["value"].mean(), metrics["balanced_accuracy"])


def check_alignment(data: pd.DataFrame, logs: Logs) -> None:
    for method, path in (("random", logs.alignment_random), ("oracle", logs.alignment_oracle)):
        metrics = logged_metrics(path, "alignment_target")
        overall = data[(data["kind"] == "by_method") & (data["method"] == method)].iloc[0]
        assert equal(
            [overall["accuracy"], overall["low"], overall["high"], overall["n"]],
            [metrics[k] for k in ("correct", "correct_ci_low", "correct_ci_high", "correct_n")],
        )
        assert equal(overall["chance"], metrics["chance"])
        sizes = data[(data["kind"] == "by_target_size") & (data["method"] == method)]
        assert len(sizes) >= 2
        for row in sizes.itertuples():
            name = f"correct_{int(row.target_size)}_attributes"
            assert equal(
                [row.accuracy, row.low, row.high, row.n],
                [metrics[f"{name}{suffix}"] for suffix in ("", "_ci_low", "_ci_high", "_n")],
            )


CHECKS: dict[str, Callable[[pd.DataFrame, Logs], None]] = {
    "loo": check_loo,
    "intersectionality": check_intersectionality,
    "pass_at_k": check_pass_at_k,
    "modes": check_modes,
    "steerability": check_steerability,
    "alignment": check_alignment,
}


@pytest.mark.parametrize("name", list(CASES))
def test_script_writes_png_and_csv_equal_to_the_log_metrics(
    name: str, logs: Logs, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``--log`` a script draws the newest logs of ``INSPECT_LOG_DIR`` (the cases below pass ``--log``)."""
    paths, _ = CASES[name]
    paths(logs)  # run the logs the script should find
    monkeypatch.setenv("INSPECT_LOG_DIR", str(logs.directory))
    code, stdout, stderr = run_script(name, ["--out", str(tmp_path)], capsys)
    assert code == 0, stderr
    png, csv = written(stdout)
    assert png.parent == tmp_path and png.name.startswith(f"{name}_")
    data = pd.read_csv(csv)
    assert set(data["source"].dropna()) == {analysis.FROM_LOG}
    CHECKS[name](data, logs)


def test_a_script_runs_from_the_command_line(logs: Logs, tmp_path: Path) -> None:
    """One script as a user runs it, on the logs given with ``--log`` (the scripts share ``_common.main``)."""
    name = "intersectionality"
    paths, _ = CASES[name]
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / f"{name}.py"), "--log", *paths(logs), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    _, csv = written(result.stdout.splitlines())
    CHECKS[name](pd.read_csv(csv), logs)


# the bad cases


@pytest.mark.parametrize("name", list(CASES))
def test_no_matching_log_is_one_line_and_exit_1(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = run_script(name, ["--log-dir", str(tmp_path), "--out", str(tmp_path / "out")], capsys)
    assert code == 1 and stdout == []
    assert len(stderr) == 1 and stderr[0].startswith(f"{name}.py: error: no ") and "log in" in stderr[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", list(CASES))
def test_log_of_another_task_is_one_line_and_exit_1(
    name: str, logs: Logs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, other = CASES[name]
    code, stdout, stderr = run_script(name, ["--log", other(logs), "--out", str(tmp_path)], capsys)
    assert code == 1 and stdout == []
    assert len(stderr) == 1 and "is a log of task" in stderr[0]


@pytest.mark.parametrize("name", list(CASES))
def test_unreadable_log_is_one_line_and_exit_1(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.eval"
    broken.write_bytes(b"this is not an inspect log")
    code, stdout, stderr = run_script(name, ["--log", str(broken), "--out", str(tmp_path)], capsys)
    assert code == 1 and stdout == []
    assert len(stderr) == 1 and "cannot read" in stderr[0]


@pytest.mark.parametrize("name", list(CASES))
def test_interrupted_log_is_plotted_with_one_line_on_what_is_missing_and_exit_2(
    name: str, logs: Logs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths, _ = CASES[name]
    good = paths(logs)
    cut = [interrupted_copy(good[0], tmp_path / "cut"), *good[1:]]
    code, stdout, stderr = run_script(name, ["--log", *cut, "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    _, csv = written(stdout)
    assert analysis.FROM_SAMPLES in set(pd.read_csv(csv)["source"].dropna())
    run = analysis.load_run(cut[0], load_script(name).SCRIPT.tasks)
    c = run.completeness
    assert stderr == [f"{name}.py: warning: {c.describe(run.name)}; plotted what is there"]
    assert c.missing > 0 and f"{c.missing} missing" in stderr[0]


def test_a_log_without_any_scored_sample_is_one_line_and_exit_1(
    logs: Logs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = interrupted_copy(logs.loo, tmp_path, keep=0.0)
    code, stdout, stderr = run_script("loo", ["--log", empty, "--out", str(tmp_path)], capsys)
    assert code == 1 and stdout == []
    assert len(stderr) == 1 and "has no scored samples (status cancelled, 16 planned)" in stderr[0]


def unscored_copy(path: str, directory: Path, scorer: str) -> str:
    """Write a copy of a finished log in which every sample's ``scorer`` score is unscored (NaN with a reason)."""
    log = read_eval_log(path)
    for sample in log.samples or []:
        assert sample.scores is not None and scorer in sample.scores
        sample.scores[scorer] = Score.unscored(reason="judge_unreadable", explanation="scripted: unreadable verdict")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / Path(path).name
    write_eval_log(log, str(target))
    return str(target)


@pytest.mark.parametrize("name", list(CASES))
def test_a_log_whose_samples_are_all_unscored_is_one_line_and_exit_1(
    name: str, logs: Logs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every sample recorded, finished, but the drawn scorer scored none: no empty figure, one line, exit 1."""
    paths, _ = CASES[name]
    good = paths(logs)
    script = load_script(name).SCRIPT
    unscored = [unscored_copy(good[0], tmp_path / "unscored", script.scorer), *good[1:]]
    code, stdout, stderr = run_script(name, ["--log", *unscored, "--out", str(tmp_path / "out")], capsys)
    assert code == 1 and stdout == []
    assert len(stderr) == 1, stderr
    assert f"{name}.py: error: log {Path(unscored[0]).name} has no scored samples: all " in stderr[0]
    assert f"unscored by {script.scorer} (status success)" in stderr[0]
    assert not (tmp_path / "out").exists()


# readability


def label_overlaps(figure: Figure) -> list[tuple[str, str]]:
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    overlaps = []
    for ax in figure.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            boxes = [(label.get_text(), label.get_window_extent(renderer)) for label in labels if label.get_text()]
            overlaps += [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    return overlaps


def test_steerability_heatmap_has_no_overlapping_tick_labels_with_32_personas(logs: Logs) -> None:
    script = load_script("steerability")
    plot = script.draw(analysis.load_runs([logs.steerability], "steerability"))
    heatmap = plot.figure.axes[0]
    assert len(heatmap.get_xticklabels()) == 32 and len(heatmap.get_yticklabels()) == 32
    assert label_overlaps(plot.figure) == []
    assert (
        "model mockllm/model" in plot.figure.get_suptitle()
        and Path(logs.steerability).name in plot.figure.get_suptitle()
    )


def test_heatmap_order_groups_frameworks_and_keeps_the_diagonal(logs: Logs) -> None:
    script = load_script("steerability")
    cells = analysis.steerability_cells(analysis.load_run(logs.steerability, "steerability"))
    order, blocks = script.persona_order(cells)
    framework = dict(zip(cells["steered"], cells["steered_framework"], strict=True))
    assert sorted(order) == sorted(set(cells["steered"]))
    assert [name for name, _, _ in blocks] == sorted(set(framework.values()))
    for name, start, end in blocks:
        assert {framework[p] for p in order[start:end]} == {name}


def test_cluster_order_puts_similar_rows_together() -> None:
    script = load_script("steerability")
    profiles = pd.DataFrame(
        [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.9, 1.0, 0.1], [0.1, 0.0, 0.9]], index=["a", "b", "c", "d"]
    )
    order = script.cluster_order(profiles)
    assert abs(order.index("a") - order.index("c")) == 1 and abs(order.index("b") - order.index("d")) == 1
