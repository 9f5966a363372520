"""Steerability score math: balanced accuracy, accuracy matrix, margin, the published score, intervals."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest
from inspect_ai.scorer import SampleScore, Score

from pluralbench._bootstrap import wilson_interval
from pluralbench.steerability.metrics import (
    Observation,
    accuracy_matrix,
    balanced_accuracy,
    balanced_accuracy_result,
    balanced_accuracy_score,
    margin_result,
    mean_margin,
    original_result,
    original_score,
    original_steerability_score,
    own_balanced_accuracy,
    persona_interval,
    persona_margins,
    steerability_margin,
)

# Hand-made 3 x 3 matrix with ties: rows are steered personas p, columns test personas q.
#        A    B    C
#   A   .8   .8   .6     sensitivity(A) = 3/3 (the tie with B ranks high)
#   B   .9   .7   .7     sensitivity(B) = 2/3
#   C   .5   .7   .6     sensitivity(C) = 2/3
# specificity: column A [.8 .9 .5] -> 2/3; column B [.8 .7 .7] -> 2/3; column C [.6 .7 .6] -> 2/3
HAND = {
    ("A", "A"): 0.8,
    ("A", "B"): 0.8,
    ("A", "C"): 0.6,
    ("B", "A"): 0.9,
    ("B", "B"): 0.7,
    ("B", "C"): 0.7,
    ("C", "A"): 0.5,
    ("C", "B"): 0.7,
    ("C", "C"): 0.6,
}


def published_scores(matrix: dict[tuple[str, str], float]) -> tuple[float, float]:
    """The original benchmark's computation: percentile ranks (ties high) of the diagonal."""
    scores: dict[str, dict[str, float]] = {}
    for (p, q), value in matrix.items():
        scores.setdefault(p, {})[q] = value
    frame = pd.DataFrame(scores)  # columns: steered persona, index: test persona
    order = sorted(frame.index)
    frame = frame.reindex(index=order, columns=order)
    columns = frame.apply(lambda col: col.rank(pct=True, method="max"), axis=0)
    rows = frame.apply(lambda row: row.rank(pct=True, method="max"), axis=1)
    sensitivity = pd.Series({p: columns[p].loc[p] for p in columns.columns}).mean()
    specificity = pd.Series({p: rows[p].loc[p] for p in rows.index}).mean()
    return float(sensitivity), float(specificity)


def _scores(observations: list[Observation], unscored: int = 0) -> list[SampleScore]:
    found = [
        SampleScore(
            score=Score(value={"correct": o.correct, "format_failure": 0.0}),
            sample_id=f"{o.steered}:{index}",
            sample_metadata={"steered_persona": o.steered, "test_persona": o.test, "agree": o.agree, "framework": "F"},
        )
        for index, o in enumerate(observations)
    ]
    found += [
        SampleScore(
            score=Score.unscored(reason="invalid_response_format"),
            sample_id=f"nan{index}",
            sample_metadata={"steered_persona": "A", "test_persona": "A", "agree": True, "framework": "F"},
        )
        for index in range(unscored)
    ]
    return found


def _answerer_observations(predict, personas: int = 12, cross: int = 3, n: int = 20) -> list[Observation]:  # type: ignore[no-untyped-def]
    """Observations of an answerer ``predict(p, q, index, agree) -> bool`` on balanced test sets."""
    ids = [f"p{i}" for i in range(personas)]
    found = []
    for i, p in enumerate(ids):
        for q in [p, *(ids[(i + k) % personas] for k in range(1, cross + 1))]:
            for index in range(n):
                agree = index % 2 == 0
                found.append(Observation(p, q, agree, float(predict(p, q, index, agree) == agree)))
    return found


def test_balanced_accuracy_score() -> None:
    assert balanced_accuracy_score([True, True, True, False], [1.0, 1.0, 1.0, 0.0]) == 0.5
    assert balanced_accuracy_score([True, False, False], [1.0, 1.0, 0.0]) == 0.75
    assert math.isnan(balanced_accuracy_score([], []))


def test_balanced_accuracy_needs_both_labels() -> None:
    # with one label it would be plain accuracy: "Y" to two agree statements would score 1.0
    assert math.isnan(balanced_accuracy_score([True, True], [1.0, 1.0]))
    observations = [Observation("A", "A", True, 1.0), Observation("A", "A", True, 1.0)]
    assert accuracy_matrix(observations) == {}
    result = balanced_accuracy_result(observations)
    assert math.isnan(result["balanced_accuracy"]) and result["balanced_accuracy_n"] == 0.0
    assert result["balanced_accuracy_missing"] == 1.0


def test_accuracy_matrix_uses_test_persona_labels() -> None:
    observations = [
        Observation("A", "A", True, 1.0),
        Observation("A", "A", False, 1.0),
        Observation("A", "B", True, 1.0),
        Observation("A", "B", False, 0.0),
        Observation("A", "B", False, 0.0),
    ]
    assert accuracy_matrix(observations) == {("A", "A"): 1.0, ("A", "B"): 0.5}
    one_label = [*observations, Observation("A", "C", True, 1.0)]
    assert accuracy_matrix(one_label) == accuracy_matrix(observations)  # the one-label cell (A, C) is left out


def test_original_score_on_hand_matrix_with_ties() -> None:
    result = original_steerability_score(HAND)
    assert result.per_persona_sensitivity == pytest.approx({"A": 1.0, "B": 2 / 3, "C": 2 / 3})
    assert result.per_persona_specificity == pytest.approx({"A": 2 / 3, "B": 2 / 3, "C": 2 / 3})
    assert result.score == result.sensitivity == pytest.approx(7 / 9)
    assert result.specificity == pytest.approx(2 / 3)
    assert (result.sensitivity, result.specificity) == pytest.approx(published_scores(HAND))


