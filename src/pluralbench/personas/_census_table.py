"""US population shares that the persona sampler draws from.

Shares are rounded approximations of the U.S. Census Bureau's American Community Survey
2022 1-year estimates for the household population aged 16 and over: age by sex (table
B01001), race and Hispanic origin by age (B01001B-I), educational attainment (B15001),
employment status (B23001), class of worker (S2408), industry and occupation (S2401,
S2403), marital status (B12002), nativity and citizenship (B05003), veteran status
(B21001), disability (B18101) and health insurance (B27010). Ideology follows Gallup's
2023 U.S. ideology series, party identification Pew Research Center's 2023 party
identification report, religion Pew's 2023-24 Religious Landscape Study. Rounded shares
are renormalized when sampled, so each row need not sum to exactly 1.
"""

from __future__ import annotations

AGE_BANDS: dict[str, tuple[int, int]] = {
    "16-17": (16, 17),
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65-74": (65, 74),
    "75-89": (75, 89),
}

AGE_BAND_SHARES: dict[str, float] = {
    "16-17": 0.032,
    "18-24": 0.113,
    "25-34": 0.169,
    "35-44": 0.161,
    "45-54": 0.149,
    "55-64": 0.158,
    "65-74": 0.126,
    "75-89": 0.092,
}

FEMALE_SHARE_BY_AGE_BAND: dict[str, float] = {
    "16-17": 0.488,
    "18-24": 0.490,
    "25-34": 0.495,
    "35-44": 0.500,
    "45-54": 0.505,
    "55-64": 0.515,
    "65-74": 0.530,
    "75-89": 0.570,
}

RACES: tuple[str, ...] = (
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Asian",
    "American Indian or Alaska Native",
    "Native Hawaiian or Other Pacific Islander",
    "Two or more races",
)

RACE_SHARES_BY_AGE_BAND: dict[str, tuple[float, ...]] = {
    "16-17": (0.26, 0.49, 0.14, 0.05, 0.008, 0.002, 0.05),
    "18-24": (0.24, 0.51, 0.14, 0.06, 0.008, 0.002, 0.04),
    "25-34": (0.21, 0.54, 0.13, 0.07, 0.008, 0.002, 0.04),
    "35-44": (0.21, 0.55, 0.13, 0.07, 0.007, 0.003, 0.03),
    "45-54": (0.18, 0.60, 0.12, 0.065, 0.007, 0.003, 0.025),
    "55-64": (0.12, 0.68, 0.12, 0.05, 0.007, 0.003, 0.02),
    "65-74": (0.09, 0.74, 0.10, 0.045, 0.006, 0.002, 0.017),
    "75-89": (0.08, 0.77, 0.08, 0.048, 0.005, 0.002, 0.015),
}

ANCESTRY_BY_RACE: dict[str, dict[str, float]] = {
    "Hispanic or Latino": {
        "Mexican": 0.60,
        "Puerto Rican": 0.09,
        "Salvadoran": 0.04,
        "Cuban": 0.04,
        "Dominican": 0.04,
        "Guatemalan": 0.03,
        "Colombian": 0.025,
        "Honduran": 0.02,
        "Spaniard": 0.02,
        "Ecuadorian": 0.015,
        "Peruvian": 0.015,
        "Venezuelan": 0.01,
    },
    "White": {
        "German": 0.19,
        "Irish": 0.14,
        "English": 0.17,
        "Italian": 0.07,
        "Polish": 0.04,
        "French": 0.03,
        "Scottish": 0.025,
        "Norwegian": 0.018,
        "Dutch": 0.017,
        "Swedish": 0.015,
        "American": 0.08,
        "Russian": 0.01,
        "Lebanese": 0.005,
    },
    "Black or African American": {
        "African American": 0.85,
        "Jamaican": 0.03,
        "Haitian": 0.03,
        "Nigerian": 0.02,
        "Ethiopian": 0.01,
        "Trinidadian and Tobagonian": 0.005,
        "Ghanaian": 0.005,
    },
    "Asian": {
        "Chinese": 0.24,
        "Indian": 0.21,
        "Filipino": 0.19,
        "Vietnamese": 0.10,
        "Korean": 0.08,
        "Japanese": 0.07,
        "Pakistani": 0.03,
        "Cambodian": 0.015,
        "Hmong": 0.015,
    },
    "American Indian or Alaska Native": {
        "Cherokee": 0.20,
        "Navajo": 0.18,
        "Sioux": 0.10,
        "Chippewa": 0.08,
        "Choctaw": 0.07,
        "Apache": 0.05,
        "Alaska Native (Yup'ik)": 0.04,
    },
    "Native Hawaiian or Other Pacific Islander": {
        "Native Hawaiian": 0.45,
        "Samoan": 0.20,
        "Chamorro": 0.12,
        "Tongan": 0.08,
        "Marshallese": 0.05,
    },
    "Two or more races": {
        "White and Black": 0.30,
        "White and American Indian": 0.25,
        "White and Asian": 0.22,
        "Black and American Indian": 0.05,
        "Mexican and White": 0.18,
    },
}

