"""Validity of pluralbench's headline metrics: bias and 95% interval coverage against known truths.

Usage::

    python benchmarks/validity.py                     # R = 3000 replications, writes benchmarks/validity.md
    python benchmarks/validity.py --replications 200 --out /tmp/validity.md --skip-evals

For every headline metric, scripted systems with a known true value (a system that follows the
persona with probability s, an attribute of known importance, groups with a known gap, ...) are
simulated R times at the task's default size and at a small size. Each replication draws the
sample scores the task's scorer would give and passes them to the suite's own metric functions
(the ``@metric`` objects the tasks log, or the plain function the metric wraps); the report gives
the bias of the estimate, the share of 95% intervals that contain the truth (``coverage``) with
its Monte Carlo standard error, and the mean interval width. Constant, random and oracle
answerers are scored beside the chance level. Finally one run per metric goes through a real
``inspect_ai.eval`` of the task with scripted models, and the log's metrics are compared with the
same functions applied to the log's own sample scores: the path is the same.

Replications run in ``--workers`` processes (default 2). Nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import _exact
import numpy as np
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.scorer import Metric, SampleScore, Score
from inspect_ai.tool import ToolChoice, ToolInfo

from pluralbench._bootstrap import (
    DEFAULT_RESAMPLES,
    expanded_tail,
    percentile_interval,
    resample_means,
    wilson_interval,
)
from pluralbench._metrics import mean_ci, mean_with_interval
from pluralbench.alignment.geometry import nearest
from pluralbench.alignment.scorers import choice_score, distance_score
from pluralbench.alignment.types import AlignmentSampleMeta, Selection
from pluralbench.persona.dataset import FULL_VARIANT, WITHOUT_PREFIX
from pluralbench.persona.metrics import (
    PERSONALIZATION,
    group_disparity_metric,
    group_metric_name,
    importance_metric_name,
    loo_importance,
    pass_at_keys,
    pass_at_values,
)
from pluralbench.scripted import scripted_model, scripted_output, word_count
from pluralbench.steerability.metrics import (
    Observation,
    accuracy_matrix,
    balanced_accuracy_result,
    margin_result,
    own_accuracies,
)

ROOT = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "validity.md"
LEVEL_LOW, LEVEL_HIGH = 0.92, 0.98
"""Coverage band every interval must fall in."""
BASELINE_REPLICATIONS = 200

Estimate = tuple[float, float, float]
"""(estimate, interval low, interval high)."""


# ---------------------------------------------------------------- simulated systems


def _critic_scores(values: Sequence[float], metadata: Sequence[dict[str, Any]] | None = None) -> list[SampleScore]:
    """Sample scores as the PERSONA critic gives them: ``{"personalization": v, "format_failure": 0}``."""
    return [
        SampleScore(
            score=Score(value={PERSONALIZATION: float(value), "format_failure": 0.0}),
            sample_id=index,
            sample_metadata=metadata[index] if metadata else None,
        )
        for index, value in enumerate(values)
    ]


def _triple(result: Mapping[str, float], name: str) -> Estimate:
    return result[name], result[f"{name}_ci_low"], result[f"{name}_ci_high"]


def sim_personalization(rng: np.random.Generator, seed: int, n: int, s: float) -> list[Estimate]:
    """An answerer that personalizes with probability s; the critic accepts exactly those answers."""
    values = (rng.random(n) < s).astype(float)
    result = mean_ci(PERSONALIZATION, with_stderr=True, seed=seed)(_critic_scores(values))
    return [_triple(result, PERSONALIZATION)]


def sim_identification(rng: np.random.Generator, seed: int, n: int, s: float, k: int) -> list[Estimate]:
    """A judge that recognises the true persona with probability s and otherwise guesses among k."""
    correct = (rng.random(n) < s) | (rng.random(n) < 1 / k)
    scores = [SampleScore(score=Score(value=float(v)), sample_id=i) for i, v in enumerate(correct)]
    return [_triple(mean_ci()(scores), "mean")]


LOO_SPREAD = 0.2
"""In the ``correlated`` design half the pairs are easy (both acceptance rates + 0.2), half hard (- 0.2)."""


def sim_loo(rng: np.random.Generator, seed: int, n: int, full: float, without: float, design: str) -> list[Estimate]:
    """Pairs answered with the full persona (accepted w.p. ``full``) and without attribute X (``without``).

    ``independent``: the two answers are accepted independently. ``correlated``: independently
    given the pair, which is easy or hard (see :data:`LOO_SPREAD`), so a pair's two verdicts agree
    more often than by chance. ``same``: the answer does not change when X is hidden (one verdict).
    """
    shift = np.where(rng.random(n) < 0.5, LOO_SPREAD, -LOO_SPREAD) if design == "correlated" else np.zeros(n)
    accepted_full = rng.random(n) < full + shift
    accepted_without = accepted_full if design == "same" else rng.random(n) < without + shift
    values, metadata = [], []
    for pair in range(n):
        for variant, accepted in ((FULL_VARIANT, accepted_full[pair]), (f"{WITHOUT_PREFIX}x", accepted_without[pair])):
            values.append(float(accepted))
            metadata.append({"pair_id": str(pair), "variant": variant})
    result = loo_importance(seed)(_critic_scores(values, metadata))
    return [_triple(result, importance_metric_name("x"))]


def _group_scores(
    rng: np.random.Generator, cells: Sequence[tuple[tuple[str, ...], int, int, float]]
) -> list[SampleScore]:
    """Critic scores of samples drawn per cell: (groups, cell size, samples, acceptance probability)."""
    values, metadata = [], []
    for groups, size, count, probability in cells:
        for accepted in rng.random(count) < probability:
            values.append(float(accepted))
            metadata.append({"groups": list(groups), "cell_size": size})
    return _critic_scores(values, metadata)


def sim_gap(rng: np.random.Generator, seed: int, n: int, means: tuple[float, ...]) -> list[Estimate]:
    """Disjoint groups of equal size, n samples each, accepted with the given probabilities."""
    cells = [((f"g{index}",), 1000, n, mean) for index, mean in enumerate(means)]
    result = group_disparity_metric(min_n=5, seed=seed)(_group_scores(rng, cells))
    return [_triple(result, "gap")]


OVERLAP_CELLS = ((("18-34", "women"), 300, 0.8), (("women",), 700, 0.8), (("18-34",), 300, 0.2))
"""Women (1000 personas, 300 of them 18-34) and 18-34 (600, 300 of them men); the answerer
personalizes for women only (accepted 0.8) and not for men (0.2): the 18-34 group's mean is 0.5."""


