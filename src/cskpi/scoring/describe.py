"""Rules in words, Chinese and English, for the explainable ``rule`` field of each item."""

from __future__ import annotations

import math

from cskpi.scoring.enums import Unit
from cskpi.scoring.models.bands import Interval
from cskpi.scoring.models.base import Text


def fmt(value: float | None, unit: Unit = Unit.NUMBER) -> str:
    """A figure as a person reads it: 0.98 in percent is "98%", 15.0 seconds is "15s"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if unit is Unit.PERCENT:
        return f"{_num(value * 100)}%"
    suffix = {Unit.SECONDS: "s", Unit.MINUTES: "min", Unit.HOURS: "h"}.get(unit, "")
    return f"{_num(value)}{suffix}"


def _num(value: float) -> str:
    rounded = round(value, 2)
    return f"{int(rounded)}" if rounded == int(rounded) else f"{rounded:g}"


def interval(band: Interval, unit: Unit = Unit.NUMBER, name: str = "x") -> str:
    """ "15s < x < 22s", "x ≥ 60%", "any"."""
    low = None if math.isinf(band.lower) else fmt(band.lower, unit)
    high = None if math.isinf(band.upper) else fmt(band.upper, unit)
    low_op = "≤" if band.lower_inclusive else "<"
    high_op = "≤" if band.upper_inclusive else "<"
    if low is not None and high is not None:
        return f"{low} {low_op} {name} {high_op} {high}"
    if low is not None:
        return f"{name} {'≥' if band.lower_inclusive else '>'} {low}"
    if high is not None:
        return f"{name} {high_op} {high}"
    return name


def text(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)
