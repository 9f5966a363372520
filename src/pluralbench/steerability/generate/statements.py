"""Generate steerability statements for framework personas, keeping only independently confirmed ones.

Each round, for each persona that still lacks statements:

1. the writer model proposes first-person statements the persona would agree with and would
   disagree with (a JSON reply validated with pydantic; an unusable reply is counted and the
   persona tries again next round);
2. candidates that are out of length bounds, duplicate or conflict with any statement already
   kept, or near-duplicate one of the persona's statements are dropped (see ``_store``);
3. the checker model, in a separate conversation and without the intended labels, says for each
   remaining candidate whether the persona would agree; only candidates whose verdict matches
   their intended label are kept, and each is appended to the output file at once.

Rounds repeat until every persona has ``per_persona`` agree and ``per_persona`` disagree
statements or ``max_rounds`` is reached. Personas run concurrently; a semaphore bounds the model
calls in flight. Rerunning with the same output file continues where an interrupted run stopped.
"""

from __future__ import annotations

import asyncio
import functools
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from inspect_ai.model import ChatMessageUser, GenerateConfig, Model, ResponseSchema
from inspect_ai.util import json_schema
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from pluralbench._fence import new_nonce, strip_markers, untrusted_notice
from pluralbench._replies import ReplyParseError, context_overflow, parse_json_reply
from pluralbench._text import content_words, normalize_statement
from pluralbench.steerability.generate.prompts import (
    AGREEMENT_CHECK,
    COLLECTED_STATEMENTS,
    CONTEXTS,
    PERSONA_PROFILE,
    STATEMENT_WRITER,
    TOPICS,
)

from ._records import FrameworkPersona
from ._store import Rejection, StatementStore, clean_statement, near_duplicate_of

DEFAULT_MAX_ROUNDS = 10
DEFAULT_BATCH_SIZE = 10
DEFAULT_MAX_CONNECTIONS = 4
TOPICS_PER_ROUND = 3
CONTEXTS_PER_ROUND = 2
WRITER_TOKENS_PER_STATEMENT = 80
CHECKER_TOKENS_PER_STATEMENT = 24
REPLY_TOKEN_OVERHEAD = 200

Report = Callable[[str], None]
ReplyT = TypeVar("ReplyT", bound=BaseModel)


class CandidateReply(BaseModel):
    """The writer's reply: statements the persona would agree with and would disagree with."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agree: list[str]
    disagree: list[str]


class Verdict(BaseModel):
    """The checker's verdict on one numbered statement (``number`` a JSON integer)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    number: int = Field(ge=1)
    verdict: Literal["agree", "disagree", "unclear"]


class CheckReply(BaseModel):
    """The checker's reply: one verdict per statement number, no number twice."""

    model_config = ConfigDict(extra="forbid", strict=True)

    verdicts: list[Verdict]

    @model_validator(mode="after")
    def _one_verdict_per_number(self) -> CheckReply:
        numbers = [verdict.number for verdict in self.verdicts]
        repeated = sorted({number for number in numbers if numbers.count(number) > 1})
        if repeated:
            raise ValueError(f"statement numbers given more than one verdict: {repeated}")
        return self


@functools.cache
def check_reply_model(count: int) -> type[CheckReply]:
    """Return the checker's reply schema for ``count`` statements: numbers from 1 to ``count``.

    Args:
        count: Number of statements shown to the checker.

    Returns:
        A subclass of :class:`CheckReply` whose verdict numbers are bounded by ``count``.
    """
    number: Any = (int, Field(ge=1, le=count))
    bounded = create_model(f"Verdict{count}", __base__=Verdict, number=number)
    verdicts: Any = (list[bounded], ...)  # type: ignore[valid-type]
    return create_model(f"CheckReply{count}", __base__=CheckReply, verdicts=verdicts)


@dataclass
class PersonaProgress:
    """Counts of one persona's generation, including statements found in a resumed file."""

    persona_id: str
    target: int
    agree: int = 0
    disagree: int = 0
    rounds: int = 0
    candidates: int = 0
    kept: int = 0
    malformed_writer: int = 0
    malformed_checker: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def complete(self) -> bool:
        """Whether the persona has its target number of statements of each label."""
        return self.agree >= self.target and self.disagree >= self.target


