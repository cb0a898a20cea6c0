"""The one door through which scoring reads data: the KPI engine's figures and contract tables.

Scoring never computes a KPI itself; it asks :class:`ScoringInputs` for figures at the grain
it needs (agent rows, or pooled team/group/center rows for references).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pandas as pd

AGENT_COLUMNS = ("agent_id", "group", "team", "role", "level")


@runtime_checkable
class ScoringInputs(Protocol):
    """What the engine needs from the KPI engine and the store."""

    def figures(self, by: list[str], period: str, metrics: list[str]) -> pd.DataFrame:
        """Metric figures; ``by=["agent"]`` gives agent_id, group, team, role, level + metrics;
        ``["team"]``/``["group"]`` give that column + metrics; ``[]`` one center row. NaN or
        None means undefined."""
        ...

    def adjustments(self, period: str) -> pd.DataFrame:
        """Contract adjustments rows in the period."""
        ...

    def targets(self, period: str) -> pd.DataFrame:
        """Contract targets rows (scope, period, metric, target)."""
        ...

    def agents(self) -> pd.DataFrame:
        """Contract agents rows."""
        ...

    def previous_results(self, agent_id: str, before: str, n: int) -> list[dict]:
        """Up to ``n`` stored results of periods before ``before`` (any order)."""
        ...
