"""``steps``: at the reference a fixed score, moved by whole steps of surplus or shortfall."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.enums import Compare, Direction, Unit
from cskpi.scoring.models.rules import StepsRule
from cskpi.scoring.rules.context import EvalContext, Outcome, missing, whole_steps


def evaluate(rule: StepsRule, ctx: EvalContext) -> Outcome:
    if ctx.value is None:
        return missing(None, "无数据", "no figure")
    ref, ref_name = ctx.references.resolve(rule.reference, ctx.agent, ctx.metric)
    if ref is None or (rule.compare is Compare.RATIO and ref == 0):
        return missing(ctx.value, "无参照值", "no reference")
    surplus = ctx.value - ref if rule.direction is Direction.HIGHER else ref - ctx.value
    if rule.compare is Compare.RATIO:
        surplus /= ref
    unit = Unit.PERCENT if rule.compare is Compare.RATIO else ctx.unit
    head_zh = f"{fmt(ctx.value, ctx.unit)} 对 {ref_name.zh} {fmt(ref, ctx.unit)}"
    head_en = f"{fmt(ctx.value, ctx.unit)} vs {ref_name.en} {fmt(ref, ctx.unit)}"
    side = rule.above if surplus >= 0 else rule.below
    if side is None:
        words = "达标" if surplus >= 0 else "未达标"
        words_en = "met" if surplus >= 0 else "short"
        score = rule.at_reference
        return Outcome(
            score,
            ctx.value,
            text(f"{head_zh}:{words} → {fmt(score)}", f"{head_en}: {words_en} → {fmt(score)}"),
        )
    steps = whole_steps(abs(surplus), side.per)
    score = rule.at_reference + steps * side.points
    stopped = ""
    if side.limit is not None:
        limited = min(score, side.limit) if side.points > 0 else max(score, side.limit)
        stopped = "" if limited == score else f" (→ {fmt(side.limit)})"
        score = limited
    way_zh = "超出" if surplus >= 0 else "低于"
    way_en = "above" if surplus >= 0 else "below"
    sign = f"{side.points:+g}"
    zh = f"{head_zh}:{way_zh} {steps} 个 {fmt(side.per, unit)},每个 {sign} → {fmt(score)}{stopped}"
    en = f"{head_en}: {steps} × {fmt(side.per, unit)} {way_en}, {sign} each → {fmt(score)}"
    return Outcome(score, ctx.value, text(zh, en + stopped))
