"""PERSONA runs as frames: leave-one-out importance, group results and grids, pass@k curves, modes."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pluralbench._metrics import COUNT, STDERR, interval_names
from pluralbench.analysis._runs import GROUP_PREFIX, Run
from pluralbench.analysis._scores import (
    FROM_LOG,
    FROM_SAMPLES,
    mean_stats,
    run_seed,
    score_column,
    score_summary,
    source_label,
)
from pluralbench.persona.metrics import (
    GAP,
    PASS_AT_PREFIX,
    PERSONALIZATION,
    bracketed,
    cells_of,
    group_disparity,
    group_metric_name,
    importance_metric_name,
    leave_one_out,
    pass_at_values,
)

CRITIC = "personalization_critic"
IDENTIFICATION = "persona_identification"


def _importance_attributes(values: dict[str, float]) -> list[str]:
    """Return the attributes of the ``importance[<attribute>]`` metrics, in the order they appear."""
    return [attribute for name in values if (attribute := bracketed(name, "importance")) is not None]


def _critic_values(frame: pd.DataFrame) -> list[float]:
    """Return the critic's ``personalization`` of every row (NaN where unscored or absent)."""
    column = score_column(frame, CRITIC, PERSONALIZATION)
    if column is None:
        return [math.nan] * len(frame)
    return [float(v) for v in pd.to_numeric(frame[column], errors="coerce")]


def loo_frame(run: Run) -> pd.DataFrame:
    """Return leave-one-out attribute importance, one row per attribute, most important first.

    Args:
        run: A ``persona_loo`` run.

    Returns:
        Columns ``attribute``, ``importance`` (score(full) - score(without attribute), paired, over
        the pairs whose persona has the attribute; the log's ``importance[<attribute>]``), ``low``,
        ``high`` (95% paired bootstrap: ``_ci_low``, ``_ci_high``), ``n`` (pairs with both
        variants scored: ``_n``), ``source``.
    """
    values = loo_values(run)
    from_log = bool(_importance_attributes(run.metric_values(CRITIC)))
    rows = []
    for attribute in _importance_attributes(values):
        estimate, low, high, n = (values[name] for name in interval_names(importance_metric_name(attribute)))
        rows.append([attribute, estimate, low, high, n, source_label(from_log)])
    result = pd.DataFrame(rows, columns=["attribute", "importance", "low", "high", "n", "source"])
    return result.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def loo_values(run: Run) -> dict[str, float]:
    """Return a leave-one-out run's numbers: ``full_persona``, ``all_hidden``, ``importance[<attr>]``.

    Args:
        run: A ``persona_loo`` run.

    Returns:
        The log's metrics when it has them, else the same numbers recomputed from its samples
        (each with ``_ci_low``, ``_ci_high`` and ``_n``).
    """
    values = run.metric_values(CRITIC)
    if _importance_attributes(values):
        return values
    frame = run.samples
    pairs: dict[str, dict[str, float]] = defaultdict(dict)
    if "variant" in frame.columns:
        for pair_id, variant, value in zip(frame["pair_id"], frame["variant"], _critic_values(frame), strict=True):
            pairs[str(pair_id)][str(variant)] = value
    return leave_one_out(pairs, run_seed(run))


@dataclass(frozen=True)
class GroupResults:
    """Per-group scores and the disparity between groups.

    Attributes:
        groups: One row per group: ``group``, ``mean``, ``low``, ``high``, ``n`` (the log's
            ``group[<group>]``, ``_ci_low``, ``_ci_high``, ``_n``: the group's estimate, its
            cells weighted by size), ``in_disparity`` (n >= min_n), ``source``.
        disparity: ``gap`` (best minus worst eligible mean), ``gap_ci_low``, ``gap_ci_high``,
            ``gap_n``, ``ratio`` (worst over best), ``groups_below_min_n``, named as in the log.
        min_n: Minimum scored samples for a group to enter the disparity.
    """

    groups: pd.DataFrame
    disparity: dict[str, float]
    min_n: int


