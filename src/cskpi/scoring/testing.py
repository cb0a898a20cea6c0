"""Small builders for hand-made scoring inputs (tests, examples, what-if sketches)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import yaml

from cskpi.scoring.frame_inputs import ADJUSTMENT_COLUMNS, TARGET_COLUMNS, FrameInputs
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.periods import bounds

AGENT_DEFAULTS = {"group": "G1", "team": "T1", "role": "presales", "level": "junior"}


def agent_rows(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Agent-level figures; group/team/role/level default to one presales team."""
    return pd.DataFrame([{**AGENT_DEFAULTS, **row} for row in rows])


def adjustment_rows(rows: Iterable[Mapping[str, Any]], period: str = "2026-10") -> pd.DataFrame:
    """Adjustments; count defaults to 1, date to the first day of ``period``."""
    first = bounds(period)[0].isoformat()
    base = {"date": first, "count": 1, "points": None, "reason": "test", "entered_by": "s"}
    return pd.DataFrame([{**base, **row} for row in rows], columns=list(ADJUSTMENT_COLUMNS))


def target_rows(rows: Iterable[Mapping[str, Any]], period: str = "2026-10") -> pd.DataFrame:
    return pd.DataFrame([{"period": period, **row} for row in rows], columns=list(TARGET_COLUMNS))


def inputs(
    agents: Iterable[Mapping[str, Any]],
    period: str = "2026-10",
    adjustments: Iterable[Mapping[str, Any]] = (),
    targets: Iterable[Mapping[str, Any]] = (),
    pooled: Mapping[tuple[str, str], Iterable[Mapping[str, Any]]] | None = None,
    history: Mapping[str, list[dict]] | None = None,
    other_periods: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
) -> FrameInputs:
    """A FrameInputs for one period (plus optional other periods' agent figures)."""
    figures = {period: agent_rows(agents)}
    for other, rows in (other_periods or {}).items():
        figures[other] = agent_rows(rows)
    return FrameInputs(
        agent_figures=figures,
        pooled={key: pd.DataFrame(list(rows)) for key, rows in (pooled or {}).items()},
        adjustment_rows=adjustment_rows(adjustments, period),
        target_rows=target_rows(targets, period),
        history=dict(history or {}),
    )


def scorecard(text: str) -> Scorecard:
    """A scorecard from inline YAML (no validation beyond the models)."""
    return Scorecard.model_validate(yaml.safe_load(text))
