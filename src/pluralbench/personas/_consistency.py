"""Rules that reject impossible or implausible combinations of persona attributes."""

from __future__ import annotations

from ._persona import Persona

GRADUATE_DEGREES = {"Master's degree": 22, "Professional degree": 24, "Doctorate": 25}
"""Graduate degree -> youngest plausible holder's age."""

POST_SECONDARY = {"Some college, no degree", "Associate's degree", "Bachelor's degree"}
NOT_WORKING = {"Unemployed", "Student, not in labor force", "Homemaker", "Not in labor force"}
INCOME_CAP_MINOR = 20_000
INCOME_CAP_NOT_WORKING = 60_000
INCOME_CAP_RETIRED = 150_000


def consistency_violations(persona: Persona) -> list[str]:
    """List the consistency rules a persona breaks.

    Args:
        persona: The persona to check.

    Returns:
        One message per broken rule; empty for a consistent persona.
    """
    problems: list[str] = []
    age = persona.age
    minor = age is not None and age < 18
    if minor:
        if persona.employment_status in {"Retired", "Armed forces"}:
            problems.append(f"a {age}-year-old cannot be {persona.employment_status.lower()}")
        if persona.marital_status not in (None, "Never married"):
            problems.append(f"a {age}-year-old cannot be {persona.marital_status.lower()}")
        if persona.veteran_status == "Veteran":
            problems.append(f"a {age}-year-old cannot be a veteran")
        if persona.education in POST_SECONDARY or persona.education in GRADUATE_DEGREES:
            problems.append(f"a {age}-year-old cannot hold '{persona.education}'")
        if persona.ideology or persona.political_views:
            problems.append("minors carry no ideology or political views")
        if persona.income is not None and persona.income > INCOME_CAP_MINOR:
            problems.append(f"income {persona.income} implausible for a minor")
    if age is not None and persona.education in GRADUATE_DEGREES and age < GRADUATE_DEGREES[persona.education]:
        problems.append(f"a {age}-year-old with a {persona.education.lower()}")
    if persona.income is not None:
        if persona.employment_status in NOT_WORKING and persona.income > INCOME_CAP_NOT_WORKING:
            problems.append(f"income {persona.income} beyond plausible bounds for '{persona.employment_status}'")
        if persona.employment_status == "Retired" and persona.income > INCOME_CAP_RETIRED:
            problems.append(f"income {persona.income} beyond plausible bounds for a retiree")
    working = persona.employment_status in {"Employed", "Armed forces"}
    if not working and (persona.occupation_category or persona.class_of_worker or persona.detailed_job_description):
        problems.append(f"occupation given for someone '{persona.employment_status}'")
    if persona.fertility and (persona.sex != "Female" or (age is not None and not 15 <= age <= 50)):
        problems.append("fertility recorded outside women aged 15-50")
    if persona.marital_status == "Married" and persona.household_type == "Living alone":
        problems.append("married persona recorded as living alone")
    if persona.citizenship == "U.S. citizen by birth" and persona.place_of_birth == "Born outside the United States":
        problems.append("citizen by birth but born abroad")
    return problems
