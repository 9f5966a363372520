"""Python API: run a pluralbench evaluation from Python, for one model or a resumable sweep.

A thin layer over ``inspect_ai.eval`` and ``inspect_ai.eval_set``: it picks the task for an
``evaluation_type``, sets the evaluated model on it, binds the ``critic`` and ``judge`` model
roles, and passes everything else to inspect unchanged. No environment variable is read or written here; API keys are read by
inspect's model providers when a model is first used, so importing this module needs none.

Example:
    >>> from pluralbench import evaluate_model
    >>> log = evaluate_model("openai/gpt-4o", "loo", critic="anthropic/claude-sonnet-4-0", n=20)
    >>> log.results.scores[0].metrics
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, get_args

from inspect_ai import Task, eval, eval_set, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import Model

EvaluationType = Literal["main", "loo", "intersectionality", "pass_at_k", "steerability", "alignment_targets"]
"""The evaluations, named as in the PERSONA package's ``evaluate_model`` plus our two task families."""

EVALUATION_TYPES: tuple[str, ...] = get_args(EvaluationType)

TASKS: dict[str, tuple[str, str]] = {
    "main": ("pluralbench.persona.tasks", "persona"),
    "loo": ("pluralbench.persona.tasks", "persona_loo"),
    "intersectionality": ("pluralbench.persona.tasks", "persona_intersectionality"),
    "pass_at_k": ("pluralbench.persona.tasks", "persona_pass_at_k"),
    "steerability": ("pluralbench.steerability.tasks", "steerability"),
    "alignment_targets": ("pluralbench.alignment.tasks", "alignment_targets"),
}
"""evaluation_type -> (module, task function); imported only when that evaluation runs."""

RESERVED_EVAL_OPTIONS = frozenset({"tasks", "model", "model_roles", "task_args", "limit", "log_dir"})
"""inspect options this API sets itself; passing them in ``eval_options`` is an error."""

ModelSpec = str | Model


def task_function(evaluation_type: str) -> Callable[..., Task]:
    """Return the ``@task`` function of an evaluation type, importing its module on demand.

    Args:
        evaluation_type: One of :data:`EVALUATION_TYPES`.

    Returns:
        The registered task function (e.g. ``pluralbench.persona.tasks.persona_loo``).

    Raises:
        ValueError: For an unknown evaluation type, listing the valid ones.
    """
    if evaluation_type not in TASKS:
        raise ValueError(
            f"evaluation_type={evaluation_type!r} is not known; valid types: {', '.join(EVALUATION_TYPES)}"
        )
    module_name, function_name = TASKS[evaluation_type]
    function: Callable[..., Task] = getattr(importlib.import_module(module_name), function_name)
    return function


def resolve_task_args(
    evaluation_type: str, seed: int | None, task_args: Mapping[str, Any]
) -> tuple[Callable[..., Task], dict[str, Any]]:
    """Return the task function and its arguments, checked against the task's parameters.

    Args:
        evaluation_type: One of :data:`EVALUATION_TYPES`.
        seed: The task's ``seed`` parameter, when given.
        task_args: Other task parameters.

    Returns:
        The task function and the arguments to call it with.

    Raises:
        ValueError: On an unknown evaluation type, an unknown task parameter, or a seed given
            both as ``seed`` and in ``task_args``.
    """
    function = task_function(evaluation_type)
    args = dict(task_args)
    if seed is not None:
        if "seed" in args:
            raise ValueError("seed given twice: pass it either as seed= or inside the task arguments")
        args["seed"] = seed
    parameters = inspect.signature(function).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        unknown = sorted(set(args) - set(parameters))
        if unknown:
            raise ValueError(
                f"evaluation_type={evaluation_type!r} (task {function.__name__}) has no parameter(s) "
                f"{', '.join(unknown)}; its parameters: {', '.join(parameters)}"
            )
    return function, args


def model_roles_of(critic: ModelSpec | None, judge: ModelSpec | None) -> dict[str, ModelSpec] | None:
    """Return the model roles to bind, leaving unset roles unbound.

    An unbound role falls back to the evaluated model, and the scorers record that
    (``self_graded: true`` in the score metadata).

    Args:
        critic: Model for the ``critic`` role, as a model name or a ``Model``.
        judge: Model for the ``judge`` role, as a model name or a ``Model``.

    Returns:
        The roles, or ``None`` when neither is set.
    """
    roles = {name: model for name, model in (("critic", critic), ("judge", judge)) if model is not None}
    return roles or None


def _eval_options(eval_options: Mapping[str, Any] | None) -> dict[str, Any]:
    options = dict(eval_options or {})
    clashes = sorted(RESERVED_EVAL_OPTIONS & set(options))
    if clashes:
        raise ValueError(f"eval_options may not set {', '.join(clashes)}: they are parameters of this function")
    return options


def build_task(
    evaluation_type: str, model: ModelSpec, seed: int | None = None, task_args: Mapping[str, Any] | None = None
) -> Task:
    """Create the task of an evaluation type for one evaluated model.

    The model is set on the task itself: a task's own model takes precedence over the one
    given to ``inspect_ai.eval``, and our tasks carry the offline default model.

    Args:
        evaluation_type: One of :data:`EVALUATION_TYPES`.
        model: The evaluated model.
        seed: The task's ``seed`` parameter, when given.
        task_args: Other task parameters.

    Returns:
        The task, with its arguments recorded for the log.

    Raises:
        ValueError: As :func:`resolve_task_args`; the task's own errors for bad option values.
    """
    function, args = resolve_task_args(evaluation_type, seed, task_args or {})
    return task_with(function(**args), model=model)


