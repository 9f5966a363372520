"""The suite's one public input error, and how the command line shows it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

import rich

# inspect prints a PrerequisiteError raised while a task is built as its message alone (a few
# lines, no traceback); any other exception becomes a long exception-group traceback. The class
# is not re-exported publicly by inspect 0.3.x (tested at 0.3.285; pyproject pins <0.4).
from inspect_ai._util.error import PrerequisiteError

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class InputError(PrerequisiteError, ValueError):
    """A task option, data file or model argument is wrong; the message is one line naming it."""

    def __init__(self, message: str) -> None:
        """Create the error.

        Args:
            message: One line naming the option or file (and line and field) and the problem.
        """
        super().__init__(message)
        self.args = (message,)

    def __str__(self) -> str:
        """Return the message."""
        return str(self.message)


def _shown_when_quiet(previous: ExceptHook) -> ExceptHook:
    def hook(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> object:
        if isinstance(error, InputError) and rich.get_console().quiet:
            print(error.message, file=sys.stderr, flush=True)
            raise SystemExit(1)
        return previous(kind, error, traceback)

    hook.__pluralbench__ = True  # type: ignore[attr-defined]
    return hook


def show_input_errors_under_display_none() -> None:
    """Make an uncaught :class:`InputError` print its line on stderr even under ``--display none``.

    inspect's exception hook prints a ``PrerequisiteError`` through rich's global console, which
    ``--display none`` makes quiet (inspect 0.3.285), so ``inspect eval ... --display none`` with a
    bad option would exit 1 printing nothing. This wraps whatever hook is installed (inspect's,
    when the CLI loads the suite's entry point): an :class:`InputError` on a quiet console is
    printed to stderr, anything else goes to the hook as before. Idempotent.
    """
    if not getattr(sys.excepthook, "__pluralbench__", False):
        sys.excepthook = _shown_when_quiet(sys.excepthook)
