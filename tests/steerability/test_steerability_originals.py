"""The original steerability benchmark's data and design: ids, shared statements, split rules, the preset."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog

from pluralbench._errors import InputError
from pluralbench.scripted import scripted_model
from pluralbench.steerability.data import SteerabilityData, load_steerability_data
from pluralbench.steerability.dataset import SteerabilityDesign, build_design, design_samples, select_personas
from pluralbench.steerability.presets import PRESETS
from pluralbench.steerability.tasks import _warn, steerability
from pluralbench.steerability.types import FrameworkPersona, Statement
from support import FIXTURES

ORIGINAL = FIXTURES / "steerability" / "original"
"""Four personas in the original's layout: 8-hex ids (two all digits), agree rows before disagree
rows, three statement texts shared by two personas (two of them with opposite labels)."""

DESIGN = {"n_steer": 2, "cross": "all", "statements": "all", "statements_per_call": 1, "seed": 0}


def original_data() -> SteerabilityData:
    return load_steerability_data(ORIGINAL)


def synthetic(ids: list[str], per_side: int = 4, copy_of: dict[str, str] | None = None) -> SteerabilityData:
    """Personas with ``per_side`` agree and disagree statements; ``copy_of[q] = p`` gives q p's statements too."""
    personas = {
        pid: FrameworkPersona(persona_id=pid, framework="F", framework_description="d", label=pid, description=pid)
        for pid in ids
    }
    statements: dict[str, list[Statement]] = {}
    for pid in ids:
        own = [
            Statement(
                statement_id=f"{pid}-{side}{i}", persona_id=pid, statement=f"{pid} says {side} {i}", agree=side == "a"
            )
            for side in ("a", "d")
            for i in range(per_side)
        ]
        source = (copy_of or {}).get(pid)
        copies = [
            Statement(statement_id=f"{pid}-copy-{s.statement_id}", persona_id=pid, statement=s.statement, agree=s.agree)
            for s in (statements.get(source, []) if source else [])
            if not s.statement_id.startswith(f"{source}-copy")
        ]
        statements[pid] = copies + own
    return SteerabilityData(personas=personas, statements=statements, source="synthetic", listed=tuple(ids))


def run(tmp_path: Path, **options: object) -> EvalLog:
    task = steerability(**options)  # type: ignore[arg-type]
    return eval(task, model=scripted_model("Y"), log_dir=str(tmp_path), display="none", log_realtime=False)[0]


def metric_names(log: EvalLog) -> set[str]:
    assert log.status == "success" and log.results is not None
    return {name for score in log.results.scores for name in score.metrics}


# --- persona ids -------------------------------------------------------------------------------------


def test_all_digit_ids_stay_strings_and_resolve_from_numbers() -> None:
    data = original_data()
    assert list(data.personas) == ["0447288b", "70099880", "68114429", "2d57d05a"]
    # -T personas=70099880 and YAML lists arrive as ints; a known id is that id, not a count
    assert select_personas(data, 70099880, seed=0) == ["70099880"]
    assert select_personas(data, [68114429, "0447288b"], seed=0) == ["68114429", "0447288b"]
    assert select_personas(data, "68114429,70099880", seed=0) == ["68114429", "70099880"]
    assert len(select_personas(data, 3, seed=0)) == 3  # a number that is no id is a count
    with pytest.raises(InputError, match="personas=12345678: must be between 1 and 4"):
        select_personas(data, 12345678, seed=0)


def test_number_that_is_both_count_and_id_is_refused_and_octal_looking_ids_resolve() -> None:
    data = synthetic(["1", "2", "01234567"])
    with pytest.raises(InputError, match=r"both a count and the id of persona '2'; write \[2\]"):
        select_personas(data, 2, seed=0)
    assert select_personas(data, [2], seed=0) == ["2"]
    # YAML 1.1 reads 01234567 as the octal number 342391
    assert select_personas(data, 342391, seed=0) == ["01234567"]


def test_task_takes_a_digit_id_option(tmp_path: Path) -> None:
    task = steerability(data=str(ORIGINAL), personas=[70099880, 68114429], n_steer=2, cross="all")
    assert task.metadata is not None and task.metadata["personas"] == ["70099880", "68114429"]


# --- shared statements, repeats of the steering, trimming -------------------------------------------


