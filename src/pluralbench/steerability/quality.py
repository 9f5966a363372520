"""Quality checks for steerability statement files.

The checks reject the defects found in the published steerability dataset: exact and
normalized duplicates, one statement carrying opposite labels under two personas,
near-duplicate pairs within a persona, label imbalance, and statements out of bounds.

Near-duplicate measure: Jaccard similarity of the sets of content words (lowercased,
punctuation stripped, a short list of function words removed). Two statements of the
same persona with similarity >= ``NEAR_DUPLICATE_THRESHOLD`` are a near-duplicate pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

from pluralbench._errors import InputError
from pluralbench._files import read_text_file, split_lines
from pluralbench._text import content_words, jaccard, normalize_statement

NEAR_DUPLICATE_THRESHOLD = 0.6
MIN_CHARS = 30
MAX_CHARS = 160
AGREE_PER_PERSONA = 30
DISAGREE_PER_PERSONA = 30


def statement_problems(
    rows: Iterable[Mapping[str, Any]],
    *,
    expected_personas: Iterable[str] | None = None,
    agree_per_persona: int = AGREE_PER_PERSONA,
    disagree_per_persona: int = DISAGREE_PER_PERSONA,
) -> list[str]:
    """List every quality problem in a collection of statement rows.

    Each row needs ``statement_id``, ``persona_id``, ``statement`` and ``agree``.

    Args:
        rows: Statement rows.
        expected_personas: Persona ids that must each have a full set of statements.
        agree_per_persona: Required number of agree statements per persona.
        disagree_per_persona: Required number of disagree statements per persona.

    Returns:
        Human-readable problems; empty when the rows pass every check.
    """
    problems: list[str] = []
    seen_ids: set[str] = set()
    by_normalized: dict[str, list[tuple[str, bool, str]]] = defaultdict(list)
    by_persona: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for row in rows:
        sid, pid, text, agree = row["statement_id"], row["persona_id"], row["statement"], row["agree"]
        if sid in seen_ids:
            problems.append(f"duplicate statement_id {sid}")
        seen_ids.add(sid)
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            problems.append(f"{sid}: length {len(text)} outside {MIN_CHARS}-{MAX_CHARS}")
        by_normalized[normalize_statement(text)].append((pid, bool(agree), sid))
        by_persona[pid].append((sid, text, bool(agree)))
    for entries in by_normalized.values():
        if len(entries) > 1:
            ids = ", ".join(sid for _, _, sid in entries)
            if len({agree for _, agree, _ in entries}) > 1 and len({pid for pid, _, _ in entries}) > 1:
                problems.append(f"same statement with opposite labels under two personas: {ids}")
            else:
                problems.append(f"duplicate statement: {ids}")
    personas = set(by_persona) | set(expected_personas or ())
    for pid in sorted(personas):
        items = by_persona.get(pid, [])
        n_agree = sum(1 for _, _, agree in items if agree)
        n_disagree = len(items) - n_agree
        if (n_agree, n_disagree) != (agree_per_persona, disagree_per_persona):
            problems.append(
                f"{pid}: {n_agree} agree / {n_disagree} disagree, expected {agree_per_persona} / {disagree_per_persona}"
            )
        words = [(sid, content_words(text)) for sid, text, _ in items]
        for (sid_a, words_a), (sid_b, words_b) in combinations(words, 2):
            similarity = jaccard(words_a, words_b)
            if similarity >= NEAR_DUPLICATE_THRESHOLD:
                problems.append(f"{pid}: near-duplicate {sid_a} ~ {sid_b} (jaccard {similarity:.2f})")
    return problems


def main(argv: list[str]) -> int:
    """Check statement JSONL files given on the command line and print problems.

    Args:
        argv: Paths of JSONL files.

    Returns:
        Process exit code: 0 when clean, 1 when problems were found, 2 on a bad file or usage.
    """
    parser = argparse.ArgumentParser(
        prog="python -m pluralbench.steerability.quality", description="Check steerability statement JSONL files."
    )
    parser.add_argument("files", nargs="+", type=Path, help="statement JSONL files")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for path in args.files:
        try:
            text = read_text_file(path, "statement file")
            rows.extend(json.loads(line) for line in split_lines(text) if line.strip())
        except (InputError, json.JSONDecodeError) as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            return 2
    problems = statement_problems(rows)
    for problem in problems:
        print(problem)
    print(f"{len(rows)} statements, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
