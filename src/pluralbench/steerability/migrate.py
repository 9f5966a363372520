"""Convert the original steerability benchmark's JSON experiment config to an inspect command.

Usage::

    python -m pluralbench.steerability.migrate steerability-config OLD.json [--write-config NEW.yaml]

The original benchmark (plastic-labs/steerability-eval) runs from a JSON file of ``EvalConfig``
fields. This prints the equivalent ``inspect eval`` command line, the task config (YAML for
``--task-config``), how to resume, and every original key that has no equivalent or is not
part of the original format, each with a reason: nothing is dropped silently. It exits with 2
and one error line when a data path of the config does not exist (convert from the directory the
original run started in).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error, read_json_file

TASK = "pluralbench/steerability"
DEFAULT_LOG_DIR = "logs"
ORIGINAL_MAX_OBSERVATIONS = 100
"""The original's default ``max_observations``: more than any persona has held out in its published data."""
ORIGINAL_TEMPERATURE = 0.0
"""``FewShotSteerable``'s default temperature in the original."""
MISSING_DATA = 2
"""Exit status when a data path of the config does not exist."""

PROVIDERS: dict[str, tuple[str, str]] = {
    "google": ("google", "gemini-1.5-flash-8b"),
    "openai": ("openai", "gpt-4o-mini"),
    "anthropic": ("anthropic", "claude-3-5-sonnet-latest"),
    "openrouter": ("openrouter", "meta-llama/llama-3.2-3b-instruct:free"),
}
"""Original ``llm_provider`` -> (inspect provider, the original's default model for it)."""

DEFAULT_PROVIDER = "google"
"""``FewShotSteerable``'s default ``llm_provider`` in the original's latest version."""

FEW_SHOT = "FewShotSteerable"
VERBOSE = "inspect shows progress, and --display plain or --log-level info prints more"


class SteerableSystemConfig(BaseModel):
    """Known keys of the original's ``steerable_system_config`` (FewShotSteerable and Honcho)."""

    model_config = ConfigDict(extra="forbid")

    llm_provider: StrictStr | None = None
    model: StrictStr | None = None
    api_key: StrictStr | None = None
    base_url: StrictStr | None = None
    temperature: StrictFloat | StrictInt | None = None
    include_persona: StrictBool = True
    include_observations: StrictBool = True
    verbose: StrictBool | None = None
    wait_on_init: StrictBool | None = None


class OriginalSteerabilityConfig(BaseModel):
    """Known keys of the original's JSON experiment config (its ``EvalConfig`` plus template keys)."""

    model_config = ConfigDict(extra="forbid")

    experiment_name: StrictStr | None = None
    resume: StrictBool = False
    run_async: StrictBool | None = None
    restore_async: StrictBool | None = None
    verbose: StrictBool | None = None
    max_concurrent_tests: StrictInt | None = None
    max_concurrent_steering_tasks: StrictInt | None = None
    personas_path: StrictStr | None = None
    observations_path: StrictStr | None = None
    max_personas: StrictInt = 0
    random_state: StrictInt = 42
    n_steer_observations_per_persona: StrictInt = 4
    max_observations: StrictInt | None = None
    inference_batch_size: StrictInt | None = None
    batched_inference: StrictBool | None = None
    steerable_system_type: StrictStr = ""
    steerable_system_config: SteerableSystemConfig = SteerableSystemConfig()
    output_base_dir: StrictStr | None = None


class MissingDataPathError(InputError):
    """A data path of the original config does not exist where the converted run would look."""


