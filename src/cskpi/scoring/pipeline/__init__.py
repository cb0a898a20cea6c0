"""The scoring pipeline: an ordered list of small steps, each a module with ``run(state)``.

Rank comes before pay because the ranking pool pays by rank.
"""

from __future__ import annotations

from collections.abc import Callable

from cskpi.scoring.pipeline import (
    across,
    bonus,
    clamp,
    deduct,
    grade,
    normalise,
    pay,
    rank,
    rule,
    weight,
)
from cskpi.scoring.pipeline.state import AgentWork, Run

STEPS: tuple[Callable[[Run], None], ...] = (
    normalise.run,
    rule.run,
    weight.run,
    deduct.run,
    bonus.run,
    clamp.run,
    grade.run,
    rank.run,
    pay.run,
    across.run,
)


def execute(state: Run) -> Run:
    for step in STEPS:
        step(state)
    return state


__all__ = ["STEPS", "AgentWork", "Run", "execute"]
