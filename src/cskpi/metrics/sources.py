"""Measure sources: row-level Ibis tables the metric engine aggregates.

Each source yields one row per fact (a session leg, a rating, a review, a slice of agent-state
time on one local day, ...) with a local `day`, the dimension columns it can speak for, and
one input column per measure. The engine groups them by the requested dimensions and period
rows and applies each measure's aggregation (sum, count of distinct values, max). All of it is
Ibis, so the same code runs on DuckDB, PostgreSQL and Spark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from cskpi.config import Thresholds

AGENT_DIMS = frozenset({"agent_id", "group", "team", "role"})
LEG_DIMS = frozenset({"agent_id", "group", "team", "role", "channel", "origin"})
QUEUE_DIMS = frozenset({"group", "channel", "origin"})
GROUP_DIMS = frozenset({"group", "team", "role"})
CHANNEL_DIMS = frozenset({"channel"})
CENTER_ONLY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Measure:
    name: str
    agg: str  # sum | nunique | max
    column: str
    where: str | None = None  # a boolean column of the source: only those rows count
    requires: tuple[tuple[str, str], ...] = ()  # (table, column) that must hold data


@dataclass
class Context:
    """What every source needs: the backend, the period's calendar and the thresholds."""

    con: Any
    start: datetime  # period start, naive UTC
    end: datetime  # period end (exclusive), naive UTC
    calendar: ir.Table  # day, label, day_start, day_end (UTC) for each local day of the period
    thresholds: Thresholds
    presence: dict[tuple[str, str], bool] = field(default_factory=dict)
    _tables: dict[str, ir.Table] = field(default_factory=dict)

    def has_data(self, table: str, column: str) -> bool:
        return self.presence.get((table, column), False)

    def table(self, name: str) -> ir.Table:
        if name not in self._tables:
            self._tables[name] = self.con.table(name)
        return self._tables[name]

    def agents(self) -> ir.Table:
        a = self.table("agents")
        return a.select(agent_id=a.agent_id, agent_group=a.group, team=a.team, role=a.role)

    def with_agent_dims(self, rows: ir.Table, group_from_agent: bool) -> ir.Table:
        """Add team and role (and the agent's group) from the agents table."""
        a = self.agents()
        joined = rows.left_join(a, rows.agent_id == a.agent_id)
        extra: dict[str, Any] = {"team": joined.team, "role": joined.role}
        if group_from_agent:
            extra["group"] = joined.agent_group
        keep = [c for c in rows.columns if c not in extra]
        return joined.select(*keep, **extra)


@dataclass(frozen=True)
class Source:
    name: str
    dims: frozenset[str]
    measures: tuple[Measure, ...]
    build: Callable[[Context], ir.Table]
    labelled: bool = False  # the source assigns period labels itself


def _flag(expr: ir.BooleanValue) -> ir.IntegerValue:
    return expr.ifelse(1, 0)


def seconds_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    return later.delta(earlier, unit="microsecond") / 1_000_000


# --- session legs (by local date of accepted_at) ------------------------------------------

def period_legs(ctx: Context) -> ir.Table:
    """Facts of the legs accepted in the period (a leg counts on its accepted_at)."""
    f = ctx.table("session_facts")
    return f.filter(f.is_accepted, f.accepted_at >= ctx.start, f.accepted_at < ctx.end)


def period_requests(ctx: Context) -> ir.Table:
    """Facts of the requests created in the period: a leg created by a transfer is not a new
    request to the center."""
    f = ctx.table("session_facts")
    return f.filter(f.previous_session_id.isnull(), f.created_at >= ctx.start,
                    f.created_at < ctx.end)