@dataclass
class GenerationSummary:
    """The outcome of a generation run."""

    out: Path
    per_persona: int
    resumed_rows: int
    personas: list[PersonaProgress]

    @property
    def written(self) -> int:
        """Statements written by this run."""
        return sum(progress.kept for progress in self.personas)

    @property
    def incomplete(self) -> list[str]:
        """Ids of personas still short of statements."""
        return [progress.persona_id for progress in self.personas if not progress.complete]

    def rejected(self) -> Counter[str]:
        """Return rejected candidates by reason, over all personas.

        Returns:
            Counts keyed by :class:`Rejection` value.
        """
        total: Counter[str] = Counter()
        for progress in self.personas:
            total.update(progress.rejected)
        return total


@dataclass(frozen=True)
class _Candidate:
    statement: str
    agree: bool


def render_persona(persona: FrameworkPersona) -> str:
    """Render a framework persona as the profile text shown to the writer and the checker.

    Args:
        persona: The persona.

    Returns:
        Framework, framework description, type label and persona description.
    """
    return PERSONA_PROFILE.format(
        framework=persona.framework,
        framework_description=persona.framework_description,
        label=persona.label,
        description=persona.description,
    )


def _print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _Generation:
    """Shared state of one run: models, output store, call limit and settings."""

    def __init__(
        self,
        store: StatementStore,
        writer: Model,
        checker: Model,
        *,
        per_persona: int,
        max_rounds: int,
        batch_size: int,
        seed: int,
        max_connections: int,
        temperature: float | None,
        report: Report,
    ) -> None:
        self.store = store
        self.writer = writer
        self.checker = checker
        self.per_persona = per_persona
        self.max_rounds = max_rounds
        self.batch_size = batch_size
        self.seed = seed
        self.max_connections = max_connections
        self.temperature = temperature
        self.report = report
        self.semaphore = asyncio.Semaphore(max_connections)

    def _missing(self, persona_id: str, agree: bool) -> int:
        return max(0, self.per_persona - self.store.count(persona_id, agree))

    def _sync(self, progress: PersonaProgress) -> None:
        progress.agree = self.store.count(progress.persona_id, True)
        progress.disagree = self.store.count(progress.persona_id, False)

    async def _ask(self, model: Model, prompt: str, config: GenerateConfig, schema: type[ReplyT]) -> ReplyT:
        """Make one call and read its reply; raises ReplyParseError for an unusable reply or an overflow."""
        async with self.semaphore:
            output = await model.generate([ChatMessageUser(content=prompt)], config=config)
        overflow = context_overflow(output)
        if overflow is not None:
            raise ReplyParseError(overflow)
        return parse_json_reply(output.completion, schema)

    async def complete(self, persona: FrameworkPersona, progress: PersonaProgress) -> None:
        """Run rounds for one persona until it is complete or out of rounds."""
        rng = random.Random(f"{self.seed}:{persona.persona_id}")
        profile = render_persona(persona)
        for round_number in range(1, self.max_rounds + 1):
            self._sync(progress)
            if progress.complete:
                break
            progress.rounds = round_number
            requested = {
                agree: min(self.batch_size, 2 * self._missing(persona.persona_id, agree)) for agree in (True, False)
            }
            try:
                proposal = await self._ask(
                    self.writer,
                    self._writer_prompt(persona, profile, requested, rng),
                    self._writer_config(requested, rng),
                    CandidateReply,
                )
            except ReplyParseError as error:
                progress.malformed_writer += 1
                self.report(
                    f"{persona.persona_id} round {round_number}/{self.max_rounds}: unusable writer reply ({error})"
                )
                continue
            screened = self._screen(persona.persona_id, proposal, requested, progress)
            confirmed = await self._check(persona.persona_id, profile, screened, progress, rng)
            kept = self._keep(persona.persona_id, confirmed, progress)
            self._sync(progress)
            self.report(
                f"{persona.persona_id} round {round_number}/{self.max_rounds}: "
                f"{len(proposal.agree) + len(proposal.disagree)} proposed, {len(screened)} screened in, "
                f"{len(confirmed)} confirmed, {kept} kept; "
                f"agree {progress.agree}/{self.per_persona}, disagree {progress.disagree}/{self.per_persona}"
            )
        self._sync(progress)

    def _writer_prompt(
        self, persona: FrameworkPersona, profile: str, requested: dict[bool, int], rng: random.Random
    ) -> str:
        nonce = new_nonce()
        held = self.store.statements(persona.persona_id)
        collected = ""
        if held:
            listing = "\n".join(f"- {strip_markers(row.statement, nonce)}" for row in held)
            collected = COLLECTED_STATEMENTS.format(nonce=nonce, statements=listing)
        return STATEMENT_WRITER.format(
            notice=untrusted_notice(nonce),
            nonce=nonce,
            persona=strip_markers(profile, nonce),
            n_agree=requested[True],
            n_disagree=requested[False],
            topics=", ".join(rng.sample(TOPICS, TOPICS_PER_ROUND)),
            contexts=" and ".join(rng.sample(CONTEXTS, CONTEXTS_PER_ROUND)),
            collected=collected,
        )

    def _writer_config(self, requested: dict[bool, int], rng: random.Random) -> GenerateConfig:
        statements = requested[True] + requested[False]
        return GenerateConfig(
            response_schema=ResponseSchema(name="statements", json_schema=json_schema(CandidateReply)),
            max_tokens=REPLY_TOKEN_OVERHEAD + WRITER_TOKENS_PER_STATEMENT * statements,
            temperature=self.temperature,
            seed=rng.randrange(2**31),
            max_connections=self.max_connections,
        )

    def _screen(
        self, persona_id: str, proposal: CandidateReply, requested: dict[bool, int], progress: PersonaProgress
    ) -> list[_Candidate]:
        """Drop candidates that could not be kept whatever the checker says."""
        both = {normalize_statement(text) for text in proposal.agree} & {
            normalize_statement(text) for text in proposal.disagree
        }
        screened: list[_Candidate] = []
        seen: set[str] = set()
        words: list[frozenset[str]] = []
        for agree, texts in ((True, proposal.agree), (False, proposal.disagree)):
            taken = 0
            for raw in texts:
                progress.candidates += 1
                statement = clean_statement(raw)
                normalized = normalize_statement(statement)
                reason = self.store.screen(persona_id, statement, agree)
                if reason is None and normalized in both:
                    reason = Rejection.CONFLICT
                elif reason is None and normalized in seen:
                    reason = Rejection.DUPLICATE
                elif reason is None and near_duplicate_of(content_words(statement), words):
                    reason = Rejection.NEAR_DUPLICATE
                elif reason is None and taken >= requested[agree]:
                    reason = Rejection.SURPLUS
                if reason is not None:
                    progress.rejected[reason] += 1
                    continue
                taken += 1
                seen.add(normalized)
                words.append(content_words(statement))
                screened.append(_Candidate(statement, agree))
        return screened

    async def _check(
        self,
        persona_id: str,
        profile: str,
        candidates: list[_Candidate],
        progress: PersonaProgress,
        rng: random.Random,
    ) -> list[_Candidate]:
        """Ask the checker about the candidates, shuffled and unlabeled; return the confirmed ones in order."""
        if not candidates:
            return []
        order = list(candidates)
        rng.shuffle(order)
        nonce = new_nonce()
        listing = "\n".join(f"{number}. {strip_markers(c.statement, nonce)}" for number, c in enumerate(order, 1))
        prompt = AGREEMENT_CHECK.format(
            notice=untrusted_notice(nonce),
            nonce=nonce,
            persona=strip_markers(profile, nonce),
            statements=listing,
        )
        schema = check_reply_model(len(order))
        config = GenerateConfig(
            response_schema=ResponseSchema(name="verdicts", json_schema=json_schema(schema)),
            max_tokens=REPLY_TOKEN_OVERHEAD + CHECKER_TOKENS_PER_STATEMENT * len(order),
            temperature=0.0,
            max_connections=self.max_connections,
        )
        try:
            verdicts = (await self._ask(self.checker, prompt, config, schema)).verdicts
        except ReplyParseError as error:
            progress.malformed_checker += 1
            progress.rejected[Rejection.UNCHECKED] += len(order)
            self.report(f"{persona_id}: unusable checker reply ({error})")
            return []
        by_number = {verdict.number: verdict.verdict for verdict in verdicts}
        verdict_of = {candidate: by_number.get(number) for number, candidate in enumerate(order, 1)}
        confirmed = [c for c in candidates if verdict_of[c] == ("agree" if c.agree else "disagree")]
        progress.rejected[Rejection.UNCONFIRMED] += len(candidates) - len(confirmed)
        return confirmed

    def _keep(self, persona_id: str, confirmed: list[_Candidate], progress: PersonaProgress) -> int:
        """Write confirmed candidates that still pass the store's rules; return how many were written."""
        kept = 0
        for candidate in confirmed:
            reason = self.store.screen(persona_id, candidate.statement, candidate.agree)
            if reason is None and self._missing(persona_id, candidate.agree) == 0:
                reason = Rejection.SURPLUS
            if reason is not None:
                progress.rejected[reason] += 1
                continue
            self.store.add(persona_id, candidate.statement, candidate.agree)
            kept += 1
        progress.kept += kept
        return kept


