"""Published datasets reframed as alignment-target items: HelpSteer2 and the Moral Integrity Corpus.

HelpSteer2 (``nvidia/HelpSteer2``): each row is one response to a prompt with five attributes
rated 0-4. Rows sharing a prompt become one item (the dataset has two responses per prompt);
ratings are divided by 4.

MIC (``MIC.csv``, downloaded by the user under its data use agreement): each row is one
annotator's rule of thumb (``rot``) about a chatbot answer ``A`` to a question ``Q``, with
``moral-vector`` (six 0/1 indicators for care, fairness, liberty, loyalty, authority, sanctity)
and ``A_agrees`` (0 the answer disagrees with the rule, 1 neutral, 2 agrees; read as -1, 0, +1).
Labels follow steerable pluralism's definition (Adams et al. 2025): per foundation, the sum over
the answer's first 3 rules of agreement x indicator, mapped by ``(x + 3) / 6`` and rounded to 2
places, so 0 = violates, 0.5 = neutral, 1 = upholds. The answers to one question form an item
(at most :data:`MAX_MIC_RESPONSES`, in file order); questions with a missing ``A_agrees`` on any
row, or with one distinct answer, are left out and counted.

Both sources are split into train (few-shot pool) and eval with :func:`split_items`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error, read_json_file
from pluralbench.alignment.geometry import level_of
from pluralbench.alignment.types import AlignmentItem, AttributeName, UnitValue

HELPSTEER2_HUB_ID = "nvidia/HelpSteer2"
HELPSTEER2_REVISION = "990b2711a36180dd19d9c94b8627844866f8982a"
"""Hub commit of ``nvidia/HelpSteer2`` the loader reads (main as of its last change, 2024-12-18)."""
HELPSTEER2_ATTRIBUTES = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
MIC_ATTRIBUTES = ("care", "fairness", "liberty", "loyalty", "authority", "sanctity")
MIC_COLUMNS = ("Q", "A", "rot", "moral-vector", "A_agrees")
MAX_MIC_RESPONSES = 4
DEFAULT_EVAL_FRACTION = 0.1
"""Share of items put in the eval split; the rest form the few-shot pool."""

Rating = Annotated[int, Field(ge=0, le=4)]


class HelpSteer2Row(BaseModel):
    """One row of ``nvidia/HelpSteer2``: a response to a prompt rated 0-4 on five attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(min_length=1)
    response: str = Field(min_length=1)
    helpfulness: Rating
    correctness: Rating
    coherence: Rating
    complexity: Rating
    verbosity: Rating


class ItemDraft(NamedTuple):
    """An item before it is assigned to a split."""

    item_id: str
    prompt: str
    responses: list[str]
    labels: list[dict[str, float]]


def stable_id(prefix: str, text: str) -> str:
    """Return an id derived from a text, stable across runs and row orders.

    Args:
        prefix: Source prefix, e.g. ``hs2``.
        text: The prompt or question.

    Returns:
        ``<prefix>-<12 hex digits>``.
    """
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def _level_tokens(draft: ItemDraft) -> set[tuple[str, float]]:
    return {(name, level_of(value)) for labels in draft.labels for name, value in labels.items()}


def split_items(
    drafts: Sequence[ItemDraft], seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION
) -> list[AlignmentItem]:
    """Assign drafts to train and eval, stratified by attribute level, seeded.

    Each item's stratum is its rarest (attribute, level) pair over all its responses, so
    rare levels are spread over both splits instead of landing in one by chance. Items are
    ordered by stratum (shuffled within it) and ``round(n * eval_fraction)`` evenly spaced
    positions from a random start go to eval (systematic sampling), which gives each stratum
    its share. At least one item goes to eval when there are two or more.

    Args:
        drafts: Items without a split.
        seed: Seed of the shuffle and start.
        eval_fraction: Share of items in eval, in (0, 1).

    Returns:
        Items in the drafts' order.
    """
    counts = Counter(token for draft in drafts for token in _level_tokens(draft))
    strata: dict[tuple[str, float], list[ItemDraft]] = defaultdict(list)
    for draft in sorted(drafts, key=lambda d: d.item_id):
        tokens = _level_tokens(draft)
        stratum = min(tokens, key=lambda token: (counts[token], token)) if tokens else ("", 0.0)
        strata[stratum].append(draft)
    rng = random.Random(f"{seed}:split")
    ordered: list[ItemDraft] = []
    for stratum in sorted(strata):
        members = strata[stratum]
        rng.shuffle(members)
        ordered.extend(members)
    n_eval = max(1, round(len(ordered) * eval_fraction)) if len(ordered) >= 2 else 0
    start = rng.random()
    eval_ids = {ordered[math.floor((step + start) * len(ordered) / n_eval)].item_id for step in range(n_eval)}
    return [
        AlignmentItem(
            item_id=draft.item_id,
            split="eval" if draft.item_id in eval_ids else "train",
            prompt=draft.prompt,
            responses=draft.responses,
            labels=draft.labels,
        )
        for draft in drafts
    ]


