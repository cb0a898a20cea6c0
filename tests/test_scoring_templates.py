"""Every shipped template worked by hand on a small example (fake ScoringInputs)."""

from __future__ import annotations

import pytest

from cskpi.scoring import check_scorecard, list_templates, load_scorecard, score, template_path
from cskpi.scoring.testing import inputs

P = "2026-10"
TEMPLATES = [
    "presales-standard",
    "presales-taobao",
    "aftersales-taobao",
    "vip-taobao",
    "general-kpi",
    "operations-store",
    "monthly-plan",
    "service-plan",
]


def by_id(results):
    return {r.agent_id: r for r in results}


def items(result):
    return {i.key: i for i in result.items}


def test_the_eight_templates_ship_and_are_clean() -> None:
    assert sorted(TEMPLATES) == list_templates()
    for name in TEMPLATES:
        assert check_scorecard(template_path(name)) == [], name


def test_presales_standard_item_keys() -> None:
    card = load_scorecard("presales-standard")
    assert [i.key for i in card.items] == [
        "execution",
        "attendance",
        "teamwork",
        "conversion",
        "aov",
        "reply_rate",
        "response_time",
    ]
    assert [b.key for b in card.bonus] == ["online_time", "praise", "overtime", "suggestion"]


def test_presales_standard_seed_000() -> None:
    # Agent A                                              score        points
    #   execution: 2 rule breaches (1st free) −2,
    #              3 attitude faults (2 free) −2          20−4 = 16    16
    #   attendance: 5 lates (3 free) −2, 1 absent day −3  10−5 = 5     5
    #   teamwork: 3 shifted tasks (2 free) −3             20−3 = 17    17
    #   conversion 58% → band 55% ≤ x < 60%               80           80×20% = 16
    #   AOV 180 vs target 200 → 90%                       90           90×10% = 9
    #   reply rate 96% → 95% ≤ x < 98%                    80           8
    #   response 18 s → 15 < t < 22                       90           9
    #   base = 16+5+17+16+9+8+9 = 80
    #   bonus: online 130 h vs team mean (130+70)/2 = 100 → 30% above → +3; 2 praises → +4
    #   total = 87
    # Agent B: conversion 30% → 0; AOV 200 = target → 100 → 10; reply 99% → 10;
    #   response 30 s → 0; no faults → 20+10+20; base = 70, no bonus, total = 70.
    # Pool: silent sales 50 000 × 0.6% = 300; A first: 40% + 200 = 320; B: 30% + 100 = 190.
    # B was 78 and 79 in the two months before → third month below 80 → elimination.
    common = {"late_count": 0, "early_leave_count": 0, "absent_days": 0}
    data = inputs(
        [
            {
                **common,
                "agent_id": "A",
                "inquiry_conversion": 0.58,
                "aov": 180,
                "reply_rate": 0.96,
                "avg_response_time": 18,
                "late_count": 5,
                "absent_days": 1,
                "online_hours_per_day": 130,
                "sales_amount": 9000,
            },
            {
                **common,
                "agent_id": "B",
                "inquiry_conversion": 0.30,
                "aov": 200,
                "reply_rate": 0.99,
                "avg_response_time": 30,
                "online_hours_per_day": 70,
                "sales_amount": 8000,
            },
        ],
        adjustments=[
            {"agent_id": "A", "kind": "execution.rule", "count": 2},
            {"agent_id": "A", "kind": "execution.attitude", "count": 3},
            {"agent_id": "A", "kind": "teamwork.shift", "count": 3},
            {"agent_id": "A", "kind": "praise", "count": 2},
        ],
        targets=[{"scope": "center", "metric": "aov", "target": 200}],
        pooled={("", P): [{"silent_sales": 50000}]},
        history={
            "B": [{"period": "2026-09", "total": 79}, {"period": "2026-08", "total": 78}],
            "A": [{"period": "2026-09", "total": 79}, {"period": "2026-08", "total": 75}],
        },
    )
    results = by_id(score(load_scorecard("presales-standard"), data, P))
    a, b = results["A"], results["B"]
    assert {k: i.score for k, i in items(a).items()} == {
        "execution": 16,
        "attendance": 5,
        "teamwork": 17,
        "conversion": 80,
        "aov": 90,
        "reply_rate": 80,
        "response_time": 90,
    }
    assert (a.base, a.bonus, a.total, a.rank) == (pytest.approx(80), 7, pytest.approx(87), 1)
    assert (b.base, b.bonus, b.total, b.rank) == (pytest.approx(70), 0, pytest.approx(70), 2)
    assert a.pay == {"pool": pytest.approx(320), "total": pytest.approx(320)}
    assert b.pay["pool"] == pytest.approx(190)
    assert [w.kind for w in b.warnings] == ["elimination"]
    assert b.warnings[0].periods == ("2026-10", "2026-09", "2026-08")
    assert a.warnings == ()
    as_dict = a.to_dict()
    assert as_dict["items"][3]["rule"]["en"] == "58%: 55% ≤ x < 60% → 80"