async def generate_statements(
    personas: Sequence[FrameworkPersona],
    writer: Model,
    checker: Model,
    out: str | Path,
    *,
    per_persona: int,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int = 0,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    temperature: float | None = None,
    report: Report | None = None,
) -> GenerationSummary:
    """Generate confirmed agree and disagree statements for each persona into a JSONL file.

    Args:
        personas: The personas to generate for (unique ids).
        writer: Model that proposes statements.
        checker: Model that independently confirms agreement (ideally not the writer).
        out: Output JSONL file; rows already in it count towards their persona and are kept.
        per_persona: Statements wanted per persona and label (agree and disagree each).
        max_rounds: Most writer calls per persona in this run.
        batch_size: Most candidates requested per persona, label and round.
        seed: Seed of topic choice, shuffling and the writer's sampling seed.
        max_connections: Most model calls in flight at once.
        temperature: Writer temperature (``None``: the provider's default). The checker uses 0.
        report: Receives one progress line per persona and round (default: stderr).

    Returns:
        Per-persona counts and the run's totals.

    Raises:
        ValueError: If a count option is below 1 or persona ids repeat.
        InputError: If the existing output file is malformed.
        Exception: The first error of a model call that failed; rows kept before it stay written.
    """
    for name, value in (
        ("per_persona", per_persona),
        ("max_rounds", max_rounds),
        ("batch_size", batch_size),
        ("max_connections", max_connections),
    ):
        if value < 1:
            raise ValueError(f"{name} {value}: must be at least 1")
    repeated = [pid for pid, n in Counter(p.persona_id for p in personas).items() if n > 1]
    if repeated:
        raise ValueError(f"persona ids given more than once: {', '.join(repeated)}")
    report = report or _print_to_stderr
    store = StatementStore(Path(out))
    try:
        if store.resumed_rows or store.repaired:
            torn = " (removed a torn last line)" if store.repaired else ""
            report(f"resuming {store.path}: {store.resumed_rows} statements already written{torn}")
        run = _Generation(
            store,
            writer,
            checker,
            per_persona=per_persona,
            max_rounds=max_rounds,
            batch_size=batch_size,
            seed=seed,
            max_connections=max_connections,
            temperature=temperature,
            report=report,
        )
        progress = [PersonaProgress(persona.persona_id, per_persona) for persona in personas]
        try:
            async with asyncio.TaskGroup() as group:
                for persona, persona_progress in zip(personas, progress, strict=True):
                    group.create_task(run.complete(persona, persona_progress))
        except ExceptionGroup as failures:
            # A failed model call stops every persona; surface the first failure itself.
            raise failures.exceptions[0] from failures
    finally:
        store.close()
    return GenerationSummary(store.path, per_persona, store.resumed_rows, progress)
