"""Working state passed through the pipeline steps.

Specs and results are immutable; this is the one mutable scratchpad, filled step by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cskpi.scoring.inputs import ScoringInputs
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.results import ItemResult, PeriodWarning
from cskpi.scoring.rules.context import Entries, Outcome
from cskpi.scoring.rules.references import References


@dataclass
class AgentWork:
    """One agent's result while it is being computed."""

    agent: dict[str, Any]
    adjustments: Entries
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    items: list[ItemResult] = field(default_factory=list)
    bonus_items: list[ItemResult] = field(default_factory=list)
    base: float = 0.0
    bonus: float = 0.0
    total: float = 0.0
    grade: str | None = None
    coefficient: float | None = None
    pay: dict[str, float] | None = None
    rank: int | None = None
    warnings: list[PeriodWarning] = field(default_factory=list)

    @property
    def agent_id(self) -> str:
        return str(self.agent["agent_id"])


@dataclass
class Run:
    """Everything a step may read or fill for one scoring run."""

    card: Scorecard
    inputs: ScoringInputs
    period: str
    metrics: list[str] = field(default_factory=list)
    population: pd.DataFrame = field(default_factory=pd.DataFrame)
    references: References | None = None
    work: list[AgentWork] = field(default_factory=list)
