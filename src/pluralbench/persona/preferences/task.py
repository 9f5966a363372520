"""The ``persona_preference`` task: can the model tell which of two answers a particular person would prefer?

After the preference data of PERSONA (Castricato et al. 2024, arXiv 2407.17387): the evaluated
model sees a persona, the question they asked and two answers (one written for them, one for a
contrasting persona or for nobody in particular), and names the one this person would prefer.
Every pair is asked in both answer orders, so a position bias shows as low order consistency
instead of inflating accuracy. ``mode=baseline`` hides the persona: the gap between the two modes
is how much of the accuracy the persona explains.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from inspect_ai import Task, task

from pluralbench._errors import InputError
from pluralbench._metrics import with_metrics
from pluralbench._options import SEED, Option, validate_options
from pluralbench._presets import apply_preset
from pluralbench._structured import StructuredMode
from pluralbench.model import default_task_model
from pluralbench.persona.data import load_personas, load_questions
from pluralbench.persona.presets import PREFERENCE_PRESETS
from pluralbench.persona.tasks import TASK_VERSION

from .dataset import ALL, preference_dataset, select_pairs
from .records import BUNDLED_PREFERENCES, load_preference_pairs
from .scorer import preference_accuracy, preference_metrics
from .solver import PreferenceMode, preference_choice

logger = logging.getLogger(__name__)

OPTIONS = {
    "data": Option(allowed="a preference JSONL file path"),
    "n": Option(ge=1, allowed="a number of pairs >= 1 or 'all'"),
    "seed": SEED,
    "personas": Option(allowed="a persona JSONL file path"),
    "questions": Option(allowed="a question JSONL file path"),
}
"""Bounds of the task's options (types come from the annotations)."""


@task
@validate_options(**OPTIONS)
@apply_preset(PREFERENCE_PRESETS)
def persona_preference(
    data: str | None = None,
    mode: PreferenceMode = "persona",
    n: int | Literal["all"] = ALL,
    seed: int = 42,
    personas: str | None = None,
    questions: str | None = None,
    structured: StructuredMode = "auto",
    preset: Literal["smoke"] | None = None,
) -> Task:
    """Preference prediction: which of two answers would this person prefer? Each pair in both orders.

    Args:
        data: Preference JSONL file, in the bundled layout or the generator's (``python -m
            pluralbench.generate preferences``), generated or human-labelled; default: the bundled
            pairs. Rows with ``"consistent": false`` are skipped (and counted in the task metadata).
        mode: ``persona`` shows the persona; ``baseline`` hides it (the same choice without knowing who asked).
        n: Number of pairs, drawn with ``seed``, or ``all``; each pair gives two samples.
        seed: Seed of the draw of pairs and of the metrics' bootstrap intervals.
        personas: Persona JSONL file the pairs' persona ids refer to (default: the bundled personas).
        questions: Question JSONL file the pairs' question ids refer to (default: the bundled questions).
        structured: How the JSON choice is asked for: ``auto`` (the schema where the provider takes
            it, else falls back after the first refusal), ``schema``, ``json_object`` or ``prompt``.
        preset: ``smoke`` is a run of a few minutes on the local model with the headline defined
            (n 4); its numbers are comparable with nothing. Passing one of its options
            with another value is refused.

    Returns:
        The task.
    """
    people = {persona.persona_id: persona for persona in load_personas(personas)}
    asked = {question.question_id: question for question in load_questions(questions)}
    pairs = load_preference_pairs(data, people, asked)
    usable = [pair for pair in pairs if pair.consistent is not False]
    skipped = len(pairs) - len(usable)
    if skipped:
        logger.warning(f"preference file: skipped {skipped} pairs marked 'consistent': false")
    if not usable:
        raise InputError(f"preference file {data}: every pair is marked 'consistent': false")
    selected = select_pairs(usable, n, seed)
    stem = Path(data).stem if data else Path(BUNDLED_PREFERENCES).stem
    return Task(
        dataset=preference_dataset(selected, people, asked, name=f"persona-preference-{mode}-{stem}"),
        solver=preference_choice(mode, structured),
        scorer=with_metrics(preference_accuracy(), preference_metrics(seed)),
        model=default_task_model(),
        version=TASK_VERSION,
        metadata={"pairs": len(selected), "pairs_in_file": len(pairs), "skipped_inconsistent": skipped},
    )
