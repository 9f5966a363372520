"""Personas: the synthetic people of PERSONA tasks, their census sampler and file format."""

from ._census import CensusPersonaSampler, age_band_of, joint_age_sex_race_shares
from ._consistency import consistency_violations
from ._persona import NUMERIC_ATTRIBUTES, PERSONA_ATTRIBUTES, Persona, attribute_label, render_attributes

__all__ = [
    "NUMERIC_ATTRIBUTES",
    "PERSONA_ATTRIBUTES",
    "CensusPersonaSampler",
    "Persona",
    "age_band_of",
    "attribute_label",
    "consistency_violations",
    "joint_age_sex_race_shares",
    "render_attributes",
]
