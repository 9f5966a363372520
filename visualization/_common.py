"""Shared command line, styling and output of the visualization scripts.

Every script reads logs only through ``pluralbench.analysis`` and runs as
``python visualization/<name>.py [--log PATH ...] [--log-dir DIR] [--out DIR]``.

Exit codes: 0 = figure written; 1 = nothing written (no matching log, a log of another task,
an unreadable log, no sample that reached scoring, or every sample unscored by the script's
scorer, e.g. every critic reply unreadable), with a one-line message on stderr; 2 = figure written
from an incomplete (interrupted) log, with one line per incomplete log saying what is missing.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pluralbench.analysis import SCORE_PREFIX, LogAnalysisError, Run, find_logs, load_runs  # noqa: E402

DEFAULT_OUT = "figures"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INCOMPLETE = 2
MANY_LABELS = 30
"""From this many tick labels on, labels shrink (and x labels turn vertical) so none overlap."""


@dataclass(frozen=True)
class Plot:
    """What a script draws: the figure and the numbers in it (written as CSV)."""

    figure: Figure
    data: pd.DataFrame


@dataclass(frozen=True)
class Script:
    """A visualization script.

    Attributes:
        name: Script name (``loo``); also the prefix of its output files.
        description: One line for ``--help``.
        tasks: Tasks whose logs it reads.
        scorer: The scorer whose scores it draws; a log in which it scored nothing is refused.
        draw: Turns loaded runs into a plot.
        distinct: Task arguments that, with the model, make searched logs distinct (``modes``
            keeps the newest log per model and mode); empty: only the newest log.
    """

    name: str
    description: str
    tasks: tuple[str, ...]
    scorer: str
    draw: Callable[[list[Run]], Plot]
    distinct: tuple[str, ...] = ()


def parse_args(script: Script, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the shared command line.

    Args:
        script: The script.
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        ``log`` (list of paths), ``log_dir`` and ``out``.
    """
    parser = argparse.ArgumentParser(prog=f"{script.name}.py", description=script.description)
    parser.add_argument(
        "--log",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="log file(s) (.eval or .json) or directories to search; several logs are compared "
        f"(default: the newest {' / '.join(script.tasks)} log in --log-dir)",
    )
    parser.add_argument(
        "--log-dir",
        default=None,
        metavar="DIR",
        help="directory searched when --log is not given (default: INSPECT_LOG_DIR or ./logs)",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"output directory (default: ./{DEFAULT_OUT})"
    )
    return parser.parse_args(argv)


def style() -> None:
    """Apply the shared seaborn style."""
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")


def title(figure: Figure, what: str, runs: Sequence[Run]) -> None:
    """Give a figure a title saying what it shows and from which model(s) and log(s).

    Args:
        figure: The figure.
        what: What the figure shows.
        runs: The runs drawn.
    """
    if len(runs) == 1:
        source = f"model {runs[0].model} · log {runs[0].name}"
    else:
        models = ", ".join(dict.fromkeys(run.model for run in runs))
        source = f"{len(runs)} logs · models {models}"
    incomplete = [run for run in runs if not run.completeness.complete]
    if incomplete:
        c = incomplete[0].completeness
        source += f"\nINCOMPLETE: {c.scored} of {c.planned} planned scored" + (
            f" (and {len(incomplete) - 1} more incomplete log(s))" if len(incomplete) > 1 else ""
        )
    figure.suptitle(f"{what}\n{source}", fontsize=11)


def fit_tick_labels(ax: Axes, axis: Literal["x", "y"] = "x") -> None:
    """Keep many tick labels readable: shrink them, and turn x labels vertical, from 30 labels on.

    Args:
        ax: The axes.
        axis: ``x`` or ``y``.
    """
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    count = len(labels)
    if count < MANY_LABELS:
        if axis == "x" and any(len(label.get_text()) > 8 for label in labels):
            ax.tick_params(axis="x", labelrotation=30)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
        return
    size = max(4.0, 9.0 - count / 20)
    ax.tick_params(axis=axis, labelsize=size, labelrotation=90 if axis == "x" else 0)


def error_bars(estimate: pd.Series, low: pd.Series, high: pd.Series) -> list[list[float]]:
    """Return matplotlib error-bar extents (non-negative, zero where the interval is unknown).

    Args:
        estimate: Point estimates.
        low: Interval lower ends.
        high: Interval upper ends.

    Returns:
        ``[below, above]``.
    """

    def extent(values: pd.Series) -> list[float]:
        return [0.0 if math.isnan(float(v)) else max(float(v), 0.0) for v in values]

    return [extent(estimate - low), extent(high - estimate)]


def output_stem(script: Script, runs: Sequence[Run]) -> str:
    """Return the output file name without suffix: the script and the log (or log count and newest id).

    Args:
        script: The script.
        runs: The runs drawn.

    Returns:
        E.g. ``loo_2026-11-22T03-19-13-00-00_persona-loo_VBLL...``.
    """
    stem = Path(runs[0].path).stem
    if len(runs) == 1:
        return f"{script.name}_{stem}"
    return f"{script.name}_{len(runs)}-logs_{stem.rsplit('_', 1)[-1]}"


def scored_samples(run: Run, scorer: str) -> int:
    """Return how many sample attempts of a run carry a number (not an unscored NaN) from a scorer.

    Args:
        run: The run.
        scorer: The scorer's name (``personalization_critic``).

    Returns:
        Rows of ``run.samples`` with a finite value in a ``score_<scorer>`` column.
    """
    name = f"{SCORE_PREFIX}{scorer}"
    columns = [column for column in run.samples.columns if column == name or str(column).startswith(f"{name}.")]
    if not columns:
        return 0
    values = run.samples[columns].apply(pd.to_numeric, errors="coerce")
    return int(values.notna().any(axis=1).sum())


def _nothing_to_draw(script: Script, runs: Sequence[Run]) -> str | None:
    """Return why nothing can be drawn (one line), or ``None``."""
    for run in runs:
        c = run.completeness
        if c.scored == 0:
            return f"log {run.name} has no scored samples (status {c.status}, {c.planned} planned)"
        if scored_samples(run, script.scorer) == 0:
            return (
                f"log {run.name} has no scored samples: all {c.scored} recorded sample attempts are unscored "
                f"by {script.scorer} (status {c.status})"
            )
    return None


def main(script: Script, argv: Sequence[str] | None = None) -> int:
    """Run a script: find and load logs, draw, write PNG and CSV, report.

    Args:
        script: The script.
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code (see the module docstring).
    """
    args = parse_args(script, argv)
    prefix = f"{script.name}.py"
    try:
        runs = load_runs(find_logs(script.tasks, args.log or (), args.log_dir, script.distinct), script.tasks)
    except LogAnalysisError as error:
        print(f"{prefix}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    problem = _nothing_to_draw(script, runs)
    if problem is not None:
        print(f"{prefix}: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    style()
    plot = script.draw(runs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = output_stem(script, runs)
    png, csv = out / f"{stem}.png", out / f"{stem}.csv"
    plot.figure.savefig(png, dpi=120, bbox_inches="tight")
    plt.close(plot.figure)
    plot.data.to_csv(csv, index=False)
    print(f"wrote {png}")
    print(f"wrote {csv}")
    incomplete = [run for run in runs if not run.completeness.complete]
    for run in incomplete:
        print(f"{prefix}: warning: {run.completeness.describe(run.name)}; plotted what is there", file=sys.stderr)
    return EXIT_INCOMPLETE if incomplete else EXIT_OK
