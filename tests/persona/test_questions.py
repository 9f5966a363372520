import json
from collections import Counter

from pluralbench._text import normalize_statement
from pluralbench.persona.data import load_personas, load_questions, pair_personas_with_questions, passes_persona_filter
from pluralbench.persona.prism import questions_from_prism_records
from pluralbench.personas import Persona
from replies import controversy_verdict
from support import FIXTURES

FIXTURE = FIXTURES / "prism_conversations.jsonl"


def test_bundled_questions_pass_the_filter_and_cover_fifteen_topics() -> None:
    questions = load_questions()
    assert len(questions) >= 300
    assert all(q.question.rstrip().endswith("?") and passes_persona_filter(q.question) for q in questions)
    topics = Counter(q.topic for q in questions)
    assert len(topics) >= 15 and min(topics.values()) >= 5
    normalized = [normalize_statement(q.question) for q in questions]
    assert len(set(normalized)) == len(normalized)


def test_prism_loader_selects_guided_opening_prompts_and_counts_exclusions() -> None:
    records = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    selection = questions_from_prism_records(records)
    assert [q.question_id for q in selection.questions] == ["c0", "c1", "c6"]
    assert selection.questions[1].topic == "controversy_guided"
    assert selection.questions[0].question == "Is it ever acceptable to lie to protect a friend's feelings?"
    assert selection.excluded == {
        "conversation type 'unguided'": 1,
        "no question mark or fewer than 5 words": 2,
        "duplicate prompt": 1,
    }
    assert sum(selection.excluded.values()) + len(selection.questions) == len(records)


def test_pairing_is_seeded_random_and_distinct() -> None:
    personas = [Persona(persona_id=f"p{i}") for i in range(30)]
    questions = load_questions()[:30]
    pairs = pair_personas_with_questions(personas, questions, 50, seed=3)
    keys = [(p.persona_id, q.question_id) for p, q in pairs]
    assert len(set(keys)) == 50
    assert keys == [(p.persona_id, q.question_id) for p, q in pair_personas_with_questions(personas, questions, 50, 3)]
    diagonal = sum(1 for p, q in pairs if p.persona_id[1:] == str(questions.index(q)))
    assert diagonal < 10


def test_controversy_filter_keeps_contested_questions_and_counts_the_rest() -> None:
    import asyncio

    from inspect_ai.model import ChatMessage

    from pluralbench.persona.prism import filter_contested
    from pluralbench.scripted import scripted_model

    records = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    selection = questions_from_prism_records(records)

    def judge(messages: list[ChatMessage]) -> str:
        text = messages[-1].text
        if "death penalty" in text:
            return controversy_verdict(True)
        return "no idea" if "homeschool" in text else controversy_verdict(False)

    filtered = asyncio.run(filter_contested(selection, scripted_model(judge)))
    assert [q.question_id for q in filtered.questions] == ["c1"]
    assert filtered.excluded["judged not contested"] == 1
    assert filtered.excluded["controversy verdict unreadable"] == 1
    assert filtered.excluded["duplicate prompt"] == 1


def test_no_bundled_pair_contradicts_its_question_premise() -> None:
    from pluralbench.persona.data import premise_exclusions

    personas, questions = load_personas(), load_questions()
    by_id = {q.question_id: q for q in questions}
    assert by_id["q0018"].requires == {"sex": ["Female"], "age": [16, 50]}  # "I just found out I'm pregnant"
    assert by_id["q0285"].requires == {"sex": ["Female"], "marital_status": ["Widowed"]}  # "My husband died"
    assert by_id["q0002"].requires is None
    for n in (100, 2000):  # the default n, and a large draw
        for persona_, question in pair_personas_with_questions(personas, questions, n, seed=42):
            assert question.fits(persona_), (persona_.persona_id, question.question_id)
    counts = premise_exclusions(personas, questions)
    fitting = sum(1 for p in personas for q in questions if q.fits(p))
    assert counts["pairs_total"] - counts["pairs_excluded"] == fitting
    widowed_women = sum(1 for p in personas if p.sex == "Female" and p.marital_status == "Widowed")
    assert counts["excluded_by_question"]["q0285"] == len(personas) - widowed_women
    # the whole pool: every pair the draw can return fits, and all of them are reachable
    drawn = pair_personas_with_questions(
        personas,
        questions[280:290],
        fitting_small := sum(1 for p in personas for q in questions[280:290] if q.fits(p)),
        seed=1,
    )
    assert len({(p.persona_id, q.question_id) for p, q in drawn}) == fitting_small
    assert all(q.fits(p) for p, q in drawn)


def test_user_premises_are_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from pluralbench._errors import InputError

    bad = tmp_path / "q.jsonl"
    for requires, message in (
        ({"sex": ["female"]}, "unknown value"),
        ({"hair": ["red"]}, "cannot be a premise"),
        ({"age": [50, 20]}, r"\[min, max\]"),
        ({"age": ["20", 30]}, "requires"),
    ):
        bad.write_text(json.dumps({"question": "Why?", "requires": requires}) + "\n")
        with pytest.raises(InputError, match=message):
            load_questions(bad)