def build_legs(ctx: Context) -> ir.Table:
    legs = period_legs(ctx)
    with_customer = legs.customer_messages > 0
    base = ~legs.agent_offline.fill_null(False) & with_customer
    rows = legs.select(
        day=legs.accepted_date, agent_id=legs.agent_id, group=legs.group,
        channel=legs.channel, origin=legs.origin,
        sessions=ibis.literal(1), valid=_flag(legs.is_valid),
        callbacks=_flag(legs.origin == "callback"), leads=_flag(legs.is_lead),
        phone_seconds=legs.is_phone.ifelse(legs.duration_seconds, 0.0),
        customer_messages=legs.customer_messages, agent_messages=legs.manual_messages,
        machine_messages=legs.system_messages + legs.auto_messages,
        first_response_sum=legs.first_response_seconds,
        first_responses=_flag(legs.first_response_seconds.notnull()),
        response_sum=legs.response_seconds_sum, response_pairs=legs.response_pairs,
        replied=_flag(base & (legs.manual_messages > 0)), reply_base=_flag(base),
        duration_sum=legs.duration_seconds, durations=_flag(legs.duration_seconds.notnull()),
        acw_sum=legs.acw_seconds, acws=_flag(legs.acw_seconds.notnull()),
        handle_sum=legs.duration_seconds + legs.acw_seconds,
        handles=_flag(legs.duration_seconds.notnull() & legs.acw_seconds.notnull()),
        # Where the column has data, an empty cell means "not transferred".
        transferred=_flag(legs.transferred_out.fill_null(False)),
        fcr_resolved=_flag(legs.is_fcr.fill_null(False)),
        fcr_conversations=_flag(legs.is_fcr.notnull()),
        invalid=_flag(legs.is_invalid), with_messages=_flag(legs.has_messages),
        invalid_inbound=_flag(legs.is_invalid & (legs.origin == "inbound")),
        with_messages_inbound=_flag(legs.has_messages & (legs.origin == "inbound")),
        invalid_callback=_flag(legs.is_invalid & (legs.origin == "callback")),
        with_messages_callback=_flag(legs.has_messages & (legs.origin == "callback")),
        resolved=_flag(legs.resolved.fill_null(False)),
        # Resolution is a rate over the legs where the system recorded it at all.
        resolved_base=_flag(legs.resolved.notnull()),
        valid_with_kb=_flag(legs.is_valid & (legs.kb_messages > 0)),
    )
    return ctx.with_agent_dims(rows, group_from_agent=False)


MESSAGES = (("messages", "message_id"),)
LEGS = Source("legs", LEG_DIMS, (
    Measure("sessions", "sum", "sessions"),
    Measure("valid", "sum", "valid", requires=MESSAGES),
    Measure("callbacks", "sum", "callbacks"),
    Measure("leads", "sum", "leads", requires=(*MESSAGES, ("sessions", "tags"))),
    Measure("phone_seconds", "sum", "phone_seconds"),
    Measure("customer_messages", "sum", "customer_messages", requires=MESSAGES),
    Measure("agent_messages", "sum", "agent_messages", requires=MESSAGES),
    Measure("machine_messages", "sum", "machine_messages", requires=MESSAGES),
    Measure("first_response_sum", "sum", "first_response_sum", requires=MESSAGES),
    Measure("first_responses", "sum", "first_responses", requires=MESSAGES),
    Measure("response_sum", "sum", "response_sum", requires=MESSAGES),
    Measure("response_pairs", "sum", "response_pairs", requires=MESSAGES),
    Measure("replied", "sum", "replied", requires=MESSAGES),
    Measure("reply_base", "sum", "reply_base", requires=MESSAGES),
    Measure("duration_sum", "sum", "duration_sum", requires=(("sessions", "ended_at"),)),
    Measure("durations", "sum", "durations", requires=(("sessions", "ended_at"),)),
    Measure("acw_sum", "sum", "acw_sum", requires=(("sessions", "acw_seconds"),)),
    Measure("acws", "sum", "acws", requires=(("sessions", "acw_seconds"),)),
    Measure("handle_sum", "sum", "handle_sum", requires=(("sessions", "acw_seconds"),)),
    Measure("handles", "sum", "handles", requires=(("sessions", "acw_seconds"),)),
    Measure("transferred", "sum", "transferred", requires=(("sessions", "transferred_out"),)),
    Measure("transfer_base", "sum", "sessions", requires=(("sessions", "transferred_out"),)),
    Measure("fcr_resolved", "sum", "fcr_resolved", requires=(("sessions", "customer_id"),)),
    Measure("fcr_conversations", "sum", "fcr_conversations",
            requires=(("sessions", "customer_id"),)),
    Measure("invalid", "sum", "invalid", requires=MESSAGES),
    Measure("with_messages", "sum", "with_messages", requires=MESSAGES),
    Measure("invalid_inbound", "sum", "invalid_inbound", requires=MESSAGES),
    Measure("with_messages_inbound", "sum", "with_messages_inbound", requires=MESSAGES),
    Measure("invalid_callback", "sum", "invalid_callback", requires=MESSAGES),
    Measure("with_messages_callback", "sum", "with_messages_callback", requires=MESSAGES),
    Measure("resolved", "sum", "resolved", requires=(("sessions", "resolved"),)),
    Measure("resolved_base", "sum", "resolved_base", requires=(("sessions", "resolved"),)),
    Measure("valid_with_kb", "sum", "valid_with_kb", requires=MESSAGES),
), build_legs)


