"""The suite's one public input error, and how the command line shows it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

# inspect's own hook prints a PrerequisiteError as its message alone (no traceback), where any
# other exception becomes a long exception-group traceback; InputError subclasses it so that holds
# even where the suite's one-line hook below is not installed. The class is not re-exported
# publicly by inspect 0.3.x (tested at 0.3.285; pyproject pins <0.4).
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


def _one_line(previous: ExceptHook) -> ExceptHook:
    def hook(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> object:
        if isinstance(error, InputError):
            print(error.message, file=sys.stderr, flush=True)
            raise SystemExit(1)
        return previous(kind, error, traceback)

    hook.__pluralbench__ = True  # type: ignore[attr-defined]
    return hook


def show_input_errors_as_one_line() -> None:
    """Make an uncaught :class:`InputError` print its message as one line on stderr and exit 1.

    inspect's exception hook (0.3.285) prints a ``PrerequisiteError`` through rich: padded with a
    blank line before and after, wrapped at the terminal's width, and not at all under
    ``--display none`` (which makes rich's console quiet). This wraps whatever hook is installed
    (inspect's, when the CLI loads the suite's entry point): an :class:`InputError` is printed
    as its one line on stderr, unwrapped, whatever the display; anything else goes to the hook
    as before. Idempotent.
    """
    if not getattr(sys.excepthook, "__pluralbench__", False):
        sys.excepthook = _one_line(sys.excepthook)
