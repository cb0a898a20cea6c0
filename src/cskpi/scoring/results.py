"""Scoring results and their dict form (the CLI, store and reports read ``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cskpi.scoring.models.base import Text

DIGITS = 2


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


@dataclass(frozen=True)
class ItemResult:
    """One item explained: figure, rule that applied, score and weighted points."""

    key: str
    label: Text
    metric: str | None
    value: float | None
    score: float | None
    weight: float
    points: float
    rule: Text
    missing: bool
    self_score: float | None = None
    manual: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": self.label.model_dump()}
        if self.metric:
            out["metric"] = self.metric
        out |= {
            "value": None if self.value is None else round(self.value, 6),
            "score": _r(self.score),
            "weight": _r(self.weight),
            "points": _r(self.points),
            "rule": self.rule.model_dump(),
            "missing": self.missing,
        }
        if self.manual:
            out["self_score"] = _r(self.self_score)
        return out


@dataclass(frozen=True)
class PeriodWarning:
    """An across-period finding (elimination, demotion, promotion, no sales)."""

    kind: str
    periods: tuple[str, ...]
    message: Text
    values: tuple[float | None, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "periods": list(self.periods),
            "values": [_r(v) for v in self.values],
            "message": self.message.model_dump(),
        }


@dataclass(frozen=True)
class AgentResult:
    """An agent's result for one period under one scorecard."""

    agent_id: str
    period: str
    scorecard: str
    base: float
    bonus: float
    total: float
    grade: str | None
    coefficient: float | None
    pay: dict[str, float] | None
    rank: int | None
    items: tuple[ItemResult, ...]
    bonus_items: tuple[ItemResult, ...] = ()
    warnings: tuple[PeriodWarning, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "agent_id": self.agent_id,
            "period": self.period,
            "scorecard": self.scorecard,
            "base": _r(self.base),
            "bonus": _r(self.bonus),
            "total": _r(self.total),
            "grade": self.grade,
            "coefficient": self.coefficient,
        }
        if self.pay is not None:
            out["pay"] = {k: _r(v) for k, v in self.pay.items()}
        out["rank"] = self.rank
        out["items"] = [item.to_dict() for item in self.items]
        out["bonus_items"] = [item.to_dict() for item in self.bonus_items]
        out["warnings"] = [w.to_dict() for w in self.warnings]
        return out
