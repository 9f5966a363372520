"""``python -m pluralbench.agreement``: how far do two critics, or a critic and people, agree?

    python -m pluralbench.agreement LOG [LOG ...] [--labels FILE ...] [--scorer NAME] [--seed N] [--out DIR]

Each log is one rater (its critic, or for ``persona_preference`` its answering model); each human
rater id in a label file is one more. Prints and writes percent agreement, Cohen's kappa for every
pair, Fleiss' kappa for all raters when more than two, confusion counts and seeded bootstrap
intervals, with every unit left out counted and explained.

Exit codes: 0 = written, every unit compared; 1 = nothing written (a bad file or option, fewer
than two raters, logs of different tasks, no unit every rater labelled), one line on stderr;
2 = written, but some units were left out (absent, unscored or judged on different answers), said on stdout.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from pluralbench._errors import InputError

from .compare import Comparison, check_compatible, comparisons, distinct_names
from .labels import Rater, human_raters, log_rater
from .report import write

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_LEFT_OUT = 2
DEFAULT_OUT = "figures"
PROGRAM = "python -m pluralbench.agreement"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        ``logs``, ``labels``, ``scorer``, ``seed``, ``out``.
    """
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+", metavar="LOG", help="inspect logs of the same samples, one rater each")
    parser.add_argument(
        "--labels",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="human-label files (.jsonl or .csv): sample_id, needs_revision or choice, optional epoch, member, "
        "answer, rater",
    )
    parser.add_argument("--scorer", default=None, help="scorer whose verdicts to compare (default: the log's one)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap intervals (default: 0)")
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"output directory (default: ./{DEFAULT_OUT})"
    )
    return parser.parse_args(argv)


def _line(comparison: Comparison) -> str:
    result, cover = comparison.result, comparison.coverage
    if result is None:
        return f"{comparison.name}: no unit could be compared"
    kappa, low, high = result.kappa
    agreement = result.agreement[0]
    line = (
        f"{comparison.name}: {result.method} kappa {kappa:.3f} [{low:.3f}, {high:.3f}], "
        f"agreement {agreement:.3f}, over {result.units} of {cover.total} units"
    )
    if math.isnan(kappa):
        line += " (kappa undefined: every rater gave the same one label, so chance agreement is 1)"
    return line


def _left_out(comparison: Comparison) -> list[str]:
    cover = comparison.coverage
    lines = [
        f"  left out: {count} {what}"
        for count, what in (
            (cover.absent, "absent from at least one rater"),
            (cover.unscored, "unscored by at least one rater"),
            (cover.material_differs, "judged on different answers in different logs"),
        )
        if count
    ]
    lines += [f"    {count} x {reason}" for reason, count in list(cover.reasons.items())[:5]]
    return lines


def load_raters(logs: Sequence[str], labels: Sequence[str], scorer: str | None) -> list[Rater]:
    """Read every rater and check they can be compared.

    Args:
        logs: Log files.
        labels: Human-label files.
        scorer: The scorer to read from the logs.

    Returns:
        The raters, with distinct names.

    Raises:
        InputError: For a bad file, or raters that cannot be compared.
    """
    raters = [log_rater(path, scorer) for path in logs]
    for path in labels:
        raters.extend(human_raters(path))
    check_compatible(raters)
    distinct_names(raters)
    return raters


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code (see the module docstring).
    """
    args = parse_args(argv)
    try:
        raters = load_raters(args.logs, args.labels, args.scorer)
    except InputError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    results = comparisons(raters, args.seed)
    if all(c.result is None for c in results):
        print(f"{PROGRAM}: error: no unit was labelled by every rater; nothing to compare", file=sys.stderr)
        for line in _left_out(results[-1]):
            print(line, file=sys.stderr)
        return EXIT_ERROR
    for number, rater in enumerate(raters, start=1):
        print(f"rater {number}: {rater.name} ({rater.source})")
    for comparison in results:
        print(_line(comparison))
        for line in _left_out(comparison):
            print(line)
    stem = f"agreement_{Path(args.logs[0]).stem}" + (f"_{len(raters)}-raters" if len(raters) > 2 else "")
    for path in write(results, raters, Path(args.out), stem):
        print(f"wrote {path}")
    return EXIT_LEFT_OUT if any(c.coverage.left_out for c in results) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
