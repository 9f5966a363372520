"""Judge agreement: kappa 1 for identical critics, about 0 for independent random ones, known values
of Cohen's and Fleiss' kappa, every unit accounted for, human-label files, one-line errors."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import eval, score, task_with
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log
from inspect_ai.model import ChatMessage
from inspect_ai.scorer import Score

from persona_scripts import fenced_section, prompt_of
from pluralbench.agreement.__main__ import main
from pluralbench.agreement.labels import human_raters, log_rater
from pluralbench.agreement.stats import LabelTable, agreement
from pluralbench.persona.group.tasks import persona_group
from pluralbench.persona.scorers import personalization_critic
from pluralbench.persona.tasks import persona
from pluralbench.scripted import scripted_model
from replies import APPROVE, REJECT


def critic_by_sex(messages: list[ChatMessage]) -> str:
    """Approves answers for women, asks men's answers for a revision: varied, deterministic verdicts."""
    return APPROVE if "Sex: Female" in fenced_section(prompt_of(messages), "PERSONA") else REJECT


@pytest.fixture(scope="module")
def persona_log(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real ``persona`` log of 12 samples judged by ``critic_by_sex``."""
    log_dir = tmp_path_factory.mktemp("logs")
    model = scripted_model(lambda messages: f"<answer>answer to {messages[-1].text[:40]}</answer>")
    [log] = eval(
        task_with(persona(n=12), model=model),
        model=model,
        model_roles={"critic": scripted_model(critic_by_sex)},  # type: ignore[dict-item]
        log_dir=str(log_dir),
        display="none",
    )
    assert log.status == "success" and log.location
    return str(log.location)


def rescored(path: str, critic: object, out: Path) -> str:
    """The log judged again by another critic, as ``inspect score --action overwrite`` does."""
    log = score(read_eval_log(path), personalization_critic(), model_roles={"critic": critic}, action="overwrite")  # type: ignore[dict-item]
    write_eval_log(log, str(out))
    return str(out)


def constructed_log(
    template: str, verdicts: Sequence[bool | None], out: Path, answers: Sequence[str] | None = None
) -> str:
    """A log of ``len(verdicts)`` samples ``s0``, ``s1``, ... with the given critic verdicts (None: unreadable)."""
    log: EvalLog = read_eval_log(template)
    assert log.samples
    first = log.samples[0].model_copy(update={"events": [], "messages": [], "attachments": {}})
    samples = []
    for index, verdict in enumerate(verdicts):
        answer = answers[index] if answers else f"answer {index}"
        if verdict is None:
            result = Score.unscored(reason="verdict unreadable after one repair attempt: no JSON object")
        else:
            result = Score(
                value=0.0 if verdict else 1.0,
                answer=answer,
                metadata={"needs_revision": verdict, "critic_model": "mockllm/critic"},
            )
        samples.append(first.model_copy(update={"id": f"s{index}", "scores": {"personalization_critic": result}}))
    write_eval_log(log.model_copy(update={"samples": samples}), str(out))
    return str(out)


def run(tmp_path: Path, *args: str) -> tuple[int, pd.DataFrame | None]:
    out = tmp_path / "out"
    code = main([*args, "--out", str(out)])
    frames = [path for path in sorted(out.glob("agreement_*.csv")) if not path.name.endswith("_raters.csv")]
    return code, pd.read_csv(frames[0]) if frames else None


def test_identical_critics_give_kappa_one(persona_log: str, tmp_path: Path) -> None:
    again = rescored(persona_log, scripted_model(critic_by_sex), tmp_path / "again.eval")
    code, frame = run(tmp_path, persona_log, again)
    assert code == 0 and frame is not None
    [row] = frame.to_dict("records")
    assert row["kappa"] == 1.0 and row["agreement"] == 1.0 and row["kappa_n"] == 12 == row["units"]
    assert row["kappa_ci_low"] == 1.0 and row["method"] == "cohen"
    labels = log_rater(persona_log).units.values()
    assert {label.label for label in labels} == {"true", "false"}  # both verdicts occur, so kappa is defined
    assert row["confusion:true/false"] == 0 and row["confusion:true/true"] + row["confusion:false/false"] == 12
    assert list((tmp_path / "out").glob("*.png"))


def test_a_critic_that_flips_every_verdict_gives_kappa_minus_one(persona_log: str, tmp_path: Path) -> None:
    def flipped(messages: list[ChatMessage]) -> str:
        return REJECT if critic_by_sex(messages) == APPROVE else APPROVE

    code, frame = run(tmp_path, persona_log, rescored(persona_log, scripted_model(flipped), tmp_path / "flip.eval"))
    assert code == 0 and frame is not None
    share = sum(label.label == "true" for label in log_rater(persona_log).units.values()) / 12
    chance = 2 * share * (1 - share)  # the flipped critic's shares are the other way round
    assert frame.loc[0, "agreement"] == 0.0 and frame.loc[0, "kappa"] == pytest.approx(-chance / (1 - chance))


@pytest.mark.slow
def test_independent_random_critics_give_kappa_near_zero(persona_log: str, tmp_path: Path) -> None:
    rng = random.Random(11)
    first = constructed_log(persona_log, [rng.random() < 0.5 for _ in range(500)], tmp_path / "a.eval")
    second = constructed_log(persona_log, [rng.random() < 0.5 for _ in range(500)], tmp_path / "b.eval")
    code, frame = run(tmp_path, first, second)
    assert code == 0 and frame is not None
    row = frame.loc[0]
    assert abs(row["kappa"]) < 0.08 and row["kappa_ci_low"] < 0 < row["kappa_ci_high"]
    assert 0.45 < row["agreement"] < 0.55 and row["kappa_n"] == 500


def test_kappa_matches_published_worked_examples() -> None:
    # Cohen: 50 units, agreement 0.7, marginals 0.5 and 0.6 -> p_e 0.5, kappa 0.4
    rows = [["yes", "yes"]] * 20 + [["yes", "no"]] * 5 + [["no", "yes"]] * 10 + [["no", "no"]] * 15
    result = agreement(LabelTable.from_rows(rows), seed=1)
    assert result.kappa[0] == pytest.approx(0.4) and result.agreement[0] == pytest.approx(0.7)
    assert result.kappa[1] < 0.4 < result.kappa[2]
    # Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters, 5 categories, kappa 0.210
    counts = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    rows = [[str(category) for category, n in enumerate(row) for _ in range(n)] for row in counts]
    fleiss = agreement(LabelTable.from_rows(rows))
    assert fleiss.kappa[0] == pytest.approx(0.210, abs=5e-4) and fleiss.agreement[0] == pytest.approx(0.378, abs=5e-4)
    assert fleiss.method == "fleiss" and fleiss.confusion == {}
    constant = agreement(LabelTable.from_rows([["x", "x"]] * 5))
    assert constant.agreement[0] == 1.0 and constant.kappa[0] != constant.kappa[0]  # NaN: chance agreement is 1


def test_bootstrap_intervals_are_seeded(persona_log: str, tmp_path: Path) -> None:
    rng = random.Random(3)
    rows = [[rng.choice("ab"), rng.choice("ab")] for _ in range(60)]
    assert agreement(LabelTable.from_rows(rows), seed=4) == agreement(LabelTable.from_rows(rows), seed=4)
    assert agreement(LabelTable.from_rows(rows), seed=4).kappa != agreement(LabelTable.from_rows(rows), seed=5).kappa


def test_units_missing_unscored_or_judged_on_other_answers_are_counted(
    persona_log: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verdicts = [index % 3 == 0 for index in range(10)]
    first = constructed_log(persona_log, verdicts, tmp_path / "a.eval")
    other = [None if index == 3 else verdict for index, verdict in enumerate(verdicts[:9])]  # s9 absent, s3 unscored
    answers = [f"answer {index}" if index != 5 else "a different answer" for index in range(9)]
    second = constructed_log(persona_log, other, tmp_path / "b.eval", answers)
    code, frame = run(tmp_path, first, second)
    assert code == 2 and frame is not None
    row = frame.loc[0]
    assert (row["kappa_n"], row["absent"], row["unscored"], row["material_differs"], row["units"]) == (7, 1, 1, 1, 10)
    printed = capsys.readouterr().out
    assert "1 absent" in printed and "1 unscored" in printed and "different answers" in printed
    assert "verdict unreadable" in printed


def write_lines(path: Path, lines: Sequence[object]) -> str:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), encoding="utf-8"
    )
    return str(path)


def test_a_log_against_human_labels_in_jsonl_and_csv(persona_log: str, tmp_path: Path) -> None:
    truth = {key.split(" epoch ")[0]: label.label == "true" for key, label in log_rater(persona_log).units.items()}
    ids = sorted(truth)
    jsonl = write_lines(
        tmp_path / "people.jsonl",
        [{"sample_id": i, "needs_revision": truth[i], "rater": "ana"} for i in ids]
        + [
            {"sample_id": i, "needs_revision": truth[i] if n else not truth[i], "rater": "ben"}
            for n, i in enumerate(ids)
        ],
    )
    code, frame = run(tmp_path, persona_log, "--labels", jsonl)
    assert code == 0 and frame is not None
    by_name = frame.set_index("comparison")
    assert list(frame["method"]) == ["cohen", "cohen", "cohen", "fleiss"]
    critic = log_rater(persona_log).name
    assert by_name.loc[f"{critic} vs ana", "kappa"] == 1.0
    assert by_name.loc[f"{critic} vs ben", "agreement"] == pytest.approx(11 / 12)
    csv = tmp_path / "people.csv"
    csv.write_text(
        "\ufeffsample_id,needs_revision\n" + "".join(f"{i},{str(truth[i]).upper()}\n" for i in ids[:10]),
        encoding="utf-8",
    )
    [person] = human_raters(str(csv))
    assert person.name == "people.csv" and len(person.units) == 10
    code, frame = run(tmp_path, persona_log, "--labels", str(csv))
    assert code == 2 and frame is not None  # the two samples nobody labelled are counted as absent
    assert frame.loc[0, "kappa"] == 1.0 and frame.loc[0, "absent"] == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "sample_id,needs_revision\na,true\nb,maybe\n", "line 3: field 'needs_revision'"),
        (
            "bad.jsonl",
            '{"sample_id": "a", "needs_revision": true}\n{"needs_revision": false}\n',
            "line 2: field 'sample_id'",
        ),
        ("bad.jsonl", '{"sample_id": "a", "needs_revision": "no"}\n', "line 1: field 'needs_revision'"),
        ("bad.jsonl", '{"sample_id": "a", "choice": true}\n', "line 1: field 'choice'"),
        ("bad.jsonl", '{"sample_id": "a", "needs_revision": true, "choice": 1}\n', "line 1: "),
        (
            "bad.jsonl",
            '{"sample_id": "a", "needs_revision": true}\n{"sample_id": "b", "choice": 2}\n',
            "line 2: field 'choice'",
        ),
        (
            "bad.jsonl",
            '{"sample_id": "a", "needs_revision": true}\n{"sample_id": "a", "needs_revision": false}\n',
            "line 2: field 'sample_id': a epoch 1 already labelled",
        ),
        (
            "bad.jsonl",
            '{"sample_id": "a", "needs_revision": true, "score": 1}\n',
            "line 1: field 'score': unknown field",
        ),
        ("bad.jsonl", "{oops\n", "line 1: invalid JSON"),
        ("bad.txt", "sample_id\n", "must end in .jsonl or .csv"),
    ],
)
def test_a_bad_label_file_is_one_line_naming_file_line_and_field(
    persona_log: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main([persona_log, "--labels", str(path), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"labels file {path}" in error and message in error
    assert not (tmp_path / "out").exists()


def test_logs_that_cannot_be_compared_are_refused(
    persona_log: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in (
        ([persona_log], "at least two raters"),
        ([persona_log, str(tmp_path / "missing.eval")], "no log file at"),
        ([persona_log, persona_log, "--scorer", "persona_identification"], "option --scorer persona_identification"),
    ):
        assert main([*args, "--out", str(tmp_path / "out")]) == 1
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and message in error


def test_group_logs_compare_each_member_and_answer(
    tmp_path: Path, persona_log: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model = scripted_model("<answer>one answer for everyone</answer>")
    [log] = eval(
        task_with(persona_group(n=3, compare_individual=True), model=model),
        model=model,
        model_roles={"critic": scripted_model(critic_by_sex)},  # type: ignore[dict-item]
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.location
    rater = log_rater(str(log.location))
    assert len(rater.units) == 3 * 3 * 2 and sum(key.endswith("individual") for key in rater.units) == 9
    assert main([str(log.location), persona_log, "--out", str(tmp_path / "out")]) == 1
    assert "a log of task persona, but" in capsys.readouterr().err
    people = write_lines(
        tmp_path / "people.jsonl",
        [
            {
                "sample_id": key.split(" epoch ")[0],
                "member": int(key.split(" person ")[1].split()[0]),
                "answer": "individual" if key.endswith("individual") else "group",
                "needs_revision": label.label == "true",
            }
            for key, label in rater.units.items()
        ],
    )
    code, frame = run(tmp_path, str(log.location), "--labels", people)
    assert code == 0 and frame is not None and frame.loc[0, "kappa_n"] == 18 and frame.loc[0, "agreement"] == 1.0
