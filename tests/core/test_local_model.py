"""The offline local model: GGUF checks, -M arguments, context overflow, and (marked) real runs."""

import ctypes
import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, ModelOutput, get_model

from pluralbench._errors import InputError
from pluralbench.model import LocalModelError, bundled_smollm2_path, resolve_gguf_path
from pluralbench.model._gguf import TENSOR_TYPES, GGUFFormatError, read_gguf_layout
from pluralbench.model._provider import ChatTemplate, LocalLlamaAPI
from pluralbench.persona.tasks import persona
from pluralbench.persona.types import PersonaSampleMeta
from support import REPO

# ---------------------------------------------------------------- GGUF files


def gguf_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def gguf_file(
    tensors: list[tuple[str, list[int], int]],
    version: int = 3,
    alignment: int | None = None,
) -> bytes:
    """A small but complete GGUF file: metadata (a string, a string array, optional alignment), tensors, data."""
    align = alignment or 32
    kvs = gguf_string("general.architecture") + struct.pack("<I", 8) + gguf_string("llama")
    kvs += gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 3)
    kvs += b"".join(gguf_string(token) for token in ("<s>", "a", "\u00e9"))
    count = 2 + (alignment is not None)
    if alignment is not None:
        kvs += gguf_string("general.alignment") + struct.pack("<II", 4, alignment)
    infos, data, offset = b"", b"", 0
    for name, dims, tensor_type in tensors:
        _, block, block_bytes = TENSOR_TYPES.get(tensor_type, ("?", 1, 1))
        size = (dims[0] * (dims[1] if len(dims) > 1 else 1)) // block * block_bytes
        infos += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", tensor_type, offset)
        padded = -(-size // align) * align
        data += b"\x01" * size + b"\x00" * (padded - size)
        offset += padded
    header = b"GGUF" + struct.pack("<IQQ", version, len(tensors), count) + kvs + infos
    header += b"\x00" * (-(-len(header) // align) * align - len(header))
    return header + data


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


F32, Q4_1 = 0, 3


def test_a_complete_gguf_file_is_read_and_its_size_is_what_its_tensors_need(tmp_path: Path) -> None:
    data = gguf_file([("embed", [64, 4], Q4_1), ("norm", [64], F32)])
    layout = read_gguf_layout(write_bytes(tmp_path / "m.gguf", data))
    assert (layout.version, layout.tensors, layout.alignment) == (3, 2, 32)
    assert layout.data_offset % 32 == 0
    # Q4_1: 8 blocks of 32 elements x 20 bytes = 160, padded to 160; then 64 F32 = 256 bytes
    assert layout.required_bytes == layout.data_offset + 160 + 256 == len(data)


def test_the_bundled_model_file_is_exactly_as_long_as_its_tensors_need() -> None:
    path = bundled_smollm2_path()
    layout = read_gguf_layout(path)
    assert layout.version == 3 and layout.tensors > 100
    assert layout.required_bytes == path.stat().st_size


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: gguf_file([("w", [64], F32)])[:-1], r"^truncated: its 1 tensors need \d+ bytes, the file has \d+$"),
        (lambda: gguf_file([("w", [64], F32)])[:40], r"^truncated: its header needs more than its 40 bytes"),
        (lambda: gguf_file([("w", [64], F32)], version=1), r"^GGUF version 1 is not supported"),
        (lambda: gguf_file([("w", [64], 4)]), r"^tensor 'w' has an unsupported ggml type 4$"),
        (lambda: gguf_file([("w", [48], Q4_1)]), r"^tensor 'w': a row of 48 is not a whole number of Q4_1 blocks$"),
        (lambda: gguf_file([("w", [64], F32)], alignment=48), r"^general.alignment 48 is not a power of two$"),
        (lambda: b"", r"^not a GGUF model file$"),
        (lambda: b"GGML" + bytes(100), r"^not a GGUF model file$"),
    ],
    ids=[
        "data cut by one byte",
        "header cut",
        "version 1",
        "unknown type",
        "partial block",
        "bad alignment",
        "empty",
        "other magic",
    ],
)
def test_broken_gguf_files_are_refused_with_the_reason(tmp_path: Path, build: Any, pattern: str) -> None:
    path = write_bytes(tmp_path / "m.gguf", build())
    with pytest.raises(GGUFFormatError, match=pattern):
        read_gguf_layout(path)
    with pytest.raises(LocalModelError, match=f"^-M model_path={path}: "):
        resolve_gguf_path("anything", str(path))


