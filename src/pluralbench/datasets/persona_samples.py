"""Turning (persona, question) pairs into inspect Samples for the PERSONA tasks.

Every sample carries in its metadata the full persona (which judges always see), the persona
text the answering model sees (reduced in leave-one-out variants), and, when persona
identification is on, the shuffled candidate personas with the true one's position.
"""

from __future__ import annotations

import random
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench.personas import Persona

from ._persona_data import Question

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
    answer_persona: Persona | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> Sample:
    """Build the sample for one (persona, question) pair.

    Args:
        persona: The person the answer is for (judges always see all of it).
        question: The question asked.
        variant: Label of the variant (``"full"`` or ``"without <attribute>"``).
        answer_persona: What the answering model sees; the full persona when ``None``.
        extra_metadata: More metadata (identification candidates, groups).

    Returns:
        A sample whose input is the question.
    """
    pair_id = f"{persona.persona_id}:{question.question_id}"
    shown = answer_persona or persona
    metadata: dict[str, Any] = {
        "pair_id": pair_id,
        "persona_id": persona.persona_id,
        "question_id": question.question_id,
        "topic": question.topic or "",
        "variant": variant,
        "persona": persona.attribute_values(),
        "persona_text": persona.render(),
        "answer_persona_text": shown.render(),
        **(extra_metadata or {}),
    }
    sample_id = pair_id if variant == FULL_VARIANT else f"{pair_id}:{variant.replace(' ', '_')}"
    return Sample(id=sample_id, input=question.question, metadata=metadata)


def identification_metadata(persona: Persona, pool: list[Persona], k: int, rng: random.Random) -> dict[str, Any]:
    """Draw ``k - 1`` distractor personas, shuffle them with the true one, and record its position.

    Args:
        persona: The true persona.
        pool: Personas to draw distractors from (the true one is excluded).
        k: Number of candidates shown to the judge.
        rng: Seeded random generator.

    Returns:
        Metadata with ``identify_candidates`` (rendered personas) and ``identify_answer`` (1-based).
    """
    others = [p for p in pool if p.persona_id != persona.persona_id]
    candidates = [persona, *rng.sample(others, k - 1)]
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
    samples: list[Sample] = []
    for persona, question in pairs:
        extra: dict[str, Any] = {}
        if identify_k:
            extra.update(identification_metadata(persona, persona_pool, identify_k, rng))
        if groups_of is not None:
            extra["groups"] = groups_of[persona.persona_id]
        samples.append(persona_sample(persona, question, extra_metadata=extra))
        for attribute in loo_attributes:
            samples.append(
                persona_sample(
                    persona,
                    question,
                    variant=without_variant(attribute),
                    answer_persona=persona.without(attribute),
                    extra_metadata=extra,
                )
            )
    return MemoryDataset(samples, name=name)
