"""``manual``: the supervisor's score (latest entry), with the self score beside it."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.models.rules import ManualRule
from cskpi.scoring.rules.context import EvalContext, Outcome


def kinds(rule: ManualRule, key: str) -> tuple[str, str]:
    """Adjustment kinds holding the supervisor's and the agent's own score."""
    return rule.kind or f"supervisor.{key}", rule.self_kind or f"self.{key}"


def evaluate(rule: ManualRule, ctx: EvalContext) -> Outcome:
    supervisor_kind, self_kind = kinds(rule, ctx.key)
    supervisor = ctx.latest_points(supervisor_kind)
    own = ctx.latest_points(self_kind)
    own_zh = f"(自评 {fmt(own)})" if own is not None else ""
    own_en = f" (self {fmt(own)})" if own is not None else ""
    if supervisor is None:
        return Outcome(
            None, None, text(f"上级未评分{own_zh}", f"not rated by supervisor{own_en}"), own
        )
    return Outcome(
        supervisor,
        supervisor,
        text(f"上级评分 {fmt(supervisor)}{own_zh}", f"supervisor {fmt(supervisor)}{own_en}"),
        own,
    )
