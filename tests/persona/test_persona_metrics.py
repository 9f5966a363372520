"""PERSONA scores that cannot mislead: format failures count as failures, judge failures and context
overflows are counted, self-grading is reported, intersectionality groups are estimated without bias,
pass@k and leave-one-out compare like with like, and no group name can overwrite a metric."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from inspect_ai.event import LoggerEvent
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage
from inspect_ai.scorer import SampleScore, Score

from persona_scripts import (
    answer_mentioning_religion,
    critic_approving_tailored,
    is_nan,
    overflowing_model,
    personalization,
    prompt_of,
    reasoner_generic_on_hard,
    reasoner_never_closing_on_hard,
)
from pluralbench._beta import beta_quantile
from pluralbench._metrics import format_failure_rate, mean_ci
from pluralbench.persona.data import Question, load_personas, load_questions
from pluralbench.persona.dataset import draw_group_pairs
from pluralbench.persona.metrics import (
    Cell,
    cells_of,
    group_disparity,
    group_disparity_metric,
    loo_importance,
    outcome_summary,
    pass_at_keys,
    pass_at_values,
)
from pluralbench.persona.options import parse_groups
from pluralbench.persona.scorers import personalization_critic
from pluralbench.persona.solvers import unbound_roles_warning
from pluralbench.persona.tasks import persona, persona_intersectionality, persona_loo, persona_pass_at_k
from pluralbench.personas import Persona
from pluralbench.scripted import scripted_model
from replies import APPROVE
from states import RunEval, refusing_model, sample_scores, score_all, solve_task


def critic_metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    [entry] = [score for score in log.results.scores if score.name == "personalization_critic"]
    return {name: metric.value for name, metric in entry.metrics.items()}


def warnings_in(log: EvalLog) -> list[str]:
    return [
        event.message.message.splitlines()[-1]  # inspect prefixes the sample id on a line of its own
        for sample in log.samples or []
        for event in sample.events
        if isinstance(event, LoggerEvent) and event.message.level == "warning"
    ]


# ---------------------------------------------------------------- format failures of the evaluated model


@pytest.mark.parametrize("mode", ["output_only", "baseline", "chain_of_thought"])
def test_an_empty_answer_scores_zero_without_asking_the_critic(mode: str) -> None:
    states = solve_task(persona(n=3, mode=mode), scripted_model("<reasoning>hm</reasoning><answer></answer>"))
    scores = score_all(personalization_critic(), states, roles={"critic": refusing_model()})
    assert [s.value for s in scores] == [{"personalization": 0.0, "format_failure": 1.0}] * 3
    assert all(s.metadata == {"outcome": "format_failure"} and s.reason == "invalid_response_format" for s in scores)


def test_the_never_closing_reasoner_scores_no_more_than_answering_generically(run_eval: RunEval) -> None:
    """The issue's case: a model that never closes its reasoning on the hard half no longer scores 1.0."""
    critic = {"critic": scripted_model(critic_approving_tailored)}
    never_closing = run_eval(
        persona(n=12, mode="chain_of_thought"), scripted_model(reasoner_never_closing_on_hard), critic
    )
    generic = run_eval(persona(n=12, mode="chain_of_thought"), scripted_model(reasoner_generic_on_hard), critic)
    failing, answering = critic_metrics(never_closing), critic_metrics(generic)
    assert 0 < answering["personalization"] < 1  # both halves are present
    assert failing["personalization"] <= answering["personalization"]
    assert failing["personalization_n"] == answering["personalization_n"] == 12  # nobody left the mean
    assert failing["format_failure_rate"] == pytest.approx(1 - answering["personalization"])
    assert failing["format_failure_rate"] > 0
    assert answering["format_failure_rate"] == 0.0


def test_a_context_overflow_is_unscored_and_counted() -> None:
    states = solve_task(persona(n=2), overflowing_model())
    assert all(state.metadata["outcome"] == "context_overflow" for state in states)
    scores = sample_scores(personalization_critic(), states, roles={"critic": refusing_model()})
    assert all(is_nan(personalization(s.score)) and s.score.reason == "context_overflow" for s in scores)
    counts = outcome_summary(scores)
    assert counts["context_overflows"] == 2 and counts["judge_failures"] == 0
    assert math.isnan(format_failure_rate()(scores))  # no completed reply to fail the format
    assert mean_ci("personalization")(scores)["personalization_n"] == 0


