"""Check that building a PERSONA task does not grow with the size of the persona pool.

Usage::

    python benchmarks/pool_size.py [--pool 50000] [--n 1000] [--identify-k 4] [--repeats 3]

Writes a persona JSONL of ``--pool`` lines to a temporary directory (the bundled personas
repeated under new ids), then times, on that pool and on the bundled 2,000 personas: loading
the pool (``pluralbench.persona.data.load_personas``) and building
``persona(n=..., identify_k=..., personas=<file>)``. The figure that matters is the build time
beyond loading the pool; the fastest of ``--repeats`` runs counts for each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from pluralbench.persona.data import load_personas
from pluralbench.persona.tasks import persona


def write_pool(path: Path, size: int) -> None:
    """Write ``size`` personas to ``path``: the bundled ones, repeated under new ids.

    Args:
        path: Output JSONL file.
        size: Number of lines.
    """
    bundled = [p.model_dump(exclude_none=True) for p in load_personas()]
    with path.open("w", encoding="utf-8") as out:
        for index in range(size):
            record = {**bundled[index % len(bundled)], "persona_id": f"pool{index:06d}"}
            out.write(json.dumps(record) + "\n")


def fastest(action: Callable[[], object], repeats: int) -> float:
    """Return the fastest wall time of ``repeats`` calls of ``action``, in seconds.

    Args:
        action: What to time.
        repeats: Number of timed calls.

    Returns:
        The fastest time.
    """
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time building a PERSONA task against the persona pool size.")
    parser.add_argument("--pool", type=int, default=50_000, help="personas in the generated pool")
    parser.add_argument("--n", type=int, default=1000, help="persona-question pairs of the task")
    parser.add_argument("--identify-k", type=int, default=4, help="identification candidates per sample")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the fastest counts")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pluralbench-pool-") as directory:
        big = Path(directory) / f"personas-{args.pool}.jsonl"
        write_pool(big, args.pool)
        print(f"`persona(n={args.n}, identify_k={args.identify_k})`, fastest of {args.repeats}\n")
        print("| persona pool | load pool (s) | build task incl. load (s) | build beyond loading the pool (s) |")
        print("|---|---|---|---|")
        for label, path in (("bundled, 2,000", None), (f"generated, {args.pool:,}", big)):
            file = str(path) if path else None
            load = fastest(partial(load_personas, file), args.repeats)
            build = fastest(partial(persona, n=args.n, identify_k=args.identify_k, personas=file), args.repeats)
            print(f"| {label} | {load:.2f} | {build:.2f} | {build - load:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
