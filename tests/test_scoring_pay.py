"""Pay: position pay (seed 001), × K, per point, base by level, ranking pool (seed 000)."""

from __future__ import annotations

import pytest

from cskpi.scoring import score
from cskpi.scoring.models import PoolPlace, RankingPool
from cskpi.scoring.pipeline.pay import pool_shares
from cskpi.scoring.testing import inputs, scorecard

P = "2026-10"

MANUAL = """
name: p
title: {zh: p, en: p}
items:
  - key: m
    label: {zh: m, en: m}
    weight: 100
    rule: {type: manual}
"""


def rated(*scores: float, **extra) -> dict:
    agents = [{"agent_id": f"a{i}", **extra} for i in range(len(scores))]
    adjustments = [
        {"agent_id": f"a{i}", "kind": "supervisor.m", "points": s} for i, s in enumerate(scores)
    ]
    return {"agents": agents, "adjustments": adjustments}


def test_position_pay_seed_001_example() -> None:
    # 崗位績效 = (80/100) × 400 = 320
    card = scorecard(MANUAL + "pay: {position: {base: 400}}\n")
    (a,) = score(card, inputs(**rated(80)), P)
    assert a.pay == {"position": 320, "total": 320}


def test_position_pay_by_role_and_times_k() -> None:
    card = scorecard(
        MANUAL
        + """
grades:
  - {grade: A, gt: 95, coefficient: 1.1, label: {zh: 优秀, en: Excellent}}
  - {grade: B, le: 95, coefficient: 1.0, label: {zh: 良好, en: Good}}
pay: {position: {base: 400, by_role: {vip: 600}, times_coefficient: true}}
"""
    )
    (a,) = score(card, inputs(**rated(100, role="vip")), P)
    assert a.pay["position"] == pytest.approx(100 / 100 * 600 * 1.1)


def test_kpi_per_point_and_base_salary_by_level() -> None:
    card = scorecard(
        MANUAL
        + """
pay:
  kpi: {per_point: 5}
  base_salary: {junior: 2000, intermediate: 2500, senior: 3000}
"""
    )
    (a,) = score(card, inputs(**rated(90, level="senior")), P)
    assert a.pay == {"base_salary": 3000, "kpi": 450, "total": 3450}


POOL = RankingPool(
    rate=0.006,
    places=(PoolPlace(share=0.4, bonus=200), PoolPlace(share=0.3, bonus=100)),
    rest_share=0.3,
)


def test_pool_shares_places_and_rest() -> None:
    shares = pool_shares(POOL, 1000, [["a"], ["b"], ["c"], ["d"], ["e"]])
    assert shares == {"a": 600, "b": 400, "c": 100, "d": 100, "e": 100}
    assert sum(shares.values()) == 1000 + 300


def test_pool_shares_full_tie_split_the_places_they_hold() -> None:
    # a and b are equal on score and sales: they hold places 1 and 2 together.
    shares = pool_shares(POOL, 1000, [["a", "b"], ["c"]])
    assert shares == {"a": 500, "b": 500, "c": 300}


POOL_CARD = (
    MANUAL
    + """
pay:
  ranking_pool:
    rate: 0.6%
    places: [{share: 40%, bonus: 200}, {share: 30%, bonus: 100}]
    rest_share: 30%
    tie_break: sales_amount
"""
)


def test_ranking_pool_seed_000_ties_ordered_by_personal_sales() -> None:
    # pool = 100 000 × 0.6% = 600. a0 and a1 both score 90; a1 sold more → a1 first.
    # a1: 40% × 600 + 200 = 440; a0: 30% × 600 + 100 = 280; a2, a3 share 30% → 90 each.
    data = rated(90, 90, 70, 60)
    for agent, sales in zip(data["agents"], (1000, 5000, 9000, 9000), strict=True):
        agent["sales_amount"] = sales
    results = {
        r.agent_id: r
        for r in score(
            scorecard(POOL_CARD), inputs(**data, pooled={("", P): [{"silent_sales": 100_000}]}), P
        )
    }
    assert {k: r.rank for k, r in results.items()} == {"a0": 2, "a1": 1, "a2": 3, "a3": 4}
    assert {k: round(r.pay["pool"], 6) for k, r in results.items()} == {
        "a0": 280,
        "a1": 440,
        "a2": 90,
        "a3": 90,
    }


def test_ranking_pool_without_sales_figure_is_zero_pool() -> None:
    results = score(scorecard(POOL_CARD), inputs(**rated(90, 80)), P)
    assert [r.pay["pool"] for r in results] == [200, 100]
