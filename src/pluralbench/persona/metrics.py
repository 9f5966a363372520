"""PERSONA metrics over a whole run: answer outcomes, leave-one-out, intersectionality, pass@k.

Names follow the suite's scheme (:mod:`pluralbench._metrics`): every estimate with an interval
is ``<name>``, ``<name>_ci_low``, ``<name>_ci_high`` and ``<name>_n``. Names built from user
input are bracketed, ``group[<name>]`` and ``importance[<attribute>]``: a bracketed estimate
ends in ``]`` and its suffixed numbers in ``_ci_low``, ``_ci_high`` or ``_n``, so no group or
attribute name, whatever it is (``gap``, ``mean``, ``a]_n``), can produce the name of another
number in the log.

The critic's score value is ``{"personalization": v, "format_failure": f}``: 1 and 0 (the
critic finds that the answer needs no revision, or needs one) or 0 and 1 (the evaluated model
gave no readable answer), both NaN when unscored (the verdict could not be read, or a prompt did
not fit a model's context). ``format_failure_rate`` (:func:`pluralbench._metrics.format_failure_rate`)
is thus the share of the scored samples without a readable answer. An unscored score stays a
dict of NaNs so that every sample reaches the metrics (inspect hands metrics only the samples
whose score is not NaN at its root), which lets :func:`grading_outcomes` count what was left out;
inspect's own ``unscored_samples`` count does not see them. Each score's metadata records its ``outcome``
(and ``self_graded`` when a model graded it); the epoch reducers here keep every attempt's
outcome in ``attempts``.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, ScoreReducer, metric, score_reducer

from pluralbench._beta import beta_quantile
from pluralbench._bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    expanded_tail,
    is_proportion,
    percentile_interval,
    resample_means,
)
from pluralbench._folded import folded_interval
from pluralbench._metrics import FORMAT_FAILURE as FORMAT_FAILURE_KEY
from pluralbench._metrics import mean_with_interval, with_interval
from pluralbench._run_end import register_diagnostic
from pluralbench.persona.dataset import ALL_HIDDEN_VARIANT, FULL_VARIANT, WITHOUT_PREFIX
from pluralbench.persona.types import CONTEXT_OVERFLOW

PERSONALIZATION = "personalization"
"""Key of the critic's score value, and the name of the mean of it."""
GRADED = "graded"
"""Outcome of an attempt whose answer the critic (or debate judge) gave a readable verdict on."""
JUDGE_FAILURE = "judge_failure"
"""Outcome of an attempt whose verdict stayed unreadable after the repair request."""
OUTCOME = "outcome"
SELF_GRADED = "self_graded"
ATTEMPTS = "attempts"

JUDGE_FAILURES = register_diagnostic(
    "judge_failures", "{count} attempts unscored: the critic's verdict stayed unreadable after the repair request"
)
CONTEXT_OVERFLOWS = register_diagnostic(
    "context_overflows", "{count} attempts unscored: a prompt did not fit the context of the evaluated model or a judge"
)

FULL_PERSONA = "full_persona"
ALL_HIDDEN = "all_hidden"
PASS_AT_PREFIX = "pass_at_"
GAP = "gap"


def group_metric_name(group: str) -> str:
    """Return the log name of a group's estimate: ``group[<group>]``.

    Args:
        group: The group's name as the groups file gives it.

    Returns:
        The name; its interval and count are ``group[<group>]_ci_low``, ``_ci_high``, ``_n``.
    """
    return f"group[{group}]"


def importance_metric_name(attribute: str) -> str:
    """Return the log name of an attribute's leave-one-out importance: ``importance[<attribute>]``.

    Args:
        attribute: The persona attribute.

    Returns:
        The name; its interval and count are ``importance[<attribute>]_ci_low``, ``_ci_high``, ``_n``.
    """
    return f"importance[{attribute}]"


def bracketed(name: str, prefix: str) -> str | None:
    """Return what ``prefix[...]`` encloses when ``name`` is exactly such an estimate's name.

    Args:
        name: A metric name.
        prefix: ``group`` or ``importance``.

    Returns:
        The enclosed group or attribute name, or ``None`` for any other name (including the
        ``_ci_low``, ``_ci_high`` and ``_n`` numbers).
    """
    if name.startswith(f"{prefix}[") and name.endswith("]"):
        return name[len(prefix) + 1 : -1]
    return None


