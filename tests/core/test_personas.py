import json
from collections import Counter
from pathlib import Path

import pytest

from pluralbench._errors import InputError
from pluralbench._files import bundled_path
from pluralbench.persona.data import load_personas
from pluralbench.personas import (
    CensusPersonaSampler,
    Persona,
    age_band_of,
    consistency_violations,
    joint_age_sex_race_shares,
)
from pluralbench.personas.__main__ import main as regenerate


def test_render_is_readable_and_omits_absent_fields() -> None:
    persona = Persona(persona_id="x", age=29, sex="Female", religion="Catholic", income=52000)
    text = persona.render()
    assert text.splitlines() == ["Age: 29", "Sex: Female", "Income: $52,000 per year", "Religion: Catholic"]
    assert "None" not in text and "nan" not in text and "{" not in text


def test_without_removes_attributes_and_rejects_unknown_names() -> None:
    persona = Persona(persona_id="x", age=40, religion="Hindu")
    reduced = persona.without("religion")
    assert reduced.religion is None and reduced.age == 40 and persona.religion == "Hindu"
    assert "Religion" not in reduced.render()
    with pytest.raises(ValueError, match="unknown persona attribute.*valid attributes: age"):
        persona.without("star_sign")


def test_bundled_personas_match_the_census_table_within_three_points() -> None:
    personas = load_personas()
    assert len(personas) >= 1000
    joint = joint_age_sex_race_shares()
    for index, key in enumerate(["age band", "sex", "race"]):
        expected: Counter[str] = Counter()
        for cell, share in joint.items():
            expected[cell[index]] += share
        observed = Counter(
            [age_band_of(p.age or 0), p.sex, p.race][index]
            for p in personas  # type: ignore[list-item]
        )
        for value, share in expected.items():
            assert abs(observed[value] / len(personas) - share) < 0.03, (key, value)


def test_no_bundled_persona_breaks_a_consistency_rule() -> None:
    assert [p.persona_id for p in load_personas() if consistency_violations(p)] == []


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"employment_status": "Retired"}, "retired"),
        ({"marital_status": "Married"}, "married"),
        ({"veteran_status": "Veteran"}, "veteran"),
        ({"education": "Doctorate"}, "Doctorate"),
        ({"political_views": "Democrat"}, "political"),
    ],
)
def test_consistency_rules_reject_impossible_minors(fields: dict[str, str], fragment: str) -> None:
    problems = consistency_violations(Persona(persona_id="m", age=17, **fields))
    assert any(fragment.lower() in problem.lower() for problem in problems)


def test_income_bound_for_people_out_of_the_labor_force() -> None:
    persona = Persona(persona_id="n", age=40, employment_status="Not in labor force", income=250_000)
    assert consistency_violations(persona)
    assert not consistency_violations(persona.model_copy(update={"income": 12_000}))


def test_regenerating_gives_byte_identical_personas(tmp_path: Path) -> None:
    out = tmp_path / "personas.jsonl"
    assert regenerate(["--out", str(out)]) == 0
    assert out.read_bytes() == bundled_path("personas.jsonl").read_bytes()


def test_sampler_is_seeded() -> None:
    first = CensusPersonaSampler(7).sample(20)
    assert first == CensusPersonaSampler(7).sample(20)
    assert first != CensusPersonaSampler(8).sample(20)
    assert len({p.defining_quirks for p in first}) > 10


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"age": 30}', "line 2: field 'persona_id': Field required"),
        ('{"persona_id": "b", "star_sign": "Leo"}', "line 2: field 'star_sign': unknown field"),
        ('{"persona_id": "b", "age": "thirty"}', "line 2: field 'age'"),
        ('{"persona_id": "a", "age": 31}', "line 2: duplicate id 'a' (first on line 1)"),
        ('{"persona_id": "b", ', "line 2: invalid JSON"),
    ],
)
def test_bad_persona_files_are_rejected_with_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps({"persona_id": "a", "age": 30}) + "\n" + line + "\n")
    with pytest.raises(InputError) as error:
        load_personas(path)
    assert str(path) in str(error.value) and message in str(error.value)
