"""Estimate a run's size before running it: samples, model calls by role, and input tokens.

``python -m pluralbench.cost pluralbench/<task> [-T key=value ...]`` builds the task with the
given options (so a bad option fails here, as it would in ``inspect eval``), then runs a seeded
subset of its samples through the real solvers and scorers against a *probe* model: an offline
mock that returns the smallest reply each call asks for (a minimal JSON object that fits the
call's ``response_schema``, otherwise a reply with every tagged section the tasks read). No
provider is called. Calls and prompt sizes are counted per role from the probe run's model
events and scaled to the whole task (samples times epochs).

Token counts are estimates: characters / 4, the usual English average of GPT- and Llama-family
tokenizers; a provider's own count can differ by about 10-20%. Calls made only after a failure
(repair requests after an unreadable judge reply) do not occur with the probe, so the counts are
those of a run in which every reply is readable.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from inspect_ai import Task, eval
from inspect_ai.event import ModelEvent
from inspect_ai.model import ChatMessage, GenerateConfig, Model, get_model
from inspect_ai.tool import ToolChoice, ToolInfo

from pluralbench._errors import InputError
from pluralbench.scripted import scripted_output

CHARS_PER_TOKEN = 4
"""Characters per token assumed by the estimate (English text, GPT/Llama-family tokenizers)."""

EVALUATED_ROLE = "evaluated"
"""Name used for calls made by the evaluated model (inspect records them with no role)."""

JUDGE_ROLES = ("critic", "judge")
"""Roles the suite's tasks resolve; the probe answers for each of them."""

PROBE_TEXT = "<reasoning>probe</reasoning>\n<summary>probe</summary>\n<answer>A short probe answer.</answer>"
"""Free-text probe reply: holds every tagged section a task reads, so no call is skipped as unreadable."""

DEFAULT_PROBE_SAMPLES = 8


@dataclass(frozen=True)
class CostEstimate:
    """A task's estimated size at the given options.

    Attributes:
        task: Registry name of the task.
        samples: Samples in the dataset.
        epochs: Epochs per sample.
        probed: Samples run through the probe.
        calls: Estimated model calls over the whole run, per role.
        input_tokens: Estimated input tokens over the whole run, per role.
    """

    task: str
    samples: int
    epochs: int
    probed: int
    calls: dict[str, int]
    input_tokens: dict[str, int]

    def per_sample(self, role: str) -> float:
        """Return the mean number of calls one sample attempt makes in a role.

        Args:
            role: The role.

        Returns:
            Calls per sample attempt.
        """
        attempts = self.samples * self.epochs
        return self.calls.get(role, 0) / attempts if attempts else math.nan

    def render(self) -> str:
        """Return the estimate as a short table for the terminal."""
        attempts = self.samples * self.epochs
        lines = [
            f"{self.task}: {self.samples:,} samples x {self.epochs} epoch(s) = {attempts:,} sample attempts "
            f"(probed {self.probed})",
            f"{'role':<12}{'calls':>12}{'per sample':>12}{'input tokens (est.)':>22}",
        ]
        for role in sorted(self.calls, key=lambda name: (name != EVALUATED_ROLE, name)):
            lines.append(
                f"{role:<12}{self.calls[role]:>12,}{self.per_sample(role):>12.2f}{self.input_tokens.get(role, 0):>22,}"
            )
        total_calls = sum(self.calls.values())
        total_tokens = sum(self.input_tokens.values())
        lines.append(
            f"{'total':<12}{total_calls:>12,}{total_calls / attempts if attempts else math.nan:>12.2f}"
            f"{total_tokens:>22,}"
        )
        return "\n".join(lines)


