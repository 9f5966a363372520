"""Results report across runs and models: one row per (task, model, version).

``python -m pluralbench.report [LOG_DIR or LOG ...] [--out DIR]`` reads every suite log given (the
newest log of each task, model and version when several match) and prints a Markdown table, and
writes it with a CSV and a PNG comparing models per task. Each row has the task's headline score
(the metric the task declares to inspect as its headline) with its interval and chance level, how
many units it is computed over, the evaluated model's format-failure rate, unscored samples, the
critic and judge models (``self`` when a role was unbound and the evaluated model graded itself),
the ``self_graded`` share, and the cost (model calls by the run and tokens).

Numbers are read from each log's own results (``inspect_ai.analysis.evals_df`` and the log's
scores), never recomputed, so the report and ``inspect view`` agree.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, EvalScore, list_eval_logs, read_eval_log

CHANCE_LEVELS: dict[str, float] = {"steerability": 0.5, "persona_preference": 0.5}
"""Chance level of a task's headline where it is a fixed number; tasks whose chance depends on the
data log it as a ``chance`` or ``chance_level`` metric, which the report reads instead."""

CRITIC_TASKS = frozenset({"persona", "persona_loo", "persona_intersectionality", "persona_pass_at_k", "persona_group"})
"""Tasks graded by the ``critic`` role; the ``judge`` role joins when a debate or identification is on."""

JUDGE_OPTIONS = ("debate_rounds", "identify_k")
"""Task options that, when positive, make a task resolve the ``judge`` role."""

CHANCE_METRICS = ("chance", "chance_level")
SELF = "self"
NOT_USED = ""


@dataclass(frozen=True)
class ReportRow:
    """One (task, model, version) row of the report; field names are the CSV columns."""

    task: str
    model: str
    version: str
    headline: str
    value: float
    ci_low: float
    ci_high: float
    chance: float
    n: float
    format_failure_rate: float
    unscored: int
    samples: int
    critic: str
    judge: str
    self_graded: float
    calls: int
    input_tokens: int
    output_tokens: int
    status: str
    log: str


def _metric(scores: Sequence[EvalScore], name: str, prefer: str | None = None) -> float:
    ordered = sorted(scores, key=lambda score: score.name != prefer)
    for score in ordered:
        if name in score.metrics:
            return float(score.metrics[name].value)
    return math.nan


def _headline(log: EvalLog) -> tuple[str, str | None, float]:
    """Return (metric name, score name, value) of the log's headline metric."""
    results = log.results
    if results is None or not results.scores:
        return "", None, math.nan
    declared = results.headline
    for score in results.scores:
        if declared is not None and declared.score is not None and score.name != declared.score:
            continue
        if declared is not None and declared.scorer is not None and score.scorer != declared.scorer:
            continue
        name = declared.metric if declared is not None and declared.metric else next(iter(score.metrics), None)
        if name is not None and name in score.metrics:
            return name, score.name, float(score.metrics[name].value)
    first = results.scores[0]
    name = next(iter(first.metrics), "")
    return name, first.name, float(first.metrics[name].value) if name else math.nan


def _roles_used(log: EvalLog) -> set[str]:
    if log.eval.task.split("/")[-1] not in CRITIC_TASKS:
        return set()
    args = log.eval.task_args or {}
    judged = any(isinstance(args.get(option), int) and args[option] > 0 for option in JUDGE_OPTIONS)
    return {"critic", "judge"} if judged else {"critic"}


def _role_model(log: EvalLog, role: str) -> str:
    roles = log.eval.model_roles or {}
    if role in roles:
        config = roles[role]
        configs = config if isinstance(config, list) else [config]
        return ", ".join(str(item.model) for item in configs)
    return SELF if role in _roles_used(log) else NOT_USED


