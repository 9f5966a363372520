"""File formats of the statement generator: framework personas in, steerability statements out.

Both layouts are the bundled steerability data's own (``pluralbench.steerability.data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pluralbench._errors import InputError
from pluralbench._files import read_jsonl_models
from pluralbench.steerability.types import FrameworkPersona, Statement

__all__ = ["FrameworkPersona", "StatementRow", "read_framework_personas"]

StatementRow = Statement
"""A generated row has the layout of a bundled statement."""


def read_framework_personas(path: str | Path, persona_ids: Sequence[str] | None = None) -> list[FrameworkPersona]:
    """Read a framework personas file, optionally keeping only some personas.

    Args:
        path: The personas JSONL file.
        persona_ids: Ids to keep, in the file's order; ``None`` keeps every persona.

    Returns:
        The selected personas.

    Raises:
        InputError: If the file is missing or malformed, or an id is not in it.
    """
    personas = read_jsonl_models(path, FrameworkPersona, "persona file", id_of=lambda persona: persona.persona_id)
    if persona_ids is None:
        return personas
    known = {persona.persona_id for persona in personas}
    unknown = [pid for pid in dict.fromkeys(persona_ids) if pid not in known]
    if unknown:
        raise InputError(f"persona file {path}: unknown persona id(s): {', '.join(unknown)}")
    wanted = set(persona_ids)
    return [persona for persona in personas if persona.persona_id in wanted]