def personalization_of(score: Score) -> float:
    """Return a critic score's ``personalization`` value (NaN when unscored).

    Args:
        score: A score of the critic (or one reduced by :func:`persona_attempts`).

    Returns:
        The value.

    Raises:
        ValueError: When the score is not the critic's dict with a numeric ``personalization``.
    """
    value = score.value
    if isinstance(value, float) and math.isnan(value):
        return math.nan
    number = value.get(PERSONALIZATION) if isinstance(value, Mapping) else None
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise ValueError(f"score {value!r} has no numeric {PERSONALIZATION!r}")
    return float(number)


# ---------------------------------------------------------------- answer outcomes


def attempts_of(score: Score) -> list[Mapping[str, Any]]:
    """Return the outcome records of the attempts behind a score.

    Args:
        score: One attempt's score (its metadata is the record) or an epoch-reduced score
            (its metadata lists every attempt's record under ``attempts``).

    Returns:
        One ``{"outcome": ..., "self_graded": ...}`` mapping per attempt.
    """
    metadata = score.metadata or {}
    attempts = metadata.get(ATTEMPTS)
    return list(attempts) if isinstance(attempts, list) else [metadata]


def attempt_record(score: Score) -> dict[str, Any]:
    """Return the part of an attempt's score metadata that the outcome metrics read.

    Args:
        score: One attempt's score.

    Returns:
        ``outcome`` and, when a model graded the attempt, ``self_graded``.
    """
    metadata = score.metadata or {}
    return {key: metadata[key] for key in (OUTCOME, SELF_GRADED) if key in metadata}


def self_graded_share(scores: Sequence[SampleScore]) -> float:
    """Return the share of the attempts a model graded that the evaluated model graded itself.

    Args:
        scores: The samples' scores (an attempt's metadata says ``self_graded`` when a model graded it).

    Returns:
        The share (its grading role was unbound); NaN when no model graded any attempt.
    """
    flags = [bool(a[SELF_GRADED]) for s in scores for a in attempts_of(s.score) if SELF_GRADED in a]
    return sum(flags) / len(flags) if flags else math.nan


def outcome_summary(scores: Sequence[SampleScore]) -> dict[str, float]:
    """Count the attempts left unscored, and the share the evaluated model graded itself.

    Args:
        scores: The samples' scores.

    Returns:
        ``judge_failures`` (attempts unscored because the verdict stayed unreadable after the
        repair request), ``context_overflows`` (attempts unscored because a prompt did not fit
        the context of the evaluated model or of a judge), and ``self_graded``
        (:func:`self_graded_share`). Format failures are the ``format_failure_rate`` metric's.

    Raises:
        ValueError: When a score records no outcome.
    """
    counts: Counter[str] = Counter()
    for sample_score in scores:
        for attempt in attempts_of(sample_score.score):
            if OUTCOME not in attempt:
                raise ValueError(f"sample {sample_score.sample_id}: score metadata has no {OUTCOME!r}")
            counts[str(attempt[OUTCOME])] += 1
    return {
        JUDGE_FAILURES: float(counts[JUDGE_FAILURE]),
        CONTEXT_OVERFLOWS: float(counts[CONTEXT_OVERFLOW]),
        SELF_GRADED: self_graded_share(scores),
    }


