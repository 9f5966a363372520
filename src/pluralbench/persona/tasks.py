"""PERSONA tasks: personalized answers for synthetic people, judged by a debate critic.

Design after Castricato et al. 2024 (arXiv 2407.17387), with its published flaws fixed:
one answer call and one critic call per sample, the critic grades the model's own answer,
self-grading is flagged, leave-one-out hides attributes only from the answering model, and
pass@k attempts are independent epochs judged against the real question.
"""

from __future__ import annotations

import logging
from pathlib import Path

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric, Scorer, grouped, mean, stderr

from pluralbench._errors import InputError
from pluralbench._files import bundled_path
from pluralbench._metrics import mean_ci
from pluralbench.model import default_task_model
from pluralbench.persona.data import Question, load_personas, load_questions, pair_personas_with_questions
from pluralbench.persona.dataset import persona_dataset
from pluralbench.persona.identification import persona_identification
from pluralbench.persona.metrics import group_disparity_metric, loo_importance, mean_and_pass_at, pass_at_keys
from pluralbench.persona.options import Group, parse_groups, parse_loo_attributes
from pluralbench.persona.prism import load_prism_questions
from pluralbench.persona.scorers import personalization_critic
from pluralbench.persona.solvers import GENERATE_MODES, GenerateMode, persona_answer
from pluralbench.personas import Persona

TASK_VERSION = 2
"""Version of the scores this family's tasks log; CHANGELOG.md says what each version changed."""

logger = logging.getLogger(__name__)

PRISM_OPTION = "prism"
DEFAULT_LOO_ATTRIBUTES = "age,sex,race,education,income,religion,ideology,political_views"
DEFAULT_GROUPS = "groups_sex_by_age.json"


def _check_common(mode: str, debate_rounds: int, identify_k: int = 0) -> None:
    if mode not in GENERATE_MODES:
        raise InputError(f"option mode={mode!r}: must be one of {', '.join(GENERATE_MODES)}")
    if debate_rounds < 0:
        raise InputError(f"option debate_rounds={debate_rounds}: must be 0 or more")
    if identify_k == 1 or identify_k < 0:
        raise InputError(f"option identify_k={identify_k}: must be 0 (off) or at least 2")


def _questions(questions: str | None) -> list[Question]:
    """Load the question option: a JSONL file, ``prism`` (the public PRISM dataset), or bundled."""
    if questions != PRISM_OPTION:
        return load_questions(questions)
    selection = load_prism_questions()
    logger.warning(f"PRISM: kept {len(selection.questions)} questions; excluded {dict(selection.excluded)}")
    return selection.questions


def _load(
    personas: str | None, questions: str | None, n: int, seed: int
) -> tuple[list[Persona], list[tuple[Persona, Question]]]:
    pool = load_personas(personas)
    pairs = pair_personas_with_questions(pool, _questions(questions), n, seed)
    return pool, pairs


def _persona_task(
    dataset: MemoryDataset,
    mode: str,
    scorers: list[Scorer],
    metrics: list[Metric | dict[str, list[Metric]]] | dict[str, list[Metric]] | None = None,
    epochs: Epochs | None = None,
    config: GenerateConfig | None = None,
) -> Task:
    return Task(
        dataset=dataset,
        solver=persona_answer(mode),  # type: ignore[arg-type]
        scorer=scorers,
        metrics=metrics,
        epochs=epochs,
        config=config or GenerateConfig(),
        model=default_task_model(),
        version=TASK_VERSION,
    )


@task
def persona(
    mode: GenerateMode = "output_only",
    n: int = 100,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    identify_k: int = 0,
) -> Task:
    """PERSONA main evaluation: does the model personalize its answers in a way a critic accepts?

    Args:
        mode: Generate mode: ``baseline`` (no persona), ``output_only``, ``chain_of_thought`` or
            ``demographic_summary``.
        n: Number of (persona, question) pairs, drawn at random with ``seed``.
        seed: Seed of pairing and identification distractors.
        personas: Persona JSONL file (default: the 2,000 bundled census-grounded personas).
        questions: Question JSONL file, ``prism`` for the public PRISM prompts (needs network on
            first use), or omitted for the bundled value-laden questions.
        debate_rounds: 0 for a single critic call; R >= 1 for R rounds of two-critic debate plus a judge.
        identify_k: When >= 2, also ask the judge to pick the true persona among k candidates.

    Returns:
        The task.
    """
    _check_common(mode, debate_rounds, identify_k)
    pool, pairs = _load(personas, questions, n, seed)
    if identify_k > len(pool):
        raise InputError(f"option identify_k={identify_k}: only {len(pool)} personas to draw candidates from")
    dataset = persona_dataset(pairs, name=f"persona-{mode}", persona_pool=pool, identify_k=identify_k, seed=seed)
    scorers = [personalization_critic(debate_rounds)]
    if identify_k:
        scorers.append(persona_identification())
    return _persona_task(dataset, mode, scorers)