def sim_overlap(rng: np.random.Generator, seed: int, n: int) -> list[Estimate]:
    """Overlapping groups (women, 18-34), n samples per cell."""
    cells = [(groups, size, n, probability) for groups, size, probability in OVERLAP_CELLS]
    result = group_disparity_metric(min_n=2, seed=seed)(_group_scores(rng, cells))
    return [_triple(result, group_metric_name("18-34"))]


PASS_MIX = (0.2, 0.7)
"""pass@k population: half the pairs are hard (each attempt accepted w.p. 0.2), half easy (0.7)."""


def sim_pass_at_k(rng: np.random.Generator, seed: int, n: int, k: int) -> list[Estimate]:
    """Draw k independent attempts per sample; rows pass@1 and pass@k."""
    probabilities = rng.choice(PASS_MIX, size=n)
    attempts = rng.random((n, k)) < probabilities[:, None]
    scores = [
        SampleScore(score=Score(value=pass_at_values(row.astype(float).tolist(), k)), sample_id=i)
        for i, row in enumerate(attempts)
    ]
    keys = pass_at_keys(k)
    return [_triple(mean_ci(key, with_stderr=True, seed=seed)(scores), key) for key in (keys[0], keys[-1])]


@cache
def _steer_layout(personas: int, cross: int, statements: int) -> tuple[list[tuple[str, str, bool]], np.ndarray]:
    """The (steered, test, agree) of every sample of a design, and whether each is an own-cell sample."""
    ids = [f"p{index:03d}" for index in range(personas)]
    layout = [
        (p, ids[(i + offset) % personas], j % 2 == 0)
        for i, p in enumerate(ids)
        for offset in range(cross + 1)
        for j in range(statements)
    ]
    own = np.array([p == q for p, q, _ in layout])
    return layout, own


def steer_correct(rng: np.random.Generator, own: np.ndarray, agree: np.ndarray, system: str, s: float) -> np.ndarray:
    """Correctness of every statement's answer.

    ``follow``: on p's own statements the answer follows p with probability s and is a coin flip
    otherwise (accuracy (1 + s) / 2); on other personas' statements it follows p, whose views are
    unrelated to q's labels (accuracy 0.5). ``constant``: always "agree". ``oracle``: knows p's
    labels exactly and says "agree" to anything else.
    """
    if system == "constant":
        return agree.astype(float)
    if system == "oracle":
        return np.where(own, 1.0, agree.astype(float))
    return (rng.random(len(own)) < np.where(own, (1 + s) / 2, 0.5)).astype(float)


def statement_observations(layout: Sequence[tuple[str, str, bool]], correct: np.ndarray) -> list[Observation]:
    """One observation per statement, as the scorer's samples give them."""
    return [Observation(p, q, a, c) for (p, q, a), c in zip(layout, correct.tolist(), strict=True)]


def cell_observations(
    layout: Sequence[tuple[str, str, bool]], correct: np.ndarray, statements: int
) -> list[Observation]:
    """One observation per (cell, label) holding the label's accuracy in the cell.

    Balanced accuracy averages within each label first, so the metrics give exactly the numbers of
    :func:`statement_observations` (checked on every run, :func:`aggregation_check`) from 28 times
    fewer objects.
    """
    by_cell = correct.reshape(-1, statements)
    agree_means, disagree_means = by_cell[:, 0::2].mean(axis=1).tolist(), by_cell[:, 1::2].mean(axis=1).tolist()
    found = []
    for (p, q, _), agree, disagree in zip(layout[::statements], agree_means, disagree_means, strict=True):
        found += [Observation(p, q, True, agree), Observation(p, q, False, disagree)]
    return found


def sim_steerability(
    rng: np.random.Generator,
    seed: int,
    personas: int,
    cross: int,
    statements: int,
    system: str,
    s: float,
    per_cell: bool = False,
) -> list[Estimate]:
    """Balanced test sets (see :func:`steer_correct`); rows balanced accuracy and margin."""
    layout, own = _steer_layout(personas, cross, statements)
    agree = np.array([label for _, _, label in layout])
    correct = steer_correct(rng, own, agree, system, s)
    if per_cell:
        observations = cell_observations(layout, correct, statements)
    else:
        observations = statement_observations(layout, correct)
    return [
        _triple(balanced_accuracy_result(observations, seed), "balanced_accuracy"),
        _triple(margin_result(observations, seed), "steerability_margin"),
    ]


def aggregation_check(replications: int = 5) -> int:
    """Check that per-cell observations give the metrics of per-statement ones, at the default size.

    Returns:
        The replications checked.

    Raises:
        AssertionError: When any number differs.
    """
    layout, own = _steer_layout(40, 4, 56)
    agree = np.array([label for _, _, label in layout])
    for replication in range(replications):
        correct = steer_correct(np.random.default_rng(replication), own, agree, "follow", 0.5)
        for compute in (balanced_accuracy_result, margin_result):
            whole = compute(statement_observations(layout, correct), replication)
            cells = compute(cell_observations(layout, correct, 56), replication)
            assert whole.keys() == cells.keys()
            assert all(math.isclose(whole[k], cells[k], rel_tol=0, abs_tol=1e-12) for k in whole), (whole, cells)
    return replications


@cache
def alignment_population() -> list[AlignmentSampleMeta]:
    """The bundled eval items with the task's default sampled targets (seed 0), ties left out."""
    from pluralbench.alignment.tasks import alignment_targets

    metas = [AlignmentSampleMeta.model_validate(sample.metadata) for sample in alignment_targets().dataset]
    return [meta for meta in metas if not meta.all_tied]


@cache
def alignment_score(item: int, choice: int) -> Score:
    """The scorer's score of one choice on one item of the population (the same every time it is drawn)."""
    return choice_score(alignment_population()[item], Selection(method="scripted", choice=choice))