@metric
def grading_outcomes() -> Metric:
    """Attempts left unscored and self-grading: ``judge_failures``, ``context_overflows``, ``self_graded``.

    Returns:
        The metric (see :func:`outcome_summary`).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return outcome_summary(scores)

    return compute


@metric
def self_graded() -> Metric:
    """Share of the scored attempts the evaluated model graded itself, for scorers without outcome records.

    Returns:
        The metric (see :func:`self_graded_share`).
    """

    def compute(scores: list[SampleScore]) -> float:
        return self_graded_share(scores)

    return compute


def _key_of(score: Score, key: str) -> object:
    return score.value.get(key, math.nan) if isinstance(score.value, Mapping) else math.nan


def _mean_of_numbers(values: Sequence[object]) -> float:
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)]
    return statistics.fmean(numbers) if numbers else math.nan


@score_reducer(name="persona_attempts")
def persona_attempts() -> ScoreReducer:
    """Reduce a sample's epochs to the mean of its scored attempts, key by key for dict scores.

    Like inspect's reducers it keeps the first epoch's metadata, and adds every attempt's
    outcome (``attempts``), so :func:`grading_outcomes` counts all of them.

    Returns:
        The reducer; NaN (per key) where no attempt was scored.
    """

    def reduce(scores: list[Score]) -> Score:
        metadata = {**(scores[0].metadata or {}), ATTEMPTS: [attempt_record(score) for score in scores]}
        dicts = [score.value for score in scores if isinstance(score.value, Mapping)]
        if not dicts:
            return Score(value=_mean_of_numbers([score.value for score in scores]), metadata=metadata)
        keys = list(dict.fromkeys(key for value in dicts for key in value))
        value = {key: _mean_of_numbers([d.get(key, math.nan) for d in dicts]) for key in keys}
        return Score(value=value, metadata=metadata)

    return reduce


# ---------------------------------------------------------------- leave-one-out


def leave_one_out(variants_by_pair: Mapping[str, Mapping[str, float]], seed: int = 0) -> dict[str, float]:
    """Return the full-persona score, the all-hidden baseline and each attribute's importance.

    Args:
        variants_by_pair: For each pair id, the ``personalization`` of each of its variants
            (``"full"``, ``"without <attr>"``, ``"all hidden"``); NaN where unscored. A pair
            has a ``without`` variant only for attributes its persona has.
        seed: Seed of the bootstraps.

    Returns:
        ``full_persona`` (mean over full-persona samples) and ``all_hidden`` (mean over samples
        with every listed attribute hidden), each with its interval and ``_n``; then for each
        attribute, alphabetically, ``importance[<attr>]``: mean of score(full) - score(without
        attribute) over the pairs whose persona has the attribute and whose both samples are
        scored, with its paired bootstrap interval and ``_n`` (those pairs).
    """
    full: list[float] = []
    hidden: list[float] = []
    differences: dict[str, list[float]] = {}
    for variants in variants_by_pair.values():
        full_value = variants.get(FULL_VARIANT, math.nan)
        if not math.isnan(full_value):
            full.append(full_value)
        for variant, value in variants.items():
            if variant == ALL_HIDDEN_VARIANT and not math.isnan(value):
                hidden.append(value)
            elif variant.startswith(WITHOUT_PREFIX):
                diffs = differences.setdefault(variant.removeprefix(WITHOUT_PREFIX), [])
                if not (math.isnan(value) or math.isnan(full_value)):
                    diffs.append(full_value - value)
    result = {**mean_with_interval(FULL_PERSONA, full, seed), **mean_with_interval(ALL_HIDDEN, hidden, seed)}
    for attribute, diffs in sorted(differences.items()):
        result.update(mean_with_interval(importance_metric_name(attribute), diffs, seed, paired_differences=True))
    return result


@metric
def loo_importance(seed: int = 0) -> Metric:
    """Leave-one-out: ``full_persona``, ``all_hidden`` and ``importance[<attribute>]``, with intervals.

    Args:
        seed: Seed of the bootstraps.

    Returns:
        The metric (see :func:`leave_one_out`).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        pairs: dict[str, dict[str, float]] = defaultdict(dict)
        for sample_score in scores:
            metadata = sample_score.sample_metadata or {}
            pairs[str(metadata["pair_id"])][str(metadata["variant"])] = personalization_of(sample_score.score)
        return leave_one_out(pairs, seed)

    return compute


# ---------------------------------------------------------------- intersectionality


@dataclass(frozen=True)
class Cell:
    """The samples of one cell: personas that belong to exactly the same groups.

    Attributes:
        groups: The groups, sorted.
        size: Personas of the pool in the cell (the cell's weight in each of its groups).
        values: Scored values of the cell's samples (NaNs left out).
    """

    groups: tuple[str, ...]
    size: int
    values: list[float] = field(default_factory=list)


def _expanded(replicates: np.ndarray, units: int) -> tuple[float, float]:
    """Return the expanded percentile interval of bootstrap replicates over ``units`` scored samples."""
    if units < 2:
        return math.nan, math.nan
    return percentile_interval(replicates, tail=expanded_tail(units))


