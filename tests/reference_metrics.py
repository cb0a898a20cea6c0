"""A plain, obviously-correct reference implementation of ``metrics.md``, for tests only.

It exists to cross-check the fast engine in ``cskpi.metrics`` on generated data. Everything
here is loops over lists of dicts; there is no vectorisation and nothing clever. Each metric
is its own small function whose docstring quotes the line of ``/work/shared/spec/metrics.md``
it implements, so a reader can check it line by line.

Where the spec leaves room, the choice made is written as a comment starting ``# DECISION:``;
the engine must make the same choice.

Usage::

    result = reference_metrics(tables, by="agent", start=date(2026, 10, 1),
                               end=date(2026, 10, 31))
    result["A1"]["avg_response_time"]  # -> 16.25

Return value: ``{dimension value: {metric key: value}}``. With ``by="center"`` the only
dimension value is ``None``. Values are floats (counts too), ``None`` when the figure has no
denominator or needs an input column that is absent, and for ``message_ratio`` a list
``[customer, agent, 1.0]``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

Key = str | None
MetricValue = float | list[float] | None
Tables = dict[str, pd.DataFrame]
Row = dict[str, Any]

DEFAULT_THRESHOLDS: dict[str, Any] = {
    "queue_threshold_seconds": 60,
    "fcr_window_hours": 24,
    "attribution_window_hours": 48,
    "qa_pass_mark": 97,
    "lead_tag": "lead",
    "late_grace_minutes": 0,
    "rating_participation_low": 0.5,
}

MANUAL_SOURCES = frozenset({"manual", "canned", "kb"})  # "Manual message" in the General rules
ONLINE_STATES = ("idle", "busy", "away")  # online = idle + busy + away

ALL_DIMS = frozenset({"agent", "group", "center"})
NOT_AGENT = frozenset({"group", "center"})
CENTER_ONLY = frozenset({"center"})

# DECISION: columns where an empty value has a meaning of its own (not "unknown"). For these,
# an entirely empty column is *not* treated as absent: empty agent_offline / fake = False,
# empty previous_session_id = not a transfer, empty left_on = still employed, empty origin =
# inbound, empty source = manual. Every other column that is missing *or entirely empty* in
# the input table counts as absent, and the metrics that need it are null (data contract:
# "Optional columns may be absent or empty; metrics that need them are reported as null").
# Consequence: an abandoned_at column that is empty everywhere gives abandon_rate = null,
# not 0 (we cannot tell "no abandons" from "not exported").


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, dict, set)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _records(df: pd.DataFrame | None) -> list[Row]:
    """DataFrame -> list of plain dicts, with every NA/NaT/None turned into ``None``."""
    if df is None:
        return []
    rows = []
    for rec in df.to_dict("records"):
        rows.append({str(k): (None if _is_missing(v) else v) for k, v in rec.items()})
    return rows


def _has_column(tables: Tables, table: str, column: str) -> bool:
    """True when the table is given and the column exists with at least one value."""
    df = tables.get(table)
    if df is None or column not in df.columns:
        return False
    return bool(df[column].notna().any())


def _flag(value: Any) -> bool:
    """A nullable bool: NA counts as False (the flag was not set)."""
    return bool(value) if value is not None else False


def _ts(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:  # the contract says stored as UTC; be lenient in tests
        ts = ts.tz_localize("UTC")
    return ts


def _to_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _to_time(value: Any) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, pd.Timedelta):
        return (dt.datetime.min + value.to_pytimedelta()).time()
    return dt.time.fromisoformat(str(value))


def _seconds(later: pd.Timestamp, earlier: pd.Timestamp) -> float:
    return (later - earlier).total_seconds()


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(numerator: float, denominator: float) -> float | None:
    """General rule: a figure whose denominator is 0 is null, not 0."""
    return numerator / denominator if denominator else None


def _split_tags(tags: Any) -> set[str]:
    if tags is None:
        return set()
    return {t.strip() for t in str(tags).split(";") if t.strip()}


# --------------------------------------------------------------------------------------
# Facts: legs with their messages, prepared once
# --------------------------------------------------------------------------------------


@dataclass
class Leg:
    """One row of ``sessions`` plus what its messages say."""

    row: Row
    messages: list[Row] = field(default_factory=list)
    response_times: list[float] = field(default_factory=list)  # one per answered turn
    first_turn_answered: bool = False

    @property
    def session_id(self) -> str:
        return str(self.row["session_id"])

    @property
    def agent_id(self) -> str | None:
        return self.row.get("agent_id")

    @property
    def group(self) -> str | None:
        return self.row.get("group")

    @property
    def customer_id(self) -> str | None:
        return self.row.get("customer_id")

    @property
    def origin(self) -> str:
        return self.row.get("origin") or "inbound"  # contract: default inbound

    @property
    def channel(self) -> str | None:
        return self.row.get("channel")

    @property
    def created_at(self) -> pd.Timestamp | None:
        return _ts(self.row.get("created_at"))

    @property
    def queued_at(self) -> pd.Timestamp | None:
        return _ts(self.row.get("queued_at"))

    @property
    def accepted_at(self) -> pd.Timestamp | None:
        return _ts(self.row.get("accepted_at"))

    @property
    def ended_at(self) -> pd.Timestamp | None:
        return _ts(self.row.get("ended_at"))

    @property
    def abandoned_at(self) -> pd.Timestamp | None:
        return _ts(self.row.get("abandoned_at"))

    @property
    def previous_session_id(self) -> str | None:
        prev = self.row.get("previous_session_id")
        return str(prev) if prev is not None else None

    # --- message-derived facts (General rules) ---
    @property
    def has_messages(self) -> bool:
        return bool(self.messages)

    @property
    def has_customer_message(self) -> bool:
        return any(m["sender"] == "customer" for m in self.messages)

    @property
    def has_manual_agent_message(self) -> bool:
        return any(_is_manual(m) for m in self.messages)

    @property
    def is_valid(self) -> bool:
        """有效咨询: at least one customer message and at least one manual agent message."""
        return self.has_customer_message and self.has_manual_agent_message

    @property
    def is_invalid(self) -> bool:
        """无效咨询: messages exist but not from both sides. No messages = neither."""
        return self.has_messages and not self.is_valid

    @property
    def uses_kb(self) -> bool:
        return any(
            m["sender"] == "agent" and (m.get("source") or "manual") in {"canned", "kb"}
            for m in self.messages
        )


def _is_manual(message: Row) -> bool:
    """Manual message: sender agent with source manual, canned or kb (default manual)."""
    return message["sender"] == "agent" and (message.get("source") or "manual") in MANUAL_SOURCES


# DECISION: a leg's messages are all rows with its session_id, also those sent before
# accepted_at (queue, bot triage) or after ended_at; every message-based figure belongs to the
# leg's agent and the period of the leg's accepted_at (never to messages.agent_id or to the
# date of sent_at).
def _response_pairs(leg: Leg) -> None:
    """Fill ``leg.response_times`` following the "Response pairs" general rule.

    A customer turn opens at a customer message when no turn is open, and closes at the next
    manual agent message; response time = that message's time - max(turn open, accepted_at).
    System, bot and auto messages neither open nor close a turn. A turn still open at the
    end is unanswered (contributes nothing).
    """
    accepted_at = leg.accepted_at
    open_at: pd.Timestamp | None = None
    turn_index = 0
    for message in leg.messages:  # already ordered by (sent_at, message_id)
        sent_at = _ts(message["sent_at"])
        assert sent_at is not None
        if message["sender"] == "customer":
            if open_at is None:
                open_at = sent_at
        elif _is_manual(message) and open_at is not None:
            clock_start = max(open_at, accepted_at) if accepted_at is not None else open_at
            # DECISION: a manual agent message stamped before accepted_at (clock skew) gives
            # a response time of 0, never a negative one.
            leg.response_times.append(max(0.0, _seconds(sent_at, clock_start)))
            if turn_index == 0:
                leg.first_turn_answered = True
            turn_index += 1
            open_at = None
        # system / bot / auto: nothing happens, the customer is still waiting


# --------------------------------------------------------------------------------------
# The computation context
# --------------------------------------------------------------------------------------


@dataclass
class Ctx:
    tables: Tables
    by: str
    start: dt.date
    end: dt.date
    tz: ZoneInfo
    th: dict[str, Any]
    agent_group: dict[str, str | None]
    legs: list[Leg]
    legs_by_id: dict[str, Leg]
    has_messages_table: bool

    # --- period and time zone ---
    def local_date(self, ts: pd.Timestamp) -> dt.date:
        return ts.tz_convert(self.tz).date()

    def in_period(self, ts: pd.Timestamp | None) -> bool:
        """Attribution by the local date of a timestamp (inclusive start..end)."""
        return ts is not None and self.start <= self.local_date(ts) <= self.end

    def date_in_period(self, d: dt.date | None) -> bool:
        return d is not None and self.start <= d <= self.end

    def local_midnight(self, d: dt.date) -> pd.Timestamp:
        return pd.Timestamp(dt.datetime.combine(d, dt.time(0), tzinfo=self.tz)).tz_convert("UTC")

    @property
    def period_bounds(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.local_midnight(self.start), self.local_midnight(self.end + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(n)]

    # --- dimension keys ---
    def leg_key(self, leg: Leg) -> tuple[bool, Key]:
        """(usable, key) for a leg-based fact. For group: the session's ``group`` column."""
        if self.by == "center":
            return True, None
        if self.by == "group":
            # DECISION: legs with an empty group are reported under the key None.
            return True, leg.group
        # DECISION: an accepted leg without agent_id counts at group/center level only.
        return leg.agent_id is not None, leg.agent_id

    # DECISION: for by="group", agent-keyed facts go to the agent's group in ``agents`` (None when
    # unknown); leg-based facts go to the session's own ``group``.
    def agent_key(self, agent_id: str | None) -> tuple[bool, Key]:
        """(usable, key) for an agent-keyed fact (states, QA, attendance, order.agent_id)."""
        if self.by == "center":
            return True, None
        if agent_id is None:
            return False, None
        if self.by == "group":
            return True, self.agent_group.get(agent_id)
        return True, agent_id

    # --- period legs ---
    def period_legs(self) -> Iterable[tuple[Key, Leg]]:
        """Accepted legs attributed to the period by the local date of accepted_at."""
        for leg in self.legs:
            if leg.accepted_at is None or not self.in_period(leg.accepted_at):
                continue
            ok, key = self.leg_key(leg)
            if ok:
                yield key, leg

    # DECISION: a leg created by a transfer (previous_session_id set) is not a new request
    # reaching the center, so queue figures count only legs without previous_session_id.
    def period_requests(self) -> Iterable[tuple[Key, Leg]]:
        """Requests for queue figures, attributed by the local date of created_at."""
        for leg in self.legs:
            if leg.previous_session_id is not None or not self.in_period(leg.created_at):
                continue
            if self.by == "center":
                yield None, leg
            else:
                yield leg.group, leg