FOREIGN_BORN_SHARE_BY_RACE: dict[str, float] = {
    "Hispanic or Latino": 0.32,
    "White": 0.04,
    "Black or African American": 0.10,
    "Asian": 0.57,
    "American Indian or Alaska Native": 0.05,
    "Native Hawaiian or Other Pacific Islander": 0.15,
    "Two or more races": 0.08,
}

NATURALIZED_SHARE_OF_FOREIGN_BORN = 0.53
BORN_IN_STATE_SHARE_OF_US_BORN = 0.67

HOME_LANGUAGE_BY_ANCESTRY: dict[str, str] = {
    "Chinese": "Chinese",
    "Indian": "Hindi",
    "Filipino": "Tagalog",
    "Vietnamese": "Vietnamese",
    "Korean": "Korean",
    "Japanese": "Japanese",
    "Pakistani": "Urdu",
    "Cambodian": "Khmer",
    "Hmong": "Hmong",
    "Haitian": "Haitian Creole",
    "Russian": "Russian",
    "Polish": "Polish",
    "Lebanese": "Arabic",
    "Ethiopian": "Amharic",
    "Samoan": "Samoan",
    "Tongan": "Tongan",
    "Marshallese": "Marshallese",
    "Navajo": "Navajo",
}
"""Non-English language spoken at home when a person's household does not speak English."""

NON_ENGLISH_HOME_SHARE: dict[tuple[bool, str], float] = {
    (True, "Hispanic or Latino"): 0.93,
    (False, "Hispanic or Latino"): 0.55,
    (True, "Asian"): 0.80,
    (False, "Asian"): 0.25,
    (True, "other"): 0.55,
    (False, "other"): 0.03,
}
"""Share speaking a language other than English at home, by (foreign born, race group)."""

ENGLISH_ABILITY_FOREIGN_BORN: dict[str, float] = {"Very well": 0.48, "Well": 0.22, "Not well": 0.21, "Not at all": 0.09}
ENGLISH_ABILITY_US_BORN: dict[str, float] = {"Very well": 0.88, "Well": 0.09, "Not well": 0.03}

EDUCATION_LEVELS: tuple[str, ...] = (
    "Less than high school",
    "High school diploma or GED",
    "Some college, no degree",
    "Associate's degree",
    "Bachelor's degree",
    "Master's degree",
    "Professional degree",
    "Doctorate",
)

EDUCATION_BY_AGE_BAND: dict[str, tuple[float, ...]] = {
    "16-17": (1.0, 0, 0, 0, 0, 0, 0, 0),
    "18-24": (0.12, 0.34, 0.38, 0.06, 0.095, 0.005, 0, 0),
    "25-34": (0.08, 0.25, 0.18, 0.09, 0.26, 0.11, 0.015, 0.015),
    "35-44": (0.09, 0.23, 0.15, 0.10, 0.25, 0.13, 0.025, 0.025),
    "45-54": (0.09, 0.27, 0.15, 0.11, 0.22, 0.11, 0.025, 0.025),
    "55-64": (0.09, 0.30, 0.16, 0.10, 0.20, 0.10, 0.025, 0.025),
    "65-74": (0.09, 0.29, 0.17, 0.08, 0.20, 0.11, 0.03, 0.03),
    "75-89": (0.15, 0.33, 0.16, 0.07, 0.15, 0.09, 0.025, 0.025),
}

EMPLOYMENT_STATUSES: tuple[str, ...] = (
    "Employed",
    "Unemployed",
    "Student, not in labor force",
    "Retired",
    "Homemaker",
    "Not in labor force",
    "Armed forces",
)

EMPLOYMENT_BY_AGE_BAND: dict[str, tuple[float, ...]] = {
    "16-17": (0.35, 0.05, 0.58, 0, 0, 0.02, 0),
    "18-24": (0.62, 0.06, 0.25, 0, 0.02, 0.04, 0.01),
    "25-34": (0.80, 0.04, 0.03, 0, 0.07, 0.055, 0.005),
    "35-44": (0.81, 0.03, 0.01, 0.005, 0.08, 0.06, 0.005),
    "45-54": (0.79, 0.03, 0.005, 0.02, 0.07, 0.085, 0),
    "55-64": (0.63, 0.025, 0, 0.18, 0.06, 0.105, 0),
    "65-74": (0.25, 0.01, 0, 0.66, 0.04, 0.04, 0),
    "75-89": (0.07, 0, 0, 0.86, 0.03, 0.04, 0),
}

