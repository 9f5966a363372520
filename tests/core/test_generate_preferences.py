"""Preference-pair generation with scripted writer and judge: TRL rows, resumption without loss or duplicates, CLI."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage
from pydantic import BaseModel

import pluralbench.generate._cli as generator_cli
from persona_scripts import fenced_section, prompt_of
from pluralbench._errors import InputError
from pluralbench._jsonl_store import JsonlStore
from pluralbench.generate.__main__ import main
from pluralbench.persona.data import load_personas, load_questions
from pluralbench.persona.preferences import quality
from pluralbench.persona.preferences.contrast import choose_contrast, clearly_differs
from pluralbench.persona.preferences.generate import PreferenceVerdict, draws_path, generate_preferences
from pluralbench.persona.preferences.records import GeneratedPair
from pluralbench.scripted import scripted_model

PERSONAS = load_personas()
QUESTIONS = load_questions()


def fingerprint(rendered: str) -> str:
    return hashlib.sha256(rendered.encode()).hexdigest()[:12]


class Writer:
    """Writes a distinct answer that carries the fingerprint of the persona it was written for (or none)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after

    def __call__(self, messages: list[ChatMessage]) -> str:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("scripted writer lost its connection")
        self.calls += 1
        system = messages[0].text if messages[0].role == "system" else None
        question = fenced_section(messages[-1].text, "QUESTION")
        whom = f"for {fingerprint(fenced_section(system, 'PERSONA'))}" if system else "for anyone"
        return f"<answer>Answer {whom} to '{question}' (call {self.calls}).</answer>"


class Judge:
    """Role-plays the persona: prefers the answer written for it (``biased``: always answer 1)."""

    def __init__(self, biased: bool = False, garbage: bool = False, fail_after: int | None = None) -> None:
        self.calls = 0
        self.biased = biased
        self.garbage = garbage
        self.fail_after = fail_after

    def __call__(self, messages: list[ChatMessage]) -> str:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("scripted judge lost its connection")
        self.calls += 1
        if self.garbage:
            return "Both are fine, honestly."
        prompt = prompt_of(messages[:1])
        mine = f"for {fingerprint(fenced_section(prompt, 'PERSONA'))}"
        preferred = 1 if self.biased or mine in fenced_section(prompt, "ANSWER 1") else 2
        return PreferenceVerdict(feedback=f"I prefer answer {preferred}.", preferred=preferred).model_dump_json()  # type: ignore[arg-type]


