"""Split persona's cost over plain inspect into prompt volume and suite logic.

Usage::

    python benchmarks/prompt_volume.py [--samples 150] [--connections 50] [--latency 0.2] [--repeats 3]

Runs three tasks on the same scripted model (``_scripts.bench_model``) with a fixed latency per
call, alternating, and prints samples per second (fastest of ``--repeats``):

- ``persona`` (``mode=output_only``), as users run it;
- *plain inspect, persona's prompts*: a minimal inspect task over the same samples that sends the
  very messages ``persona`` sends (the answer request with the persona, then the critic prompt
  with its response schema, as a direct call) and scores a constant, with none of the suite's
  reply parsing, metadata, scorer model or metrics;
- *plain inspect*: the minimal task of ``run.py`` (two calls per sample, short prompts).

The first gap is what the length of the suite's prompts and replies costs inspect (logging,
events, summaries); the second is what the suite's own logic adds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

from _cases import Case
from _measure import RunResult, constant_score, minimal_task, run_case, timed_eval
from _scripts import bench_model
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralbench._fence import new_nonce, untrusted_notice
from pluralbench.api import build_task
from pluralbench.persona.judging import verdict_config
from pluralbench.persona.prompts import REVIEW_MATERIALS, SINGLE_CALL_CRITIC
from pluralbench.persona.scorers import CriticVerdict
from pluralbench.persona.solvers import answer_messages
from pluralbench.persona.types import PersonaSampleMeta

MODE = "output_only"


@solver
def persona_prompts() -> Solver:
    """Send persona's answer request and critic prompt, with nothing else the suite does.

    Returns:
        The solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(PersonaSampleMeta)
        state.messages = answer_messages(MODE, state.input_text, meta.answer_persona_text)
        state = await generate(state)
        nonce = new_nonce()
        materials = REVIEW_MATERIALS.format(
            nonce=nonce, persona=meta.persona_text, question=state.input_text, answer=state.output.completion
        )
        prompt = SINGLE_CALL_CRITIC.format(notice=untrusted_notice(nonce), materials=materials)
        await get_model().generate(
            [ChatMessageUser(content=prompt)], config=verdict_config(CriticVerdict, "critic_verdict")
        )
        return state

    return solve


def prompts_task(samples: int) -> Task:
    """Return the minimal task that sends persona's prompts for its first ``samples`` samples.

    Args:
        samples: Number of samples.

    Returns:
        The task.
    """
    dataset = build_task("main", "mockllm/model", task_args={"mode": MODE, "n": samples}).dataset
    return Task(dataset=MemoryDataset(list(dataset)), solver=persona_prompts(), scorer=constant_score(), name="prompts")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Split persona's cost over plain inspect into prompts and logic.")
    parser.add_argument("--samples", type=int, default=150, help="samples per run")
    parser.add_argument("--connections", type=int, default=50, help="max_connections")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds each call waits")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each task; the fastest counts")
    args = parser.parse_args(argv)
    options = {"max_connections": args.connections}
    persona_case = Case("main", f"mode={MODE}", {"mode": MODE, "n": args.samples})

    runs: dict[str, Callable[[Path], RunResult]] = {
        f"persona ({MODE})": lambda logs: run_case(
            persona_case,
            bench_model(latency=args.latency),
            bench_model(latency=args.latency),
            args.samples,
            logs,
            **options,
        ),
        "plain inspect, persona's prompts": lambda logs: timed_eval(
            prompts_task(args.samples), bench_model(latency=args.latency), logs, **options
        ),
        "plain inspect, 2 calls / sample": lambda logs: timed_eval(
            minimal_task(args.samples, 2.0), bench_model(latency=args.latency), logs, **options
        ),
    }
    rates: dict[str, list[float]] = {label: [] for label in runs}
    with TemporaryDirectory(prefix="pluralbench-volume-") as directory:
        logs = Path(directory)
        for _ in range(args.repeats):
            for label, run in runs.items():
                result = run(logs)
                rates[label].append(result.units / result.sample_span)
    print(
        f"{args.samples} samples, {args.latency:g} s per call, max_connections={args.connections}, "
        f"fastest of {args.repeats}\n"
    )
    print("| task | samples / s |")
    print("|---|---|")
    for label, values in rates.items():
        print(f"| {label} | {max(values):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
