"""Everything a monthly report shows, gathered once from the KPI and scoring engines.

The workbook and the document both render a :class:`ReportData`, so their figures are the
same numbers ``cskpi metrics`` and ``cskpi score`` print: nothing here computes a metric or a
score itself, it only calls :func:`cskpi.metrics.engine.compute` and
:func:`cskpi.scoring.score`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from cskpi.config import Config
from cskpi.i18n import normalise
from cskpi.metrics.catalog import MetricInfo, catalog, info, judge
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import Period, PeriodError, parse_period
from cskpi.scoring import (
    AgentResult,
    Scorecard,
    ScorecardError,
    list_templates,
    load_scorecard,
    score,
)
from cskpi.scoring.store_inputs import StoreInputs
from cskpi.store.base import Store

DIMENSIONS = ("group", "team")
LANGS = ("zh_CN", "en")
# Metrics charted as daily trends in the document (and as native charts in the workbook).
TREND_METRICS = (
    "sessions",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "satisfaction_score",
    "connection_rate",
)
# Columns of the per-unit agent tables: the figures managers compare agents on.
AGENT_COLUMNS = (
    "sessions",
    "daily_sessions",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "satisfaction_score",
    "transfer_rate",
    "fcr_rate",
    "inquiry_conversion",
    "sales_amount",
    "online_hours_per_day",
    "work_rate",
)
# First-response histogram buckets: 10 s wide, the last one open ("≥ 120 s").
BUCKET_SECONDS = 10
BUCKETS = 12


class ReportError(ValueError):
    """A report cannot be made as asked; ``code`` is a message id in the reports catalog."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class NormFinding:
    """A center figure outside its recommended range, with seed 002's management actions."""

    norm: int
    key: str
    name: str
    value: Any
    verdict: str  # warn | bad
    side: str  # too_high | too_low
    benchmark: str
    data_source: str
    actions: tuple[str, ...]


@dataclass
class ReportData:
    center: str
    period: Period
    lang: str
    by: str
    generated_at: datetime
    metrics: list[str]
    center_kpis: dict[str, Any]
    unit_kpis: dict[str, dict[str, Any]]
    agent_kpis: dict[str, dict[str, Any]]
    daily: list[dict[str, Any]]  # day rows of the center: period (ISO date) + every metric
    daily_units: list[dict[str, Any]]  # unit × day rows
    agents: dict[str, dict[str, Any]]
    histogram: list[tuple[int, int]]  # (bucket start seconds, legs)
    findings: list[NormFinding]
    scorecard: Scorecard | None = None
    results: list[AgentResult] = field(default_factory=list)
    adjustments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def zh(self) -> bool:
        return self.lang != "en"

    def text(self, value: Any) -> str:
        """A {zh, en} label (a pydantic Text or a dict) in the report's language."""
        data = value.model_dump() if hasattr(value, "model_dump") else value
        return data["en" if self.lang == "en" else "zh"]

    def label(self, key: str) -> str:
        meta = info(key)
        if meta is None:
            return key
        name = meta.label(self.lang)
        if ":" in key:
            target = info(key.split(":", 1)[1])
            return f"{name}·{target.label(self.lang) if target else key.split(':', 1)[1]}"
        return name

    def unit_of(self, agent_id: str) -> str | None:
        agent = self.agents.get(agent_id) or {}
        return agent.get(self.by)

    def agents_of(self, unit: str) -> list[str]:
        return sorted(a for a in self.agent_kpis if self.unit_of(a) == unit)

    def series(self, key: str) -> dict[str, Any]:
        """The center's daily figures of a metric: ISO date → value."""
        return {row["period"]: row.get(key) for row in self.daily}

    def unit_series(self, key: str) -> dict[tuple[str, str], Any]:
        """(unit, ISO date) → value."""
        return {(_unit(row[self.by]), row["period"]): row.get(key) for row in self.daily_units}

    @property
    def units(self) -> list[str]:
        return sorted(self.unit_kpis)

    @property
    def ranked(self) -> list[AgentResult]:
        return sorted(self.results, key=lambda r: (r.rank is None, r.rank or 0, r.agent_id))

    def grade_label(self, grade: str | None) -> str:
        if grade is None or self.scorecard is None:
            return ""
        for band in self.scorecard.grades:
            if band.grade == grade:
                return self.text(band.label)
        return ""

    @property
    def pay_keys(self) -> list[str]:
        keys: list[str] = []
        for result in self.results:
            for key in result.pay or {}:
                if key not in keys and key != "total":
                    keys.append(key)
        return [*keys, "total"] if any(r.pay for r in self.results) else []

    @property
    def report_agents(self) -> list[str]:
        """Agents with a page/sheet: those scored, else those with figures, by rank/id."""
        if self.scorecard is not None:
            return [r.agent_id for r in self.ranked]
        return sorted(self.agent_kpis)


