"""Resolving a reference (target, peer average, fixed) to a number for one agent."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pandas as pd

from cskpi.scoring.enums import Scope, Statistic
from cskpi.scoring.inputs import ScoringInputs
from cskpi.scoring.models.base import Text
from cskpi.scoring.models.references import (
    AverageReference,
    FixedReference,
    ReferenceSpec,
    TargetReference,
)
from cskpi.scoring.numbers import clean

_SCOPE_ZH = {Scope.TEAM: "团队", Scope.GROUP: "技能组", Scope.CENTER: "全中心"}


class References:
    """Looks references up for agents; pooled frames are fetched once per scope and cached.

    ``population`` is every agent the scorecard applies to (not only the agents being scored),
    so scoring a subset for a what-if never moves the averages.
    """

    def __init__(
        self,
        inputs: ScoringInputs,
        period: str,
        population: pd.DataFrame,
        targets: pd.DataFrame,
        metrics: list[str],
    ) -> None:
        self._inputs = inputs
        self._period = period
        self._population = population
        self._targets = targets
        self._metrics = metrics
        self._pooled: dict[Scope, pd.DataFrame] = {}
        self._pooled_rows_cache: dict[Scope, dict[Any, dict[str, Any]]] = {}
        self._means: dict[tuple[Scope, str], dict[Any, float | None]] = {}
        self._figure_of: Scope | None = None

    def for_figure(self, scope: Scope | None) -> References:
        """The references of an item that scores the pooled figure of the agent's team,
        group or center (``figure_of``): its targets are looked up at that scope first. The
        view shares this object's caches."""
        if scope is None or scope is self._figure_of:
            return self
        view = copy.copy(self)
        view._figure_of = scope
        return view

    def resolve(
        self, ref: ReferenceSpec, agent: Mapping[str, Any], metric: str | None
    ) -> tuple[float | None, Text]:
        """Value of ``ref`` for ``agent`` and words naming it; falls back when undefined."""
        if isinstance(ref, FixedReference):
            value, name = ref.value, Text(zh="设定值", en="set value")
        elif isinstance(ref, TargetReference):
            value = self.target(ref.metric or metric, agent)
            name = Text(zh="目标", en="target")
        else:
            value = self._average(ref, agent, ref.metric or metric)
            scope_zh = _SCOPE_ZH[ref.over]
            name = Text(zh=f"{scope_zh}平均", en=f"{ref.over.value} average")
        if value is None and ref.fallback is not None:
            return self.resolve(ref.fallback, agent, metric)
        return value, name

    def target(self, metric: str | None, agent: Mapping[str, Any]) -> float | None:
        """The most specific target row: agent, then group, then team, then center.

        For a pooled figure (``for_figure``) the figure's own scope comes first: a team's
        sales are compared with the team's target (``team:<name>``), not with one agent's;
        the usual order follows as the fallback.
        """
        if metric is None or self._targets.empty:
            return None
        rows = self._targets[self._targets["metric"] == metric]
        scopes = [
            f"agent:{agent.get('agent_id')}",
            f"group:{agent.get('group')}",
            f"team:{agent.get('team')}",
            "center",
        ]
        if self._figure_of is not None:
            own = (
                "center"
                if self._figure_of is Scope.CENTER
                else f"{self._figure_of.value}:{agent.get(self._figure_of.value)}"
            )
            scopes = [own, *(s for s in scopes if s != own)]
        for scope in scopes:
            match = rows[rows["scope"] == scope]
            if not match.empty:
                return clean(pd.to_numeric(match["target"], errors="coerce").iloc[-1])
        return None

    def pooled(self, scope: Scope, agent: Mapping[str, Any], metric: str) -> float | None:
        """The KPI engine's figure for the agent's whole team, group or the center."""
        rows = self._pooled_rows(scope)
        key = None if scope is Scope.CENTER else agent.get(scope.value)
        return clean(rows.get(key, {}).get(metric))

    def _average(
        self, ref: AverageReference, agent: Mapping[str, Any], metric: str | None
    ) -> float | None:
        if metric is None:
            return None
        if ref.statistic is Statistic.POOLED:
            return self.pooled(ref.over, agent, metric)
        means = self._agent_means(ref.over, metric)
        return means.get(None if ref.over is Scope.CENTER else agent.get(ref.over.value))

    def _agent_means(self, scope: Scope, metric: str) -> dict[Any, float | None]:
        """Plain mean of the population's figures per team/group (or one center value)."""
        cache_key = (scope, metric)
        if cache_key not in self._means:
            frame = self._population
            if metric not in frame.columns:
                self._means[cache_key] = {}
            elif scope is Scope.CENTER:
                values = pd.to_numeric(frame[metric], errors="coerce")
                self._means[cache_key] = {None: clean(values.mean())}
            else:
                values = pd.to_numeric(frame[metric], errors="coerce")
                grouped = values.groupby(frame[scope.value].astype(object)).mean()
                self._means[cache_key] = {k: clean(v) for k, v in grouped.items()}
        return self._means[cache_key]

    def _pooled_rows(self, scope: Scope) -> dict[Any, dict[str, Any]]:
        """Pooled figures by team/group name (center: the single row under None)."""
        if scope not in self._pooled_rows_cache:
            frame = self._pooled_frame(scope)
            records = frame.to_dict("records")
            if scope is Scope.CENTER:
                rows = {None: records[0]} if records else {}
            else:
                rows = {r.get(scope.value): r for r in records}
            self._pooled_rows_cache[scope] = rows
        return self._pooled_rows_cache[scope]

    def _pooled_frame(self, scope: Scope) -> pd.DataFrame:
        if scope not in self._pooled:
            by = [] if scope is Scope.CENTER else [scope.value]
            self._pooled[scope] = self._inputs.figures(by, self._period, self._metrics)
        return self._pooled[scope]
