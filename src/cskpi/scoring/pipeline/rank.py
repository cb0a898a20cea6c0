"""Step 8: rank by total; equal totals are ordered by the tie-break figure (personal sales,
seed 000); agents equal on both share the rank (1, 1, 3)."""

from __future__ import annotations

import math

from cskpi.scoring.numbers import clean
from cskpi.scoring.pipeline.state import AgentWork, Run

RANK_DIGITS = 6  # totals equal to 6 decimals are equal; float noise must not split a tie


def tie_break_metric(state: Run) -> str | None:
    pay = state.card.pay
    return pay.ranking_pool.tie_break if pay and pay.ranking_pool else None


def sort_key(work: AgentWork, tie_break: str | None) -> tuple[float, float]:
    second = clean(work.agent.get(tie_break)) if tie_break else None
    return (-round(work.total, RANK_DIGITS), -(second if second is not None else -math.inf))


def run(state: Run) -> None:
    tie_break = tie_break_metric(state)
    ordered = sorted(state.work, key=lambda w: sort_key(w, tie_break))
    previous: tuple[float, float] | None = None
    for position, work in enumerate(ordered, start=1):
        key = sort_key(work, tie_break)
        if key != previous:
            rank = position
            previous = key
        work.rank = rank
