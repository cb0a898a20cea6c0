"""Scoring: scorecards as data, validated with line numbers, scored by a step pipeline.

Public API::

    load_scorecard(name_or_path) -> Scorecard
    list_templates() -> list[str]; describe_templates() -> list[dict]
    new_scorecard_text(template, name) -> str   (YAML for ``scorecard new``)
    check_scorecard(path) -> list[Finding]
    score(scorecard, inputs, period, agents=None) -> list[AgentResult]
    compare(results_a, results_b) -> list[dict]
"""

from cskpi.scoring.engine import compare, score
from cskpi.scoring.frame_inputs import FrameInputs
from cskpi.scoring.inputs import ScoringInputs
from cskpi.scoring.loader import (
    ScorecardError,
    describe_templates,
    list_templates,
    load_scorecard,
    new_scorecard_text,
    template_path,
)
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.results import AgentResult, ItemResult, PeriodWarning
from cskpi.scoring.validation import Finding, check_scorecard, check_text

__all__ = [
    "AgentResult",
    "Finding",
    "FrameInputs",
    "ItemResult",
    "PeriodWarning",
    "Scorecard",
    "ScorecardError",
    "ScoringInputs",
    "check_scorecard",
    "check_text",
    "compare",
    "describe_templates",
    "list_templates",
    "load_scorecard",
    "new_scorecard_text",
    "score",
    "template_path",
]
