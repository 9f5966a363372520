"""persona_group's draws: seeded, distinct members, diverse groups more diverse than random ones,
members of a groups file from different groups, and the prompt the evaluated model sees."""

from __future__ import annotations

import random
import re
from collections import Counter
from statistics import mean

from pluralbench._files import bundled_path
from pluralbench.persona.data import Question, load_personas, load_questions
from pluralbench.persona.group.draw import distance, group_dataset, mean_pairwise_distance, profile
from pluralbench.persona.group.solvers import group_messages, read_output
from pluralbench.persona.group.types import GroupSampleMeta
from pluralbench.persona.options import parse_groups
from pluralbench.scripted import scripted_output


def metas(dataset: object) -> list[GroupSampleMeta]:
    return [GroupSampleMeta.model_validate(sample.metadata) for sample in dataset]  # type: ignore[attr-defined]


def test_draws_are_seeded_and_members_distinct() -> None:
    pool, questions = load_personas(), load_questions()
    first = group_dataset(pool, questions, m=4, n=30, seed=1, name="a")
    again = group_dataset(pool, questions, m=4, n=30, seed=1, name="a")
    other = group_dataset(pool, questions, m=4, n=30, seed=2, name="a")
    assert [s.id for s in first] == [s.id for s in again] != [s.id for s in other]
    assert len({s.id for s in first}) == 30
    assert all(len({m.persona_id for m in meta.members}) == 4 for meta in metas(first))


def test_diverse_groups_differ_on_more_attributes_than_random_ones() -> None:
    pool, questions = load_personas(), load_questions()
    diverse = mean(meta.distance for meta in metas(group_dataset(pool, questions, m=3, n=60, seed=3, name="d")))
    rng = random.Random(3)
    profiles = [profile(p) for p in pool]
    chance = mean(mean_pairwise_distance(rng.sample(profiles, 3)) for _ in range(300))
    assert diverse > chance + 1.5


def test_distance_counts_differences_where_both_personas_have_the_attribute() -> None:
    [a, b] = load_personas()[:2]
    assert distance(profile(a), profile(a)) == 0
    assert distance(profile(a), profile(a.without("religion", "sex"))) == 0
    assert distance(profile(a), profile(b)) == distance(profile(b), profile(a)) > 0


def test_members_of_a_groups_file_come_from_different_groups_they_belong_to() -> None:
    pool, questions = load_personas(), load_questions()
    groups = parse_groups(bundled_path("groups_sex_by_age.json"))
    by_name = {group.name: group for group in groups}
    people = {p.persona_id: p for p in pool}
    for meta in metas(group_dataset(pool, questions, m=3, n=40, seed=4, groups=groups, name="g")):
        cells = [m.spec_group for m in meta.members]
        assert len(set(cells)) == 3 and meta.composition == "groups"
        assert all(by_name[str(m.spec_group)].matches(people[m.persona_id]) for m in meta.members)


def test_the_group_prompt_fences_every_member_and_baseline_shows_no_one() -> None:
    pool, questions = load_personas(), load_questions()
    [sample] = list(group_dataset(pool, questions, m=3, n=1, seed=5, name="p"))
    meta = GroupSampleMeta.model_validate(sample.metadata)
    system, user = group_messages("output_only", str(sample.input), meta.members)
    blocks = re.findall(r"\[BEGIN PERSON (\d) (\w+)\]\n(.*?)\n\[END PERSON \1 \2\]", system.text, flags=re.DOTALL)
    assert [text for _, _, text in blocks] == [m.persona_text for m in meta.members]
    assert str(sample.input) in user.text and "<answer>" in user.text
    [only] = group_messages("baseline", str(sample.input), meta.members)
    assert only.role == "user" and "Age:" not in only.text


def test_replies_are_read_as_the_persona_family_reads_them() -> None:
    assert read_output("output_only", scripted_output("<answer>\n</answer>")).outcome == "format_failure"
    assert read_output("output_only", scripted_output("<answer>Yes.</answer>")).answer == "Yes."
    long = scripted_output("<answer>cut off")
    long.choices[0].stop_reason = "model_length"
    assert read_output("output_only", long).outcome == "context_overflow"


def test_every_member_fits_the_premise_of_the_question_the_group_asks() -> None:
    pool = load_personas()
    questions = [
        Question(
            question_id="mothers", question="As a mother, how much screen time is fine?", requires={"sex": ["Female"]}
        ),
        Question(question_id="anyone", question="Is it ever right to lie to protect a friend?"),
    ]
    people = {p.persona_id: p for p in pool}
    asked: Counter[str] = Counter()
    for meta in metas(group_dataset(pool, questions, m=3, n=40, seed=6, name="premise")):
        asked[meta.question_id] += 1
        if meta.question_id == "mothers":
            assert all(people[m.persona_id].sex == "Female" for m in meta.members)
    assert asked["mothers"] > 0 and asked["anyone"] > 0
