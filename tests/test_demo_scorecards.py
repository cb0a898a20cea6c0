"""The demo month scores on every shipped template: generated, imported into DuckDB, scored
through the store (figures from the KPI engine), with nothing missing and every total in range.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cskpi.config import Config
from cskpi.demo.generator import generate, write_folder
from cskpi.demo.needs import template_needs
from cskpi.ingest.importer import run_import
from cskpi.metrics.engine import compute
from cskpi.scoring import AgentResult, list_templates, load_scorecard, score
from cskpi.scoring.models.rules import (
    CompositeRule,
    DeductionsRule,
    GatedLinearRule,
    ManualRule,
    RelativeRule,
    Rule,
    StepsRule,
    TiersRule,
)
from cskpi.scoring.models.scorecard import Item, Scorecard
from cskpi.scoring.store_inputs import StoreInputs
from cskpi.scoring.walk import kind_refs
from cskpi.store.base import Store, open_store

MONTH = "2026-10"
TEMPLATES = list_templates()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder: Path = tmp_path_factory.mktemp("demo")
    write_folder(generate(MONTH, seed=0, agents=12, messages=100_000), folder / "data", "parquet")
    store = open_store(folder / "cskpi.duckdb")
    result = run_import(store, [folder / "data"], Config())
    assert not result.aborted and result.rejected_rows == 0, result.rejects[:5]
    return store


@pytest.fixture(scope="module")
def results(store: Store) -> dict[str, list[AgentResult]]:
    return {
        name: score(load_scorecard(name), StoreInputs(store, Config(), name), MONTH)
        for name in TEMPLATES
    }


def _rule_max(rule: Rule, scale: float) -> float:
    """Highest score a rule can give on the item's own scale (inf when uncapped)."""
    if isinstance(rule, ManualRule):
        return scale
    if isinstance(rule, DeductionsRule):
        return scale if rule.start is None else rule.start
    if isinstance(rule, TiersRule):
        return max(band.score for band in rule.bands)
    if isinstance(rule, GatedLinearRule):
        return math.inf if rule.cap is None else rule.cap
    if isinstance(rule, RelativeRule):
        return math.inf if rule.cap is None else rule.cap
    if isinstance(rule, StepsRule):
        if rule.above is None:
            return rule.at_reference
        return math.inf if rule.above.limit is None else rule.above.limit
    if isinstance(rule, CompositeRule):
        parts = [
            min(_rule_max(sub.rule, 100.0), math.inf if sub.cap is None else sub.cap)
            for sub in rule.items
        ]
        return max(parts) / 100.0 * scale
    raise AssertionError(f"no bound for {rule.type}")


def item_max_points(item: Item) -> float:
    top = _rule_max(item.rule, float(item.scale))
    if item.cap is not None:
        top = min(top, item.cap)
    return top / item.scale * item.weight


def test_every_template_scores_agents_with_nothing_missing(
    results: dict[str, list[AgentResult]],
) -> None:
    for name, rows in results.items():
        assert rows, f"{name} scored nobody"
        missing = sorted({(r.agent_id, i.key) for r in rows for i in r.items if i.missing})
        assert not missing, f"{name}: missing {missing}"
        for r in rows:
            assert all(i.score is not None and math.isfinite(i.points) for i in r.items), name


def test_items_and_totals_inside_the_template_range(
    results: dict[str, list[AgentResult]],
) -> None:
    for name, rows in results.items():
        card = load_scorecard(name)
        tops = {item.key: item_max_points(item) for item in card.items}
        for r in rows:
            for i in r.items:
                assert -1e-9 <= i.points <= tops[i.key] + 1e-9, (name, r.agent_id, i.key, i.points)
            assert r.bonus >= 0, (name, r.agent_id)
            floor = card.total_floor if card.total_floor is not None else 0.0
            cap = sum(tops.values()) + r.bonus
            if card.total_cap is not None:
                cap = min(cap, card.total_cap)
            assert floor - 1e-9 <= r.total <= cap + 1e-9, (name, r.agent_id, r.total)


def test_pay_where_the_template_defines_pay(results: dict[str, list[AgentResult]]) -> None:
    for name, rows in results.items():
        card = load_scorecard(name)
        for r in rows:
            if card.pay is None:
                assert not r.pay, name
                continue
            # (monthly-plan's commission may go below 0: its −1 per call minute under 120 a
            # day is a phone-sales rule, and the demo center works mostly in chat.)
            assert r.pay and math.isfinite(r.pay["total"]), (name, r.agent_id, r.pay)


