"""Intervals with explicit open/closed bounds, shared by tier tables and grade bands.

A band names its bounds the way the seeds write them: ``gt``/``ge`` below, ``lt``/``le``
above. "15 < t < 22" is ``{gt: 15, lt: 22}``; "≥30" is ``{ge: 30}``.
"""

from __future__ import annotations

import math

from pydantic import model_validator

from cskpi.scoring.models.base import Spec
from cskpi.scoring.numbers import Num


class Interval(Spec):
    """Bounds of one band; an absent side is unbounded."""

    gt: Num | None = None
    ge: Num | None = None
    lt: Num | None = None
    le: Num | None = None

    @model_validator(mode="after")
    def _one_bound_per_side(self) -> Interval:
        if self.gt is not None and self.ge is not None:
            raise ValueError("give either gt or ge for the lower bound, not both")
        if self.lt is not None and self.le is not None:
            raise ValueError("give either lt or le for the upper bound, not both")
        return self

    @property
    def lower(self) -> float:
        bound = self.gt if self.gt is not None else self.ge
        return -math.inf if bound is None else bound

    @property
    def lower_inclusive(self) -> bool:
        return self.gt is None

    @property
    def upper(self) -> float:
        bound = self.lt if self.lt is not None else self.le
        return math.inf if bound is None else bound

    @property
    def upper_inclusive(self) -> bool:
        return self.lt is None

    def contains(self, value: float) -> bool:
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        below = value <= self.upper if self.upper_inclusive else value < self.upper
        return above and below
