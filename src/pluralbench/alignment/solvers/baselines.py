"""Model-free baselines: a seeded random pick (the floor) and the nearest response by the true labels (the ceiling)."""

from __future__ import annotations

from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench.alignment.geometry import choose_nearest
from pluralbench.alignment.types import Selection

from ._shared import finish, sample_context


@solver
def random_response(seed: int = 0) -> Solver:
    """Pick a response uniformly at random (seeded); no model call.

    Args:
        seed: Seed of the pick.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, "random", seed, "auto")
        choice = context.rng.randrange(len(context.meta.responses))
        return finish(state, Selection(method="random", choice=choice), None)

    return solve


@solver
def oracle_response(seed: int = 0) -> Solver:
    """Pick a response nearest the target by the true labels; no model call (the ceiling).

    Args:
        seed: Seed of the tie-breaking.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        context = sample_context(state, "oracle", seed, "auto")
        choice = choose_nearest(context.meta.labels, context.meta.target, context.rng)
        return finish(state, Selection(method="oracle", choice=choice), None)

    return solve
