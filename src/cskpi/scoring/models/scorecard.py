"""The scorecard (考核方案): who it applies to, items, bonus, grades, pay, across-period rules."""

from __future__ import annotations

from pydantic import Field

from cskpi.scoring.enums import Grain, Level, MissingPolicy, Scope, Unit
from cskpi.scoring.models.bands import Interval
from cskpi.scoring.models.base import Spec, Text
from cskpi.scoring.models.rules import BonusRule, DeductionLine, Rule
from cskpi.scoring.numbers import Num


class AppliesTo(Spec):
    """Population: listed agents, plus agents matching every non-empty role/group list."""

    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()


class Item(Spec):
    """A weighted item: its rule scores 0..scale, points = score ÷ scale × weight."""

    key: str
    label: Text
    metric: str | None = Field(None, description="metric key the item scores")
    entry: str | None = Field(
        None, description="adjustment kind whose latest points are the figure (no metric exists)"
    )
    figure_of: Scope | None = Field(
        None, description="score the pooled figure of the agent's team/group/center (a store)"
    )
    weight: Num = Field(ge=0)
    scale: Num = Field(100, gt=0, description="full marks of the item's own score")
    unit: Unit = Unit.NUMBER
    rule: Rule
    floor: Num | None = None
    cap: Num | None = None
    missing: MissingPolicy | None = Field(None, description="overrides the scorecard policy")


class BonusItem(Spec):
    """Points added on top of the weighted items."""

    key: str
    label: Text
    metric: str | None = None
    unit: Unit = Unit.NUMBER
    rule: BonusRule


class GradeBand(Interval):
    """A grade with its pay coefficient K (seed 004: A 95 < s ≤ 100, K = 1.1)."""

    grade: str
    label: Text
    coefficient: Num = 1.0


class PositionPay(Spec):
    """Position pay = score ÷ 100 × Y (seed 001), optionally × K."""

    base: Num = Field(description="Y when the agent's role has no own value")
    by_role: dict[str, Num] = Field(default_factory=dict)
    times_coefficient: bool = False


class KpiPay(Spec):
    """General KPI pay: a fixed amount N per point (seed 001 通用KPI)."""

    per_point: Num


class PoolPlace(Spec):
    """Share of the pool and fixed bonus for one rank."""

    share: Num
    bonus: Num = 0


class RankingPool(Spec):
    """Seed 000: pool = silent-order sales × 0.6%; places 1 and 2, the rest share equally."""

    metric: str = "silent_sales"
    rate: Num
    places: tuple[PoolPlace, ...]
    rest_share: Num
    tie_break: str = Field("sales_amount", description="metric ordering equal scores")


class Bounty(Spec):
    """A fixed amount per counted adjustment (new customer by order size, visiting customer)."""

    kind: str
    label: Text
    amount: Num


class CommissionPlan(Spec):
    """Seed 004 新客户客服: base salary + bounties + sales share − call-minute shortfall."""

    base_salary: Num
    bounties: tuple[Bounty, ...] = ()
    sales_metric: str = "sales_amount"
    sales_rate: Num = 0
    leads_metric: str = "leads"
    per_lead: Num = 0
    call_metric: str = "phone_minutes"
    daily_call_minutes: Num = 0
    per_missing_minute: Num = 0
    deposit_shortfall_kind: str | None = Field(
        None, description="adjustment kind whose points (money) are charged against commission"
    )


class Pay(Spec):
    """Pay components; each is optional."""

    position: PositionPay | None = None
    kpi: KpiPay | None = None
    ranking_pool: RankingPool | None = None
    commission: CommissionPlan | None = None
    base_salary: dict[Level, Num] | None = Field(None, description="底薪分级 by level")


class AcrossPeriods(Spec):
    """Warnings that look at earlier periods (seeds 000, 001, 004)."""

    elimination_below: Num | None = 80
    elimination_periods: int = 3
    level_bars: dict[Level, Num] = Field(default_factory=dict)
    demotion_periods: int = 3
    promotion_periods: int = 3
    no_sales_metric: str | None = None
    no_sales_periods: int = 2


class Scorecard(Spec):
    """A complete scoring scheme, loaded from YAML."""

    name: str
    title: Text
    description: Text | None = None
    applies_to: AppliesTo = AppliesTo()
    period: Grain = Grain.MONTH
    missing: MissingPolicy = MissingPolicy.EXCLUDE_REWEIGHT
    adjustment_kinds: tuple[str, ...] = Field(
        (), description="scorecard's own adjustment kinds beside the contract's standard ones"
    )
    items: tuple[Item, ...] = Field(min_length=1)
    penalties: tuple[DeductionLine, ...] = Field(
        (), description="point deductions off the base outside any item"
    )
    bonus: tuple[BonusItem, ...] = ()
    total_floor: Num | None = 0
    total_cap: Num | None = None
    grades: tuple[GradeBand, ...] = ()
    pay: Pay | None = None
    across_periods: AcrossPeriods | None = None