CLASS_OF_WORKER_SHARES: dict[str, float] = {
    "Private for-profit company employee": 0.63,
    "Private not-for-profit employee": 0.08,
    "Local government employee": 0.06,
    "State government employee": 0.04,
    "Federal government employee": 0.025,
    "Self-employed, not incorporated": 0.06,
    "Self-employed, incorporated": 0.04,
    "Unpaid family worker": 0.002,
}

INDUSTRY_SHARES: dict[str, float] = {
    "Agriculture, forestry, fishing and hunting, and mining": 0.018,
    "Construction": 0.069,
    "Manufacturing": 0.101,
    "Wholesale trade": 0.024,
    "Retail trade": 0.109,
    "Transportation and warehousing, and utilities": 0.059,
    "Information": 0.020,
    "Finance and insurance, and real estate": 0.066,
    "Professional, scientific, management, and administrative services": 0.123,
    "Educational services, and health care and social assistance": 0.232,
    "Arts, entertainment, recreation, accommodation, and food services": 0.087,
    "Other services, except public administration": 0.047,
    "Public administration": 0.045,
}

OCCUPATION_SHARES: dict[str, float] = {
    "Management, business, and financial": 0.174,
    "Computer, engineering, and science": 0.068,
    "Education, legal, community service, arts, and media": 0.108,
    "Healthcare practitioners and technical": 0.063,
    "Service": 0.164,
    "Sales and office": 0.196,
    "Natural resources, construction, and maintenance": 0.086,
    "Production, transportation, and material moving": 0.136,
}

MEDIAN_EARNINGS_BY_EDUCATION: dict[str, int] = {
    "Less than high school": 32000,
    "High school diploma or GED": 40000,
    "Some college, no degree": 45000,
    "Associate's degree": 50000,
    "Bachelor's degree": 70000,
    "Master's degree": 86000,
    "Professional degree": 120000,
    "Doctorate": 115000,
}
"""Median annual earnings of full-year workers by education (ACS 2022, B20004, rounded)."""

MARITAL_STATUSES: tuple[str, ...] = ("Never married", "Married", "Divorced", "Separated", "Widowed")

MARITAL_BY_AGE_BAND: dict[str, tuple[float, ...]] = {
    "16-17": (1.0, 0, 0, 0, 0),
    "18-24": (0.90, 0.085, 0.008, 0.005, 0.002),
    "25-34": (0.52, 0.42, 0.04, 0.015, 0.005),
    "35-44": (0.26, 0.60, 0.10, 0.03, 0.01),
    "45-54": (0.17, 0.62, 0.15, 0.03, 0.03),
    "55-64": (0.12, 0.60, 0.19, 0.02, 0.07),
    "65-74": (0.08, 0.58, 0.18, 0.015, 0.145),
    "75-89": (0.05, 0.48, 0.12, 0.01, 0.34),
}

CHILDREN_SHARE_BY_AGE_BAND: dict[str, float] = {
    "16-17": 0.0,
    "18-24": 0.10,
    "25-34": 0.42,
    "35-44": 0.62,
    "45-54": 0.38,
    "55-64": 0.07,
    "65-74": 0.01,
    "75-89": 0.0,
}
"""Share living with own children under 18."""

VETERAN_SHARE_BY_AGE_BAND_AND_SEX: dict[tuple[str, str], float] = {
    ("18-24", "Male"): 0.01,
    ("18-24", "Female"): 0.002,
    ("25-34", "Male"): 0.04,
    ("25-34", "Female"): 0.008,
    ("35-44", "Male"): 0.07,
    ("35-44", "Female"): 0.013,
    ("45-54", "Male"): 0.09,
    ("45-54", "Female"): 0.016,
    ("55-64", "Male"): 0.13,
    ("55-64", "Female"): 0.017,
    ("65-74", "Male"): 0.28,
    ("65-74", "Female"): 0.015,
    ("75-89", "Male"): 0.45,
    ("75-89", "Female"): 0.013,
}

DISABILITY_SHARE_BY_AGE_BAND: dict[str, float] = {
    "16-17": 0.06,
    "18-24": 0.07,
    "25-34": 0.08,
    "35-44": 0.10,
    "45-54": 0.13,
    "55-64": 0.18,
    "65-74": 0.24,
    "75-89": 0.46,
}

DIFFICULTY_SHARE_AMONG_DISABLED: dict[str, float] = {"cognitive": 0.40, "vision": 0.18, "hearing": 0.30}

