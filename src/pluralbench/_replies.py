"""Parsing model replies: tagged sections of answers and JSON verdicts of judges.

A verdict is read from exactly one JSON object: the whole reply (a code fence around it is
allowed), or the only JSON object in the reply. A reply that holds several JSON objects, a
brace outside its object (a broken object around or beside it), or one key twice is
ambiguous: whichever object a reader picked, text the judge quoted or wrote as an example
could flip the verdict. Fields are validated strictly, as JSON: a boolean must be ``true`` or
``false`` (not ``"no"``, ``"off"`` or ``0``), an integer an integer (not ``true`` or ``2.0``),
a number a number (not ``true`` or ``"85"``); schemas carry their bounds.

The reasons a structured reply could not be used are constants here, so that scorers give
them as ``Score.unscored(reason=...)`` and metrics can count them by name.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn, TypeVar

from inspect_ai.model import ModelOutput
from pydantic import BaseModel, ValidationError

from pluralbench._files import describe_validation_error
from pluralbench._metrics import CONTEXT_OVERFLOW

ModelT = TypeVar("ModelT", bound=BaseModel)

UNREADABLE_REPLY = "unreadable_reply"
"""Unscored reason: the reply held no JSON object that validates against the schema (after one repair)."""
AMBIGUOUS_REPLY = "ambiguous_reply"
"""Unscored reason: the reply held more than one candidate verdict (after one repair)."""
__all__ = [
    "AMBIGUOUS_REPLY",
    "CONTEXT_OVERFLOW",
    "UNREADABLE_REPLY",
    "AmbiguousReplyError",
    "ContextOverflowError",
    "ReplyParseError",
    "context_overflow",
    "extract_tagged",
    "parse_json_reply",
]

_CODE_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_CONTEXT_ERROR = re.compile(
    r"context[ _-]?(?:length|window|size)|maximum context|too many (?:input |prompt )?tokens|prompt is too long",
    re.IGNORECASE,
)


class ReplyParseError(ValueError):
    """A model reply does not contain the structured content that was asked for."""

    reason: str = UNREADABLE_REPLY
    """The unscored reason this failure stands for."""


class AmbiguousReplyError(ReplyParseError):
    """A model reply holds more than one candidate verdict, so no one of them can be trusted."""

    reason: str = AMBIGUOUS_REPLY


class ContextOverflowError(RuntimeError):
    """A model call was refused or cut short because the prompt did not fit the context window."""

    reason: str = CONTEXT_OVERFLOW


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


def context_overflow(output: ModelOutput) -> str | None:
    """Say why a model output shows that the prompt did not fit the context window, if it does.

    Inspect's providers report a server's context-length refusal as ``stop_reason="model_length"``
    (often with the server's message as the content), and the suite's local provider does the
    same, with the reason in ``error``. An ``error`` that names the context length counts too.

    Args:
        output: The model output.

    Returns:
        A one-line description, or ``None`` when the output is not a context overflow.
    """
    stop_reason = output.choices[0].stop_reason if output.choices else None
    error = output.error or ""
    if stop_reason != "model_length" and not _CONTEXT_ERROR.search(error):
        return None
    detail = (error or output.completion or "stop_reason model_length").strip().splitlines()
    return f"the prompt does not fit the model's context window ({detail[0][:200] if detail else 'model_length'})"


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise AmbiguousReplyError(f"the JSON object gives {', '.join(repr(key) for key in repeated)} more than once")
    return dict(pairs)


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)


def _json_objects(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Return the spans of the JSON objects in ``text`` and the positions of braces outside them.

    The text is scanned from left to right; at each ``{`` a JSON value is decoded, and a decoded
    object is skipped as a whole (its inner objects are part of it). A ``{`` that starts no
    decodable object is a stray brace: it may open a broken object that encloses another one.
    """
    spans: list[tuple[int, int]] = []
    stray: list[int] = []
    index = text.find("{")
    while index != -1:
        try:
            _, end = _DECODER.raw_decode(text, index)
        except AmbiguousReplyError:
            raise
        except ValueError:  # JSONDecodeError, or NaN/Infinity rejected
            stray.append(index)
            index = text.find("{", index + 1)
            continue
        spans.append((index, end))
        index = text.find("{", end)
    return spans, stray


def parse_json_reply(text: str, schema: type[ModelT]) -> ModelT:
    """Parse a structured reply into ``schema``, from exactly one JSON object, strictly typed.

    Args:
        text: The model reply.
        schema: Pydantic model of the expected JSON object (validated in strict JSON mode).

    Returns:
        The validated object.

    Raises:
        AmbiguousReplyError: If the reply holds several JSON objects, a brace outside its one
            object, or a key twice.
        ReplyParseError: If the reply holds no JSON object, or its object does not validate
            (wrong type, out of bounds, missing field), with the reason.
    """
    stripped = _CODE_FENCE.sub("", text.strip())
    if not stripped:
        raise ReplyParseError("the reply was empty")
    spans, stray = _json_objects(stripped)
    if not spans:
        raise ReplyParseError("no JSON object found in the reply")
    if len(spans) > 1:
        raise AmbiguousReplyError(f"the reply holds {len(spans)} JSON objects; reply with exactly one")
    if stray:
        raise AmbiguousReplyError(
            "the reply has text in braces besides its one JSON object; reply with the object only"
        )
    start, end = spans[0]
    try:
        return schema.model_validate_json(stripped[start:end], strict=True)
    except ValidationError as error:
        raise ReplyParseError(describe_validation_error(error)) from error
