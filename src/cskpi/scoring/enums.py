"""Closed vocabularies of the scorecard format.

Every choice a scorecard file can make is an enum member here, so the JSON Schema lists the
allowed values and validation can say exactly what is allowed.
"""

from __future__ import annotations

from enum import StrEnum


class RuleType(StrEnum):
    """How an item turns a figure (or entries) into a score."""

    TIERS = "tiers"
    GATED_LINEAR = "gated_linear"
    STEPS = "steps"
    RELATIVE = "relative"
    DEDUCTIONS = "deductions"
    MANUAL = "manual"
    BONUS = "bonus"
    COMPOSITE = "composite"


class Direction(StrEnum):
    """Which way a figure is better."""

    HIGHER = "higher"
    LOWER = "lower"


class MissingPolicy(StrEnum):
    """What happens to an item whose figure is undefined (never a silent 0)."""

    EXCLUDE_REWEIGHT = "exclude_reweight"
    SCORE_ZERO = "score_zero"


class Grain(StrEnum):
    """Assessment cycle length."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class ReferenceType(StrEnum):
    """Where the value an item is compared with comes from."""

    TARGET = "target"
    AVERAGE = "average"
    FIXED = "fixed"


class Scope(StrEnum):
    """Population a reference average is taken over."""

    TEAM = "team"
    GROUP = "group"
    CENTER = "center"


class Statistic(StrEnum):
    """How an average over a population is formed.

    ``pooled`` asks the KPI engine for the figure of the whole team/group/center (ratios from
    summed numerators and denominators); ``agent_mean`` is the plain mean of the agents' own
    figures, which is what "the average agent's reception volume" means for counts.
    """

    POOLED = "pooled"
    AGENT_MEAN = "agent_mean"


class Compare(StrEnum):
    """How a surplus or shortfall against a reference is measured for ``steps``."""

    DIFFERENCE = "difference"  # in the figure's own unit, e.g. percentage points
    RATIO = "ratio"  # as a share of the reference, e.g. "each 10% below"


class Mapping(StrEnum):
    """How ``relative`` maps figure ÷ reference to a score."""

    PROPORTIONAL = "proportional"
    TIERS = "tiers"


class Unit(StrEnum):
    """Display unit of a figure (formatting of rule text only)."""

    NUMBER = "number"
    PERCENT = "percent"  # figures are fractions, 0.98 shown as 98%
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    CURRENCY = "currency"
    COUNT = "count"


class Level(StrEnum):
    """Agent level (contract ``agents.level``)."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


class Severity(StrEnum):
    """Finding severity."""

    ERROR = "error"
    WARNING = "warning"
