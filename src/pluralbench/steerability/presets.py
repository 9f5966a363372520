"""Named sets of steerability task options (``-T preset=NAME``), kept in one place.

A preset fills the options it names and the generation settings it carries; an option the
caller passes explicitly must agree with the preset, or the task refuses it with one line. To
add a preset, add one entry to :data:`PRESETS` and its name to the task's ``preset`` annotation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec

from inspect_ai import Task

from pluralbench._errors import InputError

P = ParamSpec("P")

PRESET = "preset"
"""Name of the task option that selects a preset."""


@dataclass(frozen=True)
class Preset:
    """Task options and generation settings of one preset.

    Attributes:
        options: Task option -> value.
        temperature: Sampling temperature the preset's task runs at (``None``: the model's default).
        comparable: One line saying which numbers of a run with this preset are comparable with what.
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    temperature: float | None = None
    comparable: str = ""


PRESETS: dict[str, Preset] = {
    "original": Preset(
        # plastic-labs/steerability-eval configs/config_template.json (the 40-persona run) and the
        # defaults of its EvalConfig, StatementsDataset and FewShotSteerable (temperature 0.0).
        options={
            "personas": 40,
            "split": "original",
            "seed": 42,
            "n_steer": 4,
            "cross": "all",
            "statements": "all",
            "include_label": True,
            "statements_per_call": 1,
            "shared_statements": "keep",
        },
        temperature=0.0,
        comparable="original_score is computed on the full matrix, as the published 0.80-0.946",
    ),
    "smoke": Preset(
        # A run of about a minute on the local model in which every headline is defined: each of
        # 4 personas is tested on its own statements and one other persona's, 8 per cell, half
        # agree and half disagree (so balanced accuracy and the margin exist in every cell).
        options={"personas": 4, "cross": 1, "statements": 8, "n_steer": 4, "statements_per_call": 1},
        comparable="a pipeline check: no number of a smoke run is comparable with anything",
    ),
}


TASK_ALL_PARAMS = "__task_all_params__"
"""The attribute inspect (0.3.285) sets on a built task after the task function returns: every
argument of the call with the signature's defaults filled in, which it logs as ``eval.task_args``."""


class PresetTask(Task):
    """A task whose logged arguments hold the values its preset set, not the signature's defaults.

    inspect fills the logged arguments from the call (``preset=smoke`` and the defaults, such as
    ``personas=40``) after the task function has returned, so a preset run would log options it
    did not run with. This class keeps the preset's values over whatever inspect stores.
    """

    preset_options: dict[str, Any]

    def __setattr__(self, name: str, value: Any) -> None:
        """Store an attribute; inspect's logged arguments get the preset's values on top."""
        if name == TASK_ALL_PARAMS and isinstance(value, dict):
            value = {**value, **self.preset_options}
        super().__setattr__(name, value)


def with_preset_options(task: Task, options: Mapping[str, Any]) -> Task:
    """Make ``task`` log the options its preset set.

    Args:
        task: The task the task function built.
        options: The preset's option values.

    Returns:
        The same task, now a :class:`PresetTask`.
    """
    task.__class__ = PresetTask
    task.preset_options = dict(options)  # type: ignore[attr-defined]
    return task


def apply_preset(presets: Mapping[str, Preset]) -> Callable[[Callable[P, Task]], Callable[P, Task]]:
    """Fill a task's options from the preset named by its ``preset`` argument.

    Apply it under ``@validate_options`` (so the preset's name and every passed value are
    checked first). An explicitly passed option that differs from the preset's value raises
    :class:`~pluralbench._errors.InputError`.

    Args:
        presets: Preset name -> preset.

    Returns:
        The decorator.
    """

    def decorate(function: Callable[P, Task]) -> Callable[P, Task]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Task:
            bound = signature.bind(*args, **kwargs)
            name = bound.arguments.get(PRESET)
            if name is None:
                return function(*args, **kwargs)
            if name not in presets:
                raise InputError(f"option preset={name!r}: must be one of {', '.join(sorted(presets))}")
            preset = presets[name]
            for option, value in preset.options.items():
                if option in bound.arguments and bound.arguments[option] != value:
                    raise InputError(
                        f"option {option}={bound.arguments[option]!r} conflicts with preset={name}, which sets "
                        f"{option}={value!r} (drop one of them)"
                    )
                bound.arguments[option] = value
            return with_preset_options(function(*bound.args, **bound.kwargs), preset.options)

        return wrapper

    return decorate
