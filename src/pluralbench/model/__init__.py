"""Offline default model: SmolLM2-135M-Instruct through an in-process llama.cpp provider."""

from inspect_ai.model import ModelAPI, get_model, modelapi

from ._gguf import DEFAULT_MODEL_NAME, LocalModelError, bundled_smollm2_path, resolve_gguf_path

DEFAULT_MODEL = f"local/{DEFAULT_MODEL_NAME}"
"""Model used when neither ``--model`` nor ``INSPECT_EVAL_MODEL`` is given."""

NO_MODEL = "none/none"
"""inspect's placeholder model for an eval started without any model."""


def default_task_model() -> str | None:
    """Return the model a task should pin: the local default only when the eval has no model.

    inspect prefers a task's own model over ``--model`` (``task.model or model``), so tasks
    must not pin one unconditionally. Task factories run inside the eval with the evaluated
    model active; when that is inspect's ``none`` placeholder (no ``--model`` and no
    ``INSPECT_EVAL_MODEL``), the offline local model is used instead.

    Returns:
        ``DEFAULT_MODEL`` when no model was given to the eval, otherwise ``None``.
    """
    try:
        active = get_model()
    except ValueError:
        return None
    return DEFAULT_MODEL if str(active) == NO_MODEL else None


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
