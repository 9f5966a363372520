"""persona_group: the critic judges one answer once per member; satisfaction, worst-off, all served, the
price of a group answer, failures on either side, and one small end-to-end eval."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessage, ModelOutput, get_model
from inspect_ai.scorer import Score

from persona_scripts import fenced_section, prompt_of
from pluralbench._errors import InputError
from pluralbench.persona.group.metrics import base_metrics, cell_metrics, comparison_metrics
from pluralbench.persona.group.scorers import group_critic
from pluralbench.persona.group.tasks import persona_group
from pluralbench.persona.group.types import GroupSampleMeta
from pluralbench.scripted import scripted_model, scripted_output
from replies import APPROVE, REJECT, judge_verdict
from states import RunEval, sample_scores, score_all, solve_task

AGES = (19, 27, 38, 46, 58, 63, 71, 84)
PERSONAS = [
    {"persona_id": f"p{index}", "age": age, "sex": ("Female", "Male")[index % 2], "religion": f"faith {index}"}
    for index, age in enumerate(AGES)
]


@pytest.fixture
def personas_file(tmp_path: Path) -> str:
    """Eight personas with distinct ages, so an answer naming one age serves exactly one member."""
    path = tmp_path / "personas.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PERSONAS), encoding="utf-8")
    return str(path)


def members_shown(messages: list[ChatMessage]) -> list[str]:
    """The age lines of the members in the group prompt, in order."""
    return re.findall(r"\[BEGIN PERSON \d+ \w+\]\nAge: (\d+)", prompt_of(messages))


def age_of_sole_person(messages: list[ChatMessage]) -> str:
    """The age in an individual (``persona`` task) prompt."""
    match = re.search(r"Age: (\d+)", messages[0].text)
    assert match and messages[0].role == "system"
    return match.group(1)


def answerer(serve: str) -> object:
    """Group answers name the ages of the first member (``serve='first'``) or of all members;
    individual answers always name their one person's age."""

    def reply(messages: list[ChatMessage]) -> str:
        shown = members_shown(messages)
        if not shown:
            return f"<answer>for age {age_of_sole_person(messages)}</answer>"
        ages = shown[:1] if serve == "first" else shown
        return "<answer>" + " ".join(f"for age {age}" for age in ages) + "</answer>"

    return scripted_model(reply)


def age_critic(messages: list[ChatMessage]) -> str:
    """Approves an answer when it names the age of the person judged for."""
    prompt = prompt_of(messages)
    age = re.search(r"Age: (\d+)", fenced_section(prompt, "PERSONA"))
    assert age
    return APPROVE if f"for age {age.group(1)}" in fenced_section(prompt, "ANSWER") else REJECT


def scores_for(task: object, model: object, critic: object = age_critic) -> list[Score]:
    states = solve_task(task, model)  # type: ignore[arg-type]
    return score_all(group_critic(), states, roles={"critic": scripted_model(critic)})  # type: ignore[arg-type]


def test_an_answer_serving_one_member_leaves_the_worst_off_at_zero(personas_file: str) -> None:
    scores = scores_for(persona_group(n=4, personas=personas_file), answerer("first"))
    for result in scores:
        assert isinstance(result.value, dict)
        assert result.value["satisfaction"] == pytest.approx(1 / 3)
        assert result.value["worst_off"] == 0.0 and result.value["all_served"] == 0.0
        assert result.value["format_failure"] == 0.0 and result.value["judge_failures"] == 0.0
        assert [m["needs_revision"] for m in result.metadata["members"]] == [False, True, True]  # type: ignore[index]


def test_an_answer_serving_everyone_scores_one(personas_file: str) -> None:
    scores = scores_for(persona_group(n=4, personas=personas_file), answerer("all"))
    assert all(s.value == {**s.value, "satisfaction": 1.0, "worst_off": 1.0, "all_served": 1.0} for s in scores)  # type: ignore[dict-item]


def test_the_critic_judges_each_member_with_their_full_persona(personas_file: str) -> None:
    seen: list[str] = []

    def critic(messages: list[ChatMessage]) -> str:
        seen.append(fenced_section(prompt_of(messages), "PERSONA"))
        return APPROVE

    task = persona_group(n=3, m=4, personas=personas_file)
    scores_for(task, answerer("all"), critic)
    expected = [m.persona_text for s in task.dataset for m in GroupSampleMeta.model_validate(s.metadata).members]
    assert sorted(seen) == sorted(expected) and len(seen) == 12


