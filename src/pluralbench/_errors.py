"""The suite's one public input error."""

from __future__ import annotations

# inspect prints a PrerequisiteError raised while a task is built as its message alone (a few
# lines, no traceback); any other exception becomes a long exception-group traceback. The class
# is not re-exported publicly by inspect 0.3.x (tested at 0.3.285; pyproject pins <0.4).
from inspect_ai._util.error import PrerequisiteError


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
