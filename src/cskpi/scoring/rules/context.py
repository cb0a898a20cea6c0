"""What a rule sees when it scores one agent, and what it gives back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cskpi.scoring.enums import MissingPolicy, Unit
from cskpi.scoring.models.base import Text
from cskpi.scoring.numbers import clean
from cskpi.scoring.rules.references import References

# Whole steps are counted after rounding away float noise: 0.03 - 0.02 is 0.00999…, which
# must still be five steps of 0.002.
STEP_DIGITS = 9


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict: ``score`` None means the item is missing (undefined figure)."""

    score: float | None
    value: float | None
    rule: Text
    self_score: float | None = None

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class Entries:
    """One agent's adjustments, summed once per kind (rules look them up many times).

    ``counts``: occurrences (an empty count means one); ``latest``: points of the latest row
    (a re-entered score replaces the old one); ``points``: points summed (money charges).
    """

    counts: Mapping[str, float] = field(default_factory=dict)
    latest: Mapping[str, float] = field(default_factory=dict)
    points: Mapping[str, float] = field(default_factory=dict)


def entries_by_agent(rows: pd.DataFrame) -> dict[str, Entries]:
    """Entries per agent_id from contract adjustment rows."""
    if rows.empty:
        return {}
    rows = rows.assign(
        _count=pd.to_numeric(rows["count"], errors="coerce").fillna(1.0),
        _points=pd.to_numeric(rows["points"], errors="coerce"),
        _date=rows["date"].astype(str),
    ).sort_values("_date", kind="stable")
    keys = ["agent_id", "kind"]
    counts = rows.groupby(keys, sort=False)["_count"].sum()
    scored = rows.dropna(subset=["_points"])
    latest = scored.groupby(keys, sort=False)["_points"].last()
    points = scored.groupby(keys, sort=False)["_points"].sum()
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, series in (("counts", counts), ("latest", latest), ("points", points)):
        for (agent_id, kind), value in series.items():
            out.setdefault(str(agent_id), {}).setdefault(name, {})[str(kind)] = float(value)
    return {agent_id: Entries(**parts) for agent_id, parts in out.items()}


@dataclass(frozen=True)
class EvalContext:
    """One agent, one item (or sub-item)."""

    agent: Mapping[str, Any]
    adjustments: Entries
    references: References
    key: str
    metric: str | None
    value: float | None
    scale: float
    unit: Unit
    missing: MissingPolicy

    def figure(self, metric: str) -> float | None:
        """The agent's own figure for ``metric``."""
        return clean(self.agent.get(metric))

    def count(self, kind: str) -> float:
        """Occurrences of adjustment ``kind``."""
        return self.adjustments.counts.get(kind, 0.0)

    def latest_points(self, kind: str) -> float | None:
        """``points`` of the latest row of ``kind``."""
        return self.adjustments.latest.get(kind)


def whole_steps(amount: float, per: float) -> int:
    """Number of complete steps of size ``per`` in ``amount`` ("每低0.5个百分点")."""
    return math.floor(round(amount / per, STEP_DIGITS))


def missing(value: float | None, zh: str, en: str) -> Outcome:
    return Outcome(score=None, value=value, rule=Text(zh=zh, en=en))