def _cost(log: EvalLog) -> tuple[int, int, int]:
    calls = sum(1 for sample in log.samples or [] for event in sample.events if isinstance(event, ModelEvent))
    usage = list(log.stats.model_usage.values())
    return calls, sum(u.input_tokens for u in usage), sum(u.output_tokens for u in usage)


def _unscored(log: EvalLog, score_name: str | None) -> int:
    count = 0
    for sample in log.samples or []:
        score = (sample.scores or {}).get(score_name or "")
        value = None if score is None else score.value
        if isinstance(value, dict):
            numbers = [v for v in value.values() if isinstance(v, int | float)]
            missing = not numbers or all(math.isnan(float(v)) for v in numbers)
        else:
            missing = value is None or (isinstance(value, int | float) and math.isnan(float(value)))
        count += bool(sample.error) or missing
    return count


def report_row(log: EvalLog) -> ReportRow:
    """Summarise one log as a report row.

    Args:
        log: A full suite log (samples included, for the call count and unscored samples).

    Returns:
        The row; numbers that the log does not hold are NaN.
    """
    task = log.eval.task.split("/")[-1]
    scores = log.results.scores if log.results else []
    name, score_name, value = _headline(log)
    chance = next((v for m in CHANCE_METRICS if not math.isnan(v := _metric(scores, m))), math.nan)
    if math.isnan(chance):
        chance = CHANCE_LEVELS.get(task, math.nan)
    critic, judge = _role_model(log, "critic"), _role_model(log, "judge")
    self_graded = _metric(scores, "self_graded")
    if math.isnan(self_graded) and SELF in (critic, judge):
        self_graded = 1.0
    calls, input_tokens, output_tokens = _cost(log)
    return ReportRow(
        task=task,
        model=log.eval.model,
        version=str(log.eval.task_version),
        headline=name,
        value=value,
        ci_low=_metric(scores, f"{name}_ci_low", score_name),
        ci_high=_metric(scores, f"{name}_ci_high", score_name),
        chance=chance,
        n=_metric(scores, f"{name}_n", score_name),
        format_failure_rate=_metric(scores, "format_failure_rate"),
        unscored=_unscored(log, score_name),
        samples=len(log.samples or []),
        critic=critic,
        judge=judge,
        self_graded=self_graded,
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        status=log.status,
        log=Path(log.location).name,
    )


def collect_logs(paths: Sequence[str]) -> list[str]:
    """Return the suite logs under the given directories and files, newest first.

    Args:
        paths: Log directories and ``.eval``/``.json`` log files.

    Returns:
        Log file paths.

    Raises:
        FileNotFoundError: If a path does not exist.
    """
    found: list[str] = []
    for path in paths:
        location = Path(path)
        if not location.exists():
            raise FileNotFoundError(f"{path}: no such log file or directory")
        if location.is_dir():
            found.extend(info.name for info in list_eval_logs(str(location)))
        else:
            found.append(str(location))
    return found


def build_report(paths: Sequence[str]) -> pd.DataFrame:
    """Read the logs and return one row per (task, model, version), the newest log of each.

    Args:
        paths: Log directories and files.

    Returns:
        The report frame (columns as :class:`ReportRow`), sorted by task and model.
    """
    rows: list[dict[str, Any]] = []
    for location in collect_logs(paths):
        header = read_eval_log(location, header_only=True)
        if not header.eval.task.split("/")[-1] or "pluralbench" not in json.dumps(header.eval.packages or {}):
            continue
        rows.append(asdict(report_row(read_eval_log(location))) | {"_created": header.eval.created})
    if not rows:
        return pd.DataFrame(columns=list(ReportRow.__dataclass_fields__))
    frame = pd.DataFrame(rows).sort_values("_created", ascending=False)
    frame = frame.drop_duplicates(["task", "model", "version"]).drop(columns="_created")
    return frame.sort_values(["task", "model"]).reset_index(drop=True)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.3f}"
    return str(value) if value != "" else "-"


