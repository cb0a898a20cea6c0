"""Step 1: read figures and entries through ScoringInputs, keep the scorecard's population.

Rows are sorted by agent_id so nothing downstream depends on the order the engine returned.
"""

from __future__ import annotations

import pandas as pd

from cskpi.scoring import periods
from cskpi.scoring.enums import Level
from cskpi.scoring.inputs import AGENT_COLUMNS
from cskpi.scoring.models.scorecard import AppliesTo
from cskpi.scoring.pipeline.state import AgentWork, Run
from cskpi.scoring.rules.context import Entries, entries_by_agent
from cskpi.scoring.rules.references import References
from cskpi.scoring.walk import used_metrics

ADJUSTMENT_COLUMNS = ("agent_id", "date", "kind", "count", "points", "reason", "entered_by")


def in_scope(frame: pd.DataFrame, applies: AppliesTo) -> pd.Series:
    """Listed agents, plus agents matching every non-empty role/group list."""
    listed = frame["agent_id"].isin(applies.agents)
    if not applies.roles and not applies.groups:
        return listed if applies.agents else pd.Series(True, index=frame.index)
    matches = pd.Series(True, index=frame.index)
    if applies.roles:
        matches &= frame["role"].isin(applies.roles)
    if applies.groups:
        matches &= frame["group"].isin(applies.groups)
    return listed | matches


def _figures(run: Run) -> pd.DataFrame:
    frame = run.inputs.figures(["agent"], run.period, run.metrics).copy()
    for column in AGENT_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["agent_id"] = frame["agent_id"].astype(str)
    frame["level"] = frame["level"].where(frame["level"].notna(), Level.JUNIOR.value)
    for metric in run.metrics:
        values = frame[metric] if metric in frame.columns else float("nan")
        frame[metric] = pd.to_numeric(values, errors="coerce").astype(float)
    frame = frame.astype({c: object for c in AGENT_COLUMNS})
    return frame.sort_values("agent_id", kind="stable").reset_index(drop=True)


def _adjustments(run: Run) -> pd.DataFrame:
    rows = run.inputs.adjustments(run.period).copy()
    for column in ADJUSTMENT_COLUMNS:
        if column not in rows.columns:
            rows[column] = None
    rows["agent_id"] = rows["agent_id"].astype(str)
    rows["kind"] = rows["kind"].astype(str)
    return rows


def run(state: Run) -> None:
    periods.bounds(state.period)  # a malformed period fails here, before any figure is read
    state.metrics = used_metrics(state.card)
    figures = _figures(state)
    state.population = figures[in_scope(figures, state.card.applies_to)].reset_index(drop=True)
    targets = state.inputs.targets(state.period)
    state.references = References(
        state.inputs, state.period, state.population, targets, state.metrics
    )
    by_agent = entries_by_agent(_adjustments(state))
    state.work = [
        AgentWork(agent=row, adjustments=by_agent.get(row["agent_id"], Entries()))
        for row in state.population.to_dict("records")
    ]