def _capped(interval: tuple[float, float]) -> tuple[float, float]:
    """Return an interval of a gap between scores in [0, 1] with its upper bound at most 1."""
    return interval[0], min(interval[1], 1.0)


def _weighted_jeffreys(share: float, effective_n: float) -> tuple[float, float]:
    """Return the Jeffreys interval of a weighted proportion over an effective sample size.

    The equal-tailed interval of ``Beta(n p + 1/2, n (1 - p) + 1/2)`` with ``n`` the effective size
    (:func:`_effective_size`), 0 as the lower bound of an estimate of 0 and 1 as the upper bound of
    an estimate of 1 (Brown, Cai and DasGupta 2001). Over a design-effect size it keeps its coverage
    in stratified samples (Dean and Pagano 2015, Journal of Survey Statistics and Methodology 3(4)),
    where Wilson's, whose pull toward 1/2 is larger, covered a true 0.5 in 99.5% of runs of two
    cells of 5 samples accepted 0.8 and 0.2 (``benchmarks/validity.md``, exact coverage 0.962 now).
    """
    tail = (1 - DEFAULT_LEVEL) / 2
    a, b = effective_n * share + 0.5, effective_n * (1 - share) + 0.5
    low = 0.0 if share <= 0 else beta_quantile(tail, a, b)
    high = 1.0 if share >= 1 else beta_quantile(1 - tail, a, b)
    return low, high


def _effective_size(weights: np.ndarray, cell_means: np.ndarray, counts: Sequence[int]) -> float:
    """Return the effective sample size of a stratified proportion ``sum(W_c p_c)``, for its Jeffreys interval.

    Kish's size ``1 / sum(W_c**2 / n_c)`` counts only the unequal weights, not the variance between
    cells that stratification removes (a group of one cell accepted 0.8 and one accepted 0.2 has a
    variance well under ``p(1 - p)`` over Kish's size), so its interval was too wide. This is the
    design-effect size ``p(1 - p) / v`` with the stratified variance
    ``v = sum(W_c**2 p_c (1 - p_c) / (n_c - 1))`` (unbiased within each cell; Korn and Graubard,
    1998, without their cap at the number of samples, which is for designs that lose precision:
    stratification gains it). Kish's size is kept where ``v`` cannot be estimated: a cell of one
    sample, every cell all 0 or all 1, or an estimate of 0 or 1. A group of one cell is a plain
    proportion: its size is its number of samples.
    """
    if len(counts) == 1:
        return float(counts[0])
    kish = float(1 / sum(w * w / c for w, c in zip(weights, counts, strict=True)))
    share = float(weights @ cell_means)
    if min(counts) < 2 or share in (0.0, 1.0):
        return kish
    variance = sum(w * w * p * (1 - p) / (c - 1) for w, p, c in zip(weights, cell_means, counts, strict=True))
    if variance <= 0:
        return kish
    return share * (1 - share) / float(variance)


