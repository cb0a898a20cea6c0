"""Step 5: bonus points on top of the weighted items (seed 000 加分机制)."""

from __future__ import annotations

from dataclasses import replace

from cskpi.scoring.enums import MissingPolicy
from cskpi.scoring.pipeline.state import Run
from cskpi.scoring.results import ItemResult
from cskpi.scoring.rules import bonus as bonus_rule
from cskpi.scoring.rules.context import EvalContext


def run(state: Run) -> None:
    assert state.references is not None
    for work in state.work:
        work.bonus_items = []
        for item in state.card.bonus:
            ctx = EvalContext(
                agent=work.agent,
                adjustments=work.adjustments,
                references=state.references,
                key=item.key,
                metric=item.metric,
                value=None,
                scale=0.0,
                unit=item.unit,
                missing=MissingPolicy.SCORE_ZERO,
            )
            if item.metric:
                ctx = replace(ctx, value=ctx.figure(item.metric))
            outcome = bonus_rule.evaluate(item.rule, ctx)
            points = outcome.score or 0.0
            work.bonus_items.append(
                ItemResult(
                    key=item.key,
                    label=item.label,
                    metric=item.metric,
                    value=outcome.value,
                    score=points,
                    weight=0.0,
                    points=points,
                    rule=outcome.rule,
                    missing=outcome.missing,
                )
            )
        work.bonus = sum(item.points for item in work.bonus_items)
