"""The pipeline steps one by one, plus score() and compare()."""

from __future__ import annotations

import pytest

from cskpi.scoring import compare, score
from cskpi.scoring.pipeline import STEPS, Run, clamp, deduct, grade, normalise, rank, rule, weight
from cskpi.scoring.testing import inputs, scorecard

P = "2026-10"

CARD = """
name: t
title: {zh: 测试, en: test}
applies_to: {roles: [presales]}
items:
  - key: conv
    label: {zh: 转化, en: conv}
    metric: inquiry_conversion
    weight: 60
    rule:
      type: tiers
      bands: [{ge: 0.5, score: 100}, {lt: 0.5, score: 50}]
  - key: reply
    label: {zh: 回复, en: reply}
    metric: reply_rate
    weight: 40
    rule:
      type: tiers
      bands: [{ge: 0.9, score: 100}, {lt: 0.9, score: 0}]
"""


def run_until(card, data, last) -> Run:
    state = Run(card=card, inputs=data, period=P)
    for step in STEPS:
        step(state)
        if step is last:
            break
    return state


def test_pipeline_order() -> None:
    names = [step.__module__.rsplit(".", 1)[-1] for step in STEPS]
    assert names == [
        "normalise",
        "rule",
        "weight",
        "deduct",
        "bonus",
        "clamp",
        "grade",
        "rank",
        "pay",
        "across",
    ]


def test_normalise_keeps_population_sorted_and_numeric() -> None:
    data = inputs(
        [
            {"agent_id": "b", "inquiry_conversion": "0.4"},
            {"agent_id": "a", "inquiry_conversion": None},
            {"agent_id": "c", "role": "aftersales", "inquiry_conversion": 0.9},
        ]
    )
    state = run_until(scorecard(CARD), data, normalise.run)
    assert [w.agent_id for w in state.work] == ["a", "b"]  # role filter, sorted
    assert state.population["inquiry_conversion"].tolist()[1] == 0.4


def test_rule_step_marks_missing() -> None:
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6}])
    state = run_until(scorecard(CARD), data, rule.run)
    outcomes = state.work[0].outcomes
    assert outcomes["conv"].score == 100 and outcomes["reply"].missing


def test_weight_excludes_and_reweights_missing() -> None:
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.4}])
    state = run_until(scorecard(CARD), data, weight.run)
    conv, reply = state.work[0].items
    assert (conv.weight, conv.points) == (100, 50)  # 60 re-weighted to the full 100
    assert (reply.weight, reply.points, reply.missing) == (0, 0, True)


def test_weight_score_zero_policy() -> None:
    card = scorecard(CARD + "missing: score_zero\n")
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.4}])
    state = run_until(card, data, weight.run)
    conv, reply = state.work[0].items
    assert (conv.points, reply.points, reply.score, reply.missing) == (30, 0, 0, True)
    assert state.work[0].base == 30


def test_item_override_of_missing_policy() -> None:
    card = scorecard(CARD.replace("    weight: 40\n", "    weight: 40\n    missing: score_zero\n"))
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6}])
    assert run_until(card, data, weight.run).work[0].base == 60


def test_deduct_penalties_are_explained_rows() -> None:
    card = scorecard(
        CARD
        + """
penalties:
  - {label: {zh: 严重违规, en: serious breach}, kind: execution.rule, points: 5}
"""
    )
    data = inputs(
        [{"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.95}],
        adjustments=[{"agent_id": "a", "kind": "execution.rule", "count": 2}],
    )
    work = run_until(card, data, deduct.run).work[0]
    assert work.items[-1].points == -10 and work.items[-1].key == "penalty.execution.rule"
    assert work.base == 90


def test_clamp_floor_and_cap() -> None:
    card = scorecard(CARD + "total_cap: 95\n")
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.95}])
    assert run_until(card, data, clamp.run).work[0].total == 95


GRADES = """
grades:
  - {grade: A, gt: 95, le: 100, coefficient: 1.1, label: {zh: 优秀, en: Excellent}}
  - {grade: B, gt: 90, le: 95, coefficient: 1.0, label: {zh: 良好, en: Good}}
  - {grade: C, le: 90, coefficient: 0.9, label: {zh: 中等, en: Fair}}
"""


