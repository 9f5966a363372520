"""Alignment-target data: bundled items and targets, HelpSteer2 and MIC loaders, targets, few-shot choice."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pluralbench._errors import InputError
from pluralbench.alignment.dataset import (
    AlignmentData,
    AlignmentItem,
    alignment_samples,
    load_alignment_data,
    load_bundled_targets,
    read_items,
    resolve_target,
    sample_target,
)
from pluralbench.alignment.fewshot import ExamplePool
from pluralbench.alignment.geometry import (
    LEVELS,
    all_tied,
    distance,
    max_distance,
    nearest,
    random_target,
)
from pluralbench.alignment.sources import (
    HELPSTEER2_ATTRIBUTES,
    HELPSTEER2_REVISION,
    MIC_ATTRIBUTES,
    ItemDraft,
    helpsteer2_items,
    mic_items,
    read_mic_items,
    split_items,
)
from support import FIXTURES as FIXTURE_ROOT

FIXTURES = FIXTURE_ROOT / "alignment"


def helpsteer2_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / "helpsteer2_rows.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def bundled() -> AlignmentData:
    return load_alignment_data("bundled", 0)


# ---------------------------------------------------------------- bundled data


def test_bundled_items_merge_both_writers(bundled: AlignmentData) -> None:
    assert len(bundled.items) == 200
    ids = [item.item_id for item in bundled.items]
    assert ids[:70] == [f"a-e{n:03d}" for n in range(1, 71)]
    assert ids[-30:] == [f"b-t{n:03d}" for n in range(1, 31)]
    assert len(bundled.split("eval")) == 140
    assert len(bundled.split("train")) == 60
    assert bundled.attributes == HELPSTEER2_ATTRIBUTES
    for item in bundled.items:
        assert 2 <= len(item.responses) <= 4
        assert (item.split == "train") == ("-t" in item.item_id)
        for labels in item.labels:
            assert set(labels) == set(HELPSTEER2_ATTRIBUTES)
            assert set(labels.values()) <= set(LEVELS)


def test_bundled_targets_are_valid_and_reproducible() -> None:
    targets = {target.name: dict(target.values) for target in load_bundled_targets().targets}
    assert targets["high"] == dict.fromkeys(HELPSTEER2_ATTRIBUTES, 1.0)
    assert targets["low"] == dict.fromkeys(HELPSTEER2_ATTRIBUTES, 0.0)
    assert targets["mic_high"] == dict.fromkeys(MIC_ATTRIBUTES, 1.0)
    for prefix, attributes in (("", HELPSTEER2_ATTRIBUTES), ("mic_", MIC_ATTRIBUTES)):
        for size in range(1, len(attributes) + 1):
            name = f"{prefix}random_{size}"
            expected = random_target(attributes, random.Random(f"bundled-targets:{name}"), size=size)
            assert targets[name] == expected
            assert len(targets[name]) == size
    for name, values in targets.items():
        family = MIC_ATTRIBUTES if name.startswith("mic_") else HELPSTEER2_ATTRIBUTES
        assert set(values) <= set(family), name


def test_item_schema_rejects_mismatched_labels(tmp_path: Path) -> None:
    line = {"item_id": "x", "split": "eval", "prompt": "p", "responses": ["a", "b"], "labels": [{"helpfulness": 1.0}]}
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(InputError, match=r"line 1: .*2 responses but 1 label sets"):
        read_items(path)
    line["labels"] = [{"helpfulness": 1.0}, {"helpfulness": 1.5}]
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(InputError, match=r"labels\.1\.helpfulness.*less than or equal to 1"):
        read_items(path)


# ---------------------------------------------------------------- HelpSteer2


def test_helpsteer2_pairs_responses_and_rescales() -> None:
    items = helpsteer2_items(helpsteer2_rows(), seed=0, eval_fraction=0.3)
    assert len(items) == 10  # the single-response prompt is dropped, the repeated row kept once
    first = items[0]
    assert first.prompt.startswith("What is the boiling point")
    assert first.responses[0] == "Water boils at 100 degrees Celsius at sea level."
    assert first.labels[0] == {
        "helpfulness": 1.0,
        "correctness": 1.0,
        "coherence": 1.0,
        "complexity": 0.25,
        "verbosity": 0.25,
    }
    assert first.labels[1] == {
        "helpfulness": 0.25,
        "correctness": 0.0,
        "coherence": 0.75,
        "complexity": 0.25,
        "verbosity": 0.75,
    }
    assert Counter(item.split for item in items) == {"eval": 3, "train": 7}


def test_helpsteer2_split_is_seeded_and_ids_are_stable() -> None:
    rows = helpsteer2_rows()
    first = helpsteer2_items(rows, seed=0, eval_fraction=0.3)
    again = helpsteer2_items(rows, seed=0, eval_fraction=0.3)
    reversed_rows = helpsteer2_items(list(reversed(rows)), seed=0, eval_fraction=0.3)
    assert [(i.item_id, i.split) for i in first] == [(i.item_id, i.split) for i in again]
    assert {i.item_id: i.split for i in first} == {i.item_id: i.split for i in reversed_rows}
    splits = {tuple(i.split for i in helpsteer2_items(rows, seed=seed, eval_fraction=0.3)) for seed in range(8)}
    assert len(splits) > 1


def test_helpsteer2_bad_row_is_named() -> None:
    rows = helpsteer2_rows()
    rows[3]["verbosity"] = 5
    with pytest.raises(InputError, match=r"HelpSteer2 row 4: field 'verbosity'"):
        helpsteer2_items(rows, seed=0)
    rows = helpsteer2_rows()
    del rows[0]["coherence"]
    with pytest.raises(InputError, match=r"row 1: field 'coherence': Field required"):
        helpsteer2_items(rows, seed=0)


def test_helpsteer2_option_uses_the_hub_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    rows = helpsteer2_rows()
    requested: list[tuple[str, str | None]] = []

    def fake_load_dataset(name: str, revision: str | None = None) -> dict[str, list[dict[str, Any]]]:
        requested.append((name, revision))
        return {"train": rows[:16], "validation": rows[16:]}

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    data = load_alignment_data("helpsteer2", 0)
    assert requested == [("nvidia/HelpSteer2", HELPSTEER2_REVISION)]
    assert len(HELPSTEER2_REVISION) == 40  # a pinned commit, not a branch name
    assert data.attributes == HELPSTEER2_ATTRIBUTES
    assert len(data.items) == 10
    assert data.split("eval") and data.split("train")


def test_split_stratifies_rare_levels() -> None:
    drafts = [
        ItemDraft(f"d{n:02d}", f"prompt {n}", ["x", "y"], [{"complexity": 0.5}, {"complexity": 0.25}])
        for n in range(18)
    ]
    drafts += [
        ItemDraft(f"r{n}", f"rare {n}", ["x", "y"], [{"complexity": 1.0}, {"complexity": 0.5}]) for n in range(2)
    ]
    for seed in range(10):
        items = split_items(drafts, seed, eval_fraction=0.5)
        rare = [item.split for item in items if item.item_id.startswith("r")]
        assert sorted(rare) == ["eval", "train"]
        assert Counter(item.split for item in items)["eval"] == 10


# ---------------------------------------------------------------- MIC


def test_mic_labels_are_agreement_times_foundation_vector() -> None:
    mic = read_mic_items(FIXTURES / "MIC.csv", seed=0)
    items = mic.items
    by_prompt = {item.prompt: item for item in items}
    assert len(items) == 5 and mic.single_answer == 1 and mic.missing_agreement == 0
    privacy = by_prompt["Is it okay to read my partner's messages without asking?"]
    assert len(privacy.responses) == 3
    # every row agrees (+1): (sum of the first three rules' indicators + 3) / 6, rounded
    assert privacy.labels[0] == {
        "care": 0.83,
        "fairness": 0.5,
        "liberty": 0.5,
        "loyalty": 0.67,
        "authority": 0.67,
        "sanctity": 0.5,
    }
    assert privacy.labels[1] == {
        "care": 0.5,
        "fairness": 0.67,
        "liberty": 0.83,
        "loyalty": 0.5,
        "authority": 0.5,
        "sanctity": 0.5,
    }
    obey = by_prompt["Should children always obey their parents?"]
    assert len(obey.responses) == 4  # five answers, capped
    meat = by_prompt["Is it wrong to eat meat?"]
    assert len(meat.responses) == 2  # the empty answer row is skipped
    assert "eval" in {item.split for item in items}
    assert "train" in {item.split for item in items}


def test_mic_rejects_a_moral_vector_that_is_not_six_indicators() -> None:
    row = {"Q": "q?", "A": "a1", "rot": "r", "moral-vector": "[1.0, 0.0, 0.0]", "A_agrees": "2"}
    other = {**row, "A": "a2", "moral-vector": "[0, 0, 0, 0, 0, 1]", "A_agrees": "0"}
    items = mic_items([{**row, "moral-vector": "[1, 0, 0, 0, 0, 0]"}, other], seed=0).items
    assert items[0].labels[0]["care"] == 0.67 and items[0].labels[1]["sanctity"] == 0.33
    with pytest.raises(InputError, match=r"row 1: field 'moral-vector'"):
        mic_items([row, other], seed=0)
    with pytest.raises(InputError, match=r"row 1: field 'moral-vector': not a list"):
        mic_items([{**row, "moral-vector": "care"}, other], seed=0)


def test_mic_missing_column_and_option(tmp_path: Path) -> None:
    path = tmp_path / "MIC.csv"
    path.write_text("Q,A,rot\nq?,a,r\n")
    with pytest.raises(InputError, match=r"missing column\(s\) moral-vector, A_agrees"):
        load_alignment_data(str(path), 0)
    with pytest.raises(InputError, match="no such file"):
        load_alignment_data(str(tmp_path / "absent.csv"), 0)
    with pytest.raises(InputError, match="give the path of your MIC.csv"):
        load_alignment_data("mic", 0)
    data = load_alignment_data(str(FIXTURES / "MIC.csv"), 0)
    assert data.attributes == MIC_ATTRIBUTES


# ---------------------------------------------------------------- targets


def test_resolve_target_forms(bundled: AlignmentData, tmp_path: Path) -> None:
    assert resolve_target("low_verbosity", bundled) == ("low_verbosity", {"verbosity": 0.0})
    assert resolve_target("sampled", bundled) == ("sampled", None)
    assert resolve_target('{"correctness": 0.25, "verbosity": 1}', bundled) == (
        "custom",
        {"correctness": 0.25, "verbosity": 1.0},
    )
    assert resolve_target({"coherence": 0.5}, bundled) == ("custom", {"coherence": 0.5})
    path = tmp_path / "terse.json"
    path.write_text('{"verbosity": 0.0, "correctness": 1.0}')
    assert resolve_target(str(path), bundled) == ("terse", {"verbosity": 0.0, "correctness": 1.0})


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ('{"correctness": 0.25,', "invalid JSON"),
        ('{"honesty": 0.5}', "unknown attribute.*honesty"),
        ('{"verbosity": 1.5}', "field 'verbosity': Input should be less than or equal to 1"),
        ('{"verbosity": -0.1}', "greater than or equal to 0"),
        ("{}", "non-empty JSON object"),
        ("mic_high_care", "unknown attribute.*care"),
        ("no_such_target", "not a bundled target"),
    ],
)
def test_resolve_target_errors(bundled: AlignmentData, option: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve_target(option, bundled)


def test_target_file_errors(bundled: AlignmentData, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"verbosity": 0.5,,}')
    with pytest.raises(InputError, match=r"target file .*bad.json: invalid JSON at line 1"):
        resolve_target(str(path), bundled)
    path.write_text("[0.5]")
    with pytest.raises(InputError, match="must be a non-empty JSON object"):
        resolve_target(str(path), bundled)


def test_sampled_targets_sweep_sizes_and_are_seeded(bundled: AlignmentData) -> None:
    samples = alignment_samples(bundled, "sampled", None, seed=3)
    again = alignment_samples(bundled, "sampled", None, seed=3)
    other = alignment_samples(bundled, "sampled", None, seed=4)
    targets = [s.metadata["target"] for s in samples if s.metadata]
    assert targets == [s.metadata["target"] for s in again if s.metadata]
    assert targets != [s.metadata["target"] for s in other if s.metadata]
    assert {len(t) for t in targets} == {1, 2, 3, 4, 5}
    assert all(set(t.values()) <= set(LEVELS) for t in targets)
    assert sample_target(3, "a-e001", bundled.attributes) == targets[0]


def test_sample_metadata_flags_ties(bundled: AlignmentData) -> None:
    samples = alignment_samples(bundled, "high_coherence", {"coherence": 1.0}, seed=0)
    assert len(samples) == 140
    for sample in samples:
        assert sample.metadata is not None
        meta = sample.metadata
        assert meta["all_tied"] == all_tied(meta["labels"], meta["target"])
        assert meta["target_size"] == 1
    assert any(s.metadata and s.metadata["all_tied"] for s in samples)
    assert any(s.metadata and not s.metadata["all_tied"] for s in samples)


# ---------------------------------------------------------------- geometry


def test_distances_use_target_attributes_and_neutral_missing_value() -> None:
    target = {"correctness": 1.0, "verbosity": 0.0}
    labels = [{"correctness": 1.0, "verbosity": 0.0, "coherence": 0.0}, {"correctness": 0.5}, {"verbosity": 0.5}]
    assert distance(labels[0], target) == 0.0
    assert distance(labels[1], target) == pytest.approx((0.25 + 0.25) ** 0.5)
    assert nearest(labels, target) == [0]
    assert nearest(labels[1:], target) == [0, 1]
    assert all_tied(labels[1:], target)
    assert max_distance({"a": 0.25, "b": 1.0}) == pytest.approx((0.75**2 + 1.0) ** 0.5)


# ---------------------------------------------------------------- few-shot choice


def _item(item_id: str, prompt: str, levels: list[float]) -> AlignmentItem:
    return AlignmentItem(
        item_id=item_id,
        split="train",
        prompt=prompt,
        responses=[f"{item_id} response {n}" for n in range(len(levels))],
        labels=[{"verbosity": level} for level in levels],
    )


def test_examples_are_similar_and_cover_levels() -> None:
    pool = ExamplePool(
        [
            _item("t1", "how do I bake sourdough bread at home", [0.5, 0.5]),
            _item("t2", "bake bread at home quickly", [0.5, 0.75]),
            _item("t3", "what is the capital of france", [0.0, 1.0]),
            _item("t4", "tips to bake bread without yeast", [0.25, 0.5]),
        ],
        name="test pool",
    )
    assert pool.name == "test pool (4 items)"
    assert [i.item_id for i in pool.select_items("how can I bake bread at home", ["verbosity"], 1)] == ["t1"]
    chosen = [i.item_id for i in pool.select_items("how can I bake bread at home", ["verbosity"], 3)]
    # t1 and t2 are most similar; t4 adds a new level before the dissimilar t3
    assert chosen == ["t1", "t2", "t4"]
    assert pool.select_items("anything", ["verbosity"], 0) == []
    responses = pool.select_responses("how can I bake bread at home", "verbosity", 3)
    levels = {item.labels[position]["verbosity"] for item, position in responses}
    assert len(responses) == 3 and len(levels) == 3