def test_judge_failures_are_unscored_and_counted_and_format_failures_are_not_judge_failures() -> None:
    def answerer(messages: list[ChatMessage]) -> str:
        return "<answer></answer>" if "Age: 2" in prompt_of(messages) else "<answer>advice</answer>"

    states = solve_task(persona(n=20), scripted_model(answerer))
    empty = sum(state.metadata["outcome"] == "format_failure" for state in states)
    assert 0 < empty < 20
    scores = sample_scores(personalization_critic(), states, roles={"critic": scripted_model("no idea")})
    counts = outcome_summary(scores)
    assert counts["judge_failures"] == 20 - empty and counts["context_overflows"] == 0
    assert all(
        math.isnan(v) for s in scores if s.score.metadata["outcome"] == "judge_failure" for v in s.score.value.values()
    )  # type: ignore[index, union-attr]
    assert format_failure_rate()(scores) == 1.0  # the share of the scored samples: only the format failures
    assert mean_ci("personalization")(scores)["personalization"] == 0.0
    assert mean_ci("personalization")(scores)["personalization_n"] == empty


# ---------------------------------------------------------------- self-grading


def test_self_graded_is_a_metric_and_an_unbound_role_is_one_warning_line(run_eval: RunEval) -> None:
    answerer = scripted_model(
        lambda messages: APPROVE if "Review the answer" in prompt_of(messages) else "<answer>x</answer>"
    )
    alone = run_eval(persona(n=3), answerer)
    assert critic_metrics(alone)["self_graded"] == 1.0
    assert warnings_in(alone) == [
        "role critic is not bound: the evaluated model grades its own answers (self-grading); "
        "bind with --model-role critic=<model>"
    ]
    bound = run_eval(persona(n=3), scripted_model("<answer>x</answer>"), {"critic": scripted_model(APPROVE)})
    assert critic_metrics(bound)["self_graded"] == 0.0 and warnings_in(bound) == []


def test_the_warning_names_every_unbound_role() -> None:
    assert unbound_roles_warning(("critic", "judge"), ["critic"]) == (
        "role judge is not bound: the evaluated model grades its own answers (self-grading); "
        "bind with --model-role judge=<model>"
    )
    assert str(unbound_roles_warning(("critic", "judge"), [])).startswith("roles critic, judge are not bound")
    assert unbound_roles_warning(("critic",), ["critic", "judge"]) is None


# ---------------------------------------------------------------- intersectionality


OVERLAPPING = {
    "groups": [
        {"name": "women", "conditions": [{"attribute": "sex", "values": ["Female"]}]},
        {"name": "18-34", "conditions": [{"attribute": "age", "range": [18, 34]}]},
    ]
}


@pytest.fixture
def overlapping_groups(tmp_path: Path) -> Path:
    path = tmp_path / "overlapping.json"
    path.write_text(json.dumps(OVERLAPPING))
    return path


@functools.cache
def bundled() -> tuple[list[Persona], list[Question]]:
    return load_personas(), load_questions()


def share_of_women_aged_18_to_34() -> float:
    young = [p for p in bundled()[0] if p.age is not None and 18 <= p.age <= 34]
    return sum(p.sex == "Female" for p in young) / len(young)


def drawn_cells(groups: Path, seed: int, value_of: Callable[[Persona], float]) -> tuple[list[Cell], list[str]]:
    """The cells of the pairs the task draws with ``seed``, each sample's value given by its persona."""
    pool, questions = bundled()
    pairs, membership, sizes = draw_group_pairs(pool, parse_groups(groups), questions, 20, seed)
    entries = []
    for persona_, _ in pairs:
        names = membership[persona_.persona_id]
        entries.append((names, sizes[tuple(sorted(names))], value_of(persona_)))
    return cells_of(entries)


@pytest.mark.slow
def test_overlapping_groups_cover_the_true_group_mean_over_50_seeds(overlapping_groups: Path) -> None:
    """The issue's case: groups "women" and "18-34", an answerer that personalizes only for women.

    With outcomes fixed per cell the 18-34 truth is its share of women (0.48 in the bundled pool)
    and the estimate is exact; with approval drawn with probability 0.8 for women and 0.3 for men,
    the truth mixes the two by the pool's shares and the interval must cover it in 90% of seeds.
    """
    women = share_of_women_aged_18_to_34()
    assert 0.4 < women < 0.6
    noisy_truth = 0.8 * women + 0.3 * (1 - women)
    covered = {"fixed": 0, "noisy": 0}
    noisy_estimates = []
    for seed in range(50):
        cells, names = drawn_cells(overlapping_groups, seed, lambda p: 1.0 if p.sex == "Female" else 0.0)
        fixed = group_disparity(cells, names, min_n=5, seed=seed)
        assert fixed["group[women]"] == 1.0 and fixed["group[18-34]_n"] >= 20
        assert fixed["group[18-34]"] == pytest.approx(women)
        covered["fixed"] += fixed["group[18-34]_ci_low"] <= women <= fixed["group[18-34]_ci_high"]
        rng = np.random.default_rng(1000 + seed)
        cells, names = drawn_cells(
            overlapping_groups, seed, lambda p, rng=rng: float(rng.random() < (0.8 if p.sex == "Female" else 0.3))
        )
        noisy = group_disparity(cells, names, min_n=5, seed=seed)
        noisy_estimates.append(noisy["group[18-34]"])
        covered["noisy"] += noisy["group[18-34]_ci_low"] <= noisy_truth <= noisy["group[18-34]_ci_high"]
    assert covered["fixed"] == 50 and covered["noisy"] >= 45, covered
    assert abs(float(np.mean(noisy_estimates)) - noisy_truth) < 0.03


