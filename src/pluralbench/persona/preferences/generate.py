"""Generate persona preference pairs with a writer model and a role-play judge, resumably.

For each (persona, question) drawn (seeded, without repeats; a persona that does not fit the
question's premise, such as "my husband died" for a married man, is passed over and counted):

1. the writer answers the question three times, in separate conversations: for the persona (the
   PERSONA system message), for a contrasting persona (:mod:`.contrast`: someone who fits the
   premise too and clearly differs on attributes that matter for the question's topic), and with
   no persona;
2. the answer for the persona is compared with each of the other two by a role-play judge that
   is given the full persona and speaks as that person: which answer would I rather have, and
   why? Each comparison is asked in both answer orders (two calls);
3. a comparison whose verdict is the same in both orders becomes a pair (chosen: the answer
   preferred; rejected: the other), appended to the output at once. Inconsistent verdicts,
   missing answers and unreadable verdicts become no pair; every finished draw, with the outcome
   of each comparison, is appended to a draws file beside the output.

Cost per draw: 3 writer calls and 4 judge calls (plus at most one repair request per judge call),
for at most 2 pairs. Draws run in batches until the output holds the pairs wanted or the run's
draw budget is spent. A rerun with the same output continues: draws found in either file are not
repeated, and nothing written is rewritten.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Literal

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, GenerateConfig, Model
from pydantic import BaseModel, ConfigDict

from pluralbench._fence import fence, new_nonce, untrusted_notice
from pluralbench._jsonl_store import JsonlStore
from pluralbench._text import normalize_statement
from pluralbench.persona.data import Question
from pluralbench.persona.judging import ask_for_verdict
from pluralbench.persona.prompts import PERSONA_LABEL, PERSONA_SYSTEM, QUESTION_LABEL
from pluralbench.persona.solvers import split_reply
from pluralbench.personas import Persona

from .contrast import Contrast, choose_contrast
from .prompts import ROLE_PLAY_JUDGE, WRITE_FOR_PERSONA, WRITE_WITHOUT_PERSONA
from .quality import MAX_WORDS, MIN_WORDS
from .records import AnswerSource, ChatTurn, GeneratedPair
from .types import AnswerNumber

DEFAULT_MAX_CONNECTIONS = 4
WRITER_MAX_TOKENS = 400
"""Enough for a 160-word answer with its tags."""
Against = Literal["contrast", "no_persona"]
Outcome = Literal["pair", "inconsistent", "no_answer", "same_answers", "unreadable_verdict"]
OUTCOMES: tuple[Outcome, ...] = ("pair", "inconsistent", "no_answer", "same_answers", "unreadable_verdict")
Report = Callable[[str], None]


class PreferenceVerdict(BaseModel):
    """The role-play judge's reply: feedback in the persona's voice, then the preferred answer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    feedback: str
    preferred: AnswerNumber


class ComparisonRecord(BaseModel):
    """How one comparison of a draw ended."""

    model_config = ConfigDict(extra="forbid")

    against: Against
    outcome: Outcome
    preferred: list[AnswerSource | None]
    """The answer preferred in each order (the persona's answer shown first, then second); ``None`` when unreadable."""
    feedback: list[str]
    problem: str | None = None


class DrawRecord(BaseModel):
    """One finished draw, as written to the draws file."""

    model_config = ConfigDict(extra="forbid")

    draw: int
    """Position in the seeded draw order."""
    persona_id: str
    question_id: str
    contrast_persona_id: str | None
    attribute: str | None
    differing: list[str]
    """Every topic attribute on which the two personas clearly differ."""
    comparisons: list[ComparisonRecord]


@dataclass
class PreferenceSummary:
    """The outcome of a generation run.

    Attributes:
        out: The pairs file.
        draws_file: The draws file.
        target: Pairs wanted.
        resumed_pairs: Pairs the file held when the run started.
        pairs: Pairs the file holds now.
        draws: Draws finished by this run.
        outcomes: Comparisons of this run's draws, by outcome.
        exhausted: Whether every (persona, question) had been drawn.
        premise_skipped: Draws passed over because the persona does not fit the question's
            premise (its ``requires``), without any model call.
    """

    out: Path
    draws_file: Path
    target: int
    resumed_pairs: int = 0
    pairs: int = 0
    draws: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    exhausted: bool = False
    premise_skipped: int = 0

    @property
    def complete(self) -> bool:
        """Whether the file holds the pairs wanted."""
        return self.pairs >= self.target

    @property
    def written(self) -> int:
        """Pairs written by this run."""
        return self.pairs - self.resumed_pairs