def test_compare_individual_logs_the_known_price_of_a_group_answer(personas_file: str) -> None:
    scores = scores_for(persona_group(n=5, personas=personas_file, compare_individual=True), answerer("first"))
    for result in scores:
        value = result.value
        assert isinstance(value, dict)
        assert value["individual_satisfaction"] == 1.0 and value["individual_worst_off"] == 1.0
        assert value["price"] == pytest.approx(2 / 3) and value["price_worst_off"] == 1.0
    results = {}
    for metric in [*base_metrics(seed=7), *comparison_metrics(seed=7)]:
        results.update(metric(sample_scores_of(scores)))
    assert results["price"] == pytest.approx(2 / 3) and results["price_n"] == 5
    assert results["price_worst_off"] == 1.0 and results["worst_off"] == 0.0
    assert results["individual_format_failure_rate"] == 0.0 and results["format_failure_rate"] == 0.0


def sample_scores_of(scores: list[Score]) -> list[object]:
    from inspect_ai.scorer import SampleScore

    return [SampleScore(score=s, sample_id=i) for i, s in enumerate(scores)]


def test_a_missing_or_empty_answer_fails_every_member_without_asking_the_critic(personas_file: str) -> None:
    def critic(messages: list[ChatMessage]) -> str:
        raise AssertionError("the critic was asked about a missing answer")

    for reply in ("", "   ", "<answer> </answer>", "<reasoning>still thinking"):
        mode = "chain_of_thought" if reply.startswith("<reasoning>") else "output_only"
        scores = scores_for(persona_group(n=2, personas=personas_file, mode=mode), scripted_model(reply), critic)
        for result in scores:
            assert isinstance(result.value, dict)
            assert result.value["satisfaction"] == 0.0 and result.value["worst_off"] == 0.0
            assert result.value["format_failure"] == 1.0 and result.value["judge_failures"] == 0.0
            assert all(m["score"] == 0.0 and "no answer" in m["problem"] for m in result.metadata["members"])  # type: ignore[index]


def test_an_unreadable_verdict_leaves_the_group_unscored_and_is_counted(personas_file: str) -> None:
    def critic(messages: list[ChatMessage]) -> str:
        age = re.search(r"Age: (\d+)", fenced_section(prompt_of(messages), "PERSONA"))
        assert age
        return "I cannot decide." if age.group(1) == str(AGES[0]) else APPROVE

    task = persona_group(n=8, personas=personas_file)
    scores = scores_for(task, answerer("all"), critic)
    with_first = [s for s in scores if any(m["persona_id"] == "p0" for m in s.metadata["members"])]  # type: ignore[index]
    assert with_first and len(with_first) < len(scores)
    for result in scores:
        assert isinstance(result.value, dict)
        failed = result in with_first
        assert result.value["judge_failures"] == (1.0 if failed else 0.0)
        assert math.isnan(result.value["worst_off"]) is failed
    results = {}
    for metric in base_metrics():
        results.update(metric(sample_scores_of(scores)))
    assert results["judge_failures"] == len(with_first)
    assert results["worst_off_n"] == len(scores) - len(with_first) and results["worst_off"] == 1.0


def test_self_grading_is_recorded_when_the_critic_role_is_unbound(personas_file: str) -> None:
    [state] = solve_task(persona_group(n=1, personas=personas_file), answerer("all"))
    [result] = score_all(group_critic(), [state], model=scripted_model(APPROVE))
    assert result.metadata and result.metadata["self_graded"] is True
    assert isinstance(result.value, dict) and result.value["self_graded"] == 1.0
    [bound] = score_all(group_critic(), [state], roles={"critic": scripted_model(APPROVE)})
    assert isinstance(bound.value, dict) and bound.value["self_graded"] == 0.0


def test_cells_of_a_groups_file_are_scored_apart() -> None:
    def critic(messages: list[ChatMessage]) -> str:
        return APPROVE if "Sex: Female" in fenced_section(prompt_of(messages), "PERSONA") else REJECT

    task = persona_group(n=12, groups="sex_by_age", compare_individual=True)
    states = solve_task(task, scripted_model("<answer>one answer</answer>"))
    scored = sample_scores(group_critic(), states, roles={"critic": scripted_model(critic)})
    results = cell_metrics(compare_individual=True, seed=3)(scored)
    cells = {name[len("satisfaction/") : -len("_n")] for name in results if re.fullmatch(r"satisfaction/.*_n", name)}
    assert cells and all(name.startswith(("Female", "Male")) for name in cells)
    for cell in cells:
        assert results[f"satisfaction/{cell}"] == (1.0 if cell.startswith("Female") else 0.0)
        assert results[f"price/{cell}"] == 0.0  # the critic judges by sex alone, whoever the answer was for
    assert sum(results[f"satisfaction/{cell}_n"] for cell in cells) == 36


