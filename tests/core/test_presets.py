"""``-T preset=smoke`` on every task: the preset's options are the ones run and logged, and the headline is defined."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage

from pluralbench._errors import InputError
from pluralbench.persona import presets as persona_presets
from pluralbench.scripted import scripted_model
from pluralbench.steerability.presets import PRESETS as STEERABILITY_PRESETS

SMOKE = {
    "persona": persona_presets.PERSONA_PRESETS,
    "persona_loo": persona_presets.LOO_PRESETS,
    "persona_intersectionality": persona_presets.INTERSECTIONALITY_PRESETS,
    "persona_pass_at_k": persona_presets.PASS_AT_K_PRESETS,
    "persona_group": persona_presets.GROUP_PRESETS,
    "persona_preference": persona_presets.PREFERENCE_PRESETS,
    "steerability": STEERABILITY_PRESETS,
}


def reply(messages: list[ChatMessage]) -> str:
    """Approve as critic, pick answer 1 as a preference judge, answer Y in steerability, else answer."""
    last = messages[-1].text
    if "needs_revision" in last:
        return '{"needs_revision": false, "critique": "It fits."}'
    if '"choice"' in last:
        return '{"choice": 1, "reason": "It fits."}'
    if "Reply with exactly one letter" in last:
        return "Y"
    return "<answer>An answer written for this person.</answer>"


@pytest.mark.parametrize("task", sorted(SMOKE))
def test_smoke_preset_runs_logs_its_options_and_defines_the_headline(task: str, tmp_path: Path) -> None:
    model = scripted_model(reply)
    log = eval(
        f"pluralbench/{task}",
        task_args={"preset": "smoke"},
        model=model,
        model_roles={"critic": model, "judge": model},
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success", log.error
    options = dict(SMOKE[task]["smoke"].options)
    assert {name: log.eval.task_args[name] for name in options} == options
    assert log.eval.task_args["preset"] == "smoke" and log.eval.task_args_passed == {"preset": "smoke"}
    assert log.results is not None and log.results.headline is not None
    headline = log.results.headline
    [scores] = [scores for scores in log.results.scores if scores.name == headline.scorer]
    value = scores.metrics[headline.metric].value
    assert not math.isnan(value), (headline, value)
    assert 1 <= len(log.samples or []) <= 64


def test_a_smoke_option_passed_with_another_value_is_refused_in_one_line() -> None:
    from pluralbench.persona.tasks import persona_pass_at_k

    with pytest.raises(
        InputError, match=r"^option k=5 conflicts with preset=smoke, which sets k=2 \(drop one of them\)$"
    ):
        persona_pass_at_k(preset="smoke", k=5)
