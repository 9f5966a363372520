import json
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, get_model

from pluralbench.model import LocalModelError, bundled_smollm2_path, resolve_gguf_path
from pluralbench.persona.tasks import persona
from pluralbench.persona.types import PersonaSampleMeta
from support import REPO


def test_installed_openai_and_anthropic_pass_inspects_provider_checks() -> None:
    from inspect_ai.model._providers.providers import validate_anthropic_client, validate_openai_client

    validate_openai_client("OpenAI API")
    validate_anthropic_client("Anthropic API")


def test_missing_or_non_gguf_model_path_gives_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match=r"-M model_path=/no/such\.gguf: no such file"):
        resolve_gguf_path("smollm2-135m", "/no/such.gguf")
    text_file = tmp_path / "notes.gguf"
    text_file.write_text("hello")
    with pytest.raises(LocalModelError, match="not a GGUF model file"):
        resolve_gguf_path("anything", str(text_file))
    with pytest.raises(LocalModelError, match="unknown local model"):
        resolve_gguf_path("gpt-9", None)
    assert resolve_gguf_path("smollm2-135m", None) == bundled_smollm2_path()


def test_cli_prints_one_line_for_a_missing_model_path() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspect_ai",
            "eval",
            "pluralbench/persona",
            "--model",
            "local/x",
            "-M",
            "model_path=/no/such.gguf",
            "--limit",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode != 0
    assert "-M model_path=/no/such.gguf: no such file" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.local_model
def test_system_message_reaches_the_model_and_generation_is_deterministic() -> None:
    model = get_model("local/smollm2-135m", memoize=False)
    messages = [ChatMessageSystem(content="PERSONA-MARKER: Age: 29"), ChatMessageUser(content="Say hi.")]
    prompt = model.api.render_prompt(messages)  # type: ignore[attr-defined]
    assert "<|im_start|>system\nPERSONA-MARKER: Age: 29<|im_end|>" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")

    async def twice() -> tuple[str, str, int]:
        first = await model.generate(messages, config={"max_tokens": 12, "temperature": 0, "seed": 1})  # type: ignore[arg-type]
        second = await model.generate(messages, config={"max_tokens": 12, "temperature": 0, "seed": 1})  # type: ignore[arg-type]
        assert first.usage is not None
        return first.completion, second.completion, first.usage.output_tokens

    import asyncio

    first, second, output_tokens = asyncio.run(twice())
    assert first == second and first
    assert 0 < output_tokens <= 12


@pytest.mark.local_model
@pytest.mark.slow
def test_two_sample_persona_eval_on_the_local_model(tmp_path: Path) -> None:
    [log] = eval(persona(n=2), model="local/smollm2-135m", log_dir=str(tmp_path), display="none", max_tokens=48)
    assert log.status == "success"
    assert log.eval.model == "local/smollm2-135m"
    usage = log.stats.model_usage["local/smollm2-135m"]
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    for sample in log.samples or []:
        assert sample.output.completion.strip()
        system = next(m for m in sample.messages if m.role == "system")
        assert PersonaSampleMeta.model_validate(sample.metadata).answer_persona_text in system.text
        assert "Age:" in system.text


@pytest.mark.local_model
@pytest.mark.slow
def test_cli_without_model_runs_the_local_default(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspect_ai",
            "eval",
            "pluralbench/persona",
            "--limit",
            "1",
            "--max-tokens",
            "32",
            "--log-dir",
            str(tmp_path),
            "--log-format",
            "json",
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={k: v for k, v in __import__("os").environ.items() if k != "INSPECT_EVAL_MODEL"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [log_file] = tmp_path.glob("*.json")
    log = json.loads(log_file.read_text())
    assert log["status"] == "success" and log["eval"]["model"] == "local/smollm2-135m"


@pytest.mark.local_model
def test_concurrent_calls_are_safe_and_match_sequential_ones() -> None:
    import asyncio

    model = get_model("local/smollm2-135m", memoize=False)
    prompts = ["Name a fruit.", "Name a colour.", "Name a river."]
    config = {"max_tokens": 10, "temperature": 0, "seed": 3}

    async def sequential() -> list[str]:
        return [(await model.generate(p, config=config)).completion for p in prompts]  # type: ignore[arg-type]

    async def concurrent() -> list[str]:
        outputs = await asyncio.gather(*(model.generate(p, config=config) for p in prompts))  # type: ignore[arg-type]
        return [output.completion for output in outputs]

    assert asyncio.run(concurrent()) == asyncio.run(sequential())


@pytest.mark.local_model
@pytest.mark.slow
def test_interpreter_exits_cleanly_after_using_the_model() -> None:
    script = (
        "import asyncio\n"
        "from inspect_ai.model import get_model\n"
        "m = get_model('local/smollm2-135m')\n"
        "print(asyncio.run(m.generate('Hi', config={'max_tokens': 4})).completion)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


def test_the_task_loader_module_the_default_model_relies_on_exists() -> None:
    # default_task_model() recognises inspect's task loader on the call stack (no public API tells a
    # factory it is being built for an eval); a rename in a new inspect release must fail here.
    import importlib.util

    from pluralbench.model import INSPECT_TASK_LOADER

    assert importlib.util.find_spec(INSPECT_TASK_LOADER) is not None


def test_outside_local_model_tests_a_call_to_the_local_model_fails_at_once() -> None:
    """The guard of tests/conftest.py: a test that forgets to pass its scripted model cannot run the real one."""
    import asyncio

    model = get_model("local/smollm2-135m", memoize=False)
    with pytest.raises(AssertionError, match="the local default model was called"):
        asyncio.run(model.generate("Say hi."))
