"""The persona_group frame and figure: numbers equal to the log's metrics, recomputed equally without them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from inspect_ai import eval, task_with
from inspect_ai.log import read_eval_log, write_eval_log
from test_group import age_critic, answerer

from pluralbench.analysis import load_run, persona_group_frame
from pluralbench.persona.group.tasks import persona_group
from pluralbench.scripted import scripted_model
from support import REPO

SCRIPT = REPO / "visualization" / "persona_group.py"


@pytest.fixture(scope="module")
def group_log(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A log with individual answers and a groups file: group answers serve only the first member."""
    model = answerer("first")
    [log] = eval(
        task_with(persona_group(n=6, groups="sex_by_age", compare_individual=True, seed=9), model=model),  # type: ignore[arg-type]
        model=model,  # type: ignore[arg-type]
        model_roles={"critic": scripted_model(age_critic)},
        log_dir=str(tmp_path_factory.mktemp("logs")),
        display="none",
    )
    assert log.status == "success" and log.location
    return str(log.location)


def logged(path: str) -> dict[str, float]:
    log = read_eval_log(path, header_only=True)
    assert log.results is not None
    return {name: float(metric.value) for score in log.results.scores for name, metric in score.metrics.items()}


def test_the_frame_holds_the_logged_metrics(group_log: str) -> None:
    frame = persona_group_frame(load_run(group_log, "persona_group"))
    metrics = logged(group_log)
    assert set(frame["source"]) == {"log metrics"}
    names = {("group", "all"): "{m}", ("individual", "all"): "individual_{m}"}
    for row in frame.itertuples():
        if row.answer == "price":
            name = (
                ("price" if row.measure == "satisfaction" else f"price_{row.measure}")
                if row.cell == "all"
                else f"price/{row.cell}"
            )
        elif row.cell == "all":
            name = names[(row.answer, "all")].format(m=row.measure)
        else:
            name = ("satisfaction/" if row.answer == "group" else "individual_satisfaction/") + str(row.cell)
        assert (row.estimate, row.low, row.high, row.n) == tuple(
            metrics[name + s] for s in ("", "_ci_low", "_ci_high", "_n")
        )
    overall = frame[frame["cell"] == "all"].set_index(["measure", "answer"])["estimate"]
    assert overall[("satisfaction", "group")] == pytest.approx(1 / 3) and overall[("worst_off", "individual")] == 1.0
    assert overall[("satisfaction", "price")] == pytest.approx(2 / 3)
    assert (frame["cell"] != "all").sum() == 3 * len(set(frame["cell"]) - {"all"})


def test_without_metrics_the_overall_numbers_are_recomputed_equally(group_log: str, tmp_path: Path) -> None:
    log = read_eval_log(group_log)
    log.results = None
    copy = tmp_path / Path(group_log).name
    write_eval_log(log, str(copy))
    original = persona_group_frame(load_run(group_log, "persona_group"))
    recomputed = persona_group_frame(load_run(str(copy), "persona_group"))
    assert set(recomputed["source"]) == {"recomputed from samples"} and set(recomputed["cell"]) == {"all"}
    columns = ["measure", "answer", "estimate", "low", "high", "n"]
    expected = original[original["cell"] == "all"][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(expected, recomputed[columns].reset_index(drop=True))


def load_script() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("visualization_persona_group", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_writes_png_and_csv(group_log: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = load_script().main(["--log", group_log, "--out", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    png, csv = (Path(line.removeprefix("wrote ")) for line in out)
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    data = pd.read_csv(csv)
    price = data[(data["answer"] == "price") & (data["cell"] == "all") & (data["measure"] == "satisfaction")]
    assert price["estimate"].tolist() == [pytest.approx(logged(group_log)["price"])]


def test_the_script_refuses_a_missing_log_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_script().main(["--log", str(tmp_path / "missing.eval"), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
