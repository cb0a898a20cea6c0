"""Step 2: every item's rule turns the agent's figure into a score (floor and cap applied)."""

from __future__ import annotations

from dataclasses import replace

from cskpi.scoring.models.scorecard import Item
from cskpi.scoring.pipeline.state import AgentWork, Run
from cskpi.scoring.rules import evaluate
from cskpi.scoring.rules.context import EvalContext, Outcome
from cskpi.scoring.rules.limits import limit


def item_value(item: Item, ctx: EvalContext) -> float | None:
    """The figure an item scores: a metric from the KPI engine (the agent's own, or pooled
    over the agent's team/group/center), or an entered figure."""
    if item.metric and item.figure_of is not None:
        return ctx.references.pooled(item.figure_of, ctx.agent, item.metric)
    if item.metric:
        return ctx.figure(item.metric)
    if item.entry:
        return ctx.latest_points(item.entry)
    return None


def score_item(item: Item, work: AgentWork, state: Run) -> Outcome:
    assert state.references is not None
    ctx = EvalContext(
        agent=work.agent,
        adjustments=work.adjustments,
        # An item scoring a pooled figure compares it with targets of the same scope.
        references=state.references.for_figure(item.figure_of if item.metric else None),
        key=item.key,
        metric=item.metric,
        value=None,
        scale=item.scale,
        unit=item.unit,
        missing=item.missing or state.card.missing,
    )
    ctx = replace(ctx, value=item_value(item, ctx))
    outcome = evaluate(item.rule, ctx)
    if outcome.score is None:
        return outcome
    return replace(outcome, score=limit(outcome.score, item.floor, item.cap))


def run(state: Run) -> None:
    for work in state.work:
        work.outcomes = {item.key: score_item(item, work, state) for item in state.card.items}
