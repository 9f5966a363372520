import json
from collections import Counter

from pluralbench._files import bundled_path
from pluralbench.steerability.quality import statement_problems


def _rows(path_name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in bundled_path(path_name).read_text().splitlines() if line.strip()]


def test_bundled_statements_pass_every_quality_check() -> None:
    rows = _rows("statements.jsonl")
    personas = [row["persona_id"] for row in _rows("framework_personas.jsonl")]
    assert len(rows) == 6000 and len(personas) == 100
    assert statement_problems(rows, expected_personas=personas) == []  # type: ignore[arg-type]


def test_bundled_framework_personas_cover_the_five_frameworks() -> None:
    frameworks = Counter(row["framework"] for row in _rows("framework_personas.jsonl"))
    assert frameworks == {"MBTI": 16, "Enneagram": 18, "Big Five": 32, "Zodiac": 12, "Tarot": 22}


def _persona(pid: str, prefix: str = "") -> list[dict[str, object]]:
    agree = [f"I {prefix}agree habit number {i} involving topic{i} and detail{i}" for i in range(3)]
    disagree = [f"I {prefix}reject idea number {i} about subject{i} with extra{i}" for i in range(3)]
    return [
        {"statement_id": f"{pid}_a{i}", "persona_id": pid, "statement": s, "agree": True} for i, s in enumerate(agree)
    ] + [
        {"statement_id": f"{pid}_d{i}", "persona_id": pid, "statement": s, "agree": False}
        for i, s in enumerate(disagree)
    ]


def test_checker_flags_each_defect() -> None:
    clean = _persona("a") + _persona("b", "firmly ")
    assert statement_problems(clean, agree_per_persona=3, disagree_per_persona=3) == []
    rows = [dict(r) for r in clean]
    rows[6]["statement"] = str(rows[0]["statement"]).upper() + "!"  # duplicate across personas, same label
    rows[9]["statement"] = rows[1]["statement"]  # same statement, opposite label, other persona
    rows[2]["statement"] = "I agree habit number 1 involving topic1 and detail2"  # near-duplicate
    rows[3]["statement"] = "I say no."  # too short
    problems = "\n".join(statement_problems(rows, agree_per_persona=3, disagree_per_persona=3))
    assert "duplicate statement: a_a0, b_a0" in problems
    assert "opposite labels" in problems
    assert "near-duplicate a_a1 ~ a_a2" in problems
    assert "a_d0: length 9" in problems
    imbalanced = statement_problems(clean[:-1], agree_per_persona=3, disagree_per_persona=3)
    assert imbalanced == ["b: 3 agree / 2 disagree, expected 3 / 3"]
