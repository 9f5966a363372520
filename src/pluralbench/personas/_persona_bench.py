"""Reading persona-bench's persona records as shipped (SynthLabsAI PERSONA, Castricato et al. 2024).

persona-bench writes its attribute names with spaces (``"household language"``, ``"big five
scores"``), gives records no id, writes income as ``"$56,000"`` and the Big Five as free text.
:data:`PERSONA_BENCH_NAMES` maps each of its 33 names to ours; ids are derived from the row
order (``pb-000001`` is the first record). A Big Five text that names all five traits with
percentiles 0-100 becomes our ``big_five_scores`` dict; any other text is kept as text in the
same attribute (rendered ``Big Five traits: ...``), never turned into invented numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error

from ._census_table import BIG_FIVE_TRAITS
from ._persona import NUMERIC_ATTRIBUTES, PERSONA_ATTRIBUTES, Persona

PERSONA_BENCH_NAMES: dict[str, str] = {
    "age": "age",
    "sex": "sex",
    "race": "race",
    "ancestry": "ancestry",
    "household language": "household_language",
    "education": "education",
    "employment status": "employment_status",
    "class of worker": "class_of_worker",
    "industry category": "industry_category",
    "occupation category": "occupation_category",
    "detailed job description": "detailed_job_description",
    "income": "income",
    "marital status": "marital_status",
    "household type": "household_type",
    "family presence and age": "family_presence_and_age",
    "place of birth": "place_of_birth",
    "citizenship": "citizenship",
    "veteran status": "veteran_status",
    "disability": "disability",
    "health insurance": "health_insurance",
    "big five scores": "big_five_scores",
    "defining quirks": "defining_quirks",
    "mannerisms": "mannerisms",
    "personal time": "personal_time",
    "lifestyle": "lifestyle",
    "ideology": "ideology",
    "political views": "political_views",
    "religion": "religion",
    "cognitive difficulty": "cognitive_difficulty",
    "ability to speak english": "ability_to_speak_english",
    "vision difficulty": "vision_difficulty",
    "fertility": "fertility",
    "hearing difficulty": "hearing_difficulty",
}
"""persona-bench attribute name -> pluralbench attribute name (all 33; 20 differ by their spaces)."""

PERSONA_BENCH_ID_PREFIX = "pb-"
_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_TRAIT_SCORE = re.compile(
    r"\b(" + "|".join(BIG_FIVE_TRAITS) + r")\b\s*(?:score)?\s*[:=\-]?\s*(\d{1,3})(?:st|nd|rd|th)?\s*(?:%|percentile)?",
    re.IGNORECASE,
)


def persona_bench_id(row: int) -> str:
    """Return the id derived for the persona-bench record at a 1-based row.

    Args:
        row: The record's position in its file or split, starting at 1.

    Returns:
        ``pb-`` and the row zero-padded to six digits, e.g. ``pb-000001``.
    """
    return f"{PERSONA_BENCH_ID_PREFIX}{row:06d}"


def to_our_attribute(name: str) -> str | None:
    """Map an attribute name in persona-bench's spelling or ours to ours.

    Args:
        name: ``"household language"``, ``"household_language"``, ``"Household Language"``...

    Returns:
        Our attribute name, or ``None`` when the name is neither.
    """
    key = name.strip().lower()
    if key in PERSONA_BENCH_NAMES:
        return PERSONA_BENCH_NAMES[key]
    return key if key in PERSONA_ATTRIBUTES else None


def parse_amount(text: str) -> int | None:
    """Parse a dollar amount such as ``"$56,000"``, ``"56000"`` or ``"$56,000.00"``.

    Args:
        text: The amount as text.

    Returns:
        Whole dollars (rounded), or ``None`` when the text is not an amount.
    """
    match = _AMOUNT.match(text.strip())
    if match is None:
        return None
    whole = int(match.group(1).replace(",", ""))
    cents = match.group(2)
    return round(whole + float(f"0.{cents}")) if cents else whole


def parse_big_five(text: str) -> dict[str, int] | str:
    """Read a Big Five text into percentiles by trait, or keep it as text.

    Args:
        text: e.g. ``"Openness: 72, Conscientiousness: 40, Extraversion: 15, Agreeableness: 88,
            Neuroticism: 30"`` (parsed) or ``"Openness: High, ..."`` (kept as text).

    Returns:
        ``{trait: percentile}`` when every trait appears once with a whole number 0-100,
        otherwise the stripped text.
    """
    scores: dict[str, int] = {}
    for trait, number in _TRAIT_SCORE.findall(text):
        name = trait.capitalize()
        if name in scores or int(number) > 100:
            return text.strip()
        scores[name] = int(number)
    if set(scores) != set(BIG_FIVE_TRAITS):
        return text.strip()
    return {trait: scores[trait] for trait in BIG_FIVE_TRAITS}


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value)


def _convert_value(name: str, value: Any) -> Any:
    """Convert one persona-bench value to our type; raises ValueError with the reason."""
    if name in NUMERIC_ATTRIBUTES:
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and (amount := parse_amount(value)) is not None:
            return amount
        raise ValueError(f"cannot read {value!r} as a whole number" + (" of dollars" if name == "income" else ""))
    if name == "big_five_scores":
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, str):
            return parse_big_five(value)
        raise ValueError(f"expected text or an object, got {type(value).__name__}")
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def persona_from_persona_bench(record: Mapping[str, Any], row: int, where: str, *, strict: bool = True) -> Persona:
    """Convert one persona-bench record to a persona with a derived id.

    Args:
        record: The record: persona-bench attribute names to values.
        row: The record's 1-based row (gives the id, see :func:`persona_bench_id`).
        where: Names the record in messages, e.g. ``"persona file x.jsonl, line 3"``.
        strict: Reject names that are not persona-bench attributes (files); when false they
            are skipped (hub rows may carry extra columns).

    Returns:
        The persona.

    Raises:
        InputError: For an unknown name (when strict), a value of the wrong type, or an
            income or age that cannot be read as a whole number.
    """
    fields: dict[str, Any] = {"persona_id": persona_bench_id(row)}
    for key, value in record.items():
        name = PERSONA_BENCH_NAMES.get(key)
        if name is None:
            if strict:
                raise InputError(
                    f"{where}: field {key!r} is not a persona-bench attribute "
                    f"(known: {', '.join(repr(n) for n in PERSONA_BENCH_NAMES)})"
                )
            continue
        if _absent(value):
            continue
        try:
            fields[name] = _convert_value(name, value)
        except ValueError as error:
            raise InputError(f"{where}, field {key!r}: {error}") from error
    try:
        return Persona.model_validate(fields)
    except ValidationError as error:
        raise InputError(f"{where}: {describe_validation_error(error)}") from error


def is_persona_bench_record(record: Mapping[str, Any]) -> bool:
    """Return whether a record is in persona-bench's layout: no id, only its attribute names.

    Args:
        record: A parsed record.

    Returns:
        True when it has no ``persona_id`` and every key is a persona-bench attribute name.
    """
    return "persona_id" not in record and bool(record) and all(key in PERSONA_BENCH_NAMES for key in record)


SYNTHETIC_PERSONAS_DATASET = "SynthLabsAI/Synthetic-Personas"
"""persona-bench's personas on the Hugging Face hub (parquet, ``train`` and ``test`` splits)."""
SYNTHETIC_PERSONAS_REVISION = "main"
"""Hub revision loaded. Not yet a commit SHA: the hub could not be reached where this was
written to read one. Replace it with the commit SHA of the revision you reproduce; the
revision loaded is recorded in each task's metadata (``persona_source``)."""
SYNTHETIC_PERSONAS_SPLITS: tuple[str, ...] = ("train", "test")


