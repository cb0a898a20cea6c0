"""What the pages and the API show, computed from the library (no HTTP here).

Every figure comes from the KPI engine (cskpi.metrics) or the scorecard engine
(cskpi.scoring); drill-downs read `session_facts`, the same rows the metrics are summed from.
Results are cached per data version: the version moves when events are posted, so a cached
figure is never stale and an unchanged store is never recomputed (the engine takes seconds on
a month; a cached page takes milliseconds).

The store's connection is not thread-safe, so every read and write holds one lock.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import yaml

from cskpi.config import Config
from cskpi.metrics.catalog import MetricInfo, catalog, format_value, info, judge
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import Period, parse_period
from cskpi.store.base import Store

# Figures on the overview, group, team and agent pages, in this order (each page shows those
# the catalog declares for its level).
KPI_KEYS = (
    "sessions", "valid_sessions", "daily_sessions", "sessions_per_hour", "peak_concurrency",
    "first_response_time", "avg_response_time", "reply_rate", "avg_session_duration",
    "acw_time", "connection_rate", "avg_queue_time", "avg_abandon_time", "abandon_rate",
    "queue_rate", "transfer_rate", "fcr_rate", "invalid_rate", "satisfaction_score",
    "bad_rating_rate", "rating_participation", "qa_pass_rate", "resolution_rate", "kb_usage",
    "online_hours_per_day", "work_rate", "busy_share", "away_share", "inquiry_conversion",
    "sales_amount", "aov", "refund_rate", "turnover_rate", "consult_rate", "message_ratio",
)  # fmt: skip
TREND_KEYS = (
    "sessions",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "abandon_rate",
    "satisfaction_score",
)
RANK_KEYS = (
    "sessions",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "invalid_rate",
    "transfer_rate",
    "satisfaction_score",
    "inquiry_conversion",
    "sales_amount",
    "work_rate",
)

# Drill-down: which sessions stand behind a figure (a filter of session_facts, and the order
# that puts the sessions that hurt the figure first).
DRILL: dict[str, tuple[str, str]] = {
    "all": ("f.is_accepted", "f.accepted_at"),
    "valid": ("f.is_accepted AND f.is_valid", "f.accepted_at"),
    "invalid": ("f.is_accepted AND f.is_invalid", "f.accepted_at"),
    "unreplied": (
        "f.is_accepted AND f.customer_messages > 0 AND f.manual_messages = 0 "
        "AND NOT COALESCE(f.agent_offline, FALSE)",
        "f.accepted_at",
    ),
    "unanswered": ("f.is_accepted AND f.unanswered_turns > 0", "f.unanswered_turns DESC"),
    "first_response": (
        "f.is_accepted AND f.first_response_seconds IS NOT NULL",
        "f.first_response_seconds DESC",
    ),
    "responses": (
        "f.is_accepted AND f.response_pairs > 0",
        "f.response_seconds_sum / f.response_pairs DESC",
    ),
    "duration": ("f.is_accepted AND f.duration_seconds IS NOT NULL", "f.duration_seconds DESC"),
    "acw": ("f.is_accepted AND f.acw_seconds IS NOT NULL", "f.acw_seconds DESC"),
    "transferred": ("f.is_accepted AND f.transferred_out", "f.accepted_at"),
    "not_fcr": ("f.is_accepted AND f.is_fcr = FALSE", "f.accepted_at"),
    "unresolved": ("f.is_accepted AND NOT COALESCE(f.resolved, FALSE)", "f.accepted_at"),
    "callbacks": ("f.is_accepted AND f.origin = 'callback'", "f.accepted_at"),
    "leads": ("f.is_accepted AND f.is_lead", "f.accepted_at"),
    "kb": ("f.is_accepted AND f.kb_messages > 0", "f.accepted_at"),
    "bad_rating": ("f.is_accepted AND r.stars <= 2", "r.stars"),
}
METRIC_DRILL = {
    "sessions": "all", "daily_sessions": "all", "sessions_per_hour": "all",
    "peak_concurrency": "all", "valid_sessions": "valid", "invalid_rate": "invalid",
    "invalid_rate_inbound": "invalid", "invalid_rate_callback": "invalid",
    "reply_rate": "unreplied", "first_response_time": "first_response",
    "avg_response_time": "responses", "avg_session_duration": "duration", "aht": "duration",
    "acw_time": "acw", "transfer_rate": "transferred", "fcr_rate": "not_fcr",
    "resolution_rate": "unresolved", "callbacks": "callbacks", "leads": "leads",
    "kb_usage": "kb", "satisfaction_score": "bad_rating", "bad_rating_rate": "bad_rating",
    "good_rating_rate": "bad_rating", "message_ratio": "all",
}  # fmt: skip


class NotFound(LookupError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@cache
def advice() -> list[dict[str, Any]]:
    text = resources.files("cskpi.metrics").joinpath("advice.yaml").read_text("utf-8")
    return yaml.safe_load(text)["norms"]


def _lang_text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get("en" if lang == "en" else "zh") or "")
    return "" if value is None else str(value)


def range_text(meta: MetricInfo) -> str:
    low, high = meta.recommended_min, meta.recommended_max
    if low is not None and high is not None:
        return f"{format_value(meta.key, low)} – {format_value(meta.key, high)}"
    if low is not None:
        return f"≥ {format_value(meta.key, low)}"
    if high is not None:
        return f"≤ {format_value(meta.key, high)}"
    return ""


def side_of(key: str, value: Any) -> str | None:
    """'too_high' / 'too_low' for a figure outside its range (or worse than industry)."""
    meta = info(key)
    if meta is None or not isinstance(value, int | float):
        return None
    if meta.recommended_min is not None and value < meta.recommended_min:
        return "too_low"
    if meta.recommended_max is not None and value > meta.recommended_max:
        return "too_high"
    if meta.recommended_min is None and meta.recommended_max is None and meta.industry:
        if meta.direction == "higher" and value < meta.industry:
            return "too_low"
        if meta.direction == "lower" and value > meta.industry:
            return "too_high"
    return None


def _plain(value: Any) -> Any:
    """A frame cell as JSON: NaN → None, numpy numbers → float/int, lists kept."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return value
    return value


