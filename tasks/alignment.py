"""Alignment-target task as a task file: ``inspect eval tasks/alignment.py@alignment_targets``.

Thin wrapper over the registered ``pluralbench/alignment_targets`` task; parameters are
documented on ``pluralbench.tasks.alignment.alignment_targets``.
"""

from typing import Any

from inspect_ai import Task, task

from pluralbench.tasks import alignment as tasks


@task
def alignment_targets(**task_args: Any) -> Task:
    """Steerable pluralism: choose the response nearest an attribute target (see the package task).

    Args:
        **task_args: Task parameters (``-T key=value``), documented on the package task.
    """
    return tasks.alignment_targets(**task_args)
