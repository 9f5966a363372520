"""Benchmark pluralbench: cost per sample, suite overhead, throughput, steerability design, local model.

Usage::

    python benchmarks/run.py [--quick] [--out FILE]

Writes a Markdown report (see benchmarks/README.md for what each table measures): a full run to
``benchmarks/results.md``, the committed figures; a quick run to ``benchmarks/results-quick.md``,
which git ignores, so a smoke run never replaces them. Every task and mode runs on scripted mock
models, so nothing but the last section needs a real model; the last section runs the offline
default model on the README quick start.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from _cases import CASES, Case, uncovered_types
from _measure import RunResult, minimal_task, read_run, replay_task, run_case, timed_eval
from _scripts import bench_model, smollm2_counter

from pluralbench.steerability.data import load_steerability_data
from pluralbench.steerability.dataset import build_design, steerability_cost

REPO = Path(__file__).resolve().parent.parent
LOCAL_MODEL = "local/smollm2-135m"
FULL_REPORT = REPO / "benchmarks" / "results.md"
QUICK_REPORT = REPO / "benchmarks" / "results-quick.md"
STEER_PERSONAS = (10, 40, 100)
STEER_CROSS = 4
STEER_N_STEER = 4


@dataclass(frozen=True)
class Sizes:
    """How much each section runs.

    Attributes:
        cost_limit: Dataset samples per case in the cost table.
        overhead_limits: Dataset samples per case of the small and the large run of the overhead table.
        overhead_repeats: Timed runs of each task and its references at each size; the fastest counts.
        latency: Seconds per call of the latency model in the throughput table.
        throughput: Samples run at each ``max_connections``.
        throughput_repeats: Runs of each throughput row; the fastest counts.
        local_limit: Samples of the local-model quick start.
    """

    cost_limit: int
    overhead_limits: tuple[int, int]
    overhead_repeats: int
    latency: float
    throughput: dict[int, int]
    throughput_repeats: int
    local_limit: int


FULL = Sizes(
    cost_limit=12,
    overhead_limits=(16, 64),
    overhead_repeats=2,
    latency=0.2,
    throughput={1: 6, 10: 40, 50: 150},
    throughput_repeats=3,
    local_limit=5,
)
QUICK = Sizes(
    cost_limit=4,
    overhead_limits=(8, 24),
    overhead_repeats=1,
    latency=0.2,
    throughput={1: 3, 10: 20, 50: 60},
    throughput_repeats=1,
    local_limit=1,
)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Render a Markdown table.

    Args:
        headers: Column names.
        rows: Cells, converted with ``str``.

    Returns:
        The table.
    """
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: float, digits: int = 1) -> str:
    """Format a number with thousands separators and ``digits`` decimals.

    Args:
        value: The number.
        digits: Decimals.

    Returns:
        The text.
    """
    return f"{value:,.{digits}f}"


def error_text(error: Exception) -> str:
    """Return a one-line description of an error for a table cell.

    Args:
        error: The error.

    Returns:
        ``Type: message``, shortened and without pipes.
    """
    return f"{type(error).__name__}: {str(error).splitlines()[0][:120]}".replace("|", "/")