# --- requests reaching the center (by local date of created_at) ----------------------------

def build_requests(ctx: Context) -> ir.Table:
    r = period_requests(ctx)
    limit = ctx.thresholds.queue_threshold_seconds
    return r.select(
        day=r.created_date, group=r.group, channel=r.channel, origin=r.origin,
        requests=ibis.literal(1), connected=_flag(r.is_accepted),
        queue_sum=r.queue_seconds, queued=_flag(r.queue_seconds.notnull()),
        abandoned=_flag(r.is_abandoned), abandon_sum=r.abandon_seconds,
        abandon_timed=_flag(r.abandon_seconds.notnull()),
        long_waits=_flag(r.wait_seconds.fill_null(0) > limit),
    )


REQUESTS = Source("requests", QUEUE_DIMS, (
    Measure("requests", "sum", "requests"),
    Measure("connected", "sum", "connected"),
    Measure("queue_sum", "sum", "queue_sum", requires=(("sessions", "queued_at"),)),
    Measure("queued", "sum", "queued", requires=(("sessions", "queued_at"),)),
    Measure("abandoned", "sum", "abandoned", requires=(("sessions", "abandoned_at"),)),
    Measure("abandon_sum", "sum", "abandon_sum", requires=(("sessions", "abandoned_at"),)),
    Measure("abandon_timed", "sum", "abandon_timed", requires=(("sessions", "abandoned_at"),)),
    Measure("long_waits", "sum", "long_waits"),
), build_requests)


# --- ratings (on the rated leg's agent and period) -----------------------------------------

def build_ratings(ctx: Context) -> ir.Table:
    legs = period_legs(ctx)
    r = ctx.table("ratings")
    r = r.filter(r.stars.notnull())
    j = r.join(legs, r.session_id == legs.session_id)
    rows = j.select(
        day=j.accepted_date, agent_id=j.agent_id, group=j.group, channel=j.channel,
        origin=j.origin, ratings=ibis.literal(1), stars_sum=j.stars,
        good=_flag(j.stars >= 4), bad=_flag(j.stars <= 2), rated_valid=_flag(j.is_valid),
    )
    return ctx.with_agent_dims(rows, group_from_agent=False)


STARS = (("ratings", "stars"),)
RATINGS = Source("ratings", LEG_DIMS, (
    Measure("ratings", "sum", "ratings", requires=STARS),
    Measure("stars_sum", "sum", "stars_sum", requires=STARS),
    Measure("good", "sum", "good", requires=STARS),
    Measure("bad", "sum", "bad", requires=STARS),
    Measure("rated_valid", "sum", "rated_valid", requires=(*STARS, *MESSAGES)),
), build_ratings)


# --- QA reviews (by local date of reviewed_at, for the agent reviewed) ---------------------

def _reviews(ctx: Context) -> ir.Table:
    q = ctx.table("qa_reviews")
    q = q.filter(q.reviewed_at >= ctx.start, q.reviewed_at < ctx.end)
    s = ctx.table("sessions").select("session_id", session_agent="agent_id")
    j = q.left_join(s, q.session_id == s.session_id)
    return j.select(
        day=j.reviewed_at_local.date(), agent_id=j.agent_id.coalesce(j.session_agent),
        reviewer=j.reviewer, score=j.score, mode=j.mode,
    )


def build_qa(ctx: Context) -> ir.Table:
    q = _reviews(ctx)
    rows = q.select(
        "day", "agent_id", reviews=ibis.literal(1),
        passed=_flag(q.score >= ctx.thresholds.qa_pass_mark),
        realtime=_flag(q.mode == "realtime"),
        reviews_with_reviewer=_flag(q.reviewer.notnull()),
    )
    return ctx.with_agent_dims(rows, group_from_agent=True)


QA = Source("qa", AGENT_DIMS, (
    Measure("reviews", "sum", "reviews", requires=(("qa_reviews", "review_id"),)),
    Measure("passed", "sum", "passed", requires=(("qa_reviews", "score"),)),
    Measure("realtime", "sum", "realtime", requires=(("qa_reviews", "mode"),)),
    Measure("reviews_with_reviewer", "sum", "reviews_with_reviewer",
            requires=(("qa_reviews", "reviewer"),)),
), build_qa)