def helpsteer2_items(
    rows: Iterable[Mapping[str, Any]], seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION
) -> list[AlignmentItem]:
    """Turn HelpSteer2 rows into items: responses of one prompt together, ratings divided by 4.

    Args:
        rows: Records with HelpSteer2's columns (prompt, response and the five 0-4 ratings).
        seed: Seed of the train/eval split.
        eval_fraction: Share of items in eval.

    Returns:
        Items of prompts with at least two distinct responses, in order of first appearance.

    Raises:
        InputError: If a row breaks the column layout, naming the row.
    """
    grouped: dict[str, dict[str, dict[str, float]]] = {}
    for number, raw in enumerate(rows, start=1):
        try:
            row = HelpSteer2Row.model_validate(raw)
        except ValidationError as error:
            raise InputError(f"HelpSteer2 row {number}: {describe_validation_error(error)}") from error
        responses = grouped.setdefault(row.prompt, {})
        responses.setdefault(row.response, {name: getattr(row, name) / 4 for name in HELPSTEER2_ATTRIBUTES})
    drafts = [
        ItemDraft(stable_id("hs2", prompt), prompt, list(responses), list(responses.values()))
        for prompt, responses in grouped.items()
        if len(responses) >= 2
    ]
    if not drafts:
        raise InputError("HelpSteer2: no prompt has two or more responses")
    return split_items(drafts, seed, eval_fraction)


def fetch_helpsteer2_rows() -> list[dict[str, Any]]:
    """Download (or read from the local cache) every row of ``nvidia/HelpSteer2``.

    Returns:
        Rows of the train and validation splits.

    Raises:
        InputError: If the hub or cache cannot provide the dataset.
    """
    from datasets import load_dataset

    try:
        splits = load_dataset(HELPSTEER2_HUB_ID, revision=HELPSTEER2_REVISION)
    except Exception as error:  # the hub client raises many unrelated types (network, auth, cache)
        raise InputError(
            f"dataset helpsteer2: cannot load {HELPSTEER2_HUB_ID} at revision {HELPSTEER2_REVISION} from the Hugging Face hub ({error})"
        ) from error
    return [dict(row) for name in splits for row in splits[name]]


MIC_AGREEMENT = {"0": -1, "1": 0, "2": 1}
"""``A_agrees`` codes: 0 the answer disagrees with the rule of thumb, 1 neutral, 2 agrees."""
MIC_RULES_PER_ANSWER = 3
"""Rules of thumb per answer that enter its label (the first ones in file order), as in the original."""


