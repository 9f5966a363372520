"""Strict checks of task options (the ``-T`` values) at the task boundary.

inspect parses every ``-T key=value`` as YAML, so a typo arrives as another type: ``n=abc`` as a
string, ``n=1.5`` as a float, ``include_label=maybe`` as a string, ``personas=`` as ``None``.
:func:`validate_options` checks each argument a caller passes against the task function's own
annotation (pydantic, strict: no ``"3"`` for an int, no ``1`` for a bool, no bool for a number)
and against declared bounds, and refuses empty values, before the task body runs::

    @task
    @validate_options(n=COUNT, seed=SEED, temperature=Option(ge=0))
    def my_task(n: int = 10, seed: int = 0, temperature: float = 1.0, data: str | None = None) -> Task: ...

A rejected value raises :class:`~pluralbench._errors.InputError` with one line naming the
option, the value and what is allowed: ``option n='abc': must be an integer >= 1``.
"""

from __future__ import annotations

import functools
import inspect
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar, get_args, get_origin, get_type_hints

from pydantic import ConfigDict, TypeAdapter, ValidationError

from pluralbench._errors import InputError

P = ParamSpec("P")
R = TypeVar("R")

STRICT = ConfigDict(strict=True)
EMPTY = "<empty>"
"""How an empty value (``-T key=`` arrives as ``None``) is shown in messages."""


@dataclass(frozen=True)
class Option:
    """What a task option allows beyond its annotation.

    Attributes:
        ge: Numbers must be at least this.
        gt: Numbers must be greater than this.
        le: Numbers must be at most this.
        allowed: Description of the allowed values used in messages instead of the one derived
            from the annotation (e.g. ``"a persona JSONL file path"``).
    """

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    allowed: str | None = None

    def bounds_text(self) -> str:
        """Return the bounds in words, e.g. ``>= 1`` or ``between 0 and 1``; empty when unbounded."""
        if self.ge is not None and self.le is not None:
            return f"between {self.ge:g} and {self.le:g}"
        parts = [
            f"{sign} {value:g}"
            for sign, value in ((">=", self.ge), (">", self.gt), ("<=", self.le))
            if value is not None
        ]
        return " and ".join(parts)

    def violates(self, value: float) -> bool:
        """Return whether a number lies outside the bounds (NaN and infinities always do).

        Args:
            value: The number.

        Returns:
            True when the number is not allowed.
        """
        return (
            not math.isfinite(value)
            or (self.ge is not None and value < self.ge)
            or (self.gt is not None and value <= self.gt)
            or (self.le is not None and value > self.le)
        )


COUNT = Option(ge=1)
"""A count of at least one."""

NON_NEGATIVE = Option(ge=0)
"""A whole number of zero or more."""

SEED = Option(ge=0)
"""A seed (non-negative, as numpy's generators require)."""

UNCHECKED = Option()


def show(value: Any) -> str:
    """Return a value as messages show it: ``repr``, or ``<empty>`` for ``None``.

    Args:
        value: The value.

    Returns:
        Its text.
    """
    return EMPTY if value is None else repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(member for member in get_args(annotation) if member is not type(None))
    return (annotation,)