def build_reviewers(ctx: Context) -> ir.Table:
    q = _reviews(ctx)
    q = q.filter(q.reviewer.notnull())
    rows = q.select("day", "agent_id", reviewer_day=q.reviewer + "|" + q.day.cast("string"))
    return ctx.with_agent_dims(rows, group_from_agent=True)


REVIEWERS = Source("reviewers", GROUP_DIMS, (
    Measure("reviewer_days", "nunique", "reviewer_day", requires=(("qa_reviews", "reviewer"),)),
), build_reviewers)


# --- agent states, clipped to each local day of the period ----------------------------------

def _state_slices(ctx: Context) -> ir.Table:
    s = ctx.table("agent_states")
    s = s.filter(s.state.isin(["idle", "busy", "away"]), s.started_at < ctx.end,
                 s.ended_at.isnull() | (s.ended_at > ctx.start))
    s = s.mutate(until=s.ended_at.coalesce(ibis.literal(ctx.end)))
    c = ctx.calendar
    j = s.join(c, [s.started_at < c.day_end, s.until > c.day_start])
    start = ibis.greatest(j.started_at, j.day_start)
    end = ibis.least(j.until, j.day_end)
    return j.select(day=j.day, agent_id=j.agent_id, state=j.state,
                    hours=seconds_between(end, start) / 3600)


def build_states(ctx: Context) -> ir.Table:
    s = _state_slices(ctx)
    rows = s.select(
        "day", "agent_id", online_hours=s.hours,
        idle_hours=(s.state == "idle").ifelse(s.hours, 0.0),
        busy_hours=(s.state == "busy").ifelse(s.hours, 0.0),
        away_hours=(s.state == "away").ifelse(s.hours, 0.0),
    )
    return ctx.with_agent_dims(rows, group_from_agent=True)


STATE = (("agent_states", "state"),)
STATES = Source("states", AGENT_DIMS, tuple(
    Measure(n, "sum", n, requires=STATE)
    for n in ("online_hours", "idle_hours", "busy_hours", "away_hours")), build_states)


def build_worked(ctx: Context) -> ir.Table:
    """Days worked: local days with an accepted leg or with online time."""
    f = period_legs(ctx)
    legs = f.filter(f.agent_id.notnull()).select(day=f.accepted_date, agent_id=f.agent_id)
    if ctx.has_data("agent_states", "state"):
        states = _state_slices(ctx)
        states = states.filter(states.hours > 0).select("day", "agent_id")
        legs = legs.union(states, distinct=False)
    rows = legs.select("day", "agent_id",
                       agent_day=legs.agent_id + "|" + legs.day.cast("string"))
    return ctx.with_agent_dims(rows, group_from_agent=True)


WORKED = Source("worked", AGENT_DIMS, (Measure("days", "nunique", "agent_day"),), build_worked)


# --- attendance ------------------------------------------------------------------------------

def _seconds_of_day(value: Any) -> Any:
    return value.hour() * 3600 + value.minute() * 60 + value.second()


def build_attendance(ctx: Context) -> ir.Table:
    a = ctx.table("attendance")
    c = ctx.calendar.select("day")
    a = a.join(c, a.date == c.day)
    grace = ctx.thresholds.late_grace_minutes * 60
    clock_in = a.clock_in_local.date().delta(a.date, unit="day") * 86400 + _seconds_of_day(
        a.clock_in_local)
    clock_out = a.clock_out_local.date().delta(a.date, unit="day") * 86400 + _seconds_of_day(
        a.clock_out_local)
    start = _seconds_of_day(a.scheduled_start)
    end = _seconds_of_day(a.scheduled_end)
    # A shift whose end is before its start ends on the next day.
    end = (end < start).ifelse(end + 86400, end)
    rows = a.select(
        day=a.date, agent_id=a.agent_id,
        late=_flag((clock_in > start + grace).fill_null(False)),
        early_leave=_flag((clock_out < end - grace).fill_null(False)),
        absent_days=a.absent_days, leave_days=a.leave_days,
    )
    return ctx.with_agent_dims(rows, group_from_agent=True)


