"""Preference prediction: how often does the model pick the answer this person prefers, by attribute?

Reads ``persona_preference`` logs; by default the newest log for each model and mode (``persona``,
``baseline``) in the log directory, so the persona's contribution shows as the gap between the
two modes. One horizontal bar per separating attribute (overall accuracy on top) with its 95%
bootstrap interval, and a dashed line at chance (0.5); order consistency and the format-failure
rate of each log are in the legend.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pluralbench.analysis import PREFERENCE, Run, preference_frame, run_labels

CHANCE = 0.5


def series_labels(runs: list[Run]) -> list[str]:
    """Return each run's legend label: model and mode, told apart further only when needed.

    Args:
        runs: The runs.

    Returns:
        One label per run.
    """
    keys = [f"{run.model} · {run.task_args.get('mode', 'persona')}" for run in runs]
    if len(set(keys)) == len(keys):
        return keys
    return [f"{key} · {label}" for key, label in zip(keys, run_labels(runs, ignore=("mode",)), strict=True)]


def draw(runs: list[Run]) -> _common.Plot:
    labels = series_labels(runs)
    data = pd.concat(
        [preference_frame(run).assign(model=label, log=run.name) for run, label in zip(runs, labels, strict=True)],
        ignore_index=True,
    )
    accuracy = data[data["measure"] == "accuracy"]
    groups = ["all", *sorted(set(accuracy["group"]) - {"all"})]
    height = 0.8 / len(runs)
    figure, ax = plt.subplots(figsize=(9, 2.6 + 0.45 * len(groups) * max(1.0, len(runs) ** 0.5)))
    positions = np.arange(len(groups))
    for index, label in enumerate(labels):
        rows = accuracy[accuracy["model"] == label].set_index("group").reindex(groups)
        summary = data[(data["model"] == label) & (data["group"] == "all")].set_index("measure")["estimate"]
        legend = (
            f"{label} (order consistency {summary['order_consistency']:.2f}, "
            f"format failures {summary['format_failure_rate']:.2f})"
        )
        ax.barh(
            positions + (index - (len(runs) - 1) / 2) * height,
            rows["estimate"],
            height=height,
            xerr=_common.error_bars(rows["estimate"], rows["low"], rows["high"]),
            capsize=3,
            label=legend,
        )
    counts = accuracy.groupby("group")["n"].max()
    tick_labels = [
        f"{'overall' if group == 'all' else group.replace('_', ' ')} (n={int(counts[group])})" for group in groups
    ]
    ax.set_yticks(positions, tick_labels)
    ax.invert_yaxis()
    ax.axvline(CHANCE, color="grey", linestyle="--", linewidth=1, label=f"chance ({CHANCE})")
    ax.set_xlim(0, 1.05)
    ax.set_xlabel(
        "accuracy: share of samples where the model picked the answer this person prefers\n"
        "(each pair in both orders; format failures count as wrong; lines: 95% bootstrap CI)"
    )
    ax.set_ylabel("attribute separating the two answers' personas")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    _common.fit_tick_labels(ax, "y")
    _common.title(figure, "Persona preference accuracy by attribute", runs)
    figure.tight_layout()
    columns = ["model", "mode", "measure", "group", "estimate", "low", "high", "n", "source", "log"]
    return _common.Plot(figure, data[columns])


SCRIPT = _common.Script(
    name="persona_preference",
    description="Plot preference accuracy by separating attribute from persona_preference logs.",
    tasks=("persona_preference",),
    scorer=PREFERENCE,
    draw=draw,
    distinct=("mode",),
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
