"""Across-period warnings: elimination, demotion, promotion, no sales."""

from __future__ import annotations

from cskpi.scoring import score
from cskpi.scoring.testing import inputs, scorecard

P = "2026-03"

CARD = """
name: x
title: {zh: x, en: x}
items:
  - key: m
    label: {zh: m, en: m}
    weight: 100
    rule: {type: manual}
across_periods:
  elimination_below: 80
  elimination_periods: 3
  level_bars: {junior: 80, intermediate: 85, senior: 90}
  no_sales_metric: sales_amount
  no_sales_periods: 2
"""


def run(
    total: float,
    history: list[tuple[str, float]],
    level: str = "junior",
    sales=1.0,
    previous_sales=1.0,
):
    data = inputs(
        [{"agent_id": "a", "level": level, "sales_amount": sales}],
        period=P,
        adjustments=[{"agent_id": "a", "kind": "supervisor.m", "points": total}],
        history={"a": [{"period": p, "total": t} for p, t in history]},
        other_periods={"2026-02": [{"agent_id": "a", "sales_amount": previous_sales}]},
    )
    (result,) = score(scorecard(CARD), data, P)
    return {w.kind: w for w in result.warnings}


def test_elimination_after_three_months_below_80_across_a_year_end() -> None:
    found = run(79, [("2026-02", 70), ("2026-01", 79.99)])
    assert found["elimination"].periods == ("2026-03", "2026-02", "2026-01")
    assert found["elimination"].values == (79, 70, 79.99)


def test_no_elimination_when_one_month_reaches_80_or_history_has_a_gap() -> None:
    assert "elimination" not in run(79, [("2026-02", 80), ("2026-01", 70)])
    assert "elimination" not in run(79, [("2026-02", 70), ("2025-12", 70)])
    assert "elimination" not in run(79, [("2026-02", 70)])


def test_demotion_below_own_level_bar() -> None:
    found = run(84, [("2026-02", 84.9), ("2026-01", 80)], level="intermediate")
    assert "demotion" in found and "elimination" not in found


def test_promotion_at_next_level_bar() -> None:
    found = run(85, [("2026-02", 90), ("2026-01", 85)], level="junior")
    assert found["promotion"].periods == ("2026-03", "2026-02", "2026-01")
    assert "promotion" not in run(85, [("2026-02", 90), ("2026-01", 84.9)])


def test_seniors_are_not_promoted_and_juniors_not_demoted() -> None:
    assert "promotion" not in run(99, [("2026-02", 99), ("2026-01", 99)], level="senior")
    assert "demotion" not in run(50, [("2026-02", 50), ("2026-01", 50)], level="junior")


def test_no_sales_two_months() -> None:
    found = run(90, [], sales=0, previous_sales=None)
    assert found["no_sales"].periods == ("2026-03", "2026-02")
    assert "no_sales" not in run(90, [], sales=0, previous_sales=10)
