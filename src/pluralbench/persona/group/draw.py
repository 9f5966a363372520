"""Drawing groups of personas and building the group task's dataset.

Two compositions, both seeded:

- ``diverse`` (no ``groups`` file): the first member is drawn at random; each further member is,
  among ``CANDIDATES`` random personas, the one whose smallest attribute distance to the members
  so far is largest (greedy max-min). Distance counts the ``DIVERSITY_ATTRIBUTES`` on which two
  personas differ (ages and incomes compared by band; an attribute absent from either is not counted).
- ``groups`` (a groups file, as in ``persona_intersectionality``): m different groups of the file are
  drawn, then one persona from each, so every sample mixes people from m demographic cells and
  the score of each cell's members can be read apart.

Member order is shuffled, so the position a person is shown in does not depend on how they were
drawn. The question is drawn among those whose premise (``requires``) every member fits, and
every (set of members, question) occurs at most once.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench._errors import InputError
from pluralbench.persona.data import Question
from pluralbench.persona.options import Group
from pluralbench.personas import Persona

from .types import GroupMember, GroupSampleMeta

DIVERSITY_ATTRIBUTES: tuple[str, ...] = (
    "age",
    "sex",
    "race",
    "household_language",
    "education",
    "employment_status",
    "income",
    "marital_status",
    "family_presence_and_age",
    "citizenship",
    "disability",
    "ideology",
    "political_views",
    "religion",
)
"""Attributes whose differences make a group diverse: demographics, circumstances and values."""

AGE_BANDS: tuple[int, ...] = (25, 35, 45, 55, 65, 75)
"""Upper bounds (exclusive) of the age bands compared: under 25, 25-34, ..., 65-74, 75 and over."""
INCOME_BANDS: tuple[int, ...] = (25_000, 50_000, 100_000, 200_000)
"""Upper bounds (exclusive) of the yearly income bands compared."""
CANDIDATES = 64
"""Random personas considered for each further member of a diverse group."""
DRAW_ATTEMPTS_PER_SAMPLE = 20
"""A draw that repeats an earlier (members, question) is redrawn, at most this many times per sample."""

Profile = tuple[Any, ...]


def _band(value: int, bounds: Sequence[int]) -> int:
    return sum(1 for bound in bounds if value >= bound)


def profile(persona: Persona) -> Profile:
    """Return the values of the diversity attributes, numeric ones as band numbers.

    Args:
        persona: The persona.

    Returns:
        One value per :data:`DIVERSITY_ATTRIBUTES` entry; ``None`` where the persona lacks it.
    """
    values: list[Any] = []
    for name in DIVERSITY_ATTRIBUTES:
        value = getattr(persona, name)
        if value is not None and name == "age":
            value = _band(value, AGE_BANDS)
        elif value is not None and name == "income":
            value = _band(value, INCOME_BANDS)
        values.append(value)
    return tuple(values)


def distance(a: Profile, b: Profile) -> int:
    """Return the number of diversity attributes on which two profiles differ (both present).

    Args:
        a: A profile (see :func:`profile`).
        b: Another profile.

    Returns:
        The count of differing attributes.
    """
    return sum(1 for x, y in zip(a, b, strict=True) if x is not None and y is not None and x != y)


def mean_pairwise_distance(profiles: Sequence[Profile]) -> float:
    """Return the mean distance over all pairs of profiles.

    Args:
        profiles: At least two profiles.

    Returns:
        The mean distance.
    """
    pairs = list(itertools.combinations(profiles, 2))
    return sum(distance(a, b) for a, b in pairs) / len(pairs)


def draw_diverse(pool: Sequence[Persona], profiles: Sequence[Profile], m: int, rng: random.Random) -> list[int]:
    """Draw the indices of m personas by greedy max-min attribute distance.

    Args:
        pool: Personas to draw from (at least m).
        profiles: Their profiles, in the same order.
        m: Group size.
        rng: Seeded generator.

    Returns:
        Indices into ``pool``, in draw order.
    """
    chosen = [rng.randrange(len(pool))]
    while len(chosen) < m:
        sampled = rng.sample(range(len(pool)), min(CANDIDATES + len(chosen), len(pool)))
        options = [i for i in sampled if i not in chosen][:CANDIDATES]
        chosen.append(max(options, key=lambda i: min(distance(profiles[i], profiles[c]) for c in chosen)))
    return chosen


def draw_from_groups(members_of: Sequence[Sequence[int]], m: int, rng: random.Random) -> list[tuple[int, int]] | None:
    """Draw m different groups of a groups file and one persona from each.

    Args:
        members_of: For each group of the file, the pool indices of its personas (each non-empty).
        m: Group size (at most the number of file groups).
        rng: Seeded generator.

    Returns:
        ``(file group index, pool index)`` per member; ``None`` when the draw would repeat a person
        (a persona in several of the drawn groups), so the caller draws again.
    """
    picked: list[tuple[int, int]] = []
    for group_index in rng.sample(range(len(members_of)), m):
        person = rng.choice(members_of[group_index])
        if any(person == p for _, p in picked):
            return None
        picked.append((group_index, person))
    return picked


def group_sample(
    members: Sequence[GroupMember], profiles: Sequence[Profile], question: Question, composition: str
) -> Sample:
    """Build the sample of one group asking one question.

    Args:
        members: The members, in the order they are shown.
        profiles: Their profiles.
        question: The question.
        composition: ``diverse`` or ``groups``.

    Returns:
        The sample; its id is the member ids joined by ``+``, a colon and the question id.
    """
    group_id = "+".join(member.persona_id for member in members)
    metadata = GroupSampleMeta(
        group_id=group_id,
        question_id=question.question_id,
        topic=question.topic or "",
        composition=composition,
        members=list(members),
        distance=mean_pairwise_distance(profiles),
    )
    return Sample(
        id=f"{group_id}:{question.question_id}",
        input=question.question,
        metadata=metadata.model_dump(exclude_none=True),
    )


def group_dataset(
    pool: Sequence[Persona],
    questions: Sequence[Question],
    *,
    m: int,
    n: int,
    seed: int,
    groups: Sequence[Group] | None = None,
    name: str,
) -> MemoryDataset:
    """Draw n groups of m personas, each asking one random question.

    Args:
        pool: Personas to draw from.
        questions: Questions to draw from (each sample's among those every member fits).
        m: Members per group (at least 2).
        n: Number of samples.
        seed: Seed of every draw.
        groups: Groups of a groups file: each sample's members come from m different ones of them;
            ``None`` for diverse draws.
        name: Dataset name recorded in the log.

    Returns:
        The dataset.

    Raises:
        InputError: When the pool has fewer than m personas, the file fewer than m groups, a group
            matches no persona, or fewer than n distinct samples can be drawn.
    """
    if len(pool) < m:
        raise InputError(f"option m={m}: only {len(pool)} personas to draw from")
    members_of: list[list[int]] = []
    if groups is not None:
        if len(groups) < m:
            raise InputError(
                f"option m={m}: the groups file has only {len(groups)} groups (one member is drawn from each)"
            )
        for group in groups:
            members_of.append([i for i, persona in enumerate(pool) if group.matches(persona)])
            if not members_of[-1]:
                raise InputError(f"option groups: group '{group.name}' matches no persona")
    rng = random.Random(seed)
    profiles = [profile(persona) for persona in pool]
    samples: list[Sample] = []
    seen: set[tuple[frozenset[str], str]] = set()
    for _ in range(n * DRAW_ATTEMPTS_PER_SAMPLE):
        if len(samples) == n:
            break
        if groups is None:
            indices = draw_diverse(pool, profiles, m, rng)
            rng.shuffle(indices)
            drawn: list[tuple[int, str | None]] = [(i, None) for i in indices]
        else:
            picked = draw_from_groups(members_of, m, rng)
            if picked is None:
                continue
            drawn = [(i, groups[g].name) for g, i in picked]
        people = [pool[i] for i, _ in drawn]
        fitting = [q for q in questions if all(q.fits(person) for person in people)]
        if not fitting:
            continue
        question = fitting[rng.randrange(len(fitting))]
        key = (frozenset(pool[i].persona_id for i, _ in drawn), question.question_id)
        if key in seen:
            continue
        seen.add(key)
        members = [
            GroupMember(persona_id=pool[i].persona_id, persona=pool[i].attribute_values(), spec_group=spec)
            for i, spec in drawn
        ]
        samples.append(
            group_sample(members, [profiles[i] for i, _ in drawn], question, "diverse" if groups is None else "groups")
        )
    if len(samples) < n:
        raise InputError(f"option n={n}: only {len(samples)} distinct groups and questions could be drawn")
    return MemoryDataset(samples, name=name)