ATTENDANCE = Source("attendance", AGENT_DIMS, (
    Measure("late", "sum", "late", requires=(("attendance", "clock_in"),
                                             ("attendance", "scheduled_start"))),
    Measure("early_leave", "sum", "early_leave", requires=(("attendance", "clock_out"),
                                                           ("attendance", "scheduled_end"))),
    Measure("absent_days", "sum", "absent_days", requires=(("attendance", "absent_days"),)),
    Measure("leave_days", "sum", "leave_days", requires=(("attendance", "leave_days"),)),
), build_attendance)


# --- concurrency: most legs open at once (accepted_at ≤ t < ended_at), per agent -----------

def build_concurrency(ctx: Context) -> ir.Table:
    """The legs of the period with the number of their agent's legs open when each was
    accepted (cskpi.metrics.concurrency); the peak is the highest of them."""
    legs = period_legs(ctx)
    legs = legs.filter(legs.concurrent_legs.notnull())
    rows = legs.select(day=legs.accepted_date, agent_id=legs.agent_id, peak=legs.concurrent_legs)
    return ctx.with_agent_dims(rows, group_from_agent=True)


CONCURRENCY = Source("concurrency", AGENT_DIMS, (
    Measure("peak", "max", "peak", requires=(("sessions", "ended_at"),)),
), build_concurrency)


# --- business: visits, consulting customers, conversion, credited orders -------------------

def build_visits(ctx: Context) -> ir.Table:
    v = ctx.table("visits")
    c = ctx.calendar.select("day")
    v = v.join(c, v.date == c.day)
    return v.select(day=v.date, channel=v.channel, visitors=v.visitors)


VISITS = Source("visits", CHANNEL_DIMS, (
    Measure("visitors", "sum", "visitors", requires=(("visits", "visitors"),)),
), build_visits)


def build_consulting(ctx: Context) -> ir.Table:
    r = period_requests(ctx)
    r = r.filter(r.origin == "inbound", r.customer_id.notnull())
    return r.select(day=r.created_date, channel=r.channel, customer_id=r.customer_id)


CONSULTING = Source("consulting", CHANNEL_DIMS, (
    Measure("customers", "nunique", "customer_id", requires=(("sessions", "customer_id"),)),
), build_consulting)


def _valid_legs(ctx: Context) -> ir.Table:
    f = ctx.table("session_facts")
    legs = f.filter(f.is_accepted, f.is_valid, f.customer_id.notnull())
    window = ibis.interval(seconds=int(ctx.thresholds.attribution_window_hours * 3600))
    return legs.select(
        "session_id", "agent_id", "group", "channel", "origin", "customer_id", "accepted_at",
        "accepted_date", window_end=legs.ended_at.coalesce(legs.accepted_at) + window,
    )


def _orders(ctx: Context) -> ir.Table:
    o = ctx.table("orders")
    return o.filter(~o.fake.fill_null(False))


def build_conversion(ctx: Context) -> ir.Table:
    legs = _valid_legs(ctx)
    legs = legs.filter(legs.accepted_at >= ctx.start, legs.accepted_at < ctx.end)
    o = _orders(ctx)
    o = o.filter(o.paid_at.notnull(), o.customer_id.notnull()).select(
        order_customer="customer_id", order_created="created_at")
    matched = legs.join(o, [legs.customer_id == o.order_customer,
                            o.order_created >= legs.accepted_at,
                            o.order_created <= legs.window_end])
    converted = matched.select("session_id").distinct()
    j = legs.left_join(converted, legs.session_id == converted.session_id)
    rows = j.select(
        day=j.accepted_date, agent_id=j.agent_id, group=j.group, channel=j.channel,
        origin=j.origin, customer_id=j.customer_id,
        is_converted=j.session_id_right.notnull(),
    )
    return ctx.with_agent_dims(rows, group_from_agent=False)


ORDERS_NEEDED = (("orders", "order_id"), ("sessions", "customer_id"))
CONVERSION = Source("conversion", LEG_DIMS, (
    Measure("customers", "nunique", "customer_id", requires=ORDERS_NEEDED),
    Measure("converted", "nunique", "customer_id", where="is_converted", requires=ORDERS_NEEDED),
), build_conversion)


