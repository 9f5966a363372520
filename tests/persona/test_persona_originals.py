"""persona-bench's data read as shipped: persona records, LOO and intersection configs, PRISM-Filter.

Fixtures under tests/fixtures/persona_bench/ are written in persona-bench's layouts (spaced
attribute names, no ids, ``"$56,000"`` incomes, Big Five as text); the hub loaders run on
fixture rows with ``datasets.load_dataset`` replaced, so nothing touches the network.
"""

import json
from pathlib import Path
from typing import Any

import datasets
import pytest
from inspect_ai.log import EvalLog

from pluralbench._errors import InputError
from pluralbench.persona import sources
from pluralbench.persona.data import load_personas, load_questions
from pluralbench.persona.options import parse_groups, parse_loo_attributes
from pluralbench.persona.prism import PRISM_FILTER_DATASET, PRISM_FILTER_REVISION, questions_from_prism_filter_records
from pluralbench.persona.tasks import persona, persona_intersectionality, persona_loo
from pluralbench.personas import PERSONA_ATTRIBUTES
from pluralbench.personas._persona_bench import (
    PERSONA_BENCH_NAMES,
    SYNTHETIC_PERSONAS_DATASET,
    SYNTHETIC_PERSONAS_REVISION,
    parse_amount,
    parse_big_five,
)
from pluralbench.scripted import scripted_model
from replies import controversy_verdict
from states import RunEval
from support import FIXTURES

BENCH = FIXTURES / "persona_bench"
PERSONAS = BENCH / "personas.jsonl"
ANSWER = "<answer>advice</answer>"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_persona_bench_name_maps_to_one_of_ours() -> None:
    assert len(PERSONA_BENCH_NAMES) == 33
    assert sorted(PERSONA_BENCH_NAMES.values()) == sorted(PERSONA_ATTRIBUTES)
    assert sum(" " in name for name in PERSONA_BENCH_NAMES) == 20
    assert all(ours == name.replace(" ", "_") for name, ours in PERSONA_BENCH_NAMES.items())


def test_persona_bench_records_load_with_derived_ids_parsed_income_and_big_five() -> None:
    personas = load_personas(PERSONAS)
    assert [p.persona_id for p in personas] == ["pb-000001", "pb-000002", "pb-000003", "pb-000004"]
    first, second = personas[0], personas[1]
    assert first.income == 56000 and second.income == 112500 and personas[2].income == 0
    assert first.household_language == "English" and second.household_language == "Spanish"
    assert first.political_views == "Democrat" and first.family_presence_and_age == "Own children under 6 only"
    assert first.big_five_scores == {
        "Openness": 72,
        "Conscientiousness": 40,
        "Extraversion": 15,
        "Agreeableness": 88,
        "Neuroticism": 30,
    }
    assert second.big_five_scores == _rows(PERSONAS)[1]["big five scores"]  # level words: kept as text
    assert "Big Five traits: Openness: High" in second.render() and "Income: $112,500 per year" in second.render()
    assert second.fertility is None  # null in the record: absent
    assert load_personas(BENCH / "personas.json") == personas[:2]  # the JSON-array form reads the same


def test_amount_and_big_five_parsing() -> None:
    assert parse_amount("$56,000") == 56000 and parse_amount("56000") == 56000 and parse_amount("$1,234.60") == 1235
    assert parse_amount("about 50k") is None and parse_amount("$5,00") is None
    scores = parse_big_five(
        "openness 10th percentile; conscientiousness: 20, extraversion=30, agreeableness 40, neuroticism 50"
    )
    assert scores == {
        "Openness": 10,
        "Conscientiousness": 20,
        "Extraversion": 30,
        "Agreeableness": 40,
        "Neuroticism": 50,
    }
    assert parse_big_five("Openness: 72, Conscientiousness: 40") == "Openness: 72, Conscientiousness: 40"  # 3 missing
    assert isinstance(
        parse_big_five("Openness 140, Conscientiousness 1, Extraversion 2, Agreeableness 3, Neuroticism 4"), str
    )


