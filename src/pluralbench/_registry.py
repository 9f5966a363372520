"""Entry point target of the ``inspect_ai`` group: registers every task and the local model."""

from pluralbench._errors import show_input_errors_as_one_line
from pluralbench.alignment.tasks import alignment_targets
from pluralbench.model import local
from pluralbench.persona.group.tasks import persona_group
from pluralbench.persona.preferences.task import persona_preference
from pluralbench.persona.tasks import persona, persona_intersectionality, persona_loo, persona_pass_at_k
from pluralbench.steerability.tasks import steerability

__all__ = [
    "alignment_targets",
    "local",
    "persona",
    "persona_group",
    "persona_intersectionality",
    "persona_loo",
    "persona_pass_at_k",
    "persona_preference",
    "steerability",
]

show_input_errors_as_one_line()
