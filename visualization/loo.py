"""Leave-one-out attribute importance: which persona attributes matter for personalization.

Reads ``persona_loo`` logs. One horizontal bar per attribute (most important on top) with its
95% paired bootstrap interval; several logs are drawn as grouped bars, one colour per model.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pluralbench.analysis import Run, loo_frame, run_labels


def draw(runs: list[Run]) -> _common.Plot:
    labels = run_labels(runs)
    data = pd.concat(
        [loo_frame(run).assign(model=label, log=run.name) for run, label in zip(runs, labels, strict=True)],
        ignore_index=True,
    )
    order = list(data.groupby("attribute", sort=False)["importance"].mean().sort_values(ascending=False).index)
    height = 0.8 / len(runs)
    figure, ax = plt.subplots(figsize=(9, 2.8 + 0.45 * len(order) * max(1.0, len(runs) ** 0.5)))
    positions = np.arange(len(order))
    for index, label in enumerate(labels):
        rows = data[data["model"] == label].set_index("attribute").reindex(order)
        offset = (index - (len(runs) - 1) / 2) * height
        ax.barh(
            positions + offset,
            rows["importance"],
            height=height,
            xerr=_common.error_bars(rows["importance"], rows["low"], rows["high"]),
            capsize=3,
            label=label,
        )
    if len(runs) == 1:
        counts = data.set_index("attribute")["n"]
        tick_labels = [f"{attribute} (n={int(counts[attribute])})" for attribute in order]
        for position, row in zip(
            positions.tolist(), data.set_index("attribute").reindex(order).itertuples(), strict=True
        ):
            ax.annotate(
                f"{row.importance:+.2f} [{row.low:+.2f}, {row.high:+.2f}]",
                (0, position),
                xytext=(0, -13),
                textcoords="offset points",
                fontsize=7,
                ha="left",
            )
    else:
        tick_labels = order
        ax.legend(title="model", fontsize=8)
    ax.set_yticks(positions, tick_labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(
        "importance = critic score(full persona) - score(attribute hidden)\nbars: mean over pairs; lines: 95% paired bootstrap CI"
    )
    ax.set_ylabel("attribute hidden from the answerer")
    _common.fit_tick_labels(ax, "y")
    _common.title(figure, "Leave-one-out attribute importance", runs)
    figure.tight_layout()
    columns = ["model", "attribute", "importance", "low", "high", "n", "source", "log"]
    return _common.Plot(figure, data[columns])


SCRIPT = _common.Script(
    name="loo",
    description="Plot leave-one-out attribute importance from persona_loo logs.",
    tasks=("persona_loo",),
    scorer="personalization_critic",
    draw=draw,
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
