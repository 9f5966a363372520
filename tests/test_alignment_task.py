"""The alignment_targets task: option errors before any model call, task file, MIC, local model run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage

from pluralbench._files import DataFileError
from pluralbench.scripted import scripted_model
from pluralbench.tasks.alignment import alignment_targets

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "alignment"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "best_of_n"}, "option method='best_of_n': must be one of unaligned, prompt_aligned"),
        ({"samples": 0}, "option samples=0: must be 1 or more"),
        ({"n_examples": -1}, "option n_examples=-1: must be 0 or more"),
        ({"dataset": "helpsteer3"}, "option dataset='helpsteer3': must be one of bundled, helpsteer2"),
        ({"target": '{"verbosity": 0.5'}, "option target=.*invalid JSON"),
        ({"target": '{"honesty": 0.5}'}, "unknown attribute.*honesty.*its attributes: helpfulness"),
        ({"target": {"verbosity": 2}}, "field 'verbosity': Input should be less than or equal to 1"),
        ({"target": "mic_high"}, "unknown attribute"),
        ({"target": "nope"}, "not a bundled target"),
    ],
)
def test_bad_options_fail_before_any_model_call(options: dict[str, Any], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        alignment_targets(**options)


def test_bad_target_file(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    path.write_text('{"verbosity": 0.5, "correctness": }')
    with pytest.raises(DataFileError, match=r"target file .*target.json: invalid JSON at line 1 column 35"):
        alignment_targets(target=str(path))
    with pytest.raises(DataFileError, match="no such file"):
        alignment_targets(target=str(tmp_path / "absent.json"))


def test_mic_dataset_with_mic_target(tmp_path: Path) -> None:
    calls: list[int] = []

    def judge(messages: list[ChatMessage]) -> str:
        calls.append(1)
        return '{"reason": "x", "choice": 1}'

    task = alignment_targets(
        dataset=str(FIXTURES / "MIC.csv"), target="mic_high_care", method="prompt_aligned", n_examples=1
    )
    log = eval(task, model=scripted_model(judge), log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success"
    assert log.eval.task_args["dataset"].endswith("MIC.csv")
    assert log.samples is not None and len(log.samples) == 1
    assert calls == [1]
    assert log.samples[0].metadata["attributes"] == ["care", "fairness", "liberty", "loyalty", "authority", "sanctity"]


def test_task_file_wrapper(tmp_path: Path) -> None:
    log = eval(
        f"{ROOT / 'tasks' / 'alignment.py'}@alignment_targets",
        task_args={"method": "oracle", "target": "random_3"},
        limit=10,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success"
    assert log.eval.task_args["target"] == "random_3"
    assert log.results is not None
    correct = next(s for s in log.results.scores if s.name == "correct")
    assert correct.metrics["mean"].value == 1.0


@pytest.mark.local_model
def test_runs_on_the_local_model(tmp_path: Path) -> None:
    log = eval(
        alignment_targets(method="comparative_regression", target="high_correctness", n_examples=0),
        model="local/smollm2-135m",
        limit=2,
        max_tokens=120,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == 2
    for sample in log.samples:
        assert sample.error is None
        assert sample.scores is not None
        score = sample.scores["alignment_target"]
        selection = sample.metadata["selection"]
        if isinstance(score.value, dict):
            assert selection["choice"] in range(len(sample.metadata["responses"]))
        else:
            assert score.reason in {"invalid_response_format", "all responses are equally near the target"}
        model_events = [event for event in sample.events if event.event == "model"]
        assert len(model_events) == 1  # one comparative call for the one target attribute
