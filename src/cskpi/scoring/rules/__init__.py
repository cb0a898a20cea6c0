"""Rule evaluation, one module per rule kind; :data:`EVALUATORS` covers every RuleType."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cskpi.scoring.enums import RuleType
from cskpi.scoring.models.rules import Rule
from cskpi.scoring.rules import (
    bonus,
    composite,
    deductions,
    gated_linear,
    manual,
    relative,
    steps,
    tiers,
)
from cskpi.scoring.rules.context import EvalContext, Outcome

EVALUATORS: dict[RuleType, Callable[[Any, EvalContext], Outcome]] = {
    RuleType.TIERS: tiers.evaluate,
    RuleType.GATED_LINEAR: gated_linear.evaluate,
    RuleType.STEPS: steps.evaluate,
    RuleType.RELATIVE: relative.evaluate,
    RuleType.DEDUCTIONS: deductions.evaluate,
    RuleType.MANUAL: manual.evaluate,
    RuleType.BONUS: bonus.evaluate,
    RuleType.COMPOSITE: composite.evaluate,
}


def evaluate(rule: Rule, ctx: EvalContext) -> Outcome:
    """Score ``ctx`` by ``rule``."""
    return EVALUATORS[RuleType(rule.type)](rule, ctx)


__all__ = ["EVALUATORS", "EvalContext", "Outcome", "evaluate"]