def test_shared_statements_are_counted_and_can_be_excluded() -> None:
    kept = build_design(original_data(), personas=4, **DESIGN)  # type: ignore[arg-type]
    assert kept.counts["shared_statements"] == 3 and kept.counts["conflicting_labels"] == 2
    assert kept.counts["shared_statements_excluded"] == 0
    excluded = build_design(original_data(), personas=4, shared="exclude", **DESIGN)  # type: ignore[arg-type]
    assert excluded.counts["shared_statements_excluded"] == 6  # 3 texts x 2 personas each
    texts = [s.statement for tests in excluded.cells.values() for s in tests]
    assert "I draw up a plan before starting any project." not in texts
    assert excluded.counts["shared_statements"] == 3  # counted on the data, whatever is excluded


def repeats(design: SteerabilityDesign) -> int:
    """Test statements of q (before replacement) that repeat a steering statement of p, over every cell."""
    return sum(
        s.statement in {t.statement for t in design.splits[p].steering}
        for (p, q) in design.cells
        for s in design.splits[q].test
    )


def test_repeats_of_the_steering_are_replaced_with_the_same_label_and_counted() -> None:
    # q holds copies of all of p's statements, so p's steering statements recur among q's
    data = synthetic(["p", "q"], per_side=6, copy_of={"q": "p"})
    designs = (
        build_design(data, personas=["p", "q"], n_steer=2, cross="all", statements=8, statements_per_call=1, seed=seed)
        for seed in range(50)
    )
    design = next(d for d in designs if repeats(d))  # a seed whose test sets hold repeats
    for (p, _q), cell in design.cells.items():
        assert not {s.statement for s in design.splits[p].steering} & {s.statement for s in cell}
        assert len(cell) == 8 and sum(s.agree for s in cell) == 4  # size and balance kept
    assert design.counts["steering_repeats_replaced"] == repeats(design) > 0
    assert design.counts["steering_repeats_dropped"] == 0
    assert design.samples == len(design_samples(design)) == 4 * 8


def test_repeats_without_replacement_are_dropped_counted_and_warned(caplog: pytest.LogCaptureFixture) -> None:
    # statements=all: p's whole pool is its test set, so a repeat in p's test set has no replacement
    data = synthetic(["p", "q"], per_side=3, copy_of={"q": "p"})
    design = build_design(
        data, personas=["p", "q"], n_steer=2, cross="all", statements="all", statements_per_call=1, seed=1
    )
    dropped = design.counts["steering_repeats_dropped"]
    assert dropped > 0 and dropped + design.counts["steering_repeats_replaced"] == repeats(design)
    assert design.samples == len(design_samples(design)) == 4 * design.statements - dropped
    with caplog.at_level(logging.WARNING):
        _warn(design)
    assert [record.getMessage() for record in caplog.records][-1:] == [
        f"steerability: {dropped} test statement(s) repeat a steering statement of the steered persona and had no "
        "replacement of the same label, so their cells are smaller and unbalanced (balanced accuracy weighs both "
        "labels equally)"
    ]


def test_statements_all_reports_what_it_trimmed(caplog: pytest.LogCaptureFixture) -> None:
    data = synthetic(["a", "b"], per_side=5)
    data.statements["b"] = data.statements["b"][:2] + data.statements["b"][5:8]  # b: 2 agree, 3 disagree
    with caplog.at_level(logging.WARNING):
        design = build_design(
            data, personas=["a", "b"], n_steer=2, cross="all", statements="all", statements_per_call=1, seed=0
        )
    # a keeps 8 held out, b 3: every test set is cut to 3, leaving 5 of a's out
    assert design.statements == 3 and design.counts["statements_trimmed"] == 5
    with caplog.at_level(logging.WARNING):
        _warn(design)
    assert [record.getMessage() for record in caplog.records] == [
        "steerability: statements=all trimmed every test set to the smallest (3), leaving out 5 held-out statement(s)"
    ]