@pytest.mark.parametrize("seed", range(5))
def test_original_score_equals_published_ranking_on_full_matrices(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"p{i}" for i in range(7)]
    matrix = {(p, q): rng.choice([0.25, 0.5, 0.625, 0.75, 1.0]) for p in ids for q in ids}
    result = original_steerability_score(matrix)
    assert (result.sensitivity, result.specificity) == pytest.approx(published_scores(matrix))


def test_original_score_uses_only_cells_present() -> None:
    partial = {cell: value for cell, value in HAND.items() if cell not in {("A", "C"), ("C", "B")}}
    result = original_steerability_score(partial)
    # row A: [.8 .8] -> 1; row B: [.9 .7 .7] -> 2/3; row C: [.5 .6] -> 1
    assert result.per_persona_sensitivity == pytest.approx({"A": 1.0, "B": 2 / 3, "C": 1.0})
    # column A: [.8 .9 .5] -> 2/3; column B: [.8 .7] -> 1/2; column C: [.7 .6] -> 1/2
    assert result.per_persona_specificity == pytest.approx({"A": 2 / 3, "B": 0.5, "C": 0.5})


def test_a_lone_own_cell_has_no_published_score() -> None:
    # --limit below one persona's cell: only (A, A), which would rank first by itself
    lone = [Observation("A", "A", True, 1.0), Observation("A", "A", False, 1.0)]
    original = original_result(lone)
    assert all(math.isnan(original[name]) for name in ("original_score", "original_sensitivity"))
    assert original["original_score_missing"] == 1.0
    margin = margin_result(lone)
    assert math.isnan(margin["steerability_margin"]) and margin["steerability_margin_missing"] == 1.0
    complete = [*lone, Observation("A", "B", True, 1.0), Observation("A", "B", False, 0.0)]
    assert original_result(complete)["original_score"] == 1.0
    assert original_result(complete)["original_score_missing"] == 0.0
    assert margin_result(complete)["steerability_margin"] == 0.5


def test_margin_on_hand_matrix() -> None:
    margins = persona_margins(HAND)
    assert margins == pytest.approx({"A": 0.8 - 0.7, "B": 0.7 - 0.8, "C": 0.6 - 0.6})
    assert mean_margin(HAND) == pytest.approx(0.0)
    assert math.isnan(mean_margin({("A", "A"): 1.0}))


def test_constant_answerer_games_only_the_published_score() -> None:
    matrix = accuracy_matrix(_answerer_observations(lambda p, q, i, agree: True))
    assert set(matrix.values()) == {0.5}
    assert mean_margin(matrix) == 0.0
    assert original_steerability_score(matrix).score == 1.0
    assert original_steerability_score(matrix).specificity == 1.0


def test_oracle_and_random_answerers() -> None:
    oracle = accuracy_matrix(_answerer_observations(lambda p, q, i, agree: agree if p == q else True))
    assert mean_margin(oracle) == 0.5
    assert all(value == 1.0 for (p, q), value in oracle.items() if p == q)
    rng = random.Random(1)
    noise = accuracy_matrix(_answerer_observations(lambda p, q, i, agree: rng.random() < 0.5, personas=40, n=56))
    assert abs(mean_margin(noise)) < 0.05
    own = [value for (p, q), value in noise.items() if p == q]
    assert abs(sum(own) / len(own) - 0.5) < 0.05


def test_persona_interval() -> None:
    low, high = persona_interval([0.4, 0.5, 0.6, 0.7, 0.55], seed=0)
    assert 0.4 <= low < 0.55 < high <= 0.7
    assert persona_interval([0.6, 0.6, 0.6]) == (0.6, 0.6)
    assert all(math.isnan(bound) for bound in persona_interval([]))
    assert all(math.isnan(bound) for bound in persona_interval([0.75]))  # one persona: no interval
    assert persona_interval([0.1, 0.9, 0.3], seed=4) == persona_interval([0.1, 0.9, 0.3], seed=4)
    assert persona_interval([0.1, 0.9, 0.3], seed=4) == persona_interval([0.9, 0.3, 0.1], seed=4)


def test_metric_wrappers_read_sample_metadata_and_skip_unscored() -> None:
    observations = _answerer_observations(lambda p, q, i, agree: agree if p == q else True, personas=6, n=8)
    scores = _scores(observations, unscored=5)
    accuracy = balanced_accuracy()(scores)
    low, high = wilson_interval(6, 6)  # six personas, each perfect: the interval of a proportion
    assert accuracy == {
        "balanced_accuracy": 1.0,
        "balanced_accuracy_ci_low": low,
        "balanced_accuracy_ci_high": high,
        "balanced_accuracy_n": 6.0,
        "balanced_accuracy_missing": 0.0,
    }
    assert own_balanced_accuracy()(scores) == 1.0
    margin = steerability_margin()(scores)
    assert margin["steerability_margin"] == 0.5 and margin["steerability_margin_ci_low"] == 0.5
    assert margin["steerability_margin_n"] == 6.0
    assert original_score()(scores) == {  # 3 of 5 other personas tested: named partial, 12 cells absent
        "original_score_partial": 1.0,
        "original_sensitivity_partial": 1.0,
        "original_specificity_partial": 1.0,
        "original_score_missing": 0.0,
        "original_score_absent_cells": 12.0,
    }


def test_metric_wrappers_on_no_scores() -> None:
    for empty in (balanced_accuracy()([]), steerability_margin()([]), original_score()([])):
        counts = {name: value for name, value in empty.items() if name.endswith(("_n", "_missing", "_cells"))}
        assert set(counts.values()) == {0.0}
        assert all(math.isnan(value) for name, value in empty.items() if name not in counts)
    assert math.isnan(own_balanced_accuracy()([]))
