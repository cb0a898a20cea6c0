"""``gated_linear``: R = actual ÷ target; below the gate 0, else factor × R up to the cap."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.enums import Unit
from cskpi.scoring.models.rules import GatedLinearRule
from cskpi.scoring.rules.context import EvalContext, Outcome, missing


def evaluate(rule: GatedLinearRule, ctx: EvalContext) -> Outcome:
    if ctx.value is None:
        return missing(None, "无数据", "no figure")
    target, _ = ctx.references.resolve(rule.target, ctx.agent, ctx.metric)
    if target is None or target == 0:
        return missing(ctx.value, "无目标值", "no target")
    ratio = ctx.value / target
    r = fmt(ratio, Unit.PERCENT)
    gate = fmt(rule.gate, Unit.PERCENT)
    if ratio < rule.gate:
        return Outcome(0.0, ctx.value, text(f"R = {r} < {gate} → 0分", f"R = {r} < {gate} → 0"))
    score = rule.factor * ratio
    zh = f"R = {r} ≥ {gate} → {fmt(rule.factor)} × R = {fmt(score)}"
    en = zh
    if rule.cap is not None and score > rule.cap:
        score = rule.cap
        zh += f",封顶 {fmt(rule.cap)}"
        en += f", capped at {fmt(rule.cap)}"
    return Outcome(score, ctx.value, text(zh, en))
