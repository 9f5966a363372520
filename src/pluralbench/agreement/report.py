"""Agreement results as tables, a CSV and a PNG.

The CSV has one row per comparison (each pair of raters, then all raters when more than two):
``agreement`` and ``kappa`` with ``_ci_low``, ``_ci_high`` and ``_n`` (compared units), the
method (``cohen`` or ``fleiss``), the units left out (``absent``, ``unscored``,
``material_differs``, see :mod:`.compare`) and, for pairs, the confusion counts
``confusion:<first rater's label>/<second rater's label>``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pluralbench._metrics import with_interval  # noqa: E402

from .compare import Comparison  # noqa: E402
from .labels import Rater  # noqa: E402

MAX_CONFUSION_PANELS = 4
CONFUSION_PREFIX = "confusion:"


def comparison_frame(results: Sequence[Comparison]) -> pd.DataFrame:
    """Return one row per comparison (see the module docstring).

    Args:
        results: The comparisons.

    Returns:
        The frame.
    """
    rows = []
    for comparison in results:
        cover = comparison.coverage
        result = comparison.result
        nan = (math.nan, math.nan, math.nan)
        agreement, kappa = (result.agreement, result.kappa) if result else (nan, nan)
        row: dict[str, object] = {
            "comparison": comparison.name,
            "raters": "; ".join(comparison.raters),
            "method": result.method if result else ("cohen" if len(comparison.raters) == 2 else "fleiss"),
            **with_interval("agreement", agreement[0], agreement[1:], len(cover.compared)),
            **with_interval("kappa", kappa[0], kappa[1:], len(cover.compared)),
            "units": cover.total,
            "absent": cover.absent,
            "unscored": cover.unscored,
            "material_differs": cover.material_differs,
        }
        for (first, second), count in (result.confusion if result else {}).items():
            row[f"{CONFUSION_PREFIX}{first}/{second}"] = count
        rows.append(row)
    return pd.DataFrame(rows)


def rater_frame(raters: Sequence[Rater]) -> pd.DataFrame:
    """Return one row per rater: where its labels came from and how many units it labelled.

    Args:
        raters: The raters.

    Returns:
        Columns ``rater``, ``source``, ``field``, ``units``, ``labelled``, ``unscored``.
    """
    rows = []
    for rater in raters:
        labelled = sum(1 for label in rater.units.values() if label.label is not None)
        rows.append(
            [rater.name, rater.source, rater.label_field, len(rater.units), labelled, len(rater.units) - labelled]
        )
    return pd.DataFrame(rows, columns=["rater", "source", "field", "units", "labelled", "unscored"])


def _short_names(results: Sequence[Comparison]) -> dict[str, str]:
    """Return ``R1``, ``R2``, ... for the raters, in order of first appearance."""
    names: dict[str, str] = {}
    for comparison in results:
        for rater in comparison.raters:
            names.setdefault(rater, f"R{len(names) + 1}")
    return names


def _interval_panel(ax: Axes, frame: pd.DataFrame, short: dict[str, str]) -> None:
    y = np.arange(len(frame))
    for offset, name, colour in ((-0.15, "kappa", "tab:blue"), (0.15, "agreement", "tab:grey")):
        estimate, low, high = frame[name], frame[f"{name}_ci_low"], frame[f"{name}_ci_high"]
        below = np.nan_to_num(np.maximum(estimate - low, 0.0))
        above = np.nan_to_num(np.maximum(high - estimate, 0.0))
        label = "kappa (Cohen for pairs, Fleiss for all)" if name == "kappa" else "percent agreement (share)"
        ax.errorbar(estimate, y + offset, xerr=[below, above], fmt="o", capsize=4, color=colour, label=label)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ticks = [
        (" vs ".join(short[r] for r in raters.split("; ")) if len(raters.split("; ")) == 2 else comparison)
        + f"\n(n={int(n)})"
        for comparison, raters, n in zip(frame["comparison"], frame["raters"], frame["kappa_n"], strict=True)
    ]
    ax.set_yticks(y, ticks)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("estimate (point) with 95% bootstrap interval over units (line)")
    ax.legend(fontsize=8, loc="best")


def _confusion_panel(ax: Axes, comparison: Comparison, short: dict[str, str]) -> None:
    assert comparison.result is not None
    labels = sorted({label for pair in comparison.result.confusion for label in pair})
    counts = np.array([[comparison.result.confusion.get((a, b), 0) for b in labels] for a in labels])
    ax.imshow(counts, cmap="Blues")
    for i in range(len(labels)):
        for j in range(len(labels)):
            colour = "white" if counts[i, j] > counts.max() / 2 else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=colour)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylabel(f"{short[comparison.raters[0]]} says", fontsize=9)
    ax.set_xlabel(f"{short[comparison.raters[1]]} says", fontsize=9)
    ax.grid(False)


def figure(results: Sequence[Comparison], field: str, left_out: int) -> Figure:
    """Draw kappa and agreement per comparison, and the confusion counts of the first pairs.

    Raters are named ``R1``, ``R2``, ... in the panels, with their full names under the figure.

    Args:
        results: The comparisons.
        field: The label field compared.
        left_out: Units left out of the comparison of all raters (shown in the title).

    Returns:
        The figure.
    """
    frame = comparison_frame(results)
    short = _short_names(results)
    pairs = [c for c in results if len(c.raters) == 2 and c.result is not None][:MAX_CONFUSION_PANELS]
    fig, axes = plt.subplots(
        1, 1 + len(pairs), figsize=(6.5 + 3.2 * len(pairs), max(3.6, 1.8 + 0.9 * len(frame))), squeeze=False
    )
    _interval_panel(axes[0][0], frame, short)
    for ax, comparison in zip(axes[0][1:], pairs, strict=True):
        _confusion_panel(ax, comparison, short)
        ax.set_title(f"{short[comparison.raters[0]]} vs {short[comparison.raters[1]]}: units by {field}", fontsize=9)
    legend = "\n".join(textwrap.shorten(f"{code} = {name}", 110) for name, code in short.items())
    fig.suptitle(
        f"Agreement on {field}" + (f" ({left_out} unit(s) left out: see CSV)" if left_out else ""), fontsize=11
    )
    fig.text(0.01, -0.06, legend, fontsize=8, va="top", ha="left")
    fig.tight_layout()
    return fig


def write(results: Sequence[Comparison], raters: Sequence[Rater], out: Path, stem: str) -> tuple[Path, Path, Path]:
    """Write the comparisons' CSV, the raters' CSV and the PNG.

    Args:
        results: The comparisons.
        raters: The raters.
        out: Output directory (created when missing).
        stem: File name stem.

    Returns:
        The CSV, raters CSV and PNG paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    csv, raters_csv, png = out / f"{stem}.csv", out / f"{stem}_raters.csv", out / f"{stem}.png"
    comparison_frame(results).to_csv(csv, index=False)
    rater_frame(raters).to_csv(raters_csv, index=False)
    fig = figure(results, raters[0].label_field, results[-1].coverage.left_out)
    fig.savefig(png, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return csv, raters_csv, png
