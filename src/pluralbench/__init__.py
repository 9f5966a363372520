"""pluralbench: an inspect-ai evaluation suite for pluralistic alignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pluralbench._errors import InputError
    from pluralbench.api import evaluate_model, evaluate_models

__all__ = ["InputError", "evaluate_model", "evaluate_models"]


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import pluralbench`` stays cheap and needs no API key.

    Args:
        name: The attribute asked for.

    Returns:
        ``InputError`` (which subclasses an inspect error, so it imports inspect), or
        ``evaluate_model`` / ``evaluate_models`` from :mod:`pluralbench.api`.

    Raises:
        AttributeError: For any other name.
    """
    if name == "InputError":
        from pluralbench._errors import InputError

        return InputError
    if name in ("evaluate_model", "evaluate_models"):
        from pluralbench import api

        return getattr(api, name)
    raise AttributeError(f"module 'pluralbench' has no attribute {name!r}")