def generate(
    out: Path, writer: Writer, judge: Judge, *, pairs: int = 4, lines: list[str] | None = None, **options: Any
) -> Any:
    options.setdefault("max_draws", 2 * pairs)
    return asyncio.run(
        generate_preferences(
            PERSONAS,
            QUESTIONS,
            scripted_model(writer),
            scripted_model(judge),
            out,
            pairs=pairs,
            report=(lines.append if lines is not None else lambda line: None),
            **options,
        )
    )


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_four_pairs_in_trl_conversational_format(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    lines: list[str] = []
    writer, judge = Writer(), Judge()
    summary = generate(out, writer, judge, lines=lines)
    rows = rows_of(out)
    assert summary.complete and summary.written == 4 and summary.draws == 2 and len(rows) == 4
    assert writer.calls == 6 and judge.calls == 8  # per draw: 3 answers, 2 comparisons x 2 orders
    assert lines == [
        "batch 1: 2 draws, 4 pairs (4/4 in the file); no pair: inconsistent 0, no answer 0, "
        "same answers 0, unreadable verdict 0"
    ]
    by_id = {p.persona_id: p for p in PERSONAS}
    for row in rows:
        pair = GeneratedPair.model_validate(row)
        persona = by_id[pair.persona_id]
        assert [turn.role for turn in pair.prompt] == ["system", "user"]
        assert persona.render() in pair.prompt[0].content
        question = next(q for q in QUESTIONS if q.question_id == pair.question_id)
        assert pair.prompt[1].content == question.question and question.fits(persona)
        assert pair.chosen_source == "persona" and pair.consistent is True and len(pair.feedback) == 2
        assert fingerprint(persona.render()) in pair.chosen[0].content
        assert pair.writer_model == pair.judge_model == "mockllm/model"
        if pair.rejected_source == "contrast":
            contrast = by_id[pair.contrast_persona_id or ""]
            assert question.fits(contrast)
            assert pair.attribute and clearly_differs(
                pair.attribute,
                persona.attribute_values().get(pair.attribute),
                contrast.attribute_values().get(pair.attribute),
            )
        else:
            assert pair.rejected_source == "no_persona" and "for anyone" in pair.rejected[0].content
    assert Counter(row["rejected_source"] for row in rows) == {"contrast": 2, "no_persona": 2}
    draws = rows_of(draws_path(out))
    assert [len(d["comparisons"]) for d in draws] == [2, 2]
    assert all(c["outcome"] == "pair" for d in draws for c in d["comparisons"])
    # the file passes the quality check (answers here are short: length not checked)
    assert quality.main([str(out), "--any-length"]) == 0


def test_an_interrupted_run_resumes_without_losing_or_duplicating_a_row(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    with pytest.raises(RuntimeError, match="lost its connection"):
        generate(out, Writer(), Judge(fail_after=5), pairs=8, max_connections=1)
    before = out.read_text(encoding="utf-8")
    first = rows_of(out)
    assert 0 < len(first) < 8
    lines: list[str] = []
    summary = generate(out, Writer(), Judge(), pairs=8, lines=lines)
    after = rows_of(out)
    assert out.read_text(encoding="utf-8").startswith(before)  # nothing rewritten
    assert after[: len(first)] == first and len(after) >= 8 and summary.complete
    assert len({row["pair_id"] for row in after}) == len(after)
    draws = rows_of(draws_path(out))
    keys = [(d["persona_id"], d["question_id"]) for d in draws]
    assert len(set(keys)) == len(keys)
    assert {(row["persona_id"], row["question_id"]) for row in after} <= set(keys)
    assert lines[0].startswith(f"resuming {out}: {len(first)} pairs")


def test_a_torn_last_line_is_cut_and_the_run_continues(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    generate(out, Writer(), Judge(), pairs=2)
    kept = out.read_bytes()
    torn = json.dumps({"pair_id": "x", "chosen": "caf\u00e9"}, ensure_ascii=False).encode()
    out.write_bytes(kept + torn[: torn.index("\u00e9".encode()) + 1])  # cut inside a two-byte character
    lines: list[str] = []
    summary = generate(out, Writer(), Judge(), pairs=4, lines=lines)
    assert "removed a torn last line" in lines[0] and summary.resumed_pairs == 2 and summary.complete
    assert out.read_bytes().startswith(kept) and len(rows_of(out)) == 4


def test_inconsistent_judges_make_no_pairs_and_a_rerun_draws_new_ones(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    summary = generate(out, Writer(), Judge(biased=True), pairs=2, max_draws=2)
    assert not summary.complete and summary.pairs == 0 and summary.outcomes == {"inconsistent": 4}
    assert not out.read_text(encoding="utf-8")
    first = {d["draw"] for d in rows_of(draws_path(out))}
    generate(out, Writer(), Judge(biased=True), pairs=2, max_draws=2)
    draws = rows_of(draws_path(out))
    assert len(draws) == 4 and first.isdisjoint(d["draw"] for d in draws[2:])
    assert all(
        c["preferred"] in (["persona", "contrast"], ["persona", "no_persona"]) for d in draws for c in d["comparisons"]
    )


def test_unreadable_verdicts_are_recorded_not_paired(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    judge = Judge(garbage=True)
    summary = generate(out, Writer(), judge, pairs=2, max_draws=1)
    assert summary.pairs == 0 and summary.outcomes == {"unreadable_verdict": 2}
    assert judge.calls == 8  # each of the 4 verdicts was asked for once more
    [draw] = rows_of(draws_path(out))
    assert all(c["preferred"] == [None, None] and "after one repair" in c["problem"] for c in draw["comparisons"])


def test_draws_skip_personas_outside_the_premise(tmp_path: Path) -> None:
    widowed = next(q for q in QUESTIONS if q.requires and q.requires.get("marital_status") == ["Widowed"])
    summary = asyncio.run(
        generate_preferences(
            PERSONAS[:200],
            [widowed],
            scripted_model(Writer()),
            scripted_model(Judge()),
            tmp_path / "p.jsonl",
            pairs=100,
            max_draws=100,
            report=lambda line: None,
        )
    )
    fitting = [p for p in PERSONAS[:200] if widowed.fits(p)]
    assert (
        summary.exhausted
        and summary.draws == len(fitting)
        and summary.premise_skipped == 200 - len(fitting)
        and len(fitting) >= 2
    )
    assert {row["persona_id"] for row in rows_of(tmp_path / "p.draws.jsonl")} == {p.persona_id for p in fitting}


def test_contrast_personas_clearly_differ_and_are_seeded() -> None:
    assert clearly_differs("age", 30, 50) and not clearly_differs("age", 30, 45)
    assert clearly_differs("income", 0, 100) and clearly_differs("income", 20000, 50000)
    assert not clearly_differs("income", 40000, 50000) and not clearly_differs("religion", "Catholic", None)
    question = next(q for q in QUESTIONS if q.topic == "religion_spirituality")
    asker = PERSONAS[0]
    first = choose_contrast(asker, question, PERSONAS, seed=1)
    assert first is not None and first == choose_contrast(asker, question, PERSONAS, seed=1)
    assert first.attribute in ("religion", "ideology", "family_presence_and_age", "age")
    assert first.persona.persona_id != asker.persona_id and first.attribute in first.differing
    lonely = [asker, asker.model_copy(update={"persona_id": "twin"})]
    assert choose_contrast(asker, question, lonely, seed=1) is None  # nobody differs


@pytest.fixture
def scripted_cli(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    models: dict[str, Any] = {"writer": Writer(), "judge": Judge()}

    def fake_get_model(name: str) -> Any:
        if name == "broken/model":
            raise ValueError("[bold]no such provider[/bold]")
        return scripted_model(models["judge"] if name == "judge" else models["writer"])

    monkeypatch.setattr(generator_cli, "get_model", fake_get_model)
    return models


def test_cli_generates_and_reports(
    tmp_path: Path, scripted_cli: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.jsonl"
    assert main(["preferences", "--model", "w", "--judge-model", "judge", "--pairs", "4", "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("batch 1: 2 draws, 4 pairs") and err[-1] == "4 of 4 pairs"
    assert len(rows_of(out)) == 4
    scripted_cli["judge"] = Judge(biased=True)
    assert (
        main(
            [
                "preferences",
                "--model",
                "w",
                "--judge-model",
                "judge",
                "--pairs",
                "6",
                "--out",
                str(out),
                "--max-draws",
                "1",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0].startswith("resuming") and err[-1] == "this run's 1 draws are spent; rerun the same command to continue"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pairs", "0"], "--pairs 0: must be at least 1"),
        (["--max-connections", "0"], "--max-connections 0: must be at least 1"),
        (["--personas", "missing.jsonl"], "persona file missing.jsonl: no such file"),
        (["--model", "broken/model"], "cannot use model: no such provider"),
        (["--out", "{tmp}"], "cannot be written (Is a directory)"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, scripted_cli: dict[str, Any], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    with pytest.raises(SystemExit) as raised:  # a later --out overrides the first
        main(["preferences", "--out", str(tmp_path / "p.jsonl"), *args])
    assert raised.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert message in line and line.startswith("python -m pluralbench.generate preferences: error:")


def test_cli_model_failure_exits_1_and_keeps_rows(
    tmp_path: Path, scripted_cli: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    scripted_cli["writer"] = Writer(fail_after=4)
    out = tmp_path / "p.jsonl"
    assert main(["preferences", "--pairs", "4", "--out", str(out), "--max-connections", "1"]) == 1
    assert (
        "RuntimeError: scripted writer lost its connection; rerun the same command to continue"
        in capsys.readouterr().err
    )


def test_the_core_store_keeps_an_unterminated_row_and_names_a_bad_line(tmp_path: Path) -> None:
    class Row(BaseModel):
        n: int

    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"n": 1}\n{"n": 2}')  # complete, but the newline was never written
    with JsonlStore(path, Row) as store:
        assert [row.n for row in store.rows] == [1, 2] and store.repaired
        store.append(Row(n=3))
    assert path.read_bytes() == b'{"n": 1}\n{"n": 2}\n{"n": 3}\n'
    path.write_bytes(b'{"n": 1}\n{"n": "x"}\n{"n": 3}\n')
    with pytest.raises(InputError, match=r"output file .*rows.jsonl, line 2: field 'n'"):
        JsonlStore(path, Row)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=rf"cannot be written \({blocker} is not a directory\)"):
        JsonlStore(blocker / "rows.jsonl", Row)
