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
from typing import Any, ParamSpec, TypeVar

from pluralbench._errors import InputError

P = ParamSpec("P")
R = TypeVar("R")

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


def apply_preset(presets: Mapping[str, Preset]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Fill a task's options from the preset named by its ``preset`` argument.

    Apply it under ``@validate_options`` (so the preset's name and every passed value are
    checked first). An explicitly passed option that differs from the preset's value raises
    :class:`~pluralbench._errors.InputError`.

    Args:
        presets: Preset name -> preset.

    Returns:
        The decorator.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
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
            return function(*bound.args, **bound.kwargs)

        return wrapper

    return decorate