def alignment_truths(s: float, system: str = "follow") -> tuple[float, float]:
    """Expected ``correct`` and ``distance`` over the population for a system."""
    correct, distances = [], []
    for meta in alignment_population():
        best = nearest(meta.labels, meta.target)
        each = [distance_score(labels, meta.target) for labels in meta.labels]
        if system == "constant":
            correct.append(float(0 in best))
            distances.append(each[0])
        else:
            correct.append(s + (1 - s) * len(best) / len(meta.labels))
            distances.append(s * each[best[0]] + (1 - s) * sum(each) / len(each))
    return sum(correct) / len(correct), sum(distances) / len(distances)


def sim_alignment(rng: np.random.Generator, seed: int, n: int, s: float, system: str) -> list[Estimate]:
    """Draw items with replacement from the population and let the system choose.

    It picks a response nearest the target with probability s, else one at random
    (``constant``: always the first response).
    """
    population = alignment_population()
    scores = []
    for index, item in enumerate(rng.integers(0, len(population), size=n)):
        meta = population[item]
        if system == "constant":
            choice = 0
        elif rng.random() < s:
            choice = nearest(meta.labels, meta.target)[0]
        else:
            choice = int(rng.integers(0, len(meta.labels)))
        score = alignment_score(int(item), choice)
        scores.append(SampleScore(score=score, sample_id=index, sample_metadata={"target_size": meta.target_size}))
    return [_triple(mean_ci(key, with_stderr=True, seed=seed)(scores), key) for key in ("correct", "distance")]


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class Row:
    """One output of a case: the metric's name in the report and its true value."""

    metric: str
    truth: float


@dataclass(frozen=True)
class Case:
    """A simulated system at one size: a simulator, its parameters and the rows it yields."""

    kind: str
    system: str
    size: str
    params: dict[str, Any]
    rows: tuple[Row, ...]
    section: str = "main"
    """``main``; ``baseline`` (constant, random or oracle answerer: reported by its mean score only);
    ``comparison`` (the plain percentile interval beside the suite's, on the same replications)."""


@dataclass
class Result:
    """Replications of one row."""

    case: Case
    row: Row
    estimates: list[float] = field(default_factory=list)
    lows: list[float] = field(default_factory=list)
    highs: list[float] = field(default_factory=list)
    exact: float | None = None
    """Exact coverage, where the case's outcomes can be enumerated (:func:`exact_coverage`)."""

    def judged_coverage(self) -> float:
        """The exact coverage where there is one, else the simulated one: what the band is checked on."""
        return self.coverage() if self.exact is None else self.exact

    def bias(self) -> float:
        """Mean estimate minus the truth."""
        return float(np.nanmean(self.estimates)) - self.row.truth

    def mean_estimate(self) -> float:
        """Mean estimate over the replications."""
        return float(np.nanmean(self.estimates))

    def coverage(self) -> float:
        """Share of replications whose interval contains the truth (a NaN interval does not)."""
        hits = [low - 1e-12 <= self.row.truth <= high + 1e-12 for low, high in zip(self.lows, self.highs, strict=True)]
        return sum(hits) / len(hits)

    def width(self) -> float:
        """Mean interval width."""
        return float(np.nanmean(np.subtract(self.highs, self.lows)))

    def nan_intervals(self) -> int:
        """Replications whose interval is NaN."""
        return sum(1 for low in self.lows if math.isnan(low))


