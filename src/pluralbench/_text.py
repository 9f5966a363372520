"""Word-level text helpers shared by the families: normalization, content words, Jaccard similarity."""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset(
    "i me my myself a an the and or but if of to in on at for with by from as is am are "
    "be been being was were it its that this these those than then so do does did not no "
    "i'm i'd i'll i've when what which who whom how why where there their they them we "
    "our us you your he she his her will would can could should may might must just very "
    "more most much many some any all about into over under up down out off again".split()
)


def normalize_statement(text: str) -> str:
    """Return the statement lowercased with punctuation removed and spaces collapsed.

    Args:
        text: The statement text.

    Returns:
        The normalized text used for duplicate detection.
    """
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def content_words(text: str) -> frozenset[str]:
    """Return the set of content words of a statement.

    Args:
        text: The statement text.

    Returns:
        Lowercased words with function words removed.
    """
    return frozenset(w for w in normalize_statement(text).split() if w not in FUNCTION_WORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Jaccard similarity of two word sets (0 when both are empty).

    Args:
        a: First word set.
        b: Second word set.

    Returns:
        Size of the intersection divided by the size of the union.
    """
    union = a | b
    return len(a & b) / len(union) if union else 0.0
