"""Regenerate the bundled personas: ``python -m pluralbench.personas [--n N] [--seed S] [--out PATH]``.

The defaults reproduce ``src/pluralbench/data/personas.jsonl`` byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._census import CensusPersonaSampler

BUNDLED_COUNT = 2000
BUNDLED_SEED = 20240725


def main(argv: list[str] | None = None) -> int:
    """Write sampled personas as JSONL.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        Process exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m pluralbench.personas", description=__doc__)
    parser.add_argument("--n", type=int, default=BUNDLED_COUNT, help="number of personas")
    parser.add_argument("--seed", type=int, default=BUNDLED_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=Path("src/pluralbench/data/personas.jsonl"), help="output file")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"--n {args.n}: must be at least 1")
    personas = CensusPersonaSampler(args.seed).sample(args.n)
    lines = [persona.model_dump_json(exclude_none=True) for persona in personas]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(personas)} personas to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
