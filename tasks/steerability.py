"""Steerability task as a task file: ``inspect eval tasks/steerability.py@steerability``.

A thin wrapper over the registered ``pluralbench/steerability`` task; its parameters are
documented on ``pluralbench.tasks.steerability.steerability``.
"""

from typing import Any

from inspect_ai import Task, task

from pluralbench.tasks import steerability as tasks


@task
def steerability(**task_args: Any) -> Task:
    """Few-shot steering to framework personas (see ``pluralbench.tasks.steerability.steerability``).

    Args:
        **task_args: Task parameters (``-T key=value``).
    """
    return tasks.steerability(**task_args)
