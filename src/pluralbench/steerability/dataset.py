"""Steerability samples: which personas are steered, what they are steered with and tested on.

Design (all choices seeded by ``seed`` and stable across runs):

- Each persona's statements are split once: ``n_steer`` steering statements (half agree, half
  disagree) and a balanced test set of ``statements`` of the rest. The steering statements of
  persona p are never test statements of p, and any test statement of another persona whose
  text repeats one of p's steering statements is dropped from p's cells.
- ``personas`` chosen by count are taken round-robin across frameworks, so every framework is
  represented about equally.
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
from dataclasses import dataclass
from typing import TypeGuard

from inspect_ai.dataset import MemoryDataset, Sample

from pluralbench._errors import InputError
from pluralbench._text import normalize_statement
from pluralbench.steerability.data import SteerabilityData
from pluralbench.steerability.types import FrameworkPersona, Statement, SteerabilityMetadata, SteeringExample

ALL = "all"


@dataclass(frozen=True)
class PersonaSplit:
    """A persona's steering statements and test set.

    Attributes:
        steering: Steering statements, balanced agree/disagree, in prompt order.
        test: Test statements, balanced as far as the data allow, in a seeded order.
    """

    steering: list[Statement]
    test: list[Statement]


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


def select_personas(data: SteerabilityData, personas: int | str | list[str], seed: int) -> list[str]:
    """Resolve the ``personas`` option to persona ids.

    Args:
        data: The loaded data.
        personas: A count (taken round-robin across frameworks, seeded), a persona id, a
            comma-separated string of ids, or a list of ids.
        seed: Seed of the selection.

    Returns:
        The selected persona ids.

    Raises:
        InputError: For a count out of range, unknown or duplicate ids, or an empty list.
    """
    available = list(data.personas)
    if _is_count(personas):
        count = personas
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
    elif isinstance(personas, list) and all(isinstance(item, str) for item in personas):
        ids = [item.strip() for item in personas]
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
        statements: Test statements per test set.
        statements_per_call: Statements answered per call.
        data: The data the design was built from.
    """

    personas: list[FrameworkPersona]
    splits: dict[str, PersonaSplit]
    cross: dict[str, list[str]]
    statements: int
    statements_per_call: int
    data: SteerabilityData

    @property
    def cost(self) -> SteerabilityCost:
        """Nominal samples and calls of this design and of the full matrix."""
        cross = len(next(iter(self.cross.values()), []))
        return steerability_cost(len(self.personas), cross, self.statements, self.statements_per_call)


def build_design(
    data: SteerabilityData,
    *,
    personas: int | str | list[str],
    n_steer: int,
    cross: int | str,
    statements: int | str,
    statements_per_call: int,
    seed: int,
) -> SteerabilityDesign:
    """Validate the task options against the data and resolve the design.

    Args:
        data: The loaded data.
        personas: See :func:`select_personas`.
        n_steer: Steering statements per persona (even, 0 or more).
        cross: Other personas each steered persona is tested on, or ``all``.
        statements: Test statements per test set, or ``all`` (the smallest test pool).
        statements_per_call: Statements per call (1 or more).
        seed: Seed of every choice.

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
    ids = select_personas(data, personas, seed)
    pools = {pid: split_persona(data.statements[pid], n_steer, seed, pid) for pid in ids}
    smallest = min(pools, key=lambda pid: len(pools[pid].test))
    if not pools[smallest].test:
        raise InputError(
            f"option n_steer={n_steer}: persona '{smallest}' has no statements left to test after steering"
        )
    count = _resolve_count(
        "statements", statements, len(pools[smallest].test), 1, f"test statements for persona '{smallest}'"
    )
    n_cross = _resolve_count("cross", cross, len(ids) - 1, 0, "other personas selected")
    splits = {}
    for pid in ids:
        rng = random.Random(f"steerability-test:{seed}:{pid}")
        splits[pid] = PersonaSplit(steering=pools[pid].steering, test=rng.sample(pools[pid].test[:count], count))
    return SteerabilityDesign(
        personas=[data.personas[pid] for pid in ids],
        splits=splits,
        cross=cross_assignment(ids, n_cross, seed),
        statements=count,
        statements_per_call=statements_per_call,
        data=data,
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
        steering = design.splits[p].steering
        examples = [SteeringExample(statement=s.statement, agree=s.agree) for s in steering]
        steering_texts = {normalize_statement(s.statement) for s in steering}
        for q in [p, *design.cross[p]]:
            tests = [s for s in design.splits[q].test if normalize_statement(s.statement) not in steering_texts]
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


def steerability_dataset(design: SteerabilityDesign) -> MemoryDataset:
    """Return the design's samples as an inspect dataset.

    Args:
        design: The resolved design.

    Returns:
        A named in-memory dataset.
    """
    return MemoryDataset(design_samples(design), name="steerability", location=design.data.source)