def group_results(run: Run) -> GroupResults:
    """Return per-group scores and disparity of an intersectionality run.

    Args:
        run: A ``persona_intersectionality`` run.

    Returns:
        The results; group order is the order groups first appear in the samples.
    """
    min_n = int(run.task_args.get("min_n", 5))
    frame = run.samples
    names = [str(c).removeprefix(GROUP_PREFIX) for c in frame.columns if str(c).startswith(GROUP_PREFIX)]
    metrics = run.metric_values(CRITIC)
    from_log = bool(metrics) and all(f"{group_metric_name(name)}{COUNT}" in metrics for name in names)
    if from_log:
        values = metrics
    else:
        entries = (
            list(zip(frame["groups"], frame["cell_size"], _critic_values(frame), strict=True))
            if "cell_size" in frame.columns
            else []
        )
        cells, _ = cells_of(entries)
        values = group_disparity(cells, names, min_n, run_seed(run))
    rows = []
    for name in names:
        estimate, low, high, n = (values[key] for key in interval_names(group_metric_name(name)))
        rows.append([name, estimate, low, high, n, n >= min_n, source_label(from_log)])
    disparity = {key: values.get(key, math.nan) for key in (*interval_names(GAP), "ratio", "groups_below_min_n")}
    columns = ["group", "mean", "low", "high", "n", "in_disparity", "source"]
    return GroupResults(pd.DataFrame(rows, columns=columns), disparity, min_n)


@dataclass(frozen=True)
class GroupGrid:
    """Groups that form a grid of two attributes (e.g. sex x age band).

    Attributes:
        rows: Row labels, in display order.
        columns: Column labels, in display order.
        cells: ``(row, column) -> group name``.
        row_attribute: Persona attribute the rows vary (or a generic name).
        column_attribute: Persona attribute the columns vary (or a generic name).
    """

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], str]
    row_attribute: str
    column_attribute: str


def _split_group(name: str) -> list[str]:
    for separator in (", ", " & ", " x ", " / "):
        if separator in name:
            return [part.strip() for part in name.split(separator)]
    return [name]


def _level_attribute(frame: pd.DataFrame, members: dict[str, pd.Series], fallback: str) -> tuple[str, list[str]]:
    """Return the persona attribute that separates the levels, and the levels ordered by it."""
    levels = list(members)
    for column in [c for c in frame.columns if str(c).startswith("persona.")]:
        per_level = {level: frame.loc[mask, column].dropna() for level, mask in members.items()}
        if any(values.empty for values in per_level.values()):
            continue
        if all(
            values.astype(str).nunique() == 1 and values.astype(str).iloc[0] == lvl for lvl, values in per_level.items()
        ):
            return str(column).removeprefix("persona."), sorted(levels)
        numeric = {lvl: pd.to_numeric(values, errors="coerce") for lvl, values in per_level.items()}
        if all(values.notna().all() for values in numeric.values()):
            spans = sorted((float(v.min()), float(v.max()), lvl) for lvl, v in numeric.items())
            if all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1)):
                return str(column).removeprefix("persona."), [lvl for _, _, lvl in spans]
    return fallback, levels


def group_grid(run: Run, groups: Sequence[str]) -> GroupGrid | None:
    """Return the grid the groups form when every name has two parts and every combination exists.

    Names such as ``"Female, 18-34"`` split into a row and a column label; the persona attribute
    each part describes is found from the members' attributes (constant values, or disjoint
    numeric ranges, which also order the levels).

    Args:
        run: The run (its samples give group membership and persona attributes).
        groups: Group names.

    Returns:
        The grid, or ``None`` when the groups do not form a complete grid of at least 2 x 2.
    """
    parts = {name: _split_group(name) for name in groups}
    if not parts or any(len(p) != 2 for p in parts.values()):
        return None
    rows = list(dict.fromkeys(p[0] for p in parts.values()))
    columns = list(dict.fromkeys(p[1] for p in parts.values()))
    cells = {(p[0], p[1]): name for name, p in parts.items()}
    if len(rows) < 2 or len(columns) < 2 or len(cells) != len(rows) * len(columns):
        return None
    frame = run.samples

    def members(index: int, level: str) -> pd.Series:
        mask = pd.Series(False, index=frame.index)
        for name, p in parts.items():
            if p[index] == level and f"{GROUP_PREFIX}{name}" in frame.columns:
                mask |= frame[f"{GROUP_PREFIX}{name}"]
        return mask

    row_attribute, rows = _level_attribute(
        frame, {level: members(0, level) for level in rows}, "first part of group name"
    )
    column_attribute, columns = _level_attribute(
        frame, {level: members(1, level) for level in columns}, "second part of group name"
    )
    return GroupGrid(rows, columns, cells, row_attribute, column_attribute)