def cost_section(sizes: Sizes, log_dir: Path, progress: Callable[[str], None]) -> tuple[str, dict[str, RunResult]]:
    """Calls and tokens per scored sample of every case, on scripted models.

    Args:
        sizes: Section sizes.
        log_dir: Log directory.
        progress: Progress printer.

    Returns:
        The Markdown section and the runs by case label.
    """
    count, unit = smollm2_counter()
    rows: list[list[object]] = []
    runs: dict[str, RunResult] = {}
    for case in CASES:
        progress(f"cost: {case.task_name} {case.mode}")
        try:
            run = run_case(case, bench_model(count=count), bench_model(count=count), sizes.cost_limit, log_dir)
        except Exception as error:  # noqa: BLE001 (a broken task is reported in its row, the rest still runs)
            rows.append([case.task_name, case.mode, error_text(error), "", "", "", ""])
            continue
        runs[f"{case.task_name} {case.mode}"] = run
        per = run.scored or float("nan")
        rows.append(
            [
                case.task_name,
                case.mode,
                f"{run.units} ({run.scored})",
                fmt(run.calls / per, 2),
                fmt(run.judge_calls / per, 2),
                fmt(run.input_tokens / per, 0),
                fmt(run.output_tokens / per, 0),
            ]
        )
    rows += [
        [name, "not benchmarked: add a case in benchmarks/_cases.py", "", "", "", "", ""] for name in uncovered_types()
    ]
    headers = [
        "task",
        "mode",
        "sample records (scored)",
        "calls / scored sample: evaluated model",
        "judge calls / scored sample",
        f"input {unit} / scored sample",
        f"output {unit} / scored sample",
    ]
    text = (
        "## Model calls and tokens per scored sample\n\n"
        f"Scripted mock models, {sizes.cost_limit} dataset samples per row (pass@k: x k attempts). Calls are "
        "counted from the samples' model events, tokens read from `log.stats.model_usage` "
        f"({unit} of the message texts). Scripted lengths: answers 150 words, debate arguments 80, "
        "each critique or reason 30; real models' outputs vary, inputs are the suite's real prompts. "
        "Alignment rows use `sampled` targets (1 to 5 attributes per item).\n\n" + table(headers, rows)
    )
    return text, runs


@dataclass(frozen=True)
class PerSample:
    """Cost of a task split into a per-sample slope and a per-run remainder.

    Attributes:
        ms: Milliseconds per sample record: the slope between the small and the large run.
        fixed_s: Seconds per run the slope does not explain (end-of-run metrics and display, log finish).
    """

    ms: float
    fixed_s: float


def per_sample(small: RunResult, large: RunResult) -> PerSample:
    """Split two runs of one task at different sizes into a per-sample and a per-run cost.

    Args:
        small: The fastest run at the small size.
        large: The fastest run at the large size.

    Returns:
        The slope in ms per sample record and the intercept in seconds.
    """
    slope = (large.eval_seconds - small.eval_seconds) / (large.units - small.units)
    return PerSample(1000 * slope, small.eval_seconds - slope * small.units)


def overhead_section(
    sizes: Sizes, log_dir: Path, progress: Callable[[str], None]
) -> tuple[str, list[float], list[float]]:
    """Wall time per sample of every case next to plain inspect making the same calls, and the minimal task.

    Args:
        sizes: Section sizes.
        log_dir: Log directory.
        progress: Progress printer.

    Returns:
        The Markdown section, the ratios over plain inspect making the same calls, and the ratios
        over the minimal task.
    """
    timed_eval(minimal_task(5, 1.0), bench_model(), log_dir)  # warm-up: first eval in a process pays imports
    rows: list[list[object]] = []
    same_ratios: list[float] = []
    short_ratios: list[float] = []
    small, large = sizes.overhead_limits
    for case in CASES:
        progress(f"overhead: {case.task_name} {case.mode}")
        runs: dict[tuple[str, int], list[RunResult]] = {}
        try:
            for _ in range(sizes.overhead_repeats):  # alternate, so a burst of load hits every side alike
                for limit in (small, large):
                    suite = run_case(case, bench_model(), bench_model(), limit, log_dir)
                    same = timed_eval(replay_task(suite.log), bench_model(), log_dir)
                    short = timed_eval(minimal_task(suite.units, suite.calls_per_unit), bench_model(), log_dir)
                    for kind, run in (("suite", suite), ("same", same), ("short", short)):
                        runs.setdefault((kind, limit), []).append(run)
        except Exception as error:  # noqa: BLE001 (reported in the row)
            rows.append([case.task_name, case.mode, error_text(error), "", "", "", "", "", "", ""])
            continue
        fastest = {key: min(found, key=lambda run: run.eval_seconds) for key, found in runs.items()}
        cost = {kind: per_sample(fastest[(kind, small)], fastest[(kind, large)]) for kind in ("suite", "same", "short")}
        same_ratios.append(cost["suite"].ms / cost["same"].ms)
        short_ratios.append(cost["suite"].ms / cost["short"].ms)
        suite_large = fastest[("suite", large)]
        rows.append(
            [
                case.task_name,
                case.mode,
                f"{fastest[('suite', small)].units}, {suite_large.units}",
                fmt(suite_large.calls_per_unit, 2),
                fmt(cost["suite"].ms),
                fmt(cost["same"].ms),
                fmt(cost["short"].ms),
                f"**{fmt(same_ratios[-1], 2)}**",
                fmt(short_ratios[-1], 2),
                f"{suite_large.metric_values}: {fmt(cost['suite'].fixed_s, 2)} / {fmt(cost['same'].fixed_s, 2)}",
            ]
        )
    headers = [
        "task",
        "mode",
        "sample records (small, large run)",
        "model calls / sample",
        "suite ms / sample",
        "plain inspect, same calls: ms / sample",
        "plain inspect, short prompts: ms / sample",
        "ratio over same calls",
        "ratio over short prompts",
        "metric values: per-run s, suite / same calls",
    ]
    text = (
        "## Suite overhead per sample\n\n"
        f"Zero-latency scripted models; each task runs on {small} and on {large} dataset samples, fastest of "
        f"{sizes.overhead_repeats} run(s) each, every run after a full garbage collection. *ms / sample* is the "
        "slope between the two runs' wall times (`inspect_ai.eval`), so what a run pays once (end-of-run "
        "metrics and their display, finishing the log) is left out of it and shown in the last column as the "
        "intercept. *Plain inspect, same calls*: a task with no suite code that makes exactly the model calls "
        "the suite's run made, read from its log (same prompts, configs and order; one `generate`, the rest "
        "direct calls; a constant scorer; no metadata), so its ratio is what the suite adds beyond its model "
        "traffic: prompt building, reply parsing, metadata, scoring, metrics. *Plain inspect, short prompts*: "
        "the minimal task (one-line prompts, same calls per sample); its ratio adds what inspect's logging of "
        "the suite's longer prompts and replies costs. Task setup (reading data files, building all samples) "
        "is paid once per run and is in neither figure.\n\n" + table(headers, rows)
    )
    return text, same_ratios, short_ratios


