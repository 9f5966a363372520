"""Steerability: does steering to persona p help on p's statements, and not on everyone's?

Reads ``steerability`` logs. Left: the accuracy matrix a(p, q) (model steered to p, tested on
q's statements), personas grouped by framework and, within a framework, ordered by
average-linkage clustering of their rows, so similar personas sit together; untested cells are
grey. Right: own-statement balanced accuracy per framework and overall, with 95% bootstrap
intervals over steered personas, chance (0.5) marked, margin and published score noted.
One row of panels per log.
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

from pluralbench.analysis import (
    ALL_FRAMEWORKS,
    Run,
    run_labels,
    steerability_cells,
    steerability_frameworks,
    steerability_scores,
)

ANNOTATE_UP_TO = 12
"""Cells carry their value as text up to this many personas."""

MAX_LABEL = 16
"""Longer persona labels (Big Five profiles) are shown as the persona id instead."""


def cluster_order(profiles: pd.DataFrame) -> list[str]:
    """Return the rows in the leaf order of average-linkage clustering.

    Distance between two rows is the mean absolute difference over the columns both have
    (1.0, the largest, when they share none). Deterministic: ties merge the earliest pair.

    Args:
        profiles: One row per persona, NaN where a cell was not tested.

    Returns:
        Row names in display order.
    """
    names = [str(name) for name in profiles.index]
    values = profiles.to_numpy(dtype=float)
    count = len(names)
    distance = np.ones((count, count))
    for i in range(count):
        for j in range(count):
            both = ~np.isnan(values[i]) & ~np.isnan(values[j])
            if both.any():
                distance[i, j] = float(np.abs(values[i, both] - values[j, both]).mean())
    clusters = [[i] for i in range(count)]
    while len(clusters) > 1:
        pairs = [(a, b) for a in range(len(clusters)) for b in range(a + 1, len(clusters))]
        a, b = min(pairs, key=lambda ab: float(distance[np.ix_(clusters[ab[0]], clusters[ab[1]])].mean()))
        clusters[a] = clusters[a] + clusters.pop(b)
    return [names[i] for i in clusters[0]] if clusters else []


def persona_order(cells: pd.DataFrame) -> tuple[list[str], list[tuple[str, int, int]]]:
    """Return personas ordered by framework then cluster, and each framework's block (name, start, end).

    Args:
        cells: Accuracy cells of one run.

    Returns:
        The order and the blocks.
    """
    matrix = cells.pivot_table(index="steered", columns="test", values="accuracy", aggfunc="mean")
    frameworks = dict(zip(cells["steered"], cells["steered_framework"], strict=True))
    frameworks.update(
        {q: f for q, f in zip(cells["test"], cells["test_framework"], strict=True) if q not in frameworks}
    )
    order: list[str] = []
    blocks = []
    for framework in sorted(set(frameworks.values())):
        members = sorted(p for p, f in frameworks.items() if f == framework)
        steered = [p for p in members if p in matrix.index]
        clustered = cluster_order(matrix.loc[steered]) if steered else []
        block = clustered + [p for p in members if p not in clustered]
        blocks.append((framework, len(order), len(order) + len(block)))
        order.extend(block)
    return order, blocks


def tick_names(cells: pd.DataFrame) -> dict[str, str]:
    """Return each persona's tick label: its label (``INTJ``), or its id when the label is long.

    Args:
        cells: Accuracy cells of one run.

    Returns:
        Persona id to tick label.
    """
    names = dict(zip(cells["steered"], cells["steered_label"], strict=True))
    names.update({q: n for q, n in zip(cells["test"], cells["test_label"], strict=True) if q not in names})
    return {persona: name if len(name) <= MAX_LABEL else persona for persona, name in names.items()}


def _draw_matrix(ax: Axes, cells: pd.DataFrame, label: str) -> None:
    order, blocks = persona_order(cells)
    names = tick_names(cells)
    rows = [p for p in order if p in set(cells["steered"])]
    columns = [q for q in order if q in set(cells["test"])]
    matrix = cells.pivot_table(index="steered", columns="test", values="accuracy", aggfunc="mean").reindex(
        index=rows, columns=columns
    )
    ax.set_facecolor("#d9d9d9")
    sns.heatmap(
        matrix.astype(float),
        ax=ax,
        cmap="RdBu",
        center=0.5,
        vmin=0,
        vmax=1,
        square=True,
        annot=len(order) <= ANNOTATE_UP_TO,
        fmt=".2f",
        xticklabels=[names[q] for q in columns],
        yticklabels=[names[p] for p in rows],
        cbar_kws={"label": "balanced accuracy a(p, q)", "shrink": 0.6},
    )
    ax.set_xticks(np.arange(len(columns)) + 0.5, [names[q] for q in columns])
    ax.set_yticks(np.arange(len(rows)) + 0.5, [names[p] for p in rows])
    for framework, start, end in blocks:
        row_end = sum(1 for p in rows if order.index(p) < end)
        column_start = sum(1 for q in columns if order.index(q) < start)
        column_end = sum(1 for q in columns if order.index(q) < end)
        ax.axhline(row_end, color="black", linewidth=1)
        ax.axvline(column_end, color="black", linewidth=1)
        ax.text((column_start + column_end) / 2, -0.6, framework, ha="center", va="bottom", fontsize=8, weight="bold")
    ax.set_xlabel("test persona q (whose statements and labels)")
    ax.set_ylabel("steered persona p")
    ax.set_title(f"{label}: a(p, q), grey = not tested", fontsize=9, pad=30)
    if len(order) >= _common.MANY_LABELS:
        _common.fit_tick_labels(ax, "x")
        _common.fit_tick_labels(ax, "y")
    else:
        ax.tick_params(axis="x", labelrotation=90)
        ax.tick_params(axis="y", labelrotation=0)


def _draw_frameworks(ax: Axes, frameworks: pd.DataFrame, scores: dict[str, float]) -> None:
    positions = np.arange(len(frameworks))
    colours = ["#4c72b0" if f != ALL_FRAMEWORKS else "#dd8452" for f in frameworks["framework"]]
    ax.barh(
        positions,
        frameworks["balanced_accuracy"],
        xerr=_common.error_bars(frameworks["balanced_accuracy"], frameworks["low"], frameworks["high"]),
        color=colours,
        capsize=3,
    )
    for position, (_, row) in zip(positions.tolist(), frameworks.iterrows(), strict=True):
        right = row["high"] if not math.isnan(row["high"]) else row["balanced_accuracy"]
        ax.text(
            (0 if math.isnan(right) else right) + 0.02,
            position,
            f"{int(row['personas'])} personas",
            va="center",
            fontsize=7,
        )
    ax.axvline(0.5, color="grey", linestyle="--", label="chance (0.5)")
    ax.set_yticks(positions, list(frameworks["framework"]))
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xlabel("own-statement balanced accuracy a(p, p)\nbar: mean over p; line: 95% bootstrap CI")
    ax.set_ylabel("framework of p")
    ax.legend(fontsize=8, loc="lower right")

    def fmt(value: float) -> str:
        return "n/a" if math.isnan(value) else f"{value:.2f}"

    suffix = _published_suffix(scores)
    ax.set_title(
        f"margin a(p,p) - mean a(p,q) = {fmt(scores['steerability_margin'])} "
        f"[{fmt(scores['steerability_margin_ci_low'])}, {fmt(scores['steerability_margin_ci_high'])}]\n"
        f"published score (sensitivity{', part of the matrix' if suffix else ''}) = "
        f"{fmt(scores[f'original_score{suffix}'])}, specificity = {fmt(scores[f'original_specificity{suffix}'])}",
        fontsize=8,
    )


PUBLISHED_SCORES = ("original_score", "original_sensitivity", "original_specificity")


def _published_suffix(scores: dict[str, float]) -> str:
    """``_partial`` when the log names the published scores so (part of the matrix was run), else empty."""
    return "_partial" if "original_score_partial" in scores else ""


def _csv_rows(cells: pd.DataFrame, frameworks: pd.DataFrame, scores: dict[str, float]) -> pd.DataFrame:
    cell_rows = cells.rename(columns={"accuracy": "value"}).assign(kind="cell", name="a(p,q)")
    framework_rows = frameworks.rename(columns={"balanced_accuracy": "value", "personas": "n"}).assign(
        kind="framework", name="balanced_accuracy"
    )
    score_rows = pd.DataFrame(
        [
            {
                "kind": "score",
                "name": name,
                "value": scores[name],
                "low": scores.get(f"{name}_ci_low"),
                "high": scores.get(f"{name}_ci_high"),
                "n": scores.get(f"{name}_n"),
            }
            for name in (
                "steerability_margin",
                *(f"{published}{_published_suffix(scores)}" for published in PUBLISHED_SCORES),
            )
        ]
    )
    return pd.concat([cell_rows, framework_rows, score_rows], ignore_index=True)


def draw(runs: list[Run]) -> _common.Plot:
    labels = run_labels(runs)
    personas = max(len(set(steerability_cells(run)["steered"])) for run in runs)
    side = max(6.0, 0.2 * personas + 2.5)
    figure, axes = plt.subplots(
        len(runs),
        2,
        figsize=(side + 6.5, side * len(runs) + 1),
        gridspec_kw={"width_ratios": [side, 5.5]},
        squeeze=False,
    )
    frames = []
    for (matrix_ax, bars_ax), run, label in zip(axes, runs, labels, strict=True):
        cells = steerability_cells(run)
        frameworks = steerability_frameworks(run)
        scores = steerability_scores(run)
        _draw_matrix(matrix_ax, cells, label)
        _draw_frameworks(bars_ax, frameworks, scores)
        frames.append(_csv_rows(cells, frameworks, scores).assign(model=label, log=run.name))
    _common.title(figure, "Steerability: accuracy of the model steered to p on q's statements", runs)
    figure.tight_layout()
    data = pd.concat(frames, ignore_index=True)
    columns = ["model", "kind", "name", "steered", "test", "steered_framework", "steered_label", "test_framework"]
    columns += ["test_label", "own", "framework", "value", "low", "high", "n", "source", "interval_source", "log"]
    return _common.Plot(figure, data.reindex(columns=columns))


SCRIPT = _common.Script(
    name="steerability",
    description="Plot the steered x test persona accuracy heatmap and per-framework balanced accuracy.",
    tasks=("steerability",),
    scorer="steerability_scorer",
    draw=draw,
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
