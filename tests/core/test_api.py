"""The Python API: evaluate_model / evaluate_models over every evaluation type, with scripted models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.tool import ToolChoice, ToolInfo

import pluralbench
from pluralbench import evaluate_model, evaluate_models
from pluralbench.api import EVALUATION_TYPES, build_task
from pluralbench.persona.prism import PrismSelection, questions_from_prism_records
from pluralbench.scripted import scripted_model, scripted_output
from replies import APPROVE, choice
from support import FIXTURES, REPO

CONFIGS = REPO / "configs"
PRISM_FIXTURE = FIXTURES / "prism_conversations.jsonl"
QUIET = {"display": "none", "log_realtime": False}

# evaluation type -> (reply of the evaluated model, small task arguments, samples expected with limit=2)
CASES: dict[str, tuple[str, dict[str, Any], int]] = {
    "main": ("<answer>hello</answer>", {"n": 4}, 2),
    "loo": ("<answer>hello</answer>", {"n": 1, "attributes": "age,sex"}, 2),
    "intersectionality": ("<answer>hello</answer>", {"n_per_group": 1, "min_n": 1}, 2),
    "pass_at_k": ("<answer>hello</answer>", {"n": 2, "k": 2}, 4),
    "steerability": ("Y", {"personas": 2, "cross": 1, "statements": 2}, 2),
    "alignment_targets": (
        choice(1, 2, reason="closest"),
        {"method": "prompt_aligned", "n_examples": 0},
        2,
    ),
}


def scores_of(log: EvalLog) -> list[float]:
    """Each score's number (a dict-valued score's first key, e.g. the critic's ``personalization``)."""
    assert log.samples
    values = [score.value for sample in log.samples for score in (sample.scores or {}).values()]
    return [float(next(iter(v.values())) if isinstance(v, dict) else v) for v in values]  # type: ignore[arg-type]


@pytest.mark.parametrize("evaluation_type", EVALUATION_TYPES)
def test_every_evaluation_type_runs_the_given_model_and_succeeds(tmp_path: Path, evaluation_type: str) -> None:
    reply, task_args, expected_samples = CASES[evaluation_type]
    environment = dict(os.environ)
    log = evaluate_model(
        scripted_model(reply),
        evaluation_type,  # type: ignore[arg-type]
        critic=scripted_model(APPROVE),
        limit=2,
        seed=7,
        log_dir=str(tmp_path),
        eval_options=QUIET,
        **task_args,
    )
    assert log.status == "success", log.error
    assert log.eval.model == "mockllm/model"  # the given model, not the task's offline default
    assert log.eval.task_args["seed"] == 7
    assert {key: log.eval.task_args[key] for key in task_args} == task_args
    assert log.samples is not None and len(log.samples) == expected_samples
    assert dict(os.environ) == environment  # no environment variable written
    if evaluation_type in ("main", "loo", "intersectionality", "pass_at_k"):
        assert scores_of(log) == [1.0] * expected_samples  # the bound critic approved every answer
        assert {s.metadata["answer"] for s in log.samples} == {"hello"}  # answers came from the scripted model
        assert all(not s.scores["personalization_critic"].metadata["self_graded"] for s in log.samples)  # type: ignore[index]


def test_steerability_scores_the_scripted_answers(tmp_path: Path) -> None:
    log = evaluate_model(
        scripted_model("Y"),
        "steerability",
        log_dir=str(tmp_path),
        eval_options=QUIET,
        personas=2,
        cross=1,
        statements=2,
    )
    assert log.status == "success", log.error
    assert log.samples
    for sample in log.samples:  # always answering "agree" is right exactly on the agree statements
        [score] = (sample.scores or {}).values()
        assert score.value == {"correct": 1.0 if sample.target == "Y" else 0.0, "format_failure": 0.0}


def test_unbound_critic_means_self_grading(tmp_path: Path) -> None:
    log = evaluate_model(scripted_model(APPROVE), "main", limit=1, log_dir=str(tmp_path), eval_options=QUIET, n=1)
    assert log.samples
    assert log.samples[0].scores["personalization_critic"].metadata["self_graded"] is True  # type: ignore[index]
    assert log.eval.model_roles is None