def group_disparity(cells: Sequence[Cell], groups: Sequence[str], min_n: int, seed: int = 0) -> dict[str, float]:
    """Estimate each group's mean from a sample stratified by cell, and the disparity between groups.

    The sample was drawn once from the union of the groups, stratified by cell, so a cell's
    samples are a simple random sample of its (persona, question) pairs while cells are sampled
    at different rates. A group's estimate weights each of its cells' means by the cell's share
    of the group's personas: ``sum(size_c * mean_c) / sum(size_c)`` over the group's cells with a
    scored sample, which estimates the mean over the group's whole population (a sample
    counts in every group it is in, each with its own weight). The interval is a stratified
    bootstrap: each resample redraws every cell's values within the cell, and every group's
    estimate is computed from the same resampled cells; the percentile interval is expanded as the
    suite's intervals are (:mod:`pluralbench._bootstrap`), over the group's scored samples. A group
    whose values are all 0 or 1 gets the suite's interval of a proportion instead, Jeffreys', over
    the estimate's effective sample size (:func:`_effective_size`). The gap (best minus worst group)
    is the size of a difference, so its interval is the unified interval of a folded normal
    (:func:`pluralbench._folded.folded_interval`), which keeps its coverage down to a gap of 0 where a
    percentile interval of best minus worst folds: its standard error is that of the two groups'
    difference over the resampled cells (so shared cells count), its level the suite's expanded
    level over the smaller group's scored samples, its upper bound at most 1 (scores lie in [0, 1]).

    Args:
        cells: The cells and their scored values.
        groups: Group names in report order (a group with no scored sample is reported with n 0).
        min_n: Groups with fewer scored samples are reported with their n but left out of the gap.
        seed: Seed of the bootstrap.

    Returns:
        ``personalization`` (the union's mean, every cell weighted by its size) with its
        interval and n; for every group ``group[<group>]`` with ``_ci_low``, ``_ci_high``,
        ``_n``; ``groups_below_min_n``; ``gap`` (best minus worst mean among groups with
        n >= min_n) with ``gap_ci_low``, ``gap_ci_high`` and ``gap_n`` (scored samples of those
        groups, a sample counted once per group it is in); and ``ratio`` (worst over best mean).
    """
    scored = sorted((cell for cell in cells if cell.values), key=lambda cell: cell.groups)
    rng = np.random.default_rng(seed)
    resampled = np.stack(
        [resample_means(sorted(cell.values), rng, DEFAULT_RESAMPLES) for cell in scored]
        or [np.full(DEFAULT_RESAMPLES, math.nan)]
    )
    means = np.array([statistics.fmean(cell.values) for cell in scored] or [math.nan])

    def estimate(name: str, members: list[int]) -> tuple[dict[str, float], np.ndarray]:
        if not members:
            return with_interval(name, math.nan, (math.nan, math.nan), 0), np.full(DEFAULT_RESAMPLES, math.nan)
        weights = np.array([scored[i].size for i in members], dtype=np.float64)
        weights /= weights.sum()
        replicates = weights @ resampled[members]
        counts = [len(scored[i].values) for i in members]
        share = float(weights @ means[members])
        if all(is_proportion(scored[i].values) for i in members):
            interval = _weighted_jeffreys(share, _effective_size(weights, means[members], counts))
        else:
            interval = _expanded(replicates, sum(counts))
        return with_interval(name, share, interval, sum(counts)), replicates

    result, _ = estimate(PERSONALIZATION, list(range(len(scored))))
    replicates_by_group: dict[str, np.ndarray] = {}
    estimates: dict[str, tuple[float, float]] = {}
    for group in groups:
        members = [i for i, cell in enumerate(scored) if group in cell.groups]
        values, replicates = estimate(group_metric_name(group), members)
        result.update(values)
        estimates[group] = (values[group_metric_name(group)], values[f"{group_metric_name(group)}_n"])
        if values[f"{group_metric_name(group)}_n"] >= min_n:
            replicates_by_group[group] = replicates
    result["groups_below_min_n"] = float(len(groups) - len(replicates_by_group))
    if len(replicates_by_group) < 2:
        result.update(with_interval(GAP, math.nan, (math.nan, math.nan), 0), ratio=math.nan)
        return result
    eligible = {group: estimates[group][0] for group in replicates_by_group}
    best = max(eligible, key=eligible.__getitem__)
    worst = min((group for group in eligible if group != best), key=eligible.__getitem__)
    gap_n = int(sum(estimates[group][1] for group in replicates_by_group))
    smaller = int(min(estimates[best][1], estimates[worst][1]))
    difference = replicates_by_group[best] - replicates_by_group[worst]
    interval = (
        _capped(
            folded_interval(eligible[best] - eligible[worst], float(np.std(difference)), 1 - 2 * expanded_tail(smaller))
        )
        if smaller >= 2
        else (math.nan, math.nan)
    )
    result.update(with_interval(GAP, eligible[best] - eligible[worst], interval, gap_n))
    result["ratio"] = eligible[worst] / eligible[best] if eligible[best] > 0 else math.nan
    return result


