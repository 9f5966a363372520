"""End-of-task warnings: a scorer that scored nothing, and metrics that could not be computed.

inspect recomputes a task's metrics while it runs (for the progress display), so a metric that
warned would warn about partial results, once a second. The suite's metrics instead log what they
could not compute as a number (a *diagnostic*, such as ``balanced_accuracy_one_label``: how many
steered personas were left out and why), registered here with :func:`register_diagnostic`. One
inspect hook (``on_task_end``, which runs once the log is written) turns each non-zero diagnostic
into one warning line, and warns when a scorer scored no sample at all, naming the unscored
reasons counted from the samples. It looks only at pluralbench tasks.

The hook is registered by :func:`ensure_registered`, which the suite's metrics call when they
first compute (always before a task ends, also when nothing was scored). Registered then rather
than at import, it is not in inspect's start-up list of hooks, so inspect prints no "hooks
enabled" banner before every eval (which it would also print for other suites' tasks, since the
package's entry point is loaded for every ``inspect eval``).
"""

from __future__ import annotations

import logging
import math
from collections import Counter

from inspect_ai.hooks import Hooks, TaskEnd, hooks
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries
from inspect_ai.scorer import Score

logger = logging.getLogger(__name__)

TASK_PREFIX = "pluralbench/"
NO_REASON = "no reason given"

DIAGNOSTICS: dict[str, str] = {}
"""Diagnostic metric name -> warning text, with ``{count}`` for the logged value."""


def register_diagnostic(name: str, message: str) -> str:
    """Register a metric name whose positive value means part of an estimate could not be computed.

    Args:
        name: The metric's name in the log.
        message: One line saying what is missing, with ``{count}`` for the logged value.

    Returns:
        ``name``, for use as a constant.
    """
    DIAGNOSTICS[name] = message
    return name


def _unscored(score: Score | None) -> bool:
    return score is not None and isinstance(score.value, float) and math.isnan(score.value)


def unscored_reasons(log: EvalLog, scorer: str) -> Counter[str]:
    """Count the unscored samples of one scorer by reason, from the log's samples.

    Args:
        log: The finished log (its samples are read from its file when it holds none).
        scorer: The scorer's name.

    Returns:
        Reason -> unscored sample attempts.
    """
    if log.samples is not None:
        scores = [sample.scores.get(scorer) for sample in log.samples if sample.scores]
    else:
        summaries = read_eval_log_sample_summaries(log.location) if log.location else []
        scores = [summary.scores.get(scorer) for summary in summaries if summary.scores]
    return Counter(str(score.reason or NO_REASON) for score in scores if score is not None and _unscored(score))


def task_end_warnings(log: EvalLog) -> list[str]:
    """Return the warning lines a finished pluralbench log calls for (none for other tasks).

    Args:
        log: The finished log.

    Returns:
        One line per scorer that scored no sample and per non-zero diagnostic metric.
    """
    task = log.eval.task_registry_name or log.eval.task
    if not task.startswith(TASK_PREFIX) or log.results is None:
        return []
    lines: list[str] = []
    seen: set[str] = set()
    for score in log.results.scores:
        if score.scorer in seen:
            continue
        seen.add(score.scorer)
        if score.scored_samples == 0 and score.unscored_samples:
            reasons = unscored_reasons(log, score.scorer)
            counted = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
            lines.append(
                f"{task}: every sample is unscored by {score.scorer} ({counted or 'reasons not recorded'}); "
                "its metrics are NaN"
            )
        for name, value in score.metrics.items():
            if name in DIAGNOSTICS and value.value > 0:
                lines.append(f"{task}: " + DIAGNOSTICS[name].format(count=int(value.value)))
    return lines


class TaskEndWarnings(Hooks):
    """Logs :func:`task_end_warnings` at the end of every pluralbench task."""

    async def on_task_end(self, data: TaskEnd) -> None:
        """Log the warnings of a finished task.

        Args:
            data: The task end event (its log).
        """
        for line in task_end_warnings(data.log):
            logger.warning(line)


_registered = False


def ensure_registered() -> None:
    """Register :class:`TaskEndWarnings` with inspect, once per process."""
    global _registered
    if not _registered:
        hooks(name="task_end_warnings", description="pluralbench end-of-task warnings")(TaskEndWarnings)
        _registered = True
