"""Raters' labels per unit: read from logs (one critic, or one answering model, per log) or a human-label file.

A unit is one judgement: a sample and epoch, and for the group task a member and which answer
(the group's, or the one written for that member alone). A rater labels a unit, or leaves it
unscored with a reason (its verdict could not be read, or there was no answer to judge). Log units
also carry a digest of the material judged, so units whose answers differ between logs (a task rerun
that wrote other answers) are found and left out, counted, instead of compared.

What a log's scorer labels (:data:`EXTRACTORS`):

- ``personalization_critic`` (``persona``, ``persona_loo``, ...): ``needs_revision`` true/false;
- ``group_critic`` (``persona_group``): ``needs_revision`` for each member, of the group answer and,
  with ``compare_individual``, of that member's own answer;
- ``preference_accuracy`` (``persona_preference``): ``choice``, the number (1 or 2) of the answer picked.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.scorer import Score
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error, read_text_file
from pluralbench.analysis._logs import LogAnalysisError, read_log, short_task_name

LabelField = Literal["needs_revision", "choice"]
NEEDS_REVISION: LabelField = "needs_revision"
CHOICE: LabelField = "choice"
FIELD_LABELS: dict[str, tuple[str, ...]] = {NEEDS_REVISION: ("false", "true"), CHOICE: ("1", "2")}
"""The labels of each field, as raters' labels are written."""


@dataclass(frozen=True)
class UnitLabel:
    """One rater's label of one unit.

    Attributes:
        label: The label (``true``/``false`` for needs_revision, ``1``/``2`` for a choice), or ``None`` when unscored.
        reason: Why the unit is unscored.
        material: Digest of what was judged (log raters), ``None`` when unknown (human raters).
    """

    label: str | None
    reason: str | None = None
    material: str | None = None


@dataclass
class Rater:
    """A rater and its labels.

    Attributes:
        name: How reports name the rater (the critic model, or the human rater id).
        source: The file the labels were read from.
        label_field: What it labels: ``needs_revision`` or ``choice``.
        task: The task of the log (``None`` for human raters).
        units: Label by unit key.
    """

    name: str
    source: str
    label_field: LabelField
    task: str | None = None
    units: dict[str, UnitLabel] = field(default_factory=dict)


def unit_key(sample_id: str | int, epoch: int, member: int | None = None, individual: bool = False) -> str:
    """Return the key of a unit.

    Args:
        sample_id: The sample id.
        epoch: The epoch (1-based).
        member: The group member (1-based), for the group task.
        individual: For the group task, the member's own answer rather than the group's.

    Returns:
        E.g. ``q1:p2 epoch 1`` or ``p1+p2+p3:q4 epoch 1 person 2 individual``.
    """
    key = f"{sample_id} epoch {epoch}"
    if member is not None:
        key += f" person {member}" + (" individual" if individual else "")
    return key


