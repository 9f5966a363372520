"""Seeded sampler of census-grounded synthetic personas.

Age band, sex and race are drawn jointly from the table in ``_census_table``; every other
demographic field is drawn conditionally on them. Rejection sampling redraws only the
conditional fields, so the joint age x sex x race distribution is exactly the table's.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from . import _census_table as table
from ._components import PersonaComponents, load_persona_components
from ._consistency import consistency_violations
from ._persona import Persona

MAX_REDRAWS = 100


def _choice(rng: random.Random, shares: Mapping[str, float]) -> str:
    names = list(shares)
    return rng.choices(names, weights=[shares[n] for n in names], k=1)[0]


def _choice_of(rng: random.Random, names: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(list(names), weights=list(weights), k=1)[0]


def joint_age_sex_race_shares() -> dict[tuple[str, str, str], float]:
    """Return the table's joint shares of (age band, sex, race), summing to 1.

    Returns:
        Mapping from (age band, sex, race) to population share.
    """
    total_age = sum(table.AGE_BAND_SHARES.values())
    joint: dict[tuple[str, str, str], float] = {}
    for band, band_share in table.AGE_BAND_SHARES.items():
        female = table.FEMALE_SHARE_BY_AGE_BAND[band]
        race_weights = table.RACE_SHARES_BY_AGE_BAND[band]
        race_total = sum(race_weights)
        for sex, sex_share in (("Female", female), ("Male", 1 - female)):
            for race, race_share in zip(table.RACES, race_weights, strict=True):
                joint[(band, sex, race)] = band_share / total_age * sex_share * race_share / race_total
    return joint


def age_band_of(age: int) -> str:
    """Return the name of the table's age band containing an age.

    Args:
        age: Age in years (16-89).

    Returns:
        The band name, e.g. ``"25-34"``.

    Raises:
        ValueError: If the age is outside every band.
    """
    for band, (low, high) in table.AGE_BANDS.items():
        if low <= age <= high:
            return band
    raise ValueError(f"age {age} is outside the sampler's bands")


class CensusPersonaSampler:
    """Draws personas from the census table with a seeded random generator.

    Args:
        seed: Seed of the random generator; equal seeds give identical personas.
        components: Free-text component lists (bundled lists by default).
    """

    def __init__(self, seed: int, components: PersonaComponents | None = None) -> None:
        """Create a sampler; see the class docstring for arguments."""
        self._rng = random.Random(seed)
        self._components = components or load_persona_components()
        self._joint = joint_age_sex_race_shares()

    def sample(self, n: int, id_prefix: str = "p") -> list[Persona]:
        """Draw ``n`` personas with ids ``{id_prefix}0001`` onwards.

        Args:
            n: Number of personas.
            id_prefix: Prefix of the persona ids.

        Returns:
            The personas, each consistent with every rule.
        """
        width = max(4, len(str(n)))
        return [self._sample_one(f"{id_prefix}{i:0{width}d}") for i in range(1, n + 1)]

    def _sample_one(self, persona_id: str) -> Persona:
        keys = list(self._joint)
        band, sex, race = self._rng.choices(keys, weights=[self._joint[k] for k in keys], k=1)[0]
        low, high = table.AGE_BANDS[band]
        age = self._rng.randint(low, high)
        for _ in range(MAX_REDRAWS):
            persona = Persona(
                persona_id=persona_id, age=age, sex=sex, race=race, **self._conditionals(band, age, sex, race)
            )
            if not consistency_violations(persona):
                return persona
        raise RuntimeError(f"could not draw a consistent persona for {persona_id} ({band}, {sex}, {race})")

    def _conditionals(self, band: str, age: int, sex: str, race: str) -> dict[str, Any]:
        rng = self._rng
        fields: dict[str, Any] = {}
        fields["ancestry"] = _choice(rng, table.ANCESTRY_BY_RACE[race])
        foreign_born = rng.random() < table.FOREIGN_BORN_SHARE_BY_RACE[race]
        fields.update(self._origin(foreign_born, race, fields["ancestry"]))
        fields["education"] = _choice_of(rng, table.EDUCATION_LEVELS, table.EDUCATION_BY_AGE_BAND[band])
        status = _choice_of(rng, table.EMPLOYMENT_STATUSES, table.EMPLOYMENT_BY_AGE_BAND[band])
        fields["employment_status"] = status
        if status in {"Employed", "Armed forces"}:
            fields.update(self._job(status))
        fields["income"] = self._income(status, fields["education"], age)
        fields.update(self._household(band, age))
        fields.update(self._health(band, age, sex))
        if age >= 18:
            veteran_share = table.VETERAN_SHARE_BY_AGE_BAND_AND_SEX[(band, sex)]
            fields["veteran_status"] = "Veteran" if rng.random() < veteran_share else "Not a veteran"
            group = "young" if age < 30 else "middle" if age < 55 else "older"
            fields["ideology"] = _choice(rng, table.IDEOLOGY_BY_AGE_BAND[group])
            fields["political_views"] = _choice(rng, table.PARTY_BY_IDEOLOGY[fields["ideology"]])
        religions = table.RELIGION_OVERRIDES_BY_ANCESTRY.get(fields["ancestry"], table.RELIGION_SHARES)
        fields["religion"] = _choice(rng, religions)
        fields["big_five_scores"] = {
            trait: min(99, max(1, round(rng.gauss(50, 22)))) for trait in table.BIG_FIVE_TRAITS
        }
        fields["defining_quirks"] = rng.choice(self._components.quirks)
        fields["mannerisms"] = rng.choice(self._components.mannerisms)
        fields["personal_time"] = rng.choice(self._components.personal_time)
        fields["lifestyle"] = rng.choice(self._components.lifestyle)
        return fields

    def _origin(self, foreign_born: bool, race: str, ancestry: str) -> dict[str, Any]:
        rng = self._rng
        if foreign_born:
            place = "Born outside the United States"
            citizenship = (
                "Naturalized U.S. citizen"
                if rng.random() < table.NATURALIZED_SHARE_OF_FOREIGN_BORN
                else "Not a U.S. citizen"
            )
        else:
            in_state = rng.random() < table.BORN_IN_STATE_SHARE_OF_US_BORN
            place = "Born in the state where they live" if in_state else "Born in another U.S. state"
            citizenship = "U.S. citizen by birth"
        group = race if race in {"Hispanic or Latino", "Asian"} else "other"
        non_english = rng.random() < table.NON_ENGLISH_HOME_SHARE[(foreign_born, group)]
        if non_english:
            if race == "Hispanic or Latino" or ancestry in {"Spaniard", "Mexican and White"}:
                language = "Spanish"
            else:
                language = table.HOME_LANGUAGE_BY_ANCESTRY.get(
                    ancestry, "Spanish" if group == "other" and rng.random() < 0.4 else "French"
                )
            ability_table = table.ENGLISH_ABILITY_FOREIGN_BORN if foreign_born else table.ENGLISH_ABILITY_US_BORN
            ability = _choice(rng, ability_table)
        else:
            language = "English"
            ability = "Speaks only English at home"
        return {
            "place_of_birth": place,
            "citizenship": citizenship,
            "household_language": language,
            "ability_to_speak_english": ability,
        }

    def _job(self, status: str) -> dict[str, Any]:
        rng = self._rng
        occupation = _choice(rng, table.OCCUPATION_SHARES)
        return {
            "class_of_worker": "Active-duty military"
            if status == "Armed forces"
            else _choice(rng, table.CLASS_OF_WORKER_SHARES),
            "industry_category": "Public administration"
            if status == "Armed forces"
            else _choice(rng, table.INDUSTRY_SHARES),
            "occupation_category": occupation,
            "detailed_job_description": rng.choice(self._components.job_descriptions[occupation]),
        }

    def _income(self, status: str, education: str, age: int) -> int:
        rng = self._rng
        if age < 18:
            value = rng.uniform(0, 12_000) if status == "Employed" else rng.uniform(0, 2_000)
        elif status in {"Employed", "Armed forces"}:
            median = table.MEDIAN_EARNINGS_BY_EDUCATION[education] * (0.6 if age < 25 else 1.0)
            value = rng.lognormvariate(0, 0.55) * median
        elif status == "Retired":
            value = min(140_000.0, rng.lognormvariate(0, 0.5) * 32_000)
        elif status == "Homemaker":
            value = rng.choice([0.0, 0.0, rng.uniform(0, 15_000)])
        else:
            value = rng.uniform(0, 30_000)
        return int(round(value / 500) * 500)

    def _household(self, band: str, age: int) -> dict[str, Any]:
        rng = self._rng
        marital = _choice_of(rng, table.MARITAL_STATUSES, table.MARITAL_BY_AGE_BAND[band])
        if age < 18:
            household = "Lives with parents or guardians"
        elif marital == "Married":
            household = "Married-couple household"
        else:
            household = _choice(
                rng,
                {
                    "Living alone": 0.35 if age >= 25 else 0.12,
                    "Cohabiting-couple household": 0.18,
                    "Single householder with relatives": 0.22,
                    "Lives with parents": 0.30 if age < 30 else 0.04,
                    "Shares a home with roommates": 0.12 if age < 40 else 0.04,
                },
            )
        has_children = (
            age >= 18 and household != "Living alone" and rng.random() < table.CHILDREN_SHARE_BY_AGE_BAND[band]
        )
        if has_children:
            family = _choice(
                rng,
                {
                    "Own children under 6 only": 0.30 if age < 40 else 0.05,
                    "Own children 6 to 17 only": 0.45,
                    "Own children under 6 and 6 to 17": 0.25 if age < 45 else 0.05,
                },
            )
        else:
            family = "No own children under 18 in the household"
        return {"marital_status": marital, "household_type": household, "family_presence_and_age": family}

    def _health(self, band: str, age: int, sex: str) -> dict[str, Any]:
        rng = self._rng
        disabled = rng.random() < table.DISABILITY_SHARE_BY_AGE_BAND[band]
        fields: dict[str, Any] = {"disability": "With a disability" if disabled else "No disability"}
        for kind, share in table.DIFFICULTY_SHARE_AMONG_DISABLED.items():
            fields[f"{kind}_difficulty"] = "Yes" if disabled and rng.random() < share else "No"
        fields["health_insurance"] = _choice(rng, table.INSURANCE_65_PLUS if age >= 65 else table.INSURANCE_UNDER_65)
        if sex == "Female" and 15 <= age <= 50:
            gave_birth = rng.random() < table.BIRTH_IN_PAST_YEAR_SHARE_BY_AGE_BAND.get(band, 0.0)
            fields["fertility"] = "Gave birth in the past 12 months" if gave_birth else "No birth in the past 12 months"
        return fields
