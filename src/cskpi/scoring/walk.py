"""Where a scorecard names metrics and adjustment kinds, with the path of each mention.

Used by the engine (which figures to ask for) and by validation (unknown keys, with lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from cskpi.scoring.models.references import AverageReference, ReferenceSpec, TargetReference
from cskpi.scoring.models.rules import (
    BonusRule,
    CompositeRule,
    DeductionsRule,
    GatedLinearRule,
    ManualRule,
    RelativeRule,
    Rule,
    StepsRule,
)
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.rules.manual import kinds as manual_kinds
from cskpi.scoring.yaml_loader import Path


def metric_refs(card: Scorecard) -> Iterator[tuple[Path, str]]:
    """Every metric key the scorecard uses."""
    for i, item in enumerate(card.items):
        path: Path = ("items", i)
        if item.metric:
            yield (*path, "metric"), item.metric
        yield from _rule_metrics(item.rule, (*path, "rule"))
    for i, line in enumerate(card.penalties):
        for j, metric in enumerate(line.metrics):
            yield ("penalties", i, "metrics", j), metric
    for i, bonus in enumerate(card.bonus):
        if bonus.metric:
            yield ("bonus", i, "metric"), bonus.metric
        yield from _rule_metrics(bonus.rule, ("bonus", i, "rule"))
    pay = card.pay
    if pay and pay.ranking_pool:
        yield ("pay", "ranking_pool", "metric"), pay.ranking_pool.metric
        yield ("pay", "ranking_pool", "tie_break"), pay.ranking_pool.tie_break
    if pay and pay.commission:
        plan = pay.commission
        if plan.sales_rate:
            yield ("pay", "commission", "sales_metric"), plan.sales_metric
        if plan.per_lead:
            yield ("pay", "commission", "leads_metric"), plan.leads_metric
        if plan.per_missing_minute:
            yield ("pay", "commission", "call_metric"), plan.call_metric
    across = card.across_periods
    if across and across.no_sales_metric:
        yield ("across_periods", "no_sales_metric"), across.no_sales_metric


def _rule_metrics(rule: Rule, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(rule, GatedLinearRule):
        yield from _reference_metrics(rule.target, (*path, "target"))
    elif isinstance(rule, StepsRule | RelativeRule) or (
        isinstance(rule, BonusRule) and rule.reference is not None
    ):
        yield from _reference_metrics(rule.reference, (*path, "reference"))
    elif isinstance(rule, DeductionsRule):
        for i, line in enumerate(rule.lines):
            for j, metric in enumerate(line.metrics):
                yield (*path, "lines", i, "metrics", j), metric
    elif isinstance(rule, CompositeRule):
        for i, sub in enumerate(rule.items):
            if sub.metric:
                yield (*path, "items", i, "metric"), sub.metric
            yield from _rule_metrics(sub.rule, (*path, "items", i, "rule"))


def _reference_metrics(ref: ReferenceSpec, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(ref, TargetReference | AverageReference) and ref.metric:
        yield (*path, "metric"), ref.metric
    if ref.fallback is not None:
        yield from _reference_metrics(ref.fallback, (*path, "fallback"))


def kind_refs(card: Scorecard) -> Iterator[tuple[Path, str]]:
    """Every adjustment kind the scorecard reads (manual items' implied kinds excluded:
    ``supervisor.<key>`` / ``self.<key>`` are the contract's own pattern)."""
    for i, item in enumerate(card.items):
        if item.entry:
            yield ("items", i, "entry"), item.entry
        yield from _rule_kinds(item.rule, ("items", i, "rule"))
    for i, line in enumerate(card.penalties):
        if line.kind:
            yield ("penalties", i, "kind"), line.kind
    for i, bonus in enumerate(card.bonus):
        yield from _rule_kinds(bonus.rule, ("bonus", i, "rule"))
    if card.pay and card.pay.commission:
        for i, bounty in enumerate(card.pay.commission.bounties):
            yield ("pay", "commission", "bounties", i, "kind"), bounty.kind
        if card.pay.commission.deposit_shortfall_kind:
            path: Path = ("pay", "commission", "deposit_shortfall_kind")
            yield path, card.pay.commission.deposit_shortfall_kind


def _rule_kinds(rule: Rule, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(rule, DeductionsRule):
        for i, line in enumerate(rule.lines):
            if line.kind:
                yield (*path, "lines", i, "kind"), line.kind
    elif isinstance(rule, BonusRule) and rule.kind:
        yield (*path, "kind"), rule.kind
    elif isinstance(rule, ManualRule):
        for field, kind in (("kind", rule.kind), ("self_kind", rule.self_kind)):
            if kind:
                yield (*path, field), kind
    elif isinstance(rule, CompositeRule):
        for i, sub in enumerate(rule.items):
            yield from _rule_kinds(sub.rule, (*path, "items", i, "rule"))


def used_metrics(card: Scorecard) -> list[str]:
    """Distinct metric keys in first-mention order."""
    return list(dict.fromkeys(metric for _, metric in metric_refs(card)))


__all__ = ["kind_refs", "manual_kinds", "metric_refs", "used_metrics"]