def test_bad_persona_files_get_one_line_naming_file_and_layouts(tmp_path: Path) -> None:
    neither = tmp_path / "neither.jsonl"
    neither.write_text(json.dumps({"name": "Ann", "household_language": "English"}) + "\n")
    with pytest.raises(
        InputError, match=r"neither\.jsonl: fits none of the layouts: pluralbench .* persona-bench"
    ) as error:
        load_personas(neither)
    assert "\n" not in str(error.value) and "'name'" in str(error.value)
    bad_income = tmp_path / "income.jsonl"
    bad_income.write_text(json.dumps({"age": 30, "income": "about 50k"}) + "\n")
    with pytest.raises(InputError, match=r"income\.jsonl, line 1, field 'income': cannot read 'about 50k'"):
        load_personas(bad_income)
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(json.dumps({"age": 30}) + "\n" + json.dumps({"age": 31, "hair colour": "red"}) + "\n")
    with pytest.raises(
        InputError, match=r"unknown\.jsonl, line 2: field 'hair colour' is not a persona-bench attribute"
    ):
        load_personas(unknown)
    not_array = tmp_path / "object.json"
    not_array.write_text(json.dumps({"personas": []}))
    with pytest.raises(InputError, match="fits none of the layouts"):
        load_personas(not_array)


def test_loo_and_intersection_configs_with_spaced_names_map_to_ours() -> None:
    assert parse_loo_attributes(str(BENCH / "loo_attributes.json")) == (
        "household_language",
        "political_views",
        "big_five_scores",
        "age",
        "marital_status",
    )
    assert parse_loo_attributes("household language, political views") == ("household_language", "political_views")
    groups = parse_groups(BENCH / "intersections.json")
    assert [g.name for g in groups] == [
        "sex=Female & marital_status=Married|Divorced",
        "sex=Male & political_views=Republican|Independent",
    ]
    with pytest.raises(InputError, match="unknown attribute"):
        parse_loo_attributes("hair colour")


def test_prism_filter_rows_get_derived_ids_and_no_premise() -> None:
    selection = questions_from_prism_filter_records([*_rows(BENCH / "prism_filter.jsonl"), {"question": "  "}])
    assert [q.question_id for q in selection.questions] == [f"prism-filter-00000{i}" for i in range(1, 5)]
    assert all(q.requires is None and q.topic is None for q in selection.questions)
    assert selection.excluded == {"blank question": 1}
    with pytest.raises(InputError, match=r"PRISM-Filter, row 1: .*question"):
        questions_from_prism_filter_records([{"prompt": "no question field"}])


def test_question_files_without_ids_and_mixed_ids(tmp_path: Path) -> None:
    questions = load_questions(BENCH / "questions_no_ids.jsonl")
    assert [q.question_id for q in questions] == ["q-000001", "q-000002", "q-000003"]
    assert questions[2].requires == {"sex": ["Female"], "marital_status": ["Widowed"]}
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        json.dumps({"question_id": "a", "question": "Why?"}) + "\n" + json.dumps({"question": "How?"}) + "\n"
    )
    with pytest.raises(InputError, match="question 2 has no 'question_id' but others do"):
        load_questions(mixed)


def _fake_hub(monkeypatch: pytest.MonkeyPatch, calls: list[dict[str, Any]]) -> None:
    def load_dataset(name: str, *args: Any, split: str, revision: str) -> list[dict[str, Any]]:
        calls.append({"name": name, "split": split, "revision": revision})
        if name == SYNTHETIC_PERSONAS_DATASET:
            return [{**row, "hub extra column": 1} for row in _rows(PERSONAS)]
        assert name == PRISM_FILTER_DATASET
        return _rows(BENCH / "prism_filter.jsonl")

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)


def _metadata(log: EvalLog) -> dict[str, Any]:
    assert log.eval.metadata is not None
    return log.eval.metadata


