"""Named sets of task options (``-T preset=NAME``): filled in before the task is built, and logged.

A preset fills the options it names and carries the generation settings its runs use; an
option the caller passes explicitly must agree with the preset, or the task refuses it with
one line. A task takes presets by declaring ``preset: Literal[...] | None = None`` and applying
:func:`apply_preset` under ``@validate_options``.
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
