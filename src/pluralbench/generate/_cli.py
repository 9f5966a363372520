"""Command-line conventions every generator shares: one-line usage errors, exit codes, plain error text."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

from inspect_ai.model import Model, get_model
from rich.errors import MarkupError
from rich.text import Text

from pluralbench._errors import InputError

T = TypeVar("T")

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


def writer_and_reviewer(
    parser: Parser, model: str, reviewer: str | None, option: str, work: str
) -> tuple[Model, Model]:
    """Resolve a generator's writer model and the model that reviews its work, before any call.

    An unknown provider, a missing API key or package is a usage error (exit 2, one line). When
    no separate reviewer is named, the writer reviews itself, and a note on stderr says so.

    Args:
        parser: The command's parser (for the usage error).
        model: The writer's model name.
        reviewer: The reviewer's model name, or ``None`` for the writer.
        option: The reviewer's option, named in the note (``--judge-model``).
        work: What the reviewer reviews, for the note (``answers``).

    Returns:
        The writer and the reviewer (the same object when they are one model).
    """
    same = reviewer is None or reviewer == model
    try:
        writer = get_model(model)
        checker = writer if same or reviewer is None else get_model(reviewer)
    except Exception as error:
        # Unknown providers, missing API keys or packages: reported as bad input, before any call.
        parser.error(f"cannot use model: {plain(str(error))}")
    if same:
        print(f"note: {model} also reviews its own {work}; use {option} for an independent review", file=sys.stderr)
    return writer, checker


def run_resumable(parser: Parser, job: Coroutine[Any, Any, T]) -> T | int:
    """Run a resumable generator's job, turning its failures into the documented exit codes.

    Bad input found while running is a usage error (exit 2, one line); an interruption exits
    130 and a model call that failed after the provider's retries exits 1, each with one line
    saying to rerun the same command (the rows written so far stay written).

    Args:
        parser: The command's parser.
        job: The generation coroutine.

    Returns:
        The job's result, or the exit code of an interruption or a failed call.
    """
    try:
        return asyncio.run(job)
    except InputError as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; rerun the same command to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        print(f"{parser.prog}: error: {one_line(error)}; rerun the same command to continue", file=sys.stderr)
        return EXIT_INCOMPLETE
