"""Finding and reading inspect logs: the one place in pluralbench that opens log files.

By default the newest log of a task in ``./logs`` (or ``INSPECT_LOG_DIR``); otherwise explicit
files and directories. Errors are one line, fit to show a user.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

SKIPPED_SAMPLE_FIELDS = {"messages", "events", "store", "attachments"}
"""Sample fields never needed for analysis; left unread in ``.eval`` logs."""


class LogAnalysisError(Exception):
    """A log cannot be analysed; the message is one line, fit to show a user."""


class NoMatchingLogError(LogAnalysisError):
    """No log of the wanted task exists where we looked."""


class WrongTaskError(LogAnalysisError):
    """A log given explicitly is from a different task."""


class UnreadableLogError(LogAnalysisError):
    """A file is not a readable inspect log."""


def short_task_name(task: str) -> str:
    """Return a task name without its package prefix (``pluralbench/persona_loo`` -> ``persona_loo``).

    Args:
        task: A task name as logged.

    Returns:
        The short name.
    """
    return task.rsplit("/", 1)[-1]


def default_log_dir() -> str:
    """Return ``INSPECT_LOG_DIR`` when set, else ``./logs``."""
    return os.environ.get("INSPECT_LOG_DIR") or "./logs"


def wanted_tasks(tasks: str | Sequence[str]) -> list[str]:
    """Return the short names of the accepted task(s).

    Args:
        tasks: A task name or names, with or without package prefix.

    Returns:
        Short names.
    """
    return [short_task_name(t) for t in ([tasks] if isinstance(tasks, str) else tasks)]


def one_line(error: BaseException) -> str:
    """Return the first line of an error's message (its type name when empty).

    Args:
        error: The error.

    Returns:
        One line.
    """
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def read_log(path: str, header_only: bool = False) -> EvalLog:
    """Read an inspect log, leaving out the sample fields analysis never needs.

    Args:
        path: Log file.
        header_only: Read the header only.

    Returns:
        The log.

    Raises:
        NoMatchingLogError: No file at ``path``.
        UnreadableLogError: The file is not a readable inspect log.
    """
    if not Path(path).is_file():
        raise NoMatchingLogError(f"no log file at {path}")
    try:
        return read_eval_log(path, header_only=header_only, exclude_fields=SKIPPED_SAMPLE_FIELDS)
    except Exception as error:  # any failure to parse means the file is not a usable log
        raise UnreadableLogError(f"cannot read {path} as an inspect log: {one_line(error)}") from error


def _local_path(name: str) -> str:
    return name.removeprefix("file://")


def _newest_in_dir(log_dir: str, wanted: list[str], distinct: Sequence[str]) -> list[str]:
    if not Path(log_dir).is_dir():
        raise NoMatchingLogError(f"no log directory {log_dir}: pass --log or set INSPECT_LOG_DIR")
    file_tasks = {t.replace("_", "-") for t in wanted} | set(wanted)
    found: dict[tuple[str, ...], str] = {}
    for info in list_eval_logs(log_dir, descending=True):
        if info.task and short_task_name(info.task) not in file_tasks:
            continue
        path = _local_path(info.name)
        try:
            header = read_eval_log(path, header_only=True)
        except Exception:  # an unreadable file in a directory is skipped, not fatal, when searching
            continue
        if short_task_name(header.eval.task) not in wanted:
            continue
        key = (header.eval.model, *(str(header.eval.task_args.get(arg)) for arg in distinct)) if distinct else ()
        found.setdefault(key, path)
        if not distinct:
            break
    if not found:
        raise NoMatchingLogError(f"no {' or '.join(wanted)} log in {log_dir}: run the task first or pass --log")
    return list(found.values())


def find_logs(
    tasks: str | Sequence[str],
    paths: Sequence[str] = (),
    log_dir: str | None = None,
    distinct: Sequence[str] = (),
) -> list[str]:
    """Find the logs to analyse.

    Args:
        tasks: Accepted task name(s), with or without the ``pluralbench/`` prefix.
        paths: Explicit log files (``.eval`` or ``.json``, returned as given) or directories
            (searched); when empty, ``log_dir`` is searched.
        log_dir: Directory searched when no paths are given (default: :func:`default_log_dir`).
        distinct: When empty, a searched directory yields its newest matching log; otherwise the
            newest log for each model and combination of these task arguments (e.g. ``("mode",)``).

    Returns:
        Log file paths, newest first within each searched directory.

    Raises:
        NoMatchingLogError: When a given file does not exist or a directory holds no matching log.
    """
    wanted = wanted_tasks(tasks)
    if not paths:
        return _newest_in_dir(log_dir or default_log_dir(), wanted, distinct)
    found: list[str] = []
    for path in paths:
        if Path(path).is_dir():
            found.extend(_newest_in_dir(str(path), wanted, distinct))
        elif Path(path).is_file():
            found.append(str(path))
        else:
            raise NoMatchingLogError(f"no log file or directory at {path}")
    return found
