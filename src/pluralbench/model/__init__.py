"""Offline default model: SmolLM2-135M-Instruct through an in-process llama.cpp provider."""

import inspect

from inspect_ai.model import ModelAPI, get_model, modelapi

from ._gguf import DEFAULT_MODEL_NAME, LocalModelError, bundled_smollm2_path, resolve_gguf_path

DEFAULT_MODEL = f"local/{DEFAULT_MODEL_NAME}"
"""Model used when neither ``--model`` nor ``INSPECT_EVAL_MODEL`` is given."""

INSPECT_TASK_LOADER = "inspect_ai._eval.loader"
"""Module of inspect that calls task factories when it loads tasks for an eval.

inspect offers no public way for a task factory to know whether it is being built for an eval
or called from user code, so :func:`default_task_model` looks for this module on the call
stack. This is a documented fallback: ``tests/core/test_local_model.py`` checks that the module
exists in the installed inspect and that a task built by it (CLI and ``eval("pluralbench/...")``)
gets the local model while a task built in Python does not, so an inspect release that moves
the loader fails the tests instead of silently changing which model runs.
"""

NO_MODEL = "none/none"
"""inspect's placeholder model for an eval started without any model."""


def _called_by_inspect_task_loader() -> bool:
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_globals.get("__name__") == INSPECT_TASK_LOADER:
            return True
        frame = frame.f_back
    return False


def default_task_model() -> str | None:
    """Return the model a task should pin: the local default only when the eval has no model.

    inspect prefers a task's own model over ``--model`` (``task.model or model``), so tasks
    must not pin one unconditionally. When inspect's task loader calls a factory (``inspect
    eval``, ``eval("pluralbench/...")``, eval-set, eval-retry), the evaluated model is active;
    when that is inspect's ``none`` placeholder (no ``--model`` and no ``INSPECT_EVAL_MODEL``),
    the offline local model is used instead. A factory called directly from Python pins
    nothing: inspect keeps the last eval's active model after the eval ends, so outside the
    loader the placeholder says nothing about the next eval.

    Returns:
        ``DEFAULT_MODEL`` when inspect is loading the task for an eval without a model, otherwise ``None``.
    """
    if not _called_by_inspect_task_loader():
        return None
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