Result = dict[Key, float] | None  # None = input absent, every value null
MetricFn = Callable[[Ctx], Result]


# --------------------------------------------------------------------------------------
# Workload 工作量
# --------------------------------------------------------------------------------------


def m_sessions(ctx: Ctx) -> Result:
    """sessions 接待量: accepted legs."""
    if "sessions" not in ctx.tables:
        return None
    out: dict[Key, float] = defaultdict(float)
    for key, _leg in ctx.period_legs():
        out[key] += 1
    return out


def m_valid_sessions(ctx: Ctx) -> Result:
    """valid_sessions 有效咨询量: valid accepted legs."""
    if not ctx.has_messages_table:
        return None
    out: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        out[key] += leg.is_valid
    return out


# DECISION: time in state is clipped exactly to [start 00:00, end+1 00:00) local time (not
# attributed to the day of started_at). An open state (ended_at empty) runs to the end of the
# period. Overlapping rows of one agent are summed as given (no de-duplication).
def _online_seconds(ctx: Ctx) -> dict[Key, dict[str, float]] | None:
    """Seconds per state per key, each state interval clipped to the period."""
    if "agent_states" not in ctx.tables or not _has_column(ctx.tables, "agent_states", "state"):
        return None
    p_start, p_end = ctx.period_bounds
    out: dict[Key, dict[str, float]] = defaultdict(lambda: dict.fromkeys(ONLINE_STATES, 0.0))
    for row in _records(ctx.tables["agent_states"]):
        if row.get("state") not in ONLINE_STATES:
            continue
        started, ended = _ts(row.get("started_at")), _ts(row.get("ended_at"))
        if started is None:
            continue
        s = max(started, p_start)
        e = min(ended if ended is not None else p_end, p_end)
        if e <= s:
            continue
        ok, key = ctx.agent_key(row.get("agent_id"))
        if ok:
            out[key][row["state"]] += _seconds(e, s)
    return out


# DECISION: at group/center level the count is of (agent, local date) pairs, so daily_sessions
# there is sessions per agent-day (sum ÷ sum), not sessions per calendar day. A state interval
# marks every local day it overlaps (inside the period) as worked.
def _worked_days(ctx: Ctx) -> dict[Key, float]:
    """Days worked = days with a session or online time, counted as distinct agent-days."""
    pairs: dict[Key, set[tuple[str | None, dt.date]]] = defaultdict(set)
    for key, leg in ctx.period_legs():
        assert leg.accepted_at is not None
        pairs[key].add((leg.agent_id, ctx.local_date(leg.accepted_at)))
    if "agent_states" in ctx.tables and _has_column(ctx.tables, "agent_states", "state"):
        _p_start, p_end = ctx.period_bounds
        for row in _records(ctx.tables["agent_states"]):
            if row.get("state") not in ONLINE_STATES or row.get("started_at") is None:
                continue
            ok, key = ctx.agent_key(row.get("agent_id"))
            if not ok:
                continue
            started = _ts(row["started_at"])
            ended = _ts(row.get("ended_at")) or p_end
            assert started is not None
            for day in ctx.days():
                lo = max(started, ctx.local_midnight(day))
                hi = min(ended, ctx.local_midnight(day + dt.timedelta(days=1)))
                if hi > lo:
                    pairs[key].add((row.get("agent_id"), day))
    return {key: float(len(v)) for key, v in pairs.items()}


def m_daily_sessions(ctx: Ctx) -> Result:
    """daily_sessions 平均日接待量: sessions ÷ days worked (days with a session or online time)."""
    sessions = m_sessions(ctx) or {}
    days = _worked_days(ctx)
    return {k: v for k in days if (v := _ratio(sessions.get(k, 0.0), days[k])) is not None}