INSURANCE_UNDER_65: dict[str, float] = {
    "Employer-sponsored private insurance": 0.60,
    "Directly purchased private insurance": 0.08,
    "Medicaid": 0.17,
    "Military health care (TRICARE or VA)": 0.02,
    "Uninsured": 0.10,
}
INSURANCE_65_PLUS: dict[str, float] = {
    "Medicare only": 0.30,
    "Medicare and private supplemental insurance": 0.52,
    "Medicare and Medicaid": 0.09,
    "Medicare and military health care": 0.08,
    "Uninsured": 0.01,
}

BIRTH_IN_PAST_YEAR_SHARE_BY_AGE_BAND: dict[str, float] = {
    "16-17": 0.01,
    "18-24": 0.06,
    "25-34": 0.09,
    "35-44": 0.04,
    "45-54": 0.003,
}

IDEOLOGY_BY_AGE_BAND: dict[str, dict[str, float]] = {
    "young": {"Very liberal": 0.12, "Liberal": 0.22, "Moderate": 0.36, "Conservative": 0.21, "Very conservative": 0.09},
    "middle": {
        "Very liberal": 0.08,
        "Liberal": 0.17,
        "Moderate": 0.37,
        "Conservative": 0.27,
        "Very conservative": 0.11,
    },
    "older": {"Very liberal": 0.07, "Liberal": 0.15, "Moderate": 0.34, "Conservative": 0.30, "Very conservative": 0.14},
}

PARTY_BY_IDEOLOGY: dict[str, dict[str, float]] = {
    "Very liberal": {"Democrat": 0.72, "Independent, leans Democrat": 0.22, "Independent": 0.04, "Republican": 0.02},
    "Liberal": {"Democrat": 0.58, "Independent, leans Democrat": 0.30, "Independent": 0.07, "Republican": 0.05},
    "Moderate": {
        "Democrat": 0.28,
        "Independent, leans Democrat": 0.18,
        "Independent": 0.22,
        "Independent, leans Republican": 0.14,
        "Republican": 0.18,
    },
    "Conservative": {
        "Republican": 0.55,
        "Independent, leans Republican": 0.25,
        "Independent": 0.08,
        "Democrat": 0.12,
    },
    "Very conservative": {
        "Republican": 0.72,
        "Independent, leans Republican": 0.20,
        "Independent": 0.05,
        "Democrat": 0.03,
    },
}

RELIGION_SHARES: dict[str, float] = {
    "Evangelical Protestant": 0.23,
    "Mainline Protestant": 0.11,
    "Historically Black Protestant": 0.05,
    "Catholic": 0.19,
    "Latter-day Saint": 0.02,
    "Orthodox Christian": 0.01,
    "Jehovah's Witness": 0.01,
    "Jewish": 0.02,
    "Muslim": 0.01,
    "Buddhist": 0.01,
    "Hindu": 0.01,
    "Atheist": 0.05,
    "Agnostic": 0.06,
    "Nothing in particular": 0.18,
}

RELIGION_OVERRIDES_BY_ANCESTRY: dict[str, dict[str, float]] = {
    "Indian": {
        "Hindu": 0.48,
        "Muslim": 0.08,
        "Sikh": 0.05,
        "Catholic": 0.05,
        "Evangelical Protestant": 0.06,
        "Nothing in particular": 0.18,
        "Agnostic": 0.05,
        "Atheist": 0.05,
    },
    "Pakistani": {"Muslim": 0.85, "Nothing in particular": 0.10, "Agnostic": 0.05},
    "Mexican": {
        "Catholic": 0.57,
        "Evangelical Protestant": 0.15,
        "Mainline Protestant": 0.03,
        "Nothing in particular": 0.18,
        "Atheist": 0.03,
        "Agnostic": 0.04,
    },
    "Filipino": {
        "Catholic": 0.65,
        "Evangelical Protestant": 0.12,
        "Nothing in particular": 0.13,
        "Agnostic": 0.05,
        "Atheist": 0.05,
    },
    "Vietnamese": {"Buddhist": 0.40, "Catholic": 0.30, "Nothing in particular": 0.25, "Atheist": 0.05},
    "Chinese": {
        "Nothing in particular": 0.45,
        "Atheist": 0.10,
        "Agnostic": 0.08,
        "Buddhist": 0.15,
        "Evangelical Protestant": 0.15,
        "Catholic": 0.07,
    },
    "African American": {
        "Historically Black Protestant": 0.50,
        "Evangelical Protestant": 0.10,
        "Catholic": 0.06,
        "Muslim": 0.02,
        "Nothing in particular": 0.24,
        "Atheist": 0.03,
        "Agnostic": 0.05,
    },
}

BIG_FIVE_TRAITS: tuple[str, ...] = ("Openness", "Conscientiousness", "Extraversion", "Agreeableness", "Neuroticism")