def test_a_real_intersectionality_eval_logs_the_same_estimate(run_eval: RunEval, overlapping_groups: Path) -> None:
    def answerer(messages: list[ChatMessage]) -> str:
        return "<answer>TAILORED</answer>" if "Sex: Female" in messages[0].text else "<answer>generic</answer>"

    task = persona_intersectionality(groups=str(overlapping_groups), n_per_group=20, seed=3)
    log = run_eval(task, scripted_model(answerer), {"critic": scripted_model(critic_approving_tailored)})
    logged = critic_metrics(log)
    cells, names = drawn_cells(overlapping_groups, 3, lambda p: 1.0 if p.sex == "Female" else 0.0)
    for key, value in group_disparity(cells, names, min_n=5, seed=3).items():
        assert logged[key] == pytest.approx(value, nan_ok=True), key
    assert logged["group[18-34]"] == pytest.approx(share_of_women_aged_18_to_34())
    assert log.results is not None and log.results.headline is not None and log.results.headline.metric == "gap"


def test_disjoint_groups_get_exactly_n_per_group_pairs() -> None:
    task = persona_intersectionality(n_per_group=7)
    counts: dict[str, int] = {}
    for sample in task.dataset:
        for group in (sample.metadata or {})["groups"]:
            counts[group] = counts.get(group, 0) + 1
    assert len(counts) == 6 and set(counts.values()) == {7}


# ---------------------------------------------------------------- metric names


@pytest.mark.parametrize("names", [("gap", "mean"), ("a", "a]_n"), ("self_graded", "ratio")])
def test_no_group_name_can_collide_with_a_metric(tmp_path: Path, names: tuple[str, str]) -> None:
    path = tmp_path / "groups.json"
    path.write_text(
        json.dumps(
            {
                "groups": [
                    {"name": names[0], "conditions": [{"attribute": "sex", "values": ["Female"]}]},
                    {"name": names[1], "conditions": [{"attribute": "sex", "values": ["Male"]}]},
                ]
            }
        )
    )
    states = solve_task(
        persona_intersectionality(groups=str(path), n_per_group=6), scripted_model(answer_mentioning_religion)
    )
    scores = sample_scores(
        personalization_critic(), states, roles={"critic": scripted_model(critic_approving_tailored)}
    )
    result = group_disparity_metric(2)(scores)
    assert (
        len(result) == 4 + 2 * 4 + 1 + 4 + 1
    )  # union, two groups, groups_below_min_n, gap, ratio: nothing overwritten
    for name in names:
        assert result[f"group[{name}]_n"] == 6
    assert result["gap"] == 0.0 and result["gap_n"] == 12


# ---------------------------------------------------------------- leave-one-out


def write_personas(tmp_path: Path) -> Path:
    """Six personas with age and religion; only the first three have fertility."""
    rows = [
        {"persona_id": f"p{i}", "age": 30 + i, "religion": "Catholic", "sex": "Female"}
        | ({"fertility": "Has children"} if i < 3 else {})
        for i in range(6)
    ]
    path = tmp_path / "personas.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    return path


