"""Steerability samples: which personas are steered, what they are steered with and tested on.

Design (all choices seeded by ``seed`` and stable across runs):

- Each persona's statements are split once: ``n_steer`` steering statements (half agree, half
  disagree) and a balanced test set of ``statements`` of the rest. The steering statements of
  persona p are never test statements of p. A test statement of another persona q whose text
  repeats one of p's steering statements is replaced in the cell (p, q) by q's next unused
  statement of the same label, so the cell keeps its size and balance; when q has none left it
  is dropped, and both are counted (``steering_repeats_replaced``, ``steering_repeats_dropped``).
- ``personas`` chosen by count are taken round-robin across frameworks, so every framework is
  represented about equally.
- ``split="original"`` follows the original benchmark instead (plastic-labs/steerability-eval,
  ``StatementsDataset``): personas are a plain random sample of the persona file's rows
  (pandas ``DataFrame.sample`` with ``random_state=seed``, reproduced with numpy's
  ``RandomState``), each persona's steering statements are drawn per label with
  ``random_state=42`` (its ``split`` is always called with that default), and the test set is
  every other statement of the persona in file order (the first ``statements`` rows when a
  number is given, as its ``max_observations``), not balanced.
- Statements whose text belongs to several personas (``shared_statements``; some with opposite
  labels, ``conflicting_labels``) are counted over the whole data, and left out of every split
  with ``shared_statements="exclude"``.
- Each steered persona p is tested on its own test set and on ``cross`` other personas' test
  sets. The other personas follow a seeded circular order (p is tested on the next ``cross``
  personas), so every persona is also a cross test set exactly ``cross`` times.
- One Sample is one (steered persona, test statement) pair. With ``statements_per_call`` > 1,
  consecutive statements of one cell share a batch that the solver sends in one call.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TypeGuard

import numpy as np
import yaml
from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench._errors import InputError
from pluralbench._text import normalize_statement
from pluralbench.steerability.data import SteerabilityData
from pluralbench.steerability.types import FrameworkPersona, Statement, SteerabilityMetadata, SteeringExample

ALL = "all"
BALANCED = "balanced"
"""``split`` value: our balanced steering and test sets, personas round-robin across frameworks."""
ORIGINAL = "original"
"""``split`` value: the original benchmark's persona sample and split rules."""
KEEP = "keep"
EXCLUDE = "exclude"
"""``shared_statements`` values."""


@dataclass(frozen=True)
class PersonaSplit:
    """A persona's steering statements and test set.

    Attributes:
        steering: Steering statements, balanced agree/disagree, in prompt order.
        test: Test statements, balanced as far as the data allow, in a seeded order.
    """

    steering: list[Statement]
    test: list[Statement]
    spare: tuple[Statement, ...] = ()
    """Held-out statements beyond the test set, used to replace repeats of another persona's steering."""


@dataclass(frozen=True)
class SteerabilityCost:
    """Model calls of a design compared with the full N x N matrix.

    Attributes:
        personas: Steered personas N.
        cross: Other personas each steered persona is tested on.
        statements: Test statements per test set.
        statements_per_call: Statements answered per call.
        samples: Samples (steered persona x test statement pairs).
        calls: Model calls of this design.
        full_matrix_calls: Calls of the full matrix (every persona on every test set) at the same
            ``statements_per_call``.
    """

    personas: int
    cross: int
    statements: int
    statements_per_call: int
    samples: int
    calls: int
    full_matrix_calls: int

    @property
    def fraction_of_full(self) -> float:
        """Calls of this design as a share of the full matrix's calls."""
        return self.calls / self.full_matrix_calls


