"""Step 3: points = score ÷ scale × weight; missing items follow the missing-figure policy.

``exclude_reweight`` drops a missing item and scales the remaining weights up to the full
total, so an agent is judged on what could be measured; ``score_zero`` scores it 0. Either
way the item says it was missing.
"""

from __future__ import annotations

from cskpi.scoring.enums import MissingPolicy, RuleType
from cskpi.scoring.models.base import Text
from cskpi.scoring.models.scorecard import Item
from cskpi.scoring.pipeline.state import AgentWork, Run
from cskpi.scoring.results import ItemResult


def _excluded(item: Item, work: AgentWork, default: MissingPolicy) -> bool:
    policy = item.missing or default
    return work.outcomes[item.key].missing and policy is MissingPolicy.EXCLUDE_REWEIGHT


def _explain(rule: Text, missing: bool, excluded: bool) -> Text:
    """Say what the missing-figure policy did, so a missing item never reads as a real 0."""
    if not missing:
        return rule
    if excluded:
        return Text(
            zh=f"{rule.zh}(缺失:不计入,其余权重按比例放大)",
            en=f"{rule.en} (missing: excluded, other weights scaled up)",
        )
    return Text(zh=f"{rule.zh}(缺失:按 0 分计)", en=f"{rule.en} (missing: scored 0)")


def run(state: Run) -> None:
    card = state.card
    full = sum(item.weight for item in card.items)
    for work in state.work:
        present = sum(i.weight for i in card.items if not _excluded(i, work, card.missing))
        factor = full / present if present else 0.0
        work.items = []
        for item in card.items:
            outcome = work.outcomes[item.key]
            excluded = _excluded(item, work, card.missing)
            score = 0.0 if outcome.score is None and not excluded else outcome.score
            weight = 0.0 if excluded else item.weight * factor
            points = 0.0 if score is None else score / item.scale * weight
            work.items.append(
                ItemResult(
                    key=item.key,
                    label=item.label,
                    metric=item.metric,
                    value=outcome.value,
                    score=score,
                    weight=weight,
                    points=points,
                    rule=_explain(outcome.rule, outcome.missing, excluded),
                    missing=outcome.missing,
                    self_score=outcome.self_score,
                    manual=item.rule.type == RuleType.MANUAL.value,
                )
            )
        work.base = sum(item.points for item in work.items)
