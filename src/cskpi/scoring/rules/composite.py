"""``composite``: sub-items scored by their own rules, weighted within the item."""

from __future__ import annotations

from dataclasses import replace

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.enums import MissingPolicy
from cskpi.scoring.models.rules import CompositeRule, SubItem
from cskpi.scoring.rules.context import EvalContext, Outcome, missing
from cskpi.scoring.rules.limits import limit

SUB_SCALE = 100.0


def evaluate(rule: CompositeRule, ctx: EvalContext) -> Outcome:
    from cskpi.scoring.rules import evaluate as evaluate_rule  # dispatch table imports us

    weighted = 0.0
    present = 0.0
    parts_zh: list[str] = []
    parts_en: list[str] = []
    for sub in rule.items:
        outcome = evaluate_rule(sub.rule, _sub_context(sub, ctx))
        score = outcome.score
        if score is None:
            if (sub.missing or ctx.missing) is MissingPolicy.EXCLUDE_REWEIGHT:
                parts_zh.append(f"{sub.label.zh} 缺失(不计)")
                parts_en.append(f"{sub.label.en} missing (excluded)")
                continue
            score = 0.0
        score = limit(score, sub.floor, sub.cap)
        weighted += score * sub.weight
        present += sub.weight
        parts_zh.append(f"{sub.label.zh} {fmt(score)}×{fmt(sub.weight)}%({outcome.rule.zh})")
        parts_en.append(f"{sub.label.en} {fmt(score)}×{fmt(sub.weight)}% ({outcome.rule.en})")
    if present == 0:
        return missing(None, "全部子项缺失", "all parts missing")
    score = weighted / present / SUB_SCALE * ctx.scale
    return Outcome(
        score,
        None,
        text("; ".join(parts_zh) + f" → {fmt(score)}", "; ".join(parts_en) + f" → {fmt(score)}"),
    )


def _sub_context(sub: SubItem, ctx: EvalContext) -> EvalContext:
    value = ctx.figure(sub.metric) if sub.metric else None
    return replace(
        ctx,
        key=f"{ctx.key}.{sub.key}",
        metric=sub.metric,
        value=value,
        scale=SUB_SCALE,
        unit=sub.unit,
        missing=sub.missing or ctx.missing,
    )
