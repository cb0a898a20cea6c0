"""Each rule kind on its own, boundaries exactly as the seeds write them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cskpi.scoring import FrameInputs
from cskpi.scoring.enums import MissingPolicy, RuleType, Unit
from cskpi.scoring.models import Scorecard
from cskpi.scoring.rules import EVALUATORS, EvalContext, evaluate
from cskpi.scoring.rules.context import Entries, entries_by_agent
from cskpi.scoring.rules.references import References
from cskpi.scoring.testing import adjustment_rows, agent_rows, target_rows

RESPONSE_TIME = {
    "type": "tiers",
    "direction": "lower",
    "bands": [
        {"le": 15, "score": 100},
        {"gt": 15, "lt": 22, "score": 90},
        {"ge": 22, "lt": 30, "score": 80},
        {"ge": 30, "score": 0},
    ],
}
CONVERSION = {
    "type": "tiers",
    "bands": [
        {"ge": "60%", "score": 100},
        {"ge": "55%", "lt": "60%", "score": 80},
        {"ge": "45%", "lt": "55%", "score": 60},
        {"ge": "35%", "lt": "45%", "score": 40},
        {"lt": "35%", "score": 0},
    ],
}


def rule(spec: dict):
    """Parse one rule through a throw-away scorecard (the Rule union is a field type)."""
    card = Scorecard.model_validate(
        {
            "name": "t",
            "title": {"zh": "t", "en": "t"},
            "items": [{"key": "k", "label": {"zh": "k", "en": "k"}, "weight": 100, "rule": spec}],
        }
    )
    return card.items[0].rule


def ctx(
    value: float | None = None,
    agent: dict | None = None,
    peers: list[dict] | None = None,
    adjustments: list[dict] = (),
    targets: list[dict] = (),
    pooled: dict | None = None,
    scale: float = 100,
    metric: str | None = "m",
    key: str = "k",
) -> EvalContext:
    me = {"agent_id": "a1", "group": "G1", "team": "T1", "role": "presales", "level": "junior"}
    me |= agent or {}
    population = agent_rows([me, *(peers or [])])
    frames = FrameInputs(
        agent_figures={"2026-10": population},
        pooled={k: pd.DataFrame(v) for k, v in (pooled or {}).items()},
    )
    refs = References(frames, "2026-10", population, target_rows(targets), ["m"])
    return EvalContext(
        agent=me,
        adjustments=entries_by_agent(
            adjustment_rows([{"agent_id": "a1", **a} for a in adjustments])
        ).get("a1", Entries()),
        references=refs,
        key=key,
        metric=metric,
        value=value,
        scale=scale,
        unit=Unit.NUMBER,
        missing=MissingPolicy.EXCLUDE_REWEIGHT,
    )


def test_every_rule_type_has_an_evaluator() -> None:
    assert set(EVALUATORS) == set(RuleType)


# --- tiers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "score"),
    [(0, 100), (15, 100), (15.01, 90), (21.99, 90), (22, 80), (29.99, 80), (30, 0), (300, 0)],
)
def test_response_time_tiers_seed_000(seconds: float, score: float) -> None:
    assert evaluate(rule(RESPONSE_TIME), ctx(seconds)).score == score


@pytest.mark.parametrize(
    ("rate", "score"),
    [
        (0.6, 100),
        (0.9, 100),
        (0.5999, 80),
        (0.55, 80),
        (0.45, 60),
        (0.4499, 40),
        (0.35, 40),
        (0.3499, 0),
        (0.0, 0),
    ],
)
def test_conversion_tiers_seed_000(rate: float, score: float) -> None:
    assert evaluate(rule(CONVERSION), ctx(rate)).score == score


def test_tiers_missing_figure_is_missing_not_zero() -> None:
    outcome = evaluate(rule(CONVERSION), ctx(None))
    assert outcome.missing and outcome.score is None


def test_tiers_rule_text_names_the_band() -> None:
    outcome = evaluate(rule(RESPONSE_TIME), ctx(18))
    assert outcome.rule.en == "18: 15 < x < 22 → 90"


# --- gated_linear (seed 004 sales: R<85% → 0, else 40×R, at most 80) -------------------

SALES = {
    "type": "gated_linear",
    "target": {"type": "target"},
    "gate": "85%",
    "factor": 40,
    "cap": 80,
}


@pytest.mark.parametrize(
    ("actual", "score"),
    [(84.99, 0), (85, 34), (100, 40), (150, 60), (200, 80), (250, 80)],
)
def test_gated_linear(actual: float, score: float) -> None:
    outcome = evaluate(
        rule(SALES), ctx(actual, targets=[{"scope": "center", "metric": "m", "target": 100}])
    )
    assert outcome.score == pytest.approx(score)


def test_gated_linear_without_target_is_missing() -> None:
    assert evaluate(rule(SALES), ctx(100)).missing


def test_target_scope_precedence_agent_over_team_over_center() -> None:
    targets = [
        {"scope": "center", "metric": "m", "target": 1000},
        {"scope": "team:T1", "metric": "m", "target": 200},
        {"scope": "agent:a1", "metric": "m", "target": 100},
    ]
    assert evaluate(rule(SALES), ctx(100, targets=targets)).score == pytest.approx(40)
    assert evaluate(rule(SALES), ctx(100, targets=targets[:2])).score == 0  # R = 50%


# --- steps (seed 004) -------------------------------------------------------------------

TRAFFIC = {
    "type": "steps",
    "reference": {"type": "fixed", "value": "100%"},
    "at_reference": 20,
    "below": {"per": "0.5%", "points": -2, "limit": 0},
}
CONV_STEPS = {
    "type": "steps",
    "reference": {"type": "fixed", "value": "3%"},
    "at_reference": 15,
    "below": {"per": "0.2%", "points": -2, "limit": 0},
}
AOV_STEPS = {
    "type": "steps",
    "reference": {"type": "fixed", "value": 100},
    "compare": "ratio",
    "at_reference": 15,
    "above": {"per": "10%", "points": 2},
    "below": {"per": "10%", "points": -2, "limit": 0},
}


@pytest.mark.parametrize(
    ("achieved", "score"),
    [(1.2, 20), (1.0, 20), (0.996, 20), (0.995, 18), (0.99, 16), (0.951, 2), (0.95, 0), (0.5, 0)],
)
def test_traffic_minus_2_per_half_point(achieved: float, score: float) -> None:
    assert evaluate(rule(TRAFFIC), ctx(achieved)).score == score


@pytest.mark.parametrize(
    ("rate", "score"), [(0.03, 15), (0.029, 15), (0.028, 13), (0.026, 11), (0.02, 5), (0.01, 0)]
)
def test_conversion_minus_2_per_0_2_point(rate: float, score: float) -> None:
    # 0.03 − 0.02 is 0.00999… in floats; it must still count as five whole steps.
    assert evaluate(rule(CONV_STEPS), ctx(rate)).score == score


@pytest.mark.parametrize(
    ("aov", "score"),
    [(100, 15), (109, 15), (110, 17), (125, 19), (300, 55), (91, 15), (90, 13), (50, 5), (10, 0)],
)
def test_aov_both_ways_above_uncapped(aov: float, score: float) -> None:
    assert evaluate(rule(AOV_STEPS), ctx(aov)).score == score


# --- relative (seed 001) ----------------------------------------------------------------


def test_relative_proportional_with_cap() -> None:
    spec = {"type": "relative", "reference": {"type": "fixed", "value": 50}, "cap": 120}
    assert evaluate(rule(spec), ctx(40)).score == pytest.approx(80)
    assert evaluate(rule(spec), ctx(55)).score == pytest.approx(110)
    assert evaluate(rule(spec), ctx(100)).score == 120


def test_relative_lower_is_better_against_team_pooled() -> None:
    spec = {
        "type": "relative",
        "direction": "lower",
        "cap": 120,
        "reference": {"type": "average", "over": "team", "statistic": "pooled"},
    }
    pooled = {("team", "2026-10"): [{"team": "T1", "m": 0.05}, {"team": "T2", "m": 0.5}]}
    assert evaluate(rule(spec), ctx(0.10, pooled=pooled)).score == pytest.approx(50)
    assert evaluate(rule(spec), ctx(0.05, pooled=pooled)).score == pytest.approx(100)
    assert evaluate(rule(spec), ctx(0.0, pooled=pooled)).score == 120  # no refunds at all


def test_relative_agent_mean_over_group() -> None:
    spec = {
        "type": "relative",
        "reference": {"type": "average", "over": "group", "statistic": "agent_mean"},
    }
    peers = [{"agent_id": "a2", "m": 300}, {"agent_id": "a3", "group": "G2", "m": 1000}]
    # group G1 mean = (100 + 300) / 2 = 200; a3 is in another group
    assert evaluate(rule(spec), ctx(100, agent={"m": 100}, peers=peers)).score == 50


def test_relative_target_falls_back_to_team_average() -> None:
    spec = {
        "type": "relative",
        "cap": 100,
        "reference": {
            "type": "target",
            "fallback": {"type": "average", "over": "team", "statistic": "pooled"},
        },
    }
    pooled = {("team", "2026-10"): [{"team": "T1", "m": 200}]}
    assert evaluate(rule(spec), ctx(100, pooled=pooled)).score == 50
    targets = [{"scope": "agent:a1", "metric": "m", "target": 125}]
    assert evaluate(rule(spec), ctx(100, pooled=pooled, targets=targets)).score == 80


def test_relative_zero_reference_is_missing() -> None:
    spec = {"type": "relative", "reference": {"type": "fixed", "value": 0}}
    assert evaluate(rule(spec), ctx(5)).missing


def test_relative_tiers_on_ratio() -> None:
    spec = {
        "type": "relative",
        "mapping": "tiers",
        "reference": {"type": "fixed", "value": 10},
        "bands": [{"ge": "100%", "score": 100}, {"lt": "100%", "score": 50}],
    }
    assert evaluate(rule(spec), ctx(10)).score == 100
    assert evaluate(rule(spec), ctx(9.99)).score == 50


# --- deductions (seed 000) --------------------------------------------------------------

EXECUTION = {
    "type": "deductions",
    "lines": [
        {
            "label": {"zh": "违规", "en": "rule"},
            "kind": "execution.rule",
            "allowance": 1,
            "points": 2,
        },
        {
            "label": {"zh": "态度", "en": "attitude"},
            "kind": "execution.attitude",
            "allowance": 2,
            "points": 2,
        },
    ],
}


def test_deductions_first_warnings_free() -> None:
    evaluated = evaluate(
        rule(EXECUTION),
        ctx(
            scale=20,
            adjustments=[{"kind": "execution.rule"}, {"kind": "execution.attitude", "count": 2}],
        ),
    )
    assert evaluated.score == 20  # 1st breach and first 2 attitude faults are warnings
    evaluated = evaluate(
        rule(EXECUTION),
        ctx(
            scale=20,
            adjustments=[
                {"kind": "execution.rule", "count": 3},
                {"kind": "execution.attitude", "count": 3},
            ],
        ),
    )
    assert evaluated.score == 20 - 2 * 2 - 1 * 2


def test_deductions_stop_at_zero() -> None:
    evaluated = evaluate(
        rule(EXECUTION), ctx(scale=20, adjustments=[{"kind": "execution.rule", "count": 50}])
    )
    assert evaluated.score == 0


def test_deductions_from_metrics_and_missing_attendance() -> None:
    spec = {
        "type": "deductions",
        "lines": [
            {
                "label": {"zh": "迟到", "en": "late"},
                "metrics": ["late_count", "early_leave_count"],
                "allowance": 3,
                "points": 1,
            }
        ],
    }
    assert (
        evaluate(rule(spec), ctx(scale=10, agent={"late_count": 3, "early_leave_count": 0})).score
        == 10
    )
    assert (
        evaluate(rule(spec), ctx(scale=10, agent={"late_count": 3, "early_leave_count": 2})).score
        == 8
    )
    # No attendance data is not "never late".
    assert evaluate(rule(spec), ctx(scale=10, agent={"late_count": None})).missing


# --- manual -----------------------------------------------------------------------------


def test_manual_latest_supervisor_score_with_self_score() -> None:
    adjustments = [
        {"kind": "supervisor.k", "points": 70, "date": "2026-10-02"},
        {"kind": "supervisor.k", "points": 80, "date": "2026-10-20"},
        {"kind": "self.k", "points": 90},
    ]
    outcome = evaluate(rule({"type": "manual"}), ctx(adjustments=adjustments))
    assert (outcome.score, outcome.self_score) == (80, 90)
    assert "self 90" in outcome.rule.en


def test_manual_unrated_is_missing() -> None:
    assert evaluate(
        rule({"type": "manual"}), ctx(adjustments=[{"kind": "self.k", "points": 90}])
    ).missing


# --- bonus (seed 000) -------------------------------------------------------------------

ONLINE = {
    "type": "bonus",
    "reference": {"type": "fixed", "value": 100},
    "conditions": [{"above_by": "30%", "points": 3}, {"above_by": "20%", "points": 2}],
}


@pytest.mark.parametrize(
    ("hours", "points"), [(130, 3), (200, 3), (129.99, 2), (120, 2), (119.99, 0), (50, 0)]
)
def test_bonus_conditions_best_one_applies(hours: float, points: float) -> None:
    assert evaluate(rule(ONLINE), ctx(hours)).score == points


def test_bonus_per_count_with_cap() -> None:
    spec = {"type": "bonus", "kind": "praise", "points_each": 2, "cap": 5}
    assert evaluate(rule(spec), ctx(adjustments=[{"kind": "praise"}])).score == 2
    assert evaluate(rule(spec), ctx(adjustments=[{"kind": "praise", "count": 4}])).score == 5


# --- composite --------------------------------------------------------------------------

COMPOSITE = {
    "type": "composite",
    "items": [
        {
            "key": "a",
            "label": {"zh": "a", "en": "a"},
            "metric": "qa",
            "weight": 60,
            "rule": {"type": "relative", "reference": {"type": "fixed", "value": 100}, "cap": 100},
        },
        {
            "key": "b",
            "label": {"zh": "b", "en": "b"},
            "metric": "rt",
            "weight": 40,
            "rule": RESPONSE_TIME,
        },
    ],
}


def test_composite_weights_sub_items() -> None:
    outcome = evaluate(rule(COMPOSITE), ctx(agent={"qa": 50, "rt": 20}, scale=35))
    # (50 × 60 + 90 × 40) / 100 = 66 on 100 → 66% of 35 = 23.1
    assert outcome.score == pytest.approx(23.1)


def test_composite_reweights_a_missing_sub_item() -> None:
    outcome = evaluate(rule(COMPOSITE), ctx(agent={"qa": 50, "rt": None}))
    assert outcome.score == pytest.approx(50)
    assert "missing" in outcome.rule.en


def test_composite_all_missing_is_missing() -> None:
    assert evaluate(rule(COMPOSITE), ctx(agent={})).missing


def test_no_nan_leaks_into_scores() -> None:
    outcome = evaluate(rule(RESPONSE_TIME), ctx(float("nan")))
    assert outcome.score is None or not math.isnan(outcome.score)


def test_rule_union_is_exhaustive_over_rule_types() -> None:
    from typing import get_args

    from cskpi.scoring.models import Rule

    union = get_args(get_args(Rule)[0])
    tags = {get_args(member.model_fields["type"].annotation)[0] for member in union}
    assert tags == {kind.value for kind in RuleType}


def test_percent_strings_parse_and_nothing_is_evaluated() -> None:
    assert rule(CONVERSION).bands[0].ge == pytest.approx(0.6)
    with pytest.raises(ValueError):
        rule({"type": "tiers", "bands": [{"ge": "__import__('os')", "score": 1}]})