def minimal_instance(schema: Mapping[str, Any], defs: Mapping[str, Any] | None = None) -> Any:
    """Return the smallest value that validates against a JSON schema (as pydantic writes them).

    Args:
        schema: A JSON schema (object, array, boolean, integer, number, string, enum, const,
            ``$ref`` into ``$defs``, ``anyOf``/``oneOf``).
        defs: The root schema's ``$defs``.

    Returns:
        A JSON-compatible value.
    """
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return minimal_instance(defs[str(schema["$ref"]).rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"] or schema[key]
            return minimal_instance(options[0], defs)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        patterned = schema.get("patternProperties") or {}
        value = {name: minimal_instance(properties[name], defs) for name in properties}
        if not value and isinstance(schema.get("additionalProperties"), dict) and not patterned:
            value = {"1": minimal_instance(schema["additionalProperties"], defs)}
        return value
    if kind == "array":
        return [minimal_instance(schema.get("items", {}), defs) for _ in range(int(schema.get("minItems", 1)))]
    if kind == "boolean":
        return False
    if kind == "integer":
        return int(schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1))
    if kind == "number":
        return float(schema.get("minimum", 0.5))
    if kind == "string":
        return "x" * int(schema.get("minLength", 5))
    return None


def probe_model(name: str = "model") -> Model:
    """Return the offline probe model: minimal schema-fitting JSON, or a reply with every tagged section.

    Args:
        name: Model name after ``mockllm/``.

    Returns:
        A non-memoized ``mockllm/model`` instance.
    """
    import json

    async def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> Any:
        schema = config.response_schema
        if schema is not None:
            text = json.dumps(minimal_instance(schema.json_schema.model_dump(exclude_none=True, by_alias=True)))
        else:
            text = PROBE_TEXT
        characters = sum(len(message.text) for message in messages)
        return scripted_output(text, math.ceil(characters / CHARS_PER_TOKEN))

    return get_model(f"mockllm/{name}", custom_outputs=outputs, memoize=False)


def parse_task_args(pairs: Sequence[str]) -> dict[str, Any]:
    """Parse ``-T key=value`` options as inspect does (values read as YAML).

    Args:
        pairs: ``key=value`` strings.

    Returns:
        Option name to value.

    Raises:
        InputError: If an option is not ``key=value``.
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise InputError(f"option -T {pair!r}: expected key=value")
        options[key.strip()] = yaml.safe_load(value) if value else None
    return options


def build_task(name: str, options: Mapping[str, Any]) -> Task:
    """Build a registered suite task with options, as ``inspect eval`` would.

    Args:
        name: ``pluralbench/<task>`` or ``<task>``.
        options: Task options.

    Returns:
        The task.

    Raises:
        InputError: If the task is unknown or an option is not one of its parameters.
    """
    import inspect as pyinspect

    from pluralbench import _registry

    short = name.removeprefix("pluralbench/")
    factory = getattr(_registry, short, None)
    if short not in _registry.__all__ or short == "local" or factory is None:
        tasks = ", ".join(f"pluralbench/{task}" for task in _registry.__all__ if task != "local")
        raise InputError(f"task {name!r}: not a pluralbench task; choose one of {tasks}")
    parameters = pyinspect.signature(factory).parameters
    unknown = [key for key in options if key not in parameters]
    if unknown:
        raise InputError(f"task {name}: unknown option(s) {', '.join(unknown)}; options are {', '.join(parameters)}")
    task = factory(**options)
    if not isinstance(task, Task):
        raise InputError(f"task {name!r}: did not build a task")
    return task


def estimate(
    name: str, options: Mapping[str, Any], probe_samples: int = DEFAULT_PROBE_SAMPLES, seed: int = 0
) -> CostEstimate:
    """Estimate calls by role and input tokens of a task run, without calling a provider.

    Args:
        name: ``pluralbench/<task>``.
        options: Task options (``-T``).
        probe_samples: How many samples (drawn with ``seed``) to run through the probe model.
        seed: Seed of the probe subset.

    Returns:
        The estimate, scaled from the probed samples to the whole task.
    """
    task = build_task(name, options)
    ids: list[str | int] = [sample.id for sample in task.dataset if sample.id is not None]
    epochs = task.epochs or 1
    chosen = random.Random(seed).sample(ids, min(probe_samples, len(ids))) if ids else []
    calls: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    attempts = 0
    if chosen:
        probe = probe_model()
        with tempfile.TemporaryDirectory() as log_dir:
            logs = eval(
                task,
                model=probe,
                model_roles=dict.fromkeys(JUDGE_ROLES, probe),
                sample_id=chosen,
                log_dir=log_dir,
                display="none",
                score_display=False,
            )
            for sample in logs[0].samples or []:
                attempts += 1
                for event in sample.events:
                    if isinstance(event, ModelEvent):
                        role = event.role or EVALUATED_ROLE
                        calls[role] += 1
                        usage = event.output.usage
                        tokens[role] += usage.input_tokens if usage is not None else 0
    scale = len(ids) * epochs / attempts if attempts else 0.0
    return CostEstimate(
        task=name if name.startswith("pluralbench/") else f"pluralbench/{name}",
        samples=len(ids),
        epochs=epochs,
        probed=len(chosen),
        calls={role: round(count * scale) for role, count in calls.items()},
        input_tokens={role: round(count * scale) for role, count in tokens.items()},
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print a task's estimated samples, calls by role and input tokens.

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``).

    Returns:
        0 on success, 2 when the task or an option is rejected.
    """
    parser = argparse.ArgumentParser(
        prog="python -m pluralbench.cost",
        description="Estimate a task run's samples, model calls by role and input tokens, without calling a model.",
    )
    parser.add_argument("task", help="pluralbench/<task>")
    parser.add_argument(
        "-T",
        dest="task_args",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="task option, as for inspect eval",
    )
    parser.add_argument(
        "--probe-samples",
        type=int,
        default=DEFAULT_PROBE_SAMPLES,
        help=f"samples run through the offline probe (default {DEFAULT_PROBE_SAMPLES})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the probed subset")
    args = parser.parse_args(argv)
    if args.probe_samples < 1:
        print("pluralbench.cost: --probe-samples must be at least 1", file=sys.stderr)
        return 2
    try:
        result = estimate(args.task, parse_task_args(args.task_args), args.probe_samples, args.seed)
    except InputError as error:
        print(f"pluralbench.cost: {error}", file=sys.stderr)
        return 2
    print(result.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
