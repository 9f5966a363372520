"""Generate modes: does the way the model is asked (no persona, direct, reasoning, summary) matter?

Reads ``persona`` logs; by default the newest log for each model and generate mode in the log
directory. One panel per scorer (critic; persona identification when the logs have it, with its
chance level), one point per mode and model with its 95% bootstrap interval.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pluralbench.analysis import CRITIC, IDENTIFICATION, Run, mode_frame, run_labels
from pluralbench.persona.solvers import GENERATE_MODES

YLABELS = {
    CRITIC: "critic score\n(share needing no revision)",
    IDENTIFICATION: "persona identification rate\n(judge picks the true persona)",
}


def series_labels(runs: list[Run]) -> list[str]:
    """Return each run's legend label: its model, told apart further only when a model has a mode twice.

    Args:
        runs: The runs.

    Returns:
        One label per run.
    """
    keys = [(run.model, run.task_args.get("mode")) for run in runs]
    if len(set(keys)) == len(keys):
        return [run.model for run in runs]
    return run_labels(runs, ignore=("mode",))


def draw(runs: list[Run]) -> _common.Plot:
    labels = series_labels(runs)
    data = pd.concat(
        [mode_frame(run).assign(model=label, log=run.name) for run, label in zip(runs, labels, strict=True)],
        ignore_index=True,
    )
    present = set(data["mode"])
    modes = [m for m in GENERATE_MODES if m in present] + sorted(present - set(GENERATE_MODES))
    scorers = [s for s in (CRITIC, IDENTIFICATION) if s in set(data["scorer"])]
    models = list(dict.fromkeys(labels))
    figure, axes = plt.subplots(1, len(scorers), figsize=(6.5 * len(scorers), 5), squeeze=False)
    width = 0.6 / max(len(models), 1)
    for ax, scorer in zip(axes[0], scorers, strict=True):
        for index, model in enumerate(models):
            rows = data[(data["scorer"] == scorer) & (data["model"] == model)].set_index("mode").reindex(modes)
            x = np.arange(len(modes)) + (index - (len(models) - 1) / 2) * width
            ax.errorbar(
                x,
                rows["mean"],
                yerr=_common.error_bars(rows["mean"], rows["low"], rows["high"]),
                fmt="o",
                capsize=4,
                label=model,
            )
        chance = data[data["scorer"] == scorer]["chance"].dropna()
        if scorer == IDENTIFICATION and not chance.empty and not math.isnan(float(chance.mean())):
            ax.axhline(float(chance.mean()), color="grey", linestyle="--", label=f"chance ({chance.mean():.2f})")
        ax.set_xticks(np.arange(len(modes)), [m.replace("_", " ") for m in modes])
        ax.set_xlim(-0.6, len(modes) - 0.4)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("generate mode (point: mean; line: 95% bootstrap CI)")
        ax.set_ylabel(YLABELS[scorer])
        ax.legend(title="model", fontsize=8)
        _common.fit_tick_labels(ax, "x")
    _common.title(figure, "Score by generate mode", runs)
    figure.tight_layout()
    columns = ["model", "mode", "scorer", "mean", "stderr", "low", "high", "n", "chance", "source", "log"]
    return _common.Plot(figure, data[columns])


SCRIPT = _common.Script(
    name="modes",
    description="Plot scores by generate mode (and model) from persona logs.",
    tasks=("persona",),
    scorer="personalization_critic",
    draw=draw,
    distinct=("mode",),
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
