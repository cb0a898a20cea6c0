"""An in-memory :class:`ScoringInputs` over hand-made frames, for tests and what-if runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cskpi.scoring.inputs import AGENT_COLUMNS
from cskpi.scoring.periods import bounds

ADJUSTMENT_COLUMNS = ("agent_id", "date", "kind", "count", "points", "reason", "entered_by")
TARGET_COLUMNS = ("scope", "period", "metric", "target")


@dataclass
class FrameInputs:
    """Figures per period given as frames.

    ``agent_figures[period]`` is the agent-level frame. Pooled frames may be given in
    ``pooled[(by, period)]`` with ``by`` one of "team", "group", "" (center); when absent they
    are the mean of the agents' figures, which is only a stand-in for the KPI engine's pooled
    ratio, good enough for tests.
    """

    agent_figures: dict[str, pd.DataFrame]
    pooled: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    adjustment_rows: pd.DataFrame | None = None
    target_rows: pd.DataFrame | None = None
    history: dict[str, list[dict]] = field(default_factory=dict)

    def figures(self, by: list[str], period: str, metrics: list[str]) -> pd.DataFrame:
        frame = self.agent_figures.get(period, pd.DataFrame(columns=list(AGENT_COLUMNS)))
        frame = frame.copy()
        for metric in metrics:
            if metric not in frame.columns:
                frame[metric] = float("nan")
        if by == ["agent"]:
            return frame[[c for c in AGENT_COLUMNS if c in frame.columns] + list(metrics)]
        key = by[0] if by else ""
        if (key, period) in self.pooled:
            return self.pooled[(key, period)]
        values = frame[list(metrics)].apply(pd.to_numeric, errors="coerce")
        if not key:
            return values.mean().to_frame().T
        return values.groupby(frame[key]).mean().reset_index()

    def adjustments(self, period: str) -> pd.DataFrame:
        """Rows dated inside ``period`` (as the store would return them)."""
        if self.adjustment_rows is None:
            return pd.DataFrame(columns=list(ADJUSTMENT_COLUMNS))
        first, last = bounds(period)
        dates = pd.to_datetime(self.adjustment_rows["date"], errors="coerce").dt.date
        return self.adjustment_rows[(dates >= first) & (dates <= last)]

    def targets(self, period: str) -> pd.DataFrame:
        if self.target_rows is None:
            return pd.DataFrame(columns=list(TARGET_COLUMNS))
        rows = self.target_rows
        return rows[rows["period"].astype(str) == period]

    def agents(self) -> pd.DataFrame:
        frames = list(self.agent_figures.values())
        if not frames:
            return pd.DataFrame(columns=list(AGENT_COLUMNS))
        cols = [c for c in AGENT_COLUMNS if c in frames[-1].columns]
        return pd.concat([f[cols] for f in frames]).drop_duplicates("agent_id")

    def previous_results(self, agent_id: str, before: str, n: int) -> list[dict]:
        rows = [r for r in self.history.get(agent_id, []) if str(r["period"]) < before]
        return sorted(rows, key=lambda r: r["period"], reverse=True)[:n]
