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

from pluralbench._structured import StructuredMode
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.types import ExampleKind

from .baselines import oracle_response, random_response
from .choice import prompt_aligned_choice, unaligned_choice
from .rating import rating_solver


@dataclass(frozen=True)
class Method:
    """One entry of the method registry.

    Attributes:
        build: Builds the solver from the few-shot pool, ``samples``, ``seed`` and the ``structured`` option.
        examples: How the method uses few-shot examples (``none`` when it uses none).
        calls: Whether the method calls the model (``samples`` > 1 is refused for those that do not).
    """

    build: Callable[[ExamplePool, int, int, StructuredMode], Solver]
    examples: ExampleKind
    calls: bool = True


METHODS: dict[str, Method] = {
    "unaligned": Method(lambda pool, samples, seed, structured: unaligned_choice(seed, structured, samples), "none"),
    "prompt_aligned": Method(
        lambda pool, samples, seed, structured: prompt_aligned_choice(pool, seed, structured, samples), "choices"
    ),
    "comparative_regression": Method(
        lambda pool, samples, seed, structured: rating_solver(pool, True, samples, seed, structured), "ratings"
    ),
    "regression": Method(
        lambda pool, samples, seed, structured: rating_solver(pool, False, samples, seed, structured), "single_ratings"
    ),
    "random": Method(lambda pool, samples, seed, structured: random_response(seed), "none", calls=False),
    "oracle": Method(lambda pool, samples, seed, structured: oracle_response(seed), "none", calls=False),
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
