"""Group-level alignment: how well does one answer serve a group, against answers written for each alone?

Reads ``persona_group`` logs (the newest by default; several with ``--log``). Left: mean member
satisfaction, the worst-off member and the share of groups where everyone is served, for the group
answer and (with ``compare_individual``) the members' individual answers, each with its 95% bootstrap
interval; the gap between them is the price of serving a group. Middle (with ``compare_individual``):
one point per group, its members' satisfaction with their own answers against the group answer;
points below the diagonal paid a price. Right (with a ``groups`` file): satisfaction of each group's
members with the group answer and their own.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from pluralbench.analysis import GROUP_SCORER, Run, persona_group_frame, run_labels, score_column

MEASURES = ("satisfaction", "worst_off", "all_served")
MEASURE_LABELS = {
    "satisfaction": "mean member\nsatisfaction",
    "worst_off": "worst-off\nmember",
    "all_served": "everyone\nserved",
}
ANSWERS = ("group", "individual")
ANSWER_LABELS = {"group": "one answer for the group", "individual": "an answer for each alone"}
JITTER = 0.03


def _outcomes(ax: Axes, data: pd.DataFrame, labels: list[str]) -> None:
    overall = data[data["cell"] == "all"]
    series = [(label, answer) for label in labels for answer in ANSWERS]
    series = [s for s in series if not overall[(overall["model"] == s[0]) & (overall["answer"] == s[1])].empty]
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(MEASURES))
    for index, (label, answer) in enumerate(series):
        rows = (
            overall[(overall["model"] == label) & (overall["answer"] == answer)].set_index("measure").reindex(MEASURES)
        )
        name = ANSWER_LABELS[answer] + (f" · {label}" if len(labels) > 1 else "")
        ax.bar(
            x + (index - (len(series) - 1) / 2) * width,
            rows["estimate"],
            width=width,
            yerr=_common.error_bars(rows["estimate"], rows["low"], rows["high"]),
            capsize=3,
            label=name,
            hatch="" if answer == "group" else "//",
        )
    ax.set_xticks(x, [MEASURE_LABELS[m] for m in MEASURES])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (line: 95% CI over groups)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    ax.set_title("Group answer vs individual answers", fontsize=10)


def _per_group(ax: Axes, runs: list[Run], labels: list[str]) -> None:
    for run, label in zip(runs, labels, strict=True):
        group = score_column(run.samples, GROUP_SCORER, "satisfaction")
        own = score_column(run.samples, GROUP_SCORER, "individual_satisfaction")
        if group is None or own is None:
            continue
        points = run.samples[[own, group]].apply(pd.to_numeric, errors="coerce").dropna()
        rng = np.random.default_rng(0)  # jitter only separates overlapping points; it is not data
        ax.scatter(
            points[own] + rng.uniform(-JITTER, JITTER, len(points)),
            points[group] + rng.uniform(-JITTER, JITTER, len(points)),
            alpha=0.6,
            s=22,
            label=f"{label} ({len(points)} groups)",
        )
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="no price (group = individual)")
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.08, 1.08)
    ax.set_xlabel("members' satisfaction with their own answers")
    ax.set_ylabel("members' satisfaction with the group answer")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("One point per group (jittered)", fontsize=10)


def _cells(ax: Axes, data: pd.DataFrame, labels: list[str]) -> None:
    cells_data = data[(data["cell"] != "all") & (data["answer"].isin(ANSWERS))]
    cells = sorted(set(cells_data["cell"]))
    series = [(label, answer) for label in labels for answer in ANSWERS]
    series = [s for s in series if not cells_data[(cells_data["model"] == s[0]) & (cells_data["answer"] == s[1])].empty]
    height = 0.8 / max(len(series), 1)
    y = np.arange(len(cells))
    for index, (label, answer) in enumerate(series):
        rows = (
            cells_data[(cells_data["model"] == label) & (cells_data["answer"] == answer)]
            .set_index("cell")
            .reindex(cells)
        )
        ax.barh(
            y + (index - (len(series) - 1) / 2) * height,
            rows["estimate"],
            height=height,
            xerr=_common.error_bars(rows["estimate"], rows["low"], rows["high"]),
            capsize=3,
            label=ANSWER_LABELS[answer] + (f" · {label}" if len(labels) > 1 else ""),
            hatch="" if answer == "group" else "//",
        )
    counts = cells_data.groupby("cell")["n"].max()
    ax.set_yticks(y, [f"{cell} (n={int(counts[cell])})" for cell in cells])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("members' satisfaction (95% bootstrap CI)")
    ax.set_title("Who is left out? Members by group", fontsize=10)
    _common.fit_tick_labels(ax, "y")


def draw(runs: list[Run]) -> _common.Plot:
    labels = run_labels(runs) if len(runs) > 1 else [runs[0].model]
    data = pd.concat(
        [persona_group_frame(run).assign(model=label, log=run.name) for run, label in zip(runs, labels, strict=True)],
        ignore_index=True,
    )
    compared = bool((data["answer"] == "individual").any())
    with_cells = bool((data["cell"] != "all").any())
    panels = 1 + int(compared) + int(with_cells)
    figure, axes = plt.subplots(1, panels, figsize=(6.2 * panels, 5.2), squeeze=False)
    _outcomes(axes[0][0], data, labels)
    if compared:
        _per_group(axes[0][1], runs, labels)
    if with_cells:
        _cells(axes[0][-1], data, labels)
    price = data[(data["answer"] == "price") & (data["cell"] == "all") & (data["measure"] == "satisfaction")]
    what = "Serving a group with one answer"
    if len(price) == 1:
        row = price.iloc[0]
        what += f": price {row['estimate']:.2f} [{row['low']:.2f}, {row['high']:.2f}] of satisfaction"
    _common.title(figure, what, runs)
    figure.tight_layout()
    columns = ["model", "measure", "answer", "cell", "estimate", "low", "high", "n", "source", "log"]
    return _common.Plot(figure, data[columns])


SCRIPT = _common.Script(
    name="persona_group",
    description="Plot group satisfaction against individual answers from persona_group logs.",
    tasks=("persona_group",),
    scorer=GROUP_SCORER,
    draw=draw,
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
