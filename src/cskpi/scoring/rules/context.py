"""What a rule sees when it scores one agent, and what it gives back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
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
class EvalContext:
    """One agent, one item (or sub-item)."""

    agent: Mapping[str, Any]
    adjustments: pd.DataFrame
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
        """Occurrences of adjustment ``kind`` (a row without count counts once)."""
        return count_kind(self.adjustments, kind)

    def latest_points(self, kind: str) -> float | None:
        """``points`` of the latest row of ``kind`` (a re-entered score replaces the old one)."""
        rows = self.adjustments[self.adjustments["kind"] == kind]
        points = pd.to_numeric(rows["points"], errors="coerce") if not rows.empty else rows
        if rows.empty or points.isna().all():
            return None
        ordered = rows.assign(_p=points).dropna(subset=["_p"])
        ordered = ordered.sort_values("date", kind="stable", key=lambda s: s.astype(str))
        return float(ordered["_p"].iloc[-1])


def count_kind(rows: pd.DataFrame, kind: str) -> float:
    """Sum of ``count`` over rows of ``kind``; an empty count means one occurrence."""
    rows = rows[rows["kind"] == kind]
    if rows.empty:
        return 0.0
    return float(pd.to_numeric(rows["count"], errors="coerce").fillna(1.0).sum())


def whole_steps(amount: float, per: float) -> int:
    """Number of complete steps of size ``per`` in ``amount`` ("每低0.5个百分点")."""
    return math.floor(round(amount / per, STEP_DIGITS))


def missing(value: float | None, zh: str, en: str) -> Outcome:
    return Outcome(score=None, value=value, rule=Text(zh=zh, en=en))