def _credited(ctx: Context) -> ir.Table:
    """Paid orders of the period with the leg or agent credited (fake orders excluded)."""
    o = _orders(ctx)
    o = o.filter(o.paid_at.notnull(), o.paid_at >= ctx.start, o.paid_at < ctx.end)
    legs = _valid_legs(ctx)
    candidates = o.join(legs, [o.customer_id == legs.customer_id,
                               o.created_at >= legs.accepted_at,
                               o.created_at <= legs.window_end])
    latest = ibis.window(group_by=candidates.order_id,
                         order_by=[ibis.desc(candidates.accepted_at),
                                   ibis.desc(candidates.session_id)])
    ranked = candidates.mutate(rank=ibis.row_number().over(latest))
    best = ranked.filter(ranked.rank == 0).select(
        "order_id", leg_agent=ranked.agent_id_right, leg_group=ranked.group,
        leg_channel=ranked.channel, leg_origin=ranked.origin)
    j = o.left_join(best, o.order_id == best.order_id)
    return j.select(
        "order_id", "customer_id", "amount", "items", "refunded_amount", "refunded_at",
        day=j.paid_at_local.date(), order_agent=j.agent_id, leg_agent=j.leg_agent,
        leg_group=j.leg_group, leg_channel=j.leg_channel, leg_origin=j.leg_origin,
        consulted=j.order_id_right.notnull(),
    )


def build_orders(ctx: Context) -> ir.Table:
    c = _credited(ctx)
    c = c.filter(c.order_agent.notnull() | c.leg_agent.notnull())
    by_order_agent = c.order_agent.notnull()
    a = ctx.agents()
    j = c.left_join(a, c.order_agent.coalesce(c.leg_agent) == a.agent_id)
    # Orders without a customer count as one paying customer each.
    payer = j.customer_id.coalesce("order:" + j.order_id)
    refunded = (j.refunded_amount.fill_null(0) > 0) | j.refunded_at.notnull()
    return j.select(
        day=j.day, agent_id=j.order_agent.coalesce(j.leg_agent),
        group=by_order_agent.ifelse(j.agent_group, j.leg_group),
        channel=by_order_agent.ifelse(ibis.null("string"), j.leg_channel),
        origin=by_order_agent.ifelse(ibis.null("string"), j.leg_origin),
        team=j.team, role=j.role,
        sales=j.amount, payer=payer, items=j.items, paid_orders=ibis.literal(1),
        refunded=_flag(refunded),
    )


ORDERS = Source("orders", LEG_DIMS, (
    Measure("sales", "sum", "sales", requires=(("orders", "amount"),)),
    Measure("paying_customers", "nunique", "payer", requires=(("orders", "order_id"),)),
    Measure("items", "sum", "items", requires=(("orders", "items"),)),
    Measure("paid_orders", "sum", "paid_orders", requires=(("orders", "order_id"),)),
    Measure("refunded", "sum", "refunded", requires=(("orders", "order_id"),)),
), build_orders)


def build_silent(ctx: Context) -> ir.Table:
    c = _credited(ctx)
    # Silent: the customer had no valid leg whose window holds the order.
    c = c.filter(~c.consulted)
    return c.select("day", sales=c.amount)


SILENT = Source("silent", CENTER_ONLY, (
    Measure("sales", "sum", "sales", requires=(("orders", "amount"),)),
), build_silent)


# --- headcount and turnover ------------------------------------------------------------------

def build_headcount(ctx: Context) -> ir.Table:
    a = ctx.table("agents")
    c = ctx.calendar
    days = c.group_by("label").aggregate(days_in_label=c.day.count())
    c = c.join(days, "label")
    j = a.join(c, [a.hired_on.isnull() | (a.hired_on <= c.day),
                   a.left_on.isnull() | (a.left_on >= c.day)])
    on_staff = (j.hired_on.isnull() | (j.hired_on <= j.day)) & (
        j.left_on.isnull() | (j.left_on > j.day))
    return j.select(
        "label", agent_id=j.agent_id, group=j.group, team=j.team, role=j.role,
        staff_share=on_staff.ifelse(1.0 / j.days_in_label.cast("float64"), 0.0),
        leaver=_flag(j.left_on == j.day),
    )


HEADCOUNT = Source("headcount", GROUP_DIMS, (
    Measure("mean_headcount", "sum", "staff_share", requires=(("agents", "agent_id"),)),
    Measure("leavers", "sum", "leaver", requires=(("agents", "left_on"),)),
), build_headcount, labelled=True)


SOURCES: dict[str, Source] = {s.name: s for s in (
    LEGS, REQUESTS, RATINGS, QA, REVIEWERS, STATES, WORKED, ATTENDANCE, CONCURRENCY,
    VISITS, CONSULTING, CONVERSION, ORDERS, SILENT, HEADCOUNT)}
