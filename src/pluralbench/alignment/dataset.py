"""Alignment-target data: item and target schemas, dataset and target options, inspect Samples.

An item is a prompt with two or more responses, each labeled with attribute values in [0, 1].
Items in the ``train`` split form the few-shot pool; ``eval`` items become samples. A target
maps some attributes to values in [0, 1]; the task asks for the response nearest to it.

Dataset option: ``bundled`` (written for this project, HelpSteer2's five attributes),
``helpsteer2`` (``nvidia/HelpSteer2`` from the Hugging Face hub), a path to the Moral Integrity
Corpus ``MIC.csv``, a path to a JSONL file of items in this module's schema, or steerable
pluralism's shipped data: its ``eval.json`` / ``train.json`` or a directory holding both.

Target option: a name from the bundled ``alignment_targets.json``, a path to a JSON file holding
one target object, an inline JSON object, or ``sampled`` (every eval item gets its own seeded
random target over 1..n attributes); or several fixed targets run as one task: a list of names or
files (``a.json,b.json`` or a YAML list) or a directory of target ``.json`` files (steerable
pluralism ships 52 for HelpSteer2). Each (item, target) pair is one sample.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from inspect_ai.dataset import MemoryDataset, Sample
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from pluralbench._errors import InputError
from pluralbench._files import bundled_path, describe_validation_error, read_json_file, read_jsonl_models
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.geometry import all_tied, random_target
from pluralbench.alignment.sources import (
    HELPSTEER2_ATTRIBUTES,
    MIC_ATTRIBUTES,
    fetch_helpsteer2_rows,
    helpsteer2_items,
    read_mic_items,
    read_steerable_data,
)
from pluralbench.alignment.types import AlignmentItem, AlignmentSampleMeta, AttributeName, ExampleKind, UnitValue

BUNDLED_ITEMS = "alignment_items.jsonl"
BUNDLED_TARGETS = "alignment_targets.json"
SAMPLED = "sampled"
DATASET_NAMES = ("bundled", "helpsteer2")

_TARGET_ADAPTER: TypeAdapter[dict[str, float]] = TypeAdapter(dict[AttributeName, UnitValue])


class NamedTarget(BaseModel):
    """One bundled target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str = Field(min_length=1)
    values: dict[AttributeName, UnitValue] = Field(min_length=1)