def digest(material: Any) -> str | None:
    """Return a short digest of the material judged (``None`` when there is none).

    Args:
        material: A text, or a JSON-serialisable value.

    Returns:
        A hex digest.
    """
    if material is None:
        return None
    text = material if isinstance(material, str) else json.dumps(material, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _verdict(value: Any) -> str | None:
    return str(value).lower() if isinstance(value, bool) else None


def _no_verdict(score: Score, what: str) -> str:
    reason = getattr(score, "reason", None) or score.explanation
    return f"{what}: {str(reason).splitlines()[0]}" if reason else what


Units = list[tuple[str, UnitLabel]]
"""(unit key, label) pairs of one sample."""


def critic_units(sample: EvalSample, score: Score) -> Units:
    """Units of a ``personalization_critic`` score: its ``needs_revision`` verdict.

    Args:
        sample: The sample.
        score: Its score.

    Returns:
        One unit.
    """
    label = _verdict((score.metadata or {}).get(NEEDS_REVISION))
    reason = None if label else _no_verdict(score, "no verdict")
    return [(unit_key(sample.id, sample.epoch), UnitLabel(label, reason, digest(score.answer)))]


def group_units(sample: EvalSample, score: Score) -> Units:
    """Units of a ``group_critic`` score: one per member and answer.

    Args:
        sample: The sample.
        score: Its score.

    Returns:
        One unit per member for the group answer, and one per member for their own answer when written.
    """
    units: Units = []
    individual = sample.metadata.get("individual_answers") or []
    for number, entry in enumerate((score.metadata or {}).get("members", []), start=1):
        label = _verdict(entry.get(NEEDS_REVISION))
        units.append(
            (
                unit_key(sample.id, sample.epoch, number),
                UnitLabel(label, None if label else entry.get("problem") or "no verdict", digest(score.answer)),
            )
        )
        if "individual_needs_revision" in entry:
            own = _verdict(entry.get("individual_needs_revision"))
            answer = individual[number - 1].get("answer") if number <= len(individual) else None
            units.append(
                (
                    unit_key(sample.id, sample.epoch, number, individual=True),
                    UnitLabel(own, None if own else entry.get("individual_problem") or "no verdict", digest(answer)),
                )
            )
    return units


def preference_units(sample: EvalSample, score: Score) -> Units:
    """Units of a ``preference_accuracy`` score: the number of the answer the model picked.

    Args:
        sample: The sample.
        score: Its score.

    Returns:
        One unit.
    """
    choice = sample.metadata.get(CHOICE)
    label = str(choice) if type(choice) is int else None
    reason = None if label else f"no choice: {sample.metadata.get('reply_problem') or 'none readable'}"
    return [(unit_key(sample.id, sample.epoch), UnitLabel(label, reason, digest(sample.metadata.get("answers"))))]


@dataclass(frozen=True)
class Extractor:
    """How to read a scorer's labels.

    Attributes:
        label_field: What its units are labelled with.
        units: Reads the units of one scored sample.
        rater_keys: Score metadata keys naming the models that judged (empty: the evaluated model).
    """

    label_field: LabelField
    units: Callable[[EvalSample, Score], Units]
    rater_keys: tuple[str, ...] = ()


EXTRACTORS: dict[str, Extractor] = {
    "personalization_critic": Extractor(NEEDS_REVISION, critic_units, ("critic_model", "judge_model")),
    "group_critic": Extractor(NEEDS_REVISION, group_units, ("critic_model", "judge_model")),
    "preference_accuracy": Extractor(CHOICE, preference_units),
}
"""Scorers whose judgements can be compared, by the name inspect logs them under."""


def _scorer_names(log: EvalLog) -> list[str]:
    names = [score.name for score in (log.results.scores if log.results else [])]
    for sample in log.samples or []:
        names.extend(sample.scores or {})
    return list(dict.fromkeys(names))


def choose_scorer(log: EvalLog, path: str, wanted: str | None) -> str:
    """Return the scorer whose labels to read from a log.

    Args:
        log: The log.
        path: Its file (for messages).
        wanted: The scorer asked for (``--scorer``), or ``None`` to find the one known scorer.

    Returns:
        The scorer name.

    Raises:
        InputError: When the scorer is unknown or not in the log, or the log has none or several.
    """
    present = _scorer_names(log)
    if wanted is not None:
        if wanted not in EXTRACTORS:
            raise InputError(f"option --scorer {wanted}: must be one of {', '.join(EXTRACTORS)}")
        if wanted not in present:
            raise InputError(f"log {path}: has no scores of {wanted} (it has {', '.join(present) or 'none'})")
        return wanted
    known = [name for name in present if name in EXTRACTORS]
    if len(known) != 1:
        found = ", ".join(present) or "no scores"
        hint = "pass --scorer" if known else f"comparable scorers: {', '.join(EXTRACTORS)}"
        raise InputError(f"log {path}: {len(known)} comparable scorers among {found}; {hint}")
    return known[0]


def _judge_name(log: EvalLog, extractor: Extractor, scores: list[Score]) -> str:
    for score in scores:
        metadata = score.metadata or {}
        names = [str(metadata[key]) for key in extractor.rater_keys if metadata.get(key)]
        if names:
            return " + ".join(dict.fromkeys(names)) + (" (self-graded)" if metadata.get("self_graded") is True else "")
    return log.eval.model


def log_rater(path: str, scorer: str | None = None) -> Rater:
    """Read one log's labels.

    Args:
        path: The log file.
        scorer: The scorer to read (default: the log's one comparable scorer).

    Returns:
        The rater: every sample of the log is a unit (errored samples unscored, with the error).

    Raises:
        InputError: When the file is not a readable log, or has no comparable scorer.
    """
    try:
        log = read_log(path)
    except LogAnalysisError as error:
        raise InputError(str(error)) from error
    name = choose_scorer(log, path, scorer)
    extractor = EXTRACTORS[name]
    rater = Rater(name="", source=path, label_field=extractor.label_field, task=short_task_name(log.eval.task))
    scores = []
    for sample in log.samples or []:
        score = (sample.scores or {}).get(name)
        if score is None:
            why = f"sample error: {sample.error.message.splitlines()[0]}" if sample.error else f"no {name} score"
            rater.units[unit_key(sample.id, sample.epoch)] = UnitLabel(None, why)
            continue
        scores.append(score)
        rater.units.update(extractor.units(sample, score))
    rater.name = _judge_name(log, extractor, scores)
    return rater


class HumanLabel(BaseModel):
    """One line of a human-label file: one rater's label of one unit.

    Exactly one of ``needs_revision`` (critic tasks) and ``choice`` (preference task) is given, and
    every line of a file gives the same one.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    sample_id: str | int
    epoch: int = Field(default=1, ge=1)
    member: int | None = Field(default=None, ge=1)
    """The group member (1-based), for ``persona_group`` logs."""
    answer: Literal["group", "individual"] | None = None
    """For ``persona_group``: the group answer (default) or the member's own answer."""
    needs_revision: bool | None = None
    choice: Literal[1, 2] | None = None
    """The number of the answer shown first (1) or second (2) that the person would prefer."""
    rater: str | None = Field(default=None, min_length=1)

    @field_validator("choice", mode="before")
    @classmethod
    def _integer_choice(cls, value: object) -> object:
        if value is not None and type(value) is not int:
            raise ValueError(f"must be the integer 1 or 2, not {value!r}")
        return value

    @field_validator("sample_id")
    @classmethod
    def _sample_id(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not value.strip():
            raise ValueError("is blank")
        return value

    @model_validator(mode="after")
    def _one_label(self) -> HumanLabel:
        if (self.needs_revision is None) == (self.choice is None):
            raise ValueError("give exactly one of 'needs_revision' and 'choice'")
        if self.answer is not None and self.member is None:
            raise ValueError("'answer' needs 'member'")
        return self

    @property
    def label_field(self) -> LabelField:
        """The label field this line gives."""
        return NEEDS_REVISION if self.needs_revision is not None else CHOICE

    @property
    def label(self) -> str:
        """The label, as log raters write it."""
        return str(self.needs_revision).lower() if self.needs_revision is not None else str(self.choice)

    @property
    def key(self) -> str:
        """The unit key."""
        return unit_key(self.sample_id, self.epoch, self.member, self.answer == "individual")


INTEGER = re.compile(r"[+-]?\d+")
INTEGER_COLUMNS = ("epoch", "member", CHOICE)


def _csv_record(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Turn CSV cells into JSON-like values: blanks left out, integers and true/false converted, the rest text."""
    record: dict[str, Any] = {}
    for name, cell in row.items():
        if cell is None or not cell.strip():
            continue
        text = cell.strip()
        if name in INTEGER_COLUMNS and INTEGER.fullmatch(text):
            record[name] = int(text)
        elif name == NEEDS_REVISION and text.lower() in ("true", "false"):
            record[name] = text.lower() == "true"
        else:
            record[name] = text
    return record


def _records(path: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, raw record) of a JSONL or CSV label file."""
    what = "labels file"
    text = read_text_file(path, what).removeprefix("\ufeff")
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(f"{what} {path}, line {number}: invalid JSON ({error.msg})") from error
    elif suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        for row in reader:
            if None in row:
                raise InputError(f"{what} {path}, line {reader.line_num}: more cells than header columns")
            yield reader.line_num, _csv_record(row)
    else:
        raise InputError(f"{what} {path}: must end in .jsonl or .csv")


def human_raters(path: str) -> list[Rater]:
    """Read a human-label file (JSONL, or CSV with a header row): one rater per ``rater`` id.

    Args:
        path: The file.

    Returns:
        The raters, in order of first appearance; lines without a rater id belong to one rater named
        after the file.

    Raises:
        InputError: Naming the file, line and field, for a malformed line, a line giving another label
            field than the first, or a unit labelled twice by the same rater; or when the file has no labels.
    """
    raters: dict[str, Rater] = {}
    first_line: dict[tuple[str, str], int] = {}
    field_of_file: tuple[LabelField, int] | None = None
    for number, raw in _records(path):
        where = f"labels file {path}, line {number}"
        try:
            line = HumanLabel.model_validate(raw)
        except ValidationError as error:
            raise InputError(f"{where}: {describe_validation_error(error)}") from error
        if field_of_file is None:
            field_of_file = (line.label_field, number)
        elif line.label_field != field_of_file[0]:
            raise InputError(
                f"{where}: field '{line.label_field}': line {field_of_file[1]} gives '{field_of_file[0]}'; use one per file"
            )
        name = line.rater or Path(path).name
        rater = raters.setdefault(name, Rater(name=name, source=path, label_field=line.label_field))
        if (name, line.key) in first_line:
            raise InputError(
                f"{where}: field 'sample_id': {line.key} already labelled by {name} on line {first_line[(name, line.key)]}"
            )
        first_line[(name, line.key)] = number
        rater.units[line.key] = UnitLabel(line.label)
    if not raters:
        raise InputError(f"labels file {path}: contains no labels")
    return list(raters.values())