def collect(
    store: Store,
    config: Config,
    period: str | Period,
    *,
    scorecard: str | None = None,
    by: str = "group",
    lang: str = "zh_CN",
) -> ReportData:
    """Compute every figure and score a report shows (the expensive part, done once)."""
    if by not in DIMENSIONS:
        raise ReportError("report.bad_by", by=by, allowed=", ".join(DIMENSIONS))
    try:
        lang = normalise(lang)
    except ValueError:
        raise ReportError("report.bad_lang", lang=lang, allowed=", ".join(LANGS)) from None
    try:
        parsed = parse_period(period) if isinstance(period, str) else period
    except PeriodError:
        raise ReportError("report.bad_period", period=period) from None
    # The scorecard first: a wrong name fails before minutes of computing.
    card = _scorecard(scorecard) if scorecard is not None else None
    center = _rows(compute(store, config, by=[], period=parsed))
    units = compute(store, config, by=[by], period=parsed)
    agents_frame = compute(store, config, by=["agent"], period=parsed)
    daily = _rows(compute(store, config, by=[], period=parsed, grain="day"))
    daily_units = _rows(compute(store, config, by=[by], period=parsed, grain="day"))
    metrics = _metric_order(
        [c for c in agents_frame.columns if c not in ("agent_id", "period")]
        + [c for c in center[0] if c != "period"]
        if center
        else []
    )
    data = ReportData(
        center=config.center,
        period=parsed,
        lang=lang,
        by=by,
        generated_at=datetime.now(UTC),
        metrics=metrics,
        center_kpis=center[0] if center else {},
        unit_kpis={_unit(r[by]): r for r in _rows(units)},
        agent_kpis={
            str(r["agent_id"]): r for r in _rows(agents_frame) if r["agent_id"] is not None
        },
        daily=daily,
        daily_units=daily_units,
        agents=_agents(store),
        histogram=_histogram(store, parsed),
        findings=[],
    )
    data.findings = _findings(data)
    if card is not None:
        data.scorecard = card
        data.results = score(card, StoreInputs(store, config, card.name), parsed.label)
        data.adjustments = _adjustments(store, parsed)
    return data


def _scorecard(name: str) -> Scorecard:
    try:
        return load_scorecard(name)
    except FileNotFoundError:
        raise ReportError(
            "report.unknown_scorecard", name=name, allowed=", ".join(list_templates())
        ) from None
    except ScorecardError:
        raise ReportError("report.bad_scorecard", name=name) from None


def _unit(value: Any) -> str:
    return "—" if value is None else str(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, list | str):
        return _clean(value.item())
    return value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _metric_order(keys: list[str]) -> list[str]:
    """Catalog order (category by category), target achievements after their family."""
    present = list(dict.fromkeys(keys))
    ordered = [k for k in catalog() if k in present]
    return ordered + [k for k in present if k not in ordered]


def _agents(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.fetchall(
        'SELECT agent_id, name, "group", team, role, level, hired_on, left_on '
        "FROM agents ORDER BY agent_id"
    )
    names = ("agent_id", "name", "group", "team", "role", "level", "hired_on", "left_on")
    return {str(r[0]): dict(zip(names, r, strict=True)) for r in rows}


def _histogram(store: Store, period: Period) -> list[tuple[int, int]]:
    """Legs by first response time in 10-second buckets (the last bucket holds ≥ 120 s)."""
    rows = store.fetchall(
        f"SELECT LEAST(CAST(FLOOR(first_response_seconds / {BUCKET_SECONDS}) AS INTEGER), "
        f"{BUCKETS}) AS bucket, COUNT(*) FROM session_facts "
        f"WHERE first_response_seconds IS NOT NULL AND accepted_date >= DATE '{period.start}' "
        f"AND accepted_date <= DATE '{period.end}' GROUP BY 1 ORDER BY 1"
    )
    counts = {int(bucket): int(n) for bucket, n in rows}
    return [(b * BUCKET_SECONDS, counts.get(b, 0)) for b in range(BUCKETS + 1)]


def _adjustments(store: Store, period: Period) -> dict[str, list[dict[str, Any]]]:
    rows = store.fetchall(
        "SELECT agent_id, date, kind, count, points, reason, entered_by, adjustment_id "
        f"FROM adjustments WHERE date >= DATE '{period.start}' AND date <= DATE '{period.end}' "
        "ORDER BY agent_id, date, adjustment_id"
    )
    out: dict[str, list[dict[str, Any]]] = {}
    names = ("agent_id", "date", "kind", "count", "points", "reason", "entered_by", "id")
    for row in rows:
        entry = {k: _clean(v) for k, v in zip(names, row, strict=True)}
        for number in ("count", "points"):
            if entry[number] is not None:
                entry[number] = float(entry[number])
        out.setdefault(str(entry["agent_id"]), []).append(entry)
    return out


@cache
def advice() -> list[dict[str, Any]]:
    """Seed 002's 22 norms with their management actions (cskpi/metrics/advice.yaml)."""
    text = resources.files("cskpi.metrics").joinpath("advice.yaml").read_text("utf-8")
    return list(yaml.safe_load(text)["norms"])


def side(meta: MetricInfo, value: float) -> str:
    """Which side of its recommended range (or industry value) a figure is on."""
    if meta.recommended_max is not None and value > meta.recommended_max:
        return "too_high"
    if meta.recommended_min is not None and value < meta.recommended_min:
        return "too_low"
    if meta.industry is not None and meta.recommended_min is None and meta.recommended_max is None:
        return "too_high" if value > meta.industry else "too_low"
    return "too_low"


def _findings(data: ReportData) -> list[NormFinding]:
    lang = "en" if data.lang == "en" else "zh"
    out = []
    for norm in advice():
        for key in [norm.get("key"), *norm.get("related", [])]:
            if key is None:
                continue
            value = data.center_kpis.get(key)
            verdict = judge(key, value)
            meta = info(key)
            if verdict not in ("warn", "bad") or meta is None:
                continue
            where = side(meta, float(value))
            actions = norm.get("actions", {})
            chosen = [*actions.get(where, []), *actions.get("always", [])]
            if not chosen:
                continue  # the seed advises nothing on this side (it is the good side)
            out.append(
                NormFinding(
                    norm=int(norm["norm"]),
                    key=key,
                    name=norm["name"][lang],
                    value=value,
                    verdict=verdict,
                    side=where,
                    benchmark=norm["benchmark"][lang],
                    data_source=norm["data_source"][lang],
                    actions=tuple(a[lang] for a in chosen),
                )
            )
    return out
