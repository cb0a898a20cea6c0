"""Step 7: the grade band holding the total, and its pay coefficient K."""

from __future__ import annotations

from cskpi.scoring.pipeline.state import Run


def run(state: Run) -> None:
    for work in state.work:
        band = next((b for b in state.card.grades if b.contains(work.total)), None)
        work.grade = None if band is None else band.grade
        work.coefficient = None if band is None else band.coefficient
