"""Rule kinds, one model per ``type``; the union is exhaustive over :class:`RuleType`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from cskpi.scoring.enums import Compare, Direction, Mapping, MissingPolicy, Unit
from cskpi.scoring.models.bands import Interval
from cskpi.scoring.models.base import Spec, Text
from cskpi.scoring.models.references import ReferenceSpec
from cskpi.scoring.numbers import Num


class Band(Interval):
    """One row of a tier table: a figure inside the bounds scores ``score``."""

    score: Num


class TiersRule(Spec):
    """Tier table, e.g. 询单转化率 ≥60% → 100, ≥55% → 80 … (seed 000)."""

    type: Literal["tiers"]
    direction: Direction = Direction.HIGHER
    bands: tuple[Band, ...] = Field(min_length=1)


class GatedLinearRule(Spec):
    """R = actual ÷ target; R < gate → 0, else factor × R, at most cap (seed 004 sales)."""

    type: Literal["gated_linear"]
    target: ReferenceSpec
    gate: Num
    factor: Num
    cap: Num | None = None


class StepSide(Spec):
    """Points per whole step of surplus or shortfall, and where that side stops."""

    per: Num = Field(gt=0, description="size of one step, in the figure's unit or as a share")
    points: Num = Field(description="signed change per step: -2 below, +2 above")
    limit: Num | None = Field(None, description="floor (below side) or cap (above side)")


class StepsRule(Spec):
    """Score at the reference, moved by whole steps of surplus/shortfall (seed 004)."""

    type: Literal["steps"]
    reference: ReferenceSpec
    direction: Direction = Direction.HIGHER
    compare: Compare = Compare.DIFFERENCE
    at_reference: Num = Field(description="score when the figure meets the reference")
    below: StepSide | None = None
    above: StepSide | None = None


class RelativeRule(Spec):
    """Figure against a reference; ratio mapped proportionally or by a tier table (seed 001)."""

    type: Literal["relative"]
    reference: ReferenceSpec
    direction: Direction = Direction.HIGHER
    mapping: Mapping = Mapping.PROPORTIONAL
    at_reference: Num = Field(100, description="score when figure equals the reference")
    bands: tuple[Band, ...] | None = Field(None, description="tiers on the ratio (mapping: tiers)")
    cap: Num | None = None

    @model_validator(mode="after")
    def _bands_for_tiers(self) -> RelativeRule:
        if self.mapping is Mapping.TIERS and not self.bands:
            raise ValueError("mapping 'tiers' needs 'bands' (tiers on figure ÷ reference)")
        return self


class DeductionLine(Spec):
    """One counted fault: the first ``allowance`` occurrences are free, then ``points`` each.

    Occurrences come from adjustment rows of ``kind`` (their ``count``) or from attendance
    metrics (e.g. ``late_count``), summed.
    """

    label: Text
    kind: str | None = None
    metrics: tuple[str, ...] = ()
    allowance: Num = 0
    points: Num = Field(gt=0, description="points deducted per occurrence beyond the allowance")

    @model_validator(mode="after")
    def _has_source(self) -> DeductionLine:
        if self.kind is None and not self.metrics:
            raise ValueError("a deduction line needs 'kind' (adjustments) or 'metrics'")
        return self


class DeductionsRule(Spec):
    """Start from full marks, deduct counted faults, stop at the floor (seed 000 执行力)."""

    type: Literal["deductions"]
    start: Num | None = Field(None, description="defaults to the item's scale")
    floor: Num = 0
    lines: tuple[DeductionLine, ...] = Field(min_length=1)


class ManualRule(Spec):
    """Supervisor's score from adjustments, with the agent's self score shown beside it."""

    type: Literal["manual"]
    kind: str | None = Field(None, description="adjustment kind; default supervisor.<item key>")
    self_kind: str | None = Field(None, description="default self.<item key>")


class BonusCondition(Spec):
    """Figure at least ``above_by`` (a share) above the reference earns ``points``."""

    above_by: Num
    points: Num


class BonusRule(Spec):
    """Bonus points: per counted entry (praise +2 each) or by how far a figure beats a reference.

    Conditions are alternatives: the best one met applies (≥30% → +3, else ≥20% → +2).
    """

    type: Literal["bonus"]
    kind: str | None = None
    points_each: Num | None = None
    reference: ReferenceSpec | None = None
    conditions: tuple[BonusCondition, ...] = ()
    cap: Num | None = None


class SubItem(Spec):
    """A part of a composite item, weighted within it."""

    key: str
    label: Text
    metric: str | None = None
    weight: Num = Field(ge=0)
    unit: Unit = Unit.NUMBER
    rule: Rule
    floor: Num | None = None
    cap: Num | None = None
    missing: MissingPolicy | None = None


class CompositeRule(Spec):
    """An item made of weighted sub-items, e.g. 服务得分 = QA, reply rate, response, ratings."""

    type: Literal["composite"]
    items: tuple[SubItem, ...] = Field(min_length=1)


Rule = Annotated[
    TiersRule
    | GatedLinearRule
    | StepsRule
    | RelativeRule
    | DeductionsRule
    | ManualRule
    | BonusRule
    | CompositeRule,
    Field(discriminator="type"),
]

SubItem.model_rebuild()
CompositeRule.model_rebuild()
