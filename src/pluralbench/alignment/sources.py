"""Published datasets reframed as alignment-target items: HelpSteer2 and the Moral Integrity Corpus.

HelpSteer2 (``nvidia/HelpSteer2``): each row is one response to a prompt with five attributes
rated 0-4. Rows sharing a prompt become one item (the dataset has two responses per prompt);
ratings are divided by 4.

MIC (``MIC.csv``, downloaded by the user under its data use agreement): each row is one
annotator's rule of thumb (``rot``) about a chatbot answer ``A`` to a question ``Q``, with the
moral foundations the rule invokes in ``moral`` (``|``-separated, e.g. ``care-harm|fairness-cheating``
or ``care|fairness``). Mapping used here: an answer's value for a foundation is the share of its
rules of thumb that invoke that foundation (0 when none does, 1 when all do), so the value reads
"how strongly the annotators saw this foundation at stake in the answer". The answers to one
question form an item (questions with at least two distinct answers; at most
:data:`MAX_MIC_RESPONSES`, in file order). Other MIC columns (agreement, severity, worker ids,
the original split) are not used.

Both sources are split into train (few-shot pool) and eval with :func:`split_items`.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error
from pluralbench.alignment.geometry import level_of
from pluralbench.alignment.types import AlignmentItem

HELPSTEER2_HUB_ID = "nvidia/HelpSteer2"
HELPSTEER2_REVISION = "990b2711a36180dd19d9c94b8627844866f8982a"
"""Hub commit of ``nvidia/HelpSteer2`` the loader reads (main as of its last change, 2024-12-18)."""
HELPSTEER2_ATTRIBUTES = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
MIC_ATTRIBUTES = ("care", "fairness", "liberty", "loyalty", "authority", "sanctity")
MIC_COLUMNS = ("Q", "A", "rot", "moral")
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


class MICRow(BaseModel):
    """The columns of one ``MIC.csv`` row that the loader reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    Q: str
    A: str
    rot: str
    moral: str


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


def _foundations(moral: str, where: str) -> set[str]:
    found = set()
    for token in moral.split("|"):
        name = token.strip().lower().split("-")[0]
        if not name or name == "nan":
            continue
        if name not in MIC_ATTRIBUTES:
            raise InputError(f"{where}: field 'moral': unknown moral foundation {token.strip()!r}")
        found.add(name)
    return found


def mic_items(
    rows: Iterable[Mapping[str, Any]], seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION, what: str = "MIC rows"
) -> list[AlignmentItem]:
    """Turn MIC rule-of-thumb rows into items with moral-foundation labels.

    Args:
        rows: Records with at least the columns Q, A, rot and moral (other columns are ignored).
        seed: Seed of the train/eval split.
        eval_fraction: Share of items in eval.
        what: Source description for messages.

    Returns:
        One item per question with two or more distinct answers.

    Raises:
        InputError: If a row lacks a column or names an unknown foundation, naming the row.
    """
    annotations: dict[str, dict[str, list[set[str]]]] = {}
    for number, raw in enumerate(rows, start=1):
        where = f"{what}, row {number}"
        missing = [column for column in MIC_COLUMNS if column not in raw]
        if missing:
            raise InputError(f"{where}: missing column(s) {', '.join(missing)}")
        try:
            row = MICRow.model_validate({column: raw[column] or "" for column in MIC_COLUMNS})
        except ValidationError as error:
            raise InputError(f"{where}: {describe_validation_error(error)}") from error
        question, answer = row.Q.strip(), row.A.strip()
        if not question or not answer:
            continue
        annotations.setdefault(question, {}).setdefault(answer, []).append(_foundations(row.moral, where))
    drafts = []
    for question, answers in annotations.items():
        if len(answers) < 2:
            continue
        kept = list(answers.items())[:MAX_MIC_RESPONSES]
        labels = [{name: sum(name in rot for rot in rots) / len(rots) for name in MIC_ATTRIBUTES} for _, rots in kept]
        drafts.append(ItemDraft(stable_id("mic", question), question, [answer for answer, _ in kept], labels))
    if not drafts:
        raise InputError(f"{what}: no question has two or more distinct answers")
    return split_items(drafts, seed, eval_fraction)


def read_mic_items(path: str | Path, seed: int, eval_fraction: float = DEFAULT_EVAL_FRACTION) -> list[AlignmentItem]:
    """Read a local ``MIC.csv`` into items.

    Args:
        path: The CSV file.
        seed: Seed of the train/eval split.
        eval_fraction: Share of items in eval.

    Returns:
        The items.

    Raises:
        InputError: If the file is missing, lacks a column, or has a bad row.
    """
    file = Path(path)
    what = f"MIC file {file}"
    if not file.is_file():
        raise InputError(f"{what}: no such file")
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in MIC_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                f"{what}: missing column(s) {', '.join(missing)} (found: {', '.join(reader.fieldnames or [])})"
            )
        return mic_items(reader, seed, eval_fraction, what)
