"""Statement generation pipeline and its CLI, with scripted writer and checker models (no network)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage

import pluralbench.generate._cli as generator_cli
import pluralbench.steerability.generate.__main__ as cli
from pluralbench._errors import InputError
from pluralbench.scripted import scripted_model, scripted_output
from pluralbench.steerability.generate import (
    FrameworkPersona,
    StatementStore,
    generate_statements,
    read_framework_personas,
)
from pluralbench.steerability.quality import normalize_statement, statement_problems
from replies import candidate_statements, checker_verdicts

LABELS = ("INTJ", "ENFP", "ISTP")
TYPE_LINE = re.compile(r"^Type: (\S+)$", re.MULTILINE)
REQUEST = re.compile(r"Write (\d+) statements this person would agree with and (\d+) statements")
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


def write_personas(path: Path) -> Path:
    lines = [
        {
            "persona_id": f"mbti_{label.lower()}",
            "framework": "MBTI",
            "framework_description": "Sixteen types from four preferences.",
            "label": label,
            "description": f"A person of type {label} with habits of their own.",
        }
        for label in LABELS
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def personas(tmp_path: Path) -> list[FrameworkPersona]:
    return read_framework_personas(write_personas(tmp_path / "personas.jsonl"))


CALL_IDS = itertools.count(1)


def statement(label: str, kind: str, call: int, index: int) -> str:
    """A distinct statement: shares only 'handle', 'today' and the kind word with its siblings."""
    tag = f"{kind}{call}"
    return f"I would {kind}{label.lower()} handle task{tag}x{index} with tool{tag}y{index} and plan{tag}z{index} today."


class Writer:
    """Scripted writer: reads persona label and requested counts from the prompt; 'yes' marks agree."""

    def __init__(
        self,
        *,
        fail_after: int | None = None,
        bad_first: str | None = None,
        extra: Callable[[str, int], tuple[list[str], list[str]]] | None = None,
    ) -> None:
        self.calls: Counter[str] = Counter()
        self.fail_after = fail_after
        self.bad_first = bad_first
        self.extra = extra
        self.prompts: list[str] = []

    def __call__(self, messages: list[ChatMessage]) -> str:
        prompt = messages[-1].text
        self.prompts.append(prompt)
        if self.fail_after is not None and sum(self.calls.values()) >= self.fail_after:
            raise RuntimeError("scripted writer lost its connection")
        label = TYPE_LINE.search(prompt).group(1)  # type: ignore[union-attr]
        n_agree, n_disagree = map(int, REQUEST.search(prompt).groups())  # type: ignore[union-attr]
        self.calls[label] += 1
        call = self.calls[label]
        if call == 1 and self.bad_first is not None:
            return self.bad_first
        unique = next(CALL_IDS)
        agree = [statement(label, "yes", unique, i) for i in range(n_agree)]
        disagree = [statement(label, "no", unique, i) for i in range(n_disagree)]
        if self.extra is not None:
            more_agree, more_disagree = self.extra(label, call)
            agree, disagree = more_agree + agree, more_disagree + disagree
        return candidate_statements(agree, disagree)


Verdict = Callable[[str, str], str]


def oracle(label: str, text: str) -> str:
    return "agree" if text.startswith("I would yes") else "disagree"


class Checker:
    """Scripted checker: one verdict per numbered statement from ``verdict(label, statement)``."""

    def __init__(
        self, verdict: Verdict = oracle, *, bad_calls: frozenset[int] = frozenset(), fail_after: int | None = None
    ) -> None:
        self.verdict = verdict
        self.bad_calls = bad_calls
        self.fail_after = fail_after
        self.calls = 0
        self.prompts: list[str] = []

    def __call__(self, messages: list[ChatMessage]) -> str:
        prompt = messages[-1].text
        self.prompts.append(prompt)
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("scripted checker lost its connection")
        self.calls += 1
        if self.calls in self.bad_calls:
            return "I think the person would agree with most of these."
        label = TYPE_LINE.search(prompt).group(1)  # type: ignore[union-attr]
        return checker_verdicts({int(n): self.verdict(label, text) for n, text in NUMBERED.findall(prompt)})


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def run(
    personas: list[FrameworkPersona],
    out: Path,
    writer: Writer,
    checker: Checker,
    *,
    per_persona: int = 4,
    lines: list[str] | None = None,
    **options: Any,
) -> Any:
    report = lines.append if lines is not None else (lambda line: None)
    return asyncio.run(
        generate_statements(
            personas,
            scripted_model(writer),
            scripted_model(checker),
            out,
            per_persona=per_persona,
            report=report,
            **options,
        )
    )


def assert_clean(path: Path, per_persona: int) -> list[dict[str, Any]]:
    rows = rows_of(path)
    expected = [f"mbti_{label.lower()}" for label in LABELS]
    assert (
        statement_problems(
            rows, expected_personas=expected, agree_per_persona=per_persona, disagree_per_persona=per_persona
        )
        == []
    )
    return rows


def test_scripted_run_writes_a_clean_balanced_file(personas: list[FrameworkPersona], tmp_path: Path) -> None:
    out = tmp_path / "out" / "statements.jsonl"
    lines: list[str] = []
    writer, checker = Writer(), Checker()
    summary = run(personas, out, writer, checker, lines=lines)
    rows = assert_clean(out, 4)
    assert len(rows) == 24
    assert summary.incomplete == [] and summary.written == 24 and summary.resumed_rows == 0
    ids = sorted(row["statement_id"] for row in rows if row["persona_id"] == "mbti_intj")
    assert ids == [f"mbti_intj_a0{i}" for i in range(1, 5)] + [f"mbti_intj_d0{i}" for i in range(1, 5)]
    assert all(row["agree"] == row["statement"].startswith("I would yes") for row in rows)
    # One writer and one checker call per persona; a progress line per persona and round.
    assert writer.calls == Counter(dict.fromkeys(LABELS, 1)) and checker.calls == 3
    assert sum("round 1/10" in line for line in lines) == 3
    # The checker sees the candidates but not the writer's instructions or the intended labels.
    for prompt in checker.prompts:
        assert "would agree with and" not in prompt and '"agree": [' not in prompt
        listed = [text for _, text in NUMBERED.findall(prompt)]
        assert any(text.startswith("I would no") for text in listed[: len(listed) // 2]), "candidates not shuffled"


def test_candidates_the_checker_does_not_confirm_are_not_written(
    personas: list[FrameworkPersona], tmp_path: Path
) -> None:
    def picky(label: str, text: str) -> str:
        if "x0 " in text:
            return "unclear"
        if "x1 " in text:  # the opposite of the intended label
            return "disagree" if text.startswith("I would yes") else "agree"
        return oracle(label, text)

    out = tmp_path / "statements.jsonl"
    summary = run(personas, out, Writer(), Checker(picky))
    rows = assert_clean(out, 4)
    assert not [row for row in rows if "x0 " in row["statement"] or "x1 " in row["statement"]]
    # Round 1 asks for 8 per label; 4 of each persona's 16 candidates are refused, and 12 remain for 8 places.
    assert summary.rejected()["unconfirmed"] == 3 * 4
    assert summary.rejected()["surplus"] == 3 * 4


CONFLICT = "I would rather settle a disagreement face to face than by email."
DIARY = "I keep a paper diary and write in it every single evening."
PACKING = "I always write a detailed packing list before every long trip abroad."


def awkward_candidates(label: str, call: int) -> tuple[list[str], list[str]]:
    """Round-1 candidates that break the rules in known ways."""
    if call != 1:
        return [], []
    if label == "INTJ":
        near = PACKING.replace(" abroad", "")
        return [CONFLICT, PACKING, near, "I nap.", "I " + "really " * 30 + "like maps."], []
    if label == "ENFP":
        return [DIARY], [CONFLICT]
    both = "I would lend my car to a neighbour I barely know."
    return [DIARY.replace("diary", "Diary,").replace("evening.", "evening!"), both], [both]


def test_duplicates_conflicts_and_bad_lengths_are_dropped(personas: list[FrameworkPersona], tmp_path: Path) -> None:
    def verdict(label: str, text: str) -> str:
        if text == CONFLICT:
            return "agree" if label == "INTJ" else "disagree"
        return "agree" if not text.startswith("I would no") else "disagree"

    out = tmp_path / "statements.jsonl"
    summary = run(personas, out, Writer(extra=awkward_candidates), Checker(verdict), per_persona=6)
    rows = rows_of(out)
    expected = [f"mbti_{label.lower()}" for label in LABELS]
    assert statement_problems(rows, expected_personas=expected, agree_per_persona=6, disagree_per_persona=6) == []
    texts = Counter(normalize_statement(row["statement"]) for row in rows)
    assert texts[normalize_statement(CONFLICT)] == 1
    assert texts[normalize_statement(DIARY)] == 1
    assert texts[normalize_statement(PACKING)] == 1
    assert not any("neighbour" in row["statement"] for row in rows)
    for progress in summary.personas:  # every candidate is either kept or rejected for one reason
        assert progress.candidates == progress.kept + sum(progress.rejected.values())
    rejected = summary.rejected()
    assert rejected["length"] == 2
    assert rejected["near_duplicate"] == 1
    assert rejected["duplicate"] == 1  # the second diary (normalized equal)
    assert rejected["conflict"] == 3  # the neighbour twice (one reply, both labels) + CONFLICT under a second persona


def test_interrupted_run_resumes_without_losing_or_duplicating_rows(
    personas: list[FrameworkPersona], tmp_path: Path
) -> None:
    out = tmp_path / "statements.jsonl"
    with pytest.raises(RuntimeError, match="lost its connection"):
        run(personas, out, Writer(), Checker(fail_after=4), batch_size=2, max_connections=1)
    first = out.read_text(encoding="utf-8")
    first_rows = rows_of(out)
    assert 0 < len(first_rows) < 24
    with out.open("a", encoding="utf-8") as handle:  # a write torn by the interruption
        handle.write('{"statement_id": "mbti_intj_a0')

    lines: list[str] = []
    writer = Writer()
    summary = run(personas, out, writer, Checker(), batch_size=2, lines=lines)
    rows = assert_clean(out, 4)
    assert len(rows) == 24
    assert out.read_text(encoding="utf-8").startswith(first)
    assert rows[: len(first_rows)] == first_rows
    assert summary.resumed_rows == len(first_rows) and summary.written == 24 - len(first_rows)
    assert any("removed a torn last line" in line for line in lines)
    per_persona = Counter(row["persona_id"] for row in first_rows)
    done_before = [persona_id for persona_id, count in per_persona.items() if count == 8]
    assert done_before, "the interruption should leave some persona complete"
    for persona_id in done_before:
        assert writer.calls[persona_id.removeprefix("mbti_").upper()] == 0

    again = Writer()
    summary = run(personas, out, again, Checker(), batch_size=2)
    assert sum(again.calls.values()) == 0 and summary.written == 0 and rows_of(out) == rows


def test_out_of_rounds_is_reported_incomplete_and_a_rerun_completes(
    personas: list[FrameworkPersona], tmp_path: Path
) -> None:
    out = tmp_path / "statements.jsonl"
    summary = run(personas, out, Writer(), Checker(), batch_size=1, max_rounds=2)
    assert sorted(summary.incomplete) == sorted(f"mbti_{label.lower()}" for label in LABELS)
    assert len(rows_of(out)) == 3 * 2 * 2
    summary = run(personas, out, Writer(), Checker(), batch_size=1, max_rounds=2)
    assert len(rows_of(out)) == 24 and summary.incomplete == []
    assert_clean(out, 4)


@pytest.mark.parametrize(
    "bad_reply",
    ["Sure! Here are some statements you could use.", '{"agree": "I like maps a lot more than most people do."}', ""],
)
def test_malformed_replies_are_counted_and_retried(
    personas: list[FrameworkPersona], tmp_path: Path, bad_reply: str
) -> None:
    out = tmp_path / "statements.jsonl"
    lines: list[str] = []
    summary = run(personas, out, Writer(bad_first=bad_reply), Checker(bad_calls=frozenset({1})), lines=lines)
    assert_clean(out, 4)
    assert [progress.malformed_writer for progress in summary.personas] == [1, 1, 1]
    assert sum(progress.malformed_checker for progress in summary.personas) == 1
    assert summary.rejected()["unchecked"] == 16
    assert sum("unusable writer reply" in line for line in lines) == 3
    assert sum("unusable checker reply" in line for line in lines) == 1


def test_model_calls_in_flight_are_bounded(personas: list[FrameworkPersona], tmp_path: Path) -> None:
    class SlowModel:
        """Duck-typed model whose calls overlap, to observe concurrency."""

        def __init__(self, reply: Callable[[list[ChatMessage]], str]) -> None:
            self.reply = reply
            self.in_flight = 0
            self.peak = 0

        async def generate(self, input: list[ChatMessage], config: Any) -> Any:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await asyncio.sleep(0.01)
            self.in_flight -= 1
            return scripted_output(self.reply(input))

    writer, checker = SlowModel(Writer()), SlowModel(Checker())
    out = tmp_path / "statements.jsonl"
    summary = asyncio.run(
        generate_statements(
            personas,
            writer,
            checker,
            out,
            per_persona=2,
            max_connections=2,
            report=lambda line: None,  # type: ignore[arg-type]
        )
    )
    assert summary.incomplete == []
    assert writer.peak == 2


def test_existing_output_with_a_broken_row_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    out.write_text('{"statement_id": "a", "persona_id": "p", "statement": "I plan."}\n{"x": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: field 'agree': Field required"):
        StatementStore(out)


def row_line(statement_id: str, statement: str, agree: bool = True) -> str:
    row = {"statement_id": statement_id, "persona_id": "mbti_intj", "statement": statement, "agree": agree}
    return json.dumps(row, ensure_ascii=False) + "\n"


def test_a_last_line_torn_inside_a_multibyte_character_is_cut_on_resume(tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    complete = row_line("mbti_intj_a01", "I keep a café journal of plans.")
    torn = row_line("mbti_intj_a02", "I plan each naïve detail.").encode("utf-8")
    cut = torn[: torn.index("ï".encode()) + 1]  # the first of the two bytes of ï
    out.write_bytes(complete.encode("utf-8") + cut)
    store = StatementStore(out)
    store.close()
    assert store.repaired and store.resumed_rows == 1
    assert out.read_bytes() == complete.encode("utf-8")


def test_a_complete_last_row_without_newline_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    out.write_text(row_line("mbti_intj_a01", "I plan.").rstrip("\n"), encoding="utf-8")
    store = StatementStore(out)
    store.close()
    assert (
        store.repaired
        and store.resumed_rows == 1
        and out.read_text(encoding="utf-8") == row_line("mbti_intj_a01", "I plan.")
    )


def test_statements_holding_line_separators_survive_a_resume(tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    store = StatementStore(out)
    written = [
        store.add("mbti_intj", f"I plan{separator}everything ahead of time.", True) for separator in "\u2028\u0085"
    ]
    store.close()
    again = StatementStore(out)
    again.close()
    assert not again.repaired and again.resumed_rows == 2
    assert again.statements("mbti_intj") == written


def test_a_complete_line_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    out.write_bytes(row_line("mbti_intj_a01", "I plan.").encode() + b'{"statement": "\xff"}\n')
    with pytest.raises(InputError, match=r"output file .*, line 2: not UTF-8 text"):
        StatementStore(out)


def test_an_output_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(
        InputError, match=rf"^output file {blocker}/s.jsonl: cannot be written \({blocker} is not a directory\)$"
    ):
        StatementStore(blocker / "s.jsonl")


def test_invalid_options_raise_before_any_call(personas: list[FrameworkPersona], tmp_path: Path) -> None:
    writer = Writer()
    with pytest.raises(ValueError, match="per_persona 0: must be at least 1"):
        run(personas, tmp_path / "s.jsonl", writer, Checker(), per_persona=0)
    with pytest.raises(ValueError, match="more than once: mbti_intj"):
        run([personas[0], personas[0]], tmp_path / "s.jsonl", writer, Checker())
    assert not writer.prompts


# --- command line ---------------------------------------------------------------


def fail(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_missing_persona_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = fail(["statements", "--persona-file", str(tmp_path / "none.jsonl")], capsys)
    assert "error: persona file" in err and "no such file" in err


def test_unknown_persona_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    personas = write_personas(tmp_path / "personas.jsonl")
    err = fail(["statements", "--persona-file", str(personas), "--personas", "mbti_intj,nobody"], capsys)
    assert "unknown persona id(s): nobody" in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--per-persona", "0", "--per-persona 0: must be at least 1"),
        ("--max-rounds", "-1", "--max-rounds -1: must be at least 1"),
        ("--max-connections", "0", "--max-connections 0: must be at least 1"),
        ("--per-persona", "many", "invalid int value: 'many'"),
    ],
)
def test_bad_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str) -> None:
    personas = write_personas(tmp_path / "personas.jsonl")
    assert message in fail(["statements", "--persona-file", str(personas), option, value], capsys)


def test_malformed_persona_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    personas = tmp_path / "personas.jsonl"
    personas.write_text(json.dumps({"persona_id": "x", "framework": "MBTI", "label": "INTJ"}) + "\n")
    assert "line 1: field 'framework_description': Field required" in fail(
        ["statements", "--persona-file", str(personas)], capsys
    )


@pytest.mark.parametrize("kind", ["parent is a file", "out is a directory"])
def test_unwritable_out_exits_2_with_one_line_before_any_model_is_used(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(name: str) -> None:
        raise AssertionError("a model was resolved before the output file was checked")

    monkeypatch.setattr(generator_cli, "get_model", no_model)
    personas = write_personas(tmp_path / "personas.jsonl")
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "s.jsonl" if kind == "parent is a file" else tmp_path
    err = fail(["statements", "--persona-file", str(personas), "--out", str(out)], capsys)
    assert f"error: output file {out}: cannot be" in err and "rerun" not in err


def test_missing_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert "required: COMMAND" in fail([], capsys)


def test_scripted_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, checker = Writer(), Checker()
    models = {"scripted/writer": scripted_model(writer), "scripted/checker": scripted_model(checker)}
    monkeypatch.setattr(generator_cli, "get_model", lambda name: models[name])
    personas = write_personas(tmp_path / "personas.jsonl")
    out = tmp_path / "generated" / "statements.jsonl"
    argv = ["statements", "--persona-file", str(personas), "--personas", "mbti_intj", "mbti_istp"]
    argv += ["--model", "scripted/writer", "--checker-model", "scripted/checker", "--per-persona", "3"]
    argv += ["--out", str(out), "--batch-size", "2"]
    assert cli.main(argv) == 0
    rows = rows_of(out)
    assert (
        statement_problems(
            rows, expected_personas=["mbti_intj", "mbti_istp"], agree_per_persona=3, disagree_per_persona=3
        )
        == []
    )
    assert {row["persona_id"] for row in rows} == {"mbti_intj", "mbti_istp"}
    # The writer model only wrote, the checker model only checked.
    assert all("Write " in prompt for prompt in writer.prompts) and checker.calls == len(checker.prompts) > 0
    assert not any("Write " in prompt for prompt in checker.prompts)
    err = capsys.readouterr().err
    assert "mbti_intj round 2/10" in err and "2 of 2 personas complete" in err and "note:" not in err

    # Resuming a complete file makes no calls and still succeeds.
    writer.prompts.clear()
    assert cli.main(argv) == 0 and writer.prompts == [] and rows_of(out) == rows


def test_incomplete_run_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = scripted_model(lambda messages: "no statements today")
    monkeypatch.setattr(generator_cli, "get_model", lambda name: model)
    personas = write_personas(tmp_path / "personas.jsonl")
    argv = ["statements", "--persona-file", str(personas), "--out", str(tmp_path / "s.jsonl"), "--max-rounds", "2"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "note: " in err  # the writer also checks
    assert "0 of 3 personas complete" in err and "rerun the same command to continue" in err
    assert "unusable replies: writer 6, checker 0" in err


def test_failed_model_call_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(messages: object) -> str:
        raise RuntimeError("provider unavailable")

    model = scripted_model(broken)
    monkeypatch.setattr(generator_cli, "get_model", lambda name: model)
    personas = write_personas(tmp_path / "personas.jsonl")
    assert cli.main(["statements", "--persona-file", str(personas), "--out", str(tmp_path / "s.jsonl")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("RuntimeError: provider unavailable; rerun the same command to continue")


def test_module_is_runnable() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pluralbench.steerability.generate", "statements", "--per-persona", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--per-persona 0" in done.stderr


@pytest.mark.local_model
@pytest.mark.slow
@pytest.mark.parametrize("role", ["writer", "checker"])
def test_local_model_runs_the_pipeline(tmp_path: Path, role: str) -> None:
    """SmolLM2-135M proves the plumbing only: whatever it replies, the run ends and accounts for every candidate."""
    from inspect_ai.model import get_model

    from pluralbench.model import DEFAULT_MODEL

    personas = read_framework_personas(write_personas(tmp_path / "personas.jsonl"), ["mbti_intj"])
    local = get_model(DEFAULT_MODEL)
    writer = local if role == "writer" else scripted_model(Writer())
    checker = local if role == "checker" else scripted_model(Checker())
    out = tmp_path / "statements.jsonl"
    summary = asyncio.run(
        generate_statements(personas, writer, checker, out, per_persona=1, max_rounds=1, batch_size=1, report=print)
    )
    (progress,) = summary.personas
    assert progress.rounds == 1
    assert progress.malformed_writer == 1 or progress.candidates > 0
    if role == "checker":
        assert progress.candidates == 2 and progress.malformed_writer == 0
    assert progress.candidates == progress.kept + sum(progress.rejected.values())
    rows = rows_of(out)
    assert len(rows) == progress.kept <= 2
    assert statement_problems(rows, agree_per_persona=progress.agree, disagree_per_persona=progress.disagree) == []
