"""PERSONA tasks: personalized answers for synthetic people, judged by a debate critic.

Design after Castricato et al. 2024 (arXiv 2407.17387), with its published flaws fixed:
one answer call and one critic call per sample, the critic grades the model's own answer,
self-grading is flagged, leave-one-out hides attributes only from the answering model, and
pass@k attempts are independent epochs judged against the real question.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.log import HeadlineMetric
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric, Scorer

from pluralbench._errors import InputError
from pluralbench._files import bundled_path
from pluralbench._metrics import format_failure_rate, mean_ci, with_metrics
from pluralbench._options import COUNT, NON_NEGATIVE, SEED, Option, validate_options
from pluralbench._presets import apply_preset
from pluralbench._structured import StructuredMode
from pluralbench.model import default_task_model
from pluralbench.persona.data import SYNTHETIC_PERSONAS_OPTION, Question, pair_personas_with_questions
from pluralbench.persona.dataset import draw_group_pairs, persona_dataset, shown_attributes
from pluralbench.persona.identification import persona_identification
from pluralbench.persona.metrics import (
    FULL_PERSONA,
    GAP,
    PERSONALIZATION,
    grading_outcomes,
    group_disparity_metric,
    loo_importance,
    pass_at_attempts,
    pass_at_keys,
    persona_attempts,
)
from pluralbench.persona.options import parse_groups, parse_loo_attributes
from pluralbench.persona.presets import INTERSECTIONALITY_PRESETS, LOO_PRESETS, PASS_AT_K_PRESETS, PERSONA_PRESETS
from pluralbench.persona.scorers import critic_metrics, personalization_critic
from pluralbench.persona.solvers import GenerateMode, persona_answer
from pluralbench.persona.sources import PRISM_FILTER_OPTION, load_pools
from pluralbench.persona.sources import PRISM_OPTION as PRISM_OPTION  # re-exported: group/tasks.py reads it
from pluralbench.personas import Persona

TASK_VERSION = 3
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""

logger = logging.getLogger(__name__)

DEFAULT_LOO_ATTRIBUTES = "age,sex,race,education,income,religion,ideology,political_views"
DEFAULT_GROUPS = "groups_sex_by_age.json"


PERSONAS = Option(
    allowed=f"a persona file path (ours or persona-bench's layout) or '{SYNTHETIC_PERSONAS_OPTION}[:train|test]'"
)
QUESTIONS = Option(allowed=f"a question JSONL file path, '{PRISM_OPTION}' or '{PRISM_FILTER_OPTION}'")
COMMON_OPTIONS = {
    "seed": SEED,
    "debate_rounds": NON_NEGATIVE,
    "personas": PERSONAS,
    "questions": QUESTIONS,
    "contested_only": Option(allowed="true or false"),
}
"""Bounds of the options the PERSONA tasks share (types come from each task's annotations)."""


def _load(
    personas: str | None, questions: str | None, n: int, seed: int, contested_only: bool
) -> tuple[list[Persona], list[tuple[Persona, Question]], dict[str, Any]]:
    pool, asked, metadata = load_pools(personas, questions, contested_only)
    pairs = pair_personas_with_questions(pool, asked, n, seed)
    return pool, pairs, metadata


def _roles(debate_rounds: int, identify_k: int = 0) -> tuple[str, ...]:
    """Return the model roles the task's scorers resolve."""
    return ("critic", "judge") if debate_rounds or identify_k else ("critic",)


def _persona_task(
    dataset: MemoryDataset,
    mode: str,
    scorers: list[Scorer],
    *,
    roles: tuple[str, ...],
    headline: str,
    metrics: list[Metric | dict[str, list[Metric]]] | dict[str, list[Metric]] | None = None,
    epochs: Epochs | None = None,
    config: GenerateConfig | None = None,
    metadata: dict[str, Any] | None = None,
) -> Task:
    return Task(
        dataset=dataset,
        solver=persona_answer(mode, grading_roles=roles),  # type: ignore[arg-type]
        scorer=scorers,
        metrics=metrics,
        epochs=epochs or Epochs(1, persona_attempts()),  # every attempt's outcome reaches the metrics
        config=config or GenerateConfig(),
        model=default_task_model(),
        version=TASK_VERSION,
        headline_metric=HeadlineMetric(scorer="personalization_critic", metric=headline),
        metadata=metadata,
    )


@task
@validate_options(**COMMON_OPTIONS, n=COUNT, identify_k=NON_NEGATIVE)
@apply_preset(PERSONA_PRESETS)
def persona(
    mode: GenerateMode = "output_only",
    n: int = 100,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    contested_only: bool = False,
    identify_k: int = 0,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """PERSONA main evaluation: does the model personalize its answers in a way a critic accepts?

    Args:
        mode: Generate mode: ``baseline`` (no persona), ``output_only``, ``chain_of_thought`` or
            ``demographic_summary``.
        n: Number of (persona, question) pairs, drawn at random with ``seed``.
        seed: Seed of pairing and identification distractors.
        personas: Persona file (default: the 2,000 bundled census-grounded personas), in our
            layout or persona-bench's (spaced attribute names, no id: ids ``pb-000001``... by
            row), or ``synthetic-personas`` / ``synthetic-personas:test`` for persona-bench's
            personas on the hub (needs network on first use).
        questions: Question JSONL file (``question_id`` optional on every line; an optional
            ``requires`` premise), ``prism`` for the public PRISM prompts, ``prism-filter`` for
            persona-bench's prompts (both need network on first use), or omitted for the bundled
            value-laden questions. Pairs whose persona does not fit the question's premise are
            never drawn; the task metadata counts them (``premises``).
        debate_rounds: 0 for a single critic call; R >= 1 for R rounds of two-critic debate plus a judge.
        contested_only: Keep only the questions the model active at task load (the evaluated
            model) judges contested; the exclusions are in the task metadata (``question_source``).
        identify_k: When >= 2, also ask the judge to pick the true persona among k candidates.
        structured: How JSON verdicts are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n 4); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    if identify_k == 1:
        raise InputError(f"option identify_k={identify_k}: must be 0 (off) or at least 2")
    pool, pairs, metadata = _load(personas, questions, n, seed, contested_only)
    if identify_k > len(pool):
        raise InputError(f"option identify_k={identify_k}: only {len(pool)} personas to draw candidates from")
    dataset = persona_dataset(pairs, name=f"persona-{mode}", persona_pool=pool, identify_k=identify_k, seed=seed)
    scorers = [with_metrics(personalization_critic(debate_rounds, structured), critic_metrics(seed))]
    if identify_k:
        scorers.append(persona_identification(structured))
    return _persona_task(
        dataset,
        mode,
        scorers,
        roles=_roles(debate_rounds, identify_k),
        headline=PERSONALIZATION,
        metadata=metadata,
    )


@task
@validate_options(
    **COMMON_OPTIONS,
    n=COUNT,
    attributes=Option(allowed="attribute names (comma-separated or a list) or a JSON file path"),
)
@apply_preset(LOO_PRESETS)
def persona_loo(
    attributes: str | list[str] = DEFAULT_LOO_ATTRIBUTES,
    mode: GenerateMode = "output_only",
    n: int = 20,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    contested_only: bool = False,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """Leave-one-out: how much does each attribute contribute to personalization?

    Each pair is answered once with the full persona, once per listed attribute its persona has
    with that attribute hidden from the answering model, and once with all of them hidden (the
    ``all_hidden`` baseline); the critic always sees the full persona. Logged: ``full_persona``
    (the headline: the score with the full persona), ``all_hidden``, and for each attribute
    ``importance[<attribute>]`` = score(full) - score(without attribute) over the pairs whose
    persona has it, paired, with a paired bootstrap 95% interval and ``_n`` (those pairs).

    Args:
        attributes: Comma-separated attribute names, or a JSON file ``{"attributes": [...]}``.
        mode: Generate mode (see ``persona``).
        n: Number of (persona, question) pairs; each yields up to ``2 + len(attributes)`` samples.
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).
        contested_only: Keep only the questions a model judges contested (see ``persona``).
        structured: How JSON verdicts are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n 2, attributes religion); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    names = parse_loo_attributes(attributes)
    pool, pairs, metadata = _load(personas, questions, n, seed, contested_only)
    dataset = persona_dataset(
        pairs, name=f"persona-loo-{mode}", persona_pool=pool, identify_k=0, seed=seed, loo_attributes=names
    )
    _warn_missing_attributes(pairs, names)
    metrics: list[Metric | dict[str, list[Metric]]] = [loo_importance(seed), format_failure_rate(), grading_outcomes()]
    return _persona_task(
        dataset,
        mode,
        [personalization_critic(debate_rounds, structured)],
        roles=_roles(debate_rounds),
        headline=FULL_PERSONA,
        metrics=metrics,
        metadata=metadata,
    )


