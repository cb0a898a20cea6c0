"""What the scorecards read that a demo month must carry: manual scores, adjustment kinds and
targets, derived from the scorecards themselves (by default the shipped templates), so a new
template's manual items, kinds and targeted metrics get demo data without touching the
generator.

Groups are the demo's three skill groups (0 售前/presales, 1 售后/aftersales, 2 VIP/vip); a
need lists the groups whose agents some scorecard scores on it (its `applies_to`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from cskpi.demo import vocab
from cskpi.scoring import list_templates, load_scorecard
from cskpi.scoring.models.references import ReferenceSpec, TargetReference
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
from cskpi.scoring.models.scorecard import AppliesTo, Scorecard
from cskpi.scoring.rules.composite import SUB_SCALE
from cskpi.scoring.rules.manual import kinds as manual_kinds

ALL_GROUPS = frozenset(range(len(vocab.GROUPS)))

# How a kind's rows are entered: occurrences in `count`, money in `points` (summed), or a
# figure in `points` (the latest row counts, e.g. traffic achievement 0.985).
COUNT, MONEY, FIGURE = "count", "money", "figure"


@dataclass(frozen=True)
class ManualNeed:
    """A manual item: the supervisor's score and the agent's self score beside it."""

    kind: str
    self_kind: str
    label: str
    scale: float  # the smallest scale any reader scores it on (valid for every reader)
    scales: frozenset[float]  # more than one: two scorecards read one kind on other scales
    groups: frozenset[int]
    readers: tuple[str, ...]  # "scorecard:item"


@dataclass(frozen=True)
class KindNeed:
    """An adjustment kind some scorecard reads."""

    kind: str
    label: str
    how: str  # COUNT, MONEY or FIGURE
    groups: frozenset[int]


@dataclass(frozen=True)
class Needs:
    manual: tuple[ManualNeed, ...]
    kinds: tuple[KindNeed, ...]
    target_metrics: tuple[str, ...]  # metrics some rule compares with a target

    @property
    def collisions(self) -> tuple[ManualNeed, ...]:
        """Manual kinds read on different scales by different scorecards."""
        return tuple(m for m in self.manual if len(m.scales) > 1)


def groups_of(applies: AppliesTo) -> frozenset[int]:
    """Demo groups a scorecard's population takes (listed agents are not demo agents)."""
    if not applies.roles and not applies.groups:
        return frozenset() if applies.agents else ALL_GROUPS
    return frozenset(
        g
        for g in ALL_GROUPS
        if (not applies.roles or vocab.ROLES[g] in applies.roles)
        and (not applies.groups or vocab.GROUPS[g] in applies.groups)
    )


def _target_metrics(ref: ReferenceSpec | None, metric: str | None) -> Iterator[str]:
    while ref is not None:
        if isinstance(ref, TargetReference) and (ref.metric or metric):
            yield ref.metric or metric  # type: ignore[misc]
        ref = ref.fallback


def _rule_targets(rule: Rule, metric: str | None) -> Iterator[str]:
    if isinstance(rule, GatedLinearRule):
        yield from _target_metrics(rule.target, metric)
    elif isinstance(rule, StepsRule | RelativeRule | BonusRule):
        yield from _target_metrics(rule.reference, metric)
    elif isinstance(rule, CompositeRule):
        for sub in rule.items:
            yield from _rule_targets(sub.rule, sub.metric)


def _rule_kinds(rule: Rule) -> Iterator[tuple[str, str]]:
    """(kind, zh label) of counted kinds a rule reads."""
    if isinstance(rule, DeductionsRule):
        for line in rule.lines:
            if line.kind:
                yield line.kind, line.label.zh
    elif isinstance(rule, CompositeRule):
        for sub in rule.items:
            yield from _rule_kinds(sub.rule)
            if isinstance(sub.rule, BonusRule) and sub.rule.kind:
                yield sub.rule.kind, sub.label.zh


def _manual(
    rule: Rule, key: str, label: str, scale: float
) -> Iterator[tuple[str, str, tuple[str, str], float]]:
    """(key, zh label, (supervisor kind, self kind), scale) of manual items and parts."""
    if isinstance(rule, ManualRule):
        yield key, label, manual_kinds(rule, key), scale
    elif isinstance(rule, CompositeRule):
        for sub in rule.items:
            yield from _manual(sub.rule, f"{key}.{sub.key}", sub.label.zh, SUB_SCALE)


def needs_of(cards: Iterable[Scorecard]) -> Needs:
    """Manual items, adjustment kinds and targeted metrics of ``cards``."""
    manual: dict[str, dict] = {}
    kinds: dict[str, dict] = {}
    targets: dict[str, None] = {}

    def kind(name: str, label: str, how: str, groups: frozenset[int]) -> None:
        entry = kinds.setdefault(name, {"label": label, "how": how, "groups": frozenset()})
        if how != COUNT:
            entry["how"] = how
        entry["groups"] |= groups

    for card in cards:
        groups = groups_of(card.applies_to)
        for item in card.items:
            for key, label, (sup, own), scale in _manual(
                item.rule, item.key, item.label.zh, float(item.scale)
            ):
                m = manual.setdefault(
                    sup,
                    {
                        "self": own,
                        "label": label,
                        "scales": set(),
                        "groups": frozenset(),
                        "readers": [],
                    },
                )
                m["scales"].add(scale)
                m["groups"] |= groups
                m["readers"].append(f"{card.name}:{key}")
            if item.entry:
                kind(item.entry, item.label.zh, FIGURE, groups)
            for name, label in _rule_kinds(item.rule):
                kind(name, label, COUNT, groups)
            for metric in _rule_targets(item.rule, item.metric):
                targets[metric] = None
        for bonus in card.bonus:
            if bonus.rule.kind:
                kind(bonus.rule.kind, bonus.label.zh, COUNT, groups)
            for metric in _rule_targets(bonus.rule, bonus.metric):
                targets[metric] = None
        for line in card.penalties:
            if line.kind:
                kind(line.kind, line.label.zh, COUNT, groups)
        plan = card.pay.commission if card.pay else None
        if plan is not None:
            for bounty in plan.bounties:
                kind(bounty.kind, bounty.label.zh, COUNT, groups)
            if plan.deposit_shortfall_kind:
                kind(plan.deposit_shortfall_kind, "定金不足扣款", MONEY, groups)
        for name in card.adjustment_kinds:
            kind(name, name, COUNT, groups)
    return Needs(
        manual=tuple(
            ManualNeed(
                kind=sup,
                self_kind=m["self"],
                label=m["label"],
                scale=min(m["scales"]),
                scales=frozenset(m["scales"]),
                groups=m["groups"],
                readers=tuple(m["readers"]),
            )
            for sup, m in sorted(manual.items())
        ),
        kinds=tuple(
            KindNeed(kind=k, label=v["label"], how=v["how"], groups=v["groups"])
            for k, v in sorted(kinds.items())
        ),
        target_metrics=tuple(sorted(targets)),
    )


@cache
def template_needs() -> Needs:
    """Needs of the shipped templates (loaded once per process)."""
    return needs_of(load_scorecard(name) for name in list_templates())