def m_online_hours(ctx: Ctx) -> Result:
    """online_hours 在线时长: idle + busy + away time (h)."""
    seconds = _online_seconds(ctx)
    if seconds is None:
        return None
    return {k: sum(v.values()) / 3600 for k, v in seconds.items()}


# DECISION: the per-day variants get their own keys, ``online_hours_per_day`` and
# ``phone_minutes_per_day``, so the 8 h/day and ≥120 min/day recommendations have a figure to sit
# beside.
def m_online_hours_per_day(ctx: Ctx) -> Result:
    """online_hours "also per worked day": online hours ÷ days worked."""
    hours = m_online_hours(ctx)
    if hours is None:
        return None
    days = _worked_days(ctx)
    return {k: v for k in days if (v := _ratio(hours.get(k, 0.0), days[k])) is not None}


def m_sessions_per_hour(ctx: Ctx) -> Result:
    """sessions_per_hour 每小时接待数: sessions ÷ online hours."""
    hours = m_online_hours(ctx)
    if hours is None:
        return None
    sessions = m_sessions(ctx) or {}
    return {k: v for k in hours if (v := _ratio(sessions.get(k, 0.0), hours[k])) is not None}


# DECISION: counted per agent (it is a per-seat figure, compared with max_concurrency); a
# group/center value is the highest agent peak inside it, not the center-wide number of open legs.
# The peak of a period is taken at the moments its legs are accepted (the number of open legs
# only rises then) and counts every leg of the agent open at that moment, also one accepted
# before the period and still open. Only legs with an agent and ended_at take part.
def m_peak_concurrency(ctx: Ctx) -> Result:
    """peak_concurrency 最大接待量: most legs open at once (accepted_at ≤ t < ended_at)."""
    spans: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = defaultdict(list)
    for leg in ctx.legs:  # every accepted leg of the agent, whatever its period
        if leg.accepted_at is not None and leg.ended_at is not None and leg.agent_id:
            spans[leg.agent_id].append((leg.accepted_at, leg.ended_at))
    out: dict[Key, float] = {}
    for key, leg in ctx.period_legs():
        if leg.ended_at is None or not leg.agent_id:
            continue
        moment = leg.accepted_at
        open_now = sum(1 for start, end in spans[leg.agent_id] if start <= moment < end)
        out[key] = max(out.get(key, 0.0), float(open_now))
    return out


# DECISION: "agent" = manual agent messages (manual/canned/kb); `auto` replies are machine
# messages and are counted with system+bot. Value is a list [customer ÷ system, agent ÷ system,
# 1.0]; null when there is no system/bot/auto message.
def m_message_ratio(ctx: Ctx) -> dict[Key, Any] | None:
    """message_ratio 客户:客服:系统消息比: customer : agent : (system+bot), system = 1."""
    if not ctx.has_messages_table:
        return None
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, leg in ctx.period_legs():
        c = counts[key]
        for m in leg.messages:
            if m["sender"] == "customer":
                c[0] += 1
            elif _is_manual(m):
                c[1] += 1
            else:  # system, bot, auto
                c[2] += 1
    return {k: [c[0] / c[2], c[1] / c[2], 1.0] for k, c in counts.items() if c[2]}


def m_callbacks(ctx: Ctx) -> Result:
    """callbacks 回访数: legs with origin callback."""
    if "sessions" not in ctx.tables:
        return None
    out: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        out[key] += leg.origin == "callback"
    return out


# DECISION: tags are split on ';', stripped, and compared exactly (case-sensitive).
def m_leads(ctx: Ctx) -> Result:
    """leads 有效线索数: valid legs tagged with the lead tag (default `lead`)."""
    if not ctx.has_messages_table or not _has_column(ctx.tables, "sessions", "tags"):
        return None
    tag = ctx.th["lead_tag"]
    out: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        out[key] += leg.is_valid and tag in _split_tags(leg.row.get("tags"))
    return out


def m_phone_minutes(ctx: Ctx) -> Result:
    """phone_minutes 通话时长: sum of (ended_at − accepted_at) over phone legs, in minutes."""
    if not _has_column(ctx.tables, "sessions", "channel"):
        return None
    out: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        if leg.channel == "phone" and leg.ended_at is not None and leg.accepted_at is not None:
            out[key] += _seconds(leg.ended_at, leg.accepted_at) / 60
    return out


def m_phone_minutes_per_day(ctx: Ctx) -> Result:
    """phone_minutes "also per worked day": phone minutes ÷ days worked."""
    minutes = m_phone_minutes(ctx)
    if minutes is None:
        return None
    days = _worked_days(ctx)
    return {k: v for k in days if (v := _ratio(minutes.get(k, 0.0), days[k])) is not None}


# --------------------------------------------------------------------------------------
# Speed 响应
# --------------------------------------------------------------------------------------


# DECISION: "session" = leg. A leg whose first customer turn is unanswered (or that has no
# customer message) contributes nothing; it is neither 0 nor excluded silently from anything else
# (reply_rate shows it).
def m_first_response_time(ctx: Ctx) -> Result:
    """first_response_time 首次响应时间: mean over sessions of the first turn's response (s)."""
    if not ctx.has_messages_table:
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_legs():
        if leg.first_turn_answered:
            values[key].append(leg.response_times[0])
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


def m_avg_response_time(ctx: Ctx) -> Result:
    """avg_response_time 平均响应时间: mean over all response pairs (s)."""
    if not ctx.has_messages_table:
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_legs():
        values[key].extend(leg.response_times)
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


# DECISION: the numerator is taken inside the denominator's legs (a callback leg where the
# customer never wrote does not count as "replied"), so the rate never exceeds 1. agent_offline
# empty = False.
def m_reply_rate(ctx: Ctx) -> Result:
    """reply_rate 回复率: legs with ≥1 manual agent message ÷ accepted legs with ≥1 customer
    message, excluding agent_offline legs.
    """
    if not ctx.has_messages_table:
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        if not leg.has_customer_message or _flag(leg.row.get("agent_offline")):
            continue
        den[key] += 1
        num[key] += leg.has_manual_agent_message
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def m_avg_session_duration(ctx: Ctx) -> Result:
    """avg_session_duration 平均会话时间: mean(ended_at − accepted_at) (s).

    Legs without messages (phone) count here. Legs without ended_at are left out.
    """
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_legs():
        if leg.ended_at is not None and leg.accepted_at is not None:
            values[key].append(_seconds(leg.ended_at, leg.accepted_at))
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


def m_acw_time(ctx: Ctx) -> Result:
    """acw_time 事后处理时间: mean acw_seconds (over legs where it is given)."""
    if not _has_column(ctx.tables, "sessions", "acw_seconds"):
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_legs():
        if leg.row.get("acw_seconds") is not None:
            values[key].append(float(leg.row["acw_seconds"]))
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


# DECISION: a leg with an empty acw_seconds (or ended_at) is left out rather than read as acw 0;
# the whole figure is null when the column is absent.
def m_aht(ctx: Ctx) -> Result:
    """aht 平均处理时长: mean(ended_at − accepted_at + acw_seconds)."""
    if not _has_column(ctx.tables, "sessions", "acw_seconds"):
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_legs():
        acw = leg.row.get("acw_seconds")
        if acw is None or leg.ended_at is None or leg.accepted_at is None:
            continue
        values[key].append(_seconds(leg.ended_at, leg.accepted_at) + float(acw))
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