@task
def persona_loo(
    attributes: str | list[str] = DEFAULT_LOO_ATTRIBUTES,
    mode: GenerateMode = "output_only",
    n: int = 20,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
) -> Task:
    """Leave-one-out: how much does each attribute contribute to personalization?

    Each pair is answered once with the full persona and once per attribute with that attribute
    hidden from the answering model; the critic always sees the full persona. Importance =
    score(full) - score(without attribute), paired, with a paired bootstrap 95% interval.

    Args:
        attributes: Comma-separated attribute names, or a JSON file ``{"attributes": [...]}``.
        mode: Generate mode (see ``persona``).
        n: Number of (persona, question) pairs; each yields ``1 + len(attributes)`` samples.
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).

    Returns:
        The task.
    """
    names = parse_loo_attributes(attributes)
    _check_common(mode, debate_rounds)
    pool, pairs = _load(personas, questions, n, seed)
    dataset = persona_dataset(
        pairs, name=f"persona-loo-{mode}", persona_pool=pool, identify_k=0, seed=seed, loo_attributes=names
    )
    metrics: list[Metric | dict[str, list[Metric]]] = [
        mean_ci(),
        stderr(),
        grouped(mean(), "variant", all=False),
        loo_importance(),
    ]
    return _persona_task(dataset, mode, [personalization_critic(debate_rounds)], metrics=metrics)


def _group_pairs(
    pool: list[Persona], groups: list[Group], questions: list[Question], n_per_group: int, seed: int
) -> tuple[list[tuple[Persona, Question]], dict[str, list[str]]]:
    membership = {p.persona_id: [g.name for g in groups if g.matches(p)] for p in pool}
    pairs = []
    seen: set[tuple[str, str]] = set()
    for index, group in enumerate(groups):
        members = [p for p in pool if group.name in membership[p.persona_id]]
        if not members:
            raise InputError(f"group '{group.name}' matches no persona")
        count = min(n_per_group, len(members) * len(questions))
        for persona_, question in pair_personas_with_questions(members, questions, count, seed + index):
            key = (persona_.persona_id, question.question_id)
            if key not in seen:
                seen.add(key)
                pairs.append((persona_, question))
    return pairs, membership


@task
def persona_intersectionality(
    groups: str | None = None,
    n_per_group: int = 20,
    min_n: int = 5,
    mode: GenerateMode = "output_only",
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
) -> Task:
    """Intersectionality: for whom does personalization fail? Per-group scores and disparity.

    Args:
        groups: JSON file of groups (default: sex x age bands). Layout
            ``{"groups": [{"name": ..., "conditions": [{"attribute": "age", "range": [18, 34]},
            {"attribute": "sex", "values": ["Female"]}]}]}``; the original benchmark's list of
            ``{"attributes": [{"attribute", "values"}]}`` is accepted too.
        n_per_group: Pairs drawn for each group (a persona in several groups counts in each).
        min_n: Groups with fewer scored samples are reported but left out of the disparity.
        mode: Generate mode (see ``persona``).
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).

    Returns:
        The task.
    """
    _check_common(mode, debate_rounds)
    if n_per_group < 1 or min_n < 1:
        raise InputError(f"options n_per_group={n_per_group}, min_n={min_n}: must be at least 1")
    parsed = parse_groups(groups or bundled_path(DEFAULT_GROUPS))
    pool = load_personas(personas)
    pairs, membership = _group_pairs(pool, parsed, _questions(questions), n_per_group, seed)
    dataset = persona_dataset(
        pairs,
        name=f"persona-intersectionality-{Path(str(groups or DEFAULT_GROUPS)).stem}",
        persona_pool=pool,
        identify_k=0,
        seed=seed,
        groups_of=membership,
    )
    metrics: list[Metric | dict[str, list[Metric]]] = [
        mean_ci(),
        stderr(),
        group_disparity_metric(min_n),
    ]
    return _persona_task(dataset, mode, [personalization_critic(debate_rounds)], metrics=metrics)


@task
def persona_pass_at_k(
    k: int = 5,
    temperature: float = 1.0,
    mode: GenerateMode = "output_only",
    n: int = 50,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
) -> Task:
    """pass@k: how many independent attempts does the model need to satisfy the critic?

    Each sample runs as ``k`` inspect epochs (fresh context each); the critic judges each
    attempt against the real question; one epoch reducer gives each sample's mean and pass@1..pass@k
    (unbiased estimator), logged as ``mean`` and ``pass_at_<j>``, each with its interval, n and stderr.

    Args:
        k: Attempts per sample (>= 1).
        temperature: Sampling temperature of the attempts (0 makes attempts identical).
        mode: Generate mode (see ``persona``).
        n: Number of (persona, question) pairs.
        seed: Seed of pairing.
        personas: Persona JSONL file (default: bundled).
        questions: Question JSONL file, ``prism``, or omitted for the bundled questions.
        debate_rounds: Critic debate rounds (see ``persona``).

    Returns:
        The task.
    """
    if k < 1:
        raise InputError(f"option k={k}: must be at least 1")
    _check_common(mode, debate_rounds)
    pool, pairs = _load(personas, questions, n, seed)
    dataset = persona_dataset(pairs, name=f"persona-pass-at-{k}", persona_pool=pool, identify_k=0, seed=seed)
    metrics: list[Metric | dict[str, list[Metric]]] = [mean_ci(key, with_stderr=True) for key in pass_at_keys(k)]
    return _persona_task(
        dataset,
        mode,
        [personalization_critic(debate_rounds)],
        metrics=metrics,
        epochs=Epochs(k, mean_and_pass_at(k)),
        config=GenerateConfig(temperature=temperature),
    )
