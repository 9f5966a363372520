"""Steerability task: can a few statements steer a model to one persona's agreement, and not another's?

After the trade-off steerable benchmark (100 framework personas, agree/disagree statements,
few-shot steering), with its flaws fixed: the label is hidden unless asked for, scores that a
constant answerer cannot game (balanced accuracy, steerability margin) stand beside the
published score, and each steered persona is tested on ``cross`` other personas instead of all
of them (11,200 calls instead of 89,600 by default), with bootstrap intervals on every score.
"""

from __future__ import annotations

from inspect_ai import Task, task

from pluralbench.model import default_task_model
from pluralbench.steerability.data import load_steerability_data
from pluralbench.steerability.dataset import build_design, steerability_dataset
from pluralbench.steerability.scorers import steerability_scorer
from pluralbench.steerability.solvers import few_shot_steering

TASK_VERSION = 2
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""


@task
def steerability(
    personas: int | str | list[str] = 40,
    n_steer: int = 4,
    cross: int | str = 4,
    statements: int | str = "all",
    include_label: bool = False,
    statements_per_call: int = 1,
    seed: int = 0,
    data: str | None = None,
) -> Task:
    """Few-shot steering to framework personas, scored on own and other personas' statements.

    Args:
        personas: Number of personas to steer (chosen round-robin across frameworks with
            ``seed``), or persona ids (a list, or comma-separated).
        n_steer: Steering statements per persona, half agree and half disagree (even, >= 0).
        cross: Other personas each steered persona is tested on, or ``all`` for the full matrix.
        statements: Test statements per test set, or ``all`` (every statement not used for steering).
        include_label: Name the persona's label (e.g. ``INTJ``) in the steering context.
        statements_per_call: Test statements answered per model call, in one JSON reply.
        seed: Seed of persona selection, steering/test splits and cross assignment.
        data: Statements to use instead of the bundled ones: a ``.jsonl`` in our layout, the
            original benchmark's ``statements.csv``, or a directory holding it.

    Returns:
        The task.
    """
    design = build_design(
        load_steerability_data(data),
        personas=personas,
        n_steer=n_steer,
        cross=cross,
        statements=statements,
        statements_per_call=statements_per_call,
        seed=seed,
    )
    cost = design.cost
    return Task(
        dataset=steerability_dataset(design),
        solver=few_shot_steering(include_label=include_label),
        scorer=steerability_scorer(),
        model=default_task_model(),
        version=TASK_VERSION,
        metadata={
            "personas": [persona.persona_id for persona in design.personas],
            "statements_per_set": design.statements,
            "calls": cost.calls,
            "full_matrix_calls": cost.full_matrix_calls,
        },
    )
