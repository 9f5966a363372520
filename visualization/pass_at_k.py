"""pass@k: how fast does the chance of satisfying the critic climb with independent attempts?

Reads ``persona_pass_at_k`` logs. One line per log (model) for k = 1..K with the 95% bootstrap
interval shaded; the estimator is inspect's unbiased pass@k over each sample's epochs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import _common
import matplotlib.pyplot as plt
import pandas as pd

from pluralbench.analysis import Run, pass_at_k_frame, run_labels


def draw(runs: list[Run]) -> _common.Plot:
    labels = run_labels(runs)
    data = pd.concat(
        [pass_at_k_frame(run).assign(model=label, log=run.name) for run, label in zip(runs, labels, strict=True)],
        ignore_index=True,
    )
    figure, ax = plt.subplots(figsize=(7.5, 5))
    for label in labels:
        rows = data[data["model"] == label]
        (line,) = ax.plot(rows["k"], rows["estimate"], marker="o", label=label)
        ax.fill_between(
            rows["k"], rows["low"].astype(float), rows["high"].astype(float), color=line.get_color(), alpha=0.2
        )
    k_max = int(data["k"].max())
    ax.set_xticks(range(1, k_max + 1))
    ax.set_xlim(0.8, k_max + 0.2)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("k (independent attempts per persona and question)")
    ax.set_ylabel("pass@k: share with an accepted answer\n(line: estimate; band: 95% bootstrap CI)")
    ax.legend(title="model", fontsize=8, loc="lower right")
    _common.title(figure, "pass@k: critic accepts at least one of k attempts", runs)
    figure.tight_layout()
    return _common.Plot(figure, data[["model", "k", "estimate", "stderr", "low", "high", "n", "source", "log"]])


SCRIPT = _common.Script(
    name="pass_at_k",
    description="Plot pass@k curves from persona_pass_at_k logs (several logs: one line per model).",
    tasks=("persona_pass_at_k",),
    scorer="personalization_critic",
    draw=draw,
)


def main(argv: Sequence[str] | None = None) -> int:
    return _common.main(SCRIPT, argv)


if __name__ == "__main__":
    sys.exit(main())
