"""Choosing the contrasting persona of a generated pair: someone who differs on what matters for the topic.

``TOPIC_ATTRIBUTES`` lists, for each bundled question topic, the persona attributes most likely to
change what a good answer looks like (the project's judgement, in the spirit of the attribute
choices in PREF_DATA's examples). For a (persona, question), one of those attributes the persona
has is drawn (seeded), and the contrast persona is drawn among the personas whose value clearly
differs on it; among them, those that differ on more of the topic's attributes are preferred, so
the two answers should diverge for reasons that matter to the asker.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pluralbench.persona.data import Question
from pluralbench.personas import Persona

TOPIC_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "religion_spirituality": ("religion", "ideology", "family_presence_and_age", "age"),
    "abortion_reproductive_rights": ("religion", "ideology", "political_views", "sex", "age"),
    "immigration": ("citizenship", "household_language", "place_of_birth", "political_views", "ideology"),
    "gun_policy": ("political_views", "ideology", "veteran_status", "family_presence_and_age"),
    "parenting": ("family_presence_and_age", "religion", "marital_status", "employment_status", "income"),
    "work_career": ("employment_status", "occupation_category", "education", "income", "age"),
    "money_personal_finance": ("income", "employment_status", "age", "family_presence_and_age", "education"),
    "gender_roles": ("sex", "religion", "ideology", "marital_status", "age"),
    "lgbtq_issues": ("religion", "ideology", "political_views", "age", "family_presence_and_age"),
    "climate_environment": ("ideology", "political_views", "income", "lifestyle", "age"),
    "diet_animal_ethics": ("lifestyle", "religion", "ideology", "income"),
    "drugs_alcohol": ("religion", "age", "lifestyle", "ideology", "family_presence_and_age"),
    "policing_criminal_justice": ("race", "political_views", "ideology", "income", "age"),
    "education_schooling": ("education", "family_presence_and_age", "income", "ideology", "religion"),
    "healthcare_medicine": ("health_insurance", "disability", "age", "income", "political_views"),
    "technology_ai": ("age", "occupation_category", "education", "ideology"),
    "free_speech": ("political_views", "ideology", "religion", "age"),
    "relationships_marriage": ("marital_status", "religion", "family_presence_and_age", "age", "ideology"),
    "aging_end_of_life": ("age", "religion", "health_insurance", "disability", "income"),
    "patriotism_national_identity": ("political_views", "ideology", "citizenship", "veteran_status", "race"),
    "wealth_inequality_taxes": ("income", "political_views", "ideology", "employment_status", "education"),
    "race_ethnicity": ("race", "political_views", "ideology", "ancestry", "age"),
    "politics_democracy": ("political_views", "ideology", "age", "education", "citizenship"),
    "housing_community": ("income", "household_type", "age", "family_presence_and_age", "employment_status"),
}
"""Attributes that matter for each bundled question topic, most important first."""

DEFAULT_ATTRIBUTES: tuple[str, ...] = ("ideology", "political_views", "religion", "age", "income", "education")
"""Attributes used for questions whose topic is missing or not in ``TOPIC_ATTRIBUTES``."""

AGE_GAP = 20
"""Ages clearly differ when they are at least this many years apart."""
INCOME_RATIO = 2.5
"""Incomes clearly differ when one is at least this many times the other (or one is 0 and the other is not)."""


@dataclass(frozen=True)
class Contrast:
    """The contrasting persona of a draw.

    Attributes:
        persona: The contrasting persona.
        attribute: The attribute drawn for the topic, on which the two clearly differ.
        differing: Every topic attribute on which they clearly differ, in the topic's order.
    """

    persona: Persona
    attribute: str
    differing: tuple[str, ...]


def topic_attributes(question: Question) -> tuple[str, ...]:
    """Return the attributes that matter for a question's topic.

    Args:
        question: The question.

    Returns:
        The topic's attributes, or ``DEFAULT_ATTRIBUTES`` for an unknown topic.
    """
    return TOPIC_ATTRIBUTES.get(question.topic or "", DEFAULT_ATTRIBUTES)


def clearly_differs(attribute: str, a: Any, b: Any) -> bool:
    """Return whether two values of an attribute are far enough apart to change an answer.

    Args:
        attribute: The attribute.
        a: One value (``None`` when absent).
        b: The other value.

    Returns:
        False when either is absent; for age, at least ``AGE_GAP`` years apart; for income, a
        ratio of at least ``INCOME_RATIO``; otherwise unequal.
    """
    if a is None or b is None:
        return False
    if attribute == "age":
        return bool(abs(a - b) >= AGE_GAP)
    if attribute == "income":
        low, high = sorted((a, b))
        return bool(high > 0 and (low == 0 or high / low >= INCOME_RATIO))
    return bool(a != b)


def choose_contrast(persona: Persona, question: Question, pool: Sequence[Persona], seed: int) -> Contrast | None:
    """Draw the contrasting persona for a (persona, question), stable for the seed.

    Args:
        persona: The asking persona.
        question: The question.
        pool: Personas to draw the contrast from (the asker, and personas that do not fit the
            question's premise, are skipped).
        seed: Seed; the draw depends on it and on the two ids only.

    Returns:
        The contrast, or ``None`` when nobody in the pool clearly differs on a topic attribute the asker has.
    """
    rng = random.Random(f"{seed}:contrast:{persona.persona_id}:{question.question_id}")
    mine = persona.attribute_values()
    attributes = [name for name in topic_attributes(question) if name in mine]
    rng.shuffle(attributes)
    for attribute in attributes:
        candidates: list[tuple[int, Persona, tuple[str, ...]]] = []
        for other in pool:
            if other.persona_id == persona.persona_id or not question.fits(other):
                continue
            theirs = other.attribute_values()
            if not clearly_differs(attribute, mine[attribute], theirs.get(attribute)):
                continue
            differing = tuple(
                name for name in topic_attributes(question) if clearly_differs(name, mine.get(name), theirs.get(name))
            )
            candidates.append((len(differing), other, differing))
        if candidates:
            most = max(count for count, _, _ in candidates)
            best = [(other, differing) for count, other, differing in candidates if count == most]
            other, differing = best[rng.randrange(len(best))]
            return Contrast(other, attribute, differing)
    return None
