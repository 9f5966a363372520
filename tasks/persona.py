"""PERSONA tasks as a task file: ``inspect eval tasks/persona.py@<task>``.

Thin wrappers over the registered ``pluralbench/<task>`` tasks; parameters are documented on
the functions in ``pluralbench.tasks.persona``.
"""

from typing import Any

from inspect_ai import Task, task

from pluralbench.tasks import persona as tasks


@task
def persona(**task_args: Any) -> Task:
    """PERSONA main evaluation (see ``pluralbench.tasks.persona.persona``).

    Args:
        **task_args: Task parameters (``-T key=value``).
    """
    return tasks.persona(**task_args)


@task
def persona_loo(**task_args: Any) -> Task:
    """Leave-one-out attribute importance (see ``pluralbench.tasks.persona.persona_loo``).

    Args:
        **task_args: Task parameters (``-T key=value``).
    """
    return tasks.persona_loo(**task_args)


@task
def persona_intersectionality(**task_args: Any) -> Task:
    """Per-group scores and disparity (see ``pluralbench.tasks.persona.persona_intersectionality``).

    Args:
        **task_args: Task parameters (``-T key=value``).
    """
    return tasks.persona_intersectionality(**task_args)


@task
def persona_pass_at_k(**task_args: Any) -> Task:
    """pass@k over independent attempts (see ``pluralbench.tasks.persona.persona_pass_at_k``).

    Args:
        **task_args: Task parameters (``-T key=value``).
    """
    return tasks.persona_pass_at_k(**task_args)