# --------------------------------------------------------------------------------------
# Queue 排队 (center, group, channel): attributed by created_at
# --------------------------------------------------------------------------------------


def m_connection_rate(ctx: Ctx) -> Result:
    """connection_rate 接通率: accepted requests ÷ all requests (inbound + callback)."""
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_requests():
        den[key] += 1
        num[key] += leg.accepted_at is not None
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def m_avg_queue_time(ctx: Ctx) -> Result:
    """avg_queue_time 平均排队时间: mean(accepted_at − queued_at) over queued, accepted requests."""
    if not _has_column(ctx.tables, "sessions", "queued_at"):
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_requests():
        if leg.queued_at is not None and leg.accepted_at is not None:
            values[key].append(_seconds(leg.accepted_at, leg.queued_at))
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


def m_avg_abandon_time(ctx: Ctx) -> Result:
    """avg_abandon_time 排队平均放弃时间: mean(abandoned_at − coalesce(queued_at, created_at))."""
    if not _has_column(ctx.tables, "sessions", "abandoned_at"):
        return None
    values: dict[Key, list[float]] = defaultdict(list)
    for key, leg in ctx.period_requests():
        if leg.abandoned_at is None:
            continue
        waited_from = leg.queued_at or leg.created_at
        assert waited_from is not None
        values[key].append(_seconds(leg.abandoned_at, waited_from))
    return {k: v for k, vs in values.items() if (v := _mean(vs)) is not None}


def m_abandon_rate(ctx: Ctx) -> Result:
    """abandon_rate 放弃率: abandoned ÷ requests."""
    if not _has_column(ctx.tables, "sessions", "abandoned_at"):
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_requests():
        den[key] += 1
        num[key] += leg.abandoned_at is not None
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# DECISION: strictly greater than the threshold; a request with neither accepted_at nor
# abandoned_at has no known wait and is not counted as waiting (still in the denominator). When
# both are set, the earlier one ends the wait.
def m_queue_rate(ctx: Ctx) -> Result:
    """queue_rate 队列放置率: requests waiting > 60 s (configurable), counted from
    coalesce(queued_at, created_at) to accept or abandon, ÷ requests.
    """
    limit = float(ctx.th["queue_threshold_seconds"])
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_requests():
        den[key] += 1
        start = leg.queued_at or leg.created_at
        ends = [t for t in (leg.accepted_at, leg.abandoned_at) if t is not None]
        if start is not None and ends and _seconds(min(ends), start) > limit:
            num[key] += 1
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# --------------------------------------------------------------------------------------
# Quality 质量
# --------------------------------------------------------------------------------------


def m_transfer_rate(ctx: Ctx) -> Result:
    """transfer_rate 转接率: legs with transferred_out ÷ accepted legs."""
    if not _has_column(ctx.tables, "sessions", "transferred_out"):
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        den[key] += 1
        num[key] += _flag(leg.row.get("transferred_out"))
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def _conversations(ctx: Ctx) -> dict[str, list[Leg]]:
    """Conversations = chains of legs joined by previous_session_id, keyed by the root leg."""

    def root_of(leg: Leg) -> str:
        seen = {leg.session_id}
        current = leg
        while current.previous_session_id is not None:
            prev = ctx.legs_by_id.get(current.previous_session_id)
            if prev is None or prev.session_id in seen:  # unknown parent or a cycle
                break
            seen.add(prev.session_id)
            current = prev
        return current.session_id

    chains: dict[str, list[Leg]] = defaultdict(list)
    for leg in ctx.legs:
        chains[root_of(leg)].append(leg)
    return chains


# DECISION (all of these):
# - Only conversations whose first leg is inbound are counted: a callback is the agent's
#   follow-up, not a customer inquiry (咨询), and it is what makes another one unresolved.
# - The last leg = the accepted leg of the chain with the latest accepted_at (ties by
#   session_id); the conversation belongs to the period of that leg's accepted_at.
#   Chains with no accepted leg are left out.
# - The window is (last leg's ended_at, ended_at + window]; ended_at empty → accepted_at.
# - Customer = first non-empty customer_id along the chain (by created_at).
# - A "new inbound conversation" is any other chain whose root leg is inbound, for the same
#   customer, created inside the window, accepted or not (coming back is what counts).
#   A "callback" is any callback leg outside this chain for the same customer, created
#   inside the window.
# - Data after the period end is used when present (the window may cross it).
def m_fcr_rate(ctx: Ctx) -> Result:
    """fcr_rate 一次性解决率: conversations whose customer starts no new inbound conversation
    and gets no callback within the window (24 h) ÷ conversations with a known customer;
    credited to the last leg's agent.
    """
    window = pd.Timedelta(hours=float(ctx.th["fcr_window_hours"]))
    chains = _conversations(ctx)
    # What each customer did afterwards: (created_at, chain root) of every new inbound
    # conversation and of every callback leg, listed per customer.
    returns: dict[str, list[tuple[pd.Timestamp, str]]] = defaultdict(list)
    root_of_leg: dict[str, str] = {}
    for root_id, chain in chains.items():
        for leg in chain:
            root_of_leg[leg.session_id] = root_id
        root = ctx.legs_by_id[root_id]
        if root.origin == "inbound" and root.customer_id and root.created_at is not None:
            returns[root.customer_id].append((root.created_at, root_id))
    for leg in ctx.legs:
        if leg.origin == "callback" and leg.customer_id and leg.created_at is not None:
            returns[leg.customer_id].append((leg.created_at, root_of_leg[leg.session_id]))

    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for root_id, chain in chains.items():
        if ctx.legs_by_id[root_id].origin != "inbound":
            continue
        accepted = [leg for leg in chain if leg.accepted_at is not None]
        if not accepted:
            continue
        last = max(accepted, key=lambda leg: (leg.accepted_at, leg.session_id))
        if not ctx.in_period(last.accepted_at):
            continue
        ordered = sorted(chain, key=lambda leg: (leg.created_at is None, leg.created_at))
        customer = next((leg.customer_id for leg in ordered if leg.customer_id), None)
        if customer is None:
            continue  # only conversations with a known customer
        ok, key = ctx.leg_key(last)
        if not ok:
            continue
        ended = last.ended_at or last.accepted_at
        assert ended is not None
        limit = ended + window
        came_back = any(other != root_id and ended < t <= limit for t, other in returns[customer])
        den[key] += 1
        num[key] += not came_back
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def _invalid_rate(ctx: Ctx, origin: str | None) -> Result:
    if not ctx.has_messages_table:
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        if not leg.has_messages or (origin is not None and leg.origin != origin):
            continue  # legs without messages are neither valid nor invalid
        den[key] += 1
        num[key] += leg.is_invalid
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def m_invalid_rate(ctx: Ctx) -> Result:
    """invalid_rate 无效咨询率: invalid ÷ accepted legs that have messages."""
    return _invalid_rate(ctx, None)


def m_invalid_rate_inbound(ctx: Ctx) -> Result:
    """invalid_rate_inbound: the same, over inbound legs only."""
    return _invalid_rate(ctx, "inbound")


def m_invalid_rate_callback(ctx: Ctx) -> Result:
    """invalid_rate_callback: the same, over callback legs only."""
    return _invalid_rate(ctx, "callback")


