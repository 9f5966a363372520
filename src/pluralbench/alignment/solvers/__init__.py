"""Response selection for the alignment-target task: the methods of Adams et al. 2025 and baselines.

Every method writes a :class:`~pluralbench.alignment.types.Selection` to
``state.metadata["selection"]``: the chosen response (an index into the sample's responses,
``None`` when the model's replies could not be used), the predicted attribute values when the
method predicts them, and the reasons replies failed. Responses are shown in a seeded random
order and replies are mapped back, so a model's preference for a position cannot become a
preference for an original response.

:data:`METHODS` is the registry of the task's ``method`` option: each entry builds the method's
solver and says how the method uses few-shot examples (chosen when the dataset is built and
stored in each sample's metadata, so the log shows them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inspect_ai.solver import Solver

from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.types import ExampleKind

from .baselines import oracle_response, random_response
from .choice import prompt_aligned_choice, unaligned_choice
from .rating import rating_solver


@dataclass(frozen=True)
class Method:
    """One entry of the method registry.

    Attributes:
        build: Builds the solver from the few-shot pool, ``samples`` and ``seed``.
        examples: How the method uses few-shot examples (``none`` when it uses none).
    """

    build: Callable[[ExamplePool, int, int], Solver]
    examples: ExampleKind


METHODS: dict[str, Method] = {
    "unaligned": Method(lambda pool, samples, seed: unaligned_choice(seed), "none"),
    "prompt_aligned": Method(lambda pool, samples, seed: prompt_aligned_choice(pool, seed), "choices"),
    "comparative_regression": Method(
        lambda pool, samples, seed: rating_solver(pool, comparative=True, samples=samples, seed=seed), "ratings"
    ),
    "regression": Method(
        lambda pool, samples, seed: rating_solver(pool, comparative=False, samples=samples, seed=seed), "single_ratings"
    ),
    "random": Method(lambda pool, samples, seed: random_response(seed), "none"),
    "oracle": Method(lambda pool, samples, seed: oracle_response(seed), "none"),
}
"""The task's ``method`` option: name -> how to build it."""

__all__ = [
    "METHODS",
    "Method",
    "oracle_response",
    "prompt_aligned_choice",
    "random_response",
    "rating_solver",
    "unaligned_choice",
]
