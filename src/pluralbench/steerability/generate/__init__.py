"""Dataset generation pipelines: ``python -m pluralbench.steerability.generate statements ...``."""

from ._records import FrameworkPersona, StatementRow, read_framework_personas
from ._store import Rejection, StatementStore
from .statements import GenerationSummary, PersonaProgress, generate_statements, render_persona

__all__ = [
    "FrameworkPersona",
    "GenerationSummary",
    "PersonaProgress",
    "Rejection",
    "StatementRow",
    "StatementStore",
    "generate_statements",
    "read_framework_personas",
    "render_persona",
]
