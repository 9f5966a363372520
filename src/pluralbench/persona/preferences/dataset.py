"""Preference pairs as inspect samples: every pair twice, once in each answer order, the two orders adjacent.

One sample per (pair, order) keeps ``--limit`` and retries simple; the two samples of a pair sit
next to each other, so ``--limit 2k`` evaluates k whole pairs, and they share ``pair_id`` so
the order-consistency metric can join them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Literal

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench._errors import InputError
from pluralbench.persona.data import Question
from pluralbench.personas import Persona

from .records import PreferencePair
from .types import NO_PERSONA_GROUP, ORDERS, UNSPECIFIED_GROUP, PreferenceSampleMeta

ALL: Literal["all"] = "all"


def attribute_group(pair: PreferencePair) -> str:
    """Return the group a pair's accuracy is reported under (``attribute:<group>``).

    Args:
        pair: The pair.

    Returns:
        The separating attribute; ``no_persona`` when the rejected answer was written without a
        persona; ``unspecified`` when the pair names neither.
    """
    if pair.attribute is not None:
        return pair.attribute
    return NO_PERSONA_GROUP if pair.rejected_source == "no_persona" else UNSPECIFIED_GROUP


def select_pairs(pairs: Sequence[PreferencePair], n: int | str, seed: int) -> list[PreferencePair]:
    """Return ``n`` pairs drawn with ``seed`` (kept in file order), or all of them.

    Args:
        pairs: The pairs of the file.
        n: How many pairs, or ``"all"``.
        seed: Seed of the draw.

    Returns:
        The selected pairs, in file order.

    Raises:
        InputError: If ``n`` is neither ``all`` nor a count from 1 to the number of pairs.
    """
    if n == ALL:
        return list(pairs)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(pairs):
        raise InputError(f"option n={n!r}: must be 'all' or a number of pairs from 1 to {len(pairs)}")
    picked = sorted(random.Random(seed).sample(range(len(pairs)), n))
    return [pairs[index] for index in picked]


def pair_samples(pair: PreferencePair, persona: Persona, question: Question) -> list[Sample]:
    """Return the two samples of a pair: chosen answer shown first, then rejected answer shown first.

    Args:
        pair: The pair.
        persona: The asking persona.
        question: The question.

    Returns:
        Two samples, ids ``<pair_id>:chosen_first`` and ``<pair_id>:rejected_first``; the target
        is the position of the chosen answer.
    """
    samples = []
    for order in ORDERS:
        chosen_first = order == "chosen_first"
        answers = (pair.chosen_text, pair.rejected_text) if chosen_first else (pair.rejected_text, pair.chosen_text)
        meta = PreferenceSampleMeta(
            pair_id=pair.pair_id,
            order=order,
            persona_id=pair.persona_id,
            question_id=pair.question_id,
            topic=question.topic or "",
            contrast_persona_id=pair.contrast_persona_id,
            attribute_group=attribute_group(pair),
            persona=persona.attribute_values(),
            answers=answers,
            chosen_position=1 if chosen_first else 2,
        )
        samples.append(
            Sample(
                id=f"{pair.pair_id}:{order}",
                input=question.question,
                target=str(meta.chosen_position),
                metadata=meta.model_dump(exclude_none=True),
            )
        )
    return samples


def preference_dataset(
    pairs: Sequence[PreferencePair],
    personas: Mapping[str, Persona],
    questions: Mapping[str, Question],
    name: str,
) -> MemoryDataset:
    """Build the dataset: both orders of every pair, pair by pair.

    Args:
        pairs: The pairs to evaluate (ids already checked).
        personas: Personas by id.
        questions: Questions by id.
        name: Dataset name recorded in the log.

    Returns:
        ``2 * len(pairs)`` samples.
    """
    samples = [
        sample
        for pair in pairs
        for sample in pair_samples(pair, personas[pair.persona_id], questions[pair.question_id])
    ]
    return MemoryDataset(samples, name=name)