# DECISION: every rating with stars counts, also a rating on an invalid leg (the customer rated
# the service); ratings of legs never accepted are left out (no agent).
def _period_ratings(ctx: Ctx) -> dict[Key, list[int]] | None:
    """Stars per key: each rating goes to the rated leg's agent and the leg's period."""
    if "ratings" not in ctx.tables or not _has_column(ctx.tables, "ratings", "stars"):
        return None
    out: dict[Key, list[int]] = defaultdict(list)
    period_legs = {leg.session_id: key for key, leg in ctx.period_legs()}
    for row in _records(ctx.tables["ratings"]):
        sid = str(row.get("session_id"))
        if row.get("stars") is None or sid not in period_legs:
            continue
        out[period_legs[sid]].append(int(row["stars"]))
    return out


def m_satisfaction_score(ctx: Ctx) -> Result:
    """satisfaction_score 咨询好评率(百分制): mean(stars) ÷ 5 × 100."""
    ratings = _period_ratings(ctx)
    if ratings is None:
        return None
    return {k: sum(v) / len(v) / 5 * 100 for k, v in ratings.items() if v}


def m_good_rating_rate(ctx: Ctx) -> Result:
    """good_rating_rate 好评率 (CSAT): ratings with ≥4 stars ÷ ratings."""
    ratings = _period_ratings(ctx)
    if ratings is None:
        return None
    return {k: sum(s >= 4 for s in v) / len(v) for k, v in ratings.items() if v}


def m_bad_rating_rate(ctx: Ctx) -> Result:
    """bad_rating_rate 差评率: ratings with ≤2 stars ÷ ratings."""
    ratings = _period_ratings(ctx)
    if ratings is None:
        return None
    return {k: sum(s <= 2 for s in v) / len(v) for k, v in ratings.items() if v}


# DECISION: "with a rating" = a ratings row with stars (an invitation alone is not a rating; the
# `invited` column is not used here).
def m_rating_participation(ctx: Ctx) -> Result:
    """rating_participation 满意度参评率: valid legs with a rating ÷ valid legs."""
    if not ctx.has_messages_table or "ratings" not in ctx.tables:
        return None
    if not _has_column(ctx.tables, "ratings", "stars"):
        return None
    rated = {
        str(r.get("session_id"))
        for r in _records(ctx.tables["ratings"])
        if r.get("stars") is not None
    }
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        if leg.is_valid:
            den[key] += 1
            num[key] += leg.session_id in rated
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# DECISION: an empty review agent_id falls back to the reviewed session's agent. For by="group"
# the review goes to the reviewed agent's group (agents table).
def _period_reviews(ctx: Ctx) -> list[tuple[Key, Row]] | None:
    """QA reviews in the period of their reviewed_at, for the agent reviewed."""
    if "qa_reviews" not in ctx.tables:
        return None
    out = []
    for row in _records(ctx.tables["qa_reviews"]):
        if not ctx.in_period(_ts(row.get("reviewed_at"))):
            continue
        agent = row.get("agent_id")
        if agent is None and row.get("session_id") is not None:
            leg = ctx.legs_by_id.get(str(row["session_id"]))
            agent = leg.agent_id if leg else None
        ok, key = ctx.agent_key(agent)
        if ok:
            out.append((key, row))
    return out


def m_qa_pass_rate(ctx: Ctx) -> Result:
    """qa_pass_rate 质检合格率: reviews scoring ≥ pass mark (97) ÷ reviews (with a score)."""
    if not _has_column(ctx.tables, "qa_reviews", "score"):
        return None
    reviews = _period_reviews(ctx) or []
    mark = float(ctx.th["qa_pass_mark"])
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, row in reviews:
        if row.get("score") is None:
            continue
        den[key] += 1
        num[key] += float(row["score"]) >= mark
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# DECISION: a reviewer-day is a distinct (reviewer, local date of reviewed_at) among the reviews
# in scope; reported for group and center only (it measures reviewers, not the agents reviewed).
# Reviews without a reviewer are left out of both sides.
def m_qa_per_reviewer_day(ctx: Ctx) -> Result:
    """qa_per_reviewer_day 质检量: reviews ÷ reviewer-days."""
    if not _has_column(ctx.tables, "qa_reviews", "reviewer"):
        return None
    reviews = _period_reviews(ctx) or []
    count: dict[Key, float] = defaultdict(float)
    days: dict[Key, set[tuple[str, dt.date]]] = defaultdict(set)
    for key, row in reviews:
        if row.get("reviewer") is None:
            continue
        ts = _ts(row["reviewed_at"])
        assert ts is not None
        count[key] += 1
        days[key].add((str(row["reviewer"]), ctx.local_date(ts)))
    return {k: v for k in count if (v := _ratio(count[k], len(days[k]))) is not None}


def m_realtime_qa_share(ctx: Ctx) -> Result:
    """realtime_qa_share 实时质检占比: realtime reviews ÷ reviews (with a mode)."""
    if not _has_column(ctx.tables, "qa_reviews", "mode"):
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, row in _period_reviews(ctx) or []:
        if row.get("mode") is None:
            continue
        den[key] += 1
        num[key] += row["mode"] == "realtime"
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# DECISION: the denominator is the accepted legs whose `resolved` is filled in (True or False). An
# empty value means "not applicable / not tracked" (e.g. pre-sales legs, where the flag is not
# used), not "unresolved"; a dimension value with no filled-in leg is null, and so is the whole
# figure when the column is absent or empty everywhere.
def m_resolution_rate(ctx: Ctx) -> Result:
    """resolution_rate 解决率: resolved ÷ accepted legs."""
    if not _has_column(ctx.tables, "sessions", "resolved"):
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        resolved = leg.row.get("resolved")
        if resolved is None:
            continue
        den[key] += 1
        num[key] += bool(resolved)
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def m_kb_usage(ctx: Ctx) -> Result:
    """kb_usage 知识库使用率: valid legs with a canned or kb message ÷ valid legs."""
    if not ctx.has_messages_table:
        return None
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for key, leg in ctx.period_legs():
        if leg.is_valid:
            den[key] += 1
            num[key] += leg.uses_kb
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


# --------------------------------------------------------------------------------------
# Time and attendance 状态与考勤
# --------------------------------------------------------------------------------------


def _state_share(ctx: Ctx, state: str) -> Result:
    seconds = _online_seconds(ctx)
    if seconds is None:
        return None
    return {
        k: v for k, s in seconds.items() if (v := _ratio(s[state], sum(s.values()))) is not None
    }


def m_work_rate(ctx: Ctx) -> Result:
    """work_rate 实际工作率: idle time ÷ online time."""
    return _state_share(ctx, "idle")


def m_busy_share(ctx: Ctx) -> Result:
    """busy_share 忙碌占比: busy time ÷ online time."""
    return _state_share(ctx, "busy")


def m_away_share(ctx: Ctx) -> Result:
    """away_share 离开占比: away time ÷ online time."""
    return _state_share(ctx, "away")


def _attendance(ctx: Ctx) -> list[tuple[Key, Row, dt.date]]:
    out = []
    for row in _records(ctx.tables.get("attendance")):
        day = _to_date(row.get("date"))
        if not ctx.date_in_period(day):
            continue
        ok, key = ctx.agent_key(row.get("agent_id"))
        if ok and day is not None:
            out.append((key, row, day))
    return out