def test_scores_spread_across_agents(results: dict[str, list[AgentResult]]) -> None:
    # The latent skill drives figures and manual scores, so agents do not all tie.
    for name, rows in results.items():
        if len(rows) >= 3:
            assert len({round(r.total, 6) for r in rows}) > 1, name


def test_reply_rate_points_by_hand(store: Store, results: dict[str, list[AgentResult]]) -> None:
    # presales-standard 旺旺回复率 (weight 10): ≥98% → 100, ≥95% → 80, ≥90% → 50, else 0;
    # points = score ÷ 100 × 10 (no item is missing, so no re-weighting).
    result = results["presales-standard"][0]
    frame = compute(store, Config(), by=["agent"], period=MONTH, metrics=["reply_rate"])
    rate = float(frame.set_index("agent_id").loc[result.agent_id, "reply_rate"])
    tier = 100 if rate >= 0.98 else 80 if rate >= 0.95 else 50 if rate >= 0.90 else 0
    item = {i.key: i for i in result.items}["reply_rate"]
    assert item.value == pytest.approx(rate)
    assert item.points == pytest.approx(tier / 100 * 10)


def test_manual_points_by_hand(store: Store, results: dict[str, list[AgentResult]]) -> None:
    # general-kpi 遵守制度 (weight 50, scale 100): the latest supervisor.compliance points
    # ÷ 100 × 50; the self score is shown beside it.
    result = results["general-kpi"][0]
    rows = store.fetchall(
        "SELECT kind, points FROM adjustments WHERE agent_id = ? AND kind IN "
        "('supervisor.compliance', 'self.compliance') ORDER BY date",
        (result.agent_id,),
    )
    latest = {kind: float(points) for kind, points in rows}
    item = {i.key: i for i in result.items}["compliance"]
    assert item.points == pytest.approx(latest["supervisor.compliance"] / 100 * 50)
    assert item.self_score == pytest.approx(latest["self.compliance"])
    assert item.manual


def test_store_sales_against_the_team_target_by_hand(
    store: Store, results: dict[str, list[AgentResult]]
) -> None:
    # operations-store 店铺销售任务完成率: the TEAM's pooled sales against team:<t>'s target;
    # R < 85% → 0, else 40 × R, at most 80 (scale 40, weight 40).
    result = results["operations-store"][0]
    team = store.fetchall("SELECT team FROM agents WHERE agent_id = ?", (result.agent_id,))[0][0]
    frame = compute(store, Config(), by=["team"], period=MONTH, metrics=["sales_amount"])
    sales = float(frame.set_index("team").loc[team, "sales_amount"])
    (target,) = store.fetchall(
        "SELECT target FROM targets WHERE scope = ? AND period = ? AND metric = 'sales_amount'",
        (f"team:{team}", MONTH),
    )[0]
    ratio = sales / float(target)
    expected = 0.0 if ratio < 0.85 else min(40 * ratio, 80)
    item = {i.key: i for i in result.items}["sales"]
    assert item.value == pytest.approx(sales)
    assert item.points == pytest.approx(expected)
    assert 0.5 < ratio < 2  # a team target, not one agent's


def test_the_demo_carries_what_every_template_reads(store: Store) -> None:
    kinds = {k for (k,) in store.fetchall("SELECT DISTINCT kind FROM adjustments")}
    targets = set(store.fetchall("SELECT scope, metric FROM targets"))
    metrics = list(template_needs().target_metrics)
    by_team = compute(store, Config(), by=["team"], period=MONTH, metrics=metrics)
    for name in TEMPLATES:
        card: Scorecard = load_scorecard(name)
        read = {kind for _, kind in kind_refs(card)}
        read |= {
            f"{p}.{i.key}"
            for i in card.items
            if i.rule.type == "manual"
            for p in ("supervisor", "self")
        }
        assert read <= kinds, (name, sorted(read - kinds))
    for metric in metrics:
        # every team whose figure is defined has its own target (resolution: not pre-sales)
        teams = by_team.loc[by_team[metric].notna(), "team"]
        assert len(teams) and all((f"team:{t}", metric) in targets for t in teams), metric
        assert ("center", metric) in targets, metric


def test_no_manual_kind_is_read_on_two_scales() -> None:
    clashes = {m.kind: m.readers for m in template_needs().collisions}
    assert not clashes, clashes