def figure(key: str, value: Any, lang: str) -> dict[str, Any]:
    """One figure with everything a page shows about it."""
    meta = info(key)
    value = _plain(value)
    return {
        "key": key,
        "label": meta.label(lang) if meta else key,
        "category": meta.category if meta else None,
        "unit": meta.unit if meta else None,
        "value": value,
        "display": format_value(key, value),
        "judge": judge(key, value),
        "industry": meta.industry if meta else None,
        "industry_display": format_value(key, meta.industry)
        if meta and meta.industry is not None
        else "",
        "range_display": range_text(meta) if meta else "",
        "drill": METRIC_DRILL.get(key),
    }


@dataclass
class Service:
    """The app's one store, its config, a lock and the figure cache."""

    store: Store
    config: Config
    db: str

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.version = 0
        # (name, args) -> (last day of the period it covers or None, value)
        self._cache: OrderedDict[tuple, tuple[date | None, Any]] = OrderedDict()  # type: ignore
        self.listeners: list[Callable[[int], None]] = []

    # -- plumbing ----------------------------------------------------------------------------
    def cached(
        self,
        name: str,
        args: tuple,  # type: ignore[type-arg]
        make: Callable[[], Any],
        period: str | None = None,
    ) -> Any:
        """`make()` once per (name, args) until the data under it changes. With `period`, the
        entry survives changes dated after the period's last day (see :meth:`changed`)."""
        key = (name, args)
        with self.lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][1]
            value = make()
            last_day = parse_period(period).end if period else None
            self._cache[key] = (last_day, value)
            while len(self._cache) > 512:
                self._cache.popitem(last=False)
            return value

    def changed(self, since: date | None = None) -> None:
        """The data moved (events were posted, an entry was added): drop what it can touch
        and tell the listeners. `since` is the first local day the change can affect (None:
        anything), so a month already over keeps its figures while today's events stream in."""
        with self.lock:
            self.version += 1
            stale = [
                k
                for k, (last_day, _) in self._cache.items()
                if since is None or last_day is None or last_day >= since
            ]
            for key in stale:
                del self._cache[key]
        for listener in list(self.listeners):
            listener(self.version)

    def fetch(self, statement: str, params: tuple = ()) -> list[tuple]:  # type: ignore
        with self.lock:
            return self.store.fetchall(statement, params)

    def figures(
        self,
        by: list[str],
        period: str,
        grain: str | None = None,
        metrics: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        def make() -> pd.DataFrame:
            return compute(
                self.store,
                self.config,
                by=by,
                period=period,
                grain=grain,
                metrics=list(metrics) if metrics else None,
            )

        return self.cached("figures", (tuple(by), period, grain, metrics), make, period)

    # -- periods and people ------------------------------------------------------------------
    def periods(self) -> list[str]:
        def make() -> list[str]:
            rows = self.store.fetchall(
                "SELECT DISTINCT strftime(accepted_date, '%Y-%m') AS m FROM session_facts "
                "WHERE accepted_date IS NOT NULL ORDER BY m DESC"
            )
            months = [str(r[0]) for r in rows]
            return months or [self.today().strftime("%Y-%m")]

        return self.cached("periods", (), make)

    def period(self, text: str | None) -> Period:
        return parse_period(text or self.periods()[0])

    def local(self, moment: datetime | None) -> datetime | None:
        """A stored (naive UTC) time as the center's local time."""
        if moment is None:
            return None
        zone = ZoneInfo(self.config.timezone)
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.config.timezone)).date()

    def agents(self) -> list[dict[str, Any]]:
        def make() -> list[dict[str, Any]]:
            rows = self.store.fetchall(
                'SELECT agent_id, name, "group", team, role, level, max_concurrency, left_on '
                "FROM agents ORDER BY agent_id"
            )
            names = (
                "agent_id",
                "name",
                "group",
                "team",
                "role",
                "level",
                "max_concurrency",
                "left_on",
            )
            return [dict(zip(names, r, strict=True)) for r in rows]

        return self.cached("agents", (), make)

    def agent(self, agent_id: str) -> dict[str, Any]:
        for row in self.agents():
            if row["agent_id"] == agent_id:
                return row
        raise NotFound("web.error.no_agent", agent=agent_id)

    def groups(self) -> list[str]:
        return sorted({a["group"] for a in self.agents() if a["group"]})

    def teams(self) -> dict[str, tuple[str, ...]]:
        """Team → the groups its agents belong to."""
        out: dict[str, set[str]] = {}
        for a in self.agents():
            if a["team"]:
                out.setdefault(a["team"], set()).add(a["group"])
        return {team: tuple(sorted(g for g in groups if g)) for team, groups in sorted(out.items())}

    # -- figures -----------------------------------------------------------------------------
    def kpis(self, row: dict[str, Any], level: str, lang: str) -> list[dict[str, Any]]:
        out = []
        for key in KPI_KEYS:
            meta = catalog().get(key)
            if meta is None or level not in meta.scope or key not in row:
                continue
            out.append(figure(key, row.get(key), lang))
        return out

    def advisory(self, row: dict[str, Any], lang: str) -> list[dict[str, Any]]:
        """The norms whose figure is off, with seed 002's management actions."""
        out = []
        for norm in advice():
            keys = [norm.get("key"), *(norm.get("related") or [])]
            for key in keys:
                if not key or key not in row:
                    continue
                value = _plain(row.get(key))
                verdict = judge(key, value)
                side = side_of(key, value)
                if verdict not in ("warn", "bad") or side is None:
                    continue
                actions = norm.get("actions") or {}
                chosen = [*actions.get("always", []), *actions.get(side, [])]
                if not actions.get(side):
                    # advice.yaml keeps actions on the bad side: outside the range on the
                    # good side (a queue rate below 10 %) is nothing to act on.
                    continue
                out.append(
                    {
                        "norm": norm["norm"],
                        "name": _lang_text(norm["name"], lang),
                        "metric": key,
                        "side": side,
                        "judge": verdict,
                        "figure": figure(key, value, lang),
                        "benchmark": _lang_text(norm.get("benchmark"), lang),
                        "data_source": _lang_text(norm.get("data_source"), lang),
                        "actions": [_lang_text(a, lang) for a in chosen],
                    }
                )
                break
        return sorted(out, key=lambda a: (a["judge"] != "bad", a["norm"]))

    def _row(
        self, by: list[str], period: Period, column: str | None, value: str | None
    ) -> dict[str, Any]:
        frame = self.figures(by, period.label)
        if column is not None:
            frame = frame[frame[column] == value]
        if not len(frame):
            return {}
        return {k: _plain(v) for k, v in frame.iloc[0].to_dict().items()}

    def trend(
        self, by: list[str], period: Period, column: str | None, value: str | None, lang: str
    ) -> dict[str, Any]:
        frame = self.figures(by, period.label, "day", TREND_KEYS)
        if column is not None:
            frame = frame[frame[column] == value]
        frame = frame.sort_values("period")
        days = [str(p) for p in period.days]
        by_day = {str(r["period"]): r for r in frame.to_dict("records")}
        series = []
        for key in TREND_KEYS:
            meta = info(key)
            series.append(
                {
                    "key": key,
                    "label": meta.label(lang) if meta else key,
                    "unit": meta.unit if meta else None,
                    "values": [_plain(by_day.get(d, {}).get(key)) for d in days],
                }
            )
        return {"days": days, "series": series}

    def hourly(self, period: Period, group: str | None = None) -> dict[str, Any]:
        def make() -> dict[str, Any]:
            where = "created_date BETWEEN ? AND ?"
            params: tuple = (period.start, period.end)  # type: ignore[type-arg]
            if group is not None:
                where += ' AND "group" = ?'
                params += (group,)
            rows = self.store.fetchall(
                "SELECT created_hour, COUNT(*), SUM(CASE WHEN is_abandoned THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN wait_seconds > ? THEN 1 ELSE 0 END), AVG(queue_seconds) "
                f"FROM session_facts WHERE {where} GROUP BY created_hour ORDER BY created_hour",
                (self.config.thresholds.queue_threshold_seconds, *params),
            )
            by_hour = {int(r[0]): r for r in rows if r[0] is not None}
            hours = list(range(24))
            return {
                "hours": hours,
                "requests": [int(by_hour[h][1]) if h in by_hour else 0 for h in hours],
                "abandoned": [int(by_hour[h][2] or 0) if h in by_hour else 0 for h in hours],
                "queued_long": [int(by_hour[h][3] or 0) if h in by_hour else 0 for h in hours],
                "avg_queue_seconds": [
                    round(float(by_hour[h][4]), 1)
                    if h in by_hour and by_hour[h][4] is not None
                    else None
                    for h in hours
                ],
            }

        return self.cached("hourly", (period.label, group), make, period.label)

    def overview(self, period: Period, lang: str) -> dict[str, Any]:
        row = self._row([], period, None, None)
        return {
            "period": period.label,
            "level": "center",
            "kpis": self.kpis(row, "center", lang),
            "trend": self.trend([], period, None, None, lang),
            "hourly": self.hourly(period),
            "advisory": self.advisory(row, lang),
        }

    def ranking(
        self, period: Period, agents: list[dict[str, Any]], sort: str, lang: str
    ) -> list[dict[str, Any]]:
        frame = self.figures(["agent"], period.label)
        by_agent = {r["agent_id"]: r for r in frame.to_dict("records")}
        rows = []
        for a in agents:
            values = by_agent.get(a["agent_id"], {})
            rows.append(
                {
                    "agent_id": a["agent_id"],
                    "name": a["name"],
                    "group": a["group"],
                    "team": a["team"],
                    "figures": [figure(k, values.get(k), lang) for k in RANK_KEYS],
                }
            )
        meta = info(sort)
        lower_first = meta is not None and meta.direction == "lower"
        index = RANK_KEYS.index(sort) if sort in RANK_KEYS else 0

        def order(r: dict[str, Any]) -> tuple[bool, float]:
            v = r["figures"][index]["value"]
            if not isinstance(v, int | float):
                return (True, 0.0)
            return (False, v if lower_first else -v)

        rows.sort(key=order)
        for rank, r in enumerate(rows, 1):
            r["rank"] = rank
        return rows

    def unit(
        self,
        level: str,
        name: str,
        period: Period,
        agents: list[dict[str, Any]],
        sort: str,
        lang: str,
    ) -> dict[str, Any]:
        """A group or team page: its figures, trend, advisory and its agents ranked."""
        column = "group" if level == "group" else "team"
        row = self._row([level], period, column, name)
        return {
            "period": period.label,
            "level": level,
            "name": name,
            "kpis": self.kpis(row, level, lang),
            "trend": self.trend([level], period, column, name, lang),
            "hourly": self.hourly(period, name) if level == "group" else None,
            "advisory": self.advisory(row, lang),
            "sort": sort,
            "rank_keys": list(RANK_KEYS),
            "agents": self.ranking(period, agents, sort, lang),
        }

    def agent_figures(self, agent_id: str, period: Period, lang: str) -> dict[str, Any]:
        row = self._row(["agent"], period, "agent_id", agent_id)
        return {
            "period": period.label,
            "agent": self.agent(agent_id),
            "kpis": self.kpis(row, "agent", lang),
            "trend": self.trend(["agent"], period, "agent_id", agent_id, lang),
            "advisory": self.advisory(row, lang),
        }

    # -- drill-down --------------------------------------------------------------------------
    def sessions(
        self, agent_id: str, period: Period, kind: str, day: date | None, limit: int, offset: int
    ) -> dict[str, Any]:
        where, order = DRILL[kind]
        start, end = (day, day) if day else (period.start, period.end)
        statement = (
            'SELECT f.session_id, f.channel, f.origin, f."group", s.created_at_local, '
            "s.accepted_at_local, s.ended_at_local, f.customer_messages, f.manual_messages, "
            "f.system_messages, f.auto_messages, f.kb_messages, f.response_pairs, "
            "f.first_response_seconds, f.response_seconds_sum, f.unanswered_turns, "
            "f.has_messages, f.is_valid, f.is_invalid, f.transferred_out, f.resolved, "
            "f.agent_offline, f.is_fcr, f.duration_seconds, f.acw_seconds, r.stars "
            "FROM session_facts f JOIN sessions s ON s.session_id = f.session_id "
            "LEFT JOIN ratings r ON r.session_id = f.session_id "
            f"WHERE f.agent_id = ? AND f.accepted_date BETWEEN ? AND ? AND {where} "
        )
        params = (agent_id, start, end)

        def make() -> dict[str, Any]:
            (total,) = self.store.fetchall(f"SELECT COUNT(*) FROM ({statement}) x", params)[0]
            raw = self.store.fetchall(
                statement + f"ORDER BY {order}, f.session_id LIMIT ? OFFSET ?",
                (*params, limit, offset),
            )
            rows = [session_row(dict(zip(SESSION_COLUMNS, r, strict=True))) for r in raw]
            return {
                "agent_id": agent_id,
                "period": period.label,
                "kind": kind,
                "day": day.isoformat() if day else None,
                "total": int(total),
                "limit": limit,
                "offset": offset,
                "sessions": rows,
            }

        return self.cached(
            "sessions", (agent_id, period.label, kind, day, limit, offset), make, period.label
        )

    def session_detail(self, session_id: str) -> dict[str, Any]:
        with self.lock:
            rows = self.store.fetchall(
                'SELECT s.session_id, s.agent_id, s."group", a."group" FROM sessions s '
                "LEFT JOIN agents a ON a.agent_id = s.agent_id WHERE s.session_id = ?",
                (session_id,),
            )
            if not rows:
                raise NotFound("web.error.no_session", session=session_id)
            facts = self.store.fetchall(
                'SELECT f.session_id, f.channel, f.origin, f."group", s.created_at_local, '
                "s.accepted_at_local, s.ended_at_local, f.customer_messages, f.manual_messages,"
                " f.system_messages, f.auto_messages, f.kb_messages, f.response_pairs, "
                "f.first_response_seconds, f.response_seconds_sum, f.unanswered_turns, "
                "f.has_messages, f.is_valid, f.is_invalid, f.transferred_out, f.resolved, "
                "f.agent_offline, f.is_fcr, f.duration_seconds, f.acw_seconds, r.stars "
                "FROM sessions s LEFT JOIN session_facts f ON f.session_id = s.session_id "
                "LEFT JOIN ratings r ON r.session_id = s.session_id WHERE s.session_id = ?",
                (session_id,),
            )
            messages = self.store.fetchall(
                "SELECT message_id, sender, agent_id, sent_at, source, content "
                "FROM messages WHERE session_id = ? ORDER BY sent_at, message_id",
                (session_id,),
            )
        detail = session_row(dict(zip(SESSION_COLUMNS, facts[0], strict=True)))
        detail["agent_id"] = rows[0][1]
        detail["message_log"] = [
            {
                "message_id": m[0],
                "sender": m[1],
                "agent_id": m[2],
                "sent_at": _iso(self.local(m[3])),
                "source": m[4],
                "content": m[5],
            }
            for m in messages
        ]
        return detail

    def session_owner(self, session_id: str) -> tuple[str | None, tuple[str, ...]]:
        rows = self.fetch(
            'SELECT s.agent_id, s."group", a."group" FROM sessions s '
            "LEFT JOIN agents a ON a.agent_id = s.agent_id WHERE s.session_id = ?",
            (session_id,),
        )
        if not rows:
            raise NotFound("web.error.no_session", session=session_id)
        agent_id, routed, home = rows[0]
        return agent_id, tuple(g for g in (routed, home) if g)

    def adjustments(self, agent_id: str, period: Period) -> list[dict[str, Any]]:
        rows = self.fetch(
            "SELECT adjustment_id, date, kind, count, points, reason, entered_by FROM adjustments"
            " WHERE agent_id = ? AND date BETWEEN ? AND ? ORDER BY date, adjustment_id",
            (agent_id, period.start, period.end),
        )
        names = ("adjustment_id", "date", "kind", "count", "points", "reason", "entered_by")
        return [
            {
                k: (_iso(v) if isinstance(v, date) else _plain(v))
                for k, v in zip(names, r, strict=True)
            }
            for r in rows
        ]

    # -- live --------------------------------------------------------------------------------
    def live(self, groups: tuple[str, ...] | None) -> dict[str, Any]:
        """The live monitor: now, from the raw tables (events land there first). Not
        cached: waits grow with the clock even when no event arrives."""
        with self.lock:
            return self._live(groups)

    def _live(self, groups: tuple[str, ...] | None) -> dict[str, Any]:
        now = datetime.now(UTC).replace(tzinfo=None)
        today = self.today()
        day_start = datetime.combine(today, datetime.min.time(), ZoneInfo(self.config.timezone))
        day_start_utc = day_start.astimezone(UTC).replace(tzinfo=None)
        agent_rows = [a for a in self.agents() if groups is None or a["group"] in groups]
        ids = {a["agent_id"] for a in agent_rows}
        group_filter, group_params = "", ()
        if groups is not None:
            marks = ", ".join("?" for _ in groups) or "NULL"
            group_filter = f' AND "group" IN ({marks})'
            group_params = tuple(groups)
        waiting = self.store.fetchall(
            "SELECT COUNT(*), MIN(COALESCE(queued_at, created_at)) FROM sessions "
            "WHERE accepted_at IS NULL AND abandoned_at IS NULL AND ended_at IS NULL "
            f"AND created_at >= ? AND created_at <= ?{group_filter}",
            (now - timedelta(hours=12), now, *group_params),
        )[0]
        states = self.store.fetchall(
            "SELECT agent_id, state, started_at FROM (SELECT agent_id, state, started_at, "
            "ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY started_at DESC) AS n "
            "FROM agent_states WHERE started_at <= ? AND (ended_at IS NULL OR ended_at > ?)) x "
            "WHERE n = 1",
            (now, now),
        )
        state_of = {a: (s, t) for a, s, t in states if a in ids}
        open_rows = self.store.fetchall(
            "SELECT agent_id, COUNT(*) FROM sessions WHERE accepted_at IS NOT NULL "
            "AND ended_at IS NULL AND abandoned_at IS NULL AND accepted_at >= ? "
            "GROUP BY agent_id",
            (now - timedelta(hours=12),),
        )
        open_of = {a: int(n) for a, n in open_rows}
        today_rows = self.store.fetchall(
            "SELECT COUNT(*), SUM(CASE WHEN is_accepted THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN is_abandoned THEN 1 ELSE 0 END), "
            "SUM(first_response_seconds), COUNT(first_response_seconds), "
            "SUM(response_seconds_sum), SUM(response_pairs) FROM session_facts "
            f"WHERE created_at >= ?{group_filter}",
            (day_start_utc, *group_params),
        )[0]
        requests, accepted, abandoned, frt_sum, frt_n, art_sum, art_n = today_rows
        counts = {"idle": 0, "busy": 0, "away": 0, "offline": 0}
        agents = []
        for a in agent_rows:
            state, since = state_of.get(a["agent_id"], ("offline", None))
            counts[state] = counts.get(state, 0) + 1
            if state == "offline" and not open_of.get(a["agent_id"]):
                continue
            agents.append(
                {
                    "agent_id": a["agent_id"],
                    "name": a["name"],
                    "group": a["group"],
                    "state": state,
                    "since": _iso(self.local(since)),
                    "open_sessions": open_of.get(a["agent_id"], 0),
                    "max_concurrency": _plain(a["max_concurrency"]),
                }
            )
        agents.sort(key=lambda r: (-r["open_sessions"], r["agent_id"]))
        frt = float(frt_sum) / frt_n if frt_n else None
        art = float(art_sum) / float(art_n) if art_n else None
        oldest = waiting[1]
        return {
            "version": self.version,
            "now": _iso(self.local(now)),
            "date": today.isoformat(),
            "queue": {
                "waiting": int(waiting[0] or 0),
                "longest_wait_seconds": max((now - oldest).total_seconds(), 0) if oldest else None,
            },
            "states": counts,
            "today": {
                "requests": int(requests or 0),
                "accepted": int(accepted or 0),
                "abandoned": int(abandoned or 0),
                "first_response_time": frt,
                "avg_response_time": art,
                "first_response_display": format_value("first_response_time", frt),
                "avg_response_display": format_value("avg_response_time", art),
            },
            "agents": agents,
        }


