"""The preference-pair quality check: a clean file passes, each defect is one line, exit codes 0/1/2."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pluralbench.persona.preferences import quality
from support import FIXTURES

PAIRS = FIXTURES / "persona" / "preferences.jsonl"
ROWS: list[dict[str, Any]] = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]


def check(
    tmp_path: Path, rows: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str]]:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    code = quality.main([str(path), *args])
    return code, capsys.readouterr().out.splitlines()


def test_the_fixture_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main([str(PAIRS)]) == 0
    assert (
        capsys.readouterr().out.strip()
        == "6 pairs, 6 attributes, largest political_views 1, 6 asking personas, 6 questions, 0 problems"
    )


def test_the_bundled_pairs_pass_and_are_diverse(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main([]) == 0
    line = capsys.readouterr().out.strip()
    match = re.fullmatch(
        r"(\d+) pairs, (\d+) attributes, largest \w+ (\d+), (\d+) asking personas, (\d+) questions, 0 problems", line
    )
    assert match, line
    pairs, attributes, largest, askers, questions = map(int, match.groups())
    assert pairs >= 300 and attributes >= 8 and largest <= 0.25 * pairs and askers >= 200 and questions >= 120


def with_change(index: int, **change: Any) -> list[dict[str, Any]]:
    return [({**row, **change} if i == index else row) for i, row in enumerate(ROWS)]


LONG_SENTENCE = "You should talk this through with the people you trust most before you decide anything at all."

CASES: list[tuple[list[dict[str, Any]], str]] = [
    (with_change(1, pair_id="pp9001"), "pp9001 (%s:2): duplicate pair_id (first at %s:1)"),
    (with_change(1, persona_id="p9999"), "pp9002 (%s:2): field 'persona_id': unknown persona 'p9999'"),
    (with_change(1, contrast_persona_id="p9999"), "field 'contrast_persona_id': unknown persona 'p9999'"),
    (with_change(1, question_id="q9999"), "field 'question_id': unknown question 'q9999'"),
    (with_change(1, rejected=ROWS[1]["chosen"].lower()), "the two answers are the same"),
    (with_change(1, rejected=ROWS[0]["rejected"]), "duplicate answer in pp9001, pp9002"),
    # p0041 and p0016 are both Republicans: the contrast does not differ on the named attribute
    (
        with_change(0, contrast_persona_id="p0016"),
        "personas do not differ on political_views ('Republican' vs 'Republican')",
    ),
    # p0006 (17) has no political views
    (with_change(0, contrast_persona_id="p0006"), "personas do not differ on political_views ('Republican' vs None)"),
    (with_change(0, contrast_persona_id="p0041"), "the contrast persona is the asking persona"),
    (with_change(0, attribute=None), "contrast_persona_id and attribute must be given together"),
    (with_change(0, chosen="Too short to be an answer."), "chosen has 6 words, outside 60-160"),
    (with_change(0, chosen=ROWS[0]["chosen"] + " As your persona suggests, act."), "chosen mentions a persona"),
    (
        with_change(1, persona_id=ROWS[0]["persona_id"], question_id=ROWS[0]["question_id"]),
        "persona p0041 asks q0055 in more than one pair: pp9001, pp9002",
    ),
    (
        [
            {**ROWS[0], "chosen": ROWS[0]["chosen"] + " " + LONG_SENTENCE},
            {**ROWS[1], "rejected": LONG_SENTENCE + " " + ROWS[1]["rejected"]},
            *ROWS[2:],
        ],
        "sentence reused in pp9001, pp9002: 'you should talk this through",
    ),
    (
        with_change(0, chosen=[{"role": "user", "content": "x"}]),
        "field 'chosen': Value error, must be a string or a list of exactly one assistant message",
    ),
    (with_change(0, attribute="zodiac"), "field 'attribute': Value error, 'zodiac' is not a persona attribute"),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_each_defect_is_reported_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict[str, Any]], expected: str
) -> None:
    code, lines = check(tmp_path, rows, capsys)
    path = str(tmp_path / "pairs.jsonl")
    wanted = expected.replace("%s", path)
    assert code == 1
    problems = lines[:-1]
    assert any(wanted in line for line in problems), problems
    assert lines[-1].endswith(f"{len(problems)} problems")


def test_length_check_can_be_skipped_and_broken_lines_are_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = check(tmp_path, with_change(0, chosen="Short but fine for a generated file."), capsys, "--any-length")
    assert code == 0
    path = tmp_path / "broken.jsonl"
    path.write_text(PAIRS.read_text(encoding="utf-8") + '{"pair_id": "pp9\n', encoding="utf-8")
    assert quality.main([str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"{path}:7: invalid JSON")


def test_an_unusable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main([str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
