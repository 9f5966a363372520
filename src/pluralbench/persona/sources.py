"""Resolving the PERSONA tasks' ``personas`` and ``questions`` options into pools, with provenance.

``personas``: a persona file (ours or persona-bench's layout), ``synthetic-personas[:train|test]``
(persona-bench's personas on the hub), or the bundled personas. ``questions``: a question file,
``prism`` (PRISM's guided opening prompts), ``prism-filter`` (persona-bench's prompts), or the
bundled questions; ``contested_only`` keeps the questions a model judges contested. What was
loaded, and what the question premises exclude, is returned for the task metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from inspect_ai.model import Model, get_model

from pluralbench._errors import InputError
from pluralbench.model import default_task_model
from pluralbench.personas import Persona

from .data import Question, load_persona_option, load_questions, premise_exclusions
from .prism import (
    PRISM_DATASET,
    PRISM_FILTER_DATASET,
    PRISM_FILTER_REVISION,
    PrismSelection,
    filter_contested_now,
    load_prism_filter_questions,
    load_prism_questions,
)

logger = logging.getLogger(__name__)

PRISM_OPTION = "prism"
PRISM_FILTER_OPTION = "prism-filter"
NO_MODEL = "none/none"


def contested_judge() -> Callable[[], Model]:
    """Return a factory of the model that judges ``contested_only``: the model active when inspect loads the task.

    That is the evaluated model (``--model``), or the offline default when none is given. The
    name is resolved here, in the loader's context; the factory makes a fresh, unmemoized
    instance, because the filter runs on its own event loop in another thread.

    Returns:
        The factory of the judge.

    Raises:
        InputError: When no model is active (a task built in Python outside an eval).
    """
    name = default_task_model() or str(get_model())
    if name == NO_MODEL:
        raise InputError("option contested_only=true: no model is active to judge the questions; give --model")
    return lambda: get_model(name, memoize=False)


def load_question_pool(option: str | None, contested_only: bool) -> tuple[list[Question], dict[str, Any]]:
    """Load the ``questions`` option, optionally keeping only the contested questions.

    Args:
        option: A question file, ``prism``, ``prism-filter``, or ``None`` for the bundled questions.
        contested_only: Keep only the questions :func:`contested_judge` judges contested
            (:func:`pluralbench.persona.prism.filter_contested`); the exclusions are counted.

    Returns:
        The questions, and their source for the task metadata.
    """
    source: dict[str, Any]
    if option == PRISM_OPTION:
        selection = load_prism_questions()
        source = {"dataset": PRISM_DATASET}
    elif option == PRISM_FILTER_OPTION:
        selection = load_prism_filter_questions()
        source = {"dataset": PRISM_FILTER_DATASET, "split": "train", "revision": PRISM_FILTER_REVISION}
    else:
        selection = PrismSelection(questions=load_questions(option))
        source = {"file": str(option or "questions.jsonl")}
    if contested_only:
        selection = filter_contested_now(selection, contested_judge())
        source["contested_only"] = True
    source.update(rows_kept=len(selection.questions), excluded=dict(selection.excluded))
    if selection.excluded:
        logger.warning(f"questions: kept {len(selection.questions)}; excluded {dict(selection.excluded)}")
    if not selection.questions:
        raise InputError(f"option questions={option!r}: no question is left ({dict(selection.excluded)})")
    return selection.questions, source


def load_pools(
    personas: str | None, questions: str | None, contested_only: bool
) -> tuple[list[Persona], list[Question], dict[str, Any]]:
    """Load both pools and describe them for the task metadata.

    Args:
        personas: The ``personas`` option.
        questions: The ``questions`` option.
        contested_only: The ``contested_only`` option.

    Returns:
        Personas, questions, and metadata: ``persona_source``, ``question_source`` and
        ``premises`` (pairs the question premises exclude, see
        :func:`pluralbench.persona.data.premise_exclusions`).
    """
    pool, persona_source = load_persona_option(personas)
    asked, question_source = load_question_pool(questions, contested_only)
    premises = premise_exclusions(pool, asked)
    if premises["pairs_excluded"]:
        logger.info(
            f"question premises exclude {premises['pairs_excluded']} of {premises['pairs_total']} persona-question pairs"
        )
    return pool, asked, {"persona_source": persona_source, "question_source": question_source, "premises": premises}