def throughput_section(sizes: Sizes, log_dir: Path, progress: Callable[[str], None]) -> tuple[str, list[str]]:
    """Samples per second with a fixed latency per call, at several connection limits.

    Args:
        sizes: Section sizes.
        log_dir: Log directory.
        progress: Progress printer.

    Returns:
        The Markdown section and headline phrases.
    """
    persona = Case("main", "mode=output_only", {"n": max(sizes.throughput.values())})
    labels = (
        "persona (output_only)",
        "plain inspect, persona's calls",
        "plain inspect, 2 calls / sample, short prompts",
    )
    rows: list[list[object]] = []
    headline: list[str] = []
    for connections, samples in sizes.throughput.items():
        rates: dict[str, float] = {}
        best: dict[str, RunResult] = {}
        failed: dict[str, str] = {}
        for _ in range(sizes.throughput_repeats):  # alternate, so a burst of load hits every row alike
            suite_log = None
            for label in labels:
                progress(f"throughput: {label} at max_connections={connections}")
                model = bench_model(latency=sizes.latency)
                try:
                    if label == labels[0]:
                        judge = bench_model(latency=sizes.latency)
                        run = run_case(persona, model, judge, samples, log_dir, max_connections=connections)
                        suite_log = run.log
                    elif label == labels[1]:
                        if suite_log is None:
                            raise RuntimeError("the persona run failed, so there are no calls to replay")
                        run = timed_eval(replay_task(suite_log), model, log_dir, max_connections=connections)
                    else:
                        run = timed_eval(minimal_task(samples, 2.0), model, log_dir, max_connections=connections)
                except Exception as error:  # noqa: BLE001 (reported in the row)
                    failed[label] = error_text(error)
                    continue
                if label not in best or run.units / run.sample_span > rates[label]:
                    best[label], rates[label] = run, run.units / run.sample_span
        for label in labels:
            if label not in best:
                rows.append([label, connections, failed.get(label, ""), "", "", "", ""])
                continue
            run = best[label]
            ideal = connections / (sizes.latency * run.calls_per_unit)
            rows.append(
                [
                    label,
                    connections,
                    run.units,
                    fmt(run.sample_span, 2),
                    fmt(rates[label]),
                    fmt(ideal),
                    f"{rates[label] / ideal:.0%}",
                ]
            )
        if labels[0] in rates:
            versus = ", ".join(
                f"{rates[labels[0]] / rates[label]:.0%} of {name}"
                for label, name in ((labels[1], "plain inspect making its calls"), (labels[2], "the minimal task"))
                if label in rates
            )
            headline.append(f"{fmt(rates[labels[0]])} samples/s at {connections} ({versus})")
    headers = ["task", "max_connections", "samples", "seconds", "samples / s", "ideal samples / s", "share of ideal"]
    text = (
        "## Throughput with a fixed latency per call\n\n"
        f"Every call waits {sizes.latency:g} s (asynchronously, like a network call) before replying; each row is "
        f"the fastest of {sizes.throughput_repeats} run(s), alternating with the other rows. "
        "Ideal = max_connections / (latency x calls per sample): every connection busy all the time. "
        "*Plain inspect, persona's calls* makes the persona run's model calls again, read from its log "
        "(same prompts and configs; see the overhead table). "
        "Seconds run from the first sample's start to the last sample's end. Where the share of ideal "
        "drops, the run is bound by the CPU time each sample costs (see the overhead table), not by "
        "the model.\n\n" + table(headers, rows)
    )
    return text, headline


