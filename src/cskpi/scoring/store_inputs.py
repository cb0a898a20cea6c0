"""ScoringInputs over a store: figures come only from the KPI engine, so a score and the
metrics report can never disagree; adjustments, targets and agents are the contract tables;
earlier results are the stored results of this scorecard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pandas as pd

from cskpi.config import Config
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_period
from cskpi.scoring.inputs import AGENT_COLUMNS
from cskpi.scoring.results import AgentResult
from cskpi.store.base import Store


class StoreInputs:
    """What the scoring engine reads, for one scorecard, from one store."""

    def __init__(self, store: Store, config: Config, scorecard: str) -> None:
        self.store = store
        self.config = config
        self.scorecard = scorecard
        self._figures = cache(self._compute)
        self._agents: pd.DataFrame | None = None

    def _compute(self, by: tuple[str, ...], period: str, metrics: tuple[str, ...]) -> pd.DataFrame:
        return compute(self.store, self.config, by=list(by), period=period, metrics=list(metrics))

    def figures(self, by: list[str], period: str, metrics: list[str]) -> pd.DataFrame:
        frame = self._figures(tuple(by), period, tuple(metrics)).copy()
        frame = frame.drop(columns=["period"])
        if by != ["agent"]:
            return frame
        # Every agent on the books appears, with undefined figures when they had no facts:
        # the scorecard's missing-figure policy then decides, instead of the agent vanishing.
        agents = self.agents()[list(AGENT_COLUMNS)]
        merged = agents.merge(frame, on="agent_id", how="left")
        for metric in metrics:
            merged[metric] = pd.to_numeric(merged[metric], errors="coerce")
        return merged

    def adjustments(self, period: str) -> pd.DataFrame:
        p = parse_period(period)
        return self._read(
            "SELECT agent_id, date, kind, count, points, reason, entered_by FROM adjustments "
            f"WHERE date >= DATE '{p.start}' AND date <= DATE '{p.end}'",
            ["agent_id", "date", "kind", "count", "points", "reason", "entered_by"])

    def targets(self, period: str) -> pd.DataFrame:
        frame = self._read("SELECT scope, period, metric, target FROM targets",
                           ["scope", "period", "metric", "target"])
        return frame[frame["period"].astype(str) == period]

    def agents(self) -> pd.DataFrame:
        if self._agents is None:
            self._agents = self._read(
            'SELECT agent_id, name, "group", team, role, level, hired_on, left_on, '
            "max_concurrency FROM agents ORDER BY agent_id",
            ["agent_id", "name", "group", "team", "role", "level", "hired_on", "left_on",
             "max_concurrency"])
        return self._agents

    def previous_results(self, agent_id: str, before: str, n: int) -> list[dict]:
        rows = self.store.fetchall(
            "SELECT result FROM score_results WHERE scorecard = ? AND agent_id = ? "
            "AND period < ? ORDER BY period DESC LIMIT ?",
            (self.scorecard, agent_id, before, n))
        return [json.loads(r[0]) for r in rows]

    def _read(self, statement: str, columns: list[str]) -> pd.DataFrame:
        rows = self.store.fetchall(statement)
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("count", "points", "target"):
            if column in frame:
                frame[column] = pd.to_numeric(frame[column], errors="coerce")
        return frame


def save_results(store: Store, results: list[AgentResult]) -> None:
    """Keep each agent's latest computed result, so later periods' cross-month rules and
    `cskpi history` can read it."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction():
        for result in results:
            data: dict[str, Any] = result.to_dict()
            store.execute("DELETE FROM score_results WHERE scorecard = ? AND period = ? "
                          "AND agent_id = ?", (result.scorecard, result.period, result.agent_id))
            store.execute(
                "INSERT INTO score_results (scorecard, period, agent_id, total, grade, result, "
                "computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (result.scorecard, result.period, result.agent_id, float(result.total),
                 result.grade, json.dumps(data, ensure_ascii=False, default=str), now))


def history(store: Store, agent_id: str) -> list[dict[str, Any]]:
    rows = store.fetchall(
        "SELECT scorecard, period, total, grade, result FROM score_results WHERE agent_id = ? "
        "ORDER BY scorecard, period", (agent_id,))
    out = []
    for scorecard, period, total, grade, result in rows:
        data = json.loads(result)
        out.append({"scorecard": scorecard, "period": period, "total": total, "grade": grade,
                    "rank": data.get("rank"), "pay": (data.get("pay") or {}).get("total"),
                    "warnings": [w["kind"] for w in data.get("warnings", [])]})
    return out