class TargetFile(BaseModel):
    """The bundled target file: named targets with unique names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: list[NamedTarget] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> TargetFile:
        names = [target.name for target in self.targets]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate target name(s): {', '.join(duplicates)}")
        return self


@dataclass(frozen=True)
class AlignmentData:
    """Loaded items of one dataset with the attributes its labels use.

    Attributes:
        name: Dataset name for messages and logs.
        items: Every item, both splits.
        attributes: Attribute names in display order.
        excluded: Source records left out, by reason.
    """

    name: str
    items: list[AlignmentItem]
    attributes: tuple[str, ...]
    excluded: dict[str, int] = field(default_factory=dict)
    """Source records left out, by reason (logged in the task metadata)."""

    def split(self, split: Literal["train", "eval"]) -> list[AlignmentItem]:
        """Return the items of one split, in file order.

        Args:
            split: ``train`` (few-shot pool) or ``eval``.

        Returns:
            The items of that split.
        """
        return [item for item in self.items if item.split == split]


def attributes_in_order(items: Sequence[AlignmentItem], preferred: Sequence[str] = ()) -> tuple[str, ...]:
    """Return every attribute the items label, preferred names first, the rest by first appearance.

    Args:
        items: The items.
        preferred: Known attribute order of the source.

    Returns:
        Attribute names.
    """
    seen = list(preferred)
    for item in items:
        for labels in item.labels:
            seen.extend(name for name in labels if name not in seen)
    used = {name for item in items for labels in item.labels for name in labels}
    return tuple(name for name in seen if name in used)


def read_items(path: str | Path, what: str = "alignment item file") -> list[AlignmentItem]:
    """Read and validate an alignment item JSONL file.

    Args:
        path: The file.
        what: What the file is, for messages.

    Returns:
        The items, in file order.

    Raises:
        InputError: If a line is malformed, breaks the schema, or repeats an item id.
    """
    return read_jsonl_models(path, AlignmentItem, what, id_of=lambda item: item.item_id)


def load_alignment_data(dataset: str, seed: int) -> AlignmentData:
    """Load the items named by the ``dataset`` task option.

    Args:
        dataset: ``bundled``, ``helpsteer2``, a path to ``MIC.csv``, to an item JSONL file, or to
            steerable pluralism's ``eval.json``/``train.json`` or a directory holding both.
        seed: Seed of the train/eval split of HelpSteer2 and MIC.

    Returns:
        The loaded data.

    Raises:
        InputError: On an unknown option value or a bad file.
    """
    if dataset == "bundled":
        items = read_items(bundled_path(BUNDLED_ITEMS), "bundled alignment items")
        return AlignmentData("bundled", items, attributes_in_order(items, HELPSTEER2_ATTRIBUTES))
    if dataset == "helpsteer2":
        items = helpsteer2_items(fetch_helpsteer2_rows(), seed)
        return AlignmentData("helpsteer2", items, attributes_in_order(items, HELPSTEER2_ATTRIBUTES))
    if dataset == "mic":
        raise InputError(
            "option dataset='mic': give the path of your MIC.csv (downloaded under the MIC data use agreement)"
        )
    suffix = Path(dataset).suffix.lower()
    if Path(dataset).is_dir() or suffix == ".json":
        items = read_steerable_data(dataset)
        return AlignmentData(dataset, items, attributes_in_order(items, HELPSTEER2_ATTRIBUTES + MIC_ATTRIBUTES))
    if suffix == ".csv":
        mic = read_mic_items(dataset, seed)
        excluded = {"mic_missing_agreement": mic.missing_agreement, "mic_single_answer": mic.single_answer}
        return AlignmentData("mic", mic.items, attributes_in_order(mic.items, MIC_ATTRIBUTES), excluded)
    if suffix == ".jsonl":
        items = read_items(dataset)
        return AlignmentData(dataset, items, attributes_in_order(items))
    raise InputError(
        f"option dataset={dataset!r}: must be one of {', '.join(DATASET_NAMES)}, "
        "a path to MIC.csv, a path to an alignment item .jsonl file, or steerable pluralism's "
        "eval.json/train.json or a directory holding both"
    )


def load_bundled_targets() -> TargetFile:
    """Read the bundled named targets.

    Returns:
        The validated target file.

    Raises:
        InputError: If the bundled file breaks its schema.
    """
    path = bundled_path(BUNDLED_TARGETS)
    try:
        return TargetFile.model_validate(read_json_file(path, "bundled target file"))
    except ValidationError as error:
        raise InputError(f"bundled target file {path}: {describe_validation_error(error)}") from error


def _target_values(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise InputError(f"{where}: must be a non-empty JSON object mapping attribute names to values in [0, 1]")
    try:
        return _TARGET_ADAPTER.validate_python(raw)
    except ValidationError as error:
        raise InputError(f"{where}: {describe_validation_error(error)}") from error


def _check_known(values: dict[str, float], attributes: Sequence[str], where: str, dataset_name: str) -> None:
    unknown = [name for name in values if name not in attributes]
    if unknown:
        raise InputError(
            f"{where}: unknown attribute(s) {', '.join(unknown)} for dataset {dataset_name} "
            f"(its attributes: {', '.join(attributes)})"
        )


def resolve_target(option: str | dict[str, Any], data: AlignmentData) -> tuple[str, dict[str, float] | None]:
    """Resolve the ``target`` task option against a dataset's attributes.

    Args:
        option: A bundled target name, ``sampled``, a JSON file path, an inline JSON object, or a
            mapping (what ``-T target='{...}'`` becomes after inspect parses it).
        data: The loaded dataset.

    Returns:
        The target's name and values; values are ``None`` for ``sampled``.

    Raises:
        InputError: On bad JSON, a value outside [0, 1], or an attribute the dataset lacks.
    """
    if isinstance(option, dict):
        values = _target_values(option, f"option target={json.dumps(option)}")
        _check_known(values, data.attributes, "option target", data.name)
        return "custom", values
    if option == SAMPLED:
        return SAMPLED, None
    where = f"option target={option!r}"
    if option.lstrip().startswith("{"):
        try:
            raw = json.loads(option)
        except json.JSONDecodeError as error:
            raise InputError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from error
        values = _target_values(raw, where)
        _check_known(values, data.attributes, where, data.name)
        return "custom", values
    if option.lower().endswith(".json"):
        values = _target_values(read_json_file(option, "target file"), f"target file {option}")
        _check_known(values, data.attributes, f"target file {option}", data.name)
        return Path(option).stem, values
    named = {target.name: target for target in load_bundled_targets().targets}
    if option not in named:
        raise InputError(
            f"{where}: not a bundled target, '{SAMPLED}', a .json file or a JSON object; "
            f"bundled targets: {', '.join(named)}"
        )
    values = dict(named[option].values)
    _check_known(values, data.attributes, where, data.name)
    return option, values


ResolvedTarget = tuple[str, dict[str, float] | None]
"""A target's name and values (``None`` for a ``sampled`` sweep)."""


def _target_options(option: str | list[str] | dict[str, Any]) -> list[str | dict[str, Any]]:
    if isinstance(option, dict):
        return [option]
    if isinstance(option, list):
        return list(option)
    if option.lstrip().startswith("{"):
        return [option]
    if Path(option).is_dir():
        files = sorted(Path(option).glob("*.json"))
        if not files:
            raise InputError(f"option target={option!r}: the directory holds no target .json files")
        return [str(file) for file in files]
    return [part.strip() for part in option.split(",")] if "," in option else [option]