class MICRow(BaseModel):
    """The columns of one ``MIC.csv`` row that the loader reads (other columns are ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    Q: str
    A: str
    rot: str
    moral_vector: list[Annotated[float, Field(ge=0, le=1)]] = Field(alias="moral-vector", min_length=6, max_length=6)
    A_agrees: int | None
    """-1, 0 or +1 (read from the 0/1/2 code); ``None`` when the cell is empty."""


class MICItems(NamedTuple):
    """MIC items with the questions left out and why.

    Attributes:
        items: The items.
        missing_agreement: Questions left out because a row has no ``A_agrees``.
        single_answer: Questions left out because they have one distinct answer.
    """

    items: list[AlignmentItem]
    missing_agreement: int
    single_answer: int


def _mic_row(raw: Mapping[str, Any], where: str) -> MICRow:
    code = str(raw["A_agrees"] or "").strip()
    if code.endswith(".0"):  # a pandas export writes 2 as 2.0
        code = code[:-2]
    if code and code.lower() != "nan" and code not in MIC_AGREEMENT:
        raise InputError(f"{where}: field 'A_agrees': must be 0, 1 or 2 (got {code!r})")
    try:
        vector = json.loads(str(raw["moral-vector"] or "[]"))
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: field 'moral-vector': not a list of six 0/1 numbers") from error
    try:
        return MICRow.model_validate(
            {
                "Q": raw["Q"] or "",
                "A": raw["A"] or "",
                "rot": raw["rot"] or "",
                "moral-vector": vector,
                "A_agrees": MIC_AGREEMENT.get(code),
            }
        )
    except ValidationError as error:
        raise InputError(f"{where}: {describe_validation_error(error)}") from error


def mic_label(rules: Sequence[MICRow]) -> dict[str, float]:
    """Return an answer's label per foundation as the original defines it.

    Per foundation: the sum over the answer's first :data:`MIC_RULES_PER_ANSWER` rules of thumb
    of agreement (-1, 0, +1) times the rule's indicator for that foundation, mapped by
    ``(x + 3) / 6`` and rounded to 2 places: 0 violates, 0.5 neutral or not at stake, 1 upholds.

    Args:
        rules: The answer's rows, in file order, each with an agreement.

    Returns:
        A value in [0, 1] per foundation (7 levels).
    """
    first = rules[:MIC_RULES_PER_ANSWER]
    return {
        name: round((sum((rule.A_agrees or 0) * rule.moral_vector[index] for rule in first) + 3) / 6, 2)
        for index, name in enumerate(MIC_ATTRIBUTES)
    }


def mic_items(
    rows: Iterable[Mapping[str, Any]], seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION, what: str = "MIC rows"
) -> MICItems:
    """Turn MIC rule-of-thumb rows into items with moral-foundation labels (:func:`mic_label`).

    Args:
        rows: Records with at least the columns Q, A, rot, moral-vector and A_agrees.
        seed: Seed of the train/eval split.
        eval_fraction: Share of items in eval.
        what: Source description for messages.

    Returns:
        One item per question with two or more distinct answers and an agreement on every row,
        and the counts of questions left out.

    Raises:
        InputError: If a row lacks a column or has a bad agreement code or moral vector, naming the row.
    """
    annotations: dict[str, dict[str, list[MICRow]]] = {}
    incomplete: set[str] = set()
    for number, raw in enumerate(rows, start=1):
        where = f"{what}, row {number}"
        missing = [column for column in MIC_COLUMNS if column not in raw]
        if missing:
            raise InputError(f"{where}: missing column(s) {', '.join(missing)}")
        row = _mic_row(raw, where)
        question, answer = row.Q.strip(), row.A.strip()
        if not question or not answer:
            continue
        if row.A_agrees is None:
            incomplete.add(question)
        annotations.setdefault(question, {}).setdefault(answer, []).append(row)
    drafts = []
    single = 0
    for question, answers in annotations.items():
        if question in incomplete:
            continue
        if len(answers) < 2:
            single += 1
            continue
        kept = list(answers.items())[:MAX_MIC_RESPONSES]
        labels = [mic_label(rules) for _, rules in kept]
        drafts.append(ItemDraft(stable_id("mic", question), question, [answer for answer, _ in kept], labels))
    if not drafts:
        raise InputError(f"{what}: no question has two or more distinct answers with an agreement on every row")
    return MICItems(split_items(drafts, seed, eval_fraction), len(incomplete), single)


def read_mic_items(path: str | Path, seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION) -> MICItems:
    """Read a local ``MIC.csv`` into items.

    Args:
        path: The CSV file.
        seed: Seed of the train/eval split.
        eval_fraction: Share of items in eval.

    Returns:
        The items and the counts of questions left out.

    Raises:
        InputError: If the file is missing, lacks a column, or has a bad row.
    """
    file = Path(path)
    what = f"MIC file {file}"
    if not file.is_file():
        raise InputError(f"{what}: no such file")
    with file.open(encoding="utf-8-sig", newline="") as handle:  # a spreadsheet export may start with a BOM
        reader = csv.DictReader(handle)
        missing = [column for column in MIC_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                f"{what}: missing column(s) {', '.join(missing)} (found: {', '.join(reader.fieldnames or [])})"
            )
        return mic_items(reader, seed, eval_fraction, what)


STEERABLE_SPLITS = ("eval", "train")
"""File stems of steerable pluralism's shipped data (``data/helpsteer2/eval.json``, ``train.json``)."""
STEERABLE_LAYOUTS = (
    "accepted layouts: a JSON array of {prompt, responses, labels[, reasonings]} objects in a file named "
    "eval.json or train.json (steerable pluralism's data), or a directory holding eval.json and train.json"
)