def to_markdown(frame: pd.DataFrame) -> str:
    """Render the report as a Markdown table (self-graded rows marked).

    Args:
        frame: The report frame.

    Returns:
        The table.
    """
    columns = [
        "task",
        "model",
        "version",
        "headline",
        "value",
        "interval",
        "chance",
        "n",
        "format_failures",
        "unscored",
        "critic",
        "judge",
        "self_graded",
        "calls",
        "tokens in/out",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for record in frame.to_dict("records"):
        row = ReportRow(**{str(key): value for key, value in record.items()})
        interval = f"[{_cell(row.ci_low)}, {_cell(row.ci_high)}]"
        graded = row.self_graded > 0 if not math.isnan(row.self_graded) else False
        marked = f"{_cell(row.self_graded)} (SELF-GRADED)" if graded else _cell(row.self_graded)
        cells = [
            row.task,
            row.model,
            row.version,
            row.headline,
            _cell(row.value),
            interval,
            _cell(row.chance),
            "-" if math.isnan(row.n) else f"{row.n:.0f}",
            _cell(row.format_failure_rate),
            f"{row.unscored} of {row.samples}",
            _cell(row.critic),
            _cell(row.judge),
            marked,
            f"{row.calls:,}",
            f"{row.input_tokens:,}/{row.output_tokens:,}",
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)


def plot(frame: pd.DataFrame, path: Path) -> None:
    """Draw one panel per task: each model's headline with its interval (self-graded hatched).

    Args:
        frame: The report frame.
        path: PNG to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(frame["task"]))
    figure, axes = plt.subplots(1, len(tasks), figsize=(4 * len(tasks), 3.5), squeeze=False)
    for axis, task in zip(axes[0], tasks, strict=True):
        rows = frame[frame["task"] == task]
        labels = [f"{m}\nv{v}" for m, v in zip(rows["model"], rows["version"], strict=True)]
        values = rows["value"].astype(float).tolist()
        lows = [v - lo if not math.isnan(lo) else 0 for v, lo in zip(values, rows["ci_low"].astype(float), strict=True)]
        highs = [
            hi - v if not math.isnan(hi) else 0 for v, hi in zip(values, rows["ci_high"].astype(float), strict=True)
        ]
        bars = axis.bar(labels, values, yerr=[lows, highs], capsize=4, color="#4c72b0")
        for bar, graded in zip(bars, rows["self_graded"].astype(float), strict=True):
            if graded > 0:
                bar.set_hatch("//")
        chance = rows["chance"].astype(float).dropna()
        if not chance.empty:
            axis.axhline(float(chance.iloc[0]), color="grey", linestyle="--", linewidth=1, label="chance")
            axis.legend(fontsize=7)
        headline = rows["headline"].iloc[0]
        judges = ", ".join(sorted({c for c in rows["critic"] if c})) or "no judge"
        axis.set_title(f"{task}: {headline}\ncritic: {judges} (hatched: self-graded)", fontsize=8)
        axis.tick_params(axis="x", labelsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> int:
    """Print and write the results report.

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``).

    Returns:
        0 on success, 1 when no suite log was found, 2 when a path does not exist.
    """
    parser = argparse.ArgumentParser(prog="python -m pluralbench.report", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["logs"], help="log directories or files (default: logs)")
    parser.add_argument("--out", default="report", help="directory for report.md, report.csv, report.png")
    args = parser.parse_args(argv)
    try:
        frame = build_report(args.paths)
    except FileNotFoundError as error:
        print(f"pluralbench.report: {error}", file=sys.stderr)
        return 2
    if frame.empty:
        print(f"pluralbench.report: no pluralbench logs in {', '.join(args.paths)}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = to_markdown(frame)
    (out / "report.md").write_text(table + "\n", encoding="utf-8")
    frame.to_csv(out / "report.csv", index=False)
    plot(frame, out / "report.png")
    print(table)
    print(f"wrote {out / 'report.md'}, {out / 'report.csv'}, {out / 'report.png'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
