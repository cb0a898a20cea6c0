"""Small fixtures for the cycle's tests: a manual-only scorecard and a few agents, so a
whole cycle runs in well under a second without importing a month of data."""

from __future__ import annotations

from pathlib import Path

from cskpi.config import Config
from cskpi.cycle import entries, service
from cskpi.store.base import Store

PERIOD = "2026-10"

# Manual item only (its points are the supervisor's score), 10 per point, and the
# elimination rule over three months.
CARD = """\
name: cycle-test
title: {zh: 周期测试, en: Cycle test}
period: month
missing: score_zero
items:
  - key: m
    label: {zh: 工作表现, en: Performance}
    weight: 100
    rule: {type: manual}
pay:
  kpi: {per_point: 10}
across_periods:
  elimination_below: 80
  elimination_periods: 3
"""


def write_card(folder: Path, text: str = CARD) -> str:
    path = folder / "cycle-test.yaml"
    path.write_text(text, "utf-8")
    return str(path)


def add_agents(store: Store, ids: tuple[str, ...] = ("A1", "A2", "A3")) -> None:
    for agent_id in ids:
        store.execute(
            'INSERT INTO agents (agent_id, name, "group", role, level) VALUES (?, ?, ?, ?, ?)',
            (agent_id, agent_id, "g1", "general", "junior"),
        )


def rate(
    store: Store, card: str, scores: dict[str, float], period: str = PERIOD, by: str = "boss"
) -> None:
    for agent_id, points in scores.items():
        entries.add_score(
            store, agent_id=agent_id, item="m", points=points, by=by, period=period, scorecard=card
        )


def run_to(
    store: Store, card: str, state: str, period: str = PERIOD, config: Config | None = None
) -> None:
    """Drive a fresh period to ``state`` (none … published) with one approver."""
    config = config or Config()
    steps = [
        ("open", lambda: service.open_period(store, card, period, "boss")),
        ("computed", lambda: service.compute(store, config, card, period, "boss")),
        ("under_review", lambda: service.review(store, card, period, "boss")),
        ("approved", lambda: service.approve(store, card, period, "boss")),
        ("published", lambda: service.publish(store, card, period, "boss")),
    ]
    if state == "none":
        return
    for name, step in steps:
        step()
        if name == state:
            return
    raise ValueError(state)