def test_presales_taobao_seed_001_position_pay_example() -> None:
    # One agent, so every peer average is the agent's own figure.
    # service: QA 95% = 95% → 100; reply 98% → 100; response 15 s → 100; 97 = 97 → 100
    #          → 100 × 35% = 35
    # conversion 20% vs target 60% → 33.33 × 30% = 10
    # AOV 100 = target → 100, items = own mean → 100 → 100 × 20% = 20
    # reception = own mean → 10; refund rate = team rate → 5
    # total 80 → 岗位绩效 = 80/100 × 400 = 320 (the seed's example); junior base salary 1500.
    data = inputs(
        [
            {
                "agent_id": "A",
                "qa_pass_rate": 0.95,
                "reply_rate": 0.98,
                "avg_response_time": 15,
                "satisfaction_score": 97,
                "inquiry_conversion": 0.2,
                "aov": 100,
                "items_per_customer": 1.5,
                "sessions": 900,
                "refund_rate": 0.04,
            }
        ],
        targets=[
            {"scope": "agent:A", "metric": "inquiry_conversion", "target": 0.6},
            {"scope": "team:T1", "metric": "aov", "target": 100},
        ],
        pooled={("team", P): [{"team": "T1", "refund_rate": 0.04}]},
    )
    (a,) = score(load_scorecard("presales-taobao"), data, P)
    assert a.total == pytest.approx(80)
    assert a.pay["position"] == pytest.approx(320)
    assert a.pay["base_salary"] == 1500


def test_presales_taobao_beating_the_reference_scores_above_the_weight() -> None:
    data = inputs(
        [
            {"agent_id": "A", "role": "presales", "inquiry_conversion": 0.9},
            {"agent_id": "B", "role": "presales", "inquiry_conversion": 0.3},
        ],
        targets=[{"scope": "center", "metric": "inquiry_conversion", "target": 0.5}],
    )
    a = by_id(score(load_scorecard("presales-taobao"), data, P))["A"]
    conversion = items(a)["conversion"]
    assert conversion.score == 120  # 180% of target, capped at 120%
    # every other item is missing and excluded: conversion carries the full 100 weight
    assert conversion.points == pytest.approx(120)