def describe_type(annotation: Any, option: Option = UNCHECKED) -> str:
    """Describe in words what an annotation allows, with the option's bounds on its numbers.

    Args:
        annotation: A resolved annotation (``int``, ``str | list[str]``, ``Literal["a", "b"]``...).
        option: The option's bounds.

    Returns:
        E.g. ``an integer >= 1 or 'all'``.
    """
    if option.allowed is not None:
        return option.allowed
    bounds = option.bounds_text()
    words = []
    for member in _members(annotation):
        origin = get_origin(member)
        if member is bool:
            text = "true or false"
        elif member in (int, float):
            text = ("an integer" if member is int else "a number") + (f" {bounds}" if bounds else "")
        elif member is str:
            text = "a non-empty string"
        elif origin is Literal:
            choices = [repr(choice) for choice in get_args(member)]
            text = choices[0] if len(choices) == 1 else f"one of {', '.join(choices)}"
        elif origin is list:
            text = "a list of strings" if get_args(member) == (str,) else "a list"
        elif origin is dict or member is dict:
            text = "a JSON object"
        else:
            text = str(member)
        words.append(text)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _emptiness(value: Any) -> str | None:
    """Return what is empty about a value (``None`` when nothing is)."""
    if value is None or (isinstance(value, str | list | tuple | dict) and not value):
        return "not empty"
    if isinstance(value, str) and not value.strip():
        return "not blank"
    if isinstance(value, list | tuple) and any(isinstance(item, str) and not item.strip() for item in value):
        return "without empty items"
    return None


@dataclass(frozen=True)
class OptionCheck:
    """The check of one option: its annotation, strict validator and bounds.

    Attributes:
        name: The option's name.
        annotation: The resolved annotation.
        option: Bounds and allowed-values text.
        label: How messages name it (``option n`` or ``-M n_ctx``).
    """

    name: str
    annotation: Any
    option: Option
    label: str

    @functools.cached_property
    def _adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.annotation, config=STRICT)

    def check(self, value: Any) -> None:
        """Check one value.

        Args:
            value: The value a caller passed.

        Raises:
            InputError: ``{label}={value}: must be {allowed}`` when it is empty, of another type,
                or out of bounds.
        """
        allowed = describe_type(self.annotation, self.option)
        where = f"{self.label}={show(value)}"
        empty = _emptiness(value)
        if empty is not None:
            hint = "" if empty == "without empty items" else " (omit the option to use its default)"
            raise InputError(f"{where}: must be {allowed}, {empty}{hint}")
        try:
            self._adapter.validate_python(value)
        except ValidationError as error:
            raise InputError(f"{where}: must be {allowed}") from error
        if _is_number(value) and self.option.violates(float(value)):
            raise InputError(f"{where}: must be {allowed}")


def option_checks(
    function: Callable[..., Any], options: Mapping[str, Option], label: str = "option"
) -> dict[str, OptionCheck]:
    """Build the checks of every parameter of a function from its annotations.

    Args:
        function: The function (its annotations must resolve in its module).
        options: Bounds per parameter name; every name must be a parameter.
        label: Prefix of the option's name in messages.

    Returns:
        One check per parameter, by name.

    Raises:
        TypeError: If an option names no parameter, or a parameter has no annotation.
    """
    parameters = inspect.signature(function).parameters
    unknown = sorted(set(options) - set(parameters))
    if unknown:
        raise TypeError(f"{function.__name__}: validate_options names unknown parameter(s) {', '.join(unknown)}")
    hints = get_type_hints(function)
    missing = [name for name in parameters if name not in hints]
    if missing:
        raise TypeError(f"{function.__name__}: parameter(s) {', '.join(missing)} need an annotation")
    return {
        name: OptionCheck(name, hints[name], options.get(name, UNCHECKED), f"{label} {name}".rstrip())
        for name in parameters
    }


def validate_options(**options: Option) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Validate a task function's arguments against its annotations and the given bounds.

    Apply it directly under ``@task``. Only the arguments a caller passes are checked (defaults
    are trusted); an explicitly passed ``None`` or empty string, list or object is refused, so
    ``-T personas=`` never silently means "the bundled personas". The wrapped function keeps
    its signature and docstring (``functools.wraps``), so inspect logs every default.

    Args:
        **options: Bounds (and allowed-values text) by parameter name; parameters not named are
            checked against their annotation only.

    Returns:
        The decorator.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        checks = option_checks(function, options)
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise InputError(f"{function.__name__}: {error}") from error
            for name, value in bound.arguments.items():
                checks[name].check(value)
            return function(*args, **kwargs)

        return wrapper

    return decorate
