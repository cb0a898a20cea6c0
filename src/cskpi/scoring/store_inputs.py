"""ScoringInputs over a store: figures come only from the KPI engine, so a score and the
metrics report can never disagree; adjustments, targets and agents are the contract tables;
earlier results are the stored results of this scorecard: once the assessment cycle runs
for a scorecard (cskpi.cycle), only its locked (approved) periods, and the periods read are
listed in ``locked_periods_read``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pandas as pd

from cskpi.config import Config
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_period
from cskpi.scoring import periods
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
        self._cycle: bool | None = None
        # The period being scored; any other period's agent figures come from its locked
        # version once the cycle runs (cross-period rules read what was approved then).
        self.scored_period: str | None = None
        # Locked periods (period → approved version) that cross-period rules have read.
        self.locked_periods_read: dict[str, int] = {}

    def _compute(self, by: tuple[str, ...], period: str, metrics: tuple[str, ...]) -> pd.DataFrame:
        return compute(self.store, self.config, by=list(by), period=period, metrics=list(metrics))

    def figures(self, by: list[str], period: str, metrics: list[str]) -> pd.DataFrame:
        # The scored period is the one the engine asks for first (the cycle also says so).
        if by == ["agent"] and self.scored_period is None:
            self.scored_period = period
        if by == ["agent"] and period != self.scored_period and self._cycle_runs():
            locked = self._locked_figures(period, metrics)
            if locked is not None:
                return locked
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
            f"WHERE date >= DATE '{p.start}' AND date <= DATE '{p.end}' "
            # "Latest" entry of a kind: by date, then id (cycle entries' ids sort by time).
            "ORDER BY date, adjustment_id",
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
        if self._cycle_runs():
            return self._locked_results(agent_id, before, n)
        rows = self.store.fetchall(
            "SELECT result FROM score_results WHERE scorecard = ? AND agent_id = ? "
            "AND period < ? ORDER BY period DESC LIMIT ?",
            (self.scorecard, agent_id, before, n))
        return [json.loads(r[0]) for r in rows]

    def _cycle_runs(self) -> bool:
        """Whether the assessment cycle holds any period of this scorecard."""
        if self._cycle is None:
            self._cycle = self.store.table_exists("cycle_periods") and bool(
                self.store.fetchall("SELECT 1 FROM cycle_periods WHERE scorecard = ? LIMIT 1",
                                    (self.scorecard,)))
        return self._cycle

    def _locked_figures(self, period: str, metrics: list[str]) -> pd.DataFrame | None:
        """An earlier period's agent figures as approved; None when the period is not locked
        or its frozen figures lack a metric (then the live figures stand)."""
        rows = self.store.fetchall(
            "SELECT r.agent_id, r.version, r.figures FROM cycle_results r JOIN cycle_periods p "
            "ON p.scorecard = r.scorecard AND p.period = r.period "
            "AND p.locked_version = r.version WHERE r.scorecard = ? AND r.period = ?",
            (self.scorecard, period),
        )
        frozen = {str(a): json.loads(f or "{}") for a, _, f in rows}
        if not rows or any(m not in values for values in frozen.values() for m in metrics):
            return None
        self.locked_periods_read[period] = int(rows[0][1])
        agents = self.agents()[list(AGENT_COLUMNS)]
        values = pd.DataFrame(
            [{"agent_id": a, **{m: v.get(m) for m in metrics}} for a, v in frozen.items()],
            columns=["agent_id", *metrics],
        )
        merged = agents.merge(values, on="agent_id", how="left")
        for metric in metrics:
            merged[metric] = pd.to_numeric(merged[metric], errors="coerce")
        return merged

    def _locked_results(self, agent_id: str, before: str, n: int) -> list[dict]:
        """The approved results of the n periods of the same grain before ``before``."""
        wanted = periods.preceding(before, n)
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = self.store.fetchall(
            "SELECT r.period, r.version, r.result FROM cycle_results r JOIN cycle_periods p "
            "ON p.scorecard = r.scorecard AND p.period = r.period "
            "AND p.locked_version = r.version "
            f"WHERE r.scorecard = ? AND r.agent_id = ? AND r.period IN ({marks}) "
            "ORDER BY r.period DESC",
            (self.scorecard, agent_id, *wanted))
        for period, version, _ in rows:
            self.locked_periods_read[str(period)] = int(version)
        return [json.loads(r[2]) for r in rows]

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
    """An agent's results per scorecard and period: the locked (approved) version where the
    assessment cycle has one, else the latest computed result."""
    rows = store.fetchall(
        "SELECT scorecard, period, total, grade, result FROM score_results WHERE agent_id = ? "
        "ORDER BY scorecard, period", (agent_id,))
    by_key = {(r[0], r[1]): r for r in rows}
    if store.table_exists("cycle_results"):
        for row in store.fetchall(
            "SELECT r.scorecard, r.period, r.total, r.grade, r.result FROM cycle_results r "
            "JOIN cycle_periods p ON p.scorecard = r.scorecard AND p.period = r.period "
            "AND p.locked_version = r.version WHERE r.agent_id = ?", (agent_id,)):
            by_key[(row[0], row[1])] = row
    out = []
    for _, (scorecard, period, total, grade, result) in sorted(by_key.items()):
        data = json.loads(result)
        out.append({"scorecard": scorecard, "period": period, "total": total, "grade": grade,
                    "rank": data.get("rank"), "pay": (data.get("pay") or {}).get("total"),
                    "warnings": [w["kind"] for w in data.get("warnings", [])]})
    return out