def test_aftersales_taobao_seed_001() -> None:
    # A: service (QA 100, reply 95% → 80, response 25 s → 80, ratings 100) / 4 = 90 → 36
    #    resolution: handled 300 vs group mean 200 → 150 capped 100 (40%), completion 80% vs
    #    group 80% → 100 (40%), 1 error → 80 (20%) → 96 → 38.4
    #    reception: sessions 100 (capped), callbacks 10 vs target 20 → 50 → 75 → 15
    #    total 89.4 → position pay 89.4/100 × 400 = 357.6
    data = inputs(
        [
            {
                "agent_id": "A",
                "role": "aftersales",
                "qa_pass_rate": 0.95,
                "reply_rate": 0.95,
                "avg_response_time": 25,
                "satisfaction_score": 97,
                "sessions": 300,
                "resolution_rate": 0.8,
                "callbacks": 10,
            },
            {"agent_id": "B", "role": "aftersales", "sessions": 100},
        ],
        adjustments=[{"agent_id": "A", "kind": "aftersales.error"}],
        targets=[{"scope": "group:G1", "metric": "callbacks", "target": 20}],
        pooled={("group", P): [{"group": "G1", "resolution_rate": 0.8}]},
    )
    a = by_id(score(load_scorecard("aftersales-taobao"), data, P))["A"]
    assert [round(i.points, 4) for i in a.items] == [36, 38.4, 15]
    assert a.total == pytest.approx(89.4)
    assert a.pay["position"] == pytest.approx(357.6)


def test_vip_taobao_seed_001() -> None:
    # service all at reference → 30; conversion 30% vs target 25% → 120 (cap) → 24;
    # member care 15 callbacks vs target 20 → 75 → 15; profile 80 → 12;
    # analysis supervisor 90 (self 95) → 13.5; total 94.5.
    data = inputs(
        [
            {
                "agent_id": "V",
                "role": "vip",
                "qa_pass_rate": 0.95,
                "reply_rate": 0.99,
                "avg_response_time": 10,
                "satisfaction_score": 99,
                "inquiry_conversion": 0.3,
                "callbacks": 15,
            }
        ],
        adjustments=[
            {"agent_id": "V", "kind": "supervisor.profile", "points": 80},
            {"agent_id": "V", "kind": "supervisor.analysis", "points": 90},
            {"agent_id": "V", "kind": "self.analysis", "points": 95},
        ],
        targets=[
            {"scope": "agent:V", "metric": "inquiry_conversion", "target": 0.25},
            {"scope": "agent:V", "metric": "callbacks", "target": 20},
        ],
    )
    (v,) = score(load_scorecard("vip-taobao"), data, P)
    assert [i.points for i in v.items] == pytest.approx([30, 24, 15, 12, 13.5])
    assert v.total == pytest.approx(94.5)
    analysis = v.to_dict()["items"][4]
    assert (analysis["score"], analysis["self_score"]) == (90, 95)


def test_general_kpi_seed_001_pay_per_point() -> None:
    # compliance 90 × 50% = 45, work state 80 × 50% = 40 → 85 points × 10 = 850.
    # An agent not rated on work state scores it 0 (score_zero), flagged missing → 45 → 450.
    data = inputs(
        [{"agent_id": "G1"}, {"agent_id": "G2"}],
        adjustments=[
            {"agent_id": "G1", "kind": "supervisor.compliance", "points": 90},
            {"agent_id": "G1", "kind": "supervisor.work_state", "points": 80},
            {"agent_id": "G2", "kind": "supervisor.compliance", "points": 90},
        ],
    )
    results = by_id(score(load_scorecard("general-kpi"), data, P))
    assert results["G1"].pay == {"kpi": pytest.approx(850), "total": pytest.approx(850)}
    assert results["G2"].total == pytest.approx(45)
    assert items(results["G2"])["work_state"].missing