@pytest.mark.parametrize(
    ("conv", "expected"),
    [
        (0.96, ("A", 1.1)),
        (0.95, ("B", 1.0)),
        (0.9001, ("B", 1.0)),
        (0.9, ("C", 0.9)),
    ],
)
def test_grade_bands_open_and_closed(conv: float, expected: tuple) -> None:
    card = scorecard(
        """
name: g
title: {zh: g, en: g}
items:
  - key: conv
    label: {zh: c, en: c}
    metric: inquiry_conversion
    weight: 100
    rule: {type: relative, reference: {type: fixed, value: 1}}
"""
        + GRADES
    )
    work = run_until(card, inputs([{"agent_id": "a", "inquiry_conversion": conv}]), grade.run).work[
        0
    ]
    assert (work.grade, work.coefficient) == expected


def test_rank_competition_style() -> None:
    data = inputs(
        [
            {"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.95},
            {"agent_id": "b", "inquiry_conversion": 0.6, "reply_rate": 0.95},
            {"agent_id": "c", "inquiry_conversion": 0.1, "reply_rate": 0.95},
        ]
    )
    state = run_until(scorecard(CARD), data, rank.run)
    assert [(w.agent_id, w.rank) for w in state.work] == [("a", 1), ("b", 1), ("c", 3)]


def test_score_subset_keeps_population_ranks() -> None:
    data = inputs(
        [
            {"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.95},
            {"agent_id": "b", "inquiry_conversion": 0.1, "reply_rate": 0.95},
        ]
    )
    (b,) = score(scorecard(CARD), data, P, agents=["b"])
    assert (b.agent_id, b.rank, b.total) == ("b", 2, 70)


def test_to_dict_shape() -> None:
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6}])
    (a,) = score(scorecard(CARD), data, P)
    out = a.to_dict()
    assert list(out) == [
        "agent_id",
        "period",
        "scorecard",
        "base",
        "bonus",
        "total",
        "grade",
        "coefficient",
        "rank",
        "items",
        "bonus_items",
        "warnings",
    ]
    assert list(out["items"][0]) == [
        "key",
        "label",
        "metric",
        "value",
        "score",
        "weight",
        "points",
        "rule",
        "missing",
    ]
    assert out["items"][1]["missing"] is True and out["items"][1]["value"] is None


def test_compare_what_if_on_weights() -> None:
    data = inputs(
        [
            {"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.5},
            {"agent_id": "b", "inquiry_conversion": 0.1, "reply_rate": 0.95},
        ]
    )

    def weighted(conv: int, reply: int):
        text = CARD.replace("weight: 60", f"weight: {conv}").replace(
            "weight: 40", f"weight: {reply}"
        )
        return score(scorecard(text), data, P)

    # before 90/10: a = 100×0.9 = 90, b = 50×0.9 + 100×0.1 = 55
    # after 20/80:  a = 20, b = 10 + 80 = 90 → b climbs from 2nd to 1st
    rows = {r["agent_id"]: r for r in compare(weighted(90, 10), weighted(20, 80))}
    assert (rows["a"]["total_a"], rows["a"]["total_b"], rows["a"]["rank_move"]) == (90, 20, -1)
    assert rows["b"]["delta"] == pytest.approx(35)
    assert (rows["b"]["rank_a"], rows["b"]["rank_b"], rows["b"]["rank_move"]) == (2, 1, 1)


def test_missing_items_say_what_the_policy_did() -> None:
    data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6}])
    (a,) = score(scorecard(CARD), data, P)
    assert a.items[1].rule.en == "no figure (missing: excluded, other weights scaled up)"
    (z,) = score(scorecard(CARD + "missing: score_zero\n"), data, P)
    assert z.items[1].rule.en == "no figure (missing: scored 0)"


def test_malformed_period_is_refused() -> None:
    with pytest.raises(ValueError, match="not a period"):
        score(scorecard(CARD), inputs([{"agent_id": "a"}]), "October")


def test_weekly_and_quarterly_periods_score() -> None:
    for period in ("2026-W42", "2026-Q4", "2026-H2", "2026"):
        data = inputs([{"agent_id": "a", "inquiry_conversion": 0.6}], period=period)
        assert score(scorecard(CARD), data, period)[0].period == period


def test_only_the_periods_adjustments_count() -> None:
    card = scorecard(
        CARD
        + """
penalties:
  - {label: {zh: 违规, en: breach}, kind: execution.rule, points: 5}
"""
    )
    data = inputs(
        [{"agent_id": "a", "inquiry_conversion": 0.6, "reply_rate": 0.95}],
        adjustments=[
            {"agent_id": "a", "kind": "execution.rule", "date": "2026-09-30"},
            {"agent_id": "a", "kind": "execution.rule", "date": "2026-10-31"},
        ],
    )
    assert score(card, data, P)[0].base == 95