def cells_of(entries: Sequence[tuple[Sequence[str], int, float]]) -> tuple[list[Cell], list[str]]:
    """Collect samples into cells.

    Args:
        entries: ``(groups, cell_size, value)`` of each sample (value NaN when unscored).

    Returns:
        The cells, and every group name in the order groups first appear.

    Raises:
        ValueError: When samples of one cell disagree on its size.
    """
    cells: dict[tuple[str, ...], Cell] = {}
    order: dict[str, None] = {}
    for groups, size, value in entries:
        key = tuple(sorted(str(group) for group in groups))
        order.update(dict.fromkeys(str(group) for group in groups))
        cell = cells.setdefault(key, Cell(key, int(size)))
        if cell.size != int(size):
            raise ValueError(f"cell {list(key)}: samples give sizes {cell.size} and {size}")
        if not math.isnan(value):
            cell.values.append(value)
    return list(cells.values()), list(order)


@metric
def group_disparity_metric(min_n: int = 5, seed: int = 0) -> Metric:
    """The union's mean, each group's estimate with its interval and n, and the disparity between groups.

    Reads each sample's ``groups`` and ``cell_size`` metadata (see :func:`group_disparity`).

    Args:
        min_n: Minimum scored samples for a group to enter the disparity.
        seed: Seed of the bootstrap.

    Returns:
        The metric.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        entries = []
        for sample_score in scores:
            metadata = sample_score.sample_metadata or {}
            entries.append((metadata["groups"], metadata["cell_size"], personalization_of(sample_score.score)))
        cells, groups = cells_of(entries)
        return group_disparity(cells, groups, min_n, seed)

    return compute


# ---------------------------------------------------------------- pass@k


def pass_at_keys(k: int) -> list[str]:
    """Return the keys of the :func:`pass_at_attempts` score: ``pass_at_1`` .. ``pass_at_<k>``.

    Args:
        k: Attempts per sample.

    Returns:
        The keys, in order.
    """
    return [f"{PASS_AT_PREFIX}{j}" for j in range(1, k + 1)]


def pass_at(passes: int, attempts: int, j: int) -> float:
    """Return the unbiased estimate of pass@j from ``passes`` passes in ``attempts`` attempts.

    ``1 - C(attempts - passes, j) / C(attempts, j)`` (Chen et al. 2021, arXiv 2107.03374): the
    chance that j attempts drawn without replacement from the observed ones include a pass.

    Args:
        passes: Attempts that passed.
        attempts: Attempts made.
        j: Attempts allowed.

    Returns:
        The estimate; NaN when ``j > attempts``.
    """
    if j > attempts:
        return math.nan
    return 1.0 - math.comb(attempts - passes, j) / math.comb(attempts, j)


def pass_at_values(values: Sequence[float], k: int) -> dict[str, float]:
    """Return pass@1 .. pass@k of one sample's attempts, or NaNs unless all k attempts are scored.

    Args:
        values: The ``personalization`` of each attempt (a format failure is a scored 0; NaN unscored).
        k: Attempts the task makes per sample.

    Returns:
        ``pass_at_<j>`` for j = 1..k, a value >= 1 counting as a pass; all NaN when the sample has
        fewer than k scored attempts, so every pass@j is taken over the same samples.
    """
    keys = pass_at_keys(k)
    if len(values) != k or any(math.isnan(value) for value in values):
        return dict.fromkeys(keys, math.nan)
    passes = sum(1 for value in values if value >= 1.0)
    return {key: pass_at(passes, k, j) for j, key in enumerate(keys, 1)}


@score_reducer(name="pass_at_attempts")
def pass_at_attempts(k: int) -> ScoreReducer:
    """Reduce a sample's k epochs to one dict score: pass@1 .. pass@k (see :func:`pass_at_values`).

    One reducer instead of k keeps every number in one score whose metrics say which is which,
    and its NaNs for samples without k scored attempts keep the curve over one set of samples.

    Args:
        k: Attempts per sample (epochs).

    Returns:
        The reducer: ``pass_at_<j>`` and ``format_failure`` (the share of the sample's attempts
        without a readable answer); every attempt's outcome is kept in the metadata (``attempts``).
    """

    def reduce(scores: list[Score]) -> Score:
        value = pass_at_values([personalization_of(score) for score in scores], k)
        value[FORMAT_FAILURE_KEY] = _mean_of_numbers([_key_of(score, FORMAT_FAILURE_KEY) for score in scores])
        return Score(value=value, metadata={ATTEMPTS: [attempt_record(score) for score in scores]})

    return reduce