def test_operations_store_seed_004() -> None:
    # Store (team T1): sales 950 000 vs target 1 000 000 → R = 95% ≥ 85% → 40 × 0.95 = 38
    # traffic 99% of plan → 1 point short = 2 steps of 0.5 → 20 − 4 = 16
    # conversion 2.6% vs 3% → 0.4 point short = 2 steps of 0.2 → 15 − 4 = 11
    # AOV 125 vs 100 → 25% above = 2 steps of 10% → 15 + 4 = 19
    # 1 late report → 10 − 2 = 8; total 92
    data = inputs(
        [{"agent_id": "OP", "role": "operations"}],
        adjustments=[
            {"agent_id": "OP", "kind": "figure.traffic", "points": 0.99},
            {"agent_id": "OP", "kind": "report.late"},
        ],
        targets=[
            {"scope": "team:T1", "metric": "sales_amount", "target": 1_000_000},
            {"scope": "team:T1", "metric": "inquiry_conversion", "target": 0.03},
            {"scope": "team:T1", "metric": "aov", "target": 100},
        ],
        pooled={
            ("team", P): [
                {"team": "T1", "sales_amount": 950_000, "inquiry_conversion": 0.026, "aov": 125}
            ]
        },
    )
    (op,) = score(load_scorecard("operations-store"), data, P)
    assert [i.points for i in op.items] == pytest.approx([38, 16, 11, 19, 8])
    assert op.total == pytest.approx(92)


def test_operations_store_pooled_figures_use_the_team_target_first() -> None:
    # The store is team T1 (two operators). Every figure is the team's pooled one, so each
    # is compared with the team's target even where an agent has a target of its own:
    #   sales 950 000 vs team:T1 1 000 000 → R = 95% → 40 × 0.95 = 38
    #     (vs OP1's own 50 000 it would be R = 1900% → capped at 80)
    #   conversion 2.6% vs team:T1 3% → 2 steps of 0.2 short → 15 − 4 = 11
    #     (vs OP1's own 2% it would be at the reference → 15)
    #   AOV 125: no team:T1 row → falls back as before: OP1's own 100 → +25% → 15 + 4 = 19;
    #     OP2 has none → group:G1 125 → at the reference → 15
    # traffic and reports as in the seed example: 16 and 8.
    data = inputs(
        [{"agent_id": "OP1"}, {"agent_id": "OP2"}],
        adjustments=[
            {"agent_id": a, "kind": "figure.traffic", "points": 0.99} for a in ("OP1", "OP2")
        ]
        + [{"agent_id": a, "kind": "report.late"} for a in ("OP1", "OP2")],
        targets=[
            {"scope": "agent:OP1", "metric": "sales_amount", "target": 50_000},
            {"scope": "team:T1", "metric": "sales_amount", "target": 1_000_000},
            {"scope": "agent:OP1", "metric": "inquiry_conversion", "target": 0.02},
            {"scope": "team:T1", "metric": "inquiry_conversion", "target": 0.03},
            {"scope": "agent:OP1", "metric": "aov", "target": 100},
            {"scope": "group:G1", "metric": "aov", "target": 125},
        ],
        pooled={
            ("team", P): [
                {"team": "T1", "sales_amount": 950_000, "inquiry_conversion": 0.026, "aov": 125}
            ]
        },
    )
    results = by_id(score(load_scorecard("operations-store"), data, P))
    assert [i.points for i in results["OP1"].items] == pytest.approx([38, 16, 11, 19, 8])
    assert [i.points for i in results["OP2"].items] == pytest.approx([38, 16, 11, 15, 8])
    assert "95%" in items(results["OP1"])["sales"].rule.en


def test_agent_figures_keep_the_agent_target_first() -> None:
    # Without figure_of the order is unchanged: agent, group, team, center. monthly-plan
    # callbacks 18 vs the agent's own 20 → 90 (the team's 200 would give 9).
    data = inputs(
        [{"agent_id": "M", "callbacks": 18}],
        targets=[
            {"scope": "team:T1", "metric": "callbacks", "target": 200},
            {"scope": "agent:M", "metric": "callbacks", "target": 20},
        ],
    )
    (m,) = score(load_scorecard("monthly-plan"), data, P)
    assert items(m)["callbacks"].score == pytest.approx(90)


