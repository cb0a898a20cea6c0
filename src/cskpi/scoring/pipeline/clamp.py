"""Step 6: total = base + bonus, kept inside the scorecard's floor and cap."""

from __future__ import annotations

from cskpi.scoring.pipeline.state import Run
from cskpi.scoring.rules.limits import limit


def run(state: Run) -> None:
    for work in state.work:
        work.total = limit(work.base + work.bonus, state.card.total_floor, state.card.total_cap)