def evaluate_model(
    model: ModelSpec,
    evaluation_type: EvaluationType = "main",
    *,
    critic: ModelSpec | None = None,
    judge: ModelSpec | None = None,
    limit: int | None = None,
    seed: int | None = None,
    log_dir: str = "logs",
    eval_options: Mapping[str, Any] | None = None,
    **task_args: Any,
) -> EvalLog:
    """Run one pluralbench evaluation on one model and return its inspect log.

    Equivalent to ``inspect eval pluralbench/<task> --model MODEL --model-role critic=CRITIC
    --model-role judge=JUDGE --limit LIMIT --log-dir LOG_DIR -T seed=SEED -T key=value ...``.

    Args:
        model: The evaluated model: an inspect model name (``openai/gpt-4o``) or a ``Model``.
        evaluation_type: ``main`` (task ``persona``), ``loo`` (``persona_loo``),
            ``intersectionality`` (``persona_intersectionality``), ``pass_at_k``
            (``persona_pass_at_k``), ``steerability`` or ``alignment_targets``.
        critic: Model bound to the ``critic`` role (name or ``Model``); unset, the evaluated
            model grades itself and the scores say so.
        judge: Model bound to the ``judge`` role (debate verdicts, persona identification).
        limit: Run only the first ``limit`` samples.
        seed: The task's data seed (pairing, splits, distractors), passed as ``-T seed``. It is
            not a sampling seed for the model; set that with ``eval_options={"seed": ...}``.
        log_dir: Directory of the log file.
        eval_options: Further ``inspect_ai.eval`` options, e.g. ``{"max_connections": 10,
            "display": "none", "retry_on_error": 3}``; not those set by the parameters above.
        **task_args: Task parameters (the ``-T`` options), e.g. ``n=50``, ``mode="chain_of_thought"``.

    Returns:
        The evaluation log; check ``log.status`` (``success``, ``error`` or ``cancelled``).
        An interrupted run resumes with ``inspect_ai.eval_retry(log)`` or ``inspect eval-retry``.

    Raises:
        ValueError: On an unknown evaluation type or task parameter, a seed given twice, or a
            reserved option in ``eval_options``. Bad task option values raise the task's own
            error before any model call.
    """
    options = _eval_options(eval_options)
    task = build_task(evaluation_type, model, seed, task_args)
    logs = eval(
        task,
        model=model,
        model_roles=model_roles_of(critic, judge),
        limit=limit,
        log_dir=log_dir,
        **options,
    )
    return logs[0]


def evaluate_models(
    models: Sequence[ModelSpec],
    evaluation_type: EvaluationType = "main",
    *,
    log_dir: str,
    critic: ModelSpec | None = None,
    judge: ModelSpec | None = None,
    limit: int | None = None,
    seed: int | None = None,
    eval_options: Mapping[str, Any] | None = None,
    **task_args: Any,
) -> tuple[bool, list[EvalLog]]:
    """Run one pluralbench evaluation on several models as an inspect eval set.

    Rerunning the same call with the same ``log_dir`` resumes the sweep: finished models are
    skipped and unfinished ones are retried (``inspect_ai.eval_set`` semantics).

    Args:
        models: The evaluated models (names or ``Model`` objects, with distinct names).
        evaluation_type: See :func:`evaluate_model`.
        log_dir: A directory for this sweep only; inspect refuses one that holds logs of other runs.
        critic: Model bound to the ``critic`` role for every evaluated model.
        judge: Model bound to the ``judge`` role for every evaluated model.
        limit: Run only the first ``limit`` samples of each evaluation.
        seed: The task's data seed (see :func:`evaluate_model`); one seed for all models, so
            every model sees the same samples.
        eval_options: Further ``inspect_ai.eval_set`` options, e.g. ``{"retry_attempts": 5}``.
        **task_args: Task parameters (the ``-T`` options).

    Returns:
        Whether every evaluation finished successfully, and the logs: one per model, in the order
        of ``models`` (also on resume), so ``zip(models, logs)`` pairs them.

    Raises:
        ValueError: On an empty model list, two models of the same name, or as
            :func:`evaluate_model` does.
    """
    if not models:
        raise ValueError("models is empty: give at least one model to evaluate")
    options = _eval_options(eval_options)
    tasks = [build_task(evaluation_type, model, seed, task_args) for model in models]
    names = [str(task.model) for task in tasks]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(
            f"models must have distinct names, so each log can be told apart: {', '.join(repeated)} repeated"
        )
    success, logs = eval_set(
        tasks,
        log_dir=log_dir,
        model_roles=model_roles_of(critic, judge),
        limit=limit,
        **options,
    )
    return success, in_model_order(names, logs)


def in_model_order(names: Sequence[str], logs: Sequence[EvalLog]) -> list[EvalLog]:
    """Return the logs of an eval set in the order of the models given.

    ``inspect_ai.eval_set`` returns its logs in the order it found them, which after a resume is
    not the order of the tasks; ``zip(models, logs)`` must still pair each model with its own log.

    Args:
        names: The evaluated models' names (``provider/model``), distinct, in the order given.
        logs: The eval set's logs, one per model, in any order.

    Returns:
        The logs, ``logs[i]`` being the log of ``names[i]``.

    Raises:
        RuntimeError: When the logs are not exactly one per model.
    """
    by_model = {log.eval.model: log for log in logs}
    if sorted(by_model) != sorted(names) or len(logs) != len(names):
        raise RuntimeError(
            f"eval_set returned logs of {sorted(log.eval.model for log in logs)}, expected one each of {sorted(names)}"
        )
    return [by_model[name] for name in names]