def _local_datetime(ctx: Ctx, day: dt.date, t: dt.time) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(day, t, tzinfo=ctx.tz)).tz_convert("UTC")


# DECISION: strictly after start + grace; scheduled times are local times of the row's date; rows
# without clock_in or scheduled_start are not counted.
def m_late_count(ctx: Ctx) -> Result:
    """late_count 迟到次数: clock_in after scheduled_start (+ grace minutes)."""
    if not _has_column(ctx.tables, "attendance", "clock_in"):
        return None
    if not _has_column(ctx.tables, "attendance", "scheduled_start"):
        return None
    grace = pd.Timedelta(minutes=float(ctx.th["late_grace_minutes"]))
    out: dict[Key, float] = defaultdict(float)
    for key, row, day in _attendance(ctx):
        out[key] += 0
        start, clock_in = _to_time(row.get("scheduled_start")), _ts(row.get("clock_in"))
        if start is None or clock_in is None:
            continue
        out[key] += clock_in > _local_datetime(ctx, day, start) + grace
    return out


# DECISION: the same grace applies; a scheduled_end earlier than scheduled_start is an overnight
# shift ending on the next day.
def m_early_leave_count(ctx: Ctx) -> Result:
    """early_leave_count 早退次数: clock_out before scheduled_end (− grace minutes)."""
    if not _has_column(ctx.tables, "attendance", "clock_out"):
        return None
    if not _has_column(ctx.tables, "attendance", "scheduled_end"):
        return None
    grace = pd.Timedelta(minutes=float(ctx.th["late_grace_minutes"]))
    out: dict[Key, float] = defaultdict(float)
    for key, row, day in _attendance(ctx):
        out[key] += 0
        end, clock_out = _to_time(row.get("scheduled_end")), _ts(row.get("clock_out"))
        if end is None or clock_out is None:
            continue
        start = _to_time(row.get("scheduled_start"))
        end_day = day + dt.timedelta(days=1) if start is not None and end < start else day
        out[key] += clock_out < _local_datetime(ctx, end_day, end) - grace
    return out


def _attendance_sum(ctx: Ctx, column: str) -> Result:
    if not _has_column(ctx.tables, "attendance", column):
        return None
    out: dict[Key, float] = defaultdict(float)
    for key, row, _day in _attendance(ctx):
        out[key] += float(row.get(column) or 0)
    return out


def m_absent_days(ctx: Ctx) -> Result:
    """absent_days 旷工天数: sum of attendance.absent_days over the period's dates."""
    return _attendance_sum(ctx, "absent_days")


def m_leave_days(ctx: Ctx) -> Result:
    """leave_days 请假天数: sum of attendance.leave_days over the period's dates."""
    return _attendance_sum(ctx, "leave_days")


# --------------------------------------------------------------------------------------
# Business 业务
# --------------------------------------------------------------------------------------


# DECISION: consulting customers = distinct customer_id of inbound requests created in the period
# (accepted or not); visitors = sum of visits.visitors over the period's dates. Reported at center
# level only (visits have no group or agent).
def m_consult_rate(ctx: Ctx) -> Result:
    """consult_rate 咨询率: distinct consulting customers ÷ visitors (center only)."""
    if not _has_column(ctx.tables, "visits", "visitors"):
        return None
    visitors = sum(
        float(r["visitors"])
        for r in _records(ctx.tables["visits"])
        if r.get("visitors") is not None and ctx.date_in_period(_to_date(r.get("date")))
    )
    customers = {
        leg.customer_id
        for _key, leg in ctx.period_requests()
        if leg.origin == "inbound" and leg.customer_id
    }
    value = _ratio(len(customers), visitors)
    return {} if value is None else {None: value}


