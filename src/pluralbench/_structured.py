"""Structured (JSON) calls that fit the server: ``json_schema``, ``json_object`` or the prompt alone.

Every call whose reply the suite parses as JSON goes through :func:`generate_structured`. The
task option ``structured`` picks how the JSON is asked for:

- ``schema``: inspect's ``response_schema`` (the provider enforces the JSON schema);
- ``json_object``: no schema parameter; the request carries ``response_format: {"type":
  "json_object"}`` (with the schema beside it, which llama.cpp's server enforces and other servers
  ignore) and the prompt states the schema;
- ``prompt``: nothing but the prompt states the schema (for servers that accept no
  ``response_format`` at all);
- ``auto`` (default): ``schema`` for providers known to support it; for any other provider (an
  OpenAI-compatible server, vLLM, Ollama...) the first call tries ``schema`` once, without
  retries, and when the server refuses the request format it falls back to ``json_object``, then
  to ``prompt``, for the rest of the run, logging one warning line per model and fallback.

The reply is parsed and repaired by the callers exactly as before (:mod:`pluralbench._replies`):
only how the request is made differs. A task passes its ``structured`` option to the solvers and
scorers it builds, which pass it to every call (the option is in the log's task arguments).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Literal, get_args

from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, Model, ModelOutput, ResponseSchema
from inspect_ai.util import json_schema
from pydantic import BaseModel

logger = logging.getLogger(__name__)

StructuredMode = Literal["auto", "schema", "json_object", "prompt"]
STRUCTURED_MODES: tuple[str, ...] = get_args(StructuredMode)

SCHEMA_PROVIDERS = frozenset(
    {"openai", "anthropic", "google", "mistral", "grok", "azureai", "bedrock", "local", "mockllm"}
)
"""Providers whose API accepts inspect's ``response_schema`` (``auto`` uses it for them directly)."""

FALLBACK_ORDER: tuple[StructuredMode, ...] = ("schema", "json_object", "prompt")

REFUSAL_MARKERS = ("response_format", "json_schema", "json_object", "guided_json", "structured output")
"""Words in an error message that show the server refused the request format (not a transient fault)."""

SCHEMA_INSTRUCTION = """\

Reply with one JSON object and nothing else (no prose, no code fence). It must match this JSON schema:
{schema}"""
"""Appended to the last user message when the schema is not sent as a request parameter."""

_resolved: dict[str, StructuredMode] = {}
"""Mode settled on by ``auto`` per model (provider, name and base URL), for the rest of the process."""

_warned: set[tuple[str, str]] = set()
"""(model, refused mode) pairs already reported, so concurrent first calls warn once."""


def check_structured_mode(value: object) -> StructuredMode:
    """Return the ``structured`` option, validated.

    Args:
        value: The option's value.

    Returns:
        The mode.

    Raises:
        InputError: If it is not one of the modes.
    """
    from pluralbench._errors import InputError

    if not isinstance(value, str) or value not in STRUCTURED_MODES:
        raise InputError(f"option structured={value!r}: must be one of {', '.join(STRUCTURED_MODES)}")
    return value  # type: ignore[return-value]


def _model_key(model: Model) -> str:
    return f"{model}@{model.api.base_url or ''}"


def _provider(model: Model) -> str:
    return str(model).split("/", 1)[0]


def _with_instruction(messages: list[ChatMessage], schema: dict[str, object]) -> list[ChatMessage]:
    instruction = SCHEMA_INSTRUCTION.format(schema=json.dumps(schema, separators=(",", ":")))
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], ChatMessageUser):
            updated = list(messages)
            updated[index] = ChatMessageUser(content=messages[index].text + instruction)
            return updated
    return [*messages, ChatMessageUser(content=instruction.lstrip())]


@cache
def _response_schema(schema: type[BaseModel], name: str) -> ResponseSchema:
    """Return the response schema of a reply model (built once per model and name: pydantic's JSON schema is slow)."""
    return ResponseSchema(name=name, json_schema=json_schema(schema))


