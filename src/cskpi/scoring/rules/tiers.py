"""``tiers``: the band that holds the figure gives the score."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, interval, text
from cskpi.scoring.models.rules import Band, TiersRule
from cskpi.scoring.rules.context import EvalContext, Outcome, missing


def band_for(bands: tuple[Band, ...], value: float) -> Band | None:
    return next((band for band in bands if band.contains(value)), None)


def evaluate(rule: TiersRule, ctx: EvalContext) -> Outcome:
    if ctx.value is None:
        return missing(None, "无数据", "no figure")
    band = band_for(rule.bands, ctx.value)
    if band is None:
        return missing(ctx.value, f"{fmt(ctx.value, ctx.unit)} 不在任何档位", "in no band")
    words = interval(band, ctx.unit)
    score = fmt(band.score)
    value = fmt(ctx.value, ctx.unit)
    return Outcome(
        score=band.score,
        value=ctx.value,
        rule=text(f"{value}:{words} → {score}分", f"{value}: {words} → {score}"),
    )