def steerability_cost(personas: int, cross: int, statements: int, statements_per_call: int = 1) -> SteerabilityCost:
    """Return the samples and model calls of a design, and those of the full N x N matrix.

    The default design (40 personas, cross 4, 56 statements) needs 40 x 5 x 56 = 11,200 calls;
    the full matrix needs 40 x 40 x 56 = 89,600.

    Args:
        personas: Steered personas N (at least 1).
        cross: Other personas per steered persona (0 to N - 1).
        statements: Test statements per test set (at least 1).
        statements_per_call: Statements per call (at least 1).

    Returns:
        The counts.

    Raises:
        ValueError: If a count is out of range.
    """
    if personas < 1 or statements < 1 or statements_per_call < 1 or not 0 <= cross < personas:
        raise ValueError(
            f"steerability_cost(personas={personas}, cross={cross}, statements={statements}, "
            f"statements_per_call={statements_per_call}): need personas, statements and statements_per_call >= 1 "
            "and 0 <= cross < personas"
        )
    calls_per_set = math.ceil(statements / statements_per_call)
    return SteerabilityCost(
        personas=personas,
        cross=cross,
        statements=statements,
        statements_per_call=statements_per_call,
        samples=personas * (1 + cross) * statements,
        calls=personas * (1 + cross) * calls_per_set,
        full_matrix_calls=personas * personas * calls_per_set,
    )


def _is_count(value: object) -> TypeGuard[int]:
    """Return whether ``value`` is a whole number (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _numeric_ids(data: SteerabilityData) -> dict[int, str]:
    """Map the number YAML reads from each all-digit persona id (``70099880``) back to the id."""
    found: dict[int, str] = {}
    for pid in data.personas:
        value = yaml.safe_load(pid) if pid.isdigit() else None
        if _is_count(value):
            found[value] = pid
    return found


def _original_sample(data: SteerabilityData, count: int, seed: int) -> list[str]:
    """Sample persona ids as the original does: ``DataFrame.sample(min(n, rows), random_state=seed)``."""
    listed = data.listed
    if count < 1:
        raise InputError(f"option personas={count}: must be at least 1")
    # like the original, min(max_personas, rows): a count above the number of personas takes them all
    rows = np.random.RandomState(seed).choice(len(listed), size=min(count, len(listed)), replace=False)
    chosen = [listed[int(row)] for row in rows]
    empty = [pid for pid in chosen if pid not in data.personas]
    if empty:
        raise InputError(f"option personas={count}: sampled persona(s) {', '.join(empty)} have no statements")
    return chosen


def select_personas(
    data: SteerabilityData, personas: int | str | list[str | int], seed: int, split: str = BALANCED
) -> list[str]:
    """Resolve the ``personas`` option to persona ids.

    A bare whole number is a count, unless a persona has that number as its id: the original
    data's ids are 8 hex digits and some are all digits (``70099880``), which ``-T`` and YAML
    read as numbers. A number that is both a valid count and a persona id is refused as
    ambiguous (write it as a list, ``[70099880]``). Numbers inside a list are always ids.

    Args:
        data: The loaded data.
        personas: A count (taken round-robin across frameworks, seeded; with ``split="original"``
            a plain random sample as the original draws it), a persona id, a comma-separated
            string of ids, or a list of ids.
        seed: Seed of the selection.
        split: ``balanced`` or ``original`` (see the module docstring).

    Returns:
        The selected persona ids.

    Raises:
        InputError: For a count out of range, unknown or duplicate ids, or an empty list.
    """
    available = list(data.personas)
    numeric = _numeric_ids(data)
    if _is_count(personas) and personas in numeric:
        if 1 <= personas <= len(available):
            raise InputError(
                f"option personas={personas}: both a count and the id of persona '{numeric[personas]}'; "
                f"write [{personas}] for the persona"
            )
        personas = [numeric[personas]]
    if _is_count(personas):
        count = personas
        if split == ORIGINAL:
            return _original_sample(data, count, seed)
        if not 1 <= count <= len(available):
            raise InputError(f"option personas={count}: must be between 1 and {len(available)} ({data.source})")
        rng = random.Random(f"steerability-personas:{seed}")
        by_framework: dict[str, list[str]] = defaultdict(list)
        for pid, persona in data.personas.items():
            by_framework[persona.framework].append(pid)
        queues = [rng.sample(ids, len(ids)) for _, ids in sorted(by_framework.items())]
        chosen: list[str] = []
        while len(chosen) < count:
            for queue in queues:
                if queue and len(chosen) < count:
                    chosen.append(queue.pop(0))
        return chosen
    if isinstance(personas, str):
        ids = [part.strip() for part in personas.split(",") if part.strip()]
    elif isinstance(personas, list) and all(isinstance(item, str) or _is_count(item) for item in personas):
        ids = [item.strip() if isinstance(item, str) else numeric.get(item, str(item)) for item in personas]
    else:
        raise InputError(f"option personas={personas!r}: expected a count, a persona id or a list of ids")
    if not ids:
        raise InputError("option personas: the list of persona ids is empty")
    unknown = [pid for pid in ids if pid not in data.personas]
    if unknown:
        sample_ids = ", ".join(available[:5])
        raise InputError(
            f"option personas: unknown persona id(s) {', '.join(unknown)} in {data.source} (ids look like: {sample_ids})"
        )
    duplicates = sorted({pid for pid in ids if ids.count(pid) > 1})
    if duplicates:
        raise InputError(f"option personas: duplicate persona id(s) {', '.join(duplicates)}")
    return ids


def split_persona(statements: list[Statement], n_steer: int, seed: int, persona_id: str) -> PersonaSplit:
    """Split one persona's statements into balanced steering statements and the test pool.

    Args:
        statements: The persona's statements.
        n_steer: Number of steering statements (even; half agree, half disagree).
        seed: Task seed.
        persona_id: The persona (seeds its own generator, so a split does not depend on which
            other personas are selected).

    Returns:
        Steering statements in a seeded order and every remaining statement as the test pool,
        ordered agree/disagree alternately so any prefix is balanced.

    Raises:
        InputError: If the persona has too few agree or disagree statements.
    """
    rng = random.Random(f"steerability-split:{seed}:{persona_id}")
    ordered = sorted(statements, key=lambda s: s.statement_id)
    agree = rng.sample([s for s in ordered if s.agree], sum(s.agree for s in ordered))
    disagree = rng.sample([s for s in ordered if not s.agree], sum(not s.agree for s in ordered))
    half = n_steer // 2
    if half > min(len(agree), len(disagree)):
        raise InputError(
            f"option n_steer={n_steer}: persona '{persona_id}' has {len(agree)} agree and {len(disagree)} disagree "
            f"statements, fewer than the {half} of each needed for steering"
        )
    steering = agree[:half] + disagree[:half]
    rng.shuffle(steering)
    rest_agree, rest_disagree = agree[half:], disagree[half:]
    test: list[Statement] = []
    for index in range(max(len(rest_agree), len(rest_disagree))):
        test.extend(pool[index] for pool in (rest_agree, rest_disagree) if index < len(pool))
    return PersonaSplit(steering=steering, test=test)


ORIGINAL_SPLIT_STATE = 42
"""The original's ``StatementsDataset.split`` ``random_state``: its eval never passes another."""


