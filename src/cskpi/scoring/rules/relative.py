"""``relative``: figure ÷ reference (reference ÷ figure when lower is better) mapped to a score."""

from __future__ import annotations

import math

from cskpi.scoring.describe import fmt, interval, text
from cskpi.scoring.enums import Direction, Mapping, Unit
from cskpi.scoring.models.rules import RelativeRule
from cskpi.scoring.rules.context import EvalContext, Outcome, missing
from cskpi.scoring.rules.tiers import band_for


def ratio_of(value: float, ref: float, direction: Direction) -> float | None:
    """How many times better than the reference; None when it cannot be formed."""
    if direction is Direction.HIGHER:
        return None if ref == 0 else value / ref
    if value == 0:
        # Zero refunds against any positive average is as good as it gets.
        return math.inf if ref > 0 else 1.0
    return ref / value


def evaluate(rule: RelativeRule, ctx: EvalContext) -> Outcome:
    if ctx.value is None:
        return missing(None, "无数据", "no figure")
    ref, ref_name = ctx.references.resolve(rule.reference, ctx.agent, ctx.metric)
    if ref is None:
        return missing(ctx.value, "无参照值", "no reference")
    ratio = ratio_of(ctx.value, ref, rule.direction)
    if ratio is None:
        return missing(ctx.value, "参照值为 0", "reference is 0")
    head_zh = f"{fmt(ctx.value, ctx.unit)} 对 {ref_name.zh} {fmt(ref, ctx.unit)}"
    head_en = f"{fmt(ctx.value, ctx.unit)} vs {ref_name.en} {fmt(ref, ctx.unit)}"
    if rule.mapping is Mapping.TIERS:
        band = band_for(rule.bands or (), ratio)
        if band is None:
            return missing(ctx.value, "比值不在任何档位", "ratio in no band")
        words = interval(band, Unit.PERCENT, "R")
        score = band.score
        tail_zh = tail_en = f"{words} → {fmt(score)}"
    else:
        score = rule.at_reference * ratio if math.isfinite(ratio) else math.inf
        tail_zh = tail_en = f"R = {fmt(ratio, Unit.PERCENT)} → {fmt(score)}"
    if rule.cap is not None and score > rule.cap:
        score = rule.cap
        tail_zh += f",封顶 {fmt(rule.cap)}"
        tail_en += f", capped at {fmt(rule.cap)}"
    if math.isinf(score):
        score = rule.at_reference  # no cap given: a perfect zero scores as meeting the reference
    return Outcome(score, ctx.value, text(f"{head_zh}:{tail_zh}", f"{head_en}: {tail_en}"))