def test_options_are_checked_before_any_model_call(personas_file: str) -> None:
    for options, fragment in (
        ({"m": 1}, "option m=1"),
        ({"m": 9, "personas": personas_file}, "only 8 personas"),
        ({"m": 7, "groups": "sex_by_age"}, "only 6 groups"),
        ({"compare_individual": "maybe"}, "option compare_individual='maybe'"),
        ({"mode": "baseline", "compare_individual": True}, "compare_individual=true and mode='baseline'"),
        ({"groups": ""}, "option groups=''"),
        ({"n": 0}, "option n=0"),
    ):
        with pytest.raises(InputError, match=re.escape(fragment)):
            persona_group(**options)  # type: ignore[arg-type]


def test_a_small_eval_logs_every_metric(run_eval: RunEval, personas_file: str) -> None:
    task = persona_group(n=2, personas=personas_file, compare_individual=True, seed=5)
    log = run_eval(task, answerer("first"), {"critic": scripted_model(age_critic)})
    assert log.results and log.eval.task_args["m"] == 3 and log.eval.task_version == 3
    metrics = {name: m.value for s in log.results.scores for name, m in s.metrics.items()}
    assert metrics["satisfaction"] == pytest.approx(1 / 3) and metrics["worst_off"] == 0.0
    assert metrics["price"] == pytest.approx(2 / 3) and metrics["price_ci_low"] <= metrics["price"]
    assert metrics["self_graded"] == 0.0 and metrics["judge_failures"] == 0.0 and metrics["format_failure_rate"] == 0.0
    again = run_eval(
        persona_group(n=2, personas=personas_file, compare_individual=True, seed=5),
        answerer("first"),
        {"critic": scripted_model(age_critic)},
    )
    assert again.results and {n: m.value for s in again.results.scores for n, m in s.metrics.items()} == metrics


def test_a_missing_individual_answer_scores_zero_for_that_member(personas_file: str) -> None:
    def reply(messages: list[ChatMessage]) -> str:
        shown = members_shown(messages)
        if not shown:
            return (
                ""
                if age_of_sole_person(messages) == str(AGES[0])
                else f"<answer>for age {age_of_sole_person(messages)}</answer>"
            )
        return "<answer>" + " ".join(f"for age {age}" for age in shown) + "</answer>"

    scores = scores_for(persona_group(n=8, personas=personas_file, compare_individual=True), scripted_model(reply))
    for result in scores:
        assert isinstance(result.value, dict)
        has_first = any(m["persona_id"] == "p0" for m in result.metadata["members"])  # type: ignore[index]
        assert result.value["individual_format_failure"] == pytest.approx(1 / 3 if has_first else 0.0)
        assert result.value["price"] == pytest.approx(-1 / 3 if has_first else 0.0)
        assert result.value["judge_failures"] == 0.0


def test_a_group_prompt_beyond_the_context_leaves_the_group_unjudged_and_counted(personas_file: str) -> None:
    async def outputs(messages: list[ChatMessage], *args: object) -> ModelOutput:
        output = scripted_output("<answer>cut")
        if members_shown(messages):  # only the group prompt overflows
            output.choices[0].stop_reason = "model_length"
        else:
            output = scripted_output(f"<answer>for age {age_of_sole_person(messages)}</answer>")
        return output

    model = get_model("mockllm/model", custom_outputs=outputs, memoize=False)
    scores = scores_for(persona_group(n=3, personas=personas_file, compare_individual=True), model)
    for result in scores:
        assert isinstance(result.value, dict)
        assert math.isnan(result.value["satisfaction"]) and math.isnan(result.value["price"])
        assert result.value["individual_satisfaction"] == 1.0
        assert result.value["context_overflows"] == 1.0 and result.value["format_failure"] == 0.0
        assert result.value["judge_failures"] == 0.0


def test_with_debate_the_judge_decides_for_each_member(personas_file: str) -> None:
    def judge(messages: list[ChatMessage]) -> str:
        prompt = prompt_of(messages)
        age = re.search(r"Age: (\d+)", fenced_section(prompt, "PERSONA"))
        assert age and "Round 1, personalization critic: an argument" in fenced_section(prompt, "DEBATE")
        return judge_verdict(f"for age {age.group(1)}" not in fenced_section(prompt, "ANSWER"))

    states = solve_task(persona_group(n=2, personas=personas_file, debate_rounds=1), answerer("first"))
    roles = {"critic": scripted_model("an argument"), "judge": scripted_model(judge)}
    for result in score_all(group_critic(debate_rounds=1), states, roles=roles):
        assert isinstance(result.value, dict) and result.value["satisfaction"] == pytest.approx(1 / 3)
        assert result.metadata and result.metadata["judge_model"] and result.value["self_graded"] == 0.0
