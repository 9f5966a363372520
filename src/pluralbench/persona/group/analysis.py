"""``persona_group`` runs as a frame: the group answer's satisfaction, the individual answers', the price."""

from __future__ import annotations

import pandas as pd

from pluralbench._metrics import COUNT, interval_names, mean_with_interval
from pluralbench.analysis._runs import Run
from pluralbench.analysis._scores import run_seed, score_column, score_values, source_label
from pluralbench.persona.group.metrics import CELL_SEPARATOR, GROUP_SCORER, group_outcome_names

GROUP_COLUMNS = ["measure", "answer", "cell", "estimate", "low", "high", "n", "source"]
"""Columns of :func:`persona_group_frame`."""


def persona_group_frame(run: Run) -> pd.DataFrame:
    """Return the scores of a ``persona_group`` run: the group answer's, the individual answers', the price.

    Args:
        run: A ``persona_group`` run.

    Returns:
        Columns ``measure`` (``satisfaction``, ``worst_off``, ``all_served``), ``answer`` (``group``;
        with ``compare_individual`` also ``individual`` and ``price``, individual minus group, paired
        over groups), ``cell`` (``all``, or a group of the ``groups`` file, members of that group only),
        ``estimate``, ``low``, ``high`` (95% bootstrap), ``n`` (groups; members for cells), ``source``.
        From the log's metrics when present, else recomputed from the samples with the task's seed
        (cells need the log's metrics: they are computed from the members' verdicts in the scores).
    """
    names = group_outcome_names()
    metrics = run.metric_values(GROUP_SCORER) if GROUP_SCORER in set(run.metrics.get("score", [])) else {}
    from_log = bool(metrics)
    if not from_log:
        seed = run_seed(run)
        for name in set(names.values()):
            values = score_values(run.samples, score_column(run.samples, GROUP_SCORER, name))
            if values:
                metrics.update(mean_with_interval(name, values, seed))
    rows = [
        [measure, answer, "all", *(metrics[key] for key in interval_names(name))]
        for (measure, answer), name in names.items()
        if f"{name}{COUNT}" in metrics
    ]
    cells = sorted(
        key.split(CELL_SEPARATOR, 1)[1].removesuffix(COUNT)
        for key in metrics
        if key.startswith(f"satisfaction{CELL_SEPARATOR}") and key.endswith(COUNT)
    )
    for cell in cells:
        for answer, prefix in (
            ("group", "satisfaction"),
            ("individual", "individual_satisfaction"),
            ("price", "price"),
        ):
            name = f"{prefix}{CELL_SEPARATOR}{cell}"
            if f"{name}{COUNT}" in metrics:
                rows.append(["satisfaction", answer, cell, *(metrics[key] for key in interval_names(name))])
    return pd.DataFrame([[*row, source_label(from_log)] for row in rows], columns=GROUP_COLUMNS)
