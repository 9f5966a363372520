"""Parsing model replies: tagged sections of answers and JSON verdicts of judges.

A verdict is read only from the judge's own reply: the whole reply when it is a JSON object
(as ``response_schema`` makes providers return), otherwise the last JSON object in the reply
that validates against the expected schema, so a verdict wrapped in prose is still read.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pluralbench._files import describe_validation_error

ModelT = TypeVar("ModelT", bound=BaseModel)

_CODE_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class ReplyParseError(ValueError):
    """A model reply does not contain the structured content that was asked for."""


def extract_tagged(text: str, tag: str) -> str | None:
    """Return the text between ``<tag>`` and ``</tag>`` (or to the end when unclosed).

    Args:
        text: The model reply.
        tag: Tag name without brackets.

    Returns:
        The stripped section, or ``None`` when the opening tag is absent or the section is empty.
    """
    match = re.search(rf"<{tag}>(.*?)(?:</{tag}>|$)", text, flags=re.DOTALL | re.IGNORECASE)
    if match is None:
        return None
    section = match.group(1).strip()
    return section or None


def _json_objects(text: str) -> list[Any]:
    """Return every top-level JSON object that can be decoded from positions in ``text``."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index = text.find("{", index + 1)
            continue
        found.append(value)
        index = text.find("{", end)
    return found


def parse_json_reply(text: str, schema: type[ModelT]) -> ModelT:
    """Parse a structured reply into ``schema``.

    Args:
        text: The model reply.
        schema: Pydantic model of the expected JSON object.

    Returns:
        The validated object.

    Raises:
        ReplyParseError: If the reply holds no JSON object that validates, with the reason.
    """
    stripped = _CODE_FENCE.sub("", text.strip())
    if not stripped:
        raise ReplyParseError("the reply was empty")
    last_error = "no JSON object found in the reply"
    try:
        return schema.model_validate_json(stripped)
    except ValidationError as error:
        last_error = describe_validation_error(error)
    for candidate in reversed(_json_objects(stripped)):
        try:
            return schema.model_validate(candidate)
        except ValidationError as error:
            last_error = describe_validation_error(error)
    raise ReplyParseError(last_error)
