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
from pluralbench._metrics import with_metrics
from pluralbench._options import COUNT, NON_NEGATIVE, SEED, Option, validate_options
from pluralbench._structured import StructuredMode
from pluralbench.alignment.dataset import ExampleRequest, alignment_dataset, load_alignment_data, resolve_targets
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.scorers import alignment_metrics, alignment_target, alignment_ties, per_target_metrics
from pluralbench.alignment.solvers import METHODS
from pluralbench.model import default_task_model

TASK_VERSION = 3
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""

METHOD = Option(allowed=f"one of {', '.join(repr(name) for name in METHODS)}")


@task
@validate_options(
    dataset=Option(
        allowed="'bundled', 'helpsteer2', a MIC.csv path, an alignment item .jsonl path, "
        "or steerable pluralism's eval.json/train.json or their directory"
    ),
    target=Option(
        allowed="a bundled target name, 'sampled', a target JSON file path, a JSON object, "
        "a list of target names/files or a directory of target files"
    ),
    method=METHOD,
    n_examples=NON_NEGATIVE,
    samples=COUNT,
    seed=SEED,
)
def alignment_targets(
    dataset: str = "bundled",
    target: str | list[str] | dict[str, Any] = "sampled",
    method: str = "comparative_regression",
    n_examples: int = 3,
    samples: int = 1,
    seed: int = 0,
    structured: StructuredMode = "auto",
) -> Task:
    """Choose, among several responses, the one nearest an alignment target over attributes.

    Args:
        dataset: ``bundled`` (written for this project, 140 eval items, HelpSteer2 attributes),
            ``helpsteer2`` (``nvidia/HelpSteer2`` from the Hugging Face hub), a path to the Moral
            Integrity Corpus ``MIC.csv``, a path to an alignment item ``.jsonl`` file, or steerable
            pluralism's shipped data: its ``eval.json``/``train.json`` (a JSON array of prompt,
            responses, labels and, in train, reasonings) or a directory holding both, such as its
            ``data/helpsteer2/``; ids are derived (``eval-0001``), the split comes from the file name.
        target: A bundled target name (e.g. ``high``, ``low_verbosity``, ``random_3``,
            ``mic_high_care``), a path to a JSON file with one target object, an inline JSON object
            such as ``{"correctness": 0.25, "verbosity": 1.0}``, or ``sampled``: every item gets its
            own seeded random target over 1..n attributes (a sweep). Several fixed targets run as one
            task: ``a.json,b.json``, a YAML list, or a directory of target ``.json`` files (one
            sample per item and target; metrics ``target:<name>`` and ``target:<name>:distance``
            per target, beside the overall ones).
        method: ``comparative_regression`` (rate all responses side by side per attribute),
            ``regression`` (rate each response alone), ``prompt_aligned`` (target described in
            words), ``unaligned`` (target not shown), or the model-free ``random`` and ``oracle``.
        n_examples: Few-shot examples per call (similar prompts covering the attribute's levels);
            0 for none. Used by the rating methods and ``prompt_aligned``.
        samples: Model calls per decision, each with its own response order: the rating methods
            average the ratings of each value, ``unaligned`` and ``prompt_aligned`` take the majority
            of the choices (a tie broken at random, seeded; the votes are in the selection). Must be
            1 for ``random`` and ``oracle``, which call no model.
        seed: Seed of the HelpSteer2/MIC split, sampled targets, response orders, random picks and the
            bootstrap intervals.
        structured: How JSON replies are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.

    Returns:
        The task.

    Raises:
        InputError: On an unknown method or dataset, a bad target, or out-of-range numbers,
            before any model call.
    """
    if method not in METHODS:
        raise InputError(f"option method={method!r}: must be {METHOD.allowed}")
    data = load_alignment_data(dataset, seed)
    targets = resolve_targets(target, data)
    metrics = alignment_metrics(seed) + (per_target_metrics(seed) if len(targets) > 1 else [])
    pool = ExamplePool(data.split("train"), name=f"{data.name} train split")
    spec = METHODS[method]
    if samples > 1 and not spec.calls:
        raise InputError(f"option samples={samples}: method={method} calls no model; use samples=1")
    if spec.examples != "none" and n_examples > 0 and not pool.items:
        raise InputError(f"option n_examples={n_examples}: dataset {data.name} has no train items; use n_examples=0")
    examples = ExampleRequest(spec.examples, pool, n_examples)
    return Task(
        dataset=alignment_dataset(data, targets, seed, examples),
        solver=spec.build(pool, samples, seed, structured),
        scorer=[with_metrics(alignment_target(), metrics), alignment_ties()],
        model=default_task_model(),
        version=TASK_VERSION,
        metadata={
            "dataset": data.name,
            "target": targets[0][0] if len(targets) == 1 else [name for name, _ in targets],
            "method": method,
            "attributes": list(data.attributes),
            "excluded": data.excluded,
        },
    )
