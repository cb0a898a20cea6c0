"""Public entry points: score a period, compare two runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cskpi.scoring.inputs import ScoringInputs
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.pipeline import Run, execute
from cskpi.scoring.pipeline.state import AgentWork
from cskpi.scoring.results import AgentResult


def score(
    scorecard: Scorecard,
    inputs: ScoringInputs,
    period: str,
    agents: Iterable[str] | None = None,
) -> list[AgentResult]:
    """Score every agent the scorecard applies to; return those in ``agents`` (all if None).

    The whole population is always scored, so ranks, the ranking pool and averages are the
    same whether one agent or all are asked for.
    """
    state = execute(Run(card=scorecard, inputs=inputs, period=period))
    wanted = None if agents is None else {str(a) for a in agents}
    return [
        _result(state, work) for work in state.work if wanted is None or work.agent_id in wanted
    ]


def _result(state: Run, work: AgentWork) -> AgentResult:
    return AgentResult(
        agent_id=work.agent_id,
        period=state.period,
        scorecard=state.card.name,
        base=work.base,
        bonus=work.bonus,
        total=work.total,
        grade=work.grade,
        coefficient=work.coefficient,
        pay=work.pay,
        rank=work.rank,
        items=tuple(work.items),
        bonus_items=tuple(work.bonus_items),
        warnings=tuple(work.warnings),
    )


def compare(
    results_a: Iterable[AgentResult], results_b: Iterable[AgentResult]
) -> list[dict[str, Any]]:
    """What-if: per agent, total and rank under A and B and how they moved (B − A; a positive
    ``rank_move`` means the agent climbed)."""
    a = {r.agent_id: r for r in results_a}
    b = {r.agent_id: r for r in results_b}
    rows = []
    for agent_id in sorted(a.keys() | b.keys()):
        ra, rb = a.get(agent_id), b.get(agent_id)
        total_a = None if ra is None else round(ra.total, 2)
        total_b = None if rb is None else round(rb.total, 2)
        rank_a = None if ra is None else ra.rank
        rank_b = None if rb is None else rb.rank
        rows.append(
            {
                "agent_id": agent_id,
                "total_a": total_a,
                "total_b": total_b,
                "delta": None if None in (total_a, total_b) else round(total_b - total_a, 2),
                "rank_a": rank_a,
                "rank_b": rank_b,
                "rank_move": None if None in (rank_a, rank_b) else rank_a - rank_b,
                "grade_a": None if ra is None else ra.grade,
                "grade_b": None if rb is None else rb.grade,
            }
        )
    return rows
