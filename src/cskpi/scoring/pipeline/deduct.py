"""Step 4: scorecard-level penalties, points off the base outside any item.

Each penalty line shows up as its own row in ``items`` (weight 0, negative points), so the
result still explains every point.
"""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.enums import MissingPolicy, Unit
from cskpi.scoring.pipeline.state import Run
from cskpi.scoring.results import ItemResult
from cskpi.scoring.rules.context import EvalContext
from cskpi.scoring.rules.deductions import occurrences


def run(state: Run) -> None:
    assert state.references is not None
    for work in state.work:
        for index, line in enumerate(state.card.penalties):
            ctx = EvalContext(
                agent=work.agent,
                adjustments=work.adjustments,
                references=state.references,
                key=f"penalty.{index}",
                metric=None,
                value=None,
                scale=0.0,
                unit=Unit.COUNT,
                missing=MissingPolicy.SCORE_ZERO,
            )
            occurred = occurrences(line, ctx)
            charged = max(0.0, (occurred or 0.0) - line.allowance)
            points = -charged * line.points
            work.items.append(
                ItemResult(
                    key=f"penalty.{line.kind or index}",
                    label=line.label,
                    metric=None,
                    value=occurred,
                    score=None,
                    weight=0.0,
                    points=points,
                    rule=text(
                        f"{fmt(occurred)} 次,免 {fmt(line.allowance)} 次,每次 −{fmt(line.points)}",
                        f"×{fmt(occurred)}, {fmt(line.allowance)} free, −{fmt(line.points)} each",
                    ),
                    missing=occurred is None,
                )
            )
            work.base += points