def draws_path(out: Path) -> Path:
    """Return the draws file kept beside an output file (``pairs.jsonl`` -> ``pairs.draws.jsonl``).

    Args:
        out: The output file.

    Returns:
        The draws file's path.
    """
    return out.with_name(f"{out.stem}.draws.jsonl")


def draw_order(n_personas: int, n_questions: int, seed: int) -> Iterator[tuple[int, int]]:
    """Yield every (persona index, question index) once, in an order fixed by the seed alone.

    The order does not depend on how many pairs are wanted, so a rerun walks the same draws.

    Args:
        n_personas: Number of personas.
        n_questions: Number of questions.
        seed: Seed of the order.

    Yields:
        Index pairs, without repeats, until the cross product is exhausted.
    """
    rng = random.Random(f"{seed}:draws")
    total = n_personas * n_questions
    seen: set[int] = set()
    while len(seen) < total:
        index = rng.randrange(total)
        if index not in seen:
            seen.add(index)
            yield divmod(index, n_questions)


def persona_system_message(persona: Persona, nonce: str) -> str:
    """Return the PERSONA tasks' system message for a persona, the persona fenced as they fence it.

    Args:
        persona: The persona.
        nonce: The fence token.

    Returns:
        The system message text.
    """
    return PERSONA_SYSTEM.format(persona=fence(PERSONA_LABEL, persona.render(), nonce))


def writer_messages(question: Question, persona: Persona | None) -> list[ChatMessage]:
    """Return the writer's conversation for an answer for a persona, or for nobody in particular.

    Args:
        question: The question.
        persona: Whom the answer is for; ``None`` for an answer without a persona.

    Returns:
        The PERSONA system message (with a persona) and the writing instruction, persona and
        question fenced with one fresh nonce.
    """
    nonce = new_nonce()
    fenced = fence(QUESTION_LABEL, question.question, nonce)
    bounds = {"question": fenced, "min_words": MIN_WORDS, "max_words": MAX_WORDS}
    if persona is None:
        return [ChatMessageUser(content=WRITE_WITHOUT_PERSONA.format(**bounds))]
    return [
        ChatMessageSystem(content=persona_system_message(persona, nonce)),
        ChatMessageUser(content=WRITE_FOR_PERSONA.format(**bounds)),
    ]


def judge_prompt(persona: Persona, question: Question, first: str, second: str) -> str:
    """Return the role-play judge's prompt for two answers in the order shown.

    Args:
        persona: The asking persona (shown in full).
        question: The question.
        first: Answer shown as 1.
        second: Answer shown as 2.

    Returns:
        The prompt, every untrusted text fenced.
    """
    nonce = new_nonce()
    return ROLE_PLAY_JUDGE.format(
        notice=untrusted_notice(nonce),
        persona=fence(PERSONA_LABEL, persona.render(), nonce),
        question=fence(QUESTION_LABEL, question.question, nonce),
        answer_1=fence("ANSWER 1", first, nonce),
        answer_2=fence("ANSWER 2", second, nonce),
    )


def chat_prompt(persona: Persona, question: Question) -> list[ChatTurn]:
    """Return a pair's ``prompt``: the persona as the system message, then the question.

    The system message is the one the PERSONA tasks' answering model sees (persona fenced with a
    fresh nonce), so a policy tuned on the pairs meets the same prompt when it is evaluated.

    Args:
        persona: The asking persona.
        question: The question.

    Returns:
        The two messages (TRL's conversational format).
    """
    return [
        ChatTurn(role="system", content=persona_system_message(persona, new_nonce())),
        ChatTurn(role="user", content=question.question),
    ]


