"""Reading user files: a UTF-8 byte-order mark and raw line-separator characters are ordinary text.

Spreadsheet exports start CSV and JSONL files with a BOM; JSON allows U+2028, U+2029 and U+0085
raw inside strings, which ``str.splitlines`` would treat as line ends.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pluralbench._errors import InputError
from pluralbench._files import read_json_file, read_jsonl_models, split_lines
from pluralbench.alignment.sources import read_mic_items
from pluralbench.persona.data import Question, load_personas, load_questions
from pluralbench.steerability.data import load_original_statements
from support import FIXTURES

BOM = "\ufeff"
SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x0c", "\x1c"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_split_lines_splits_at_newlines_only(separator: str) -> None:
    text = f'{{"a": "x{separator}y"}}\r\n{{"b": 1}}\n'
    assert split_lines(text) == [f'{{"a": "x{separator}y"}}', '{"b": 1}']
    assert split_lines(text, keepends=True) == [f'{{"a": "x{separator}y"}}\r\n', '{"b": 1}\n']
    assert "".join(split_lines(text, keepends=True)) == text


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_raw_separators_inside_json_strings_are_accepted_and_line_numbers_stay_right(
    separator: str, tmp_path: Path
) -> None:
    path = tmp_path / "questions.jsonl"
    good = json.dumps({"question_id": "q1", "question": f"Is it fair{separator}to ask?"}, ensure_ascii=False)
    path.write_text(f'{good}\n{{"question_id": "q2"}}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: field 'question': Field required"):
        load_questions(path)
    path.write_text(f"{good}\n", encoding="utf-8")
    [question] = load_questions(path)
    assert question.question == f"Is it fair{separator}to ask?"


def test_a_jsonl_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(BOM + '{"persona_id": "p1", "age": 30}\n{"persona_id": "p2"}\n', encoding="utf-8")
    assert [p.persona_id for p in load_personas(path)] == ["p1", "p2"]
    path.write_bytes(b"\xef\xbb\xbf" + b'{"question_id": "q", "question": "Why?"}\n')
    assert read_jsonl_models(path, Question, "question file")[0].question_id == "q"


def test_a_json_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    path.write_text(BOM + '{"groups": []}', encoding="utf-8")
    assert read_json_file(path, "groups file") == {"groups": []}


def test_a_bom_is_dropped_only_at_the_start(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(f'{{"persona_id": "p1"}}\n{BOM}{{"persona_id": "p2"}}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: invalid JSON"):
        load_personas(path)


def test_a_csv_with_a_bom_has_its_real_first_column(tmp_path: Path) -> None:
    source = (FIXTURES / "steerability" / "statements.csv").read_text(encoding="utf-8")
    path = tmp_path / "statements.csv"
    path.write_text(BOM + source, encoding="utf-8")
    personas, statements = load_original_statements(path)
    expected_personas, expected_statements = load_original_statements(FIXTURES / "steerability" / "statements.csv")
    assert personas == expected_personas and statements == expected_statements
    broken = tmp_path / "broken.csv"
    broken.write_text(BOM + source.replace("persona_id", "persona", 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_original_statements(broken)
    assert "missing column(s) persona_id" in str(caught.value) and BOM not in str(caught.value)


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_a_csv_field_holding_a_line_separator_stays_one_field(separator: str, tmp_path: Path) -> None:
    with (FIXTURES / "steerability" / "statements.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    rows[0]["statement"] = f"I plan ahead{separator}and keep to it."
    rows[1]["statement"] = f"I rarely{separator}improvise."  # unquoted by the writer: no comma, no quote
    path = tmp_path / "statements.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _, statements = load_original_statements(path)
    assert len(statements) == len(rows)
    assert statements[0].statement == f"I plan ahead{separator}and keep to it."
    assert statements[1].statement == f"I rarely{separator}improvise."


def test_a_mic_csv_with_a_bom_is_read(tmp_path: Path) -> None:
    source = (FIXTURES / "alignment" / "MIC.csv").read_text(encoding="utf-8")
    path = tmp_path / "MIC.csv"
    path.write_text(BOM + source, encoding="utf-8")
    assert read_mic_items(path, seed=0) == read_mic_items(FIXTURES / "alignment" / "MIC.csv", seed=0)
