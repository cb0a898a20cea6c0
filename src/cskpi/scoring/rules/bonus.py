"""``bonus``: points per counted entry, or by how far a figure beats a reference."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.enums import Unit
from cskpi.scoring.models.rules import BonusRule
from cskpi.scoring.rules.context import STEP_DIGITS, EvalContext, Outcome, missing


def evaluate(rule: BonusRule, ctx: EvalContext) -> Outcome:
    if rule.kind is not None and rule.points_each is not None:
        count = ctx.count(rule.kind)
        points = count * rule.points_each
        zh = f"{fmt(count)} 次 × {fmt(rule.points_each)}"
        en = f"{fmt(count)} × {fmt(rule.points_each)}"
    else:
        return _conditions(rule, ctx)
    if rule.cap is not None and points > rule.cap:
        points = rule.cap
        zh += f",封顶 {fmt(rule.cap)}"
        en += f", capped at {fmt(rule.cap)}"
    return Outcome(points, count, text(f"{zh} → +{fmt(points)}", f"{en} → +{fmt(points)}"))


def _conditions(rule: BonusRule, ctx: EvalContext) -> Outcome:
    if ctx.value is None or rule.reference is None:
        return missing(ctx.value, "无数据", "no figure")
    ref, ref_name = ctx.references.resolve(rule.reference, ctx.agent, ctx.metric)
    if not ref:
        return missing(ctx.value, "无参照值", "no reference")
    above = round(ctx.value / ref - 1, STEP_DIGITS)
    met = [c for c in rule.conditions if above >= c.above_by]
    best = max(met, key=lambda c: c.points, default=None)
    points = 0.0 if best is None else best.points
    if rule.cap is not None:
        points = min(points, rule.cap)
    share = fmt(above, Unit.PERCENT)
    if best is None:
        zh = f"高于{ref_name.zh} {share},未达加分条件 → 0"
        en = f"{share} above {ref_name.en}, no condition met → 0"
    else:
        bar = fmt(best.above_by, Unit.PERCENT)
        zh = f"高于{ref_name.zh} {share} ≥ {bar} → +{fmt(points)}"
        en = f"{share} above {ref_name.en} ≥ {bar} → +{fmt(points)}"
    return Outcome(points, ctx.value, text(zh, en))