def pass_at_k_frame(run: Run) -> pd.DataFrame:
    """Return pass@k for k = 1..K of a pass@k run.

    Args:
        run: A ``persona_pass_at_k`` run.

    Returns:
        Columns ``k``, ``estimate``, ``stderr``, ``low``, ``high`` (95% interval), ``n`` (samples
        with all K attempts scored, the same for every k), ``source``; from the log's
        ``pass_at_<k>`` metrics (with ``_stderr``, ``_ci_low``, ``_ci_high``, ``_n``) when present,
        else recomputed with the same estimator from the samples whose K attempts are all there.
    """
    k_max = int(run.task_args.get("k", run.completeness.epochs))
    columns = ["k", "estimate", "stderr", "low", "high", "n", "source"]
    rows = []
    metrics = run.metric_values(CRITIC)
    if f"{PASS_AT_PREFIX}1" in metrics:
        for k in range(1, k_max + 1):
            name = f"{PASS_AT_PREFIX}{k}"
            estimate, low, high, n = (metrics[key] for key in interval_names(name))
            rows.append([k, estimate, metrics[f"{name}{STDERR}"], low, high, n, FROM_LOG])
        return pd.DataFrame(rows, columns=columns)
    by_sample: dict[str, list[float]] = defaultdict(list)
    if not run.samples.empty:
        for sample_id, value in zip(run.samples["sample_id"], _critic_values(run.samples), strict=True):
            by_sample[str(sample_id)].append(value)
    curves = [pass_at_values(values, k_max) for values in by_sample.values()]
    for k in range(1, k_max + 1):
        estimates = [e for curve in curves if not math.isnan(e := curve[f"{PASS_AT_PREFIX}{k}"])]
        stats = mean_stats(estimates, run_seed(run))
        rows.append([k, stats["mean"], stats["stderr"], stats["low"], stats["high"], stats["n"], FROM_SAMPLES])
    return pd.DataFrame(rows, columns=columns)


def _chance_level(run: Run) -> float:
    logged = run.metric_values(IDENTIFICATION).get("chance_level", math.nan) if run.has_metrics else math.nan
    if not math.isnan(logged) or "identify_candidates" not in run.samples.columns:
        return logged
    levels = [1 / len(c) for c in run.samples["identify_candidates"] if isinstance(c, list) and c]
    return sum(levels) / len(levels) if levels else math.nan


def mode_frame(run: Run) -> pd.DataFrame:
    """Return the scores of a PERSONA run with its generate mode, one row per scorer.

    Args:
        run: A ``persona`` run.

    Returns:
        Columns ``mode``, ``scorer``, ``mean``, ``stderr``, ``low``, ``high``, ``n``, ``chance``
        (identification chance level, NaN for the critic), ``source``.
    """
    rows = []
    for scorer, key in ((CRITIC, PERSONALIZATION), (IDENTIFICATION, None)):
        summary = score_summary(run, scorer, key)
        if not summary:
            continue
        chance = _chance_level(run) if scorer == IDENTIFICATION else math.nan
        rows.append(
            {
                "mode": str(run.task_args.get("mode", "")),
                "scorer": scorer,
                **{k: summary[k] for k in ("mean", "stderr", "low", "high", "n")},
                "chance": chance,
                "source": source_label(summary["source"] == 1.0),
            }
        )
    return pd.DataFrame(rows, columns=["mode", "scorer", "mean", "stderr", "low", "high", "n", "chance", "source"])