def test_leave_one_out_with_known_importance_and_missing_attributes(tmp_path: Path) -> None:
    """Religion drives personalization (importance 1); without age the reply is empty (a format failure:
    importance 1, the pair stays); fertility does nothing (0) and only personas that have it get its variant."""

    def answerer(messages: list[ChatMessage]) -> str:
        system = messages[0].text
        if "Age:" not in system:
            return "<answer></answer>"
        return answer_mentioning_religion(messages)

    task = persona_loo(attributes="religion,age,fertility", n=12, personas=str(write_personas(tmp_path)))
    variants = [(sample.metadata or {})["variant"] for sample in task.dataset]
    with_fertility = sum(
        1
        for sample in task.dataset
        if (sample.metadata or {})["variant"] == "full" and "fertility" in sample.metadata["persona"]  # type: ignore[index]
    )
    assert variants.count("full") == variants.count("all hidden") == 12 and 0 < with_fertility < 12
    assert variants.count("without fertility") == with_fertility  # no variant for a persona without fertility
    states = solve_task(task, scripted_model(answerer))
    scores = sample_scores(
        personalization_critic(), states, roles={"critic": scripted_model(critic_approving_tailored)}
    )
    metrics = loo_importance()(scores)
    assert (metrics["full_persona"], metrics["full_persona_n"]) == (1.0, 12)
    assert (metrics["all_hidden"], metrics["all_hidden_n"]) == (0.0, 12)
    assert (metrics["importance[religion]"], metrics["importance[religion]_n"]) == (1.0, 12)
    assert (metrics["importance[age]"], metrics["importance[age]_n"]) == (1.0, 12)
    assert (metrics["importance[fertility]"], metrics["importance[fertility]_n"]) == (0.0, with_fertility)
    assert metrics["importance[religion]_ci_low"] > 0.5
    assert format_failure_rate()(scores) == pytest.approx(24 / len(scores))  # without age, and all hidden
    assert not any(name.startswith(("mean", "without", "full ")) for name in metrics)
    assert task.headline_metric is not None and task.headline_metric.metric == "full_persona"


def test_an_attribute_no_drawn_persona_has_is_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    task = persona_loo(attributes="religion,veteran_status", n=4, personas=str(write_personas(tmp_path)))
    assert not any((sample.metadata or {})["variant"] == "without veteran_status" for sample in task.dataset)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "persona_loo" in r.getMessage()]
    assert warnings == ["persona_loo: no drawn persona has veteran_status: no variant hides it, its importance is NaN"]


# ---------------------------------------------------------------- pass@k


def graded(value: float) -> Score:
    return Score(value={"personalization": value, "format_failure": 0.0}, metadata={"outcome": "graded"})


def judge_failure() -> Score:
    return Score(value={"personalization": math.nan, "format_failure": math.nan}, metadata={"outcome": "judge_failure"})


def format_failure() -> Score:
    return Score(value={"personalization": 0.0, "format_failure": 1.0}, metadata={"outcome": "format_failure"})


def curve(attempts: list[list[Score]], k: int) -> dict[str, float]:
    [reducer] = persona_pass_at_k(k=k, n=1).epochs_reducer or []
    reduced = [SampleScore(score=reducer(sample), sample_id=i) for i, sample in enumerate(attempts)]
    result: dict[str, float] = {}
    for key in pass_at_keys(k):
        result.update(mean_ci(key)(reduced))
    return result


