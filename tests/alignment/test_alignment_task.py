"""The alignment_targets task: option errors before any model call, task file, MIC, local model run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import resolve_sample_attachments
from inspect_ai.model import ChatMessage

from pluralbench._errors import InputError
from pluralbench.alignment.dataset import load_alignment_data
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.scripted import scripted_model
from support import FIXTURES as FIXTURE_ROOT

FIXTURES = FIXTURE_ROOT / "alignment"
PROMPT = re.compile(r"\[BEGIN PROMPT \w+\]\n(.*?)\n\[END PROMPT", re.DOTALL)
BLOCK = re.compile(r"\[BEGIN RESPONSE (\d+) \w+\]")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "best_of_n"}, "option method='best_of_n': must be one of 'unaligned', 'prompt_aligned'"),
        ({"samples": 0}, "option samples=0: must be an integer >= 1"),
        ({"n_examples": -1}, "option n_examples=-1: must be an integer >= 0"),
        ({"dataset": "helpsteer3"}, "option dataset='helpsteer3': must be one of bundled, helpsteer2"),
        ({"target": '{"verbosity": 0.5'}, "option target=.*invalid JSON"),
        ({"target": '{"honesty": 0.5}'}, "unknown attribute.*honesty.*its attributes: helpfulness"),
        ({"target": {"verbosity": 2}}, "field 'verbosity': Input should be less than or equal to 1"),
        ({"target": "mic_high"}, "unknown attribute"),
        ({"target": "nope"}, "not a bundled target"),
    ],
)
def test_bad_options_fail_before_any_model_call(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        alignment_targets(**options)


def test_bad_target_file(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    path.write_text('{"verbosity": 0.5, "correctness": }')
    with pytest.raises(InputError, match=r"target file .*target.json: invalid JSON at line 1 column 35"):
        alignment_targets(target=str(path))
    with pytest.raises(InputError, match="no such file"):
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


def test_the_registered_task_logs_every_argument_and_its_version(tmp_path: Path) -> None:
    log = eval(
        "pluralbench/alignment_targets",
        task_args={"method": "oracle", "target": "random_3"},
        limit=10,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success"
    assert log.eval.task_args == {
        "dataset": "bundled",
        "target": "random_3",
        "method": "oracle",
        "n_examples": 3,
        "samples": 1,
        "seed": 0,
        "structured": "auto",
    }
    assert log.eval.task_version == 3
    assert log.results is not None
    score = next(s for s in log.results.scores if s.name == "alignment_target")
    assert score.metrics["correct"].value == 1.0


@pytest.mark.slow
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
            no_choice = selection["choice"] is None
            assert no_choice or selection["choice"] in range(len(sample.metadata["responses"]))
            assert score.value["format_failure"] == float(no_choice)
        else:
            assert score.reason in {"context_overflow", "all_tied"}
        model_events = [event for event in resolve_sample_attachments(sample).events if event.event == "model"]
        # One comparative call for the one target attribute, and one repair request if its reply was unreadable.
        assert len(model_events) in (1, 2)
        if len(model_events) == 2:
            last_message = model_events[1].input[-1].text
            assert last_message.startswith("Your previous reply could not be read:"), last_message


def sample_metadata(**task_args: Any) -> list[dict[str, Any]]:
    return [dict(sample.metadata or {}) for sample in alignment_targets(**task_args).dataset]


@pytest.mark.parametrize(
    ("method", "per_attribute", "single_response"),
    [("comparative_regression", True, False), ("regression", True, True), ("prompt_aligned", False, False)],
)
def test_few_shot_examples_are_chosen_when_the_dataset_is_built(
    method: str, per_attribute: bool, single_response: bool
) -> None:
    train_ids = {item.item_id for item in load_alignment_data("bundled", 0).split("train")}
    for meta in sample_metadata(method=method, n_examples=2, target="sampled"):
        examples = meta["examples"]
        assert {example["item_id"] for example in examples} <= train_ids
        if per_attribute:
            assert [example["attribute"] for example in examples] == [a for a in meta["target"] for _ in range(2)]
        else:
            assert len(examples) == 2 and all(example["attribute"] is None for example in examples)
        assert all((example["response"] is not None) == single_response for example in examples)


@pytest.mark.parametrize("method", ["unaligned", "random", "oracle"])
def test_methods_without_examples_store_none(method: str) -> None:
    assert all(meta["examples"] == [] for meta in sample_metadata(method=method, n_examples=3))


def test_the_examples_in_the_metadata_are_the_examples_shown(tmp_path: Path) -> None:
    items = {item.item_id: item for item in load_alignment_data("bundled", 0).items}
    shown_prompts: list[list[str]] = []

    def judge(messages: list[ChatMessage]) -> str:
        users = [m.text for m in messages if m.role == "user"]
        shown_prompts.append([PROMPT.search(text).group(1) for text in users[:-1]])  # type: ignore[union-attr]
        count = len(BLOCK.findall(users[-1]))
        return json.dumps({f"response_{n}": {"reason": "r", "score": 50} for n in range(1, count + 1)})

    log = eval(
        alignment_targets(method="comparative_regression", n_examples=2, target="high_coherence"),
        model=scripted_model(judge),
        limit=3,
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success" and log.samples is not None
    logged = sorted([items[e["item_id"]].prompt for e in s.metadata["examples"]] for s in log.samples)
    assert logged == sorted(shown_prompts)


def test_a_rejected_option_is_one_short_line_in_the_cli(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).parent / "inspect"), "eval", "pluralbench/alignment_targets",
        "-T", "method=bogus", "--log-dir", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) <= 3, lines
    assert "option method='bogus'" in " ".join(lines)