@pytest.mark.parametrize(("sales", "points"), [(849_999, 0), (850_000, 34), (2_500_000, 80)])
def test_operations_store_sales_gate_and_cap(sales: float, points: float) -> None:
    data = inputs(
        [{"agent_id": "OP"}],
        targets=[{"scope": "center", "metric": "sales_amount", "target": 1_000_000}],
        pooled={("team", P): [{"team": "T1", "sales_amount": sales}]},
    )
    (op,) = score(load_scorecard("operations-store"), data, P)
    # the item's own score (in points of 40); other items are missing here and re-weighted
    assert items(op)["sales"].score == pytest.approx(points)


def test_monthly_plan_seed_004_with_commission() -> None:
    # results: leads 360/450 → 80, revenue 1.44M/1.8M → 80 → 80 × 50% = 40
    # callbacks 18/20 → 90 × 20% = 18; script 8 (self 9), analysis 7, other 10 → 83
    # commission: 1500 + 2×20 + 1×30 + 1 visit × 50 + 1% × 1 440 000 + 360 × 10
    #             − (120 − 100) minutes on 1 Oct − 500 deposit shortfall = 19 100
    # B sold nothing this month and last month → dismissal warning.
    days = {
        "2026-10-01": [{"agent_id": "M", "phone_minutes": 100}],
        "2026-10-02": [{"agent_id": "M", "phone_minutes": 130}],
        "2026-09": [{"agent_id": "B", "sales_amount": None}, {"agent_id": "M", "sales_amount": 5}],
    }
    data = inputs(
        [
            {"agent_id": "M", "leads": 360, "sales_amount": 1_440_000, "callbacks": 18},
            {"agent_id": "B", "sales_amount": 0},
        ],
        adjustments=[
            {"agent_id": "M", "kind": "supervisor.script", "points": 8},
            {"agent_id": "M", "kind": "self.script", "points": 9},
            {"agent_id": "M", "kind": "supervisor.data_analysis", "points": 7},
            {"agent_id": "M", "kind": "supervisor.other", "points": 10},
            {"agent_id": "M", "kind": "new_customer.small", "count": 2},
            {"agent_id": "M", "kind": "new_customer.medium"},
            {"agent_id": "M", "kind": "customer_visit"},
            {"agent_id": "M", "kind": "deposit.shortfall", "points": 500},
        ],
        other_periods=days,
    )
    results = by_id(score(load_scorecard("monthly-plan"), data, P))
    m = results["M"]
    assert m.total == pytest.approx(83)
    assert m.pay["commission"] == pytest.approx(19_100)
    assert m.pay["commission_call_shortfall"] == pytest.approx(-20)
    assert items(m)["script"].self_score == 9
    assert [w.kind for w in results["B"].warnings] == ["no_sales"]
    assert m.warnings == ()


def test_service_plan_seed_004_grades_and_k() -> None:
    # results 200 vs target 200 → 20; quality (QA 100, satisfaction 87.3/97 → 90) → 95 → 28.5
    # business FCR 85% → 10; work rate 85.5%/95% → 90 → 9; reports 5; feedback 4;
    # attendance 4 lates (3 free) → 9; supervisor 9 → total 94.5 → grade B (90 < s ≤ 95),
    # K = 1.0 → pay 94.5% × 1000 = 945.
    data = inputs(
        [
            {
                "agent_id": "S",
                "sessions": 200,
                "qa_pass_rate": 0.95,
                "satisfaction_score": 87.3,
                "fcr_rate": 0.85,
                "work_rate": 0.855,
                "late_count": 4,
                "early_leave_count": 0,
                "absent_days": 0,
            }
        ],
        adjustments=[
            {"agent_id": "S", "kind": "supervisor.feedback", "points": 4},
            {"agent_id": "S", "kind": "supervisor.supervisor", "points": 9},
        ],
        targets=[{"scope": "agent:S", "metric": "sessions", "target": 200}],
    )
    (s,) = score(load_scorecard("service-plan"), data, P)
    assert [i.points for i in s.items] == pytest.approx([20, 28.5, 10, 9, 5, 4, 9, 9])
    assert (s.grade, s.coefficient) == ("B", 1.0)
    assert s.pay["position"] == pytest.approx(945)