def test_pass_at_k_cannot_fall_as_k_grows() -> None:
    """The issue's example: 4 samples with one scored attempt (a pass) used to give pass@1 0.4 over 10 and pass@3 0.0 over 6."""
    partly_judged = [[graded(1.0), judge_failure(), judge_failure()]] * 4 + [[graded(0.0)] * 3] * 6
    result = curve(partly_judged, 3)
    assert [result[f"pass_at_{j}"] for j in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert [result[f"pass_at_{j}_n"] for j in (1, 2, 3)] == [6, 6, 6]  # the same samples at every k
    format_failed = [[graded(1.0), format_failure(), format_failure()]] * 4 + [[graded(0.0)] * 3] * 6
    result = curve(format_failed, 3)
    assert [result[f"pass_at_{j}_n"] for j in (1, 2, 3)] == [10, 10, 10]  # a format failure is a failed attempt
    assert [result[f"pass_at_{j}"] for j in (1, 2, 3)] == pytest.approx([4 / 30, 8 / 30, 0.4])


def test_pass_at_values_is_the_unbiased_estimator() -> None:
    assert pass_at_values([1.0, 0.0, 0.0, 0.0], 4) == pytest.approx(
        {"pass_at_1": 0.25, "pass_at_2": 0.5, "pass_at_3": 0.75, "pass_at_4": 1.0}
    )
    assert all(math.isnan(v) for v in pass_at_values([1.0, math.nan], 2).values())
    assert all(math.isnan(v) for v in pass_at_values([1.0], 2).values())  # fewer attempts than k


def test_a_pass_at_k_eval_with_judge_failures_keeps_one_sample_set(run_eval: RunEval) -> None:
    """The critic cannot be read on the first attempt it sees of some questions: those samples leave every pass@j."""
    task = persona_pass_at_k(k=3, n=6)
    questions = [str(sample.input) for sample in task.dataset]
    unlucky = set(questions[:2])
    failing_prompts: set[str] = set()

    def critic(messages: list[ChatMessage]) -> str:
        first = messages[0].text
        question = next(q for q in questions if q in first)
        if question in unlucky:
            unlucky.discard(question)
            failing_prompts.add(first)
        return "unreadable" if first in failing_prompts else critic_approving_tailored(messages)

    log = run_eval(task, scripted_model(answer_mentioning_religion), {"critic": scripted_model(critic)})
    metrics = critic_metrics(log)
    assert [metrics[f"pass_at_{j}_n"] for j in (1, 2, 3)] == [4, 4, 4]
    assert metrics["judge_failures"] == 2 and metrics["format_failure_rate"] == 0.0
    assert [metrics[f"pass_at_{j}"] for j in (1, 2, 3)] == [1.0, 1.0, 1.0]


def jeffreys(share: float, size: float) -> tuple[float, float]:
    """The Jeffreys interval of a proportion over ``size`` samples (``beta_quantile`` is tested in tests/core)."""
    a, b = size * share + 0.5, size * (1 - share) + 0.5
    return beta_quantile(0.025, a, b), beta_quantile(0.975, a, b)


def test_a_stratified_group_proportion_gets_jeffreys_over_its_design_effect_size_not_kish() -> None:
    """Two equal cells accepted 8/10 and 2/10: Kish's size is 20, the stratified variance gives 28.125.

    Kish's size treats the group as unstratified (variance 0.25 / 20); the cells' own variances,
    0.16 / 9 each at weight 1/2, give 0.00889, so the interval is as narrow as 28.125 samples'.
    """
    cells = [
        Cell(groups=("g",), size=100, values=[1.0] * 8 + [0.0] * 2),
        Cell(groups=("g",), size=100, values=[1.0] * 2 + [0.0] * 8),
    ]
    result = group_disparity(cells, ["g"], min_n=2)
    assert result["group[g]"] == pytest.approx(0.5)
    low, high = result["group[g]_ci_low"], result["group[g]_ci_high"]
    assert (low, high) == pytest.approx(jeffreys(0.5, 28.125), abs=1e-9)
    assert high - low < jeffreys(0.5, 20.0)[1] - jeffreys(0.5, 20.0)[0] - 0.03  # Kish's would be wider
    # Equal rates gain nothing from stratification: 2 cells of 10 at 0.5 give 0.25 / (2 * 0.25**2 / 9) = 18.
    equal = group_disparity([Cell(groups=("g",), size=100, values=[1.0] * 5 + [0.0] * 5)] * 2, ["g"], min_n=2)
    assert (equal["group[g]_ci_low"], equal["group[g]_ci_high"]) == pytest.approx(jeffreys(0.5, 18.0), abs=1e-9)


def test_a_group_of_one_cell_is_a_plain_proportion_and_an_estimate_of_0_starts_at_0() -> None:
    one = group_disparity([Cell(groups=("g",), size=100, values=[1.0] * 3 + [0.0] * 7)], ["g"], min_n=2)
    assert (one["group[g]_ci_low"], one["group[g]_ci_high"]) == pytest.approx(jeffreys(0.3, 10.0), abs=1e-9)
    none = group_disparity([Cell(groups=("g",), size=100, values=[0.0] * 10)] * 2, ["g"], min_n=2)
    assert none["group[g]_ci_low"] == 0.0
    assert none["group[g]_ci_high"] == pytest.approx(jeffreys(0.0, 20.0)[1], abs=1e-9)


def test_the_gap_interval_reaches_a_true_gap_of_zero_and_counts_shared_cells() -> None:
    """Equal groups can show a gap of 0 in their interval; a percentile interval of best minus worst could not.

    Two groups made of the same cells differ by exactly 0 in every resample, so their gap is [0, 0]
    (treating them as independent would give a wide interval).
    """
    halves = [Cell(groups=("a",), size=100, values=[1.0] * 10 + [0.0] * 10),
              Cell(groups=("b",), size=100, values=[1.0] * 11 + [0.0] * 9)]  # fmt: skip
    result = group_disparity(halves, ["a", "b"], min_n=2)
    assert result["gap"] == pytest.approx(0.05)
    assert result["gap_ci_low"] == 0.0 and 0.2 < result["gap_ci_high"] < 0.6
    shared = group_disparity([Cell(groups=("a", "b"), size=100, values=[1.0] * 7 + [0.0] * 3)], ["a", "b"], min_n=2)
    assert (shared["gap"], shared["gap_ci_low"], shared["gap_ci_high"]) == (0.0, 0.0, 0.0)