def test_persona_bench_file_and_prism_filter_run_end_to_end(
    run_eval: RunEval, monkeypatch: pytest.MonkeyPatch, approving_critic: Any
) -> None:
    calls: list[dict[str, Any]] = []
    _fake_hub(monkeypatch, calls)
    log = run_eval(
        persona(n=2, personas=str(PERSONAS), questions="prism-filter"),
        scripted_model(ANSWER),
        {"critic": approving_critic},
    )
    assert calls == [{"name": PRISM_FILTER_DATASET, "split": "train", "revision": PRISM_FILTER_REVISION}]
    assert log.samples and len(log.samples) == 2
    assert all(
        s.id is not None and str(s.id).startswith("pb-0000") and ":prism-filter-" in str(s.id) for s in log.samples
    )
    meta = _metadata(log)
    assert meta["question_source"]["dataset"] == PRISM_FILTER_DATASET and meta["question_source"]["rows_kept"] == 4
    assert meta["persona_source"] == {"file": str(PERSONAS), "rows": 4}
    assert meta["premises"]["questions_with_premise"] == 0


def test_synthetic_personas_from_the_hub_record_split_and_revision(
    run_eval: RunEval, monkeypatch: pytest.MonkeyPatch, approving_critic: Any
) -> None:
    calls: list[dict[str, Any]] = []
    _fake_hub(monkeypatch, calls)
    log = run_eval(
        persona(n=2, personas="synthetic-personas:test"), scripted_model(ANSWER), {"critic": approving_critic}
    )
    assert calls == [{"name": SYNTHETIC_PERSONAS_DATASET, "split": "test", "revision": SYNTHETIC_PERSONAS_REVISION}]
    source = _metadata(log)["persona_source"]
    assert source == {
        "dataset": SYNTHETIC_PERSONAS_DATASET,
        "split": "test",
        "revision": SYNTHETIC_PERSONAS_REVISION,
        "rows": 4,
        "columns_skipped": ["hub extra column"],
    }
    with pytest.raises(InputError, match="unknown split; use one of train, test"):
        persona(n=2, personas="synthetic-personas:validation")


def test_loo_and_intersections_with_spaced_names_run_end_to_end(run_eval: RunEval, approving_critic: Any) -> None:
    loo = run_eval(
        persona_loo(attributes=str(BENCH / "loo_attributes.json"), n=2, personas=str(PERSONAS)),
        scripted_model(ANSWER),
        {"critic": approving_critic},
    )
    assert loo.samples
    variants = {s.metadata["variant"] for s in loo.samples}
    assert {"full", "without household_language", "without big_five_scores", "all hidden"} <= variants
    groups = run_eval(
        persona_intersectionality(groups=str(BENCH / "intersections.json"), n_per_group=2, personas=str(PERSONAS)),
        scripted_model(ANSWER),
        {"critic": approving_critic},
    )
    assert groups.samples
    names = {name for s in groups.samples for name in s.metadata["groups"]}
    assert names == {
        "sex=Female & marital_status=Married|Divorced",
        "sex=Male & political_views=Republican|Independent",
    }


def test_contested_only_filters_with_the_judge_and_counts_exclusions(
    run_eval: RunEval, monkeypatch: pytest.MonkeyPatch, approving_critic: Any
) -> None:
    judged: list[str] = []

    def judge(messages: Any) -> str:
        text = messages[-1].text
        judged.append(text)
        return controversy_verdict("death penalty" in text)

    monkeypatch.setattr(sources, "contested_judge", lambda: lambda: scripted_model(judge))
    task = persona(n=2, personas=str(PERSONAS), questions=str(BENCH / "questions_no_ids.jsonl"), contested_only=True)
    log = run_eval(task, scripted_model(ANSWER), {"critic": approving_critic})
    assert len(judged) == 3
    assert log.samples and {s.metadata["question_id"] for s in log.samples} == {"q-000002"}
    source = _metadata(log)["question_source"]
    assert source["contested_only"] is True and source["excluded"] == {"judged not contested": 2}


def test_contested_only_is_validated_strictly() -> None:
    with pytest.raises(InputError, match="contested_only"):
        persona(n=2, contested_only="yes")  # type: ignore[arg-type]