@dataclass
class Conversion:
    """The converted run.

    Attributes:
        task_config: Task options, in display order, each with the original key(s) it came from.
        options: ``inspect eval`` options (``--model X`` pairs), in display order.
        log_dir: The run's log directory.
        resume: Whether the original config asked to resume.
        notes: Original keys handled differently here, with how.
        not_carried: Original keys with no equivalent, with why.
        unknown: Keys that are not part of the original config format.
    """

    task_config: dict[str, tuple[Any, str]] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)
    log_dir: str = DEFAULT_LOG_DIR
    resume: bool = False
    notes: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def load_original_config(path: str | Path) -> tuple[OriginalSteerabilityConfig, list[str]]:
    """Read an original JSON experiment config, setting aside keys outside its format.

    Args:
        path: The JSON file.

    Returns:
        The validated known keys, and the unknown keys (nested ones as ``parent.key``).

    Raises:
        InputError: If the file is missing, not valid JSON, not an object, or a known key has
            a value of the wrong type.
    """
    what = "steerability experiment config"
    raw = read_json_file(path, what)
    if not isinstance(raw, dict):
        raise InputError(f"{what} {path}: expected a JSON object, got {type(raw).__name__}")
    unknown = [key for key in raw if key not in OriginalSteerabilityConfig.model_fields]
    known = {key: value for key, value in raw.items() if key in OriginalSteerabilityConfig.model_fields}
    system = known.get("steerable_system_config")
    if isinstance(system, dict):
        nested = [key for key in system if key not in SteerableSystemConfig.model_fields]
        unknown += [f"steerable_system_config.{key}" for key in nested]
        known["steerable_system_config"] = {key: system[key] for key in system if key not in nested}
    try:
        return OriginalSteerabilityConfig.model_validate(known), unknown
    except ValidationError as error:
        raise InputError(f"{what} {path}: {describe_validation_error(error)}") from error


def _data_sizes(data: str | None, result: Conversion) -> tuple[int, int] | None:
    """Return (personas, most statements of a persona) of the data, noting why when it cannot be read."""
    from pluralbench.steerability.data import load_steerability_data

    try:
        loaded = load_steerability_data(data)
    except InputError as error:
        result.notes.append(f"the statements could not be read here, so nothing was counted from them ({error})")
        return None
    return len(loaded.personas), max(len(statements) for statements in loaded.statements.values())


