"""The statements output file: resumable appends and the duplicate rules every new row must pass.

Reading, repairing and appending are the generic resumable store's
(:class:`pluralbench._jsonl_store.JsonlStore`): rows are appended and flushed one at a time, so an
interrupted run loses at most the line being written; on reopening, a torn last line (no newline,
not valid JSON, perhaps cut inside a multi-byte character) is cut off and every complete row
counts towards its persona; an output file that cannot be created or appended to is an
:class:`~pluralbench._errors.InputError`. A new statement is refused when it is out of length bounds, equal
after normalization to any statement in the file (under any persona; a conflict when another
persona holds it with the opposite label), or a near-duplicate of a statement of the same persona
(the content-word Jaccard measure of :mod:`pluralbench.steerability.quality`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from pluralbench._errors import InputError
from pluralbench._jsonl_store import JsonlStore, prepare_output
from pluralbench._text import content_words, jaccard, normalize_statement
from pluralbench.steerability.quality import MAX_CHARS, MIN_CHARS, NEAR_DUPLICATE_THRESHOLD

from ._records import StatementRow

__all__ = ["Rejection", "StatementStore", "clean_statement", "near_duplicate_of", "prepare_output"]


class Rejection(StrEnum):
    """Why a candidate statement was not written."""

    LENGTH = "length"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    NEAR_DUPLICATE = "near_duplicate"
    UNCONFIRMED = "unconfirmed"
    UNCHECKED = "unchecked"
    SURPLUS = "surplus"


def clean_statement(text: str) -> str:
    """Return a candidate statement with surrounding and repeated whitespace removed.

    Args:
        text: The statement as the model wrote it.

    Returns:
        The statement on one line.
    """
    return " ".join(text.split())


def near_duplicate_of(words: frozenset[str], others: Iterable[frozenset[str]]) -> bool:
    """Return whether a content-word set is a near-duplicate of any of ``others``.

    Args:
        words: Content words of the candidate.
        others: Content words of the statements it is compared with.

    Returns:
        True when some Jaccard similarity reaches ``NEAR_DUPLICATE_THRESHOLD``.
    """
    return any(jaccard(words, other) >= NEAR_DUPLICATE_THRESHOLD for other in others)


class StatementStore:
    """The output JSONL file and indexes of the statements it holds.

    Args:
        path: The output file; created when missing, resumed when present.
    """

    def __init__(self, path: Path) -> None:
        """Open (and if needed repair) the output file; see the class docstring."""
        self.path = path
        self._file = JsonlStore(path, StatementRow)
        rows = self._file.rows
        self.repaired = self._file.repaired
        self._ids: set[str] = set()
        self._by_text: dict[str, StatementRow] = {}
        self._rows: dict[str, list[StatementRow]] = defaultdict(list)
        self._words: dict[str, list[frozenset[str]]] = defaultdict(list)
        for row in rows:
            if row.statement_id in self._ids:
                raise InputError(f"output file {path}: duplicate statement_id '{row.statement_id}'")
            self._index(row)
        self.resumed_rows = len(rows)

    def _index(self, row: StatementRow) -> None:
        self._ids.add(row.statement_id)
        self._by_text.setdefault(normalize_statement(row.statement), row)
        self._rows[row.persona_id].append(row)
        self._words[row.persona_id].append(content_words(row.statement))

    def count(self, persona_id: str, agree: bool) -> int:
        """Return how many statements of one persona and label the file holds.

        Args:
            persona_id: The persona.
            agree: The label.

        Returns:
            The number of rows.
        """
        return sum(1 for row in self._rows[persona_id] if row.agree == agree)

    def statements(self, persona_id: str) -> list[StatementRow]:
        """Return the rows of one persona, in file order.

        Args:
            persona_id: The persona.

        Returns:
            Its rows.
        """
        return list(self._rows[persona_id])

    def screen(self, persona_id: str, statement: str, agree: bool) -> Rejection | None:
        """Return why a statement may not be added for a persona, or ``None`` when it may.

        Args:
            persona_id: The persona.
            statement: The cleaned statement.
            agree: Its intended label.

        Returns:
            The rejection reason, or ``None``.
        """
        if not MIN_CHARS <= len(statement) <= MAX_CHARS:
            return Rejection.LENGTH
        held = self._by_text.get(normalize_statement(statement))
        if held is not None:
            conflicting = held.persona_id != persona_id and held.agree != agree
            return Rejection.CONFLICT if conflicting else Rejection.DUPLICATE
        if near_duplicate_of(content_words(statement), self._words[persona_id]):
            return Rejection.NEAR_DUPLICATE
        return None

    def add(self, persona_id: str, statement: str, agree: bool) -> StatementRow:
        """Append a statement with the next free stable id, flushed to disk before returning.

        Args:
            persona_id: The persona.
            statement: The statement (already screened).
            agree: Its label.

        Returns:
            The written row.
        """
        prefix = f"{persona_id}_{'a' if agree else 'd'}"
        number = self.count(persona_id, agree) + 1
        while f"{prefix}{number:02d}" in self._ids:
            number += 1
        row = StatementRow(
            statement_id=f"{prefix}{number:02d}", persona_id=persona_id, statement=statement, agree=agree
        )
        self._file.append(row)
        self._index(row)
        return row

    def close(self) -> None:
        """Close the output file."""
        self._file.close()
