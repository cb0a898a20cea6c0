"""Scorecard validation: findings with file, line, column and field path."""

from cskpi.scoring.validation.check import check_scorecard, check_text
from cskpi.scoring.validation.finding import Finding
from cskpi.scoring.validation.rules import RULES

__all__ = ["RULES", "Finding", "check_scorecard", "check_text"]