def test_trim_warning_line_and_real_sample_count_in_task_metadata(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        task = steerability(data=str(ORIGINAL), personas=4, n_steer=2, cross=1, statements=3)
    assert task.metadata is not None
    assert task.metadata["samples"] == len(task.dataset) == 4 * 2 * 3
    assert task.metadata["statements_trimmed"] == 0 and not caplog.records
    with caplog.at_level(logging.WARNING):
        task = steerability(personas=3, n_steer=2, cross=1, statements="all", shared_statements="exclude")
    assert task.metadata is not None and task.metadata["samples"] == len(task.dataset)


# --- the original's selection and split ------------------------------------------------------------


def test_original_split_and_selection_follow_pandas_sampling() -> None:
    data = original_data()
    frame = pd.read_csv(ORIGINAL / "statements.csv", dtype={"persona_id": str})
    personas = pd.read_csv(ORIGINAL / "personas.csv", dtype={"persona_id": str})
    chosen = select_personas(data, 3, seed=42, split="original")
    assert chosen == list(personas.sample(n=3, random_state=42)["persona_id"])
    design = build_design(
        data, personas=3, split="original", n_steer=4, cross="all", statements="all", statements_per_call=1, seed=42
    )
    for pid in chosen:
        rows = frame[frame["persona_id"] == pid]
        expected = [
            *rows[rows["is_agree"]].sample(n=2, random_state=42)["statement_id"],
            *rows[~rows["is_agree"]].sample(n=2, random_state=42)["statement_id"],
        ]
        assert [s.statement_id for s in design.splits[pid].steering] == expected
        held = [sid for sid in rows["statement_id"] if sid not in expected]
        assert [s.statement_id for s in design.splits[pid].test] == held  # file order, all held out


def test_original_split_takes_the_first_rows_in_file_order() -> None:
    design = build_design(
        original_data(),
        personas=2,
        split="original",
        n_steer=2,
        cross="all",
        statements=3,
        statements_per_call=1,
        seed=42,
    )
    # agree rows come first in the file, so the first 3 held-out rows all agree (as in the original)
    assert all(s.agree for test in design.splits.values() for s in test.test)


# --- the preset and the published score's name -----------------------------------------------------


def test_preset_conflicts_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match=r"option cross=4 conflicts with preset=original, which sets cross='all'"):
        steerability(preset="original", cross=4)
    with pytest.raises(InputError, match="option preset='paper'"):
        steerability(preset="paper")  # type: ignore[arg-type]
    task = steerability(preset="original", cross="all", data=str(ORIGINAL))  # agreeing options are fine
    assert task.config.temperature == 0.0 and task.metadata is not None and task.metadata["full_matrix"]


def test_preset_original_logs_original_score_and_its_options(tmp_path: Path) -> None:
    log = run(tmp_path, preset="original", data=str(ORIGINAL))
    names = metric_names(log)
    assert {"original_score", "original_sensitivity", "original_specificity"} <= names
    assert not any(name.endswith("_partial") for name in names)
    assert log.results is not None
    absent = [
        s.metrics["original_score_absent_cells"].value for s in log.results.scores if "original_score" in s.metrics
    ]
    assert absent == [0.0]
    # The log's arguments are the ones the run used: the preset's, not the signature's defaults.
    assert {option: log.eval.task_args[option] for option in PRESETS["original"].options} == dict(
        PRESETS["original"].options
    )
    assert log.eval.task_args["preset"] == "original"
    assert log.eval.metadata is not None and log.eval.metadata["samples"] == len(log.samples or [])
    assert PRESETS["original"].options["cross"] == "all"


def test_preset_smoke_through_the_registry_logs_the_options_it_ran_with(tmp_path: Path) -> None:
    log = eval(
        "pluralbench/steerability",
        task_args={"preset": "smoke"},
        model=scripted_model("Y"),
        log_dir=str(tmp_path),
        display="none",
    )[0]
    assert log.status == "success"
    assert log.eval.task_args_passed == {"preset": "smoke"}
    assert log.eval.task_args | PRESETS["smoke"].options == log.eval.task_args
    assert log.eval.task_args["personas"] == 4 and log.eval.task_args["cross"] == 1
    assert len(log.samples or []) == 4 * 2 * 8  # 4 personas, own cell and one other, 8 statements each


def test_partial_matrix_logs_original_score_partial(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        log = run(tmp_path, personas=6, n_steer=2, cross=4, statements=2)
    names = metric_names(log)
    assert "original_score_partial" in names and "original_score" not in names
    assert log.results is not None
    absent = next(
        s.metrics["original_score_absent_cells"].value
        for s in log.results.scores
        if "original_score_partial" in s.metrics
    )
    assert absent == 6 * 6 - 6 * 5  # each of 6 personas misses one of 6 test sets
    assert any(
        "original_score_partial" in record.getMessage() and "0.80-0.946" in record.getMessage()
        for record in caplog.records
    )


def test_fixture_is_in_the_original_layout() -> None:
    with (ORIGINAL / "statements.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "persona_id",
        "persona_description",
        "framework_name",
        "framework_description",
        "statement",
        "statement_id",
        "is_agree",
    ]
    assert {row["is_agree"] for row in rows} == {"True", "False"}
    assert any(row["persona_id"].isdigit() for row in rows)
