"""Command-line conventions every generator shares: one-line usage errors, exit codes, plain error text."""

from __future__ import annotations

import argparse
from typing import NoReturn

from rich.errors import MarkupError
from rich.text import Text

EXIT_OK = 0
EXIT_INCOMPLETE = 1
"""Fewer rows than wanted, or a model call failed: rerun the same command to continue."""
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """Argument parser whose errors are a single line on stderr, with exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and exit with status 2.

        Args:
            message: The problem.
        """
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {' '.join(message.split())}\n")


def plain(message: str) -> str:
    """Return a message without the rich console markup some provider errors carry.

    Args:
        message: The message.

    Returns:
        Its plain text.
    """
    try:
        return Text.from_markup(message).plain
    except MarkupError:
        return message


def one_line(error: BaseException) -> str:
    """Return an error as ``Type: message`` on one line.

    Args:
        error: The error.

    Returns:
        The text.
    """
    return f"{type(error).__name__}: {' '.join(plain(str(error)).split())}"