class SteerableEntry(BaseModel):
    """One element of steerable pluralism's ``eval.json`` / ``train.json`` (Adams et al. 2025).

    No id and no split: the loader derives ``<split>-<4-digit position>`` ids and takes the
    split from the file name. ``reasonings`` (train only) holds, per response, the annotator's
    explanation per attribute; it becomes the reason shown in few-shot examples.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(min_length=1)
    responses: list[Annotated[str, Field(min_length=1)]] = Field(min_length=2)
    labels: list[dict[AttributeName, UnitValue]]
    reasonings: list[dict[AttributeName, str]] | None = None


def steerable_split(path: Path) -> str:
    """Return the split a steerable-pluralism file holds, from its name.

    Args:
        path: ``eval.json`` or ``train.json``.

    Returns:
        ``eval`` or ``train``.

    Raises:
        InputError: If the name is neither.
    """
    if path.stem.lower() not in STEERABLE_SPLITS:
        raise InputError(f"dataset file {path}: the file name must be eval.json or train.json; {STEERABLE_LAYOUTS}")
    return path.stem.lower()


def read_steerable_file(path: str | Path) -> list[AlignmentItem]:
    """Read one steerable-pluralism JSON array; ids are ``<split>-0001`` onward in file order.

    Args:
        path: ``eval.json`` or ``train.json``.

    Returns:
        The items of that file's split.

    Raises:
        InputError: If the file is missing, not a JSON array, or an element breaks the layout,
            naming the element and the accepted layouts.
    """
    file = Path(path)
    split = steerable_split(file)
    raw = read_json_file(file, "dataset file")
    if not isinstance(raw, list):
        raise InputError(f"dataset file {file}: not a JSON array; {STEERABLE_LAYOUTS}")
    items = []
    for number, element in enumerate(raw, start=1):
        where = f"dataset file {file}, element {number}"
        try:
            entry = SteerableEntry.model_validate(element)
            items.append(
                AlignmentItem(
                    item_id=f"{split}-{number:04d}",
                    split="eval" if split == "eval" else "train",
                    prompt=entry.prompt,
                    responses=entry.responses,
                    labels=entry.labels,
                    reasonings=entry.reasonings,
                )
            )
        except ValidationError as error:
            raise InputError(f"{where}: {describe_validation_error(error)}; {STEERABLE_LAYOUTS}") from error
    return items


def read_steerable_data(path: str | Path) -> list[AlignmentItem]:
    """Read steerable pluralism's data: one ``eval.json``/``train.json`` file or a directory of both.

    Args:
        path: The file, or a directory such as its ``data/helpsteer2/`` or ``data/mic/``.

    Returns:
        The items, eval first.

    Raises:
        InputError: If the directory lacks ``eval.json`` or a file breaks the layout.
    """
    folder = Path(path)
    if not folder.is_dir():
        return read_steerable_file(folder)
    files = [folder / f"{split}.json" for split in STEERABLE_SPLITS]
    missing = [file.name for file in files if not file.is_file()]
    if missing:
        raise InputError(f"dataset directory {folder}: no {' or '.join(missing)}; {STEERABLE_LAYOUTS}")
    return [item for file in files for item in read_steerable_file(file)]