def split_persona_original(statements: list[Statement], n_steer: int, persona_id: str) -> PersonaSplit:
    """Split one persona's statements as the original benchmark does.

    Steering: ``n_steer / 2`` agree and as many disagree statements, each drawn like pandas
    ``sample(n, random_state=42)`` from that label's rows in file order (agree first). Test:
    every other statement, in file order; like the original, a statement with the same text and
    label as a steering statement (its observation id) is held out of the test set too.

    Args:
        statements: The persona's statements, in file order.
        n_steer: Number of steering statements (even).
        persona_id: The persona (for messages).

    Returns:
        The split; the test set is not balanced.

    Raises:
        InputError: If the persona has too few agree or disagree statements.
    """
    half = n_steer // 2
    steering: list[Statement] = []
    for label in (True, False):
        rows = [s for s in statements if s.agree is label]
        if half > len(rows):
            raise InputError(
                f"option n_steer={n_steer}: persona '{persona_id}' has {len(rows)} "
                f"{'agree' if label else 'disagree'} statements, fewer than the {half} needed for steering"
            )
        picks = np.random.RandomState(ORIGINAL_SPLIT_STATE).choice(len(rows), size=half, replace=False)
        steering.extend(rows[int(row)] for row in picks)
    held = {(s.statement, s.agree) for s in steering}
    return PersonaSplit(steering=steering, test=[s for s in statements if (s.statement, s.agree) not in held])


