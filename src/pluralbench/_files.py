r"""Reading user and bundled data files with errors that name the file, line and field.

Text files are UTF-8, with or without a byte-order mark (spreadsheet exports add one). JSONL
records are split at ``\n`` only: ``str.splitlines`` would also split at U+2028, U+0085 and
other characters that JSON allows raw inside a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pluralbench._errors import InputError

ModelT = TypeVar("ModelT", bound=BaseModel)


def bundled_path(name: str) -> Path:
    """Return the path of a file bundled in ``pluralbench/data``.

    Args:
        name: File name inside the data package.

    Returns:
        The file's path on disk.
    """
    return Path(str(files("pluralbench.data").joinpath(name)))


def describe_validation_error(error: ValidationError) -> str:
    """Summarize a pydantic error as ``field: problem`` parts.

    Args:
        error: The validation error.

    Returns:
        One line naming each failing field and its problem.
    """
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(record)"
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        parts.append(f"field '{field}': {message}")
    return "; ".join(parts)


def split_lines(text: str, keepends: bool = False) -> list[str]:
    r"""Split text into lines at ``\n`` only (a ``\r`` before it goes with the line ending).

    Unlike ``str.splitlines``, characters such as U+2028, U+2029, U+0085 or a form feed inside a
    JSON string or a quoted CSV field do not end a line, so line numbers match what editors show.

    Args:
        text: The text.
        keepends: Keep each line's ending (for ``csv`` readers, which need it).

    Returns:
        The lines; no empty last line for text that ends with a newline.
    """
    lines = text.split("\n")
    if keepends:
        return [f"{line}\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def read_text_file(path: str | Path, what: str) -> str:
    """Read a UTF-8 text file (a leading byte-order mark is dropped), with a clear :class:`InputError`.

    Args:
        path: File to read.
        what: What the file is for, used in the message (e.g. ``"persona file"``).

    Returns:
        The file's text.

    Raises:
        InputError: If the file is missing or unreadable.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{what} {file}: no such file")
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{what} {file}: cannot be read ({error})") from error


def read_json_file(path: str | Path, what: str) -> Any:
    """Parse a JSON file with a message naming the file and position on failure.

    Args:
        path: File to read.
        what: What the file is for, used in messages.

    Returns:
        The parsed JSON value.

    Raises:
        InputError: If the file is missing, unreadable or not valid JSON.
    """
    text = read_text_file(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{what} {path}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error


def read_jsonl_models(
    path: str | Path,
    model: type[ModelT],
    what: str,
    *,
    id_of: Callable[[ModelT], str] | None = None,
    check: Callable[[ModelT], list[str]] | None = None,
) -> list[ModelT]:
    """Read a JSONL file into validated pydantic models.

    Args:
        path: The JSONL file.
        model: The pydantic model of one line.
        what: What the file is for, used in messages.
        id_of: Returns a record's id; duplicates are rejected when given.
        check: Extra per-record checks returning problems.

    Returns:
        One model per non-empty line, in file order.

    Raises:
        InputError: On the first malformed, invalid or duplicate record, naming the file and line.
    """
    records: list[ModelT] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(split_lines(read_text_file(path, what)), start=1):
        if not line.strip():
            continue
        where = f"{what} {path}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{where}: invalid JSON ({error.msg})") from error
        try:
            record = model.model_validate(raw)
        except ValidationError as error:
            raise InputError(f"{where}: {describe_validation_error(error)}") from error
        if check is not None and (problems := check(record)):
            raise InputError(f"{where}: {'; '.join(problems)}")
        if id_of is not None:
            record_id = id_of(record)
            if record_id in seen:
                raise InputError(f"{where}: duplicate id '{record_id}' (first on line {seen[record_id]})")
            seen[record_id] = number
        records.append(record)
    if not records:
        raise InputError(f"{what} {path}: contains no records")
    return records