def resolve_targets(option: str | list[str] | dict[str, Any], data: AlignmentData) -> list[ResolvedTarget]:
    """Resolve the ``target`` task option into one or more targets run in the same task.

    Args:
        option: One target as :func:`resolve_target` takes it, a comma-separated string or list of
            target names/files, or a directory of target ``.json`` files (read in name order).
        data: The loaded dataset.

    Returns:
        The targets in order; several only when all are fixed targets with distinct names.

    Raises:
        InputError: On an empty list or directory, ``sampled`` among several targets, two targets
            with one name, or any bad target.
    """
    options = _target_options(option)
    if not options or any(part == "" for part in options):
        raise InputError(f"option target={option!r}: an empty target in the list")
    if len(options) == 1:
        return [resolve_target(options[0], data)]
    targets = []
    for part in options:
        if not isinstance(part, str):
            raise InputError(f"option target: list element {part!r} must be a target name or a .json file path")
        if part == SAMPLED:
            raise InputError(f"option target={option!r}: '{SAMPLED}' cannot be combined with other targets")
        targets.append(resolve_target(part, data))
    names = [name for name, _ in targets]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(
            f"option target={option!r}: two targets are named {', '.join(duplicates)} (names come from file stems)"
        )
    return targets


def sample_target(seed: int, item_id: str, attributes: Sequence[str]) -> dict[str, float]:
    """Return the seeded random target of one item in a ``sampled`` sweep.

    Args:
        seed: The task seed.
        item_id: The item's id.
        attributes: The dataset's attributes.

    Returns:
        A target over 1..n attributes.
    """
    return random_target(attributes, random.Random(f"{seed}:target:{item_id}"))


def render_input(item: AlignmentItem, target: dict[str, float]) -> str:
    """Return the readable sample input shown in logs (solvers build their own prompts).

    Args:
        item: The item.
        target: Its target.

    Returns:
        Prompt, numbered responses and target.
    """
    parts = [f"Prompt:\n{item.prompt}"]
    parts.extend(f"Response {number}:\n{text}" for number, text in enumerate(item.responses, start=1))
    parts.append("Target: " + ", ".join(f"{name}={value:g}" for name, value in target.items()))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class ExampleRequest:
    """Which few-shot examples each sample gets: chosen from ``pool`` when the dataset is built.

    Attributes:
        kind: How the method uses examples.
        pool: The train items.
        n: Examples per call (per attribute for the rating methods).
    """

    kind: ExampleKind
    pool: ExamplePool
    n: int


NO_EXAMPLES = ExampleRequest("none", ExamplePool([]), 0)


def alignment_samples(
    data: AlignmentData,
    target_name: str,
    target: dict[str, float] | None,
    seed: int,
    examples: ExampleRequest = NO_EXAMPLES,
) -> list[Sample]:
    """Build one sample per eval item, each with its target and few-shot examples.

    Args:
        data: The loaded dataset.
        target_name: The target's name (``sampled`` for a sweep).
        target: The fixed target, or ``None`` to draw one per item.
        seed: Seed of the sampled targets.
        examples: The few-shot examples to choose for each sample.

    Returns:
        Samples in file order, with :class:`AlignmentSampleMeta` metadata.
    """
    samples = []
    for item in data.split("eval"):
        values = target if target is not None else sample_target(seed, item.item_id, data.attributes)
        labels = [dict(labels) for labels in item.labels]
        meta = AlignmentSampleMeta(
            item_id=item.item_id,
            prompt=item.prompt,
            responses=list(item.responses),
            labels=labels,
            target=values,
            target_name=target_name,
            target_size=len(values),
            attributes=list(data.attributes),
            all_tied=all_tied(labels, values),
            examples=examples.pool.examples_for(examples.kind, item.prompt, values, examples.n),
        )
        samples.append(
            Sample(
                id=item.item_id,
                input=render_input(item, values),
                target=json.dumps(values),
                metadata=meta.model_dump(),
            )
        )
    return samples


def alignment_dataset(
    data: AlignmentData,
    targets: Sequence[ResolvedTarget],
    seed: int,
    examples: ExampleRequest = NO_EXAMPLES,
) -> MemoryDataset:
    """Return the eval items of a dataset as an inspect dataset, one sample per (item, target).

    Args:
        data: The loaded dataset.
        targets: The targets (name and values, ``None`` for a sampled sweep); with several,
            sample ids are ``<item id>:<target name>``.
        seed: Seed of the sampled targets.
        examples: The few-shot examples to choose for each sample.

    Returns:
        The dataset.

    Raises:
        InputError: If the dataset has no eval items.
    """
    samples = []
    for target_name, target in targets:
        for sample in alignment_samples(data, target_name, target, seed, examples):
            if len(targets) > 1:
                sample.id = f"{sample.id}:{target_name}"
            samples.append(sample)
    if not samples:
        raise InputError(f"dataset {data.name}: has no items in the eval split")
    return MemoryDataset(samples, name=f"alignment-{data.name}")
