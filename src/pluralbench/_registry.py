"""Entry point target of the ``inspect_ai`` group: registers every task and the local model."""

from pluralbench.model import local
from pluralbench.tasks.alignment import alignment_targets
from pluralbench.tasks.persona import persona, persona_intersectionality, persona_loo, persona_pass_at_k
from pluralbench.tasks.steerability import steerability

__all__ = [
    "alignment_targets",
    "local",
    "persona",
    "persona_intersectionality",
    "persona_loo",
    "persona_pass_at_k",
    "steerability",
]
