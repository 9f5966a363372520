"""Quality check of preference-pair files: ``python -m pluralbench.persona.preferences.quality [FILE ...]``.

Checks every pair (all files together, so duplicates across files are found too):

- each line is valid JSON in the preference layout (:class:`~.records.PreferencePair`);
- ``pair_id`` is unique; question, persona and contrast persona ids exist;
- both answers are non-empty and differ; no answer appears in pairs of two different (persona,
  question) asks (compared after lowercasing and removing punctuation); no sentence of
  ``REUSED_SENTENCE_WORDS`` or more words appears in pairs of two different asks (answers
  assembled from shared fragments). Within one ask, generated pairs share the persona's answer
  by design (it is compared against two others);
- both personas fit the question's premise (its ``requires``: "my husband died" needs a widowed
  woman), so either could have asked it;
- ``contrast_persona_id`` and ``attribute`` come together; the contrast persona is not the asker;
  both personas have the attribute and their values differ;
- no (persona, question) is repeated (bundled layout; generated pairs are unique by ``pair_id``);
- each answer has ``MIN_WORDS``-``MAX_WORDS`` words (the bundled set's rule; ``--any-length``
  skips it, e.g. for generated files) and never mentions a "persona".

Exit status: 0 when clean, 1 with one line per problem on stdout, 2 when a file or option is unusable.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pluralbench._errors import InputError
from pluralbench._files import bundled_path, describe_validation_error, read_text_file, split_lines
from pluralbench._text import normalize_statement
from pluralbench.persona.data import Question, load_personas, load_questions
from pluralbench.personas import Persona

from .records import BUNDLED_PREFERENCES, PreferencePair, reference_problems

MIN_WORDS = 60
MAX_WORDS = 160
REUSED_SENTENCE_WORDS = 8
"""Sentences at least this long may not appear in two pairs."""
PERSONA_WORD = re.compile(r"\bpersonas?\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
Ask = tuple[str, str]
"""A (persona id, question id)."""


@dataclass(frozen=True)
class LinePair:
    """A pair and where it was read.

    Attributes:
        where: ``file:line``.
        pair: The pair.
    """

    where: str
    pair: PreferencePair


def read_pairs(paths: Sequence[Path]) -> tuple[list[LinePair], list[str]]:
    """Read preference files line by line, collecting unreadable lines as problems.

    Args:
        paths: JSONL files.

    Returns:
        The readable pairs and one problem per unreadable line.

    Raises:
        InputError: When a file is missing or cannot be read.
    """
    pairs: list[LinePair] = []
    problems: list[str] = []
    for path in paths:
        for number, line in enumerate(split_lines(read_text_file(path, "preference file")), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                pairs.append(LinePair(where, PreferencePair.model_validate(json.loads(line))))
            except json.JSONDecodeError as error:
                problems.append(f"{where}: invalid JSON ({error.msg})")
            except ValidationError as error:
                problems.append(f"{where}: {describe_validation_error(error)}")
    return pairs, problems


def differs(attribute: str, asker: Persona, contrast: Persona) -> bool:
    """Return whether two personas both have an attribute and their values differ.

    Args:
        attribute: Persona attribute name.
        asker: The asking persona.
        contrast: The contrast persona.

    Returns:
        True when both values are present and unequal.
    """
    values = asker.attribute_values(), contrast.attribute_values()
    return all(attribute in v for v in values) and values[0][attribute] != values[1][attribute]


def _sentences(text: str) -> list[str]:
    return [s for s in (normalize_statement(part) for part in SENTENCE_END.split(text)) if s]


def _contrast_problems(item: LinePair, personas: Mapping[str, Persona], questions: Mapping[str, Question]) -> list[str]:
    pair = item.pair
    problems = reference_problems(pair, personas, questions)
    question = questions.get(pair.question_id)
    for field, pid in (("persona_id", pair.persona_id), ("contrast_persona_id", pair.contrast_persona_id)):
        if question is not None and pid is not None and pid in personas and not question.fits(personas[pid]):
            premise = ", ".join(f"{name} {allowed}" for name, allowed in (question.requires or {}).items())
            problems.append(f"{field} {pid} does not fit the premise of {pair.question_id} ({premise})")
    if (pair.contrast_persona_id is None) != (pair.attribute is None):
        problems.append("contrast_persona_id and attribute must be given together")
    elif pair.contrast_persona_id is not None and pair.attribute is not None:
        if pair.contrast_persona_id == pair.persona_id:
            problems.append("the contrast persona is the asking persona")
        elif pair.persona_id in personas and pair.contrast_persona_id in personas:
            asker, contrast = personas[pair.persona_id], personas[pair.contrast_persona_id]
            if not differs(pair.attribute, asker, contrast):
                values = [p.attribute_values().get(pair.attribute) for p in (asker, contrast)]
                problems.append(f"personas do not differ on {pair.attribute} ({values[0]!r} vs {values[1]!r})")
    return problems


def _answer_problems(pair: PreferencePair, word_bounds: tuple[int, int] | None) -> list[str]:
    problems = []
    for field, text in (("chosen", pair.chosen_text), ("rejected", pair.rejected_text)):
        words = len(text.split())
        if word_bounds is not None and not word_bounds[0] <= words <= word_bounds[1]:
            problems.append(f"{field} has {words} words, outside {word_bounds[0]}-{word_bounds[1]}")
        if PERSONA_WORD.search(text):
            problems.append(f"{field} mentions a persona")
    return problems


def preference_problems(
    pairs: Sequence[LinePair],
    personas: Mapping[str, Persona],
    questions: Mapping[str, Question],
    *,
    word_bounds: tuple[int, int] | None = (MIN_WORDS, MAX_WORDS),
) -> list[str]:
    """List every quality problem of a collection of preference pairs.

    Args:
        pairs: The pairs with where they were read.
        personas: Known personas by id.
        questions: Known questions by id.
        word_bounds: Allowed answer length in words, or ``None`` to skip the length check.

    Returns:
        One line per problem, ``<pair_id> (<file:line>): <problem>``; empty when all pass.
    """
    problems: list[str] = []
    first_id: dict[str, str] = {}
    by_answer: dict[str, dict[str, Ask]] = defaultdict(dict)
    by_sentence: dict[str, dict[str, Ask]] = defaultdict(dict)
    by_ask: dict[Ask, list[str]] = defaultdict(list)
    for item in pairs:
        pair = item.pair
        ask = (pair.persona_id, pair.question_id)
        label = f"{pair.pair_id} ({item.where})"
        if pair.pair_id in first_id:
            problems.append(f"{label}: duplicate pair_id (first at {first_id[pair.pair_id]})")
        first_id.setdefault(pair.pair_id, item.where)
        found = _contrast_problems(item, personas, questions) + _answer_problems(pair, word_bounds)
        problems.extend(f"{label}: {problem}" for problem in found)
        for text in (pair.chosen_text, pair.rejected_text):
            by_answer[normalize_statement(text)][pair.pair_id] = ask
            for sentence in _sentences(text):
                if len(sentence.split()) >= REUSED_SENTENCE_WORDS:
                    by_sentence[sentence][pair.pair_id] = ask
        if pair.prompt is None:
            by_ask[ask].append(pair.pair_id)
    for answer_ids in by_answer.values():
        if len(set(answer_ids.values())) > 1:
            problems.append(f"duplicate answer in {', '.join(answer_ids)}")
    for sentence, sentence_ids in by_sentence.items():
        if len(set(sentence_ids.values())) > 1:
            problems.append(f"sentence reused in {', '.join(sorted(sentence_ids))}: '{sentence[:70]}'")
    for (persona_id, question_id), ask_ids in by_ask.items():
        if len(ask_ids) > 1:
            problems.append(f"persona {persona_id} asks {question_id} in more than one pair: {', '.join(ask_ids)}")
    return problems


def summary(pairs: Sequence[LinePair], problems: Sequence[str]) -> str:
    """Return the one-line summary printed after the problems.

    Args:
        pairs: The pairs read.
        problems: Their problems.

    Returns:
        Counts of pairs, attributes (with the largest share), personas, questions and problems.
    """
    attributes = Counter(item.pair.attribute for item in pairs if item.pair.attribute)
    top = f", largest {attributes.most_common(1)[0][0]} {attributes.most_common(1)[0][1]}" if attributes else ""
    askers = {item.pair.persona_id for item in pairs}
    asked = {item.pair.question_id for item in pairs}
    return (
        f"{len(pairs)} pairs, {len(attributes)} attributes{top}, {len(askers)} asking personas, "
        f"{len(asked)} questions, {len(problems)} problems"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Check preference files and print one line per problem, then a summary.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 when clean, 1 when problems were found, 2 on an unusable file or option.
    """
    parser = argparse.ArgumentParser(
        prog="python -m pluralbench.persona.preferences.quality",
        description="Check persona preference-pair JSONL files (default: the bundled pairs).",
    )
    parser.add_argument("files", nargs="*", type=Path, help=f"preference JSONL files (default: {BUNDLED_PREFERENCES})")
    parser.add_argument("--personas", type=Path, metavar="PATH", help="persona JSONL (default: bundled)")
    parser.add_argument("--questions", type=Path, metavar="PATH", help="question JSONL (default: bundled)")
    parser.add_argument(
        "--any-length", action="store_true", help=f"skip the {MIN_WORDS}-{MAX_WORDS} words-per-answer check"
    )
    args = parser.parse_args(argv)
    try:
        personas = {p.persona_id: p for p in load_personas(args.personas)}
        questions = {q.question_id: q for q in load_questions(args.questions)}
        pairs, problems = read_pairs(args.files or [bundled_path(BUNDLED_PREFERENCES)])
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problems += preference_problems(
        pairs, personas, questions, word_bounds=None if args.any_length else (MIN_WORDS, MAX_WORDS)
    )
    for problem in problems:
        print(problem)
    print(summary(pairs, problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
