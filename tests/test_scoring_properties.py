"""Properties of the engine over generated teams (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cskpi.scoring import load_scorecard, score
from cskpi.scoring.testing import inputs

P = "2026-10"
CARD = load_scorecard("presales-standard")
SERVICE = load_scorecard("service-plan")

maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731  (undefined figures)
rate = st.floats(0, 1, allow_nan=False)

agent = st.fixed_dictionaries(
    {
        "inquiry_conversion": maybe(rate),
        "aov": maybe(st.floats(1, 1000)),
        "reply_rate": maybe(rate),
        "avg_response_time": maybe(st.floats(0, 120)),
        "late_count": maybe(st.integers(0, 10)),
        "early_leave_count": st.integers(0, 5),
        "absent_days": st.integers(0, 3),
        "online_hours_per_day": maybe(st.floats(1, 300)),
        "sales_amount": maybe(st.floats(0, 1e5)),
        "team": st.sampled_from(["T1", "T2"]),
        "sessions": maybe(st.integers(1, 500)),
        "qa_pass_rate": maybe(rate),
        "satisfaction_score": maybe(st.floats(0, 100)),
        "fcr_rate": maybe(rate),
        "work_rate": maybe(rate),
    }
)
KINDS = [
    "execution.rule",
    "execution.attitude",
    "teamwork.shift",
    "praise",
    "overtime",
    "suggestion",
    "report.late",
]
adjustment = st.fixed_dictionaries({"kind": st.sampled_from(KINDS), "count": st.integers(1, 4)})
team = st.lists(st.tuples(agent, st.lists(adjustment, max_size=4)), min_size=1, max_size=6)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(members, names=None, order=None):
    names = names or [f"a{i}" for i in range(len(members))]
    rows = [{"agent_id": names[i], **figs} for i, (figs, _) in enumerate(members)]
    adjustments = [
        {"agent_id": names[i], **adj} for i, (_, adjs) in enumerate(members) for adj in adjs
    ]
    if order is not None:
        rows = [rows[i] for i in order]
        adjustments = list(reversed(adjustments))
    return inputs(rows, adjustments=adjustments, pooled={("", P): [{"silent_sales": 1e5}]})


def bonus_ceiling(adjustments) -> float:
    each = {"praise": 2, "overtime": 2, "suggestion": 5}
    return 3 + sum(each.get(a["kind"], 0) * a["count"] for a in adjustments)


@SETTINGS
@given(team)
def test_totals_are_bounded(members) -> None:
    for (_, adjustments), result in zip(members, score(CARD, build(members), P), strict=True):
        assert 0 <= result.base <= 100 + 1e-9
        assert 0 <= result.bonus <= bonus_ceiling(adjustments)
        assert result.total == pytest.approx(result.base + result.bonus)
        for item in result.items:
            assert item.missing or item.score is not None
    for result in score(SERVICE, build(members), P):
        assert 0 <= result.total <= 100


@SETTINGS
@given(team, st.data())
def test_monotone_in_each_figure(members, data) -> None:
    metric, better, bump = data.draw(
        st.sampled_from(
            [
                ("inquiry_conversion", 1, 0.05),
                ("reply_rate", 1, 0.02),
                ("avg_response_time", -1, 3.0),
                ("aov", 1, 25.0),
                ("late_count", -1, 1),
                ("online_hours_per_day", 1, 20.0),
            ]
        )
    )
    who = data.draw(st.integers(0, len(members) - 1))
    before = score(CARD, build(members), P)[who].total
    figures, adjustments = members[who]
    current = figures[metric]
    if current is None:
        return
    improved = max(0, current + better * bump)
    if metric in {"inquiry_conversion", "reply_rate"}:
        improved = min(1.0, improved)
    changed = list(members)
    changed[who] = ({**figures, metric: improved}, adjustments)
    after = score(CARD, build(changed), P)[who].total
    assert after >= before - 1e-9


@SETTINGS
@given(team, st.randoms(use_true_random=False))
def test_independent_of_row_order_and_agent_names(members, rnd: random.Random) -> None:
    plain = {r.agent_id: r for r in score(CARD, build(members), P)}
    names = [f"z{rnd.randrange(10**6)}-{i}" for i in range(len(members))]
    order = list(range(len(members)))
    rnd.shuffle(order)
    renamed = {r.agent_id: r for r in score(CARD, build(members, names, order), P)}
    for i in range(len(members)):
        a, b = plain[f"a{i}"], renamed[names[i]]
        assert a.total == pytest.approx(b.total)
        assert a.rank == b.rank
        assert a.pay["pool"] == pytest.approx(b.pay["pool"])


@SETTINGS
@given(team)
def test_deterministic(members) -> None:
    first = [r.to_dict() for r in score(CARD, build(members), P)]
    second = [r.to_dict() for r in score(CARD, build(members), P)]
    assert first == second
