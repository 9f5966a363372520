"""Generate datasets with a model: ``python -m pluralbench.steerability.generate statements [options]``.

``statements`` writes agree and disagree statements for framework personas, kept only when an
independent agreement check confirms them, to a JSONL file that a rerun resumes.
Exit status: 0 when every persona is complete, 1 when some are not (or a model call failed;
rerun to continue), 2 on bad input (options, persona file, a model that cannot be used, or an
output file that cannot be read or written), with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pluralbench._files import bundled_path
from pluralbench.generate._cli import EXIT_INCOMPLETE, EXIT_OK, Parser, run_resumable, writer_and_reviewer
from pluralbench.model import DEFAULT_MODEL

from ._records import read_framework_personas
from ._store import prepare_output
from .statements import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_ROUNDS,
    GenerationSummary,
    generate_statements,
)

PROG = "python -m pluralbench.steerability.generate"
DEFAULT_PER_PERSONA = 30
DEFAULT_OUT = Path("statements_generated.jsonl")


def _parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    statements = commands.add_parser(
        "statements",
        help="agree/disagree statements for framework personas",
        description="Generate confirmed agree and disagree statements for framework personas (resumable).",
    )
    statements.add_argument(
        "--persona-file",
        metavar="PATH",
        type=Path,
        default=bundled_path("framework_personas.jsonl"),
        help="framework personas JSONL (default: the bundled framework_personas.jsonl)",
    )
    statements.add_argument(
        "--personas",
        nargs="+",
        metavar="ID",
        help="persona ids to generate for, space- or comma-separated (default: all)",
    )
    statements.add_argument(
        "--model", metavar="MODEL", default=DEFAULT_MODEL, help=f"writer model (default: {DEFAULT_MODEL})"
    )
    statements.add_argument(
        "--checker-model", metavar="MODEL", help="model for the agreement check (default: the writer model)"
    )
    statements.add_argument(
        "--per-persona",
        metavar="N",
        type=int,
        default=DEFAULT_PER_PERSONA,
        help="agree and disagree statements each, per persona",
    )
    statements.add_argument(
        "--out", metavar="PATH", type=Path, default=DEFAULT_OUT, help="output JSONL; an existing file is resumed"
    )
    statements.add_argument(
        "--max-rounds", metavar="N", type=int, default=DEFAULT_MAX_ROUNDS, help="most writer calls per persona"
    )
    statements.add_argument(
        "--batch-size",
        metavar="N",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help="most candidates per persona, label and round",
    )
    statements.add_argument("--seed", metavar="N", type=int, default=0, help="seed of topics, shuffling and sampling")
    statements.add_argument(
        "--max-connections", metavar="N", type=int, default=DEFAULT_MAX_CONNECTIONS, help="most model calls in flight"
    )
    statements.add_argument(
        "--temperature", metavar="T", type=float, help="writer temperature (default: the provider's)"
    )
    statements.set_defaults(command_parser=statements)
    return parser


def _print_summary(summary: GenerationSummary, max_rounds: int) -> int:
    rejected = ", ".join(f"{reason} {count}" for reason, count in sorted(summary.rejected().items())) or "none"
    writer_errors = sum(progress.malformed_writer for progress in summary.personas)
    checker_errors = sum(progress.malformed_checker for progress in summary.personas)
    print(
        f"wrote {summary.written} statements to {summary.out} ({summary.resumed_rows} were already there); "
        f"rejected: {rejected}; unusable replies: writer {writer_errors}, checker {checker_errors}",
        file=sys.stderr,
    )
    complete = len(summary.personas) - len(summary.incomplete)
    print(f"{complete} of {len(summary.personas)} personas complete", file=sys.stderr)
    if summary.incomplete:
        print(
            f"incomplete after {max_rounds} rounds: {', '.join(summary.incomplete)}; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    return EXIT_OK


def _statements(parser: Parser, args: argparse.Namespace) -> int:
    for option, value in (
        ("--per-persona", args.per_persona),
        ("--max-rounds", args.max_rounds),
        ("--batch-size", args.batch_size),
        ("--max-connections", args.max_connections),
    ):
        if value < 1:
            parser.error(f"{option} {value}: must be at least 1")
    ids = [pid for item in args.personas for pid in item.split(",") if pid] if args.personas else None
    try:
        personas = read_framework_personas(args.persona_file, ids)
        prepare_output(args.out)
    except ValueError as error:
        parser.error(str(error))
    writer, checker = writer_and_reviewer(parser, args.model, args.checker_model, "--checker-model", "statements")
    outcome = run_resumable(
        parser,
        generate_statements(
            personas,
            writer,
            checker,
            args.out,
            per_persona=args.per_persona,
            max_rounds=args.max_rounds,
            batch_size=args.batch_size,
            seed=args.seed,
            max_connections=args.max_connections,
            temperature=args.temperature,
        ),
    )
    if isinstance(outcome, int):
        return outcome
    return _print_summary(outcome, args.max_rounds)


def main(argv: list[str] | None = None) -> int:
    """Run a generation command.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        Process exit code.
    """
    args = _parser().parse_args(argv)
    return _statements(args.command_parser, args)


if __name__ == "__main__":
    sys.exit(main())