def _print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _Generation:
    """Shared state of one run: models, stores, call limit and settings."""

    def __init__(
        self,
        pool: Sequence[Persona],
        writer: Model,
        judge: Model,
        pairs: JsonlStore[GeneratedPair],
        draws: JsonlStore[DrawRecord],
        *,
        seed: int,
        max_connections: int,
    ) -> None:
        self.pool = pool
        self.writer = writer
        self.judge = judge
        self.pairs = pairs
        self.draws = draws
        self.seed = seed
        self.semaphore = asyncio.Semaphore(max_connections)

    async def write(self, question: Question, persona: Persona | None) -> tuple[str | None, str | None]:
        """Return one answer (or ``None``) and the problem when the reply held none."""
        config = GenerateConfig(max_tokens=WRITER_MAX_TOKENS)
        async with self.semaphore:
            output = await self.writer.generate(writer_messages(question, persona), config=config)
        answer, _, problem = split_reply("output_only", output.completion)
        return answer, problem

    async def judge_order(
        self, persona: Persona, question: Question, first: str, second: str
    ) -> tuple[PreferenceVerdict | None, str | None]:
        """Return the judge's verdict on one order (or ``None`` and the problem)."""
        prompt = judge_prompt(persona, question, first, second)
        async with self.semaphore:
            reply = await ask_for_verdict(self.judge, prompt, PreferenceVerdict, "preference_verdict", "auto")
        return reply.verdict, reply.problem

    async def compare(
        self, persona: Persona, question: Question, own: str | None, other: str | None, against: Against
    ) -> tuple[ComparisonRecord, tuple[str, str] | None]:
        """Judge the persona's answer against another in both orders; return the record and (chosen, rejected)."""
        if own is None or other is None:
            return ComparisonRecord(against=against, outcome="no_answer", preferred=[], feedback=[]), None
        if normalize_statement(own) == normalize_statement(other):
            return ComparisonRecord(against=against, outcome="same_answers", preferred=[], feedback=[]), None
        (first, first_problem), (second, second_problem) = await asyncio.gather(
            self.judge_order(persona, question, own, other), self.judge_order(persona, question, other, own)
        )
        preferred: list[AnswerSource | None] = [
            None if first is None else ("persona" if first.preferred == 1 else against),
            None if second is None else (against if second.preferred == 1 else "persona"),
        ]
        feedback = [verdict.feedback for verdict in (first, second) if verdict is not None]
        if first is None or second is None:
            problem = first_problem or second_problem
            record = ComparisonRecord(
                against=against, outcome="unreadable_verdict", preferred=preferred, feedback=feedback, problem=problem
            )
            return record, None
        if preferred[0] != preferred[1]:
            return ComparisonRecord(
                against=against, outcome="inconsistent", preferred=preferred, feedback=feedback
            ), None
        record = ComparisonRecord(against=against, outcome="pair", preferred=preferred, feedback=feedback)
        return record, ((own, other) if preferred[0] == "persona" else (other, own))

    async def draw(self, index: int, persona: Persona, question: Question) -> DrawRecord:
        """Run one draw, append its pairs and then its record; return the record."""
        contrast: Contrast | None = choose_contrast(persona, question, self.pool, self.seed)
        (own, own_problem), (neutral, _), (contrasted, _) = await asyncio.gather(
            self.write(question, persona),
            self.write(question, None),
            self.write(question, contrast.persona) if contrast else _no_answer(),
        )
        comparisons: list[tuple[Against, str | None]] = [("no_persona", neutral)]
        if contrast is not None:
            comparisons.insert(0, ("contrast", contrasted))
        results = await asyncio.gather(
            *(self.compare(persona, question, own, other, against) for against, other in comparisons)
        )
        for record, pair in results:
            if pair is not None:
                self.pairs.append(self._pair(persona, question, contrast, record, pair))
        draw = DrawRecord(
            draw=index,
            persona_id=persona.persona_id,
            question_id=question.question_id,
            contrast_persona_id=contrast.persona.persona_id if contrast else None,
            attribute=contrast.attribute if contrast else None,
            differing=list(contrast.differing) if contrast else [],
            comparisons=[record for record, _ in results],
        )
        self.draws.append(draw)
        return draw

    def _pair(
        self,
        persona: Persona,
        question: Question,
        contrast: Contrast | None,
        record: ComparisonRecord,
        pair: tuple[str, str],
    ) -> GeneratedPair:
        chosen_source = record.preferred[0]
        assert chosen_source is not None  # a pair has a readable, consistent verdict
        with_contrast = record.against == "contrast" and contrast is not None
        return GeneratedPair(
            pair_id=f"{persona.persona_id}:{question.question_id}:{record.against}",
            prompt=chat_prompt(persona, question),
            chosen=[ChatTurn(role="assistant", content=pair[0])],
            rejected=[ChatTurn(role="assistant", content=pair[1])],
            persona_id=persona.persona_id,
            question_id=question.question_id,
            contrast_persona_id=contrast.persona.persona_id if with_contrast and contrast else None,
            attribute=contrast.attribute if with_contrast and contrast else None,
            chosen_source=chosen_source,
            rejected_source="persona" if chosen_source != "persona" else record.against,
            feedback=record.feedback,
            writer_model=str(self.writer),
            judge_model=str(self.judge),
            consistent=True,
        )


