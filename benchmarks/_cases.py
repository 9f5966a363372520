"""The one list of benchmarked tasks and modes.

Tasks are named by their ``pluralbench.api`` evaluation type, so the benchmark builds them the
way users do (``pluralbench.api.build_task``). An evaluation type with no case here still gets a
row in the tables, marked as not benchmarked, so a newly added task cannot go unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pluralbench.api import EVALUATION_TYPES, TASKS


@dataclass(frozen=True)
class Case:
    """One task in one mode.

    Attributes:
        evaluation_type: Key of ``pluralbench.api.TASKS`` (e.g. ``main``, ``steerability``).
        mode: Label of the mode in the tables.
        args: Task arguments (``-T`` options).
        roles: Model roles bound to the scripted judge (unbound roles fall back to the evaluated
            model, which is the same scripted model here).
        epochs: Epochs per sample (pass@k runs ``k`` attempts per sample).
    """

    evaluation_type: str
    mode: str
    args: dict[str, Any] = field(default_factory=dict)
    roles: tuple[str, ...] = ("critic", "judge")
    epochs: int = 1

    @property
    def task_name(self) -> str:
        """Name of the task function."""
        return TASKS[self.evaluation_type][1]


PERSONA_MODES = ("baseline", "output_only", "chain_of_thought", "demographic_summary")

CASES: list[Case] = [
    *(Case("main", f"mode={mode}", {"mode": mode}) for mode in PERSONA_MODES),
    Case("main", "debate_rounds=1", {"debate_rounds": 1}),
    Case("main", "debate_rounds=2", {"debate_rounds": 2}),
    Case("main", "identify_k=4", {"identify_k": 4}),
    Case("loo", "8 attributes (default)", {}),
    Case("intersectionality", "sex x age groups (default)", {"n_per_group": 10}),
    Case("pass_at_k", "k=5 (per attempt)", {"k": 5}, epochs=5),
    Case("steerability", "statements_per_call=1", {"personas": 4, "cross": 1, "statements": 8}),
    Case(
        "steerability", "statements_per_call=4", {"personas": 4, "cross": 1, "statements": 8, "statements_per_call": 4}
    ),
    Case("steerability", "include_label", {"personas": 4, "cross": 1, "statements": 8, "include_label": True}),
    Case("alignment_targets", "comparative_regression", {"method": "comparative_regression"}),
    Case("alignment_targets", "comparative_regression, samples=3", {"method": "comparative_regression", "samples": 3}),
    Case("alignment_targets", "regression", {"method": "regression"}),
    Case("alignment_targets", "prompt_aligned", {"method": "prompt_aligned"}),
    Case("alignment_targets", "unaligned", {"method": "unaligned"}),
    Case("alignment_targets", "oracle (no model)", {"method": "oracle"}),
]
"""Every benchmarked task and mode; alignment targets are ``sampled`` (1 to 5 attributes)."""


def uncovered_types() -> list[str]:
    """Return the evaluation types of ``pluralbench.api`` that no case benchmarks.

    Returns:
        The uncovered types, in API order.
    """
    covered = {case.evaluation_type for case in CASES}
    return [name for name in EVALUATION_TYPES if name not in covered]