def test_a_truncated_copy_of_the_bundled_model_is_refused_naming_the_file(tmp_path: Path) -> None:
    source = bundled_smollm2_path()
    copy = tmp_path / "cut.gguf"
    with source.open("rb") as handle:
        copy.write_bytes(handle.read(source.stat().st_size - 4096))  # the tail of the last tensor is missing
    with pytest.raises(LocalModelError, match=rf"^-M model_path={copy}: truncated: its \d+ tensors need \d+ bytes"):
        resolve_gguf_path("smollm2-135m", str(copy))


def test_the_tensor_type_table_matches_the_installed_ggml() -> None:
    import llama_cpp._ggml as ggml

    library = ctypes.CDLL(str(ggml.libggml_base_path / "libggml-base.so"))
    library.ggml_type_size.restype, library.ggml_type_size.argtypes = ctypes.c_size_t, [ctypes.c_int]
    library.ggml_blck_size.restype, library.ggml_blck_size.argtypes = ctypes.c_int64, [ctypes.c_int]
    library.ggml_type_name.restype, library.ggml_type_name.argtypes = ctypes.c_char_p, [ctypes.c_int]
    import llama_cpp

    count = llama_cpp.GGML_TYPE_COUNT
    installed = {
        t: (library.ggml_type_name(t).decode().upper(), library.ggml_blck_size(t), library.ggml_type_size(t))
        for t in range(count)
        if library.ggml_type_size(t) > 0
    }
    assert installed == TENSOR_TYPES


# ---------------------------------------------------------------- -M arguments


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"n_ctx": "abc"}, "-M n_ctx='abc': must be an integer >= 64"),
        ({"n_ctx": -1}, "-M n_ctx=-1: must be an integer >= 64"),
        ({"n_ctx": 1.5}, "-M n_ctx=1.5: must be an integer >= 64"),
        ({"n_threads": 0}, "-M n_threads=0: must be an integer >= 1"),
        ({"model_path": ""}, "-M model_path='': must be a GGUF file path, not empty"),
        ({"model_path": None}, "-M model_path=<empty>: must be a GGUF file path, not empty"),
        ({"n_ctxx": 512}, "-M n_ctxx=512: not an argument of the local model"),
    ],
)
def test_bad_model_arguments_are_one_line_before_any_loading(args: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as caught:
        get_model("local/smollm2-135m", memoize=False, **args)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_llama_arguments_pass_through_and_n_ctx_has_its_default() -> None:
    api = get_model("local/smollm2-135m", memoize=False, n_batch=128, n_threads=2).api
    assert isinstance(api, LocalLlamaAPI)
    assert api._llama_args == {"n_ctx": 8192, "n_batch": 128, "n_threads": 2}


# ---------------------------------------------------------------- a prompt longer than the context


class FakeLlama:
    """Stands in for ``llama_cpp.Llama``: a fixed prompt length, context size and completion."""

    def __init__(self, prompt_tokens: int, n_ctx: int, completion_tokens: int, finish_reason: str) -> None:
        self.prompt_tokens, self._n_ctx = prompt_tokens, n_ctx
        self.completion_tokens, self.finish_reason = completion_tokens, finish_reason
        self.completions: list[list[int]] = []
        self.max_tokens: list[int] = []
        self.input_ids = [0] * n_ctx  # llama-cpp-python's token buffer

    def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
        assert add_bos and special and text
        return list(range(self.prompt_tokens))

    def n_ctx(self) -> int:
        return self._n_ctx

    def create_completion(self, tokens: list[int], **options: Any) -> dict[str, Any]:
        self.completions.append(tokens)
        self.max_tokens.append(options["max_tokens"])
        used = {"prompt_tokens": len(tokens), "completion_tokens": self.completion_tokens}
        return {
            "choices": [{"text": " an answer ", "finish_reason": self.finish_reason}],
            "usage": {**used, "total_tokens": sum(used.values())},
        }


def complete_with(llama: FakeLlama) -> ModelOutput:
    api = get_model("local/smollm2-135m", memoize=False).api
    assert isinstance(api, LocalLlamaAPI)
    api._llama = llama
    api._template = ChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}", "", "<|im_end|>")
    return api._complete([ChatMessageUser(content="a long persona and question")], GenerateConfig())


