"""The converter from the original steerability benchmark's JSON experiment config."""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pluralbench.api import evaluate_model
from pluralbench.scripted import scripted_model
from pluralbench.steerability.migrate import main
from support import FIXTURES

FIXTURE = FIXTURES / "migrate" / "claude_40.json"
ORIGINAL_DATA = FIXTURES / "steerability" / "original"
"""Statements and personas in the original's layout (see tests/steerability/test_steerability_originals.py)."""
ORIGINAL_COLUMNS = [
    "persona_id",
    "framework_name",
    "framework_description",
    "persona_description",
    "statement",
    "statement_id",
    "is_agree",
]


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the sample config's data paths, made the current directory (as for the original run)."""
    config = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for key, name in (("observations_path", "statements.csv"), ("personas_path", "personas.csv")):
        target = tmp_path / config[key]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ORIGINAL_DATA / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def convert(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["steerability-config", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def section(out: str, title: str) -> str:
    """Return the lines after a heading line up to the next blank line."""
    lines = out.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def command_words(out: str, heading: str) -> list[str]:
    return shlex.split(section(out, heading).strip())


def options_of(words: list[str]) -> dict[str, str]:
    return {words[i]: words[i + 1] for i in range(3, len(words) - 1) if words[i].startswith("--")}


def write_config(tmp_path: Path, config: dict[str, Any], name: str = "old.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def test_sample_config_maps_to_command_task_config_and_resume(
    capsys: pytest.CaptureFixture[str], run_dir: Path
) -> None:
    code, out, err = convert(capsys, str(FIXTURE))
    assert code == 0 and err == ""
    run = command_words(out, "Run:")
    assert run[:3] == ["inspect", "eval", "pluralbench/steerability"]
    assert options_of(run) == {
        "--task-config": "steerability-2024-12-11-claude-40-1.yaml",
        "--model": "anthropic/claude-3-5-sonnet-latest",
        "--log-dir": "logs/2024-12-11-claude-40-1",
        "--max-connections": "10",
        "--temperature": "0.0",
    }
    expected = {
        "data": str(Path.cwd() / "dataset/statements_all_frameworks_30_2024-12-04.csv"),
        "personas": 40,
        "n_steer": 4,
        "seed": 42,
        "split": "original",
        "cross": "all",
        "statements": "all",
        "include_label": True,
        "statements_per_call": 1,
    }
    assert yaml.safe_load(section(out, "Task config")) == expected
    inline = command_words(out, "Or with every option")
    task_options = [inline[i + 1] for i, word in enumerate(inline) if word == "-T"]
    assert {k: yaml.safe_load(v) for k, v in (option.split("=", 1) for option in task_options)} == expected
    assert "inspect eval-retry --log-dir logs/2024-12-11-claude-40-1" in section(out, "Resume")
    assert "max_concurrent_steering_tasks" in section(out, "Not carried over")
    notes = section(out, "Notes:")
    for key in ("personas_path", "run_async", "restore_async", "output_base_dir", "inference_batch_size", "verbose"):
        assert f"- {key}" in notes
    assert "Unknown keys" not in out


def test_every_original_key_is_accounted_for(capsys: pytest.CaptureFixture[str], run_dir: Path) -> None:
    _, out, _ = convert(capsys, str(FIXTURE))
    original = json.loads(FIXTURE.read_text(encoding="utf-8"))
    mentioned = {
        "experiment_name": "--log-dir logs/2024-12-11-claude-40-1",
        "resume": "eval-retry",
        "max_concurrent_tests": "--max-connections 10",
        "observations_path": "# observations_path",
        "max_personas": "# max_personas",
        "random_state": "# random_state",
        "n_steer_observations_per_persona": "# n_steer_observations_per_persona",
        "batched_inference": "batched_inference off",
        "steerable_system_type": "pluralbench/steerability",
        "steerable_system_config": "--model anthropic/claude-3-5-sonnet-latest",
    }
    for key in original:
        assert mentioned.get(key, f"- {key}") in out, key


def test_unknown_keys_are_named_and_secrets_never_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, run_dir: Path
) -> None:
    config = json.loads(FIXTURE.read_text(encoding="utf-8"))
    config |= {"max_workers": 4, "notes": "second try"}
    config["steerable_system_config"] |= {"api_key": "sk-secret-value", "top_p": 0.9, "temperature": 0.0}
    code, out, _ = convert(capsys, str(write_config(tmp_path, config)))
    assert code == 0
    unknown = section(out, "Unknown keys")
    assert unknown.splitlines() == ["  - max_workers", "  - notes", "  - steerable_system_config.top_p"]
    assert "sk-secret-value" not in out
    assert "steerable_system_config.api_key: secrets are not copied" in section(out, "Not carried over")
    assert options_of(command_words(out, "Run:"))["--temperature"] == "0.0"


def test_defaults_and_variants_follow_the_original(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = {
        "steerable_system_type": "FewShotSteerable",
        "steerable_system_config": {"llm_provider": "openai", "include_persona": False, "include_observations": False},
        "max_personas": 0,
        "max_observations": 10,
        "batched_inference": True,
        "inference_batch_size": 5,
    }
    code, out, _ = convert(capsys, str(write_config(tmp_path, config)))
    assert code == 0
    assert yaml.safe_load(section(out, "Task config")) == {
        "personas": 100,  # max_personas 0: every persona of the bundled data, counted
        "n_steer": 0,  # include_observations false
        "seed": 42,  # the original's default random_state
        "split": "original",
        "cross": "all",
        "statements": 10,
        "include_label": False,
        "statements_per_call": 1,  # batched_inference true: the original's few-shot system still asked one at a time
    }
    assert options_of(command_words(out, "Run:"))["--model"] == "openai/gpt-4o-mini"
    assert "model not set: the original's default for openai, gpt-4o-mini" in out
    assert "Resume" not in out and "--log-dir" not in out
    notes = section(out, "Notes:")
    assert "batched_inference true: the original's FewShotSteerable never batched" in notes
    assert "max_observations 10: the original tests the first 10 held-out rows of each persona in file order" in notes
    assert "include_persona true" not in notes  # include_persona false: no label, nothing to explain
    assert options_of(command_words(out, "Run:"))["--temperature"] == "0.0"


def test_missing_data_path_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = convert(capsys, str(FIXTURE))  # the shipped template's paths do not exist here
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: personas_path dataset/personas_all_frameworks_2024-12-04.csv: no such file (")
    (tmp_path / "dataset").mkdir()
    (tmp_path / "dataset" / "personas_all_frameworks_2024-12-04.csv").write_text("x", encoding="utf-8")
    code, out, err = convert(capsys, str(FIXTURE))
    assert code == 2 and err.startswith("error: observations_path dataset/statements_all_frameworks_30_2024-12-04.csv")


def test_temperature_and_label_follow_the_original(capsys: pytest.CaptureFixture[str], run_dir: Path) -> None:
    code, out, _ = convert(capsys, str(FIXTURE))
    assert code == 0
    notes = section(out, "Notes:")
    assert "temperature not set: the original's default, 0.0 (not the provider's default)" in notes
    assert "the original named only the label, with no framework description, and asked for a JSON agree field" in notes
    assert "lists the personas in the statements' order, so split original samples the same personas" in notes


def test_honcho_system_has_no_equivalent_and_no_guessed_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = {"steerable_system_type": "AsyncHonchoSteerable", "steerable_system_config": {"verbose": True}}
    code, out, _ = convert(capsys, str(write_config(tmp_path, config)))
    assert code == 0
    assert "steerable_system_type AsyncHonchoSteerable: steering through the Honcho memory service" in out
    assert options_of(command_words(out, "Run:"))["--model"] == "<provider/model>"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"max_personas": 40,\n "resume": true,,}', "invalid JSON at line 2 column 17"),
        ('["not", "an", "object"]', "expected a JSON object, got list"),
        ('{"max_personas": "forty"}', "field 'max_personas'"),
        ('{"steerable_system_config": {"include_persona": "yes"}}', "field 'steerable_system_config.include_persona'"),
    ],
)
def test_bad_config_is_one_error_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = convert(capsys, str(path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: steerability experiment config {path}: ") and problem in err


def test_missing_file_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = convert(capsys, str(tmp_path / "nope.json"))
    assert code == 1 and out == ""
    assert err == f"error: steerability experiment config {tmp_path / 'nope.json'}: no such file\n"


def original_statements_csv(path: Path, personas: int = 3, per_side: int = 4) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ORIGINAL_COLUMNS)
        for p in range(personas):
            for s in range(2 * per_side):
                agree = s < per_side
                text = f"Persona {p} {'likes' if agree else 'dislikes'} thing {s}."
                writer.writerow([f"p{p}", "MBTI", "Sixteen types.", f"TYPE{p}", text, f"p{p}-s{s}", str(agree)])


def test_written_task_config_is_accepted_by_the_task(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original_statements_csv(tmp_path / "statements.csv")
    monkeypatch.chdir(tmp_path)
    config = {
        "experiment_name": "small",
        "observations_path": "statements.csv",
        "max_personas": 0,
        "n_steer_observations_per_persona": 2,
        "random_state": 7,
        "steerable_system_type": "FewShotSteerable",
        "steerable_system_config": {"llm_provider": "openai", "model": "gpt-4o"},
    }
    target = tmp_path / "small.yaml"
    code, out, _ = convert(capsys, str(write_config(tmp_path, config)), "--write-config", str(target))
    assert code == 0
    assert options_of(command_words(out, "Run:"))["--task-config"] == str(target)
    task_config = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert task_config["data"] == str(tmp_path / "statements.csv")  # absolute: inspect runs tasks from their own dir
    assert task_config["personas"] == 3 and task_config["statements"] == "all"
    log = evaluate_model(scripted_model("Y"), "steerability", log_dir=str(tmp_path / "logs"), **task_config)
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == 3 * 3 * 6  # full matrix, 6 held-out statements each


def test_runs_as_a_module(run_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pluralbench.steerability.migrate", "steerability-config", str(FIXTURE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=run_dir,
    )
    assert result.returncode == 0, result.stderr
    assert "inspect eval pluralbench/steerability --task-config" in result.stdout
