"""``deductions``: full marks minus counted faults beyond each line's free allowance."""

from __future__ import annotations

from cskpi.scoring.describe import fmt, text
from cskpi.scoring.models.rules import DeductionLine, DeductionsRule
from cskpi.scoring.numbers import clean
from cskpi.scoring.rules.context import EvalContext, Outcome, missing


def occurrences(line: DeductionLine, ctx: EvalContext) -> float | None:
    """Adjustment count plus metric counts; None when the line's metrics are all undefined
    (e.g. no attendance data imported), which must not read as "no faults"."""
    total = ctx.count(line.kind) if line.kind else 0.0
    if line.metrics:
        figures = [clean(ctx.agent.get(m)) for m in line.metrics]
        known = [f for f in figures if f is not None]
        if not known:
            return None
        total += sum(known)
    return total


def evaluate(rule: DeductionsRule, ctx: EvalContext) -> Outcome:
    start = ctx.scale if rule.start is None else rule.start
    deducted = 0.0
    counted = 0.0
    parts_zh: list[str] = []
    parts_en: list[str] = []
    for line in rule.lines:
        occurred = occurrences(line, ctx)
        if occurred is None:
            return missing(None, f"{line.label.zh}:无数据", f"{line.label.en}: no figure")
        counted += occurred
        charged = max(0.0, occurred - line.allowance)
        if occurred == 0:
            continue
        minus = charged * line.points
        deducted += minus
        free = f",免 {fmt(line.allowance)} 次" if line.allowance else ""
        free_en = f", {fmt(line.allowance)} free" if line.allowance else ""
        parts_zh.append(f"{line.label.zh} {fmt(occurred)} 次{free} → −{fmt(minus)}")
        parts_en.append(f"{line.label.en} ×{fmt(occurred)}{free_en} → −{fmt(minus)}")
    score = max(rule.floor, start - deducted)
    if not parts_zh:
        return Outcome(
            score, counted, text(f"无扣分 → {fmt(score)}", f"no deductions → {fmt(score)}")
        )
    stop_zh = f",扣完为止 {fmt(rule.floor)}" if start - deducted < rule.floor else ""
    stop_en = f", stops at {fmt(rule.floor)}" if stop_zh else ""
    zh = f"{fmt(start)} − " + ";".join(parts_zh) + f" → {fmt(score)}{stop_zh}"
    en = f"{fmt(start)} − " + "; ".join(parts_en) + f" → {fmt(score)}{stop_en}"
    return Outcome(score, counted, text(zh, en))