def steerability_section(log_dir: Path, progress: Callable[[str], None]) -> tuple[str, str]:
    """Steerability design calls versus the full N x N matrix, with one measured check.

    Args:
        log_dir: Log directory.
        progress: Progress printer.

    Returns:
        The Markdown section and a headline phrase.
    """
    progress("steerability design cost")
    data = load_steerability_data(None)
    rows: list[list[object]] = []
    headline = ""
    for personas in STEER_PERSONAS:
        design = build_design(
            data,
            personas=personas,
            n_steer=STEER_N_STEER,
            cross=STEER_CROSS,
            statements="all",
            statements_per_call=1,
            seed=0,
        )
        cost = design.cost
        batched = steerability_cost(personas, cost.cross, cost.statements, 4)
        rows.append(
            [
                personas,
                cost.cross,
                cost.statements,
                f"{cost.calls:,}",
                f"{cost.full_matrix_calls:,}",
                f"{cost.fraction_of_full:.1%}",
                f"{batched.calls:,}",
            ]
        )
        if personas == 40:
            headline = f"{cost.calls:,} calls instead of {cost.full_matrix_calls:,} for 40 personas"
    check_args = {"personas": 3, "cross": 1, "statements": 4, "statements_per_call": 2}
    check = Case("steerability", "check", check_args, roles=())
    try:
        run = run_case(check, bench_model(), bench_model(), 10_000, log_dir)
        predicted = steerability_cost(3, 1, 4, 2).calls
        verdict = "matches" if run.calls == predicted else "DIFFERS FROM"
        check_text = (
            f"Check: a full run of `steerability` with {check_args} made {run.calls} model calls for "
            f"{run.units} samples; `steerability_cost` predicts {predicted} ({verdict} the log)."
        )
    except Exception as error:  # noqa: BLE001 (reported in the text)
        check_text = f"Check run failed: {error_text(error)}"
    headers = [
        "personas N",
        "cross",
        "statements / test set",
        "design calls",
        "full N x N calls",
        "share",
        "design calls at statements_per_call=4",
    ]
    text = (
        "## Steerability: design calls versus the full N x N matrix\n\n"
        f"Defaults: `n_steer={STEER_N_STEER}`, `cross={STEER_CROSS}` (each persona tested on its own and "
        f"{STEER_CROSS} other personas' statements), `statements=all`; computed by "
        "`pluralbench.steerability.dataset.steerability_cost` from the bundled data. "
        f"{check_text}\n\n" + table(headers, rows)
    )
    return text, headline