def _existing(key: str, value: str) -> Path:
    """Return a config path made absolute against the current directory, or raise if it does not exist."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.exists():
        raise MissingDataPathError(
            f"{key} {value}: no such file ({path}); convert from the directory the original run started in, "
            "or correct the path in the config"
        )
    return path


def _persona_order_note(personas_path: str, statements: Path) -> str:
    """Say whether split original samples the same personas as the original did from ``personas_path``."""
    from pluralbench.steerability.data import load_original_personas, load_original_statements

    head = f"personas_path ({personas_path}): not read; each row of the statements file carries its persona's columns"
    try:
        listed = [persona.persona_id for persona in load_original_personas(_existing("personas_path", personas_path))]
        seen = [persona.persona_id for persona in load_original_statements(statements)[0]]
    except InputError as error:
        return f"{head}; the two files could not be compared ({error})"
    if listed == seen:
        return (
            f"{head}. It lists the personas in the statements' order, so split original samples the same "
            "personas as the original did from it"
        )
    return (
        f"{head}. It lists the personas in another order (or others) than the statements, so split original "
        "samples other personas than the original did; put both files in one directory as statements.csv and "
        "personas.csv and pass the directory as data to sample from the persona file's order"
    )


def _convert_data(config: OriginalSteerabilityConfig, result: Conversion) -> str | None:
    data = config.observations_path
    if config.personas_path is not None:
        _existing("personas_path", config.personas_path)
    if data is not None:
        path = _existing("observations_path", data)
        if not Path(data).expanduser().is_absolute():
            result.notes.append(
                f"observations_path ({data}): made absolute against the current directory, because inspect "
                "runs a task from the task file's directory; convert from where the original run started"
            )
        data = str(path)
        result.task_config["data"] = (data, "observations_path")
        if config.personas_path is not None:
            result.notes.append(_persona_order_note(config.personas_path, path))
    elif config.personas_path is not None:
        result.not_carried.append(
            "personas_path: a persona file alone defines no statements; without observations_path the "
            "bundled statements are used"
        )
    return data


def _statements(cap: int | None, sizes: tuple[int, int] | None, n_steer: int) -> tuple[int | str, str]:
    """Map ``max_observations`` (a per-persona cap) to the ``statements`` option and its origin."""
    limit = ORIGINAL_MAX_OBSERVATIONS if cap is None else cap
    origin = f"max_observations {limit}{' (default)' if cap is None else ''}"
    most_left = None if sizes is None else sizes[1] - n_steer
    if limit >= (ORIGINAL_MAX_OBSERVATIONS if most_left is None else most_left):
        return "all", f"{origin}: every held-out statement"
    return limit, f"{origin}: the first {limit} held-out rows of each persona in file order (split original)"


def _convert_design(config: OriginalSteerabilityConfig, data: str | None, result: Conversion) -> None:
    system = config.steerable_system_config
    original_steer = config.n_steer_observations_per_persona
    n_steer = original_steer if system.include_observations else 0
    sizes = _data_sizes(data, result)
    if config.max_personas > 0:
        result.task_config["personas"] = (config.max_personas, "max_personas")
    elif sizes is not None:
        result.task_config["personas"] = (sizes[0], "max_personas 0 = every persona")
    else:
        result.notes.append(
            "max_personas 0 (every persona): add personas: <number of personas> (the task's default is 40)"
        )
    if system.include_observations:
        result.task_config["n_steer"] = (n_steer, "n_steer_observations_per_persona")
    else:
        result.task_config["n_steer"] = (n_steer, "steerable_system_config.include_observations false")
        result.notes.append(
            "steerable_system_config.include_observations false: n_steer 0 (no steering statements); the "
            f"original still held {original_steer} statements per persona out of the test set"
        )
    result.task_config["seed"] = (config.random_state, "random_state")
    result.task_config["split"] = ("original", "the original's persona sample, steering draw and file-order test sets")
    result.task_config["cross"] = ("all", "the original tests every steered persona on every persona")
    result.task_config["statements"] = _statements(config.max_observations, sizes, n_steer)
    if config.max_observations is not None:
        result.notes.append(
            f"max_observations {config.max_observations}: the original tests the first {config.max_observations} "
            "held-out rows of each persona in file order (in its files agree rows come first, so a small cap tests "
            "agree statements only); split original does the same. With split balanced (our default) statements "
            "N is a balanced seeded sample instead: another method, and another number"
        )
    default = "" if "include_persona" in system.model_fields_set else " (default true)"
    result.task_config["include_label"] = (system.include_persona, f"steerable_system_config.include_persona{default}")
    if system.include_persona:
        result.notes.append(
            "include_persona true -> include_label true: the prompt names the persona's label (e.g. INTJ) as the "
            "original's did, but it also describes the framework and asks for a Y/N answer; the original named "
            "only the label, with no framework description, and asked for a JSON agree field"
        )
    off = " (batched_inference off)" if config.batched_inference is False else ""
    result.task_config["statements_per_call"] = (1, f"one statement per call, as the original's FewShotSteerable{off}")
    if config.batched_inference:
        result.notes.append(
            "batched_inference true: the original's FewShotSteerable never batched (its eval asks one statement "
            "per call unless the system supports batch inference, which the few-shot system does not), so "
            "statements_per_call stays 1; -T statements_per_call=N asks N statements in one JSON reply, a "
            "different method whose numbers are not the original's"
        )
    if config.inference_batch_size is not None:
        result.notes.append(
            "inference_batch_size: unused, as in the original's few-shot system (one statement per call)"
        )
    result.notes.append(
        "cross all is the original's full matrix; -T cross=4 tests each steered persona on 4 others instead, "
        "for about a tenth of the calls"
    )


def _convert_model(config: OriginalSteerabilityConfig, result: Conversion) -> None:
    system = config.steerable_system_config
    kind = config.steerable_system_type or FEW_SHOT
    if not config.steerable_system_type:
        result.notes.append(f"steerable_system_type not set: converted as {FEW_SHOT} (few-shot prompt steering)")
    elif kind in ("HonchoSteerable", "AsyncHonchoSteerable"):
        result.not_carried.append(
            f"steerable_system_type {kind}: steering through the Honcho memory service has no equivalent; "
            "the command evaluates few-shot prompt steering of the model you give instead"
        )
    elif kind == "DummySteerable":
        result.not_carried.append(
            "steerable_system_type DummySteerable: no equivalent; --model mockllm/model gives a plumbing run"
        )
    elif kind != FEW_SHOT:
        result.not_carried.append(f"steerable_system_type {kind}: not a system of the original benchmark")
    provider = system.llm_provider
    if provider is None and kind == FEW_SHOT:
        provider = DEFAULT_PROVIDER
        result.notes.append(f"steerable_system_config.llm_provider not set: the original's default, {provider}")
    if provider is not None and provider in PROVIDERS:
        inspect_provider, default_model = PROVIDERS[provider]
        if system.model is None:
            result.notes.append(
                f"steerable_system_config.model not set: the original's default for {provider}, {default_model}"
            )
        result.options.append(("--model", f"{inspect_provider}/{system.model or default_model}"))
    else:
        if provider is not None:
            result.not_carried.append(
                f"steerable_system_config.llm_provider {provider}: no inspect provider of that name; for an "
                "OpenAI-compatible server use --model openai-api/<service>/<model> with <SERVICE>_BASE_URL set"
            )
        result.options.append(("--model", "<provider/model>"))
    if system.base_url is not None:
        result.options.append(("--model-base-url", system.base_url))
    if system.temperature is not None:
        result.options.append(("--temperature", str(system.temperature)))
    elif kind == FEW_SHOT:
        result.options.append(("--temperature", str(ORIGINAL_TEMPERATURE)))
        result.notes.append(
            f"steerable_system_config.temperature not set: the original's default, {ORIGINAL_TEMPERATURE} "
            "(not the provider's default)"
        )
    if system.api_key is not None:
        result.not_carried.append(
            "steerable_system_config.api_key: secrets are not copied; set the provider's API key variable "
            "(e.g. OPENAI_API_KEY) in the environment or .env"
        )
    if system.verbose is not None:
        result.notes.append(f"steerable_system_config.verbose: not needed; {VERBOSE}")
    if system.wait_on_init is not None:
        result.notes.append(
            "steerable_system_config.wait_on_init: not needed; there is no steering service to wait for"
        )


def _convert_runtime(config: OriginalSteerabilityConfig, result: Conversion) -> None:
    if config.experiment_name:
        result.log_dir = f"{DEFAULT_LOG_DIR}/{config.experiment_name}"
        result.options.append(("--log-dir", result.log_dir))
    if config.max_concurrent_tests is not None:
        result.options.append(("--max-connections", str(config.max_concurrent_tests)))
    if config.max_concurrent_steering_tasks is not None:
        result.not_carried.append(
            "max_concurrent_steering_tasks: steering is part of each prompt here, so there are no separate "
            "steering calls to limit (--max-connections bounds all model calls)"
        )
    result.resume = config.resume
    if config.run_async is not None:
        result.notes.append("run_async: not needed; inspect always runs samples concurrently (up to --max-connections)")
    if config.restore_async is not None:
        result.notes.append("restore_async: not needed; an interrupted run resumes from its log (see Resume)")
    if config.verbose is not None:
        result.notes.append(f"verbose: not needed; {VERBOSE}")
    if config.output_base_dir is not None:
        result.notes.append(
            f"output_base_dir ({config.output_base_dir}): replaced by --log-dir; the original's responses, "
            "scores and steered-state files are all in the one inspect log (open it with inspect view)"
        )


def convert_steerability_config(config: OriginalSteerabilityConfig, unknown: Sequence[str] = ()) -> Conversion:
    """Map an original experiment config onto the steerability task and inspect options.

    Args:
        config: The validated original config.
        unknown: Keys outside the original format, to be reported.

    Returns:
        The conversion: task config, inspect options, resume flag and every note.
    """
    result = Conversion(unknown=list(unknown))
    _convert_model(config, result)
    _convert_runtime(config, result)
    data = _convert_data(config, result)
    _convert_design(config, data, result)
    return result


def _scalar(value: Any) -> str:
    return str(yaml.safe_dump(value, default_flow_style=True)).removesuffix("\n...\n").strip()


def task_config_yaml(conversion: Conversion) -> str:
    """Return the task config as YAML, each line commented with the original key it came from.

    Args:
        conversion: The conversion.

    Returns:
        YAML text for ``inspect eval --task-config``.
    """
    return "".join(f"{key}: {_scalar(value)} # {origin}\n" for key, (value, origin) in conversion.task_config.items())


def command_line(conversion: Conversion, task_config_file: str | None = None) -> str:
    """Return the ``inspect eval`` command, with the task options inline or from a config file.

    Args:
        conversion: The conversion.
        task_config_file: Path of the task config file; ``None`` to pass every option as ``-T``.

    Returns:
        A shell command line.
    """
    words = ["inspect", "eval", TASK]
    if task_config_file is not None:
        words += ["--task-config", task_config_file]
    for flag, value in conversion.options:
        words += [flag, value]
    if task_config_file is None:
        for key, (value, _origin) in conversion.task_config.items():
            words += ["-T", f"{key}={_scalar(value)}"]
    return shlex.join(words)


def _listing(title: str, lines: Sequence[str]) -> str:
    return f"\n{title}\n" + "".join(f"  - {line}\n" for line in lines) if lines else ""


def render(conversion: Conversion, source: str, task_config_file: str) -> str:
    """Return the converter's report: commands, resume, task config and notes.

    Args:
        conversion: The conversion.
        source: The original config file (for the heading).
        task_config_file: Where the task config is (or should be) saved.

    Returns:
        The text to print.
    """
    text = f"Converted {source} (original steerability benchmark experiment config).\n"
    text += f"\nRun:\n  {command_line(conversion, task_config_file)}\n"
    text += f"\nOr with every option on the command line:\n  {command_line(conversion)}\n"
    if conversion.resume:
        text += (
            '\nResume ("resume": true): rerunning does not resume; retry the interrupted log instead:\n'
            f"  inspect eval-retry --log-dir {conversion.log_dir} $(ls -t {conversion.log_dir}/*.eval | head -1)\n"
            "  (or run the command above as `inspect eval-set` with its --log-dir: rerunning that skips finished work)\n"
        )
    text += f"\nTask config ({task_config_file}):\n{task_config_yaml(conversion)}"
    text += _listing("Notes:", conversion.notes)
    text += _listing("Not carried over (no equivalent in pluralbench):", conversion.not_carried)
    text += _listing("Unknown keys (not part of the original config format; ignored):", conversion.unknown)
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pluralbench.steerability.migrate",
        description="Convert the original benchmarks' configs to inspect runs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    steer = commands.add_parser(
        "steerability-config", help="convert the original steerability benchmark's JSON experiment config"
    )
    steer.add_argument("config", help="the original JSON experiment config")
    steer.add_argument(
        "--write-config", metavar="PATH", help="also write the task config YAML to PATH (default: only print it)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the converter.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 1 when the config cannot be read, 2 when a data path of the config does not
        exist (one error line on stderr each).
    """
    args = _parser().parse_args(argv)
    try:
        config, unknown = load_original_config(args.config)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        conversion = convert_steerability_config(config, unknown)
    except MissingDataPathError as error:
        print(f"error: {error}", file=sys.stderr)
        return MISSING_DATA
    target = args.write_config or f"steerability-{config.experiment_name or Path(args.config).stem}.yaml"
    if args.write_config:
        try:
            Path(target).write_text(task_config_yaml(conversion), encoding="utf-8")
        except OSError as error:
            print(f"error: cannot write task config {target}: {error}", file=sys.stderr)
            return 1
    print(render(conversion, args.config, target), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