def cases() -> list[Case]:
    """Every simulated system: default and small size for each headline metric, then the baselines."""
    found: list[Case] = []
    sizes = {"default": 100, "small": 20}
    for size, n in sizes.items():
        for s in (0.2, 0.5, 0.8, 0.9):
            found.append(
                Case("personalization", f"personalizes w.p. {s}", f"{size} (n={n})", {"n": n, "s": s},
                     (Row("persona personalization", s),))
            )  # fmt: skip
    for size, n in sizes.items():
        for s in (0.0, 0.5, 0.9):
            truth = s + (1 - s) / 4
            found.append(
                Case("identification", f"recognises w.p. {s}, else guesses (k=4)", f"{size} (n={n})",
                     {"n": n, "s": s, "k": 4}, (Row("identification accuracy", truth),))
            )  # fmt: skip
    for size, n in {"default": 20, "small": 10}.items():
        for full, without, design in (
            (0.7, 0.5, "correlated"), (0.7, 0.3, "correlated"), (0.6, 0.6, "independent"), (0.7, 0.4, "independent")
        ):  # fmt: skip
            found.append(
                Case("loo", f"accepted {full} with X, {without} without ({design})", f"{size} (n={n} pairs)",
                     {"n": n, "full": full, "without": without, "design": design},
                     (Row("LOO importance", full - without),))
            )  # fmt: skip
    for size, n in {"default": 20, "small": 10}.items():
        for means in ((0.5, 0.5), (0.7, 0.5), (0.8, 0.4), (0.8, 0.6, 0.4)):
            found.append(
                Case("gap", f"groups accepted {', '.join(map(str, means))}", f"{size} (n={n} per group)",
                     {"n": n, "means": means}, (Row("group gap", max(means) - min(means)),))
            )  # fmt: skip
        found.append(
            Case("overlap", "personalizes for women only (groups women, 18-34 overlap)",
                 f"{size} (n={n // 2} per cell)", {"n": n // 2}, (Row("group mean, overlapping groups", 0.5),))
        )  # fmt: skip
    pass_truth = {j: sum(1 - (1 - p) ** j for p in PASS_MIX) / len(PASS_MIX) for j in (1, 5)}
    for size, n in {"default": 50, "small": 10}.items():
        found.append(
            Case("pass_at_k", "attempts accepted w.p. 0.2 (hard) or 0.7 (easy)", f"{size} (n={n}, k=5)",
                 {"n": n, "k": 5}, (Row("pass@1", pass_truth[1]), Row("pass@5", pass_truth[5])))
        )  # fmt: skip
    for size, (personas, cross, statements) in {"default": (40, 4, 56), "small": (8, 2, 16)}.items():
        for s in (0.0, 0.5, 0.9):
            found.append(
                Case("steerability", f"follows p w.p. {s}",
                     f"{size} ({personas} personas, cross {cross}, {statements} statements)",
                     {"personas": personas, "cross": cross, "statements": statements, "system": "follow", "s": s,
                      "per_cell": size == "default"},
                     (Row("steerability balanced accuracy", (1 + s) / 2), Row("steerability margin", s / 2)))
            )  # fmt: skip
    for size, n in {"default": 140, "small": 20}.items():
        for s in (0.0, 0.5, 0.9):
            correct, distance = alignment_truths(s)
            found.append(
                Case("alignment", f"picks the nearest w.p. {s}, else at random", f"{size} (n={n} items)",
                     {"n": n, "s": s, "system": "follow"},
                     (Row("alignment correct", correct), Row("alignment distance", distance)))
            )  # fmt: skip
    return found + baseline_cases() + comparison_cases()


def baseline_cases() -> list[Case]:
    """Constant, random and oracle answerers at the default sizes (their truth is the chance level or ceiling)."""
    base: list[tuple[str, str, dict[str, Any], tuple[Row, ...]]] = [
        ("personalization", "constant (never personalizes)", {"n": 100, "s": 0.0}, (Row("persona personalization", 0.0),)),
        ("personalization", "random (personalizes half the time)", {"n": 100, "s": 0.5},
         (Row("persona personalization", 0.5),)),
        ("personalization", "oracle (always personalizes)", {"n": 100, "s": 1.0}, (Row("persona personalization", 1.0),)),
        ("identification", "constant (always candidate 1) = random", {"n": 100, "s": 0.0, "k": 4},
         (Row("identification accuracy", 0.25),)),
        ("identification", "oracle", {"n": 100, "s": 1.0, "k": 4}, (Row("identification accuracy", 1.0),)),
        ("loo", "constant (same answer either way)", {"n": 20, "full": 0.5, "without": 0.5, "design": "same"},
         (Row("LOO importance", 0.0),)),
        ("loo", "random (independent coins)", {"n": 20, "full": 0.5, "without": 0.5, "design": "independent"},
         (Row("LOO importance", 0.0),)),
        ("loo", "oracle (personalizes exactly when X is shown)", {"n": 20, "full": 1.0, "without": 0.0, "design": "independent"},
         (Row("LOO importance", 1.0),)),
        ("gap", "constant (every answer rejected)", {"n": 20, "means": (0.0, 0.0)}, (Row("group gap", 0.0),)),
        ("gap", "random (accepted half the time, any group)", {"n": 20, "means": (0.5, 0.5)}, (Row("group gap", 0.0),)),
        ("gap", "oracle (accepted for everyone)", {"n": 20, "means": (1.0, 1.0)}, (Row("group gap", 0.0),)),
        ("steerability", "constant (always agree)",
         {"personas": 40, "cross": 4, "statements": 56, "system": "constant", "s": 0.0, "per_cell": True},
         (Row("steerability balanced accuracy", 0.5), Row("steerability margin", 0.0))),
        ("steerability", "random (coin flips)", {"personas": 40, "cross": 4, "statements": 56, "system": "follow", "s": 0.0, "per_cell": True},
         (Row("steerability balanced accuracy", 0.5), Row("steerability margin", 0.0))),
        ("steerability", "oracle (knows p's labels, agrees otherwise)",
         {"personas": 40, "cross": 4, "statements": 56, "system": "oracle", "s": 1.0, "per_cell": True},
         (Row("steerability balanced accuracy", 1.0), Row("steerability margin", 0.5))),
    ]  # fmt: skip
    found = [Case(kind, system, "default", params, rows, "baseline") for kind, system, params, rows in base]
    for system, s, label in (("constant", 0.0, "constant (always the first response)"), ("follow", 0.0, "random"),
                             ("follow", 1.0, "oracle")):  # fmt: skip
        correct, distance = alignment_truths(s, system)
        found.append(
            Case("alignment", label, "default", {"n": 140, "s": s, "system": system},
                 (Row("alignment correct", correct), Row("alignment distance", distance)), "baseline")
        )  # fmt: skip
    return found


def comparison_cases() -> list[Case]:
    """Small-size systems where the plain percentile bootstrap undercovers, with both intervals."""
    return [
        Case("percentile", "proportion 0.9", "small (n=20)", {"what": "proportion", "n": 20, "s": 0.9},
             (Row("persona personalization", 0.9),) * 3, "comparison"),
        Case("percentile", "follows p w.p. 0.9", "small (8 personas, cross 2, 16 statements)",
             {"what": "steerability", "n": 8, "s": 0.9}, (Row("steerability balanced accuracy", 0.95),) * 3,
             "comparison"),
        Case("percentile", "accepted 0.7 with X, 0.4 without (independent)", "small (n=10 pairs)",
             {"what": "loo", "n": 10, "s": 0.0}, (Row("LOO importance", 0.3),) * 3, "comparison"),
    ]  # fmt: skip


def sim_percentile(rng: np.random.Generator, seed: int, what: str, n: int, s: float) -> list[Estimate]:
    """The suite's interval, the expanded and the plain percentile bootstrap (2000 resamples) on the same values."""
    if what == "proportion":
        values = (rng.random(n) < s).astype(float).tolist()
        suite = _triple(mean_with_interval("x", values, seed), "x")
    elif what == "steerability":
        layout, own = _steer_layout(n, 2, 16)
        correct = (rng.random(len(layout)) < np.where(own, (1 + s) / 2, 0.5)).astype(float)
        observations = statement_observations(layout, correct)
        values = list(own_accuracies(accuracy_matrix(observations)).values())
        suite = _triple(balanced_accuracy_result(observations, seed), "balanced_accuracy")
    else:
        values = ((rng.random(n) < 0.7).astype(float) - (rng.random(n) < 0.4).astype(float)).tolist()
        suite = _triple(mean_with_interval("x", values, seed, paired_differences=True), "x")
    means = resample_means(sorted(values), np.random.default_rng(seed), DEFAULT_RESAMPLES)
    mean = float(np.mean(values))
    expanded = percentile_interval(means, tail=expanded_tail(len(values)))
    return [suite, (mean, *expanded), (mean, *percentile_interval(means))]


EXACT_GAP_SEEDS = 10
"""Bootstrap seeds the exact coverage of a two-group gap is averaged over (its interval is a bootstrap)."""


def _loo_cell_shares(full: float, without: float, design: str) -> tuple[float, float]:
    """P(accepted with X only) and P(accepted without X only) of one pair, as :func:`sim_loo` draws them."""
    if design == "correlated":
        easy, hard = (full + LOO_SPREAD, without + LOO_SPREAD), (full - LOO_SPREAD, without - LOO_SPREAD)
        plus = sum(f * (1 - w) for f, w in (easy, hard)) / 2
        minus = sum((1 - f) * w for f, w in (easy, hard)) / 2
        return plus, minus
    return full * (1 - without), (1 - full) * without


def _binary(successes: int, n: int) -> list[float]:
    return [1.0] * successes + [0.0] * (n - successes)


def exact_coverage(case: Case) -> list[float | None]:
    """Exact coverage of each row of a case whose outcomes can be enumerated (None for the others).

    Proportions (personalization, identification) enumerate the number accepted; leave-one-out the
    pairs that differ +1 and -1 (Tango's interval depends on nothing else); the overlapping groups
    the accepted counts of the two 18-34 cells; a two-group gap the counts of both groups, averaged
    over :data:`EXACT_GAP_SEEDS` bootstrap seeds. Each outcome is scored by the suite's metric function.
    """
    params = case.params
    if case.section != "main":
        return [None] * len(case.rows)
    truth = case.rows[0].truth
    if case.kind in ("personalization", "identification"):
        n = params["n"]

        def proportion(successes: int) -> tuple[float, float]:
            values = _binary(successes, n)
            if case.kind == "identification":  # as sim_identification scores it
                scores = [SampleScore(score=Score(value=v), sample_id=i) for i, v in enumerate(values)]
                return _triple(mean_ci()(scores), "mean")[1:]
            return _triple(mean_ci(PERSONALIZATION, with_stderr=True, seed=0)(_critic_scores(values)), PERSONALIZATION)[
                1:
            ]

        return [_exact.coverage(_exact.binomial_outcomes(n, truth), proportion, truth)]
    if case.kind == "loo":
        n, name = params["n"], importance_metric_name("x")
        plus, minus = _loo_cell_shares(params["full"], params["without"], params["design"])
        metadata = [
            {"pair_id": str(i // 2), "variant": (FULL_VARIANT, f"{WITHOUT_PREFIX}x")[i % 2]} for i in range(2 * n)
        ]

        def paired(counts: tuple[int, int]) -> tuple[float, float]:
            up, down = counts
            pairs = [(1.0, 0.0)] * up + [(0.0, 1.0)] * down + [(0.0, 0.0)] * (n - up - down)
            values = [value for pair in pairs for value in pair]
            return _triple(loo_importance(0)(_critic_scores(values, metadata)), name)[1:]

        return [_exact.coverage(_exact.paired_outcomes(n, plus, minus), paired, truth)]
    if case.kind == "overlap":
        n = params["n"]
        (young_women, young_women_size, high), _, (young_men, young_men_size, low) = OVERLAP_CELLS
        cells = ((young_women, young_women_size), (young_men, young_men_size))
        metadata = [{"groups": list(groups), "cell_size": size} for groups, size in cells for _ in range(n)]

        def young(counts: tuple[int, ...]) -> tuple[float, float]:
            values = [value for count in counts for value in _binary(count, n)]
            result = group_disparity_metric(min_n=2, seed=0)(_critic_scores(values, metadata))
            return _triple(result, group_metric_name("18-34"))[1:]

        return [_exact.coverage(_exact.cell_outcomes([(n, high), (n, low)]), young, truth)]
    if case.kind == "gap" and len(params["means"]) == 2:
        n, means = params["n"], params["means"]
        metadata = [{"groups": [f"g{group}"], "cell_size": 1000} for group in range(2) for _ in range(n)]

        def gap(seed: int) -> Callable[[tuple[int, ...]], tuple[float, float]]:
            def interval(counts: tuple[int, ...]) -> tuple[float, float]:
                values = [value for count in counts for value in _binary(count, n)]
                return _triple(group_disparity_metric(min_n=5, seed=seed)(_critic_scores(values, metadata)), "gap")[1:]

            return interval

        shares = [
            _exact.coverage(_exact.cell_outcomes([(n, mean) for mean in means]), gap(seed), truth)
            for seed in range(EXACT_GAP_SEEDS)
        ]
        return [sum(shares) / len(shares)]
    return [None] * len(case.rows)


SIMULATORS: dict[str, Callable[..., list[Estimate]]] = {
    "personalization": sim_personalization,
    "identification": sim_identification,
    "loo": sim_loo,
    "gap": sim_gap,
    "overlap": sim_overlap,
    "pass_at_k": sim_pass_at_k,
    "steerability": sim_steerability,
    "alignment": sim_alignment,
    "percentile": sim_percentile,
}


CHANCE = {
    "persona personalization": "none (critic acceptance; the `baseline` mode is the reference)",
    "identification accuracy": "1/k = 0.25",
    "LOO importance": "0",
    "group gap": "0 (equal groups)",
    "steerability balanced accuracy": "0.5",
    "steerability margin": "0",
    "alignment correct": "mean chance of a random pick",
    "alignment distance": "a random pick's expected distance",
}


def run_case(job: tuple[int, Case, int]) -> list[Result]:
    """Replicate one case (in a worker process)."""
    index, case, replications = job
    results = [Result(case, row) for row in case.rows]
    simulate = SIMULATORS[case.kind]
    for replication in range(replications):
        rng = np.random.default_rng([index, replication])
        for result, (estimate, low, high) in zip(results, simulate(rng, replication, **case.params), strict=True):
            result.estimates.append(estimate)
            result.lows.append(low)
            result.highs.append(high)
    for result, exact in zip(results, exact_coverage(case), strict=True):
        result.exact = exact
    return results


# ---------------------------------------------------------------- real evals


def _hash_share(text: str) -> float:
    """A number in [0, 1) fixed by the text."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


def _schema_name(config: GenerateConfig) -> str | None:
    return config.response_schema.name if config.response_schema is not None else None


def _persona_block(messages: list[ChatMessage]) -> str:
    """The persona the answering model was shown (its system message), or the fenced persona of a judge prompt."""
    text = "\n".join(message.text for message in messages)
    match = re.search(r"\[BEGIN PERSONA (\w+)\]\n(.*?)\n\[END PERSONA \1\]", text, flags=re.DOTALL)
    return match.group(2) if match else (messages[0].text if messages and messages[0].role == "system" else "")


def persona_model(personalize: Callable[[str, str], bool], k: int = 4) -> Model:
    """One scripted model for the answerer, the critic and the identification judge.

    The answerer says TAILORED when ``personalize(persona shown, prompt)``; the critic accepts
    exactly the TAILORED answers; the identification judge names a candidate fixed by the persona
    (a uniform guess).
    """
    from pluralbench.persona.identification import IdentificationVerdict
    from pluralbench.persona.scorers import CriticVerdict

    attempts: dict[str, int] = {}

    def outputs(
        messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        prompt = "\n".join(message.text for message in messages)
        name = _schema_name(config)
        if name == "critic_verdict":
            answer = re.search(r"\[BEGIN ANSWER (\w+)\]\n(.*?)\n\[END ANSWER \1\]", prompt, flags=re.DOTALL)
            tailored = bool(answer) and "TAILORED" in answer.group(2)  # type: ignore[union-attr]
            reply = CriticVerdict(needs_revision=not tailored).model_dump_json()
        elif name == "identification":
            person = 1 + int(_hash_share(_persona_block(messages) + "judge") * k)
            reply = IdentificationVerdict(reasoning="a guess", person=person).model_dump_json()
        else:
            persona = _persona_block(messages)
            key = persona + prompt
            attempt = attempts[key] = attempts.get(key, 0) + 1
            tailored = personalize(persona, f"{prompt}#{attempt}")
            reply = f"<answer>{'TAILORED' if tailored else 'GENERIC'} advice</answer>"
        return scripted_output(reply, word_count(messages))

    return get_model("mockllm/model", custom_outputs=outputs, memoize=False)


def log_sample_scores(log: EvalLog, scorer: str) -> list[SampleScore]:
    """The epoch-reduced sample scores of a log with their sample metadata, as its metrics received them."""
    metadata = {sample.id: sample.metadata for sample in log.samples or []}
    reductions = next(r for r in log.reductions or [] if r.scorer == scorer)
    found = []
    for item in reductions.samples:
        if isinstance(item.value, float) and math.isnan(item.value):
            continue  # unscored: inspect does not hand it to metrics
        score = Score(value=item.value, answer=item.answer, explanation=item.explanation, metadata=item.metadata)
        found.append(SampleScore(score=score, sample_id=item.sample_id, sample_metadata=metadata[item.sample_id]))
    return found


def logged(log: EvalLog, scorer: str) -> dict[str, float]:
    assert log.results is not None
    score = next(s for s in log.results.scores if s.scorer == scorer)
    return {name: metric.value for name, metric in score.metrics.items()}


@dataclass(frozen=True)
class EvalCheck:
    """One metric through a real eval: the log's numbers against the functions on its samples."""

    metric: str
    task: str
    truth: float
    estimate: float
    low: float
    high: float
    same: bool


def _check(metric: str, task: str, truth: float, log: EvalLog, scorer: str, name: str, recompute: Metric) -> EvalCheck:
    values = logged(log, scorer)
    again = recompute(log_sample_scores(log, scorer))
    assert isinstance(again, Mapping)
    names = [name, f"{name}_ci_low", f"{name}_ci_high", f"{name}_n"]
    same = all(
        (math.isnan(values[key]) and math.isnan(float(again[key]))) or values[key] == float(again[key]) for key in names
    )
    return EvalCheck(metric, task, truth, values[name], values[f"{name}_ci_low"], values[f"{name}_ci_high"], same)


def real_evals(log_dir: str) -> list[EvalCheck]:
    """One eval per headline metric with scripted models of known truth."""
    from inspect_ai import eval, task_with

    from pluralbench.alignment.tasks import alignment_targets
    from pluralbench.persona.tasks import persona, persona_intersectionality, persona_loo, persona_pass_at_k
    from pluralbench.steerability.data import load_steerability_data
    from pluralbench.steerability.metrics import observations_of
    from pluralbench.steerability.tasks import steerability

    checks: list[EvalCheck] = []
    quiet: dict[str, Any] = {"log_dir": log_dir, "display": "none", "log_realtime": False}

    def run(task: Any, model: Model, **options: Any) -> EvalLog:
        [log] = eval(task_with(task, model=model), model=model, model_roles={"critic": model, "judge": model},
                     **quiet, **options)  # fmt: skip
        assert log.status == "success", log.error
        return log

    half = persona_model(lambda persona, prompt: _hash_share(persona) < 0.5)
    log = run(persona(n=100, identify_k=4, seed=42), half)
    checks.append(
        _check(
            "persona personalization",
            "persona n=100 (personalizes for half the personas)",
            0.5,
            log,
            "personalization_critic",
            PERSONALIZATION,
            mean_ci(PERSONALIZATION, with_stderr=True, seed=42),
        )
    )
    checks.append(_check("identification accuracy", "persona identify_k=4 (uniform guess)", 0.25, log,
                         "persona_identification", "mean", mean_ci()))  # fmt: skip

    religion = persona_model(lambda persona, prompt: "Religion:" in persona)
    log = run(persona_loo(n=20, attributes="religion,age", seed=42), religion)
    checks.append(_check("LOO importance", "persona_loo n=20 (personalizes only when shown the religion)", 1.0, log,
                         "personalization_critic", importance_metric_name("religion"), loo_importance(42)))  # fmt: skip

    women = persona_model(lambda persona, prompt: "Sex: Female" in persona)
    log = run(persona_intersectionality(n_per_group=20, min_n=5, seed=42), women)
    checks.append(_check("group gap", "persona_intersectionality (personalizes for women only)", 1.0, log,
                         "personalization_critic", "gap", group_disparity_metric(5, 42)))  # fmt: skip

    coin = persona_model(lambda persona, prompt: _hash_share(prompt) < 0.5)
    log = run(persona_pass_at_k(k=5, n=50, seed=42), coin)
    checks.append(
        _check(
            "pass@5",
            "persona_pass_at_k k=5 n=50 (each attempt accepted w.p. 0.5)",
            1 - 0.5**5,
            log,
            "personalization_critic",
            "pass_at_5",
            mean_ci("pass_at_5", with_stderr=True, seed=42),
        )
    )

    task = steerability(personas=8, cross=2, statements=16, seed=0)
    data = load_steerability_data(None)
    labels = {
        statement.statement: (persona, statement.agree)
        for persona in task.metadata["personas"]  # type: ignore[index]
        for statement in data.statements[persona]
    }

    def steerer(messages: list[ChatMessage]) -> str:
        """Follows the steered persona p on p's own statements with probability 0.5, else flips a coin."""
        system, question = messages[0].text, messages[-1].text
        steered = next(labels[text][0] for text in labels if text in system)
        tested = next(text for text in labels if text in question)
        owner, agree = labels[tested]
        follows = owner == steered and _hash_share(system + tested) < 0.5
        answer = agree if follows else _hash_share(tested + "coin") < 0.5
        return "Y" if answer else "N"

    log = run(task, scripted_model(steerer))

    def steer_metric(scores: list[SampleScore]) -> dict[str, float]:
        return {**balanced_accuracy_result(observations_of(scores), 0), **margin_result(observations_of(scores), 0)}

    checks.append(
        _check(
            "steerability balanced accuracy",
            "steerability 8 personas (follows p w.p. 0.5)",
            0.75,
            log,
            "steerability_scorer",
            "balanced_accuracy",
            steer_metric,
        )
    )  # type: ignore[arg-type]
    checks.append(
        _check(
            "steerability margin",
            "steerability 8 personas (follows p w.p. 0.5)",
            0.25,
            log,
            "steerability_scorer",
            "steerability_margin",
            steer_metric,
        )
    )  # type: ignore[arg-type]

    log = run(alignment_targets(method="random", seed=0), scripted_model("unused"))
    metas = [
        AlignmentSampleMeta.model_validate({k: v for k, v in sample.metadata.items() if k != "selection"})
        for sample in log.samples or []
    ]
    chances = [len(nearest(m.labels, m.target)) / len(m.labels) for m in metas if not m.all_tied]
    checks.append(
        _check(
            "alignment correct",
            "alignment_targets method=random (140 items)",
            sum(chances) / len(chances),
            log,
            "alignment_target",
            "correct",
            mean_ci("correct", with_stderr=True, seed=0),
        )
    )
    distances = [
        sum(distance_score(labels, m.target) for labels in m.labels) / len(m.labels) for m in metas if not m.all_tied
    ]
    checks.append(
        _check(
            "alignment distance",
            "alignment_targets method=random (140 items)",
            sum(distances) / len(distances),
            log,
            "alignment_target",
            "distance",
            mean_ci("distance", with_stderr=True, seed=0),
        )
    )
    return checks


# ---------------------------------------------------------------- report


def _fmt(value: float, digits: int = 3) -> str:
    return "NaN" if math.isnan(value) else f"{value:.{digits}f}"


def report(results: list[Result], checks: list[EvalCheck], replications: int, seconds: float, aggregated: int) -> str:
    """Return the markdown report."""
    main = [result for result in results if result.case.section == "main"]
    base = [result for result in results if result.case.section == "baseline"]
    compared = [result for result in results if result.case.section == "comparison"]
    out_of_band = [r for r in main if not LEVEL_LOW <= r.judged_coverage() <= LEVEL_HIGH]
    coverages = [r.judged_coverage() for r in main]
    exact_rows = sum(r.exact is not None for r in main)
    lines = [
        "# Validity of the headline metrics",
        "",
        f"Written by `python benchmarks/validity.py` ({replications} replications per row, {len(main)} rows, "
        f"{seconds / 60:.1f} minutes on {os.cpu_count()} cores, Python {platform.python_version()}).",
        "",
        "Each row simulates a scripted system with a known true value at a task's default size and at a small size,",
        "and passes the sample scores to the suite's own metric functions (the ones the tasks log). *bias* is the",
        "mean estimate minus the truth; *simulated coverage* the share of 95% intervals containing the truth (a NaN",
        f"interval counts as a miss; Monte Carlo standard error about {math.sqrt(0.95 * 0.05 / replications):.3f}); "
        "*exact coverage*, where the",
        "outcomes can be enumerated (proportions, leave-one-out pairs, the two cells of the overlapping group, a",
        "two-group gap), the probability of every outcome times whether the suite's interval on it contains the",
        f"truth (for the gap, whose interval is a bootstrap, averaged over {EXACT_GAP_SEEDS} bootstrap seeds): the band",
        "is checked on it where it exists. *width* is the mean interval width. Intervals: Wilson score for means",
        "of 0/1 values, Jeffreys over the design-effect size for group means of 0/1 values stratified by cell,",
        "Tango's score interval for leave-one-out differences of them, the expanded BCa bootstrap for other",
        "means, and for the group gap Feldman and Cousins's unified interval of a folded normal, its standard",
        "error from the stratified bootstrap (see `src/pluralbench/_bootstrap.py`, `src/pluralbench/_folded.py`",
        "and `src/pluralbench/persona/metrics.py`). At the steerability default size the",
        "replications pass one observation per cell and label (the label's accuracy) instead of one per statement;",
        f"the metrics' numbers are identical (checked on {aggregated} replications of this run).",
        "",
        f"**Coverage: {min(coverages):.3f} to {max(coverages):.3f} over all {len(main)} rows "
        f"({exact_rows} exact, the others simulated); "
        + (
            "all inside 0.92-0.98.**"
            if not out_of_band
            else f"{len(out_of_band)} row{'s' if len(out_of_band) > 1 else ''} outside 0.92-0.98 (marked): "
            f"{sum(r.judged_coverage() > LEVEL_HIGH for r in out_of_band)} above (conservative), "
            f"{sum(r.judged_coverage() < LEVEL_LOW for r in out_of_band)} below.**"
        ),
        "",
        "| metric | system | size | truth | mean estimate | bias | simulated coverage | exact coverage | width "
        "| NaN intervals |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in main:
        mark = "" if LEVEL_LOW <= r.judged_coverage() <= LEVEL_HIGH else " **(out of band)**"
        simulated, exact_text = f"{r.coverage():.3f}", "" if r.exact is None else f"{r.exact:.3f}"
        if r.exact is None:
            simulated += mark
        else:
            exact_text += mark
        lines.append(
            f"| {r.row.metric} | {r.case.system} | {r.case.size} | {_fmt(r.row.truth)} | {_fmt(r.mean_estimate())} | "
            f"{r.bias():+.4f} | {simulated} | {exact_text} | {_fmt(r.width())} | {r.nan_intervals()} |"
        )
    lines += [
        "",
        "## Constant, random and oracle answerers",
        "",
        f"Mean score over {BASELINE_REPLICATIONS} replications at the default size, beside the chance level.",
        "",
        "| metric | answerer | truth | mean score | chance |",
        "|---|---|---|---|---|",
    ]
    for r in base:
        lines.append(
            f"| {r.row.metric} | {r.case.system} | {_fmt(r.row.truth)} | {_fmt(r.mean_estimate())} | "
            f"{CHANCE.get(r.row.metric, '')} |"
        )
    lines += [
        "",
        "## The same path through a real eval",
        "",
        "One run per metric through `inspect_ai.eval` of the task with scripted models (answerer, critic and judge):",
        "the log's estimate and interval against the truth, and whether the log's numbers equal the same metric",
        "function applied to the log's own (epoch-reduced) sample scores.",
        "",
        "| metric | task (system) | truth | logged estimate | logged 95% interval | same as the function |",
        "|---|---|---|---|---|---|",
    ]
    for check in checks:
        lines.append(
            f"| {check.metric} | {check.task} | {_fmt(check.truth)} | {_fmt(check.estimate)} | "
            f"[{_fmt(check.low)}, {_fmt(check.high)}] | {'yes' if check.same else '**no**'} |"
        )
    lines += [
        "",
        "## Why not the plain percentile bootstrap",
        "",
        "The same replications with the suite's interval, the expanded percentile bootstrap (Hesterberg 2015)",
        "and the plain percentile bootstrap of the mean (2000 resamples), at small sizes where the plain one",
        "undercovers:",
        "",
        "| metric | system | size | truth | suite's interval | expanded percentile | plain percentile |",
        "|---|---|---|---|---|---|---|",
    ]
    for suite, expanded, plain in zip(compared[::3], compared[1::3], compared[2::3], strict=True):
        lines.append(
            f"| {suite.row.metric} | {suite.case.system} | {suite.case.size} | {_fmt(suite.row.truth)} | "
            f"{suite.coverage():.3f} | {expanded.coverage():.3f} | {plain.coverage():.3f} |"
        )
    exact = {(p, n): wilson_coverage(p, n) for p in (0.5, 0.9, 0.95) for n in (10, 20, 100)}
    lines += [
        "",
        "## Reading the tables",
        "",
        "- The group gap is the best minus the worst group mean. When the groups truly do not differ, the",
        "  estimate is biased upward (the random answerer above scores a positive gap): read a small gap",
        "  against its interval, which reaches 0 there. The gap is the size of a difference, so it folds (a",
        "  sample that reverses the two groups still shows a positive gap) and a central interval of it can",
        "  only miss on one side near 0: the percentile bootstrap of best minus worst, used before, covered",
        "  a true gap of 0.2 exactly 0.983 of the time at 20 per group and a true gap of 0 only 0.92. The",
        "  unified interval is one-sided near 0 and central away from it, so each size keeps its level.",
        "- Tango's interval is conservative when hiding X can only lose acceptances (the verdict without X is",
        "  accepted only if the full one is): it then covers 0.97-1.0 at 10-20 pairs. The rows use independent",
        "  verdicts and verdicts correlated through easy and hard pairs.",
        "- At "
        + f"{SMALL_OVERLAP_CELL} samples per cell the overlapping-groups estimate lies on a lattice: it is within "
        + ", ".join(f"{step / 10:.1f}" for step, _ in overlap_lattice())
        + " of the truth with probability "
        + ", ".join(f"{share:.3f}" for _, share in overlap_lattice())
        + ", so every interval's coverage there sits near one of those values. Wilson's interval over the",
        "  design-effect size, whose pull toward 1/2 is larger than Jeffreys', reached 0.3 from the estimate and",
        "  covered 0.995 (exact); Jeffreys' covers 0.962.",
        "- Wilson's exact coverage oscillates with the true proportion: "
        + ", ".join(f"{exact[(p, n)]:.3f} at p = {p}, n = {n}" for p, n in exact)
        + ". The rows' systems sit at ordinary values of s, not at the worst points.",
    ]
    return "\n".join(lines) + "\n"


SMALL_OVERLAP_CELL = 5
"""Samples per cell of the small overlapping-groups row."""


def overlap_lattice(steps: int = 3) -> list[tuple[int, float]]:
    """Exact probability that the small overlapping-groups row's 18-34 estimate is within j/10 of 0.5, j <= steps.

    The 18-34 group is two equal-weight cells (accepted 0.8 and 0.2) of five samples each, so the
    estimate is ``(X1 + X2) / 10`` for binomial counts ``X1`` and ``X2``.
    """
    (_, _, high), (_, _, _), (_, _, low) = OVERLAP_CELLS
    n = SMALL_OVERLAP_CELL
    outcomes = list(_exact.cell_outcomes([(n, high), (n, low)]))
    return [
        (step, sum(probability for probability, (x1, x2) in outcomes if abs(x1 + x2 - n) <= step))
        for step in range(1, steps + 1)
    ]


def wilson_coverage(p: float, n: int) -> float:
    """Exact coverage of the Wilson interval for a true proportion p over n values."""
    return _exact.coverage(_exact.binomial_outcomes(n, p), lambda successes: wilson_interval(successes, n), p)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 3000 rather than 1000: the Monte Carlo standard error of a simulated coverage falls from 0.007
    # to 0.004, so a row whose exact coverage is 0.975 does not read 0.982 by chance.
    parser.add_argument("--replications", type=int, default=3000, help="replications per row (default 3000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report file (default benchmarks/validity.md)")
    parser.add_argument("--skip-evals", action="store_true", help="leave out the real-eval section")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    checked = aggregation_check()
    all_cases = cases()
    jobs = [
        (index, case, BASELINE_REPLICATIONS if case.section == "baseline" else args.replications)
        for index, case in enumerate(all_cases)
    ]
    jobs.sort(key=lambda job: job[1].kind != "steerability")  # the slowest first, so workers finish together
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = {job[0]: pool.submit(run_case, job) for job in jobs}
        checks: list[EvalCheck] = []
        if not args.skip_evals:  # in this process, while the workers replicate
            with tempfile.TemporaryDirectory() as log_dir:
                checks = real_evals(log_dir)
            print("real evals done", file=sys.stderr, flush=True)
        results = [result for index in sorted(futures) for result in futures[index].result()]
    args.out.write_text(
        report(results, checks, args.replications, time.perf_counter() - started, checked), encoding="utf-8"
    )
    print(f"wrote {args.out} in {(time.perf_counter() - started) / 60:.1f} minutes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