SESSION_COLUMNS = (
    "session_id", "channel", "origin", "group", "created_at_local", "accepted_at_local",
    "ended_at_local", "customer_messages", "manual_messages", "system_messages",
    "auto_messages", "kb_messages", "response_pairs", "first_response_seconds",
    "response_seconds_sum", "unanswered_turns", "has_messages", "is_valid", "is_invalid",
    "transferred_out", "resolved", "agent_offline", "is_fcr", "duration_seconds",
    "acw_seconds", "stars",
)  # fmt: skip


TIME_FIELDS = (
    "created_at",
    "queued_at",
    "accepted_at",
    "ended_at",
    "abandoned_at",
    "sent_at",
    "started_at",
)


def first_day(records: dict[str, list[dict[str, Any]]], tz: str) -> date | None:
    """The first local day posted records can change: their earliest time, less two days
    (first-contact resolution looks back 24 h; a message may belong to yesterday's session).
    None when a time cannot be read (then everything is recomputed)."""
    earliest: datetime | None = None
    for rows in records.values():
        for row in rows:
            for name in TIME_FIELDS:
                text = row.get(name)
                if not text:
                    continue
                try:
                    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
                except ValueError:
                    return None
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=ZoneInfo(tz))
                local = moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
                earliest = local if earliest is None or local < earliest else earliest
    return None if earliest is None else earliest.date() - timedelta(days=2)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def session_row(r: dict[str, Any]) -> dict[str, Any]:
    """A drill-down row: times, counts, response pairs, and why it counted as it did."""
    reasons = []
    if not r.get("has_messages"):
        reasons.append("no_messages")
    elif r.get("is_invalid"):
        if not r.get("customer_messages"):
            reasons.append("invalid_no_customer")
        if not r.get("manual_messages"):
            reasons.append("invalid_no_agent")
    if r.get("unanswered_turns"):
        reasons.append("unanswered")
    if r.get("agent_offline"):
        reasons.append("agent_offline")
    if r.get("transferred_out"):
        reasons.append("transferred")
    if r.get("is_fcr") is False:
        reasons.append("not_fcr")
    pairs = int(r.get("response_pairs") or 0)
    avg = (
        (float(r["response_seconds_sum"]) / pairs)
        if pairs and r.get("response_seconds_sum") is not None
        else None
    )
    return {
        "session_id": r["session_id"],
        "channel": r.get("channel"),
        "origin": r.get("origin"),
        "group": r.get("group"),
        "created_at": _iso(r.get("created_at_local")),
        "accepted_at": _iso(r.get("accepted_at_local")),
        "ended_at": _iso(r.get("ended_at_local")),
        "messages": {
            "customer": int(r.get("customer_messages") or 0),
            "agent": int(r.get("manual_messages") or 0),
            "system": int(r.get("system_messages") or 0),
            "auto": int(r.get("auto_messages") or 0),
        },
        "response_pairs": pairs,
        "first_response_seconds": _plain(r.get("first_response_seconds")),
        "avg_response_seconds": None if avg is None else round(avg, 1),
        "unanswered_turns": int(r.get("unanswered_turns") or 0),
        "duration_seconds": _plain(r.get("duration_seconds")),
        "valid": bool(r.get("is_valid")),
        "stars": _plain(r.get("stars")),
        "reasons": reasons,
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