def load_synthetic_personas(split: str = "train") -> tuple[list[Persona], dict[str, Any]]:
    """Load persona-bench's personas from the hub (``datasets`` imported only when called).

    Args:
        split: ``train`` or ``test``.

    Returns:
        The personas (ids ``pb-000001``... in row order of the split) and a description of the
        source (dataset, split, revision, rows, columns skipped) for the task metadata.

    Raises:
        InputError: For an unknown split or a row that cannot be converted.
    """
    if split not in SYNTHETIC_PERSONAS_SPLITS:
        raise InputError(
            f"option personas=synthetic-personas:{split}: unknown split; use one of {', '.join(SYNTHETIC_PERSONAS_SPLITS)}"
        )
    from datasets import load_dataset

    rows = load_dataset(SYNTHETIC_PERSONAS_DATASET, split=split, revision=SYNTHETIC_PERSONAS_REVISION)
    where = f"{SYNTHETIC_PERSONAS_DATASET} ({split})"
    personas = [
        persona_from_persona_bench(row, number, f"{where}, row {number}", strict=False)
        for number, row in enumerate(rows, start=1)
    ]
    columns: set[str] = set(getattr(rows, "column_names", None) or set().union(*(set(row) for row in rows)))
    source = {
        "dataset": SYNTHETIC_PERSONAS_DATASET,
        "split": split,
        "revision": SYNTHETIC_PERSONAS_REVISION,
        "rows": len(personas),
        "columns_skipped": sorted(c for c in columns if c not in PERSONA_BENCH_NAMES),
    }
    return personas, source
