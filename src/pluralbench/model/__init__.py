"""Offline default model: SmolLM2-135M-Instruct through an in-process llama.cpp provider."""

from inspect_ai.model import ModelAPI, modelapi

from ._gguf import DEFAULT_MODEL_NAME, LocalModelError, bundled_smollm2_path, resolve_gguf_path

DEFAULT_MODEL = f"local/{DEFAULT_MODEL_NAME}"
"""Model used when neither ``--model`` nor ``INSPECT_EVAL_MODEL`` is given."""


@modelapi(name="local")
def local() -> type[ModelAPI]:
    """Register the in-process llama.cpp provider as ``local``.

    Returns:
        The provider class (imported lazily so llama.cpp loads only when used).
    """
    from ._provider import LocalLlamaAPI

    return LocalLlamaAPI


__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_NAME",
    "LocalModelError",
    "bundled_smollm2_path",
    "local",
    "resolve_gguf_path",
]