@dataclass(frozen=True)
class SharedStatements:
    """Statement texts that belong to more than one persona of the data.

    Attributes:
        texts: Normalized text -> the personas that have it.
        conflicting: Normalized texts some persona agrees with and another disagrees with.
    """

    texts: dict[str, set[str]]
    conflicting: set[str]


def shared_statements(data: SteerabilityData) -> SharedStatements:
    """Find the statement texts (normalized) that several personas of the data share.

    Args:
        data: The loaded data.

    Returns:
        The shared texts and those with opposite labels.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[bool]] = defaultdict(set)
    for pid, statements in data.statements.items():
        for statement in statements:
            text = normalize_statement(statement.statement)
            owners[text].add(pid)
            labels[text].add(statement.agree)
    texts = {text: pids for text, pids in owners.items() if len(pids) > 1}
    return SharedStatements(texts=texts, conflicting={text for text in texts if len(labels[text]) > 1})


def cross_assignment(persona_ids: list[str], cross: int, seed: int) -> dict[str, list[str]]:
    """Return the other personas each steered persona is tested on.

    Personas are put in a seeded circular order; each is tested on the next ``cross`` ones, so
    every persona is tested by exactly ``cross`` other steered systems.

    Args:
        persona_ids: The selected personas.
        cross: Other personas per steered persona (``0`` to ``len(persona_ids) - 1``).
        seed: Seed of the order.

    Returns:
        For each persona (in ``persona_ids`` order), its cross personas.
    """
    order = random.Random(f"steerability-cross:{seed}").sample(persona_ids, len(persona_ids))
    position = {pid: index for index, pid in enumerate(order)}
    n = len(order)
    return {pid: [order[(position[pid] + k) % n] for k in range(1, cross + 1)] for pid in persona_ids}


def _resolve_count(name: str, value: int | str, maximum: int, minimum: int, what: str) -> int:
    """Resolve a count option that may be ``all``."""
    if value == ALL:
        return maximum
    if not _is_count(value):
        raise InputError(f"option {name}={value!r}: expected a whole number or '{ALL}'")
    count = value
    if count < minimum:
        raise InputError(f"option {name}={count}: must be at least {minimum}")
    if count > maximum:
        raise InputError(f"option {name}={count}: only {maximum} {what} available")
    return count


@dataclass(frozen=True)
class SteerabilityDesign:
    """A resolved steerability design: personas, splits, cross assignment and sizes.

    Attributes:
        personas: The steered personas, in selection order.
        splits: Each persona's steering statements and test set (already cut to ``statements``).
        cross: Each steered persona's cross personas.
        statements: Test statements per test set (the largest, when test sets differ in size).
        statements_per_call: Statements answered per call.
        data: The data the design was built from.
        cells: The test statements of each (steered, test persona) cell, in order.
        counts: What the design changed in the data, for the task metadata: ``shared_statements``,
            ``conflicting_labels``, ``shared_statements_excluded``, ``statements_trimmed``,
            ``steering_repeats_replaced`` and ``steering_repeats_dropped``.
    """

    personas: list[FrameworkPersona]
    splits: dict[str, PersonaSplit]
    cross: dict[str, list[str]]
    statements: int
    statements_per_call: int
    data: SteerabilityData
    cells: dict[tuple[str, str], list[Statement]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        """Samples of the design, counted from its cells."""
        return sum(len(tests) for tests in self.cells.values())

    @property
    def calls(self) -> int:
        """Model calls of the design, counted from its cells."""
        return sum(math.ceil(len(tests) / self.statements_per_call) for tests in self.cells.values())

    @property
    def full_matrix(self) -> bool:
        """Whether every steered persona is tested on every selected persona (the published design)."""
        return all(len(others) == len(self.personas) - 1 for others in self.cross.values())

    @property
    def cost(self) -> SteerabilityCost:
        """Nominal samples and calls of this design and of the full matrix."""
        cross = len(next(iter(self.cross.values()), []))
        return steerability_cost(len(self.personas), cross, self.statements, self.statements_per_call)


def _exclude_shared(data: SteerabilityData, shared: SharedStatements) -> tuple[SteerabilityData, int]:
    """Return the data without statements whose text another persona shares, and how many were removed."""
    kept = {
        pid: [s for s in statements if normalize_statement(s.statement) not in shared.texts]
        for pid, statements in data.statements.items()
    }
    removed = sum(len(statements) for statements in data.statements.values()) - sum(map(len, kept.values()))
    return replace(data, statements=kept), removed


def _cell(
    tests: list[Statement], spare: tuple[Statement, ...], steering_texts: set[str]
) -> tuple[list[Statement], int, int]:
    """Return a cell's test statements with repeats of the steering replaced, and (replaced, dropped)."""
    unused = [s for s in spare if normalize_statement(s.statement) not in steering_texts]
    cell: list[Statement] = []
    replaced = dropped = 0
    for statement in tests:
        if normalize_statement(statement.statement) not in steering_texts:
            cell.append(statement)
            continue
        substitute = next((s for s in unused if s.agree is statement.agree), None)
        if substitute is None:
            dropped += 1
            continue
        unused.remove(substitute)
        cell.append(substitute)
        replaced += 1
    return cell, replaced, dropped


