"""Intersectionality: for which groups of people does personalization fail?

Reads ``persona_intersectionality`` logs. Left: each group's mean critic score with its 95%
bootstrap interval and n; groups below ``min_n`` are hatched and left out of the disparity;
the disparity (best minus worst eligible group, with its interval, and worst/best ratio) is
annotated. Right: a heatmap when the groups form a grid of two attributes (e.g. sex x age band),
one per log.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from pluralbench.analysis import GroupGrid, GroupResults, Run, group_grid, group_results, run_labels


def _format(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def _disparity_text(results: GroupResults) -> str:
    d = results.disparity
    return (
        f"gap best - worst = {_format(d['gap'])} [95% CI {_format(d['gap_ci_low'])}, {_format(d['gap_ci_high'])}]; "
        f"worst/best = {_format(d['ratio'])} (groups with n >= {results.min_n})"
    )


def _draw_groups(ax: Axes, data: pd.DataFrame, labels: list[str], order: list[str]) -> None:
    height = 0.8 / len(labels)
    positions = np.arange(len(order))
    for index, label in enumerate(labels):
        rows = data[data["model"] == label].set_index("group").reindex(order)
        offset = (index - (len(labels) - 1) / 2) * height
        bars = ax.barh(
            positions + offset,
            rows["mean"],
            height=height,
            xerr=_common.error_bars(rows["mean"], rows["low"], rows["high"]),
            capsize=3,
            label=label,
        )
        for bar, (_, row) in zip(bars, rows.iterrows(), strict=True):
            if not row["in_disparity"]:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
            right = row["high"] if not math.isnan(row["high"]) else row["mean"]
            ax.text(
                (0 if math.isnan(right) else right) + 0.02,
                bar.get_y() + bar.get_height() / 2,
                f"n={int(row['n'])}",
                va="center",
                fontsize=7,
            )
    ax.set_yticks(positions, order)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2)
    ax.set_xlabel("critic score (share of answers needing no revision)\nbars: mean; lines: 95% bootstrap CI")
    ax.set_ylabel("group")
    _common.fit_tick_labels(ax, "y")
    if len(labels) > 1:
        ax.legend(title="model", fontsize=8, loc="lower right")


def _draw_grid(ax: Axes, results: GroupResults, grid: GroupGrid, label: str) -> None:
    mean = dict(zip(results.groups["group"], results.groups["mean"].astype(float), strict=True))
    count = dict(zip(results.groups["group"], results.groups["n"].astype(float), strict=True))
    means = pd.DataFrame(
        [[mean[grid.cells[(r, c)]] for c in grid.columns] for r in grid.rows], index=grid.rows, columns=grid.columns
    )
    notes = [
        [f"{_format(mean[grid.cells[(r, c)]])}\nn={int(count[grid.cells[(r, c)]])}" for c in grid.columns]
        for r in grid.rows
    ]
    sns.heatmap(
        means.astype(float),
        annot=np.array(notes),
        fmt="",
        vmin=0,
        vmax=1,
        cmap="viridis",
        ax=ax,
        cbar_kws={"label": "mean critic score"},
    )
    ax.set_xlabel(grid.column_attribute)
    ax.set_ylabel(grid.row_attribute)
    ax.set_title(label, fontsize=9)


def draw(runs: list[Run]) -> _common.Plot:
    labels = run_labels(runs)
    results = [group_results(run) for run in runs]
    grids = [group_grid(run, list(r.groups["group"])) for run, r in zip(runs, results, strict=True)]
    frames = []
    for run, label, result, grid in zip(runs, labels, results, grids, strict=True):
        frame = result.groups.assign(model=label, log=run.name, **result.disparity, min_n=result.min_n)
        if grid is not None:
            where = {name: cell for cell, name in grid.cells.items()}
            frame[grid.row_attribute] = [where[g][0] for g in frame["group"]]
            frame[grid.column_attribute] = [where[g][1] for g in frame["group"]]
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    first_grid = grids[0]
    if first_grid is not None:
        order = [first_grid.cells[(r, c)] for r in first_grid.rows for c in first_grid.columns]
        order += [g for g in dict.fromkeys(data["group"]) if g not in order]
    else:
        order = list(data.groupby("group", sort=False)["mean"].mean().sort_values(ascending=False).index)
    heatmaps = [(result, grid, label) for result, grid, label in zip(results, grids, labels, strict=True) if grid]
    width = [1.4] + [1.0] * len(heatmaps)
    figure, axes = plt.subplots(
        1,
        1 + len(heatmaps),
        figsize=(6.5 + 4.5 * len(heatmaps), 3.2 + 0.4 * len(order) * max(1.0, len(runs) ** 0.5)),
        gridspec_kw={"width_ratios": width},
        squeeze=False,
    )
    _draw_groups(axes[0][0], data, labels, order)
    eligible = results[0].groups[results[0].groups["in_disparity"]]["mean"].dropna()
    if len(runs) == 1 and len(eligible) >= 2:
        axes[0][0].axvspan(eligible.min(), eligible.max(), color="tab:red", alpha=0.12, label="gap (best - worst)")
        axes[0][0].legend(
            handles=axes[0][0].patches[-1:], fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False
        )
    for ax, (result, grid, label) in zip(axes[0][1:], heatmaps, strict=True):
        _draw_grid(ax, result, grid, label)
    notes = "\n".join(
        (f"{label}: " if len(runs) > 1 else "") + _disparity_text(result)
        for label, result in zip(labels, results, strict=True)
    )
    _common.title(figure, "Critic score by group and disparity between groups", runs)
    figure.text(
        0.01, -0.01, notes + "\nhatched: fewer than min_n scored samples, not in the disparity", fontsize=8, va="top"
    )
    figure.tight_layout()
    columns = [
        "model",
        "group",
        "mean",
        "low",
        "high",
        "n",
        "in_disparity",
        "min_n",
        "gap",
        "gap_ci_low",
        "gap_ci_high",
        "gap_n",
        "ratio",
    ]
    extra = [c for c in data.columns if c not in columns and c not in ("source", "log", "groups_below_min_n")]
    return _common.Plot(figure, data[[*columns, "groups_below_min_n", *extra, "source", "log"]])


SCRIPT = _common.Script(
    name="intersectionality",
    description="Plot per-group scores and disparity from persona_intersectionality logs.",
    tasks=("persona_intersectionality",),
    scorer="personalization_critic",
    draw=draw,
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
