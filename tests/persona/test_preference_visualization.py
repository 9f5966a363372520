"""The persona_preference frame and figure: CSV numbers equal to the log's metrics, recomputed ones equal too."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from inspect_ai import eval, task_with
from inspect_ai.log import read_eval_log, write_eval_log
from test_preference_task import PAIRS, knows_the_asker, reply

from pluralbench.analysis import load_run, preference_frame
from pluralbench.persona.preferences.task import persona_preference
from pluralbench.scripted import scripted_model
from support import FIXTURES, REPO

SCRIPT = REPO / "visualization" / "persona_preference.py"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("logs")
    paths = {}
    for mode, answerer in (("persona", knows_the_asker), ("baseline", reply(1))):
        model = scripted_model(answerer)
        [log] = eval(
            task_with(persona_preference(data=str(PAIRS), mode=mode), model=model),  # type: ignore[arg-type]
            model=model,
            log_dir=str(directory),
            display="none",
        )
        assert log.status == "success"
        paths[mode] = log.location
    return paths


def load_script() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("visualization_persona_preference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logged(path: str) -> dict[str, float]:
    log = read_eval_log(path, header_only=True)
    assert log.results is not None
    [score] = log.results.scores
    return {name: float(metric.value) for name, metric in score.metrics.items()}


def test_the_frame_holds_the_logged_metrics(logs: dict[str, str]) -> None:
    frame = preference_frame(load_run(logs["persona"], "persona_preference"))
    metrics = logged(logs["persona"])
    assert list(frame["group"][:3]) == ["all"] * 3 and set(frame["source"]) == {"log metrics"}
    for row in frame.itertuples():
        if row.measure == "format_failure_rate":  # the suite's share, logged without an interval
            assert (row.estimate, row.n) == (metrics["format_failure_rate"], metrics["accuracy_n"])
            assert math.isnan(row.low) and math.isnan(row.high)
            continue
        name = row.measure if row.group == "all" else f"attribute:{row.group}"
        assert (row.estimate, row.low, row.high, row.n) == (
            metrics[name],
            metrics[f"{name}_ci_low"],
            metrics[f"{name}_ci_high"],
            metrics[f"{name}_n"],
        )
    assert sorted(frame["group"][3:]) == sorted(pd.read_json(PAIRS, lines=True)["attribute"])


def test_without_metrics_the_frame_is_recomputed_to_the_same_numbers(logs: dict[str, str], tmp_path: Path) -> None:
    log = read_eval_log(logs["baseline"])
    log.results = None
    copy = tmp_path / Path(logs["baseline"]).name
    write_eval_log(log, str(copy))
    original = preference_frame(load_run(logs["baseline"], "persona_preference"))
    recomputed = preference_frame(load_run(str(copy), "persona_preference"))
    assert set(recomputed["source"]) == {"recomputed from samples"}
    columns = ["measure", "group", "estimate", "low", "high", "n", "mode"]
    pd.testing.assert_frame_equal(original[columns], recomputed[columns])
    values = original.set_index(["measure", "group"])["estimate"]
    assert values[("accuracy", "all")] == 0.5 and values[("order_consistency", "all")] == 0.0
    assert not math.isnan(values[("format_failure_rate", "all")])


def test_the_script_writes_png_and_csv_for_both_modes(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = load_script().main(["--log", logs["persona"], logs["baseline"], "--out", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    png, csv = (Path(line.removeprefix("wrote ")) for line in out)
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    data = pd.read_csv(csv)
    assert set(data["mode"]) == {"persona", "baseline"}
    overall = data[(data["measure"] == "accuracy") & (data["group"] == "all")].set_index("mode")["estimate"]
    assert overall["persona"] == logged(logs["persona"])["accuracy"] == 1.0
    assert overall["baseline"] == logged(logs["baseline"])["accuracy"] == 0.5


def test_the_script_refuses_a_missing_log_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = FIXTURES / "missing.eval"
    assert load_script().main(["--log", str(other), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