def test_unknown_evaluation_type_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid types: main, loo, intersectionality, pass_at_k, steerability"):
        evaluate_model("mockllm/model", "persona")  # type: ignore[arg-type]


def test_bad_arguments_fail_before_any_model_call(tmp_path: Path) -> None:
    model = scripted_model(lambda messages: pytest.fail("the model was called"))
    with pytest.raises(ValueError, match="has no parameter.*n_personas.*its parameters: mode, n, seed"):
        evaluate_model(model, "main", log_dir=str(tmp_path), n_personas=3)
    with pytest.raises(ValueError, match="seed given twice"):
        build_task("main", model, seed=1, task_args={"seed": 2})
    with pytest.raises(ValueError, match="eval_options may not set limit, model"):
        evaluate_model(model, "main", log_dir=str(tmp_path), eval_options={"model": "x", "limit": 3})
    with pytest.raises(ValueError, match="mode='shouting'"):
        evaluate_model(model, "main", log_dir=str(tmp_path), mode="shouting")
    assert not list(tmp_path.iterdir())


def counting_model(name: str, calls: list[str]) -> Model:
    def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        calls.append(name)
        return scripted_output("<answer>hello</answer>")

    return get_model(f"mockllm/{name}", custom_outputs=outputs, memoize=False)


def test_evaluate_models_runs_each_model_and_a_rerun_resumes_without_new_calls(tmp_path: Path) -> None:
    calls: list[str] = []
    models = [counting_model("first", calls), counting_model("second", calls)]
    sweep = tmp_path / "sweep"
    run = dict(critic=scripted_model(APPROVE), limit=2, seed=3, log_dir=str(sweep), eval_options=QUIET, n=4)
    success, logs = evaluate_models(models, "main", **run)  # type: ignore[arg-type]
    assert success
    assert sorted(log.eval.model for log in logs) == ["mockllm/first", "mockllm/second"]
    assert sorted(calls) == ["first", "first", "second", "second"]
    assert all(log.status == "success" and log.eval.task_args["seed"] == 3 for log in logs)
    success, again = evaluate_models(models, "main", **run)  # type: ignore[arg-type]
    assert success and len(again) == 2
    assert len(calls) == 4  # finished work is not run again
    assert {Path(log.location).name for log in again} == {Path(log.location).name for log in logs}
    assert len(list(sweep.glob("*.eval"))) == 2


def test_evaluate_models_needs_models(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="models is empty"):
        evaluate_models([], "main", log_dir=str(tmp_path))


MODEL_FREE = {"method": "random", "target": "high_coherence"}
"""alignment_targets arguments that call no model: runs take a second."""


def test_evaluate_models_returns_the_logs_in_the_order_of_the_models_also_on_resume(tmp_path: Path) -> None:
    calls: list[str] = []
    first, second = counting_model("first", calls), counting_model("second", calls)
    run = dict(limit=3, log_dir=str(tmp_path / "sweep"), eval_options=QUIET, **MODEL_FREE)
    success, logs = evaluate_models([first, second], "alignment_targets", **run)  # type: ignore[arg-type]
    assert success and [log.eval.model for log in logs] == ["mockllm/first", "mockllm/second"]
    success, resumed = evaluate_models([second, first], "alignment_targets", **run)  # type: ignore[arg-type]
    assert success and [log.eval.model for log in resumed] == ["mockllm/second", "mockllm/first"]
    assert {Path(log.location).name for log in resumed} == {Path(log.location).name for log in logs}  # reused
    # inspect's eval_set itself returns this resume as [second, first]
    success, again = evaluate_models([first, second], "alignment_targets", **run)  # type: ignore[arg-type]
    assert success and [log.eval.model for log in again] == ["mockllm/first", "mockllm/second"]
    assert calls == []


def test_evaluate_models_reorders_whatever_order_eval_set_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pluralbench.api as api

    real_eval_set = api.eval_set

    def reversed_eval_set(*args: Any, **kwargs: Any) -> tuple[bool, list[EvalLog]]:
        success, logs = real_eval_set(*args, **kwargs)
        return success, list(reversed(logs))

    monkeypatch.setattr(api, "eval_set", reversed_eval_set)
    names = ["a", "b", "c"]
    models = [counting_model(name, []) for name in names]
    success, logs = evaluate_models(
        models, "alignment_targets", limit=2, log_dir=str(tmp_path), eval_options=QUIET, **MODEL_FREE
    )
    assert success and [log.eval.model for log in logs] == [f"mockllm/{name}" for name in names]


