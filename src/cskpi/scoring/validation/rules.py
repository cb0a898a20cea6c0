"""Validation rules over a parsed scorecard; each is a small class yielding issues."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol

from cskpi.scoring.adjustment_kinds import is_known
from cskpi.scoring.describe import fmt, interval
from cskpi.scoring.enums import Direction, Severity, Unit
from cskpi.scoring.metric_keys import metric_keys
from cskpi.scoring.models.bands import Interval
from cskpi.scoring.models.rules import (
    BonusRule,
    CompositeRule,
    GatedLinearRule,
    RelativeRule,
    Rule,
    StepsRule,
    TiersRule,
)
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.validation.finding import Issue
from cskpi.scoring.walk import kind_refs, metric_refs
from cskpi.scoring.yaml_loader import Path

WEIGHT_TOLERANCE = 1e-6


class ValidationRule(Protocol):
    name: ClassVar[str]

    def check(self, card: Scorecard) -> Iterator[Issue]: ...


def _rules(card: Scorecard) -> Iterator[tuple[Path, Rule, Unit]]:
    """Every rule with its path and the unit of the figure it scores, sub-rules included."""
    stack: list[tuple[Path, Rule, Unit]] = [
        (("items", i, "rule"), item.rule, item.unit) for i, item in enumerate(card.items)
    ]
    stack += [(("bonus", i, "rule"), b.rule, b.unit) for i, b in enumerate(card.bonus)]
    while stack:
        path, rule, unit = stack.pop(0)
        yield path, rule, unit
        if isinstance(rule, CompositeRule):
            stack += [
                ((*path, "items", i, "rule"), sub.rule, sub.unit)
                for i, sub in enumerate(rule.items)
            ]


class UnknownMetricKey:
    name = "unknown_metric_key"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        known = metric_keys()
        for path, key in metric_refs(card):
            if key not in known:
                yield Issue(
                    path,
                    f"未知指标 {key!r}",
                    f"unknown metric key {key!r}",
                    allowed="a key of metrics.md (metric_keys.txt), e.g. "
                    + ", ".join(sorted(known)[:8])
                    + ", …",
                )


class WeightsSumTo100:
    name = "weights_sum"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        total = sum(item.weight for item in card.items)
        if abs(total - 100) > WEIGHT_TOLERANCE:
            yield Issue(
                ("items",),
                f"权重合计 {fmt(total)},应为 100",
                f"item weights sum to {fmt(total)}, not 100",
                allowed="weights summing to 100",
            )
        for path, rule, _unit in _rules(card):
            if isinstance(rule, CompositeRule):
                sub = sum(s.weight for s in rule.items)
                if abs(sub - 100) > WEIGHT_TOLERANCE:
                    yield Issue(
                        (*path, "items"),
                        f"子项权重合计 {fmt(sub)},应为 100",
                        f"sub-item weights sum to {fmt(sub)}, not 100",
                        allowed="weights summing to 100",
                    )


def _touch(upper: Interval, lower: Interval, unit: Unit) -> tuple[str, str] | None:
    """How consecutive bands meet: None when exactly once, else (zh, en) of the problem."""
    where = fmt(upper.upper, unit)
    if upper.upper < lower.lower or (
        upper.upper == lower.lower and not upper.upper_inclusive and not lower.lower_inclusive
    ):
        return f"档位之间有空缺(在 {where} 附近)", f"gap between bands near {where}"
    if upper.upper > lower.lower or (upper.upper_inclusive and lower.lower_inclusive):
        return f"档位重叠(在 {where} 附近)", f"overlapping bands near {where}"
    return None


def band_issues(
    bands: Iterable[Interval], path: Path, whole_line: bool, unit: Unit = Unit.NUMBER
) -> Iterator[Issue]:
    """Overlaps and gaps between bands; ``whole_line`` also demands open ends (a tier table
    must score every figure)."""
    ordered = sorted(enumerate(bands), key=lambda p: (p[1].lower, not p[1].lower_inclusive))
    for (_, low), (j, high) in itertools.pairwise(ordered):
        problem = _touch(low, high, unit)
        if problem:
            yield Issue(
                (*path, j), *problem, allowed="bands that meet exactly (e.g. lt: 22 / ge: 22)"
            )
    if whole_line and ordered:
        first, last = ordered[0], ordered[-1]
        if not math.isinf(first[1].lower):
            yield Issue(
                (*path, first[0]),
                f"低于 {fmt(first[1].lower, unit)} 的数值没有档位",
                f"no band below {fmt(first[1].lower, unit)}",
                allowed="a lowest band without gt/ge",
            )
        if not math.isinf(last[1].upper):
            yield Issue(
                (*path, last[0]),
                f"高于 {fmt(last[1].upper, unit)} 的数值没有档位",
                f"no band above {fmt(last[1].upper, unit)}",
                allowed="a highest band without lt/le",
            )


class TierCoverage:
    name = "tier_coverage"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        for path, rule, unit in _rules(card):
            if isinstance(rule, TiersRule):
                yield from band_issues(rule.bands, (*path, "bands"), True, unit)
            elif isinstance(rule, RelativeRule) and rule.bands:
                # bands on figure ÷ reference, always a share
                yield from band_issues(rule.bands, (*path, "bands"), True, Unit.PERCENT)
        yield from band_issues(card.grades, ("grades",), whole_line=False)


class TierDirection:
    name = "tier_direction"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        for path, rule, unit in _rules(card):
            if not isinstance(rule, TiersRule):
                continue
            ordered = sorted(enumerate(rule.bands), key=lambda p: p[1].lower)
            higher = rule.direction is Direction.HIGHER
            for (_, low), (j, high) in itertools.pairwise(ordered):
                wrong = high.score < low.score if higher else high.score > low.score
                if wrong:
                    better = "越高越好" if higher else "越低越好"
                    yield Issue(
                        (*path, "bands", j),
                        f"方向为 {rule.direction.value}({better}),但 {interval(high, unit)} 的得分 "
                        f"{fmt(high.score)} 与 {interval(low, unit)} 的 {fmt(low.score)} 相反",
                        f"direction is {rule.direction.value} but band {interval(high, unit)} "
                        f"scores {fmt(high.score)} against {fmt(low.score)} for "
                        f"{interval(low, unit)}",
                        allowed="scores that never get worse as the figure gets better",
                    )


_NEEDS_FIGURE = (TiersRule, GatedLinearRule, StepsRule, RelativeRule)


class MissingParameter:
    name = "missing_parameter"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        for i, item in enumerate(card.items):
            yield from self._figure(("items", i), item.rule, item.metric or item.entry)
            if isinstance(item.rule, CompositeRule):
                for j, sub in enumerate(item.rule.items):
                    yield from self._figure(("items", i, "rule", "items", j), sub.rule, sub.metric)
        for path, rule, _unit in _rules(card):
            if isinstance(rule, StepsRule) and rule.below is None and rule.above is None:
                yield Issue(
                    path,
                    "steps 规则需要 below 或 above",
                    "a steps rule needs 'below' or 'above'",
                    allowed="below: {per, points, limit}, above: {per, points, limit}",
                )
            if isinstance(rule, BonusRule):
                counted = rule.kind is not None and rule.points_each is not None
                compared = rule.reference is not None and bool(rule.conditions)
                if counted == compared:
                    yield Issue(
                        path,
                        "bonus 规则需要 kind + points_each,或 reference + conditions(二选一)",
                        "a bonus rule needs either kind + points_each or reference + conditions",
                        allowed="kind, points_each | reference, conditions",
                    )
        for i, bonus in enumerate(card.bonus):
            if bonus.rule.reference is not None and not bonus.metric:
                yield Issue(("bonus", i), "缺少 metric", "missing 'metric'", allowed="a metric key")

    @staticmethod
    def _figure(path: Path, rule: Rule, source: str | None) -> Iterator[Issue]:
        if isinstance(rule, _NEEDS_FIGURE) and not source:
            yield Issue(
                path,
                f"{rule.type} 规则需要 metric(或 entry)",
                f"a {rule.type} rule needs 'metric' (or 'entry')",
                allowed="metric: <metric key>",
            )


class UnknownAdjustmentKind:
    name = "unknown_adjustment_kind"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        for path, kind in kind_refs(card):
            if not is_known(kind, card.adjustment_kinds):
                yield Issue(
                    path,
                    f"未知调整类型 {kind!r}(可在 adjustment_kinds 中声明)",
                    f"unknown adjustment kind {kind!r} (declare it in adjustment_kinds)",
                    allowed="a standard kind of the data contract or one in adjustment_kinds",
                    severity=Severity.WARNING,
                )


class DuplicateItemKey:
    name = "duplicate_key"

    def check(self, card: Scorecard) -> Iterator[Issue]:
        seen: set[str] = set()
        keys = [(("items", i, "key"), it.key) for i, it in enumerate(card.items)]
        keys += [(("bonus", i, "key"), b.key) for i, b in enumerate(card.bonus)]
        for path, key in keys:
            if key in seen:
                yield Issue(path, f"重复的键 {key!r}", f"duplicate key {key!r}")
            seen.add(key)


RULES: tuple[ValidationRule, ...] = (
    UnknownMetricKey(),
    WeightsSumTo100(),
    TierCoverage(),
    TierDirection(),
    MissingParameter(),
    UnknownAdjustmentKind(),
    DuplicateItemKey(),
)
