"""Steerability task: can a few statements steer a model to one persona's agreement, and not another's?

After the trade-off steerable benchmark (100 framework personas, agree/disagree statements,
few-shot steering), with its flaws fixed: the label is hidden unless asked for, scores that a
constant answerer cannot game (balanced accuracy, steerability margin) stand beside the
published score, and each steered persona is tested on ``cross`` other personas instead of all
of them (11,200 calls instead of 89,600 by default), with bootstrap intervals on every score.
"""

from __future__ import annotations

import logging
from typing import Literal

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from pluralbench._options import COUNT, NON_NEGATIVE, SEED, Option, validate_options
from pluralbench._presets import apply_preset
from pluralbench._structured import StructuredMode
from pluralbench.model import default_task_model
from pluralbench.steerability.data import load_steerability_data
from pluralbench.steerability.dataset import SteerabilityDesign, build_design, steerability_dataset
from pluralbench.steerability.metrics import steerability_metrics
from pluralbench.steerability.presets import PRESETS
from pluralbench.steerability.scorers import steerability_scorer
from pluralbench.steerability.solvers import few_shot_steering

TASK_VERSION = 3
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""

logger = logging.getLogger(__name__)

TRIM_WARNING = (
    "steerability: statements=all trimmed every test set to the smallest ({statements}), leaving out "
    "{trimmed} held-out statement(s)"
)


def _warn(design: SteerabilityDesign) -> None:
    """Log one line for each way the design leaves out data.

    A partial matrix is warned about once, at the end of the run, by the ``original_score_absent_cells``
    diagnostic (it also covers cells that ``--limit`` left out).
    """
    if design.counts["statements_trimmed"]:
        logger.warning(TRIM_WARNING.format(statements=design.statements, trimmed=design.counts["statements_trimmed"]))
    if design.counts["steering_repeats_dropped"]:
        logger.warning(
            f"steerability: {design.counts['steering_repeats_dropped']} test statement(s) repeat a steering "
            "statement of the steered persona and had no replacement of the same label, so their cells are "
            "smaller and unbalanced (balanced accuracy weighs both labels equally)"
        )


@task
@validate_options(
    personas=Option(ge=1, allowed="a count >= 1, a persona id, comma-separated persona ids or a list of ids"),
    n_steer=NON_NEGATIVE,
    cross=NON_NEGATIVE,
    statements=COUNT,
    statements_per_call=COUNT,
    seed=SEED,
    data=Option(allowed="a statements file or directory path"),
)
@apply_preset(PRESETS)
def steerability(
    personas: int | str | list[str | int] = 40,
    n_steer: int = 4,
    cross: int | Literal["all"] = 4,
    statements: int | Literal["all"] = "all",
    include_label: bool = False,
    statements_per_call: int = 1,
    seed: int = 0,
    data: str | None = None,
    split: Literal["balanced", "original"] = "balanced",
    shared_statements: Literal["keep", "exclude"] = "keep",
    preset: Literal["original", "smoke"] | None = None,
    structured: StructuredMode = "auto",
) -> Task:
    """Few-shot steering to framework personas, scored on own and other personas' statements.

    Args:
        personas: Number of personas to steer (chosen round-robin across frameworks with
            ``seed``), or persona ids (a list, or comma-separated). A bare number is a persona
            id when a persona has that id (the original's ids are 8 hex digits, some all
            digits, e.g. ``70099880``), else a count; a number that is both is refused.
        n_steer: Steering statements per persona, half agree and half disagree (even, >= 0).
        cross: Other personas each steered persona is tested on, or ``all`` for the full matrix.
        statements: Test statements per test set, or ``all`` (every statement not used for steering).
        include_label: Name the persona's label (e.g. ``INTJ``) in the steering context.
        statements_per_call: Test statements answered per model call, in one JSON reply.
        seed: Seed of persona selection, steering/test splits, cross assignment and the bootstrap intervals.
        data: Statements to use instead of the bundled ones: a ``.jsonl`` in our layout, the
            original benchmark's ``statements.csv``, or a directory holding it.
        split: ``balanced`` (ours: balanced steering and test sets, personas round-robin
            across frameworks) or ``original`` (the original's persona sample, steering draw
            and file-order test sets; see :mod:`pluralbench.steerability.dataset`).
        shared_statements: ``keep`` or ``exclude`` the statements whose text several personas
            share (counted in the task metadata either way; some carry opposite labels).
        preset: ``original`` runs the published design as far as it is documented: it sets
            personas 40, split original, seed 42, n_steer 4, cross all, statements all,
            include_label true, statements_per_call 1, shared_statements keep, and temperature
            0.0; passing one of those options with another value is refused. ``smoke`` is a
            run of about a minute with every headline defined (4 personas, cross 1, 8
            balanced statements per cell); its numbers are comparable with nothing.
        structured: How JSON replies (``statements_per_call`` > 1) are asked for: ``auto``
            (the schema where the provider takes it, else falls back after the first refusal),
            ``schema``, ``json_object`` or ``prompt``.

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
        split=split,
        shared=shared_statements,
    )
    _warn(design)
    cost = design.cost
    temperature = PRESETS[preset].temperature if preset is not None else None
    return Task(
        dataset=steerability_dataset(design, seed),
        solver=few_shot_steering(include_label=include_label, structured=structured),
        scorer=steerability_scorer(),
        metrics=steerability_metrics(seed),
        model=default_task_model(),
        version=TASK_VERSION,
        config=GenerateConfig(temperature=temperature),
        metadata={
            "personas": [persona.persona_id for persona in design.personas],
            "statements_per_set": design.statements,
            "samples": design.samples,
            "calls": design.calls,
            "full_matrix": design.full_matrix,
            "full_matrix_calls": cost.full_matrix_calls,
            "preset": preset,
            **design.counts,
        },
    )
