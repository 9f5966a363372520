"""Turning (persona, question) pairs into inspect Samples for the PERSONA tasks.

Every sample carries in its metadata the full persona's attribute values (which judges always
see), the attribute hidden from the answering model in leave-one-out variants, and, when persona
identification is on, the shuffled candidate personas with the true one's position. The persona
texts of the prompts are rendered from the attribute values when read
(:attr:`PersonaSampleMeta.persona_text`, :attr:`PersonaSampleMeta.answer_persona_text`).
"""

from __future__ import annotations

import random
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench.personas import Persona

from .data import Question
from .types import PersonaSampleMeta

FULL_VARIANT = "full"


def without_variant(attribute: str) -> str:
    """Return the variant label of a leave-one-out sample without ``attribute``.

    Args:
        attribute: The removed attribute.

    Returns:
        The label, e.g. ``"without religion"``.
    """
    return f"without {attribute}"


def persona_sample(
    persona: Persona,
    question: Question,
    *,
    variant: str = FULL_VARIANT,
    hidden_attribute: str | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> Sample:
    """Build the sample for one (persona, question) pair.

    Args:
        persona: The person the answer is for (judges always see all of it).
        question: The question asked.
        variant: Label of the variant (``"full"`` or ``"without <attribute>"``).
        hidden_attribute: Attribute the answering model does not see; ``None`` shows the full persona.
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
        hidden_attribute=hidden_attribute,
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
) -> MemoryDataset:
    """Build the dataset of a PERSONA task.

    Args:
        pairs: The sampled (persona, question) pairs.
        name: Dataset name recorded in the log.
        persona_pool: Personas that identification distractors come from.
        identify_k: Candidates per identification question (0 turns identification off).
        seed: Seed for distractor draws.
        loo_attributes: When given, each pair also gets one variant per attribute with that
            attribute removed from what the answering model sees.
        groups_of: Intersectionality groups each persona belongs to, by persona id.

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
        samples.append(persona_sample(persona, question, extra_metadata=extra))
        for attribute in loo_attributes:
            samples.append(
                persona_sample(
                    persona,
                    question,
                    variant=without_variant(attribute),
                    hidden_attribute=attribute,
                    extra_metadata=extra,
                )
            )
    return MemoryDataset(samples, name=name)