def _warn_missing_attributes(pairs: list[tuple[Persona, Question]], attributes: tuple[str, ...]) -> None:
    """Warn about listed attributes that no drawn persona has (their importance cannot be computed)."""
    shown = {name for persona_, _ in pairs for name in shown_attributes(persona_, attributes)}
    missing = [name for name in attributes if name not in shown]
    if missing:
        logger.warning(
            f"persona_loo: no drawn persona has {', '.join(missing)}: no variant hides it, its importance is NaN"
        )


@task
@validate_options(**COMMON_OPTIONS, groups=Option(allowed="a groups JSON file path"), n_per_group=COUNT, min_n=COUNT)
@apply_preset(INTERSECTIONALITY_PRESETS)
def persona_intersectionality(
    groups: str | None = None,
    n_per_group: int = 20,
    min_n: int = 5,
    mode: GenerateMode = "output_only",
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    contested_only: bool = False,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """Intersectionality: for whom does personalization fail? Per-group scores and disparity.

    Args:
        groups: JSON file of groups (default: sex x age bands). Layout
            ``{"groups": [{"name": ..., "conditions": [{"attribute": "age", "range": [18, 34]},
            {"attribute": "sex", "values": ["Female"]}]}]}``; the original benchmark's list of
            ``{"attributes": [{"attribute", "values"}]}`` is accepted too.
        n_per_group: Pairs wanted per group. Pairs are drawn once from the union of the groups,
            stratified by cell (personas in exactly the same groups), and each counts in every
            group its persona is in; each group's estimate weights its cells by their share of
            the group's personas (see :func:`pluralbench.persona.metrics.group_disparity`).
        min_n: Groups with fewer scored samples are reported but left out of the disparity.
        mode: Generate mode (see ``persona``).
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).
        contested_only: Keep only the questions a model judges contested (see ``persona``).
        structured: How JSON verdicts are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n_per_group 1, min_n 1); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    parsed = parse_groups(groups or bundled_path(DEFAULT_GROUPS))
    pool, asked, metadata = load_pools(personas, questions, contested_only)
    pairs, membership, cell_sizes = draw_group_pairs(pool, parsed, asked, n_per_group, seed)
    dataset = persona_dataset(
        pairs,
        name=f"persona-intersectionality-{Path(str(groups or DEFAULT_GROUPS)).stem}",
        persona_pool=pool,
        identify_k=0,
        seed=seed,
        groups_of=membership,
        cell_sizes=cell_sizes,
    )
    metrics: list[Metric | dict[str, list[Metric]]] = [
        group_disparity_metric(min_n, seed),
        format_failure_rate(),
        grading_outcomes(),
    ]
    return _persona_task(
        dataset,
        mode,
        [personalization_critic(debate_rounds, structured)],
        roles=_roles(debate_rounds),
        headline=GAP,
        metrics=metrics,
        metadata=metadata,
    )


@task
@validate_options(**COMMON_OPTIONS, n=COUNT, k=COUNT, temperature=Option(ge=0))
@apply_preset(PASS_AT_K_PRESETS)
def persona_pass_at_k(
    k: int = 5,
    temperature: float = 1.0,
    mode: GenerateMode = "output_only",
    n: int = 50,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    contested_only: bool = False,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """pass@k: how many independent attempts does the model need to satisfy the critic?

    Each sample runs as ``k`` inspect epochs (fresh context each); the critic judges each
    attempt against the real question; one epoch reducer gives each sample's pass@1..pass@k
    (unbiased estimator), logged as ``pass_at_<j>``, each with its interval, stderr and ``_n``.
    A format failure is a failed attempt; a sample with an unscored attempt (unreadable verdict,
    context overflow) leaves every pass@j, so all points of the curve are over the same samples.

    Args:
        k: Attempts per sample (>= 1).
        temperature: Sampling temperature of the attempts (0 makes attempts identical).
        mode: Generate mode (see ``persona``).
        n: Number of (persona, question) pairs.
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).
        contested_only: Keep only the questions a model judges contested (see ``persona``).
        structured: How JSON verdicts are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n 2, k 2); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    pool, pairs, metadata = _load(personas, questions, n, seed, contested_only)
    dataset = persona_dataset(pairs, name=f"persona-pass-at-{k}", persona_pool=pool, identify_k=0, seed=seed)
    metrics: list[Metric | dict[str, list[Metric]]] = [
        *(mean_ci(key, with_stderr=True, seed=seed) for key in pass_at_keys(k)),
        format_failure_rate(),
        grading_outcomes(),
    ]
    return _persona_task(
        dataset,
        mode,
        [personalization_critic(debate_rounds, structured)],
        roles=_roles(debate_rounds),
        headline=pass_at_keys(k)[-1],
        metrics=metrics,
        epochs=Epochs(k, pass_at_attempts(k)),
        config=GenerateConfig(temperature=temperature),
        metadata=metadata,
    )
