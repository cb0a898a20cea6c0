"""Step 10: warnings that need earlier periods (seeds 000, 004).

- elimination: below the bar (80) for N consecutive periods, this one included;
- demotion: below the agent's own level bar for N consecutive periods;
- promotion: at or above the next level's bar for N consecutive periods;
- no sales: the sales figure undefined or 0 for N consecutive periods (辞退 warning).

Totals of earlier periods come from stored results (what was approved then); a gap in the
history breaks the run, since "consecutive" cannot be shown.
"""

from __future__ import annotations

from cskpi.scoring import periods
from cskpi.scoring.describe import fmt
from cskpi.scoring.enums import Level
from cskpi.scoring.models.base import Text
from cskpi.scoring.models.scorecard import AcrossPeriods
from cskpi.scoring.numbers import clean
from cskpi.scoring.pipeline.state import AgentWork, Run
from cskpi.scoring.results import PeriodWarning

LEVELS = (Level.JUNIOR, Level.INTERMEDIATE, Level.SENIOR)
LEVEL_ZH = {Level.JUNIOR: "初级", Level.INTERMEDIATE: "中级", Level.SENIOR: "高级"}


def totals_run(state: Run, work: AgentWork, n: int) -> tuple[tuple[str, ...], list[float]] | None:
    """This period's total and the n-1 before it, most recent first; None if any is absent."""
    wanted = [state.period, *periods.preceding(state.period, n - 1)]
    stored = state.inputs.previous_results(work.agent_id, state.period, n - 1)
    by_period = {str(r.get("period")): clean(r.get("total")) for r in stored}
    by_period[state.period] = work.total
    values = [by_period.get(p) for p in wanted]
    if any(v is None for v in values):
        return None
    return tuple(wanted), [float(v) for v in values if v is not None]


def _elimination(rules: AcrossPeriods, state: Run, work: AgentWork) -> PeriodWarning | None:
    if rules.elimination_below is None:
        return None
    found = totals_run(state, work, rules.elimination_periods)
    if found is None or not all(t < rules.elimination_below for t in found[1]):
        return None
    n, bar = rules.elimination_periods, fmt(rules.elimination_below)
    return PeriodWarning(
        "elimination",
        found[0],
        Text(
            zh=f"连续 {n} 期低于 {bar} 分,淘汰预警", en=f"below {bar} for {n} periods: elimination"
        ),
        tuple(found[1]),
    )


def _level_moves(rules: AcrossPeriods, state: Run, work: AgentWork) -> list[PeriodWarning]:
    level = Level(str(work.agent.get("level") or Level.JUNIOR.value))
    index = LEVELS.index(level)
    out: list[PeriodWarning] = []
    bar = rules.level_bars.get(level)
    if bar is not None and index > 0:
        found = totals_run(state, work, rules.demotion_periods)
        if found and all(t < bar for t in found[1]):
            n = rules.demotion_periods
            out.append(
                PeriodWarning(
                    "demotion",
                    found[0],
                    Text(
                        zh=f"连续 {n} 期低于{LEVEL_ZH[level]}水平 {fmt(bar)} 分,降一级",
                        en=f"below the {level.value} bar {fmt(bar)} for {n} periods: demotion",
                    ),
                    tuple(found[1]),
                )
            )
    if index + 1 < len(LEVELS):
        upper = LEVELS[index + 1]
        next_bar = rules.level_bars.get(upper)
        found = totals_run(state, work, rules.promotion_periods) if next_bar is not None else None
        if found and next_bar is not None and all(t >= next_bar for t in found[1]):
            n = rules.promotion_periods
            out.append(
                PeriodWarning(
                    "promotion",
                    found[0],
                    Text(
                        zh=f"连续 {n} 期达到{LEVEL_ZH[upper]}分值 {fmt(next_bar)},可晋升",
                        en=f"at the {upper.value} bar {fmt(next_bar)} for {n} periods: promotion",
                    ),
                    tuple(found[1]),
                )
            )
    return out


def _no_sales(
    rules: AcrossPeriods, state: Run, work: AgentWork, sales: dict
) -> PeriodWarning | None:
    if rules.no_sales_metric is None:
        return None
    wanted = [state.period, *periods.preceding(state.period, rules.no_sales_periods - 1)]
    values = [sales[p].get(work.agent_id) for p in wanted]
    if any(v not in (None, 0.0) for v in values):
        return None
    n = rules.no_sales_periods
    return PeriodWarning(
        "no_sales",
        tuple(wanted),
        Text(zh=f"连续 {n} 期无销售额,辞退预警", en=f"no sales for {n} periods: dismissal"),
        tuple(values),
    )


def _sales_by_period(rules: AcrossPeriods, state: Run) -> dict[str, dict[str, float | None]]:
    if rules.no_sales_metric is None:
        return {}
    metric = rules.no_sales_metric
    out: dict[str, dict[str, float | None]] = {}
    for period in [state.period, *periods.preceding(state.period, rules.no_sales_periods - 1)]:
        frame = state.inputs.figures(["agent"], period, [metric])
        out[period] = {
            str(a): clean(v) for a, v in zip(frame["agent_id"], frame[metric], strict=True)
        }
    return out


def run(state: Run) -> None:
    rules = state.card.across_periods
    if rules is None:
        return
    sales = _sales_by_period(rules, state)
    for work in state.work:
        found = [_elimination(rules, state, work), *_level_moves(rules, state, work)]
        found.append(_no_sales(rules, state, work, sales))
        work.warnings = [w for w in found if w is not None]