async def _no_answer() -> tuple[str | None, str | None]:
    return None, "no contrasting persona"


async def generate_preferences(
    personas: Sequence[Persona],
    questions: Sequence[Question],
    writer: Model,
    judge: Model,
    out: str | Path,
    *,
    pairs: int,
    max_draws: int,
    seed: int = 0,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    report: Report | None = None,
) -> PreferenceSummary:
    """Generate order-consistent persona preference pairs into a JSONL file, resuming it when present.

    Args:
        personas: Askers and the pool contrasting personas come from (at least two, unique ids).
        questions: Questions to draw from (unique ids).
        writer: Model that writes the answers.
        judge: Role-play judge (ideally not the writer).
        out: Output JSONL (pairs); its draws file sits beside it (:func:`draws_path`).
        pairs: Pairs wanted in the file (a draw's two comparisons can bring it to one more).
        max_draws: Most draws this run.
        seed: Seed of the draw order and of contrast choices.
        max_connections: Most model calls in flight.
        report: Receives the resume line and one progress line per batch (default: stderr).

    Returns:
        Counts of the run.

    Raises:
        ValueError: If a count is below 1, there are fewer than two personas, or ids repeat.
        InputError: If an output file is malformed or cannot be written.
        Exception: The first failure of a model call; rows written before it stay written.
    """
    for name, value in (("pairs", pairs), ("max_draws", max_draws), ("max_connections", max_connections)):
        if value < 1:
            raise ValueError(f"{name} {value}: must be at least 1")
    if len(personas) < 2:
        raise ValueError("at least two personas are needed (one asks, another is the contrast)")
    for what, ids in (("persona", [p.persona_id for p in personas]), ("question", [q.question_id for q in questions])):
        repeated = [key for key, count in Counter(ids).items() if count > 1]
        if repeated:
            raise ValueError(f"{what} ids given more than once: {', '.join(repeated)}")
    report = report or _print_to_stderr
    out = Path(out)
    summary = PreferenceSummary(out, draws_path(out), pairs)
    with (
        JsonlStore(out, GeneratedPair) as pair_store,
        JsonlStore(summary.draws_file, DrawRecord, "draws file") as draw_store,
    ):
        summary.resumed_pairs = summary.pairs = len(pair_store.rows)
        done = {(row.persona_id, row.question_id) for row in pair_store.rows}
        done |= {(row.persona_id, row.question_id) for row in draw_store.rows}
        if pair_store.resumed_rows or draw_store.resumed_rows or pair_store.repaired or draw_store.repaired:
            torn = " (removed a torn last line)" if pair_store.repaired or draw_store.repaired else ""
            report(
                f"resuming {out}: {pair_store.resumed_rows} pairs, {draw_store.resumed_rows} draws already there{torn}"
            )
        run = _Generation(personas, writer, judge, pair_store, draw_store, seed=seed, max_connections=max_connections)

        def undone() -> Iterator[tuple[int, Persona, Question]]:
            for index, (p, q) in enumerate(draw_order(len(personas), len(questions), seed)):
                persona, question = personas[p], questions[q]
                if (persona.persona_id, question.question_id) in done:
                    continue
                if not question.fits(persona):  # the persona could not have asked it ("my husband died...")
                    summary.premise_skipped += 1
                    continue
                yield index, persona, question

        pending = undone()
        batch_number = 0
        while summary.pairs < pairs and summary.draws < max_draws:
            size = min(max_connections, math.ceil((pairs - summary.pairs) / 2), max_draws - summary.draws)
            batch = list(islice(pending, size))
            if not batch:
                summary.exhausted = True
                break
            batch_number += 1
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(run.draw(*item)) for item in batch]
            except ExceptionGroup as failures:
                # A failed model call stops the batch; surface the first failure itself.
                raise failures.exceptions[0] from failures
            outcomes = Counter(c.outcome for task in tasks for c in task.result().comparisons)
            summary.outcomes.update(outcomes)
            summary.draws += len(batch)
            before, summary.pairs = summary.pairs, len(pair_store.rows)
            others = ", ".join(f"{name.replace('_', ' ')} {outcomes[name]}" for name in OUTCOMES[1:])
            report(
                f"batch {batch_number}: {len(batch)} draws, {summary.pairs - before} pairs "
                f"({summary.pairs}/{pairs} in the file); no pair: {others}"
            )
    return summary
