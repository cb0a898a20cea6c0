"""What a figure is compared with: a target, a peer average or a fixed number.

Split by ``type`` like every rule; a reference may name a ``fallback`` used when it has no
value (seed 000: AOV "against the target, else the team average").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cskpi.scoring.enums import Scope, Statistic
from cskpi.scoring.models.base import Spec
from cskpi.scoring.numbers import Num


class TargetReference(Spec):
    """A row of the targets table; the most specific scope wins (agent, group, team, center)."""

    type: Literal["target"]
    metric: str | None = Field(None, description="defaults to the item's metric")
    fallback: ReferenceSpec | None = None


class AverageReference(Spec):
    """The average over the agent's team, group or the whole center."""

    type: Literal["average"]
    over: Scope = Scope.TEAM
    statistic: Statistic = Statistic.POOLED
    metric: str | None = Field(None, description="defaults to the item's metric")
    fallback: ReferenceSpec | None = None


class FixedReference(Spec):
    """A number written in the scorecard (a plan figure or an industry norm)."""

    type: Literal["fixed"]
    value: Num
    fallback: ReferenceSpec | None = None


ReferenceSpec = Annotated[
    TargetReference | AverageReference | FixedReference, Field(discriminator="type")
]

TargetReference.model_rebuild()
AverageReference.model_rebuild()
FixedReference.model_rebuild()
