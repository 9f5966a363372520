"""The cost estimate: samples, calls by role and input tokens, from a probe run without a provider."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from pluralbench.cost import EVALUATED_ROLE, estimate, main, minimal_instance


class _Inner(BaseModel):
    agree: bool
    reason: str = Field(min_length=3)


class _Reply(BaseModel):
    person: int = Field(ge=2, le=4)
    score: float = Field(ge=0.25, le=1.0)
    items: list[_Inner] = Field(min_length=2)


def test_minimal_instance_validates_against_the_schema_it_was_made_from() -> None:
    value = minimal_instance(_Reply.model_json_schema())
    reply = _Reply.model_validate(value)
    assert reply.person == 2
    assert reply.score == 0.25
    assert len(reply.items) == 2


@pytest.mark.slow
def test_steerability_defaults_are_11200_calls_of_the_evaluated_model() -> None:
    result = estimate("pluralbench/steerability", {}, probe_samples=2)
    assert result.samples == 11_200
    assert result.calls == {EVALUATED_ROLE: 11_200}
    assert result.input_tokens[EVALUATED_ROLE] > 11_200 * 50


def test_persona_with_identification_makes_three_calls_per_sample_by_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pluralbench/persona", "-T", "identify_k=4", "-T", "n=10", "--probe-samples", "3"]) == 0
    printed = capsys.readouterr().out
    result = estimate("pluralbench/persona", {"identify_k": 4, "n": 10}, probe_samples=3)
    assert {role: result.per_sample(role) for role in result.calls} == {
        EVALUATED_ROLE: 1.0,
        "critic": 1.0,
        "judge": 1.0,
    }
    assert "pluralbench/persona: 10 samples" in printed
    assert "total" in printed and "3.00" in printed


def test_unknown_task_or_option_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pluralbench/nope"]) == 2
    assert main(["pluralbench/persona", "-T", "bogus=1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert "not a pluralbench task" in lines[0]
    assert "unknown option(s) bogus" in lines[1]
