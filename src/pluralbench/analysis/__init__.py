"""Reading inspect logs into tidy frames, and each task family's analysis of them.

Generic log reading lives in :mod:`pluralbench.analysis._logs` (finding and reading logs),
:mod:`~pluralbench.analysis._runs` (runs as frames) and :mod:`~pluralbench.analysis._scores` (score
numbers from log metrics or samples); each family keeps its own
analysis in ``pluralbench.<family>.analysis`` (which imports the generic part). The family
names are re-exported here lazily, so importing a family's analysis never imports this package's
re-exports of the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from pluralbench.analysis._logs import (
    SKIPPED_SAMPLE_FIELDS,
    LogAnalysisError,
    NoMatchingLogError,
    UnreadableLogError,
    WrongTaskError,
    default_log_dir,
    find_logs,
    short_task_name,
)
from pluralbench.analysis._runs import (
    BASE_COLUMNS,
    GROUP_PREFIX,
    SCORE_PREFIX,
    Completeness,
    Run,
    completeness,
    load_run,
    load_runs,
    metrics_frame,
    run_labels,
    samples_frame,
)
from pluralbench.analysis._scores import (
    FROM_LOG,
    FROM_SAMPLES,
    mean_stats,
    run_seed,
    score_column,
    score_summary,
    score_values,
    source_label,
)

FAMILY_NAMES: dict[str, str] = {
    "CRITIC": "pluralbench.persona.analysis",
    "IDENTIFICATION": "pluralbench.persona.analysis",
    "loo_frame": "pluralbench.persona.analysis",
    "GroupResults": "pluralbench.persona.analysis",
    "group_results": "pluralbench.persona.analysis",
    "GroupGrid": "pluralbench.persona.analysis",
    "group_grid": "pluralbench.persona.analysis",
    "pass_at_k_frame": "pluralbench.persona.analysis",
    "mode_frame": "pluralbench.persona.analysis",
    "PREFERENCE": "pluralbench.persona.preferences.analysis",
    "preference_frame": "pluralbench.persona.preferences.analysis",
    "GROUP_SCORER": "pluralbench.persona.group.analysis",
    "persona_group_frame": "pluralbench.persona.group.analysis",
    "STEERABILITY": "pluralbench.steerability.analysis",
    "ALL_FRAMEWORKS": "pluralbench.steerability.analysis",
    "steerability_cells": "pluralbench.steerability.analysis",
    "steerability_frameworks": "pluralbench.steerability.analysis",
    "steerability_scores": "pluralbench.steerability.analysis",
    "ALIGNMENT": "pluralbench.alignment.analysis",
    "alignment_by_size": "pluralbench.alignment.analysis",
    "alignment_summary": "pluralbench.alignment.analysis",
}
"""Names re-exported from the families' analysis modules, with the module that defines each."""


def __getattr__(name: str) -> Any:
    """Return a family's analysis name on first use.

    Args:
        name: The attribute asked for.

    Returns:
        The object from the family module that defines it.

    Raises:
        AttributeError: For an unknown name.
    """
    if name in FAMILY_NAMES:
        return getattr(import_module(FAMILY_NAMES[name]), name)
    raise AttributeError(f"module 'pluralbench.analysis' has no attribute {name!r}")


__all__ = [
    "BASE_COLUMNS",
    "Completeness",
    "FROM_LOG",
    "FROM_SAMPLES",
    "GROUP_PREFIX",
    "LogAnalysisError",
    "NoMatchingLogError",
    "Run",
    "SCORE_PREFIX",
    "SKIPPED_SAMPLE_FIELDS",
    "UnreadableLogError",
    "WrongTaskError",
    "completeness",
    "default_log_dir",
    "find_logs",
    "load_run",
    "load_runs",
    "mean_stats",
    "metrics_frame",
    "run_labels",
    "run_seed",
    "samples_frame",
    "score_column",
    "score_summary",
    "score_values",
    "short_task_name",
    "source_label",
    "ALIGNMENT",
    "ALL_FRAMEWORKS",
    "CRITIC",
    "GroupGrid",
    "GroupResults",
    "IDENTIFICATION",
    "STEERABILITY",
    "alignment_by_size",
    "alignment_summary",
    "group_grid",
    "group_results",
    "loo_frame",
    "mode_frame",
    "pass_at_k_frame",
    "PREFERENCE",
    "preference_frame",
    "GROUP_SCORER",
    "persona_group_frame",
    "steerability_cells",
    "steerability_frameworks",
    "steerability_scores",
]