def test_evaluate_models_refuses_two_models_of_one_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="distinct names.*mockllm/twin repeated"):
        evaluate_models([counting_model("twin", []), counting_model("twin", [])], "steerability", log_dir=str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_import_needs_no_api_key_and_loads_the_api_lazily(tmp_path: Path) -> None:
    code = (
        "import sys, pluralbench\n"
        "assert 'inspect_ai' not in sys.modules and 'pluralbench.api' not in sys.modules, 'import is not lazy'\n"
        "assert pluralbench.evaluate_model.__module__ == 'pluralbench.api'\n"
        "assert callable(pluralbench.evaluate_models)\n"
        "try:\n"
        "    pluralbench.no_such_name\n"
        "except AttributeError as error:\n"
        "    print('missing:', error)\n"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "missing: module 'pluralbench' has no attribute 'no_such_name'" in result.stdout


def test_dir_of_package_names_the_api() -> None:
    assert {"evaluate_model", "evaluate_models"} <= set(pluralbench.__all__)


def load_config(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((CONFIGS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_steerability_original_config_states_the_published_setup_and_runs(tmp_path: Path) -> None:
    config = load_config("steerability_original.yaml")
    assert {key: config[key] for key in ("personas", "n_steer", "seed", "cross")} == {
        "personas": 40,
        "n_steer": 4,
        "seed": 42,
        "cross": "all",
    }
    log = evaluate_model(
        scripted_model("N"), "steerability", limit=2, log_dir=str(tmp_path), eval_options=QUIET, **config
    )
    assert log.status == "success", log.error
    assert {key: log.eval.task_args[key] for key in config} == config and log.eval.task_args["data"] is None
    assert log.eval.metadata is not None
    assert len(log.eval.metadata["personas"]) == 40
    assert log.eval.metadata["calls"] == log.eval.metadata["full_matrix_calls"] == 40 * 40 * 56


def test_persona_paper_config_runs_with_prism_questions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config("persona_paper.yaml")
    assert config["questions"] == "prism" and config["debate_rounds"] == 0 and config["n"] == 3868
    records = [json.loads(line) for line in PRISM_FIXTURE.read_text(encoding="utf-8").splitlines()]

    def offline_prism() -> PrismSelection:
        return questions_from_prism_records(records)

    monkeypatch.setattr("pluralbench.persona.sources.load_prism_questions", offline_prism)
    log = evaluate_model(
        scripted_model("<answer>hello</answer>"),
        "main",
        critic=scripted_model(APPROVE),
        limit=2,
        log_dir=str(tmp_path),
        eval_options=QUIET,
        **config,
    )
    assert log.status == "success", log.error
    assert {key: log.eval.task_args[key] for key in config} == config
    prism_ids = {record["conversation_id"] for record in records}
    assert log.samples and all(sample.metadata["question_id"] in prism_ids for sample in log.samples)


@pytest.mark.local_model
@pytest.mark.slow
def test_inspect_cli_reads_the_steerability_config_file(tmp_path: Path) -> None:
    inspect_cli = Path(sys.executable).parent / "inspect"
    command = [
        str(inspect_cli), "eval", "pluralbench/steerability",
        "--task-config", str(CONFIGS / "steerability_original.yaml"),
        "--model", "local/smollm2-135m", "--max-tokens", "4", "--limit", "1",
        "--log-dir", str(tmp_path), "--display", "none",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [log_file] = tmp_path.glob("*.eval")
    log = read_eval_log(str(log_file))
    assert log.status == "success"
    assert log.eval.task_args == load_config("steerability_original.yaml") | {"data": None, "structured": "auto"}
    # The preset refuses a -T value that would change its design, in one line, before any call.
    smaller = subprocess.run(command + ["-T", "personas=4"], capture_output=True, text=True, timeout=300)
    assert smaller.returncode == 1
    assert smaller.stderr.strip() == (
        "option personas=4 conflicts with preset=original, which sets personas=40 (drop one of them)"
    )
    assert len(list(tmp_path.glob("*.eval"))) == 1
