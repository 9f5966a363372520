"""Turning (persona, question) pairs into inspect Samples for the PERSONA tasks.

Every sample carries in its metadata the full persona's attribute values (which judges always
see), the attributes hidden from the answering model in leave-one-out variants, and, when persona
identification is on, the shuffled candidate personas with the true one's position. The persona
texts of the prompts are rendered from the attribute values when read
(:attr:`PersonaSampleMeta.persona_text`, :attr:`PersonaSampleMeta.answer_persona_text`).

Intersectionality pairs are drawn once from the union of the groups, stratified by cell (the
personas that belong to exactly the same groups), see :func:`draw_group_pairs`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench._errors import InputError
from pluralbench.personas import Persona, render_attributes

from .data import Question, available_pairs, pair_personas_with_questions
from .options import Group
from .types import PersonaSampleMeta

FULL_VARIANT = "full"
WITHOUT_PREFIX = "without "
ALL_HIDDEN_VARIANT = "all hidden"
"""Leave-one-out baseline: every listed attribute hidden from the answering model."""


def without_variant(attribute: str) -> str:
    """Return the variant label of a leave-one-out sample without ``attribute``.

    Args:
        attribute: The removed attribute.

    Returns:
        The label, e.g. ``"without religion"``.
    """
    return f"{WITHOUT_PREFIX}{attribute}"


def shown_attributes(persona: Persona, attributes: Sequence[str]) -> list[str]:
    """Return the attributes whose removal changes what the answering model is shown.

    An attribute the persona lacks (absent, or blank when rendered) gets no leave-one-out
    variant: its "without" prompt would be the full prompt and dilute the importance.

    Args:
        persona: The persona.
        attributes: Candidate attributes, in order.

    Returns:
        The attributes the rendered persona shows, in the order given.
    """
    values = persona.attribute_values()
    full = render_attributes(values)
    return [name for name in attributes if render_attributes({k: v for k, v in values.items() if k != name}) != full]


def persona_sample(
    persona: Persona,
    question: Question,
    *,
    variant: str = FULL_VARIANT,
    hidden_attributes: Sequence[str] = (),
    extra_metadata: dict[str, Any] | None = None,
) -> Sample:
    """Build the sample for one (persona, question) pair.

    Args:
        persona: The person the answer is for (judges always see all of it).
        question: The question asked.
        variant: Label of the variant (``"full"``, ``"without <attribute>"``, ``"all hidden"``).
        hidden_attributes: Attributes the answering model does not see; empty shows the full persona.
        extra_metadata: More metadata (identification candidates, groups).

    Returns:
        A sample whose input is the question.
    """
    pair_id = f"{persona.persona_id}:{question.question_id}"
    metadata = PersonaSampleMeta(
        pair_id=pair_id,
        persona_id=persona.persona_id,
        question_id=question.question_id,
        topic=question.topic or "",
        variant=variant,
        persona=persona.attribute_values(),
        hidden_attributes=list(hidden_attributes) or None,
        **(extra_metadata or {}),
    )
    sample_id = pair_id if variant == FULL_VARIANT else f"{pair_id}:{variant.replace(' ', '_')}"
    return Sample(id=sample_id, input=question.question, metadata=metadata.model_dump(exclude_none=True))


def identification_metadata(
    persona: Persona, pool: list[Persona], k: int, rng: random.Random, position: dict[str, int] | None = None
) -> dict[str, Any]:
    """Draw ``k - 1`` distractor personas, shuffle them with the true one, and record its position.

    Distractors are drawn uniformly from the pool without the true persona, in time that does
    not grow with the pool: ``k - 1`` indices from the pool with one slot fewer, shifted past
    the true persona's index.

    Args:
        persona: The true persona.
        pool: Personas to draw distractors from (the true one is excluded when it is in the pool).
        k: Number of candidates shown to the judge.
        rng: Seeded random generator.
        position: Index of each persona id in ``pool`` (built here when not given).

    Returns:
        Metadata with ``identify_candidates`` (rendered personas) and ``identify_answer`` (1-based).
    """
    index = (position if position is not None else {p.persona_id: i for i, p in enumerate(pool)}).get(
        persona.persona_id
    )
    if index is None:
        drawn = rng.sample(range(len(pool)), k - 1)
    else:
        drawn = [i + 1 if i >= index else i for i in rng.sample(range(len(pool) - 1), k - 1)]
    candidates = [persona, *(pool[i] for i in drawn)]
    rng.shuffle(candidates)
    return {
        "identify_candidates": [c.render() for c in candidates],
        "identify_candidate_ids": [c.persona_id for c in candidates],
        "identify_answer": 1 + [c.persona_id for c in candidates].index(persona.persona_id),
    }


def persona_dataset(
    pairs: list[tuple[Persona, Question]],
    *,
    name: str,
    persona_pool: list[Persona],
    identify_k: int,
    seed: int,
    loo_attributes: tuple[str, ...] = (),
    groups_of: dict[str, list[str]] | None = None,
    cell_sizes: dict[tuple[str, ...], int] | None = None,
) -> MemoryDataset:
    """Build the dataset of a PERSONA task.

    Args:
        pairs: The sampled (persona, question) pairs.
        name: Dataset name recorded in the log.
        persona_pool: Personas that identification distractors come from.
        identify_k: Candidates per identification question (0 turns identification off).
        seed: Seed for distractor draws.
        loo_attributes: When given, each pair also gets one variant per attribute its persona
            shows (see :func:`shown_attributes`) with that attribute removed from what the
            answering model sees, and one with all of them removed (``"all hidden"``).
        groups_of: Intersectionality groups each persona belongs to, by persona id.
        cell_sizes: Intersectionality: personas of the pool in each cell (sorted group names).

    Returns:
        The dataset, one sample per pair and variant.
    """
    rng = random.Random(seed)
    position = {p.persona_id: i for i, p in enumerate(persona_pool)}
    samples: list[Sample] = []
    for persona, question in pairs:
        extra: dict[str, Any] = {}
        if identify_k:
            extra.update(identification_metadata(persona, persona_pool, identify_k, rng, position))
        if groups_of is not None:
            extra["groups"] = groups_of[persona.persona_id]
            extra["cell_size"] = (cell_sizes or {})[tuple(sorted(extra["groups"]))]
        samples.append(persona_sample(persona, question, extra_metadata=extra))
        shown = shown_attributes(persona, loo_attributes)
        for attribute in shown:
            samples.append(
                persona_sample(
                    persona,
                    question,
                    variant=without_variant(attribute),
                    hidden_attributes=[attribute],
                    extra_metadata=extra,
                )
            )
        if shown:
            samples.append(
                persona_sample(
                    persona, question, variant=ALL_HIDDEN_VARIANT, hidden_attributes=shown, extra_metadata=extra
                )
            )
    return MemoryDataset(samples, name=name)


def group_cells(
    pool: Sequence[Persona], groups: Sequence[Group]
) -> tuple[dict[str, list[str]], dict[tuple[str, ...], list[Persona]]]:
    """Return each persona's groups and the cells: personas that belong to exactly the same groups.

    Args:
        pool: The personas.
        groups: The groups.

    Returns:
        Group names by persona id (in the groups' order), and the members of each non-empty
        cell keyed by its sorted group names (personas in no group are in no cell).

    Raises:
        InputError: When a group matches no persona.
    """
    membership = {p.persona_id: [g.name for g in groups if g.matches(p)] for p in pool}
    for group in groups:
        if not any(group.name in names for names in membership.values()):
            raise InputError(f"group '{group.name}' matches no persona")
    cells: dict[tuple[str, ...], list[Persona]] = {}
    for persona in pool:
        if membership[persona.persona_id]:
            cells.setdefault(tuple(sorted(membership[persona.persona_id])), []).append(persona)
    return membership, cells


def cell_allocation(
    cell_sizes: dict[tuple[str, ...], int], questions: int, n_per_group: int
) -> dict[tuple[str, ...], int]:
    """Return how many pairs to draw from each cell so that every group gets about ``n_per_group``.

    Each group asks each of its cells for its proportional share, ``ceil(n_per_group * size_c /
    size_g)``; a cell draws the most any of its groups asks, capped at its number of pairs. Every
    group thus gets at least ``n_per_group`` pairs (or all it has), disjoint groups exactly
    ``n_per_group``, and overlapping groups share the pairs of their common cells.

    Args:
        cell_sizes: Personas in each cell.
        questions: Number of questions (a cell has ``size * questions`` pairs).
        n_per_group: Pairs wanted per group.

    Returns:
        Pairs to draw from each cell.
    """
    group_sizes: dict[str, int] = {}
    for cell, size in cell_sizes.items():
        for group in cell:
            group_sizes[group] = group_sizes.get(group, 0) + size
    return {
        cell: min(size * questions, max(math.ceil(n_per_group * size / group_sizes[group]) for group in cell))
        for cell, size in cell_sizes.items()
    }


def draw_group_pairs(
    pool: Sequence[Persona], groups: Sequence[Group], questions: list[Question], n_per_group: int, seed: int
) -> tuple[list[tuple[Persona, Question]], dict[str, list[str]], dict[tuple[str, ...], int]]:
    """Draw the intersectionality pairs once from the union of the groups, stratified by cell.

    Within a cell the pairs are a simple random sample of its (persona, question) pairs, drawn
    at the rate :func:`cell_allocation` gives; the metric weights each cell by its size to
    estimate every group's mean over the group's whole population
    (:func:`pluralbench.persona.metrics.group_disparity`). A pair counts in every group its
    persona is in. The pairs are returned in a seeded random order, so ``--limit`` keeps a
    sample spread over the cells.

    Args:
        pool: The personas.
        groups: The groups.
        questions: The questions.
        n_per_group: Pairs wanted per group.
        seed: Seed of the draw.

    Returns:
        The pairs, each persona's groups by persona id, and the personas of the pool in each cell.

    Raises:
        InputError: When a group matches no persona.
    """
    membership, cells = group_cells(pool, groups)
    sizes = {cell: len(members) for cell, members in cells.items()}
    rng = random.Random(seed)
    pairs: list[tuple[Persona, Question]] = []
    for cell, count in sorted(cell_allocation(sizes, len(questions), n_per_group).items()):
        count = min(count, available_pairs(cells[cell], questions))  # premises can leave a cell fewer pairs
        seed_of_cell = rng.randrange(2**32)
        if count:
            pairs.extend(pair_personas_with_questions(cells[cell], questions, count, seed_of_cell))
    rng.shuffle(pairs)
    return pairs, membership, sizes