def request_for(
    mode: StructuredMode, messages: list[ChatMessage], schema: type[BaseModel] | ResponseSchema, name: str
) -> tuple[list[ChatMessage], GenerateConfig]:
    """Return the messages and config that ask for ``schema`` in a concrete mode.

    Args:
        mode: ``schema``, ``json_object`` or ``prompt``.
        messages: The conversation.
        schema: The reply model, or a ready response schema.
        name: The schema's name (for ``response_schema``; a ready schema keeps its own).

    Returns:
        Messages (with the schema stated in the prompt unless ``schema``) and the generate config.
    """
    response = schema if isinstance(schema, ResponseSchema) else _response_schema(schema, name)
    if mode == "schema":
        return messages, GenerateConfig(response_schema=response)
    document = response.json_schema.model_dump(exclude_none=True, by_alias=True)
    if mode == "json_object":
        body = {"response_format": {"type": "json_object", "schema": document}}
        return _with_instruction(messages, document), GenerateConfig(extra_body=body)
    return _with_instruction(messages, document), GenerateConfig()


def _causes(error: BaseException) -> list[BaseException]:
    """Return the error and what it wraps (tenacity's ``RetryError`` holds the last attempt's error)."""
    from tenacity import RetryError

    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        if isinstance(current, RetryError):
            current = current.last_attempt.exception()
        else:
            current = current.__cause__ or current.__context__
    return chain


def _is_refusal(error: BaseException) -> bool:
    text = " ".join(str(cause) for cause in _causes(error)).lower()
    return any(marker in text for marker in REFUSAL_MARKERS)


def _summary(error: BaseException) -> str:
    innermost = _causes(error)[-1]
    return f"{type(innermost).__name__}: {' '.join(str(innermost).split())[:100]}"


async def generate_structured(
    model: Model,
    messages: list[ChatMessage],
    schema: type[BaseModel] | ResponseSchema,
    name: str,
    mode: StructuredMode,
    config: GenerateConfig | None = None,
) -> ModelOutput:
    """Ask ``model`` for a JSON reply matching ``schema``, in the way the server accepts.

    Args:
        model: The model to call.
        messages: The conversation.
        schema: The reply model, or a ready response schema.
        name: The schema's name.
        mode: The task's ``structured`` option: ``auto``, ``schema``, ``json_object`` or ``prompt``
            (see the module docstring).
        config: Extra generate config (e.g. ``max_tokens``), merged under the structured settings.

    Returns:
        The model output (parse it with :func:`pluralbench._replies.parse_json_reply`).
    """
    base = config or GenerateConfig()
    if mode != "auto":
        request, extra = request_for(mode, messages, schema, name)
        return await model.generate(request, config=base.merge(extra))
    key = _model_key(model)
    settled = _resolved.get(key)
    if settled is None and _provider(model) in SCHEMA_PROVIDERS:
        settled = _resolved[key] = "schema"
    if settled is not None:
        request, extra = request_for(settled, messages, schema, name)
        return await model.generate(request, config=base.merge(extra))
    for index, candidate in enumerate(FALLBACK_ORDER):
        request, extra = request_for(candidate, messages, schema, name)
        probe = base.merge(extra).merge(GenerateConfig(max_retries=0)) if index < len(FALLBACK_ORDER) - 1 else None
        try:
            output = await model.generate(request, config=probe or base.merge(extra))
        except Exception as error:
            if not _is_refusal(error) or index == len(FALLBACK_ORDER) - 1:
                if _is_refusal(error):
                    raise
                # Not a refusal of the format (a transient fault): retry normally in this mode.
                output = await model.generate(request, config=base.merge(extra))
            else:
                if (key, candidate) not in _warned:
                    _warned.add((key, candidate))
                    logger.warning(
                        f"{model}: the server refused structured={candidate} ({_summary(error)}); "
                        f"using structured={FALLBACK_ORDER[index + 1]} for the rest of the run"
                    )
                continue
        _resolved.setdefault(key, candidate)
        return output
    raise AssertionError("unreachable: the last fallback either returns or raises")
