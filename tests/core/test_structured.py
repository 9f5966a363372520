"""Structured calls: schema where accepted, json_object or the prompt where a server refuses it."""

from __future__ import annotations

import asyncio
import logging

import pytest
from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.tool import ToolChoice, ToolInfo
from pydantic import BaseModel

from pluralbench import _structured
from pluralbench._errors import InputError
from pluralbench._structured import check_structured_mode, generate_structured
from pluralbench.scripted import scripted_output


class Verdict(BaseModel):
    needs_revision: bool


class _Server:
    """A scripted server that refuses the request formats it does not accept, as llama.cpp's does."""

    def __init__(self, accepts: set[str]) -> None:
        self.accepts = accepts
        self.requests: list[tuple[str, str]] = []

    def model(self, name: str) -> Model:
        async def outputs(
            messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
        ) -> ModelOutput:
            kind = "schema" if config.response_schema else "json_object" if config.extra_body else "prompt"
            self.requests.append((kind, messages[-1].text))
            if kind not in self.accepts:
                raise RuntimeError(f"400: response_format type {kind!r}: Input should be 'text' or 'json_object'")
            return scripted_output('{"needs_revision": false}')

        return get_model(f"mockllm/{name}", custom_outputs=outputs, memoize=False)


@pytest.fixture(autouse=True)
def unknown_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat mockllm as a server whose support is unknown, and start with nothing settled."""
    monkeypatch.setattr(_structured, "SCHEMA_PROVIDERS", frozenset())
    monkeypatch.setattr(_structured, "_resolved", {})
    monkeypatch.setattr(_structured, "_warned", set())


QUESTION: list[ChatMessage] = [ChatMessageUser(content="Does this answer need revision?")]


def test_auto_falls_back_to_json_object_once_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    server = _Server(accepts={"json_object", "prompt"})
    model = server.model("server-a")
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            output = asyncio.run(generate_structured(model, QUESTION, Verdict, "verdict", "auto"))
            assert output.completion == '{"needs_revision": false}'
    assert [kind for kind, _ in server.requests] == ["schema", "json_object", "json_object", "json_object"]
    assert '"needs_revision"' in server.requests[1][1]  # the schema is stated in the prompt
    warnings = [r.getMessage() for r in caplog.records if r.name == "pluralbench._structured"]
    assert len(warnings) == 1 and "refused structured=schema" in warnings[0] and "json_object" in warnings[0]


def test_auto_reaches_the_prompt_when_no_response_format_is_accepted() -> None:
    server = _Server(accepts={"prompt"})
    asyncio.run(generate_structured(server.model("server-b"), QUESTION, Verdict, "verdict", "auto"))
    assert [kind for kind, _ in server.requests] == ["schema", "json_object", "prompt"]


def test_auto_keeps_schema_where_it_is_accepted() -> None:
    server = _Server(accepts={"schema"})
    model = server.model("server-c")
    asyncio.run(generate_structured(model, QUESTION, Verdict, "verdict", "auto"))
    asyncio.run(generate_structured(model, QUESTION, Verdict, "verdict", "auto"))
    assert [kind for kind, _ in server.requests] == ["schema", "schema"]
    assert server.requests[0][1] == QUESTION[0].text  # no schema text added to the prompt


@pytest.mark.parametrize("mode", ["schema", "json_object", "prompt"])
def test_a_named_mode_is_used_as_is(mode: str) -> None:
    server = _Server(accepts={"schema", "json_object", "prompt"})
    asyncio.run(
        generate_structured(server.model("server-d"), QUESTION, Verdict, "verdict", check_structured_mode(mode))
    )
    assert [kind for kind, _ in server.requests] == [mode]


def test_a_bad_mode_is_one_line_naming_the_option() -> None:
    with pytest.raises(InputError, match=r"option structured='grammar': must be one of auto, schema, json_object"):
        check_structured_mode("grammar")
