"""Resumable append-only JSONL files of pydantic rows, for the generators.

Rows are appended and flushed to disk one at a time, so an interrupted run loses at most the
line being written. On reopening, a torn last line (no final newline, and not valid JSON: cut
mid-object or inside a multi-byte character) is cut off and every complete row is read back;
any other bad line is an error naming the file and line, since it means the file is not one of ours. A file that
cannot be created or appended to is refused before any work starts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from pluralbench._errors import InputError
from pluralbench._files import describe_validation_error

RowT = TypeVar("RowT", bound=BaseModel)


def prepare_output(path: Path, what: str = "output file") -> None:
    """Check that a file can be appended to, creating it (and its directory) when missing.

    Args:
        path: The file.
        what: What the file is, for messages.

    Raises:
        InputError: ``<what> X: cannot be written (reason)``, before any work starts.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as error:
        blocking = next((parent for parent in path.parents if parent.exists()), None)
        reason = f"{blocking} is not a directory" if blocking and not blocking.is_dir() else error.strerror or error
        raise InputError(f"{what} {path}: cannot be written ({reason})") from error


def read_rows(path: Path, model: type[RowT], what: str = "output file") -> tuple[list[RowT], bytes | None]:
    """Read the complete rows of an existing JSONL file.

    The file is split into lines at newline bytes, so a row holding U+2028 stays one line and a
    last line torn inside a multi-byte character is recognised as torn, not as an unreadable file.

    Args:
        path: The file.
        model: The pydantic model of one row.
        what: What the file is, for messages (``"output file"``).

    Returns:
        The rows, and the bytes to keep when the file needs repair (a torn last line cut off, or
        a complete but unterminated last line given its newline); ``None`` when it needs none.

    Raises:
        InputError: When the file cannot be read, or a line other than a torn last one is not a valid row.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{what} {path}: cannot be read ({error.strerror or error})") from error
    lines = data.split(b"\n")
    tail = lines.pop()  # what follows the last newline: empty unless the last write was torn
    if tail.strip():
        try:
            json.loads(tail.decode("utf-8"))
            lines.append(tail)  # complete but unterminated: kept, with its newline restored
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass  # torn: dropped
    rows: list[RowT] = []
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{what} {path}, line {number}: not UTF-8 text ({error.reason})") from error
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as error:
            raise InputError(f"{what} {path}, line {number}: {describe_validation_error(error)}") from error
    kept = b"".join(line + b"\n" for line in lines)
    return rows, (kept if kept != data else None)


class JsonlStore(Generic[RowT]):
    """An append-only JSONL file of validated rows, resumed when it exists.

    Args:
        path: The file; created (with its folder) when missing, read and repaired when present.
            A file that cannot be created or appended to is an :class:`InputError` at once.
        model: The pydantic model of one row.
        what: What the file is, for messages.

    Attributes:
        rows: The rows read back when the store was opened, then every row appended.
        resumed_rows: How many rows the file held when opened.
        repaired: Whether a torn last line was cut off (or a final newline added) on opening.
    """

    def __init__(self, path: Path, model: type[RowT], what: str = "output file") -> None:
        """Open the file; see the class docstring."""
        self.path = path
        self.model = model
        self.what = what
        self.rows: list[RowT] = []
        self.repaired = False
        prepare_output(path, what)
        self.rows, repair = read_rows(path, model, what)
        try:
            if repair is not None:
                path.write_bytes(repair)
                self.repaired = True
            self._file: IO[str] = path.open("a", encoding="utf-8")
        except OSError as error:
            raise InputError(f"{what} {path}: cannot be written ({error.strerror or error})") from error
        self.resumed_rows = len(self.rows)

    def append(self, row: RowT) -> None:
        """Append one row, flushed and synced to disk before returning.

        Args:
            row: The row.
        """
        self._file.write(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.rows.append(row)

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> JsonlStore[RowT]:
        """Return the store."""
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Close the file."""
        self.close()
