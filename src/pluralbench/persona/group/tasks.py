"""The ``persona_group`` task: one answer for a group of different people; who is left out?

A group of m personas asks one question; the evaluated model sees all of them and writes one
answer; the critic judges that answer once for each member, with that member's full persona.
With ``compare_individual`` the model also answers for each member alone (the ``persona`` task's
prompt), the critic judges those answers the same way, and the log holds the price of serving a
group with one answer: individual minus group satisfaction, paired over groups.
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task
from inspect_ai.log import HeadlineMetric
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric

from pluralbench._errors import InputError
from pluralbench._files import bundled_path
from pluralbench._options import COUNT, Option, validate_options
from pluralbench._presets import apply_preset
from pluralbench._structured import StructuredMode
from pluralbench.model import default_task_model
from pluralbench.persona.options import parse_groups
from pluralbench.persona.presets import GROUP_PRESETS
from pluralbench.persona.solvers import GENERATE_MODES, GenerateMode
from pluralbench.persona.sources import load_pools
from pluralbench.persona.tasks import COMMON_OPTIONS, TASK_VERSION

from .draw import group_dataset
from .metrics import GROUP_SCORER, base_metrics, cell_metrics, comparison_metrics
from .outcomes import SATISFACTION
from .scorers import group_critic
from .solvers import group_answer

BUNDLED_GROUPS_OPTION = "sex_by_age"
"""``groups=sex_by_age`` names the bundled sex x age-band groups file."""
BUNDLED_GROUPS_FILE = "groups_sex_by_age.json"


@task
@validate_options(
    **COMMON_OPTIONS,
    m=Option(ge=2),
    n=COUNT,
    groups=Option(allowed=f"a groups JSON file or {BUNDLED_GROUPS_OPTION!r}"),
)
@apply_preset(GROUP_PRESETS)
def persona_group(
    m: int = 3,
    n: int = 50,
    seed: int = 42,
    groups: str | None = None,
    compare_individual: bool = False,
    mode: GenerateMode = "output_only",
    personas: str | None = None,
    questions: str | None = None,
    debate_rounds: int = 0,
    contested_only: bool = False,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """Group-level alignment: can one answer serve m different people, and who is left out?

    Args:
        m: People per group (at least 2).
        n: Number of groups (samples); each asks one question drawn at random.
        seed: Seed of every draw and of the bootstrap intervals.
        groups: A groups JSON file (the ``persona_intersectionality`` layout), or ``sex_by_age`` for the
            bundled sex x age-band groups: each sample's members come from m different groups of
            the file, and each group's members are scored apart (``satisfaction/<group>``). Omitted:
            deliberately diverse groups (greedy max-min attribute distance).
        compare_individual: Also answer for each member alone and judge those answers, logging
            the price of serving the group (individual minus group, ``price``).
        mode: Generate mode: ``baseline`` (no one shown), ``output_only``, ``chain_of_thought`` or
            ``demographic_summary``.
        personas: Persona file or hub option, as in ``persona`` (default: the 2,000 bundled
            census-grounded personas).
        questions: Question file or ``prism`` / ``prism-filter``, as in ``persona`` (default: the
            bundled value-laden questions). Each group asks a question whose premise every member fits.
        debate_rounds: 0 for one critic call per judgement; R >= 1 for R rounds of two-critic
            debate plus a judge.
        contested_only: Keep only the questions the evaluated model judges contested (see ``persona``).
        structured: How JSON replies are asked for: ``auto`` (the schema where the provider
            takes it, else a fallback after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n 2, m 2); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    if mode not in GENERATE_MODES:
        raise InputError(f"option mode={mode!r}: must be one of {', '.join(GENERATE_MODES)}")
    if compare_individual and mode == "baseline":
        raise InputError(
            "options compare_individual=true and mode='baseline': an individual answer needs the person; "
            "use another mode"
        )
    parsed = None
    if groups is not None:
        parsed = parse_groups(bundled_path(BUNDLED_GROUPS_FILE) if groups == BUNDLED_GROUPS_OPTION else groups)
    composition = "diverse" if parsed is None else "groups"
    pool, asked, metadata = load_pools(personas, questions, contested_only)
    dataset = group_dataset(
        pool,
        asked,
        m=m,
        n=n,
        seed=seed,
        groups=parsed,
        name=f"persona-group-{composition}-{m}",
    )
    metrics: list[Metric | dict[str, list[Metric]]] = [*base_metrics(seed)]
    if compare_individual:
        metrics += comparison_metrics(seed)
    if parsed is not None:
        metrics.append(cell_metrics(compare_individual, seed))
    return Task(
        dataset=dataset,
        solver=group_answer(mode, compare_individual, ["critic", "judge"] if debate_rounds else ["critic"]),
        scorer=group_critic(debate_rounds, structured),
        metrics=metrics,
        config=GenerateConfig(),
        model=default_task_model(),
        version=TASK_VERSION,
        headline_metric=HeadlineMetric(scorer=GROUP_SCORER, metric=SATISFACTION),
        metadata=metadata,
    )