def build_design(
    data: SteerabilityData,
    *,
    personas: int | str | list[str | int],
    n_steer: int,
    cross: int | str,
    statements: int | str,
    statements_per_call: int,
    seed: int,
    split: str = BALANCED,
    shared: str = KEEP,
) -> SteerabilityDesign:
    """Validate the task options against the data and resolve the design.

    Args:
        data: The loaded data.
        personas: See :func:`select_personas`.
        n_steer: Steering statements per persona (even, 0 or more).
        cross: Other personas each steered persona is tested on, or ``all``.
        statements: Test statements per test set, or ``all`` (with ``split="balanced"``, the
            smallest test pool, every larger pool trimmed to it and counted; with
            ``split="original"``, every held-out statement).
        statements_per_call: Statements per call (1 or more).
        seed: Seed of every choice.
        split: ``balanced`` (ours) or ``original`` (the original benchmark's rules).
        shared: ``keep`` or ``exclude`` statements whose text several personas share.

    Returns:
        The design.

    Raises:
        InputError: With the option and the problem, before any model call.
    """
    if not _is_count(seed):
        raise InputError(f"option seed={seed!r}: expected a whole number")
    if not _is_count(n_steer) or n_steer < 0 or n_steer % 2:
        raise InputError(f"option n_steer={n_steer!r}: must be an even whole number (half agree, half disagree)")
    if not _is_count(statements_per_call) or statements_per_call < 1:
        raise InputError(f"option statements_per_call={statements_per_call!r}: must be a whole number >= 1")
    if split not in (BALANCED, ORIGINAL):
        raise InputError(f"option split={split!r}: must be '{BALANCED}' or '{ORIGINAL}'")
    if shared not in (KEEP, EXCLUDE):
        raise InputError(f"option shared_statements={shared!r}: must be '{KEEP}' or '{EXCLUDE}'")
    found = shared_statements(data)
    counts = {"shared_statements": len(found.texts), "conflicting_labels": len(found.conflicting)}
    excluded = 0
    if shared == EXCLUDE:
        data, excluded = _exclude_shared(data, found)
    counts["shared_statements_excluded"] = excluded
    ids = select_personas(data, personas, seed, split)
    if split == ORIGINAL:
        pools = {pid: split_persona_original(data.statements[pid], n_steer, pid) for pid in ids}
    else:
        pools = {pid: split_persona(data.statements[pid], n_steer, seed, pid) for pid in ids}
    smallest = min(pools, key=lambda pid: len(pools[pid].test))
    if not pools[smallest].test:
        raise InputError(
            f"option n_steer={n_steer}: persona '{smallest}' has no statements left to test after steering"
        )
    n_cross = _resolve_count("cross", cross, len(ids) - 1, 0, "other personas selected")
    splits: dict[str, PersonaSplit] = {}
    if split == ORIGINAL:
        largest = max(len(pool.test) for pool in pools.values())
        count = (
            largest if statements == ALL else _resolve_count("statements", statements, largest, 1, "test statements")
        )
        for pid, pool in pools.items():
            splits[pid] = PersonaSplit(steering=pool.steering, test=pool.test[:count], spare=tuple(pool.test[count:]))
        counts["statements_trimmed"] = 0
    else:
        count = _resolve_count(
            "statements", statements, len(pools[smallest].test), 1, f"test statements for persona '{smallest}'"
        )
        for pid, pool in pools.items():
            rng = random.Random(f"steerability-test:{seed}:{pid}")
            splits[pid] = PersonaSplit(
                steering=pool.steering, test=rng.sample(pool.test[:count], count), spare=tuple(pool.test[count:])
            )
        counts["statements_trimmed"] = (
            sum(len(pool.test) - count for pool in pools.values()) if statements == ALL else 0
        )
    assignment = cross_assignment(ids, n_cross, seed)
    cells: dict[tuple[str, str], list[Statement]] = {}
    counts["steering_repeats_replaced"] = counts["steering_repeats_dropped"] = 0
    for p in ids:
        steering_texts = {normalize_statement(s.statement) for s in splits[p].steering}
        for q in [p, *assignment[p]]:
            cell, replaced, dropped = _cell(splits[q].test, splits[q].spare, steering_texts)
            cells[(p, q)] = cell
            counts["steering_repeats_replaced"] += replaced
            counts["steering_repeats_dropped"] += dropped
    return SteerabilityDesign(
        personas=[data.personas[pid] for pid in ids],
        splits=splits,
        cross=assignment,
        statements=count,
        statements_per_call=statements_per_call,
        data=data,
        cells=cells,
        counts=counts,
    )


