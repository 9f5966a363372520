"""Parsing the PERSONA analyses' options: leave-one-out attributes and intersectionality groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error, read_json_file
from pluralbench.personas import NUMERIC_ATTRIBUTES, PERSONA_ATTRIBUTES, Persona
from pluralbench.personas._persona_bench import to_our_attribute


class AttributesFile(BaseModel):
    """Layout of a leave-one-out attributes file (the original benchmark's layout)."""

    model_config = ConfigDict(extra="forbid")

    attributes: list[str] = Field(min_length=1)


class GroupCondition(BaseModel):
    """One condition of a group: an attribute with allowed values, or a numeric range."""

    model_config = ConfigDict(extra="forbid")

    attribute: str
    values: list[str | int] | None = None
    range: tuple[float, float] | None = None

    @field_validator("attribute")
    @classmethod
    def _our_name(cls, name: str) -> str:
        """Map persona-bench's spaced names (``"marital status"``) to ours; unknown names are checked later."""
        return to_our_attribute(name) or name

    @model_validator(mode="after")
    def _one_kind(self) -> GroupCondition:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either 'values' or 'range'")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {list(self.range)} has its low end above its high end")
        return self

    def matches(self, persona: Persona) -> bool:
        """Return whether the persona satisfies the condition.

        Args:
            persona: The persona.

        Returns:
            True when its attribute value is among the values or inside the range.
        """
        value = getattr(persona, self.attribute)
        if value is None:
            return False
        if self.range is not None:
            return bool(self.range[0] <= value <= self.range[1])
        return str(value) in {str(v) for v in self.values or []}

    def describe(self) -> str:
        """Return a short name for the condition, e.g. ``age 18-34`` or ``sex=Female``."""
        if self.range is not None:
            return f"{self.attribute} {self.range[0]:g}-{self.range[1]:g}"
        return f"{self.attribute}={'|'.join(str(v) for v in self.values or [])}"


class Group(BaseModel):
    """A named group of personas: conditions AND together, a condition's values OR."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    conditions: list[GroupCondition] = Field(min_length=1)

    def matches(self, persona: Persona) -> bool:
        """Return whether the persona is in the group.

        Args:
            persona: The persona.

        Returns:
            True when every condition holds.
        """
        return all(condition.matches(persona) for condition in self.conditions)


class GroupsFile(BaseModel):
    """Layout of an intersectionality groups file."""

    model_config = ConfigDict(extra="forbid")

    groups: list[Group] = Field(min_length=1)


class OriginalGroup(BaseModel):
    """A group in the original benchmark's layout: ``{"attributes": [{"attribute", "values"}]}``."""

    model_config = ConfigDict(extra="forbid")

    attributes: list[GroupCondition] = Field(min_length=1)


def _check_attribute_names(names: list[str], where: str) -> None:
    unknown = [name for name in names if name not in PERSONA_ATTRIBUTES]
    if unknown:
        raise InputError(
            f"{where}: unknown attribute(s) {', '.join(unknown)}; valid attributes: {', '.join(PERSONA_ATTRIBUTES)}"
        )


def parse_loo_attributes(option: str | list[str]) -> tuple[str, ...]:
    """Parse the ``attributes`` option of leave-one-out: names, a comma list, or a JSON file.

    Args:
        option: ``"age,religion"``, a list of names, or the path of a JSON file ``{"attributes": [...]}``.

    Returns:
        The attribute names, in order, without repeats.

    Raises:
        InputError: For an unreadable or malformed file, an empty list or name, or an unknown attribute.
    """
    if isinstance(option, str) and option.endswith(".json"):
        try:
            names = AttributesFile.model_validate(read_json_file(option, "attributes file")).attributes
        except ValidationError as error:
            raise InputError(f"attributes file {option}: {describe_validation_error(error)}") from error
        where = f"attributes file {option}"
    else:
        names = [name.strip() for name in (option.split(",") if isinstance(option, str) else option)]
        where = f"option attributes={option!r}"
        if "" in names:
            raise InputError(f"{where}: an attribute name is empty")
    if not names:
        raise InputError(f"{where}: no attributes given")
    names = [to_our_attribute(name) or name for name in names]  # persona-bench's spaced names
    _check_attribute_names(names, where)
    return tuple(dict.fromkeys(names))


def parse_groups(path: str | Path) -> list[Group]:
    """Read an intersectionality groups file in our layout or the original benchmark's.

    Args:
        path: A JSON file: ``{"groups": [{"name", "conditions": [...]}]}`` or a list of
            ``{"attributes": [{"attribute", "values"}]}`` (names are derived from the conditions).

    Returns:
        The groups.

    Raises:
        InputError: For malformed JSON, a group without conditions, an unknown attribute,
            a range on a non-numeric attribute, or duplicate group names.
    """
    where = f"groups file {path}"
    raw: Any = read_json_file(path, "groups file")
    try:
        if isinstance(raw, list):
            originals = [OriginalGroup.model_validate(item) for item in raw]
            if not originals:
                raise InputError(f"{where}: contains no groups")
            groups = [
                Group(name=" & ".join(c.describe() for c in original.attributes), conditions=original.attributes)
                for original in originals
            ]
        else:
            groups = GroupsFile.model_validate(raw).groups
    except ValidationError as error:
        raise InputError(f"{where}: {describe_validation_error(error)}") from error
    for group in groups:
        _check_attribute_names([c.attribute for c in group.conditions], f"{where}, group '{group.name}'")
        for condition in group.conditions:
            if condition.range is not None and condition.attribute not in NUMERIC_ATTRIBUTES:
                raise InputError(
                    f"{where}, group '{group.name}': a range needs a numeric attribute "
                    f"({', '.join(sorted(NUMERIC_ATTRIBUTES))}), not '{condition.attribute}'"
                )
    names = [group.name for group in groups]
    if len(set(names)) != len(names):
        raise InputError(f"{where}: duplicate group names")
    return groups
