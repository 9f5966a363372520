"""Alignment targets: how often is the chosen response the one nearest the target?

Reads ``alignment_targets`` logs; by default the newest log for each model and method. Left:
accuracy by number of target attributes, one line per method (and model), with 95% bootstrap
intervals and the chance level of a random pick. Right: overall accuracy by method with its
interval, chance level and the number of scored items.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pluralbench.analysis import Run, alignment_by_size, alignment_summary, run_labels


def series_labels(runs: list[Run]) -> list[str]:
    """Return a legend label per run: its method, with the model when several models are drawn.

    Args:
        runs: The runs.

    Returns:
        One label per run.
    """
    models = run_labels(runs, ignore=("method",))
    methods = [str(run.task_args.get("method", "?")) for run in runs]
    if len(set(models)) == 1:
        return methods
    return [f"{method} · {model}" for method, model in zip(methods, models, strict=True)]


def draw(runs: list[Run]) -> _common.Plot:
    labels = series_labels(runs)
    sizes = pd.concat(
        [
            alignment_by_size(run).assign(
                series=label, method=run.task_args.get("method"), model=run.model, log=run.name
            )
            for run, label in zip(runs, labels, strict=True)
        ],
        ignore_index=True,
    ).assign(kind="by_target_size")
    methods = pd.DataFrame(
        [
            {**alignment_summary(run), "series": label, "model": run.model, "log": run.name}
            for run, label in zip(runs, labels, strict=True)
        ]
    ).assign(kind="by_method")
    figure, (size_ax, method_ax) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.4, 1]})
    width = 0.5 / max(len(labels), 1)
    for index, label in enumerate(labels):
        rows = sizes[sizes["series"] == label]
        x = rows["target_size"] + (index - (len(labels) - 1) / 2) * width
        size_ax.errorbar(
            x,
            rows["accuracy"],
            yerr=_common.error_bars(rows["accuracy"], rows["low"], rows["high"]),
            marker="o",
            capsize=3,
            label=label,
        )
    chance = sizes.groupby("target_size")["chance"].mean()
    size_ax.plot(chance.index, chance.to_numpy(), color="grey", linestyle="--", label="chance (random pick)")
    size_ax.set_xticks(sorted(set(sizes["target_size"])))
    size_ax.set_ylim(-0.05, 1.05)
    size_ax.set_xlabel("number of attributes in the target")
    size_ax.set_ylabel("accuracy: chose a response nearest the target\n(point: mean; line: 95% bootstrap CI)")
    size_ax.legend(title="method", fontsize=8, loc="best")
    positions = np.arange(len(methods))
    method_ax.bar(
        positions,
        methods["accuracy"],
        yerr=_common.error_bars(methods["accuracy"], methods["low"], methods["high"]),
        capsize=4,
        color="#4c72b0",
    )
    method_ax.scatter(positions, methods["chance"], marker="_", s=600, color="grey", zorder=3, label="chance")
    for position, (_, row) in zip(positions, methods.iterrows(), strict=True):
        top = row["high"] if not math.isnan(row["high"]) else row["accuracy"]
        method_ax.text(position, (0 if math.isnan(top) else top) + 0.03, f"n={int(row['n'])}", ha="center", fontsize=8)
    method_ax.set_xticks(positions, list(methods["series"]))
    method_ax.set_ylim(0, 1.15)
    method_ax.set_xlabel("method")
    method_ax.set_ylabel("accuracy (bar: mean; line: 95% CI)")
    method_ax.legend(fontsize=8, loc="upper right")
    _common.fit_tick_labels(method_ax, "x")
    _common.title(figure, "Alignment targets: accuracy by target size and by method", runs)
    figure.tight_layout()
    data = pd.concat([sizes, methods], ignore_index=True)
    columns = ["kind", "series", "method", "model", "target_size", "accuracy", "stderr", "low", "high", "n"]
    columns += ["chance", "distance", "tied_items", "source", "interval_source", "log"]
    return _common.Plot(figure, data.reindex(columns=columns))


SCRIPT = _common.Script(
    name="alignment",
    description="Plot alignment-target accuracy by number of target attributes and by method.",
    tasks=("alignment_targets",),
    scorer="alignment_target",
    draw=draw,
    distinct=("method",),
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
