"""Step 9: pay components from the total, grade coefficient and rank.

- position pay = total ÷ 100 × Y (seed 001: 80 points, Y = 400 → 320), × K when set;
- general KPI pay = total × N;
- tiered base salary by level (底薪分级);
- ranking pool (seed 000), see :func:`pool_shares`;
- commission plan (seed 004 新客户客服), see :func:`commission`.
"""

from __future__ import annotations

from itertools import groupby

import pandas as pd

from cskpi.scoring import periods
from cskpi.scoring.enums import Level
from cskpi.scoring.models.scorecard import CommissionPlan, Pay, RankingPool
from cskpi.scoring.numbers import clean
from cskpi.scoring.pipeline.rank import sort_key
from cskpi.scoring.pipeline.state import AgentWork, Run


def position_pay(pay: Pay, work: AgentWork) -> float | None:
    if pay.position is None:
        return None
    base = pay.position.by_role.get(str(work.agent.get("role")), pay.position.base)
    amount = work.total / 100 * base
    if pay.position.times_coefficient and work.coefficient is not None:
        amount *= work.coefficient
    return amount


def base_salary(pay: Pay, work: AgentWork) -> float | None:
    if pay.base_salary is None:
        return None
    level = Level(str(work.agent.get("level") or Level.JUNIOR.value))
    return pay.base_salary.get(level)


def pool_shares(pool: RankingPool, amount: float, ordered: list[list[str]]) -> dict[str, float]:
    """Money per agent: place i gets its share of the pool plus its bonus; the agents after
    the named places share ``rest_share`` equally. Agents tied on total and tie-break figure
    (``ordered`` groups them) split the payouts of the places they occupy equally, so no one
    gains by the spelling of an agent id."""
    count = sum(len(group) for group in ordered)
    rest = count - len(pool.places)
    payouts = []
    for place in range(count):
        if place < len(pool.places):
            payouts.append(pool.places[place].share * amount + pool.places[place].bonus)
        else:
            payouts.append(pool.rest_share * amount / rest)
    shares: dict[str, float] = {}
    start = 0
    for group in ordered:
        split = sum(payouts[start : start + len(group)]) / len(group)
        shares |= dict.fromkeys(group, split)
        start += len(group)
    return shares


def _pool(state: Run, pool: RankingPool) -> dict[str, float]:
    center = state.inputs.figures([], state.period, [pool.metric])
    sales = clean(center[pool.metric].iloc[0]) if not center.empty else None
    amount = (sales or 0.0) * pool.rate
    ordered = sorted(state.work, key=lambda w: sort_key(w, pool.tie_break))
    groups = [
        [w.agent_id for w in group]
        for _, group in groupby(ordered, key=lambda w: sort_key(w, pool.tie_break))
    ]
    return pool_shares(pool, amount, groups)


def _daily_minutes(state: Run, plan: CommissionPlan) -> list[pd.DataFrame]:
    return [
        state.inputs.figures(["agent"], day, [plan.call_metric])
        for day in periods.days(state.period)
    ]


def commission(
    plan: CommissionPlan, work: AgentWork, daily: list[pd.DataFrame]
) -> dict[str, float]:
    """Seed 004: 1500 + bounties + 1% of orders + 10 per lead − 1 per missing call minute a
    day − deposit shortfall charged; days without a call figure are not worked days."""
    entries = work.adjustments
    bounties = sum(entries.counts.get(b.kind, 0.0) * b.amount for b in plan.bounties)
    sales = (clean(work.agent.get(plan.sales_metric)) or 0.0) * plan.sales_rate
    leads = (clean(work.agent.get(plan.leads_metric)) or 0.0) * plan.per_lead
    short = 0.0
    if plan.per_missing_minute:
        for frame in daily:
            minutes = frame.loc[frame["agent_id"].astype(str) == work.agent_id, plan.call_metric]
            value = clean(minutes.iloc[0]) if not minutes.empty else None
            if value is not None:
                short += max(0.0, plan.daily_call_minutes - value)
    call_charge = short * plan.per_missing_minute
    deposit = 0.0
    if plan.deposit_shortfall_kind:
        deposit = entries.points.get(plan.deposit_shortfall_kind, 0.0)
    total = plan.base_salary + bounties + sales + leads - call_charge - deposit
    return {
        "commission_base_salary": plan.base_salary,
        "commission_bounties": bounties,
        "commission_sales": sales,
        "commission_leads": leads,
        "commission_call_shortfall": -call_charge,
        "commission_deposit_shortfall": -deposit,
        "commission": total,
    }


def run(state: Run) -> None:
    pay = state.card.pay
    if pay is None:
        return
    pool = _pool(state, pay.ranking_pool) if pay.ranking_pool else {}
    daily = []
    if pay.commission and pay.commission.per_missing_minute:
        daily = _daily_minutes(state, pay.commission)
    for work in state.work:
        parts: dict[str, float] = {}
        for name, amount in (
            ("base_salary", base_salary(pay, work)),
            ("position", position_pay(pay, work)),
            ("kpi", work.total * pay.kpi.per_point if pay.kpi else None),
            ("pool", pool.get(work.agent_id) if pay.ranking_pool else None),
        ):
            if amount is not None:
                parts[name] = amount
        if pay.commission:
            parts |= commission(pay.commission, work, daily)
        headline = ("base_salary", "position", "kpi", "pool", "commission")
        parts["total"] = sum(parts[k] for k in headline if k in parts)
        work.pay = parts
