"""Alignment-target task: steerable pluralism with few-shot comparative regression.

Design after Adams et al. 2025 (arXiv 2508.08509): multi-response datasets (HelpSteer2's five
quality attributes, the Moral Integrity Corpus's six moral foundations) become steerable
benchmarks. Given a prompt, several responses and a target such as
``{"correctness": 0.25, "verbosity": 1.0}``, the method must choose the response whose
attributes are nearest the target. Fixes to the published scorer: items on which every
response ties are unscored and counted instead of silently dropped, and the distance score
is reported next to accuracy, with intervals on every score and the chance level alongside.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task

from pluralbench._errors import InputError
from pluralbench.alignment.dataset import ExampleRequest, alignment_dataset, load_alignment_data, resolve_target
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.scorers import alignment_target, alignment_ties
from pluralbench.alignment.solvers import METHODS
from pluralbench.model import default_task_model

TASK_VERSION = 2
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""


def _check_options(method: str, n_examples: int, samples: int) -> None:
    if method not in METHODS:
        raise InputError(f"option method={method!r}: must be one of {', '.join(METHODS)}")
    if n_examples < 0:
        raise InputError(f"option n_examples={n_examples}: must be 0 or more")
    if samples < 1:
        raise InputError(f"option samples={samples}: must be 1 or more")


@task
def alignment_targets(
    dataset: str = "bundled",
    target: str | dict[str, Any] = "sampled",
    method: str = "comparative_regression",
    n_examples: int = 3,
    samples: int = 1,
    seed: int = 0,
) -> Task:
    """Choose, among several responses, the one nearest an alignment target over attributes.

    Args:
        dataset: ``bundled`` (written for this project, 140 eval items, HelpSteer2 attributes),
            ``helpsteer2`` (``nvidia/HelpSteer2`` from the Hugging Face hub), a path to the Moral
            Integrity Corpus ``MIC.csv``, or a path to an alignment item ``.jsonl`` file.
        target: A bundled target name (e.g. ``high``, ``low_verbosity``, ``random_3``,
            ``mic_high_care``), a path to a JSON file with one target object, an inline JSON object
            such as ``{"correctness": 0.25, "verbosity": 1.0}``, or ``sampled``: every item gets its
            own seeded random target over 1..n attributes (a sweep).
        method: ``comparative_regression`` (rate all responses side by side per attribute),
            ``regression`` (rate each response alone), ``prompt_aligned`` (target described in
            words), ``unaligned`` (target not shown), or the model-free ``random`` and ``oracle``.
        n_examples: Few-shot examples per call (similar prompts covering the attribute's levels);
            0 for none. Used by the rating methods and ``prompt_aligned``.
        samples: Rating calls averaged per value (rating methods), each with its own response order.
        seed: Seed of the HelpSteer2/MIC split, sampled targets, response orders and random picks.

    Returns:
        The task.

    Raises:
        InputError: On an unknown method or dataset, a bad target, or out-of-range numbers,
            before any model call.
    """
    _check_options(method, n_examples, samples)
    data = load_alignment_data(dataset, seed)
    target_name, target_values = resolve_target(target, data)
    pool = ExamplePool(data.split("train"), name=f"{data.name} train split")
    spec = METHODS[method]
    if spec.examples != "none" and n_examples > 0 and not pool.items:
        raise InputError(f"option n_examples={n_examples}: dataset {data.name} has no train items; use n_examples=0")
    examples = ExampleRequest(spec.examples, pool, n_examples)
    return Task(
        dataset=alignment_dataset(data, target_name, target_values, seed, examples),
        solver=spec.build(pool, samples, seed),
        scorer=[alignment_target(), alignment_ties()],
        model=default_task_model(),
        version=TASK_VERSION,
        metadata={"dataset": data.name, "target": target_name, "method": method, "attributes": list(data.attributes)},
    )
