"""The results report: one row per (task, model, version), numbers equal to the logs' own metrics."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from pluralbench.alignment.tasks import alignment_targets
from pluralbench.cost import probe_model
from pluralbench.persona.tasks import persona
from pluralbench.report import main
from pluralbench.scripted import scripted_model
from pluralbench.steerability.tasks import steerability
from replies import APPROVE, REJECT
from states import RunEval


@pytest.mark.slow
def test_report_of_two_models_on_two_tasks_equals_the_logs(
    run_eval: RunEval, log_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agree, disagree = scripted_model("Y", name="agree"), scripted_model("N", name="disagree")
    for model in (agree, disagree):
        run_eval(steerability(personas=2, cross=1, statements=8), model, limit=16)
    for name in ("agree", "disagree"):
        run_eval(alignment_targets(), probe_model(name), limit=2)
    # One persona run is graded by a separate critic, the other grades itself.
    run_eval(
        persona(n=3),
        scripted_model("An answer.", name="agree"),
        roles={"critic": scripted_model(APPROVE, name="critic")},
    )
    self_grader = scripted_model(lambda m: REJECT if "needs_revision" in m[-1].text else "Hi", name="disagree")
    run_eval(persona(n=3, seed=1), self_grader)
    out = tmp_path / "report"
    assert main([str(log_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    frame = pd.read_csv(out / "report.csv")
    assert (out / "report.png").stat().st_size > 0
    assert len(frame) == 6
    for info in list_eval_logs(str(log_dir)):
        log = read_eval_log(info.name)
        rows = frame[frame["log"] == Path(info.name).name]
        if rows.empty:
            continue
        row = rows.iloc[0]
        headline = log.results.headline  # type: ignore[union-attr]
        assert headline is not None and headline.metric == row["headline"]
        score = next(s for s in log.results.scores if row["headline"] in s.metrics)  # type: ignore[union-attr]
        expected = score.metrics[row["headline"]].value
        assert math.isclose(row["value"], expected) or (math.isnan(row["value"]) and math.isnan(expected))
        assert row["calls"] == sum(1 for s in log.samples or [] for e in s.events if e.event == "model")
    persona_rows = frame[frame["task"] == "persona"]
    assert sorted(persona_rows["critic"].fillna("")) == ["mockllm/critic", "self"]
    assert "SELF-GRADED" in printed