# DECISION: ended_at empty → the window runs 48 h from accepted_at. Both ends inclusive.
def _window(ctx: Ctx, leg: Leg) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Attribution window: from accepted_at to 48 h (configurable) after ended_at."""
    assert leg.accepted_at is not None
    hours = pd.Timedelta(hours=float(ctx.th["attribution_window_hours"]))
    return leg.accepted_at, (leg.ended_at or leg.accepted_at) + hours


def _orders(ctx: Ctx) -> list[Row]:
    """Orders minus fake ones ("fake orders excluded everywhere"); fake empty = False."""
    return [r for r in _records(ctx.tables.get("orders")) if not _flag(r.get("fake"))]


def _valid_legs_of(ctx: Ctx) -> dict[str, list[Leg]]:
    out: dict[str, list[Leg]] = defaultdict(list)
    for leg in ctx.legs:
        if leg.accepted_at is not None and leg.customer_id and leg.is_valid:
            out[leg.customer_id].append(leg)
    return out


@dataclass
class Credit:
    order: Row
    key: Key
    customer: str  # customer_id, or "order:<id>" when the order has none


# DECISION: an order with agent_id set is credited to that agent and may *also* be silent (silent
# is about the customer not consulting). For by="group" an order credited through a leg goes to
# that leg's group, one credited through order.agent_id to the agent's group. Orders without
# customer_id count as one paying customer each.
def _credited_orders(ctx: Ctx) -> tuple[list[Credit], list[Row]]:
    """(credited paid orders, silent paid orders) for orders paid in the period.

    Credit: order.agent_id when set, else the agent of the customer's latest valid leg whose
    attribution window holds the order's created_at (latest = latest accepted_at; legs from
    any date count, not only the period's). Silent: no valid leg's window holds created_at.
    """
    valid_legs = _valid_legs_of(ctx)
    credited: list[Credit] = []
    silent: list[Row] = []
    for order in _orders(ctx):
        if not ctx.in_period(_ts(order.get("paid_at"))):
            continue
        created = _ts(order.get("created_at"))
        customer = order.get("customer_id")
        holders = []
        if customer is not None and created is not None:
            for leg in valid_legs.get(customer, []):
                lo, hi = _window(ctx, leg)
                if lo <= created <= hi:
                    holders.append(leg)
        if not holders:
            silent.append(order)
        who = customer if customer else f"order:{order.get('order_id')}"
        if order.get("agent_id") is not None:
            ok, key = ctx.agent_key(order["agent_id"])
        elif holders:
            latest = max(holders, key=lambda leg: (leg.accepted_at, leg.session_id))
            ok, key = ctx.leg_key(latest)
        else:
            continue
        if ok:
            credited.append(Credit(order, key, who))
    return credited, silent


# DECISION: `amount` as paid (refunds do not reduce it; refund_rate shows them). At center level
# the figure is the sum over credited orders only, so it equals the sum of agents; silent_sales is
# reported beside it.
def m_sales_amount(ctx: Ctx) -> Result:
    """sales_amount 销售额: paid amount of orders paid in the period, credited to the agent."""
    if not _has_column(ctx.tables, "orders", "amount"):
        return None
    credited, _silent = _credited_orders(ctx)
    out: dict[Key, float] = defaultdict(float)
    for c in credited:
        out[c.key] += float(c.order.get("amount") or 0)
    return out


def m_aov(ctx: Ctx) -> Result:
    """aov 客单价: sales_amount ÷ paying customers credited."""
    sales = m_sales_amount(ctx)
    if sales is None:
        return None
    credited, _silent = _credited_orders(ctx)
    customers: dict[Key, set[str]] = defaultdict(set)
    for c in credited:
        customers[c.key].add(c.customer)
    return {
        k: v for k in customers if (v := _ratio(sales.get(k, 0.0), len(customers[k]))) is not None
    }


def m_items_per_customer(ctx: Ctx) -> Result:
    """items_per_customer 客件数: items ÷ paying customers credited."""
    if not _has_column(ctx.tables, "orders", "items"):
        return None
    credited, _silent = _credited_orders(ctx)
    items: dict[Key, float] = defaultdict(float)
    customers: dict[Key, set[str]] = defaultdict(set)
    for c in credited:
        items[c.key] += float(c.order.get("items") or 0)
        customers[c.key].add(c.customer)
    return {k: v for k in customers if (v := _ratio(items[k], len(customers[k]))) is not None}


# DECISION: "with a refund" = refunded_amount > 0 or refunded_at set (whenever it happened); null
# when both columns are absent.
def m_refund_rate(ctx: Ctx) -> Result:
    """refund_rate 退款率: credited paid orders with a refund ÷ credited paid orders."""
    if not (
        _has_column(ctx.tables, "orders", "refunded_amount")
        or _has_column(ctx.tables, "orders", "refunded_at")
    ):
        return None
    credited, _silent = _credited_orders(ctx)
    num: dict[Key, float] = defaultdict(float)
    den: dict[Key, float] = defaultdict(float)
    for c in credited:
        den[c.key] += 1
        refunded = float(c.order.get("refunded_amount") or 0) > 0
        num[c.key] += refunded or c.order.get("refunded_at") is not None
    return {k: v for k in den if (v := _ratio(num[k], den[k])) is not None}


def m_silent_sales(ctx: Ctx) -> Result:
    """silent_sales 静默下单销售额: paid orders whose customer had no valid leg in the window
    before the order (sum of amount, orders paid in the period). Center only.
    """
    if not _has_column(ctx.tables, "orders", "amount"):
        return None
    _credited, silent = _credited_orders(ctx)
    return {None: sum(float(o.get("amount") or 0) for o in silent)}


# DECISION: the valid legs are the period's (by accepted_at) legs of the dimension value; "later
# paid" = paid_at set at any time (not only inside the period). A customer counts once per
# dimension value (an agent, a group, the center), so agents' counts need not add up to the
# center's.
def m_inquiry_conversion(ctx: Ctx) -> Result:
    """inquiry_conversion 询单转化率: distinct customers with a valid leg who place an order
    later paid, created inside the attribution window of one of those legs ÷ distinct
    customers with a valid leg; fake orders excluded.
    """
    if not ctx.has_messages_table or "orders" not in ctx.tables:
        return None
    paid: dict[str, list[Row]] = defaultdict(list)  # orders later paid, by customer
    for o in _orders(ctx):
        if o.get("paid_at") is not None and o.get("customer_id"):
            paid[o["customer_id"]].append(o)
    customers: dict[Key, set[str]] = defaultdict(set)
    converted: dict[Key, set[str]] = defaultdict(set)
    for key, leg in ctx.period_legs():
        if not leg.is_valid or not leg.customer_id:
            continue
        customers[key].add(leg.customer_id)
        lo, hi = _window(ctx, leg)
        for order in paid[leg.customer_id]:
            created = _ts(order.get("created_at"))
            if created is not None and lo <= created <= hi:
                converted[key].add(leg.customer_id)
    return {
        k: v for k in customers if (v := _ratio(len(converted[k]), len(customers[k]))) is not None
    }


# DECISION: an agent is on the headcount on day d when hired_on ≤ d (or hired_on empty) and
# left_on is empty or later than d (left_on is the first day away); mean headcount is the mean of
# the daily headcount over the period's days. Leavers: left_on inside the period. Group/center
# only (group from agents.group).
def m_turnover_rate(ctx: Ctx) -> Result:
    """turnover_rate 客服流动率: agents leaving in the period ÷ mean headcount over the period."""
    if "agents" not in ctx.tables or "left_on" not in ctx.tables["agents"].columns:
        return None
    leavers: dict[Key, float] = defaultdict(float)
    heads: dict[Key, float] = defaultdict(float)
    days = ctx.days()
    for row in _records(ctx.tables["agents"]):
        ok, key = ctx.agent_key(row.get("agent_id"))
        if not ok:
            continue
        hired, left = _to_date(row.get("hired_on")), _to_date(row.get("left_on"))
        heads[key] += sum(
            (hired is None or hired <= d) and (left is None or d < left) for d in days
        )
        leavers[key] += ctx.date_in_period(left)
    out: dict[Key, float] = {}
    for k in heads:
        value = _ratio(leavers[k], heads[k] / len(days))
        if value is not None:
            out[k] = value
    return out


# --------------------------------------------------------------------------------------
# Registry and entry point
# --------------------------------------------------------------------------------------

# (key, function, kind, dimensions). kind "count": 0 for a dimension value with no facts
# (when the input is present); kind "ratio": null.
METRICS: list[tuple[str, Callable[[Ctx], Any], str, frozenset[str]]] = [
    ("sessions", m_sessions, "count", ALL_DIMS),
    ("valid_sessions", m_valid_sessions, "count", ALL_DIMS),
    ("daily_sessions", m_daily_sessions, "ratio", ALL_DIMS),
    ("sessions_per_hour", m_sessions_per_hour, "ratio", ALL_DIMS),
    ("peak_concurrency", m_peak_concurrency, "ratio", ALL_DIMS),
    ("message_ratio", m_message_ratio, "ratio", ALL_DIMS),
    ("callbacks", m_callbacks, "count", ALL_DIMS),
    ("leads", m_leads, "count", ALL_DIMS),
    ("phone_minutes", m_phone_minutes, "count", ALL_DIMS),
    ("phone_minutes_per_day", m_phone_minutes_per_day, "ratio", ALL_DIMS),
    ("first_response_time", m_first_response_time, "ratio", ALL_DIMS),
    ("avg_response_time", m_avg_response_time, "ratio", ALL_DIMS),
    ("reply_rate", m_reply_rate, "ratio", ALL_DIMS),
    ("avg_session_duration", m_avg_session_duration, "ratio", ALL_DIMS),
    ("acw_time", m_acw_time, "ratio", ALL_DIMS),
    ("aht", m_aht, "ratio", ALL_DIMS),
    # DECISION: queue figures are not reported per agent (an abandoned request has no
    # agent); they are center/group (and channel) figures.
    ("connection_rate", m_connection_rate, "ratio", NOT_AGENT),
    ("avg_queue_time", m_avg_queue_time, "ratio", NOT_AGENT),
    ("avg_abandon_time", m_avg_abandon_time, "ratio", NOT_AGENT),
    ("abandon_rate", m_abandon_rate, "ratio", NOT_AGENT),
    ("queue_rate", m_queue_rate, "ratio", NOT_AGENT),
    ("transfer_rate", m_transfer_rate, "ratio", ALL_DIMS),
    ("fcr_rate", m_fcr_rate, "ratio", ALL_DIMS),
    ("invalid_rate", m_invalid_rate, "ratio", ALL_DIMS),
    ("invalid_rate_inbound", m_invalid_rate_inbound, "ratio", ALL_DIMS),
    ("invalid_rate_callback", m_invalid_rate_callback, "ratio", ALL_DIMS),
    ("satisfaction_score", m_satisfaction_score, "ratio", ALL_DIMS),
    ("good_rating_rate", m_good_rating_rate, "ratio", ALL_DIMS),
    ("bad_rating_rate", m_bad_rating_rate, "ratio", ALL_DIMS),
    ("rating_participation", m_rating_participation, "ratio", ALL_DIMS),
    ("qa_pass_rate", m_qa_pass_rate, "ratio", ALL_DIMS),
    ("qa_per_reviewer_day", m_qa_per_reviewer_day, "ratio", NOT_AGENT),
    ("realtime_qa_share", m_realtime_qa_share, "ratio", ALL_DIMS),
    ("resolution_rate", m_resolution_rate, "ratio", ALL_DIMS),
    ("kb_usage", m_kb_usage, "ratio", ALL_DIMS),
    ("online_hours", m_online_hours, "count", ALL_DIMS),
    ("online_hours_per_day", m_online_hours_per_day, "ratio", ALL_DIMS),
    ("work_rate", m_work_rate, "ratio", ALL_DIMS),
    ("busy_share", m_busy_share, "ratio", ALL_DIMS),
    ("away_share", m_away_share, "ratio", ALL_DIMS),
    ("late_count", m_late_count, "count", ALL_DIMS),
    ("early_leave_count", m_early_leave_count, "count", ALL_DIMS),
    ("absent_days", m_absent_days, "count", ALL_DIMS),
    ("leave_days", m_leave_days, "count", ALL_DIMS),
    ("consult_rate", m_consult_rate, "ratio", CENTER_ONLY),
    ("inquiry_conversion", m_inquiry_conversion, "ratio", ALL_DIMS),
    ("sales_amount", m_sales_amount, "count", ALL_DIMS),
    ("aov", m_aov, "ratio", ALL_DIMS),
    ("items_per_customer", m_items_per_customer, "ratio", ALL_DIMS),
    ("refund_rate", m_refund_rate, "ratio", ALL_DIMS),
    ("silent_sales", m_silent_sales, "count", CENTER_ONLY),
    ("turnover_rate", m_turnover_rate, "ratio", NOT_AGENT),
]


def _period_labels(start: dt.date, end: dt.date) -> set[str]:
    """The `targets.period` spellings that denote exactly start..end."""
    labels = set()
    if start == end:
        labels.add(start.isoformat())
    next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if start.day == 1 and end == next_month - dt.timedelta(days=1):
        labels.add(f"{start:%Y-%m}")
    iso = start.isocalendar()
    if iso.weekday == 1 and end == start + dt.timedelta(days=6):
        labels.add(f"{iso.year}-W{iso.week:02d}")
    return labels


# DECISION: written as extra keys ``target_achievement:<metric>``; a target applies when its scope
# names the dimension value (``agent:<id>``, ``group:<name>``, ``center``) and its period is
# exactly the requested range (``2026-10``, ``2026-W42``, ``2026-10-05``). Null when the actual is
# null or the target is 0.
def _target_achievement(
    tables: Tables, by: str, start: dt.date, end: dt.date, result: dict[Key, dict[str, Any]]
) -> None:
    """target_achievement 目标达成率: actual ÷ target, for any metric with a row in targets."""
    if "targets" not in tables:
        return
    labels = _period_labels(start, end)
    for row in _records(tables["targets"]):
        if str(row.get("period")) not in labels or row.get("metric") is None:
            continue
        scope = str(row.get("scope"))
        if by == "center" and scope == "center":
            key: Key = None
        elif scope.startswith(f"{by}:") and by != "center":
            key = scope.split(":", 1)[1]
        else:
            continue
        if key not in result:
            continue
        actual = result[key].get(str(row["metric"]))
        target = row.get("target")
        value = (
            float(actual) / float(target) if isinstance(actual, (int, float)) and target else None
        )
        result[key][f"target_achievement:{row['metric']}"] = value


def _prepare_legs(tables: Tables) -> tuple[list[Leg], bool]:
    legs = [Leg(row) for row in _records(tables.get("sessions"))]
    has_messages = "messages" in tables
    if has_messages:
        by_session: dict[str, list[Row]] = defaultdict(list)
        for m in _records(tables["messages"]):
            by_session[str(m["session_id"])].append(m)
        for leg in legs:
            msgs = by_session.get(leg.session_id, [])
            msgs.sort(key=lambda m: (_ts(m["sent_at"]), str(m["message_id"])))
            leg.messages = msgs
            _response_pairs(leg)
    return legs, has_messages


def reference_metrics(
    tables: dict[str, pd.DataFrame],
    *,
    by: str = "agent",
    start: dt.date,
    end: dt.date,
    tz: str = "Asia/Shanghai",
    thresholds: dict[str, Any] | None = None,
) -> dict[str | None, dict[str, MetricValue]]:
    """Compute every metric of metrics.md that these tables allow, the slow and plain way.

    Args:
        tables: contract tables by name (``sessions``, ``messages``, ``agent_states``,
            ``ratings``, ``orders``, ``visits``, ``qa_reviews``, ``attendance``, ``agents``,
            ``targets``); timestamps tz-aware UTC, columns as in data-contract.md.
        by: ``"agent"``, ``"group"`` or ``"center"`` (center → the single key ``None``).
        start: first local date of the period (inclusive).
        end: last local date of the period (inclusive).
        tz: the center's time zone; attribution uses local dates.
        thresholds: overrides for ``DEFAULT_THRESHOLDS``.

    Returns:
        ``{dimension value: {metric key: value}}``. Dimension values are those with at
        least one fact in the period (DECISION: agents or groups with no fact at all are
        absent, not rows of zeros). Counts are 0.0 for a present value with no facts of
        that kind; ratios are None without a denominator; metrics whose input is absent
        are None everywhere.
    """
    if by not in ALL_DIMS:
        raise ValueError(f"by must be one of {sorted(ALL_DIMS)}, not {by!r}")
    if end < start:
        raise ValueError("end before start")
    th = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    legs, has_messages = _prepare_legs(tables)
    agent_group = {str(r["agent_id"]): r.get("group") for r in _records(tables.get("agents"))}
    ctx = Ctx(
        tables=tables,
        by=by,
        start=start,
        end=end,
        tz=ZoneInfo(tz),
        th=th,
        agent_group=agent_group,
        legs=legs,
        legs_by_id={leg.session_id: leg for leg in legs},
        has_messages_table=has_messages,
    )

    computed: dict[str, Any] = {}
    keys: set[Key] = {None} if by == "center" else set()
    for name, fn, _kind, dims in METRICS:
        if by not in dims:
            continue
        values = fn(ctx)
        computed[name] = values
        if values is not None and by != "center":
            keys.update(values.keys())
    # a dimension value with facts only in non-metric form (e.g. a leg with no measurable
    # figure) is still present through `sessions`, which lists every period leg's key.

    result: dict[Key, dict[str, Any]] = {}
    for key in keys:
        row: dict[str, Any] = {}
        for name, _fn, kind, dims in METRICS:
            if by not in dims:
                continue
            values = computed[name]
            if values is None:
                row[name] = None
            else:
                row[name] = values.get(key, 0.0 if kind == "count" else None)
        result[key] = row
    _target_achievement(tables, by, start, end, result)
    return result
