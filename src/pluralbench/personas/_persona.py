"""The synthetic person evaluated in PERSONA tasks, and its rendering to prompt text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class Persona(BaseModel):
    """A synthetic person with census-style demographics and free-text texture.

    Every attribute except ``persona_id`` may be absent: leave-one-out variants remove
    attributes, and user files may describe people more sparsely than the bundled ones.
    Numbers are strict integers: ``"age": true``, ``"age": "29"`` or ``"age": 29.5`` is
    rejected rather than rendered as ``Age: 1``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str = Field(min_length=1)
    age: StrictInt | None = Field(default=None, ge=0, le=120)
    sex: str | None = None
    race: str | None = None
    ancestry: str | None = None
    household_language: str | None = None
    ability_to_speak_english: str | None = None
    education: str | None = None
    employment_status: str | None = None
    class_of_worker: str | None = None
    industry_category: str | None = None
    occupation_category: str | None = None
    detailed_job_description: str | None = None
    income: StrictInt | None = Field(default=None, ge=0)
    marital_status: str | None = None
    household_type: str | None = None
    family_presence_and_age: str | None = None
    place_of_birth: str | None = None
    citizenship: str | None = None
    veteran_status: str | None = None
    disability: str | None = None
    cognitive_difficulty: str | None = None
    vision_difficulty: str | None = None
    hearing_difficulty: str | None = None
    health_insurance: str | None = None
    fertility: str | None = None
    big_five_scores: dict[str, StrictInt] | str | None = None
    """Percentiles by trait; free text (e.g. persona-bench's ``"Openness: High, ..."``) when it has no numbers."""
    defining_quirks: str | None = None
    mannerisms: str | None = None
    personal_time: str | None = None
    lifestyle: str | None = None
    ideology: str | None = None
    political_views: str | None = None
    religion: str | None = None

    def render(self) -> str:
        """Render the persona as readable prompt text, one ``Label: value`` line per attribute.

        Returns:
            Lines such as ``Age: 29``; absent and empty attributes are omitted.
        """
        return render_attributes(self.__dict__)

    def without(self, *attributes: str) -> Persona:
        """Return a copy of the persona with the given attributes removed.

        Args:
            *attributes: Attribute names to remove.

        Returns:
            A new persona whose listed attributes are absent.

        Raises:
            ValueError: If a name is not a persona attribute.
        """
        unknown = [a for a in attributes if a not in PERSONA_ATTRIBUTES]
        if unknown:
            raise ValueError(
                f"unknown persona attribute(s): {', '.join(unknown)}; valid attributes: {', '.join(PERSONA_ATTRIBUTES)}"
            )
        return self.model_copy(update=dict.fromkeys(attributes))

    def attribute_values(self) -> dict[str, Any]:
        """Return the present attributes as a flat dict (for sample metadata and grouping).

        Returns:
            Attribute name to value, without ``persona_id`` and without absent attributes.
        """
        return {name: value for name in PERSONA_ATTRIBUTES if (value := getattr(self, name)) not in (None, "", {})}


PERSONA_ATTRIBUTES: tuple[str, ...] = tuple(name for name in Persona.model_fields if name != "persona_id")
"""Every attribute a persona can carry, in rendering order."""

NUMERIC_ATTRIBUTES: frozenset[str] = frozenset({"age", "income"})
"""Attributes whose values are numbers (usable with numeric ranges)."""

_LABEL_OVERRIDES = {"big_five_scores": "Big Five scores (percentiles)"}


def attribute_label(name: str) -> str:
    """Return the human label of an attribute, e.g. ``household_language`` -> ``Household language``.

    Args:
        name: Attribute name.

    Returns:
        The label used when rendering the persona.
    """
    return _LABEL_OVERRIDES.get(name, name.replace("_", " ").capitalize())


_LABELS: dict[str, str] = {name: attribute_label(name) for name in PERSONA_ATTRIBUTES}


def render_attributes(values: Mapping[str, Any]) -> str:
    """Render persona attribute values as prompt text, exactly as :meth:`Persona.render` does.

    Sample metadata carries a persona as its attribute values (:meth:`Persona.attribute_values`);
    this renders them without building and validating a ``Persona`` again.

    Args:
        values: Attribute name to value; names that are not persona attributes are ignored.

    Returns:
        One ``Label: value`` line per present, non-empty attribute, in rendering order.
    """
    lines = []
    for name, label in _LABELS.items():
        value = values.get(name)
        if value is None:
            continue
        if name == "big_five_scores" and isinstance(value, str):
            label, text = "Big Five traits", value.strip()
        elif name == "big_five_scores":
            text = ", ".join(f"{trait} {score}" for trait, score in value.items())
        elif name == "income":
            text = f"${value:,} per year"
        else:
            text = str(value).strip()
        if text:
            lines.append(f"{label}: {text}")
    return "\n".join(lines)
