"""The ``preferences`` command of ``python -m pluralbench.generate``: persona preference pairs, resumable.

Writes order-consistent pairs in TRL's conversational preference format (see :mod:`.generate`)
to ``--out``, and every finished draw with its comparisons' outcomes to ``<out stem>.draws.jsonl``
beside it. Exit status: 0 when the file holds ``--pairs`` pairs, 1 when it does not (this run's
draws spent, every (persona, question) drawn, or a model call failed; rerun the same command to
continue), 2 on bad input, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pluralbench._errors import InputError
from pluralbench._jsonl_store import prepare_output
from pluralbench.generate._cli import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    Parser,
    run_resumable,
    writer_and_reviewer,
)
from pluralbench.model import DEFAULT_MODEL
from pluralbench.persona.data import load_personas, load_questions

from .generate import DEFAULT_MAX_CONNECTIONS, OUTCOMES, PreferenceSummary, draws_path, generate_preferences

HELP = "persona preference pairs (prompt, chosen, rejected) from a writer and a role-play judge"
DESCRIPTION = (
    "Generate persona preference pairs: for each drawn (persona, question), answers written for the persona, "
    "for a contrasting persona and for nobody in particular; a role-play judge with the full persona picks "
    "the preferred answer in both orders, and only order-consistent verdicts become pairs. Output: TRL's "
    "conversational preference format; every draw is recorded in <out stem>.draws.jsonl. A rerun resumes. "
    "Exit status: 0 done, 1 fewer pairs than wanted (rerun to continue), 2 bad input, 130 interrupted."
)
DEFAULT_PAIRS = 100
DEFAULT_OUT = Path("persona_preferences_generated.jsonl")
DRAWS_PER_PAIR = 2
"""Default draw budget per pair wanted (a draw yields at most two pairs)."""


def add_arguments(parser: Parser) -> None:
    """Add the command's options.

    Args:
        parser: The command's parser.
    """
    parser.add_argument(
        "--model", metavar="MODEL", default=DEFAULT_MODEL, help=f"writer model (default: {DEFAULT_MODEL})"
    )
    parser.add_argument("--judge-model", metavar="MODEL", help="role-play judge (default: the writer model)")
    parser.add_argument("--personas", metavar="PATH", type=Path, help="persona JSONL (default: the bundled personas)")
    parser.add_argument(
        "--questions", metavar="PATH", type=Path, help="question JSONL (default: the bundled questions)"
    )
    parser.add_argument(
        "--pairs",
        metavar="N",
        type=int,
        default=DEFAULT_PAIRS,
        help=f"pairs wanted in the file (default: {DEFAULT_PAIRS})",
    )
    parser.add_argument(
        "--out", metavar="PATH", type=Path, default=DEFAULT_OUT, help="output JSONL; an existing file is resumed"
    )
    parser.add_argument(
        "--max-draws",
        metavar="N",
        type=int,
        help=f"most (persona, question) draws this run, 7 calls each (default: {DRAWS_PER_PAIR} x --pairs)",
    )
    parser.add_argument("--seed", metavar="N", type=int, default=0, help="seed of the draws and contrast personas")
    parser.add_argument(
        "--max-connections",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help=f"most model calls in flight (default: {DEFAULT_MAX_CONNECTIONS})",
    )


def _report(summary: PreferenceSummary, max_draws: int) -> int:
    outcomes = ", ".join(f"{name.replace('_', ' ')} {summary.outcomes[name]}" for name in OUTCOMES)
    print(
        f"wrote {summary.written} pairs to {summary.out} ({summary.resumed_pairs} were already there); "
        f"this run: {summary.draws} draws ({summary.premise_skipped} passed over: persona outside the "
        f"question's premise), comparisons: {outcomes}; draws recorded in {summary.draws_file}",
        file=sys.stderr,
    )
    print(f"{summary.pairs} of {summary.target} pairs", file=sys.stderr)
    if summary.complete:
        return EXIT_OK
    if summary.exhausted:
        print("every (persona, question) has been drawn; give more personas or questions", file=sys.stderr)
    else:
        print(f"this run's {max_draws} draws are spent; rerun the same command to continue", file=sys.stderr)
    return EXIT_INCOMPLETE


def run(parser: Parser, args: argparse.Namespace) -> int:
    """Run the command.

    Args:
        parser: The command's parser (for one-line usage errors).
        args: Parsed options.

    Returns:
        The exit code.
    """
    max_draws = args.max_draws if args.max_draws is not None else DRAWS_PER_PAIR * args.pairs
    for option, value in (
        ("--pairs", args.pairs),
        ("--max-draws", max_draws),
        ("--max-connections", args.max_connections),
    ):
        if value < 1:
            parser.error(f"{option} {value}: must be at least 1")
    try:
        personas = load_personas(args.personas)
        questions = load_questions(args.questions)
        prepare_output(args.out)
        prepare_output(draws_path(args.out), "draws file")
    except InputError as error:
        parser.error(str(error))
    if len(personas) < 2:
        parser.error(f"--personas {args.personas}: needs at least two personas (an asker and a contrast)")
    writer, judge = writer_and_reviewer(parser, args.model, args.judge_model, "--judge-model", "answers")
    outcome = run_resumable(
        parser,
        generate_preferences(
            personas,
            questions,
            writer,
            judge,
            args.out,
            pairs=args.pairs,
            max_draws=max_draws,
            seed=args.seed,
            max_connections=args.max_connections,
        ),
    )
    if isinstance(outcome, int):
        return outcome
    return _report(outcome, max_draws)