def test_the_window_is_the_smaller_of_llama_cpps_context_and_its_token_buffer() -> None:
    llama = FakeLlama(prompt_tokens=100, n_ctx=256, completion_tokens=0, finish_reason="stop")
    llama.input_ids = [0] * 64  # -M n_ctx=64: llama.cpp pads the context to 256, the buffer stays 64
    output = complete_with(llama)
    assert output.stop_reason == "model_length" and llama.completions == []
    assert output.error is not None and "context window of 64" in output.error


def test_a_prompt_longer_than_the_context_returns_model_length_instead_of_raising() -> None:
    llama = FakeLlama(prompt_tokens=300, n_ctx=256, completion_tokens=0, finish_reason="stop")
    output = complete_with(llama)
    assert llama.completions == [], "nothing may be generated"
    assert output.stop_reason == "model_length" and output.completion == ""
    assert output.error is not None and "300 tokens" in output.error and "context window of 256" in output.error
    assert "-M n_ctx" in output.error


@pytest.mark.parametrize(
    ("prompt_tokens", "completion_tokens", "finish_reason", "stop_reason"),
    [(200, 56, "length", "model_length"), (200, 20, "length", "max_tokens"), (200, 20, "stop", "stop")],
    ids=["context filled", "max_tokens reached", "stopped"],
)
def test_a_prompt_that_fits_is_completed_with_the_right_stop_reason(
    prompt_tokens: int, completion_tokens: int, finish_reason: str, stop_reason: str
) -> None:
    llama = FakeLlama(prompt_tokens, n_ctx=256, completion_tokens=completion_tokens, finish_reason=finish_reason)
    output = complete_with(llama)
    assert llama.completions == [list(range(prompt_tokens))], "the tokens counted are the tokens completed"
    assert llama.max_tokens == [56], "max_tokens (384 by default) is cut to what the context has left"
    assert output.stop_reason == stop_reason and output.completion == "an answer" and output.error is None
    assert output.usage is not None and output.usage.input_tokens == prompt_tokens


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


@pytest.mark.parametrize(
    ("model_arg", "message"),
    [
        ("model_path=/no/such.gguf", "-M model_path=/no/such.gguf: no such file"),
        ("n_ctx=abc", "-M n_ctx='abc': must be an integer >= 64"),
        ("model_path={cut}", "-M model_path={cut}: truncated: its "),
    ],
    ids=["missing file", "bad n_ctx", "truncated file"],
)
def test_cli_prints_one_line_for_a_bad_model_argument(model_arg: str, message: str, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(gguf_file([("w", [64], F32)])[:-8])
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
            model_arg.format(cut=cut),
            "--limit",
            "1",
            "--log-dir",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message.format(cut=cut) in output, output[-2000:]
    assert "Traceback" not in output
    assert not (tmp_path / "logs").exists(), "a run was started"


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


@pytest.mark.local_model
def test_a_prompt_longer_than_the_real_context_is_model_length_and_the_run_goes_on(tmp_path: Path) -> None:
    import asyncio

    model = get_model("local/smollm2-135m", memoize=False, n_ctx=64)
    output = asyncio.run(model.generate("word " * 200, config=GenerateConfig(max_tokens=8)))
    assert output.stop_reason == "model_length" and output.completion == ""
    assert output.error is not None and "context window of 64" in output.error
    [log] = eval(persona(n=2), model=model, log_dir=str(tmp_path), display="none", max_tokens=16)
    assert log.status == "success", log.error
    for sample in log.samples or []:
        assert sample.error is None and sample.output.stop_reason == "model_length"


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