def local_section(sizes: Sizes, log_dir: Path, progress: Callable[[str], None]) -> tuple[str, str]:
    """Wall time of the offline default model on the README quick start.

    Args:
        sizes: Section sizes.
        log_dir: Log directory.
        progress: Progress printer.

    Returns:
        The Markdown section and a headline phrase.
    """
    from inspect_ai import eval

    progress(f"local model: {sizes.local_limit} samples of pluralbench/persona (this takes a while)")
    spec = "pluralbench/persona"
    command = f"inspect eval pluralbench/persona --model {LOCAL_MODEL} --limit {sizes.local_limit}"
    start = time.perf_counter()
    try:
        [log] = eval(spec, model=LOCAL_MODEL, limit=sizes.local_limit, log_dir=str(log_dir), display="none")
    except Exception as error:  # noqa: BLE001 (reported in the text)
        return f"## Local default model\n\n`{command}` failed: {error_text(error)}", "failed"
    seconds = time.perf_counter() - start
    run = read_run(log, 0.0, seconds)
    total_calls = run.calls + run.judge_calls
    rows = [
        [
            f"`{command}`",
            log.status,
            f"{run.units} ({run.scored})",
            total_calls,
            f"{run.output_tokens:,}",
            fmt(seconds),
            fmt(seconds / max(run.units, 1)),
            fmt(run.output_tokens / seconds),
        ]
    ]
    headers = [
        "command (run through `inspect_ai.eval`)",
        "status",
        "samples (scored)",
        "model calls",
        "output tokens",
        "wall s",
        "s / sample",
        "output tokens / s",
    ]
    text = (
        "## Local default model on the quick start\n\n"
        "SmolLM2-135M-Instruct (Q4_1 GGUF) in process through llama.cpp, answering and grading itself "
        "(no critic bound: self-graded). Wall time includes loading the model. It proves the pipeline runs "
        "offline, not quality.\n\n" + table(headers, rows)
    )
    return text, f"{fmt(seconds, 0)} s for {run.units} samples ({fmt(seconds / max(run.units, 1), 0)} s / sample)"


def ratio_text(ratios: Sequence[float]) -> str:
    """Return the median and range of ratios.

    Args:
        ratios: The ratios.

    Returns:
        E.g. ``median 1.12x (range 1.01-1.40x)``.
    """
    if not ratios:
        return "n/a"
    return f"median {statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}x)"


def environment() -> str:
    """Describe the machine and versions the figures were measured on.

    Returns:
        One Markdown line.
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU cores "
        f"(load average {load:.1f} at start), Python {platform.python_version()}, "
        f"inspect-ai {version('inspect-ai')}, pluralbench {version('pluralbench')}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark pluralbench and write a Markdown report.")
    parser.add_argument("--quick", action="store_true", help="small sizes and one local-model sample (a smoke run)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"report file (default: {FULL_REPORT.relative_to(REPO)}, with --quick {QUICK_REPORT.relative_to(REPO)})",
    )
    args = parser.parse_args(argv)
    out: Path = args.out or (QUICK_REPORT if args.quick else FULL_REPORT)
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {message}", file=sys.stderr, flush=True)

    header = environment()
    with tempfile.TemporaryDirectory(prefix="pluralbench-bench-") as directory:
        log_dir = Path(directory)
        cost, _ = cost_section(sizes, log_dir, progress)
        overhead, same_ratios, short_ratios = overhead_section(sizes, log_dir, progress)
        throughput, throughput_headline = throughput_section(sizes, log_dir, progress)
        steer, steer_headline = steerability_section(log_dir, progress)
        local, local_headline = local_section(sizes, log_dir, progress)
    elapsed = time.perf_counter() - began
    headlines = [
        "- Suite time per sample over plain inspect making the same model calls: "
        f"{ratio_text(same_ratios)}; over the minimal task with short prompts: {ratio_text(short_ratios)}.",
        f"- Throughput of `persona` at {sizes.latency:g} s per call: " + "; ".join(throughput_headline) + ".",
        f"- Steerability design: {steer_headline}.",
        f"- Local default model, README quick start: {local_headline}.",
    ]
    report = "\n\n".join(
        [
            "# pluralbench benchmarks",
            f"`python benchmarks/run.py{' --quick' if args.quick else ''}`. {header} "
            f"The whole run took {elapsed:.0f} s.",
            "## Headlines\n\n" + "\n".join(headlines),
            cost,
            overhead,
            throughput,
            steer,
            local,
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")
    progress(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
