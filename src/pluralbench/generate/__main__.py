"""Generate datasets with a model: ``python -m pluralbench.generate COMMAND [options]``.

Commands:
  preferences   persona preference pairs (prompt, chosen, rejected) from a writer and a role-play judge

Every command writes a JSONL file that a rerun of the same command resumes, prints one progress
line per batch on stderr, and exits 0 when the file holds what was asked, 1 when it does not yet
(or a model call failed; rerun to continue), 2 on bad input, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import Protocol

from ._cli import Parser

PROG = "python -m pluralbench.generate"


class Command(Protocol):
    """What a command module provides."""

    HELP: str
    DESCRIPTION: str

    def add_arguments(self, parser: Parser) -> None:
        """Add the command's options."""

    def run(self, parser: Parser, args: argparse.Namespace) -> int:
        """Run the command; return the exit code."""


COMMANDS: dict[str, str] = {"preferences": "pluralbench.persona.preferences.cli"}
"""Command name -> module in its task family."""


def _parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for name, module_name in COMMANDS.items():
        module: Command = import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(sub)
        sub.set_defaults(command_module=module, command_parser=sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a generation command.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    args = _parser().parse_args(argv)
    module: Command = args.command_module
    return module.run(args.command_parser, args)


if __name__ == "__main__":
    sys.exit(main())