def design_samples(design: SteerabilityDesign) -> list[Sample]:
    """Build one Sample per (steered persona, test statement) pair of a design.

    Args:
        design: The resolved design.

    Returns:
        Samples ordered by steered persona, then test persona (own first), then batch.
    """
    samples: list[Sample] = []
    personas = design.data.personas
    for persona in design.personas:
        p = persona.persona_id
        examples = [SteeringExample(statement=s.statement, agree=s.agree) for s in design.splits[p].steering]
        for q in [p, *design.cross[p]]:
            tests = design.cells[(p, q)]
            size = design.statements_per_call
            for start in range(0, len(tests), size):
                batch = tests[start : start + size]
                batch_id = f"{p}|{q}|{start // size + 1}"
                for position, statement in enumerate(batch, start=1):
                    metadata = SteerabilityMetadata(
                        steered_persona=p,
                        test_persona=q,
                        own=p == q,
                        framework=persona.framework,
                        test_framework=personas[q].framework,
                        label=persona.label,
                        framework_description=persona.framework_description,
                        statement_id=statement.statement_id,
                        agree=statement.agree,
                        steering=examples,
                        batch_id=batch_id,
                        batch=[s.statement for s in batch],
                        batch_position=position,
                        batched=size > 1,
                    )
                    samples.append(
                        Sample(
                            id=f"{p}:{statement.statement_id}",
                            input=statement.statement,
                            target="Y" if statement.agree else "N",
                            metadata=metadata.model_dump(),
                        )
                    )
    return samples


def steerability_dataset(design: SteerabilityDesign, seed: int) -> MemoryDataset:
    """Return the design's samples as an inspect dataset, in a seeded shuffled order.

    The order is shuffled so that ``--limit N`` takes samples from across personas and cells,
    not the first cell in full; a run without ``--limit`` is the same set of samples either way.

    Args:
        design: The resolved design.
        seed: Seed of the order.

    Returns:
        A named in-memory dataset.
    """
    dataset = MemoryDataset(design_samples(design), name="steerability", location=design.data.source)
    dataset.shuffle(seed=seed)
    return dataset
