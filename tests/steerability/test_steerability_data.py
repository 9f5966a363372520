"""Steerability data loading (our JSONL layout and the original CSV layout) and sample design."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from pluralbench._errors import InputError
from pluralbench._files import bundled_path
from pluralbench.steerability.data import (
    BUNDLED_PERSONAS,
    BUNDLED_STATEMENTS,
    load_original_personas,
    load_original_statements,
    load_steerability_data,
)
from pluralbench.steerability.dataset import (
    SteerabilityMetadata,
    build_design,
    cross_assignment,
    design_samples,
    steerability_cost,
)
from support import FIXTURES as FIXTURE_ROOT

FIXTURES = FIXTURE_ROOT / "steerability"
STATEMENT_COLUMNS = [
    "persona_id",
    "persona_description",
    "framework_name",
    "framework_description",
    "statement",
    "statement_id",
    "is_agree",
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _design(**options: object):  # type: ignore[no-untyped-def]
    settings: dict[str, object] = {
        "personas": 4,
        "n_steer": 2,
        "cross": 2,
        "statements": "all",
        "statements_per_call": 1,
        "seed": 0,
    }
    settings.update(options)
    return build_design(load_steerability_data(FIXTURES), **settings)  # type: ignore[arg-type]


def test_original_personas_csv() -> None:
    personas = load_original_personas(FIXTURES / "personas.csv")
    assert [p.persona_id for p in personas] == ["p_intj", "p_esfp", "p_aries", "p_taurus"]
    intj = personas[0]
    assert (intj.framework, intj.label, intj.description) == ("MBTI", "INTJ", "INTJ")
    assert intj.framework_description.startswith("A typology") and intj.framework_description.endswith("axes.")


def test_original_statements_csv_takes_personas_from_its_columns() -> None:
    personas, statements = load_original_statements(FIXTURES / "statements.csv")
    assert [p.persona_id for p in personas] == ["p_intj", "p_esfp", "p_aries", "p_taurus"]
    assert personas[2].framework == "Zodiac" and personas[2].label == "Aries"
    assert len(statements) == 32
    assert Counter(s.agree for s in statements) == {True: 16, False: 16}
    assert statements[0].statement_id == "p_intj_01" and statements[0].agree is True


def test_data_option_accepts_csv_directory_and_jsonl() -> None:
    from_csv = load_steerability_data(FIXTURES / "statements.csv")
    from_dir = load_steerability_data(FIXTURES)
    from_jsonl = load_steerability_data(
        FIXTURES / "statements.jsonl", persona_file=FIXTURES / "framework_personas.jsonl"
    )
    for data in (from_csv, from_dir, from_jsonl):
        assert list(data.personas) == ["p_intj", "p_esfp", "p_aries", "p_taurus"]
        assert sum(len(items) for items in data.statements.values()) == 32
    assert from_jsonl.personas["p_intj"].description == "A person of type INTJ."
    texts = {s.statement_id: (s.statement, s.agree) for items in from_csv.statements.values() for s in items}
    assert texts == {s.statement_id: (s.statement, s.agree) for items in from_jsonl.statements.values() for s in items}


def test_bundled_data_when_present() -> None:
    if not (bundled_path(BUNDLED_PERSONAS).is_file() and bundled_path(BUNDLED_STATEMENTS).is_file()):
        pytest.skip("bundled steerability data not merged yet")
    data = load_steerability_data()
    assert len(data.personas) == 100
    for statements in data.statements.values():
        assert Counter(s.agree for s in statements) == {True: 30, False: 30}
    design = build_design(data, personas=40, n_steer=4, cross=4, statements="all", statements_per_call=1, seed=0)
    assert design.statements == 56
    assert design.cost.calls == 11_200 and design.cost.full_matrix_calls == 89_600


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows, cols: (rows, [c for c in cols if c != "is_agree"]), "missing column.*is_agree"),
        (lambda rows, cols: ([{**r, "extra": "1"} for r in rows], [*cols, "extra"]), "unknown column.*extra"),
        (lambda rows, cols: ([{**rows[0], "is_agree": "perhaps"}, *rows[1:]], cols), "line 2.*is_agree"),
        (lambda rows, cols: ([*rows, rows[0]], cols), "duplicate statement_id 'p_intj_01'"),
        (lambda rows, cols: ([*rows, {**rows[0], "statement_id": "x", "framework_name": "Tarot"}], cols), "p_intj"),
        (lambda rows, cols: ([{**rows[0], "statement": "  "}, *rows[1:]], cols), "field 'statement'"),
    ],
)
def test_bad_statements_csv_is_rejected(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    rows, columns = edit(_rows(FIXTURES / "statements.csv"), list(STATEMENT_COLUMNS))
    rows = [{key: value for key, value in row.items() if key in columns} for row in rows]
    path = _write(tmp_path / "statements.csv", rows, columns)
    with pytest.raises(InputError, match=message):
        load_steerability_data(path)


def test_personas_csv_must_agree_with_statements(tmp_path: Path) -> None:
    (tmp_path / "statements.csv").write_bytes((FIXTURES / "statements.csv").read_bytes())
    rows = _rows(FIXTURES / "personas.csv")
    rows[1]["persona_description"] = "ENTP"
    _write(tmp_path / "personas.csv", rows, list(rows[0]))
    with pytest.raises(InputError, match="p_esfp"):
        load_steerability_data(tmp_path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("no/such/statements.csv", "no such file"),
        (str(FIXTURES / "personas.csv"), "missing column"),
        (str(FIXTURES / "framework_personas.jsonl"), "unknown field|field 'statement"),
    ],
)
def test_bad_data_paths(data: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_steerability_data(data, persona_file=FIXTURES / "framework_personas.jsonl")


def test_wrong_extension_and_empty_directory(tmp_path: Path) -> None:
    other = tmp_path / "statements.txt"
    other.write_text("x")
    with pytest.raises(InputError, match="expected a .jsonl"):
        load_steerability_data(other)
    with pytest.raises(InputError, match="no statements.csv"):
        load_steerability_data(tmp_path)


def test_jsonl_statement_of_unknown_persona(tmp_path: Path) -> None:
    path = tmp_path / "statements.jsonl"
    path.write_text('{"statement_id": "s1", "persona_id": "ghost", "statement": "I like tea.", "agree": true}\n')
    with pytest.raises(InputError, match="unknown persona 'ghost'"):
        load_steerability_data(path, persona_file=FIXTURES / "framework_personas.jsonl")


def test_splits_are_balanced_and_steering_is_never_tested_for_the_same_persona() -> None:
    design = _design(n_steer=4, statements="all")
    assert design.statements == 4
    for split in design.splits.values():
        assert Counter(s.agree for s in split.steering) == {True: 2, False: 2}
        assert Counter(s.agree for s in split.test) == {True: 2, False: 2}
        assert not {s.statement_id for s in split.steering} & {s.statement_id for s in split.test}
    for sample in design_samples(design):
        metadata = SteerabilityMetadata.model_validate(sample.metadata)
        steering_ids = {s.statement_id for s in design.splits[metadata.steered_persona].steering}
        assert metadata.statement_id not in steering_ids
        assert metadata.agree == (sample.target == "Y")


def test_test_sets_are_shared_by_every_steered_persona() -> None:
    samples = design_samples(_design(cross="all"))
    tested: dict[tuple[str, str], set[str]] = {}
    for sample in samples:
        metadata = SteerabilityMetadata.model_validate(sample.metadata)
        tested.setdefault((metadata.steered_persona, metadata.test_persona), set()).add(metadata.statement_id)
    assert len(tested) == 16
    for q in ["p_intj", "p_esfp", "p_aries", "p_taurus"]:
        assert len({frozenset(ids) for (p, qq), ids in tested.items() if qq == q}) == 1


def test_sample_count_matches_cost_and_ids_are_unique() -> None:
    design = _design(personas=4, cross=2, n_steer=2, statements=5)
    samples = design_samples(design)
    assert len(samples) == 4 * 3 * 5 == design.cost.samples
    assert len({s.id for s in samples}) == len(samples)
    own = [s for s in samples if SteerabilityMetadata.model_validate(s.metadata).own]
    assert len(own) == 20


def test_cross_assignment_is_balanced_and_excludes_self() -> None:
    ids = [f"p{i}" for i in range(9)]
    for cross in range(9):
        assignment = cross_assignment(ids, cross, seed=3)
        counts = Counter(q for qs in assignment.values() for q in qs)
        assert all(p not in qs and len(set(qs)) == cross for p, qs in assignment.items())
        assert all(counts[q] == cross for q in ids) if cross else not counts


def test_persona_count_is_spread_over_frameworks_and_seeded() -> None:
    data = load_steerability_data(FIXTURES)
    for seed in range(5):
        design = build_design(data, personas=2, n_steer=2, cross=1, statements=2, statements_per_call=1, seed=seed)
        assert sorted(p.framework for p in design.personas) == ["MBTI", "Zodiac"]
    first = [s.id for s in design_samples(_design(seed=7))]
    assert first == [s.id for s in design_samples(_design(seed=7))]
    assert any(first != [s.id for s in design_samples(_design(seed=seed))] for seed in range(8, 12))


def test_persona_ids_option() -> None:
    design = _design(personas="p_taurus,p_intj", cross=1)
    assert [p.persona_id for p in design.personas] == ["p_taurus", "p_intj"]
    assert design.cross == {"p_taurus": ["p_intj"], "p_intj": ["p_taurus"]}
    assert [p.persona_id for p in _design(personas=["p_esfp"], cross=0).personas] == ["p_esfp"]


def test_batches_group_consecutive_statements_of_one_cell() -> None:
    samples = design_samples(_design(statements=5, statements_per_call=2))
    batches: dict[str, list[SteerabilityMetadata]] = {}
    for sample in samples:
        metadata = SteerabilityMetadata.model_validate(sample.metadata)
        assert metadata.batched
        batches.setdefault(metadata.batch_id, []).append(metadata)
    assert len(batches) == 4 * 3 * 3
    for members in batches.values():
        assert len({(m.steered_persona, m.test_persona) for m in members}) == 1
        assert [m.batch_position for m in members] == list(range(1, len(members) + 1))
        assert all(m.batch == members[0].batch and m.batch[m.batch_position - 1] for m in members)
    assert sorted(Counter(len(m) for m in batches.values()).items()) == [(1, 12), (2, 24)]


def test_repeated_text_of_a_steering_statement_is_not_tested(tmp_path: Path) -> None:
    rows = _rows(FIXTURES / "statements.csv")
    taurus = [r for r in rows if r["persona_id"] == "p_taurus"]
    intj_texts = [r["statement"] for r in rows if r["persona_id"] == "p_intj"]
    for row, text in zip(taurus, intj_texts, strict=True):
        row["statement"] = text.upper()
    path = _write(tmp_path / "statements.csv", rows, STATEMENT_COLUMNS)
    design = build_design(
        load_steerability_data(path),
        personas=["p_intj", "p_taurus"],
        n_steer=2,
        cross=1,
        statements="all",
        statements_per_call=1,
        seed=0,
    )
    steering = {s.statement.lower() for s in design.splits["p_intj"].steering}
    intj_on_taurus = [
        m
        for m in (SteerabilityMetadata.model_validate(s.metadata) for s in design_samples(design))
        if m.steered_persona == "p_intj" and m.test_persona == "p_taurus"
    ]
    tested = {m.batch[0].lower() for m in intj_on_taurus}
    assert tested and not tested & steering
    assert len(intj_on_taurus) == 6 - len(steering & {s.statement.lower() for s in design.splits["p_taurus"].test})


def test_cost_of_default_design() -> None:
    cost = steerability_cost(40, 4, 56)
    assert (cost.samples, cost.calls, cost.full_matrix_calls) == (11_200, 11_200, 89_600)
    assert cost.fraction_of_full == pytest.approx(1 / 8)
    batched = steerability_cost(40, 4, 56, statements_per_call=8)
    assert (batched.samples, batched.calls, batched.full_matrix_calls) == (11_200, 1_400, 11_200)
    assert steerability_cost(40, 39, 56).calls == steerability_cost(40, 39, 56).full_matrix_calls
    with pytest.raises(ValueError, match="cross"):
        steerability_cost(4, 4, 10)
