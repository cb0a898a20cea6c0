"""Synthetic month of an online customer-service center, following the data contract.

`generate(month, seed=, agents=, messages=)` returns one `pyarrow.Table` per contract table
(`agents`, `sessions`, `messages`, `agent_states`, `ratings`, `orders`, `visits`,
`qa_reviews`, `attendance`, `adjustments`, `targets`). The same seed gives byte-identical
tables. Everything is drawn with numpy in whole arrays (Python loops only over agents and
small vocabularies, never over sessions or messages), so 10 M messages take seconds.

The model, in the order it is drawn (rates are per the default parameters):

Agents
    Groups 售前/售后/VIP (roles presales/aftersales/vip) in shares 45/40/15 %, teams of about
    ten (`售前一组`, `售前二组`, ...). A latent `skill` ~ N(0, 1) drives response speed,
    resolution, ratings, conversion, QA scores, callbacks and attendance, so rankings differ
    the way they do in a real center. Level follows tenure and skill (40 % junior, 35 %
    intermediate, 25 % senior); max_concurrency 5-7 / 7-10 / 9-12 by level. 2.5-5 % of
    agents (1-2 of 40) leave inside the month (`left_on`) and work no day after it.
Roster (attendance, agent_states)
    Each agent-day: 20 % rest day (no row), else scheduled on shift 09-18, 10-19 or 13-22
    (evening shifts cover the 20:00 peak). Of scheduled days 2.5 % are leave (personal 50 %,
    sick 30 %, annual 20 %) and ~0.4 % absent. Clock-in 1-15 min early; 5 % late (a quarter
    of those by more than 15 min), 3 % early leave of 5-180 min, more often for low skill.
    States: idle from login, a 5-20 min `away` spell in the morning, a meal break of 30-60
    min taken `offline` (60 %) or `away` (40 %; 4 % of days 95-130 min away, i.e. > 1.5 h),
    60 % of days a 5-25 min `busy` spell, `offline` from logout to the next login. Online
    time comes to ~8.8 h a day; ~1 % of days fall under 7.5 h (long early leaves).
Sessions (one row per leg)
    About 50-140 conversations per agent-day (group base 95/80/50 × e^(0.2 skill)). Demand
    follows a local-time curve with peaks at 10:00 and 20:00 and is routed to the agents on
    duty, so each agent's arrivals follow demand ÷ staffing inside its working window (never
    during its meal break) and the center as a whole sees the two peaks.
    Channels: presales web 38 / app 30 / wechat 22 / weibo 4 / email 1 / phone 5 %,
    after-sales phone 13 %, VIP phone 20 %; phone legs carry no messages. 6-12 % callbacks
    (agent-started, accepted at once; 18 % never answered by the customer). Inbound
    requests queue with p 0.35 (bot triage 0-10 s, wait ~ Exp(40 s), VIP half), and about
    5 % of requests are abandoned (no agent, `abandoned_at` after ~45 s). Customers: 8 %
    of inbound contacts come from an earlier customer of the month, and follow-ups within
    24 h are drawn more often after low-skill agents, so ~15 % of conversations see the
    customer back within 24 h (FCR ≈ 85 %); callbacks reach a customer the agent served
    recently (its last 40 legs).
    Transfers: 3 % of valid inbound legs end `transferred_out`; the next leg (another agent
    online at that moment) has `previous_session_id`; 15 % of chains have a third leg.
    1.5 % of inbound legs are `agent_offline`: created 2-60 min before the agent's login,
    accepted just after it, not queued. acw_seconds ~ lognormal, median 35 s (phone
    ×1.8). `resolved` set on after-sales/VIP legs (p ≈ 0.78 + 0.07 skill), null on presales.
    Tags: `lead` on ~22 % of valid presales legs (after-sales 3 %, VIP 10 %; skill-driven),
    1-2 topic tags on 85 %.
Messages
    A system message opens and closes every message leg; a bot message on 70 % of queued
    legs; 0-2 customer messages while queued (before `accepted_at`); an `auto` greeting on
    85 % of inbound legs (never a response); then 1 + Poisson(3.2) customer turns of 1-3
    customer and 1-3 agent messages (email 1 + Poisson(0.6) turns). Agent sources: manual
    ~83 %, canned 12 %, kb 5 % (+2 % per skill SD). Response time ~ lognormal, median
    16 s × e^(-0.3 skill), email ×60, agent-offline legs ×3. 4 % of legs end with the last
    customer turn unanswered. Invalid legs: 0.8 % customer-only, 0.8 % agent-only (silent
    visitor: greeting and a nudge), most agent-offline legs customer-only, unanswered
    callbacks agent-only. 0.3 % of customer messages carry a phone number or e-mail.
Ratings
    Valid, non-transferred legs: invited with p 0.6 (+0.05 skill), 60 % of invited rate,
    2 % rate uninvited; stars from a skill-driven ordinal model (≈ 82 % five stars at
    average skill); comments on 25 % of ratings.
Orders
    Per valid presales leg p ≈ 0.38 e^(0.35 skill) (+0.15 with `lead`, VIP 0.20, after-sales
    0.03 add-ons and exchanges at about a third of the amount), created
    within 48 h for 90 % (10 % later, outside the attribution window); 55 % carry the
    agent, the rest are attributed by last consultation; 92 % paid, 5 % of paid refunded,
    8 % with a deposit, items 1-4. Silent orders (customers without a session) ≈ 30 % of
    consultation orders; fake orders ≈ 1 %.
Visits, QA, adjustments, targets
    Visitors per date × channel (web, app, wechat, weibo) = consulting customers / U(4 %, 6 %).
    5-10 QA reviews per agent by three reviewers (one more per 20 agents beyond 60), 45 %
    realtime; score = 100 − Exp-distributed deduction (mean 1.8 e^(-0.55 skill), ≤ 15), so
    scores run 85-100 against the pass mark 97; violation codes below 97.
    Adjustments (entered by the group's supervisor, with Chinese reasons): each contract kind
    at a skill-driven Poisson rate for every agent, plus one `supervisor` score in `points`.
    Then whatever the scorecards read (`needs.py`; by default the shipped templates, so a new
    template's items get data without code), for the agents of the scorecards reading it:
    every manual item's `supervisor.<key>` score (share of the item's scale ≈ 0.80 + 0.07
    skill, σ 0.05) and the agent's own `self.<key>` score (≈ 4 % of the scale higher, entered
    by the agent), at month end; the scorecards' own counted kinds at Poisson rates
    (`KIND_RATES`, e.g. after-sales errors, new customers by order size, visiting
    customers); personal-leave days and days under 7.5 h online or over 1.5 h away from the
    roster itself (the same days as `attendance`); money charges (deposit shortfall, 100-800
    for ~15 % of sales agents); entered figures per team (traffic achievement ≈ 1.00 ± 0.015).
    Every kind appears at least once. A kind read on two scales by two scorecards is entered
    on the smaller one (`Needs.collisions` names such clashes).
    Targets for every metric a scorecard compares with a target (plus sales, leads, AOV,
    callbacks): counts per agent (geometric mean of the group's mean and the agent's own
    output, × U(0.95, 1.15)) and per team, group and center as the sums of their agents'
    (the target of the pooled figure); ratios (AOV, conversion, resolution) per team, group
    and center near the pooled figure, AOV also per agent. So achievement spreads with skill
    and a store's (team's) sales meet a team target, not one agent's.

Scaling: `messages=N` sets agents to max(agents, ⌈N / 25 000⌉) and scales conversations per
agent-day so the message count lands within a few percent of N.

Measured on the default month (seed 0, 40 agents): ~82 k legs, ~1.0 M messages; abandoned
4.4 %, callbacks 6.8 %, transfer rate 2.7 %, queue rate (> 60 s) 8 %, mean queue 41 s,
valid legs 97 %, mean session 6.5 min, stars 4.70 (93 % ≥ 4), inquiry conversion ≈ 36 %,
QA pass rate ≈ 78 %, lates 4.6 % of duty days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cskpi.demo import needs as _needs
from cskpi.demo import vocab
from cskpi.demo.clock import DAY, MonthClock
from cskpi.demo.needs import Needs, needs_of, template_needs
from cskpi.demo.schema import CONTRACT_SCHEMAS, MONEY, TS, TZ_METADATA_KEY
from cskpi.demo.writer import write_folder

if TYPE_CHECKING:
    from cskpi.scoring.models.scorecard import Scorecard

__all__ = ["generate", "write_contract_folder", "write_folder"]

NULL = np.iinfo(np.int64).min
MESSAGES_PER_AGENT = 25_000
# Messages per conversation of the model, measured (abandoned and transfer legs included);
# used only to size a run for a requested message count.
MESSAGES_PER_CONVERSATION = 12.93

CHANNELS = ("web", "app", "wechat", "weibo", "email", "phone")
PHONE = CHANNELS.index("phone")
EMAIL = CHANNELS.index("email")
WEIBO = CHANNELS.index("weibo")
CHANNEL_P = np.array(
    [
        [0.38, 0.30, 0.22, 0.04, 0.01, 0.05],
        [0.30, 0.28, 0.22, 0.03, 0.04, 0.13],
        [0.20, 0.30, 0.25, 0.02, 0.03, 0.20],
    ]
)
PRESALES, AFTERSALES, VIP = 0, 1, 2
SHIFTS = ((9, 18), (10, 19), (13, 22))
SHIFT_P = np.array([[0.50, 0.20, 0.30], [0.60, 0.25, 0.15], [0.50, 0.20, 0.30]])
BASE_CONVERSATIONS = np.array([95.0, 80.0, 50.0])
CALLBACK_P = np.array([0.07, 0.06, 0.12])
# Valid legs tagged `lead` (有效线索): mostly pre-sales; after-sales and VIP agents spot some.
LEAD_P = np.array([0.22, 0.03, 0.10])

# Leg kinds drive the message plan.
K_NORMAL, K_CUST_ONLY, K_AGENT_ONLY, K_PHONE, K_ABANDONED = range(5)
# Message sender and source codes (index into the enum tuples).
SENDERS = ("customer", "agent", "system", "bot")
S_CUSTOMER, S_AGENT, S_SYSTEM, S_BOT = range(4)
SOURCES = ("manual", "canned", "kb", "auto")
SRC_MANUAL, SRC_CANNED, SRC_KB, SRC_AUTO = range(4)


# --------------------------------------------------------------------------- helpers


def _ts(seconds: np.ndarray) -> pa.Array:
    """UTC epoch seconds (NULL = missing) as a `timestamp[us, UTC]` array."""
    mask = seconds == NULL
    return pa.array(np.where(mask, 0, seconds) * 1_000_000, type=TS, mask=mask)


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    """`prefix` + zero-padded 1..n, vectorised (no Python string per row)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    """values[idx], with idx < 0 meaning null."""
    mask = idx < 0
    return values.take(pa.array(np.where(mask, 0, idx), mask=mask))


def _pick(strings: tuple[str, ...] | list[str], idx: np.ndarray) -> pa.Array:
    return _take(pa.array(list(strings), pa.string()), idx)


def _choice(rng: np.random.Generator, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Categorical draw per row, with probabilities `p[rows[i]]` (a matrix of rows)."""
    c = np.cumsum(p, axis=-1)[rows]
    u = rng.random(len(rows))[:, None] * c[:, -1:]
    return (u >= c).sum(axis=1)


def _cat(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(np.cumsum(p) / sum(p), rng.random(n), side="right").astype(np.int64)


def _segment_starts(counts: np.ndarray) -> np.ndarray:
    """Start offset of each segment in a flat array of concatenated segments."""
    return np.cumsum(counts) - counts


def _within(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for every segment, concatenated."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(_segment_starts(counts), counts)


def _arrival_density() -> np.ndarray:
    """Relative customer demand per local minute of the day: peaks at 10:00 and 20:00."""
    hour = np.arange(1440, dtype=np.float64) / 60

    def bump(center: float, width: float) -> np.ndarray:
        return np.exp(-0.5 * ((hour - center) / width) ** 2)

    return 0.45 * bump(10, 1.4) + 0.40 * bump(20, 1.2) + 0.20 * bump(15, 2.5) + 0.01


def _cdf(density: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid (seconds of day, per minute) and cumulative distribution of a per-minute density."""
    cdf = np.concatenate([[0.0], np.cumsum(density)])
    return np.arange(1441, dtype=np.float64) * 60, cdf / cdf[-1]


# --------------------------------------------------------------------------- agents


@dataclass
class _Agents:
    n: int
    ids: pa.Array
    group: np.ndarray
    skill: np.ndarray
    left_day: np.ndarray  # first day index without work (days = still employed)
    names: list[str]
    table: pa.Table


def _name_pool(rng: np.random.Generator, n: int) -> list[str]:
    given = len(vocab.GIVEN_NAMES)
    combos = len(vocab.SURNAMES) * given
    codes = rng.permutation(combos)[:n] if n <= combos else rng.integers(0, combos, n)
    return [vocab.SURNAMES[c // given] + vocab.GIVEN_NAMES[c % given] for c in codes]


def _make_agents(rng: np.random.Generator, n: int, clock: MonthClock) -> _Agents:
    n_vip = max(1, round(0.15 * n))
    n_pre = round(0.45 * n)
    counts = [n_pre, n - n_pre - n_vip, n_vip]
    group = np.repeat(np.arange(3), counts)
    team_names: list[str] = []
    for g, cnt in enumerate(counts):
        n_teams = max(1, round(cnt / 10))
        for i in range(cnt):
            t = i * n_teams // cnt
            label = vocab.TEAM_NUMERALS[t] if t < len(vocab.TEAM_NUMERALS) else f"{t + 1}组"
            team_names.append(vocab.GROUPS[g] + label)
    skill = rng.normal(0.0, 1.0, n)
    tenure = np.clip(np.exp(rng.normal(math.log(500), 0.9, n) + 0.3 * skill), 20, 3000)
    seniority = np.log(tenure) + 0.4 * skill
    rank = np.argsort(np.argsort(seniority)) / max(n - 1, 1)
    level = np.where(rank < 0.40, 0, np.where(rank < 0.75, 1, 2))
    conc_lo = np.array([5, 7, 9])[level]
    conc_hi = np.array([7, 10, 12])[level]
    max_conc = rng.integers(conc_lo, conc_hi + 1)
    # Turnover: 2.5-5 % of agents leave inside the month, the weaker ones more often.
    n_left = max(1, round(n * rng.uniform(0.025, 0.05)))
    w = np.exp(-skill)
    leavers = rng.choice(n, size=n_left, replace=False, p=w / w.sum())
    left_day = np.full(n, clock.days, dtype=np.int64)
    left_day[leavers] = rng.integers(7, clock.days - 2, n_left)
    names = _name_pool(rng, n + 8)
    ids = _ids("A", n, max(4, len(str(n))))
    left_on = np.where(left_day < clock.days, clock.first_day + left_day, NULL)
    table = pa.table(
        {
            "agent_id": ids,
            "name": pa.array(names[:n]),
            "group": _pick(vocab.GROUPS, group),
            "team": pa.array(team_names),
            "role": _pick(vocab.ROLES, group),
            "level": _pick(("junior", "intermediate", "senior"), level),
            "hired_on": pa.array((clock.first_day - tenure.astype(np.int64)).astype(np.int32)).cast(
                pa.date32()
            ),
            "left_on": pa.array(
                np.where(left_on == NULL, 0, left_on).astype(np.int32), mask=left_on == NULL
            ).cast(pa.date32()),
            "max_concurrency": pa.array(max_conc.astype(np.int32)),
        }
    )
    return _Agents(n, ids, group, skill, left_day, names, table)


# --------------------------------------------------------------------------- roster


@dataclass
class _Roster:
    """Duty days (agent-days actually worked), in local seconds of day and UTC."""

    agent: np.ndarray
    day: np.ndarray
    login: np.ndarray  # UTC
    logout: np.ndarray
    break_start: np.ndarray
    break_end: np.ndarray
    login_sod: np.ndarray  # local seconds of day
    logout_sod: np.ndarray
    break_start_sod: np.ndarray
    break_end_sod: np.ndarray
    attendance: pa.Table
    states: pa.Table
    # (agent, day) of personal-leave days and of duty days under 7.5 h online or over
    # 1.5 h away (the facts behind attendance.personal_leave / attendance.short_day).
    personal_leave: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: _no_days())
    short_day: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: _no_days())
    short_day_away: np.ndarray = field(  # the short day was over 1.5 h away
        default_factory=lambda: np.zeros(0, bool)
    )


def _no_days() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def _make_roster(rng: np.random.Generator, ag: _Agents, clock: MonthClock) -> _Roster:
    a_n, d_n = ag.n, clock.days
    agent = np.repeat(np.arange(a_n), d_n)
    day = np.tile(np.arange(d_n), a_n)
    skill = ag.skill[agent]
    scheduled = (rng.random(a_n * d_n) >= 0.20) & (day < ag.left_day[agent])
    leave = scheduled & (rng.random(a_n * d_n) < 0.025)
    absent = scheduled & ~leave & (rng.random(a_n * d_n) < 0.004 * np.exp(-0.5 * skill))
    duty = scheduled & ~leave & ~absent
    shift = _choice(rng, SHIFT_P, ag.group[agent])
    start_h = np.array([s for s, _ in SHIFTS])[shift]
    end_h = np.array([e for _, e in SHIFTS])[shift]
    n_rows = len(agent)

    # Clock-in/out around the schedule; lateness and early leave depend on skill.
    clock_in = start_h * 3600 - rng.integers(60, 900, n_rows)
    late = rng.random(n_rows) < 0.05 * np.exp(-0.4 * skill)
    very_late = late & (rng.random(n_rows) < 0.25)
    clock_in = np.where(late, start_h * 3600 + rng.integers(60, 840, n_rows), clock_in)
    clock_in = np.where(very_late, start_h * 3600 + rng.integers(960, 2700, n_rows), clock_in)
    clock_out = end_h * 3600 + rng.integers(0, 1500, n_rows)
    early = rng.random(n_rows) < 0.03 * np.exp(-0.3 * skill)
    clock_out = np.where(early, end_h * 3600 - rng.integers(300, 10800, n_rows), clock_out)
    login = clock_in + rng.integers(30, 240, n_rows)
    logout = clock_out - rng.integers(30, 240, n_rows)
    meal = np.array([11.75, 12.0, 17.25])[shift] * 3600
    b_start = (meal + rng.integers(0, 2700, n_rows)).astype(np.int64)
    long_away = rng.random(n_rows) < 0.04
    b_len = np.where(long_away, rng.integers(5700, 7800, n_rows), rng.integers(1800, 3600, n_rows))
    b_end = np.minimum(b_start + b_len, logout - 1800)
    b_start = np.maximum(np.minimum(b_start, b_end - 600), login + 1800)
    has_busy = rng.random(n_rows) < 0.6
    busy_lo = b_end + 1800
    busy_hi = logout - 3600
    has_busy &= busy_hi > busy_lo
    busy_start = busy_lo + (rng.random(n_rows) * np.maximum(busy_hi - busy_lo, 0)).astype(np.int64)
    busy_end = busy_start + rng.integers(300, 1500, n_rows)
    # A short away spell (toilet, tea) in the first hours; most lunches are taken logged out,
    # the rest as `away` (which counts as online time).
    short_start = login + rng.integers(3600, 7200, n_rows)
    short_end = short_start + rng.integers(300, 1200, n_rows)
    has_short = short_end + 600 < b_start
    meal_state = np.where(long_away | (rng.random(n_rows) < 0.4), 2, 3)

    day_local0 = clock.local0 + day * DAY

    def utc(sod: np.ndarray) -> np.ndarray:
        return clock.to_utc(day_local0 + sod)

    att = scheduled
    leave_kind = _cat(rng, n_rows, (0.5, 0.3, 0.2))
    leave_label = np.where(leave, 1 + leave_kind, 0)
    ci = np.where(duty, utc(clock_in), NULL)
    co = np.where(duty, utc(clock_out), NULL)
    hh = np.char.add(np.char.zfill(np.arange(24).astype(str), 2), ":00:00")
    attendance = pa.table(
        {
            "agent_id": _take(ag.ids, agent[att]),
            "date": pa.array((clock.first_day + day[att]).astype(np.int32)).cast(pa.date32()),
            "scheduled_start": _pick(list(hh), start_h[att]),
            "scheduled_end": _pick(list(hh), end_h[att]),
            "clock_in": _ts(ci[att]),
            "clock_out": _ts(co[att]),
            "leave": _pick(("none", "personal", "sick", "annual"), leave_label[att]),
            "leave_days": pa.array(leave[att].astype(np.float64)),
            "absent_days": pa.array(absent[att].astype(np.float64)),
        }
    )

    # Agent states: idle / away (meal) / idle / busy / idle / offline until the next login.
    d = duty
    r = _Roster(
        agent=agent[d],
        day=day[d],
        login=utc(login)[d],
        logout=utc(logout)[d],
        break_start=utc(b_start)[d],
        break_end=utc(b_end)[d],
        login_sod=login[d],
        logout_sod=logout[d],
        break_start_sod=b_start[d],
        break_end_sod=b_end[d],
        attendance=attendance,
        states=pa.table({}),
    )
    personal = leave & (leave_kind == 0)
    r.personal_leave = (agent[personal], day[personal])
    meal_len = b_end - b_start
    online = logout - login - np.where(meal_state == 3, meal_len, 0)
    away = np.where(has_short, short_end - short_start, 0) + np.where(meal_state == 2, meal_len, 0)
    too_long_away = away > 1.5 * 3600
    short = duty & ((online < 7.5 * 3600) | too_long_away)
    r.short_day = (agent[short], day[short])
    r.short_day_away = too_long_away[short]
    busy_s = utc(busy_start)[d]
    busy_e = utc(busy_end)[d]
    hb = has_busy[d]
    hs = has_short[d]
    short_s = utc(short_start)[d]
    short_e = utc(short_end)[d]
    # Next login of the same agent ends the offline spell; the last one stays open.
    same_next = np.r_[r.agent[1:] == r.agent[:-1], False]
    next_login = np.where(same_next, np.r_[r.login[1:], 0], NULL)
    one = np.ones_like(hb)
    segs = [
        (r.agent, 0, r.login, np.where(hs, short_s, r.break_start), one),
        (r.agent, 2, short_s, short_e, hs),
        (r.agent, 0, short_e, r.break_start, hs),
        (r.agent, meal_state[d], r.break_start, r.break_end, one),
        (r.agent, 0, r.break_end, np.where(hb, busy_s, r.logout), np.ones_like(hb)),
        (r.agent, 1, busy_s, busy_e, hb),
        (r.agent, 0, busy_e, r.logout, hb),
        (r.agent, 3, r.logout, next_login, one),
    ]
    st_agent = np.concatenate([s[0][s[4]] for s in segs])
    st_state = np.concatenate([np.broadcast_to(s[1], s[4].shape)[s[4]] for s in segs])
    st_start = np.concatenate([s[2][s[4]] for s in segs])
    st_end = np.concatenate([s[3][s[4]] for s in segs])
    order = np.lexsort((st_start, st_agent))
    r.states = pa.table(
        {
            "agent_id": _take(ag.ids, st_agent[order]),
            "state": _pick(("idle", "busy", "away", "offline"), st_state[order]),
            "started_at": _ts(st_start[order]),
            "ended_at": _ts(st_end[order]),
        }
    )
    return r


# --------------------------------------------------------------------------- legs


@dataclass
class _Legs:
    """One row per session leg, all numpy arrays of the same length."""

    agent: np.ndarray  # -1 = never accepted
    group: np.ndarray
    channel: np.ndarray
    origin: np.ndarray  # 0 inbound, 1 callback
    customer: np.ndarray
    created: np.ndarray  # UTC seconds
    kind: np.ndarray
    day: np.ndarray  # duty day's day index (for transfer targets)
    offline: np.ndarray
    hold: np.ndarray  # seconds an agent-offline request waits for the agent's login, else 0
    transfer_out: np.ndarray
    prev: np.ndarray  # global leg index of the previous leg, -1 = none
    rank: np.ndarray  # position in its transfer chain

    def subset(self, idx: np.ndarray) -> _Legs:
        return _Legs(**{k: v[idx] for k, v in self.__dict__.items()})

    @staticmethod
    def concat(parts: list[_Legs]) -> _Legs:
        keys = parts[0].__dict__.keys()
        return _Legs(**{k: np.concatenate([p.__dict__[k] for p in parts]) for k in keys})


@dataclass
class _Plan:
    """Relative timeline of legs (seconds after created_at) and their messages."""

    queued: np.ndarray  # -1 = never queued
    accepted: np.ndarray  # -1 = never accepted
    ended: np.ndarray
    abandoned: np.ndarray  # -1 = not abandoned
    msg_leg: np.ndarray  # leg index (local to the plan) of each message
    msg_rel: np.ndarray
    msg_sender: np.ndarray
    msg_source: np.ndarray  # -1 = null
    msg_content: np.ndarray


class _Vocab:
    """All message texts in one array, with the offset of each category."""

    def __init__(self, rng: np.random.Generator) -> None:
        private = []
        for i in range(40):
            phone = f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10**9):09d}"
            email = f"user{rng.integers(1000, 99999)}@{('qq.com', '163.com', 'example.com')[i % 3]}"
            template = vocab.PRIVATE_TEMPLATES[i % len(vocab.PRIVATE_TEMPLATES)]
            private.append(template.format(phone=phone, email=email))
        self.categories: dict[str, tuple[str, ...]] = {
            "customer": vocab.CUSTOMER_PHRASES,
            "private": tuple(private),
            "agent": vocab.AGENT_PHRASES,
            "canned": vocab.CANNED_PHRASES,
            "kb": vocab.KB_PHRASES,
            "auto": vocab.AUTO_PHRASES,
            "bot": vocab.BOT_PHRASES,
            "start": vocab.SYSTEM_START,
            "end": vocab.SYSTEM_END,
            "opener": vocab.CALLBACK_OPENERS,
            "nudge": vocab.NUDGE_PHRASES,
        }
        self.offset: dict[str, int] = {}
        texts: list[str] = []
        for key, items in self.categories.items():
            self.offset[key] = len(texts)
            texts.extend(items)
        self.texts = pa.array(texts, pa.string())

    def draw(self, rng: np.random.Generator, key: str, n: int) -> np.ndarray:
        return self.offset[key] + rng.integers(0, len(self.categories[key]), n)

    def draw_mixed(
        self, rng: np.random.Generator, keys: list[str], which: np.ndarray
    ) -> np.ndarray:
        """One text per row from category `keys[which[i]]`, with a single uniform draw."""
        offset = np.array([self.offset[k] for k in keys])
        size = np.array([len(self.categories[k]) for k in keys])
        pick = (rng.random(len(which)) * size[which]).astype(np.int64)
        return offset[which] + pick


def _plan(rng: np.random.Generator, legs: _Legs, skill: np.ndarray, words: _Vocab) -> _Plan:
    """Draws each leg's queue, messages and end, relative to its created_at."""
    n = len(legs.kind)
    kind = legs.kind
    callback = legs.origin == 1
    abandoned = kind == K_ABANDONED
    # Phone legs (answered or abandoned) have no chat log.
    has_msgs = (kind != K_PHONE) & (legs.channel != PHONE)

    # Queue: inbound requests wait with p 0.35 (transfer legs 0.3, abandoned 0.85).
    p_queue = np.where(abandoned, 0.85, np.where(legs.rank > 0, 0.3, 0.35))
    held = legs.hold > 0
    queued = ~callback & ~held & (rng.random(n) < p_queue)
    triage = rng.integers(0, 11, n)
    wait = (rng.exponential(40.0, n) * np.where(legs.group == VIP, 0.5, 1.0)).astype(np.int64) + 3
    q_rel = np.where(queued, triage, -1)
    acc_rel = np.where(queued, triage + wait, rng.integers(1, 7, n))
    acc_rel = np.where(callback, 0, acc_rel)
    # A request left while the agent was offline is taken shortly after the agent logs in.
    acc_rel = np.where(held, legs.hold + rng.integers(5, 120, n), acc_rel)
    ab_rel = np.where(queued, triage, 0) + rng.exponential(45.0, n).astype(np.int64) + 5
    ab_rel = np.where(abandoned, ab_rel, -1)
    acc_rel = np.where(abandoned, -1, acc_rel)

    # Message counts by segment.
    n_start = has_msgs.astype(np.int64)
    n_bot = (has_msgs & queued & (rng.random(n) < 0.7)).astype(np.int64)
    n_q = np.where(
        has_msgs & (queued | held) & (kind != K_AGENT_ONLY),
        _cat(rng, n, (0.5, 0.35, 0.15)),
        0,
    )
    n_auto = (has_msgs & ~callback & ~abandoned & (legs.rank == 0) & (rng.random(n) < 0.85)).astype(
        np.int64
    )
    lam = np.where(legs.channel == EMAIL, 0.6, np.where(legs.channel == WEIBO, 2.5, 3.2))
    turns = np.where(kind == K_NORMAL, 1 + rng.poisson(lam), 0)
    turns = np.where((kind == K_CUST_ONLY) | (kind == K_AGENT_ONLY), 1, turns)
    turns = np.where(has_msgs, turns, 0)
    turns = np.where((kind == K_NORMAL) & callback, np.maximum(turns, 2), turns)
    unanswered = (
        (kind == K_NORMAL)
        & ~legs.transfer_out
        & (turns >= 2)
        & (rng.random(n) < 0.04 * np.exp(-0.4 * skill))
    )

    # Turns: 1-3 customer then 1-3 agent messages each.
    t_leg = np.repeat(np.arange(n), turns)
    t_j = _within(turns)
    nt = len(t_leg)
    nc = 1 + _cat(rng, nt, (0.68, 0.25, 0.07))
    na = 1 + _cat(rng, nt, (0.72, 0.23, 0.05))
    t_kind = kind[t_leg]
    last_turn = t_j == turns[t_leg] - 1
    nc = np.where(t_kind == K_AGENT_ONLY, 0, nc)
    nc = np.where(callback[t_leg] & (t_j == 0), 0, nc)  # the agent opens a callback
    na = np.where(t_kind == K_CUST_ONLY, 0, na)
    na = np.where(unanswered[t_leg] & last_turn, 0, na)
    t_msgs = nc + na
    leg_turn_msgs = np.bincount(t_leg, weights=t_msgs, minlength=n).astype(np.int64)

    # Messages inside turns, with their gap to the previous message.
    m_turn = np.repeat(np.arange(nt), t_msgs)
    m_w = _within(t_msgs)
    m_leg = t_leg[m_turn]
    m_nc = nc[m_turn]
    is_cust = m_w < m_nc
    nm = len(m_turn)
    m_skill = skill[m_leg]
    first_turn = t_j[m_turn] == 0
    # One normal and one uniform draw per message serve every kind of gap (memory and time
    # matter at 30 M messages): a customer's first message of a turn comes after a lognormal
    # think time (median 6 s in the first turn, 30 s later), the agent's first reply after
    # a lognormal response time; follow-up messages within a turn after a few seconds.
    z = rng.standard_normal(nm)
    u = rng.random(nm)
    think = np.exp(np.where(first_turn, math.log(6), math.log(30)) + 0.8 * z)
    resp_scale = np.where(legs.channel == EMAIL, 60.0, 1.0) * np.where(legs.offline, 3.0, 1.0)
    response = np.exp(np.log(16.0) - 0.3 * m_skill + 0.65 * z) * resp_scale[m_leg]
    gap = np.where(
        is_cust,
        np.where(m_w == 0, think, 3 + u * 23),
        np.where(m_w == m_nc, np.where(m_nc == 0, 3 + u * 18, response), 4 + u * 32),
    )
    del z, think, response
    gap = np.maximum(gap, 1).astype(np.int64)
    csum = np.cumsum(gap)
    first_msg = _segment_starts(leg_turn_msgs)
    base = np.where(first_msg > 0, csum[np.maximum(first_msg - 1, 0)], 0)
    base = np.where(leg_turn_msgs > 0, base, 0)
    m_rel = acc_rel[m_leg] + csum - base[m_leg]

    # Sender, source and text of turn messages.
    m_sender = np.where(is_cust, S_CUSTOMER, S_AGENT).astype(np.int8)
    p_kb = np.clip(0.05 + 0.02 * m_skill, 0.01, 0.12)
    u = rng.random(nm)
    m_source = np.where(u < p_kb, SRC_KB, np.where(u < p_kb + 0.12, SRC_CANNED, SRC_MANUAL))
    m_source = np.where(is_cust, -1, m_source).astype(np.int8)
    # Text category per message, then one draw for all: 0.3 % of customer messages carry
    # personal data (phone, e-mail), a callback opens with a callback line, an agent-only
    # inbound leg with a nudge.
    keys = ["agent", "canned", "kb", "customer", "private", "opener", "nudge"]
    cat = np.where(m_source == SRC_KB, 2, np.where(m_source == SRC_CANNED, 1, 0))
    private = u < 0.003  # customers have no source, so the source draw is free for this
    cat = np.where(is_cust, np.where(private, 4, 3), cat)
    opener = ~is_cust & (m_nc == 0) & (m_w == 0)
    cat = np.where(opener, np.where(callback[m_leg], 5, 6), cat)
    m_source = np.where(opener, SRC_MANUAL, m_source).astype(np.int8)  # typed by hand
    content = words.draw_mixed(rng, keys, cat)
    del cat, private
    # The last message of a leg that is transferred away announces the transfer.
    last_of_leg = np.r_[m_leg[1:] != m_leg[:-1], True] if nm else np.zeros(0, bool)
    announce = last_of_leg & legs.transfer_out[m_leg] & ~is_cust
    content = np.where(announce, words.offset["canned"] + 1, content)
    m_source = np.where(announce, SRC_CANNED, m_source).astype(np.int8)

    # End of each leg: a short tail after the last message, a timeout if unanswered.
    last_rel = np.full(n, 0, dtype=np.int64)
    if nm:
        last_rel[m_leg[last_of_leg]] = m_rel[last_of_leg]
    last_rel = np.where(leg_turn_msgs > 0, last_rel, np.maximum(acc_rel, 0))
    tail = rng.integers(10, 151, n)
    tail = np.where(unanswered, rng.integers(180, 601, n), tail)
    tail = np.where(legs.transfer_out, rng.integers(2, 16, n), tail)
    tail = np.where(kind == K_CUST_ONLY, rng.integers(120, 601, n), tail)
    tail = np.where(kind == K_AGENT_ONLY, rng.integers(60, 301, n), tail)
    talk = np.exp(rng.normal(math.log(240), 0.6, n)).astype(np.int64) + 20
    end_rel = np.where(kind == K_PHONE, acc_rel + talk, last_rel + tail)
    end_rel = np.where(abandoned, ab_rel, end_rel)

    # Assemble all segments of every leg in order, by position (no sort needed).
    counts = n_start + n_bot + n_q + n_auto + leg_turn_msgs + n_start
    off = _segment_starts(counts)
    total = int(counts.sum())
    leg_of = np.repeat(np.arange(n, dtype=np.int32), counts)
    rel = np.zeros(total, dtype=np.int64)
    sender = np.zeros(total, dtype=np.int8)
    source = np.full(total, -1, dtype=np.int8)
    text = np.zeros(total, dtype=np.int32)

    def put(
        pos: np.ndarray, r: np.ndarray, s: int | np.ndarray, src: int | np.ndarray, t: np.ndarray
    ) -> None:
        rel[pos] = r
        sender[pos] = s
        source[pos] = src
        text[pos] = t

    sel = np.flatnonzero(n_start)
    put(off[sel], 0, S_SYSTEM, -1, words.draw(rng, "start", len(sel)))
    sel = np.flatnonzero(n_bot)
    put(off[sel] + 1, q_rel[sel], S_BOT, SRC_AUTO, words.draw(rng, "bot", len(sel)))
    q_leg = np.repeat(np.arange(n), n_q)
    q_j = _within(n_q)
    q_end = np.where(abandoned, ab_rel, acc_rel)[q_leg]
    q_from = np.where(queued, q_rel, 0)[q_leg]  # held requests: from created_at
    q_span = q_end - q_from
    q_pos = off[q_leg] + n_start[q_leg] + n_bot[q_leg] + q_j
    q_time = q_from + ((q_j + 1) * q_span) // (n_q[q_leg] + 1)
    put(q_pos, q_time, S_CUSTOMER, -1, words.draw(rng, "customer", len(q_leg)))
    sel = np.flatnonzero(n_auto)
    pre = n_start + n_bot + n_q
    put(off[sel] + pre[sel], acc_rel[sel], S_AGENT, SRC_AUTO, words.draw(rng, "auto", len(sel)))
    pre = pre + n_auto
    t_pos = off[m_leg] + pre[m_leg] + (np.arange(nm) - first_msg[m_leg])
    put(t_pos, m_rel, m_sender, m_source, content)
    # Closing message; an email or an abandoned leg without a bot still gets one.
    sel = np.flatnonzero(n_start)
    put(off[sel] + counts[sel] - 1, end_rel[sel], S_SYSTEM, -1, words.draw(rng, "end", len(sel)))

    return _Plan(
        queued=q_rel,
        accepted=acc_rel,
        ended=end_rel,
        abandoned=ab_rel,
        msg_leg=leg_of,
        msg_rel=rel,
        msg_sender=sender,
        msg_source=source,
        msg_content=text,
    )


# --------------------------------------------------------------------------- conversations


def _sample_arrivals(
    rng: np.random.Generator,
    cdf: tuple[np.ndarray, np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    gap_lo: np.ndarray | None = None,
    gap_hi: np.ndarray | None = None,
) -> np.ndarray:
    """Local seconds of day drawn from `cdf`, inside [lo, hi) but outside [gap_lo, gap_hi).

    Inverse-CDF sampling restricted to a window with a hole (the meal break): one uniform
    draw per row, no rejection loop.
    """
    grid, f = cdf
    f_lo, f_hi = np.interp(lo, grid, f), np.interp(hi, grid, f)
    if gap_lo is None or gap_hi is None:
        g_lo, gap = np.full(len(lo), 2.0), np.zeros(len(lo))
    else:
        g_lo, g_hi = np.interp(gap_lo, grid, f), np.interp(gap_hi, grid, f)
        gap = np.clip(g_hi - g_lo, 0, None)
    u = f_lo + rng.random(len(lo)) * np.clip(f_hi - f_lo - gap, 1e-12, None)
    u = np.where(u >= g_lo, u + gap, u)
    return np.minimum(np.interp(u, f, grid), DAY - 1).astype(np.int64)


def _staffing(ro: _Roster) -> np.ndarray:
    """Agents on duty (logged in, not on the meal break) per local minute, summed over days."""
    diff = np.zeros(1442)
    for start, end, sign in (
        (ro.login_sod, ro.logout_sod, 1.0),
        (ro.break_start_sod, ro.break_end_sod, -1.0),
    ):
        np.add.at(diff, np.clip(start // 60, 0, 1441), sign)
        np.add.at(diff, np.clip(end // 60, 0, 1441), -sign)
    return np.cumsum(diff)[:1440]


def _conversations(
    rng: np.random.Generator, ag: _Agents, ro: _Roster, clock: MonthClock, messages: int | None
) -> _Legs:
    """First legs of accepted conversations plus abandoned requests, sorted by created_at.

    `messages`, when given, sets the expected number of conversations to
    messages / MESSAGES_PER_CONVERSATION instead of the natural volume.
    """
    # Routing splits demand among the agents on duty: an agent's arrivals follow
    # demand / staffing, so the center as a whole sees the demand curve (peaks 10:00, 20:00)
    # and an agent-day's volume is its share of the demand inside its own working window.
    g = ag.group[ro.agent]
    demand = _arrival_density()
    per_agent = demand / np.maximum(_staffing(ro), 1.0)
    routed = _cdf(per_agent)
    grid, f = routed
    share = (
        np.interp(ro.logout_sod - 300, grid, f)
        - np.interp(ro.login_sod, grid, f)
        - (np.interp(ro.break_end_sod, grid, f) - np.interp(ro.break_start_sod, grid, f))
    )
    share = np.clip(share, 0, None) / max(float(share.mean()), 1e-12)
    rate = BASE_CONVERSATIONS[g] * np.exp(0.2 * ag.skill[ro.agent]) * share
    if messages is not None:  # scale volume per agent-day to the requested message count
        rate *= messages / MESSAGES_PER_CONVERSATION / max(float(rate.sum()), 1e-9)
    counts = rng.poisson(rate)
    dd = np.repeat(np.arange(len(counts)), counts)
    n = len(dd)
    agent = ro.agent[dd]
    group = ag.group[agent]
    skill = ag.skill[agent]
    sod = _sample_arrivals(
        rng,
        routed,
        ro.login_sod[dd],
        ro.logout_sod[dd] - 300,
        ro.break_start_sod[dd] - 300,  # so that queued requests are taken before the break
        ro.break_end_sod[dd],
    )
    created = clock.to_utc(clock.local0 + ro.day[dd] * DAY + sod)
    origin = (rng.random(n) < CALLBACK_P[group] * np.exp(0.2 * skill)).astype(np.int8)
    channel = _choice(rng, CHANNEL_P, group)
    cb_channel = np.array([PHONE, CHANNELS.index("wechat"), CHANNELS.index("app")])
    channel = np.where(origin == 1, cb_channel[_cat(rng, n, (0.4, 0.35, 0.25))], channel)
    # Agent-offline requests arrived 2-60 min before the agent logged in (a left message).
    offline = (origin == 0) & (channel != PHONE) & (rng.random(n) < 0.015)
    hold = np.where(offline, rng.integers(120, 3600, n), 0)
    created = np.where(offline, ro.login[dd] - hold, created)
    u = rng.random(n)
    kind = np.full(n, K_NORMAL, dtype=np.int8)
    kind[(origin == 0) & (u < 0.008)] = K_CUST_ONLY
    kind[(origin == 0) & (u >= 0.008) & (u < 0.016)] = K_AGENT_ONLY
    kind[(origin == 1) & (u < 0.18)] = K_AGENT_ONLY  # callbacks nobody answered
    kind[offline & (rng.random(n) < 0.6)] = K_CUST_ONLY
    kind[channel == PHONE] = K_PHONE

    # Abandoned requests: ~5 % of inbound, any time of day (more outside staffed hours).
    n_ab = rng.binomial(int((origin == 0).sum()), 0.05)
    ab_day = rng.integers(0, clock.days, n_ab)
    ab_sod = _sample_arrivals(rng, _cdf(demand), np.zeros(n_ab), np.full(n_ab, DAY - 1.0))
    ab_group = _cat(rng, n_ab, (0.45, 0.40, 0.15))
    first = _Legs(
        agent=np.r_[agent, np.full(n_ab, -1)],
        group=np.r_[group, ab_group],
        channel=np.r_[channel, _choice(rng, CHANNEL_P, ab_group)],
        origin=np.r_[origin, np.zeros(n_ab, np.int8)],
        customer=np.zeros(n + n_ab, np.int64),
        created=np.r_[created, clock.to_utc(clock.local0 + ab_day * DAY + ab_sod)],
        kind=np.r_[kind, np.full(n_ab, K_ABANDONED, np.int8)],
        day=np.r_[ro.day[dd], ab_day],
        offline=np.r_[offline, np.zeros(n_ab, bool)],
        hold=np.r_[hold, np.zeros(n_ab, np.int64)],
        transfer_out=np.zeros(n + n_ab, bool),
        prev=np.full(n + n_ab, -1),
        rank=np.zeros(n + n_ab, np.int8),
    )
    first = first.subset(np.argsort(first.created, kind="stable"))
    _assign_customers(rng, first, ag)
    return first


def _assign_customers(rng: np.random.Generator, legs: _Legs, ag: _Agents) -> None:
    """Fresh customer per leg, then repeats: returning customers, follow-ups, callbacks."""
    n = len(legs.created)
    cust = np.arange(n, dtype=np.int64)
    idx = np.arange(n)
    inbound = legs.origin == 0
    # 8 % of inbound contacts are a customer seen earlier in the month.
    back = np.flatnonzero(inbound & (rng.random(n) < 0.08) & (idx > 0))
    cust[back] = cust[(rng.random(len(back)) * back).astype(np.int64)]
    # Follow-ups within 24 h: more likely after a weak agent (the issue was not solved).
    window = max(1, n // 200)
    cand = np.flatnonzero(inbound & (rng.random(n) < 0.25))
    src = cand - rng.integers(1, window + 1, len(cand))
    ok = src >= 0
    cand, src = cand[ok], src[ok]
    dt = legs.created[cand] - legs.created[src]
    src_skill = np.where(legs.agent[src] >= 0, ag.skill[np.maximum(legs.agent[src], 0)], -0.5)
    accept = (dt > 600) & (dt < DAY) & (rng.random(len(cand)) < 0.5 * np.exp(-0.6 * src_skill))
    cust[cand[accept]] = cust[src[accept]]
    # Callbacks reach a customer the same agent served in its last 40 legs.
    by_agent = np.lexsort((legs.created, legs.agent))
    pos = np.empty(n, np.int64)
    pos[by_agent] = idx
    cb = np.flatnonzero(legs.origin == 1)
    src_pos = pos[cb] - rng.integers(1, 41, len(cb))
    src_leg = by_agent[np.maximum(src_pos, 0)]
    ok = (src_pos >= 0) & (legs.agent[src_leg] == legs.agent[cb])
    cust[cb[ok]] = cust[src_leg[ok]]
    legs.customer = np.unique(cust, return_inverse=True)[1].astype(np.int64)


def _transfer_targets(
    rng: np.random.Generator, ro: _Roster, day: np.ndarray, at: np.ndarray, not_agent: np.ndarray
) -> np.ndarray:
    """Per transfer, an agent other than `not_agent` online (not on break) at `at`; -1 if none."""
    order = np.argsort(ro.day, kind="stable")
    per_day = np.bincount(ro.day, minlength=int(day.max(initial=0)) + 1)
    starts = _segment_starts(per_day)
    found = np.full(len(at), -1)
    for _ in range(16):  # vectorised rejection sampling: a few tries per transfer
        todo = found < 0
        if not todo.any():
            break
        cnt = per_day[day]
        k = (rng.random(len(at)) * np.maximum(cnt, 1)).astype(np.int64)
        cand = order[np.minimum(starts[day] + k, len(order) - 1)]
        good = (
            todo
            & (cnt > 0)
            & (ro.agent[cand] != not_agent)
            & (ro.login[cand] <= at)
            & (at + 900 < ro.logout[cand])
            & ((at < ro.break_start[cand]) | (at >= ro.break_end[cand]))
        )
        found = np.where(good, ro.agent[cand], found)
    return found


# --------------------------------------------------------------------------- generate


def _parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(x) for x in month.split("-"))
    except ValueError as exc:
        raise ValueError(f"month must look like 2026-10, got {month!r}") from exc
    if not 1 <= mon <= 12:
        raise ValueError(f"month must look like 2026-10, got {month!r}")
    return year, mon


def generate(
    month: str = "2026-10",
    *,
    seed: int = 0,
    agents: int = 40,
    messages: int | None = None,
    tz: str = "Asia/Shanghai",
    scorecards: Iterable[Scorecard] | None = None,
) -> dict[str, pa.Table]:
    """A month of contract tables for a synthetic center.

    Args:
        month: `YYYY-MM`, the month on the center's local calendar.
        seed: same seed, same tables (byte for byte).
        agents: head count; raised to ⌈messages / 25 000⌉ when `messages` is given.
        messages: approximate message count (±10 %); None = natural volume for `agents`.
        tz: the center's time zone; arrivals and shifts follow its wall clock.
        scorecards: the scorecards whose manual items, adjustment kinds and targeted metrics
            the month carries (default: the shipped templates).

    Returns:
        Table name → `pyarrow.Table` with the contract's columns (see `schema.py`).
    """
    year, mon = _parse_month(month)
    if agents < 3:
        raise ValueError("agents must be at least 3 (one per group)")
    clock = MonthClock(year, mon, tz)
    needs = template_needs() if scorecards is None else needs_of(scorecards)
    rng = np.random.default_rng(seed)
    n_agents = agents if messages is None else max(agents, math.ceil(messages / MESSAGES_PER_AGENT))
    ag = _make_agents(rng, n_agents, clock)
    ro = _make_roster(rng, ag, clock)
    words = _Vocab(rng)

    # Transfer chains are built rank by rank: a leg's successor starts when it ends.
    legs0 = _conversations(rng, ag, ro, clock, messages)
    skill0 = np.where(legs0.agent >= 0, ag.skill[np.maximum(legs0.agent, 0)], 0.0)
    n0 = len(legs0.kind)
    p_tr = 0.03 * np.exp(-0.3 * skill0)
    legs0.transfer_out = (
        (legs0.kind == K_NORMAL) & (legs0.origin == 0) & ~legs0.offline & (rng.random(n0) < p_tr)
    )
    third = rng.random(n0) < 0.15
    parts, plans, starts = [legs0], [_plan(rng, legs0, skill0, words)], [0]
    cur, cur_plan, cur_start, cur_third = legs0, plans[0], 0, third
    for rank in (1, 2):
        ended = cur.created + cur_plan.ended
        src = np.flatnonzero(cur.transfer_out)
        target = _transfer_targets(rng, ro, cur.day[src], ended[src], cur.agent[src])
        cur.transfer_out[src[target < 0]] = False  # nobody free: the agent kept the customer
        src, target = src[target >= 0], target[target >= 0]
        n = len(src)
        nxt = _Legs(
            agent=target,
            group=ag.group[target],
            channel=cur.channel[src],
            origin=cur.origin[src],
            customer=cur.customer[src],
            created=ended[src],
            kind=np.full(n, K_NORMAL, np.int8),
            day=cur.day[src],
            offline=np.zeros(n, bool),
            hold=np.zeros(n, np.int64),
            transfer_out=(rank == 1) & cur_third[src],
            prev=cur_start + src,
            rank=np.full(n, rank, np.int8),
        )
        starts.append(starts[-1] + len(cur.kind))
        nxt_plan = _plan(rng, nxt, ag.skill[target], words)
        parts.append(nxt)
        plans.append(nxt_plan)
        cur, cur_plan, cur_start, cur_third = nxt, nxt_plan, starts[-1], np.ones(n, bool)
    # Rank-2 legs were built with transfer_out False: a chain has at most three legs.
    legs = _Legs.concat(parts)
    times: dict[str, np.ndarray] = {}
    for name in ("queued", "accepted", "ended", "abandoned"):
        rel = np.concatenate([getattr(p, name) for p in plans])
        times[name] = np.where(rel >= 0, legs.created + rel, NULL)
    queued, accepted, ended, abandoned = times.values()
    msg_leg = np.concatenate(
        [p.msg_leg.astype(np.int64) + s for p, s in zip(plans, starts, strict=True)]
    )
    msg_time = legs.created[msg_leg] + np.concatenate([p.msg_rel for p in plans])
    sender = np.concatenate([p.msg_sender for p in plans])
    source = np.concatenate([p.msg_source for p in plans])
    content = np.concatenate([p.msg_content for p in plans])
    del plans

    n_legs = len(legs.kind)
    n_msgs = len(msg_leg)
    skill = np.where(legs.agent >= 0, ag.skill[np.maximum(legs.agent, 0)], 0.0)
    n_cust = np.bincount(msg_leg, weights=sender == S_CUSTOMER, minlength=n_legs)
    manual = (sender == S_AGENT) & (source != SRC_AUTO)
    n_manual = np.bincount(msg_leg, weights=manual, minlength=n_legs)
    valid = (n_cust > 0) & (n_manual > 0)
    accepted_leg = legs.agent >= 0

    session_ids = _ids("S", n_legs, max(8, len(str(n_legs))))
    customer_width = 8
    customer_ids = _ids("C", int(legs.customer.max(initial=0)) + 1, customer_width)

    # Session attributes that follow the messages: resolution, tags, after-contact work.
    acw = np.exp(rng.normal(math.log(35) - 0.2 * skill, 0.5, n_legs))
    acw = np.where(legs.channel == PHONE, acw * 1.8, acw).round()
    resolvable = accepted_leg & (legs.group != PRESALES)
    p_res = np.clip(0.78 + 0.07 * skill - np.where(valid, 0.0, 0.3), 0.05, 0.98)
    resolved = (rng.random(n_legs) < p_res) & ~legs.transfer_out
    lead = valid & (rng.random(n_legs) < np.clip(LEAD_P[legs.group] * np.exp(0.3 * skill), 0, 0.6))
    tags = _tags(rng, legs.group, lead, accepted_leg & (rng.random(n_legs) < 0.85))

    sessions = pa.table(
        {
            "session_id": session_ids,
            "channel": _pick(CHANNELS, legs.channel),
            "origin": _pick(("inbound", "callback"), legs.origin),
            "customer_id": _take(customer_ids, legs.customer),
            "agent_id": _take(ag.ids, legs.agent),
            "group": _pick(vocab.GROUPS, legs.group),
            "created_at": _ts(legs.created),
            "queued_at": _ts(queued),
            "accepted_at": _ts(accepted),
            "ended_at": _ts(ended),
            "abandoned_at": _ts(abandoned),
            "transferred_out": pa.array(legs.transfer_out),
            "previous_session_id": _take(session_ids, legs.prev),
            "acw_seconds": pa.array(acw, mask=~accepted_leg),
            "resolved": pa.array(resolved, mask=~resolvable),
            "agent_offline": pa.array(legs.offline),
            "tags": tags,
        }
    )
    message_agent = np.where(sender == S_AGENT, legs.agent[msg_leg], -1)
    msg_table = pa.table(
        {
            "message_id": _ids("M", n_msgs, max(10, len(str(n_msgs)))),
            "session_id": _take(session_ids, msg_leg),
            "sender": _pick(SENDERS, sender.astype(np.int64)),
            "agent_id": _take(ag.ids, message_agent),
            "sent_at": _ts(msg_time),
            "source": _pick(SOURCES, source.astype(np.int64)),
            "content": _take(words.texts, content.astype(np.int64)),
        }
    )
    del message_agent, msg_time, sender, source, content

    rated = _ratings(rng, legs, valid, ended, skill, session_ids)
    orders, credited_sales = _orders(rng, legs, valid, lead, ended, skill, ag, clock, customer_ids)
    tables: dict[str, pa.Table] = {
        "agents": ag.table,
        "sessions": sessions,
        "messages": msg_table,
        "agent_states": ro.states,
        "ratings": rated,
        "orders": orders,
        "visits": _visits(rng, legs, clock),
        "qa_reviews": _qa_reviews(rng, legs, valid, ended, skill, ag, clock, session_ids),
        "attendance": ro.attendance,
        "adjustments": _adjustments(rng, ag, ro, clock, needs),
        "targets": _targets(
            rng,
            ag,
            legs,
            valid,
            lead,
            resolved & resolvable,
            credited_sales,
            month,
            clock.days,
            needs,
        ),
    }
    meta = {TZ_METADATA_KEY: tz.encode()}
    return {
        name: t.select(CONTRACT_SCHEMAS[name].names)
        .cast(CONTRACT_SCHEMAS[name])
        .replace_schema_metadata(meta)
        for name, t in tables.items()
    }


def write_contract_folder(
    folder: Path | str, month: str = "2026-10", seed: int = 0, fmt: str = "csv", **kw: Any
) -> list[Path]:
    """Generates a month (`**kw` go to `generate`) and writes it as `<table>.<ext>` files."""
    tz = kw.get("tz", "Asia/Shanghai")
    return write_folder(generate(month, seed=seed, **kw), Path(folder), fmt, tz=tz)


# --------------------------------------------------------------------------- side tables


def _tags(
    rng: np.random.Generator, group: np.ndarray, lead: np.ndarray, topical: np.ndarray
) -> pa.Array:
    """`lead;物流;退换货`-style tags from a small table of combinations (one `take`)."""
    texts: list[str] = []
    offset = []
    for topics in vocab.TOPICS:
        combos = [t for t in topics] + [
            f"{a};{b}" for i, a in enumerate(topics) for b in topics[i + 1 :]
        ]
        offset.append((len(texts), len(combos)))
        texts.extend(combos)
    n_plain = len(texts)
    texts.extend(["lead;" + t for t in texts[:n_plain]])
    texts.append("lead")
    start = np.array([o[0] for o in offset])[group]
    size = np.array([o[1] for o in offset])[group]
    idx = start + (rng.random(len(group)) * size).astype(np.int64)
    idx = np.where(lead, idx + n_plain, idx)
    idx = np.where(~topical, np.where(lead, len(texts) - 1, -1), idx)
    return _take(pa.array(texts), idx)


def _ratings(
    rng: np.random.Generator,
    legs: _Legs,
    valid: np.ndarray,
    ended: np.ndarray,
    skill: np.ndarray,
    session_ids: pa.Array,
) -> pa.Table:
    n = len(valid)
    eligible = valid & ~legs.transfer_out
    invited = eligible & (rng.random(n) < np.clip(0.6 + 0.05 * skill, 0.45, 0.75))
    rated = (invited & (rng.random(n) < 0.6)) | (eligible & ~invited & (rng.random(n) < 0.02))
    row = invited | rated
    z = 0.5 * skill + rng.normal(0, 1, n)
    stars = 1 + (z > -2.2).astype(int) + (z > -1.88) + (z > -1.55) + (z > -0.92)
    comment = rng.random(n) < 0.25
    good = vocab.RATING_GOOD
    bad = vocab.RATING_BAD
    c_idx = np.where(
        stars >= 4, rng.integers(0, len(good), n), len(good) + rng.integers(0, len(bad), n)
    )
    c_idx = np.where(rated & comment, c_idx, -1)
    rated_at = np.where(rated, ended + rng.integers(5, 900, n), NULL)
    sel = np.flatnonzero(row)
    return pa.table(
        {
            "session_id": session_ids.take(pa.array(sel)),
            "rated_at": _ts(rated_at[sel]),
            "stars": pa.array(stars[sel].astype(np.int32), mask=~rated[sel]),
            "comment": _pick(list(good) + list(bad), c_idx[sel]),
            "invited": pa.array(invited[sel]),
        }
    )


def _money(cents: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Integer cents as decimal(12, 2), exactly."""
    # Cents / 100 as float is the nearest double to the 2-decimal value; the cast rounds it.
    return pa.array(cents.astype(np.int64) / 100, mask=mask).cast(MONEY)


def _orders(
    rng: np.random.Generator,
    legs: _Legs,
    valid: np.ndarray,
    lead: np.ndarray,
    ended: np.ndarray,
    skill: np.ndarray,
    ag: _Agents,
    clock: MonthClock,
    customer_ids: pa.Array,
) -> tuple[pa.Table, np.ndarray]:
    """Orders after consultations, silent orders and fake ones; also sales per agent."""
    n = len(valid)
    p = np.where(
        legs.group == PRESALES,
        np.clip(0.38 * np.exp(0.35 * skill) + 0.15 * lead, 0, 0.85),
        np.where(
            legs.group == VIP,
            np.clip(0.20 * np.exp(0.3 * skill), 0, 0.6),
            np.clip(0.03 * np.exp(0.3 * skill), 0, 0.1),  # after-sales add-ons, exchanges
        ),
    )
    src = np.flatnonzero(valid & ~legs.transfer_out & (rng.random(n) < p))
    k = len(src)
    mix = _cat(rng, k, (0.65, 0.25, 0.10))
    delay = np.where(
        mix == 0,
        rng.exponential(2400, k) + 30,
        np.where(mix == 1, rng.uniform(7200, 47 * 3600, k), rng.uniform(49 * 3600, 120 * 3600, k)),
    ).astype(np.int64)
    created = ended[src] + delay
    keep = created < clock.end_utc
    src, created = src[keep], created[keep]
    k = len(src)
    customer = legs.customer[src]
    agent = np.where(rng.random(k) < 0.55, legs.agent[src], -1)
    cents = (
        np.exp(rng.normal(math.log(16000), 0.75, k)) * np.array([1.0, 0.35, 2.5])[legs.group[src]]
    )
    fake = np.zeros(k, bool)

    # Silent orders: customers who never talked to the center.
    n_cust = int(legs.customer.max(initial=0)) + 1
    k_s = round(0.3 * k) + 5
    k_f = max(3, round(0.01 * (k + k_s)))
    day = rng.integers(0, clock.days, k_s + k_f)
    sod = _sample_arrivals(
        rng, _cdf(_arrival_density()), np.zeros(k_s + k_f), np.full(k_s + k_f, DAY - 1.0)
    )
    extra_created = clock.to_utc(clock.local0 + day * DAY + sod)
    presales_agents = np.flatnonzero(ag.group == PRESALES)
    fake_agent = presales_agents[rng.integers(0, len(presales_agents), k_f)]
    created = np.r_[created, extra_created]
    customer = np.r_[customer, n_cust + np.arange(k_s + k_f)]
    agent = np.r_[agent, np.full(k_s, -1), fake_agent]
    cents = np.r_[cents, np.exp(rng.normal(math.log(15000), 0.8, k_s)), rng.uniform(500, 3000, k_f)]
    fake = np.r_[fake, np.zeros(k_s, bool), np.ones(k_f, bool)]
    total = len(created)
    cents = np.round(cents).astype(np.int64)
    paid = fake | (rng.random(total) < 0.92)
    paid_at = np.where(paid, created + rng.integers(20, 1800, total), NULL)
    refund = paid & ~fake & (rng.random(total) < 0.05)
    refund_cents = np.where(
        rng.random(total) < 0.6, cents, (cents * rng.uniform(0.2, 0.7, total)).astype(np.int64)
    )
    refunded_at = np.where(refund, paid_at + rng.integers(3600, 7 * DAY, total), NULL)
    deposit = rng.random(total) < 0.08
    deposit_cents = (cents * rng.uniform(0.1, 0.3, total)).astype(np.int64)
    items = 1 + _cat(rng, total, (0.55, 0.25, 0.12, 0.08))
    order = np.argsort(created, kind="stable")
    all_ids = pa.concat_arrays([customer_ids, _ids("C", n_cust + k_s + k_f, 8).slice(n_cust)])
    # Sales per agent as the KPI engine credits them: the agent the order names, else the
    # agent of the customer's latest consultation within 48 h before the order.
    real = paid & ~fake
    last_leg, converted, consulted = _consultations(
        legs, valid, ended, customer, created, real, ag.n
    )
    credited = np.where(agent >= 0, agent, np.where(last_leg >= 0, legs.agent[last_leg], -1))
    good = real & (credited >= 0)
    sales = np.bincount(credited[good], weights=cents[good] / 100, minlength=ag.n)
    paid_orders = np.bincount(credited[good], minlength=ag.n).astype(float)
    o = order
    table = pa.table(
        {
            "order_id": _ids("O", total, 8),
            "customer_id": _take(all_ids, customer[o]),
            "agent_id": _take(ag.ids, agent[o]),
            "created_at": _ts(created[o]),
            "paid_at": _ts(paid_at[o]),
            "amount": _money(cents[o]),
            "items": pa.array(items[o].astype(np.int32)),
            "refunded_amount": _money(refund_cents[o], ~refund[o]),
            "refunded_at": _ts(refunded_at[o]),
            "fake": pa.array(fake[o]),
            "deposit_amount": _money(deposit_cents[o], ~deposit[o]),
        }
    )
    return table, np.stack([sales, paid_orders, converted, consulted])


def _consultations(
    legs: _Legs,
    valid: np.ndarray,
    ended: np.ndarray,
    order_customer: np.ndarray,
    order_created: np.ndarray,
    real: np.ndarray,
    n_agents: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orders against the valid legs of their customer within 48 h before them.

    Returns each order's latest such leg (-1 = none), and per agent the distinct customers of
    its valid legs and those of them who placed a paid order within 48 h of the leg
    (inquiry conversion as the KPI engine counts it)."""
    lv = np.flatnonzero(valid & (legs.agent >= 0))
    by_customer = lv[np.argsort(legs.customer[lv], kind="stable")]
    leg_customer = legs.customer[by_customer]
    lo = np.searchsorted(leg_customer, order_customer, "left")
    k = np.searchsorted(leg_customer, order_customer, "right") - lo
    k = np.where(real, k, 0)
    oi = np.repeat(np.arange(len(order_customer)), k)
    li = by_customer[np.repeat(lo, k) + _within(k)]
    hit = (order_created[oi] >= legs.created[li]) & (order_created[oi] <= ended[li] + 2 * DAY)
    oi, li = oi[hit], li[hit]
    last_leg = np.full(len(order_customer), -1)
    latest = np.lexsort((legs.created[li], oi))  # by order, then time: the last one wins
    last_leg[oi[latest]] = li[latest]
    converted_leg = np.zeros(len(valid), bool)
    converted_leg[li] = True
    width = int(legs.customer.max(initial=0)) + 1
    pairs, inverse = np.unique(legs.agent[lv] * width + legs.customer[lv], return_inverse=True)
    converted_pair = np.bincount(inverse, weights=converted_leg[lv], minlength=len(pairs)) > 0
    agent = pairs // width
    return (
        last_leg,
        np.bincount(agent[converted_pair], minlength=n_agents).astype(float),
        np.bincount(agent, minlength=n_agents).astype(float),
    )


def _visits(rng: np.random.Generator, legs: _Legs, clock: MonthClock) -> pa.Table:
    """Unique visitors per date and web-like channel, so that about 5 % of them consult."""
    web_like = 4  # web, app, wechat, weibo
    sel = (legs.origin == 0) & (legs.channel < web_like)
    day = clock.local_day(legs.created[sel])
    key = (day * web_like + legs.channel[sel]) * (
        int(legs.customer.max(initial=0)) + 1
    ) + legs.customer[sel]
    pairs = np.unique(key) // (int(legs.customer.max(initial=0)) + 1)
    pairs = pairs[(pairs >= 0) & (pairs < clock.days * web_like)]
    consulting = np.bincount(pairs, minlength=clock.days * web_like)
    visitors = np.round(consulting / rng.uniform(0.04, 0.06, len(consulting))).astype(np.int64)
    visitors = np.where(consulting == 0, rng.poisson(200, len(consulting)), visitors)
    cell = np.arange(clock.days * web_like)
    return pa.table(
        {
            "date": pa.array((clock.first_day + cell // web_like).astype(np.int32)).cast(
                pa.date32()
            ),
            "channel": _pick(CHANNELS, cell % web_like),
            "visitors": pa.array(visitors),
        }
    )


def _qa_reviews(
    rng: np.random.Generator,
    legs: _Legs,
    valid: np.ndarray,
    ended: np.ndarray,
    skill: np.ndarray,
    ag: _Agents,
    clock: MonthClock,
    session_ids: pa.Array,
) -> pa.Table:
    """5-10 reviews per agent of its valid legs, by a small QA team."""
    cand = np.flatnonzero(valid)
    cand = cand[np.argsort(legs.agent[cand], kind="stable")]
    per_agent = np.bincount(legs.agent[cand], minlength=ag.n)
    first = _segment_starts(per_agent)
    k = np.where(per_agent > 0, rng.integers(5, 11, ag.n), 0)
    who = np.repeat(np.arange(ag.n), k)
    pick = cand[first[who] + (rng.random(len(who)) * per_agent[who]).astype(np.int64)]
    n = len(pick)
    n_reviewers = 3 if ag.n <= 60 else 3 + math.ceil((ag.n - 60) / 20)
    reviewers = [f"{name}（质检）" for name in _name_pool(rng, n_reviewers)]
    realtime = rng.random(n) < 0.45
    delay = np.where(realtime, rng.integers(60, 1800, n), rng.integers(DAY, 4 * DAY, n))
    reviewed = np.maximum(np.minimum(ended[pick] + delay, clock.end_utc - 60), ended[pick])
    deduction = np.clip(np.round(rng.exponential(1.8 * np.exp(-0.55 * skill[pick])) * 2) / 2, 0, 15)
    score = 100.0 - deduction
    n_codes = np.where(score < 92, 2, np.where(score < 97, 1, 0))
    codes = vocab.QA_VIOLATIONS
    first_code = rng.integers(0, len(codes), n)
    second_code = (first_code + 1 + rng.integers(0, len(codes) - 1, n)) % len(codes)
    combo_text = list(codes) + [f"{a};{b}" for a in codes for b in codes]
    combo = np.where(n_codes == 1, first_code, len(codes) + first_code * len(codes) + second_code)
    combo = np.where(n_codes == 0, -1, combo)
    order = np.lexsort((reviewed, who))
    return pa.table(
        {
            "review_id": _ids("Q", n, 6),
            "session_id": session_ids.take(pa.array(pick[order])),
            "agent_id": _take(ag.ids, legs.agent[pick][order]),
            "reviewer": _pick(reviewers, rng.integers(0, n_reviewers, n)[order]),
            "reviewed_at": _ts(reviewed[order]),
            "score": pa.array(score[order]),
            "mode": _pick(("post", "realtime"), realtime[order].astype(np.int64)),
            "violations": _pick(combo_text, combo[order]),
        }
    )


# Monthly Poisson rate of each contract kind at average skill, and its skill sensitivity.
# Supervisors record these for every agent, whatever scorecard the agent is on.
ADJUSTMENT_RATES: dict[str, tuple[float, float]] = {
    "execution.rule": (0.30, -0.6),
    "execution.attitude": (0.15, -0.6),
    "execution.neglect": (0.20, -0.6),
    "execution.answer": (0.30, -0.6),
    "execution.complaint": (0.15, -0.6),
    "execution.exam": (0.05, -0.8),
    "teamwork.shift": (0.15, -0.5),
    "teamwork.handover": (0.10, -0.5),
    "praise": (0.40, 0.5),
    "overtime": (0.30, 0.2),
    "suggestion": (0.10, 0.5),
    "report.late": (0.20, -0.4),
}
# Scorecards' own counted kinds: monthly rate, skill sensitivity and the rate's multiplier per
# group (pre-sales, after-sales, VIP); drawn only for agents of a scorecard that reads them.
# A kind not listed here gets DEFAULT_RATE and its scorecard label as the reason.
KIND_RATES: dict[str, tuple[float, float, tuple[float, float, float]]] = {
    "aftersales.error": (0.8, -0.6, (1.0, 1.0, 1.0)),
    "new_customer.small": (4.0, 0.3, (1.0, 0.15, 0.8)),
    "new_customer.medium": (1.5, 0.3, (1.0, 0.15, 0.8)),
    "new_customer.large": (0.5, 0.4, (1.0, 0.1, 1.0)),
    "customer_visit": (0.6, 0.3, (1.0, 0.2, 1.0)),
}
DEFAULT_RATE = (0.3, -0.4, (1.0, 1.0, 1.0))
# Kinds whose occurrences are facts of the roster (one row per day it happened).
ROSTER_KINDS = ("attendance.personal_leave", "attendance.short_day")
# Money charges (e.g. deposit shortfall): share of agents charged per group, amount range.
MONEY_P = (0.15, 0.03, 0.15)
MONEY_RANGE = (100.0, 800.0)


class _AdjustmentRows:
    """Adjustment rows collected kind by kind; texts (kind, reason, entered_by) are coded."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._codes: dict[str, int] = {}
        self.parts: list[tuple[np.ndarray, ...]] = []

    def code(self, text: str) -> int:
        if text not in self._codes:
            self._codes[text] = len(self.texts)
            self.texts.append(text)
        return self._codes[text]

    def reasons(self, rng: np.random.Generator, texts: tuple[str, ...], n: int) -> np.ndarray:
        codes = np.array([self.code(t) for t in texts])
        return codes[(rng.random(n) * len(codes)).astype(np.int64)]

    def add(
        self,
        agent: np.ndarray,
        day: np.ndarray,
        kind: str,
        reason: np.ndarray,
        by: np.ndarray,
        count: np.ndarray | None = None,
        points: np.ndarray | None = None,
    ) -> None:
        n = len(agent)
        nan = np.full(n, np.nan)
        self.parts.append(
            (
                agent.astype(np.int64),
                day.astype(np.int64),
                np.full(n, self.code(kind)),
                nan if count is None else count.astype(float),
                nan if points is None else points.astype(float),
                reason,
                by,
            )
        )


def _adjustments(
    rng: np.random.Generator, ag: _Agents, ro: _Roster, clock: MonthClock, needs: Needs
) -> pa.Table:
    """Supervisor-entered facts: the contract kinds at skill-driven Poisson rates and one
    `supervisor` score per agent; then what the scorecards (`needs`) read: supervisor and
    self scores of every manual item, the scorecards' own kinds, money charges and entered
    figures, each for the agents of the scorecards that read it."""
    rows = _AdjustmentRows()
    last_day = np.minimum(ag.left_day, clock.days) - 1
    everyone = np.arange(ag.n)
    supervisors = np.array([rows.code(f"{name}（主管）") for name in ag.names[ag.n : ag.n + 3]])
    own_names = np.array([rows.code(name) for name in ag.names[: ag.n]])

    def some_day(agent: np.ndarray) -> np.ndarray:
        return (rng.random(len(agent)) * (last_day[agent] + 1)).astype(np.int64)

    def at_least_one(agent: np.ndarray, members: np.ndarray, sens: float) -> np.ndarray:
        """Every kind shows up in the month, even a rare one in a small center: if the draw
        gave none, the member the kind's skill sensitivity favours most gets one."""
        if len(agent) or not len(members):
            return agent
        favoured = members[np.argmax(sens * ag.skill[members])]
        return np.array([favoured])

    def reasons(kind: str, n: int, label: str | None = None) -> np.ndarray:
        texts = vocab.ADJUSTMENT_REASONS.get(kind) or (label or kind,)
        return rows.reasons(rng, texts, n)

    # Contract kinds (every agent) and the generic `supervisor` score at month end.
    for kind, (rate, sens) in ADJUSTMENT_RATES.items():
        agent = np.repeat(everyone, rng.poisson(rate * np.exp(sens * ag.skill)))
        agent = at_least_one(agent, everyone, sens)
        n = len(agent)
        count = 1 + (rng.random(n) < 0.2) if kind == "report.late" else np.ones(n)
        rows.add(
            agent,
            some_day(agent),
            kind,
            reasons(kind, n),
            supervisors[ag.group[agent]],
            count=count,
        )
    points = np.round(np.clip(80 + 8 * ag.skill + rng.normal(0, 5, ag.n), 50, 100))
    rows.add(
        everyone,
        last_day,
        "supervisor",
        reasons("supervisor", ag.n),
        supervisors[ag.group],
        points=points,
    )

    # Manual items: the supervisor's score and, beside it, the agent's own (a bit higher).
    for need in needs.manual:
        agent = everyone[np.isin(ag.group, list(need.groups))]
        n = len(agent)
        step = 1.0 if need.scale >= 20 else 0.5
        share = np.clip(0.80 + 0.07 * ag.skill[agent] + rng.normal(0, 0.05, n), 0.45, 1.0)
        own = np.clip(share + rng.normal(0.04, 0.04, n), 0.5, 1.0)
        sup_points = np.round(share * need.scale / step) * step
        own_points = np.round(own * need.scale / step) * step
        sup_reason = np.full(n, rows.code(f"主管月度评分：{need.label}"))
        own_reason = np.full(n, rows.code(f"员工自评：{need.label}"))
        day = last_day[agent]
        rows.add(agent, day, need.kind, sup_reason, supervisors[ag.group[agent]], points=sup_points)
        rows.add(agent, day, need.self_kind, own_reason, own_names[agent], points=own_points)

    # The scorecards' own kinds.
    team_codes = np.unique(np.array(ag.table["team"].to_pylist()), return_inverse=True)[1]
    for need in needs.kinds:
        if need.kind in ADJUSTMENT_RATES:
            continue
        members = everyone[np.isin(ag.group, list(need.groups))]
        if need.kind in ROSTER_KINDS:
            agent, day = ro.personal_leave if need.kind == ROSTER_KINDS[0] else ro.short_day
            keep = np.isin(agent, members)
            agent, day = agent[keep], day[keep]
            texts = vocab.ADJUSTMENT_REASONS[need.kind]
            reason = np.full(len(agent), rows.code(texts[0]))
            if need.kind == ROSTER_KINDS[1]:
                codes = np.array([rows.code(t) for t in texts])
                reason = codes[ro.short_day_away[keep].astype(np.int64)]
            rows.add(
                agent,
                day,
                need.kind,
                reason,
                supervisors[ag.group[agent]],
                count=np.ones(len(agent)),
            )
        elif need.how == _needs.FIGURE:
            # An achievement ratio per team (a store), e.g. traffic 0.985 of plan.
            team_skill = np.bincount(team_codes, weights=ag.skill) / np.bincount(team_codes)
            value = np.clip(rng.normal(1.0, 0.015, len(team_skill)) + 0.01 * team_skill, 0.9, 1.1)
            agent = members
            rows.add(
                agent,
                last_day[agent],
                need.kind,
                reasons(need.kind, len(agent), need.label),
                supervisors[ag.group[agent]],
                points=np.round(value[team_codes[agent]], 3),
            )
        elif need.how == _needs.MONEY:
            p = np.array(MONEY_P)[ag.group[members]]
            agent = at_least_one(members[rng.random(len(members)) < p], members, -1.0)
            amount = np.round(rng.uniform(*MONEY_RANGE, len(agent)), -1)
            rows.add(
                agent,
                last_day[agent],
                need.kind,
                reasons(need.kind, len(agent), need.label),
                supervisors[ag.group[agent]],
                points=amount,
            )
        else:
            rate, sens, by_group = KIND_RATES.get(need.kind, DEFAULT_RATE)
            lam = rate * np.exp(sens * ag.skill[members]) * np.array(by_group)[ag.group[members]]
            agent = at_least_one(np.repeat(members, rng.poisson(lam)), members, sens)
            rows.add(
                agent,
                some_day(agent),
                need.kind,
                reasons(need.kind, len(agent), need.label),
                supervisors[ag.group[agent]],
                count=np.ones(len(agent)),
            )

    columns = (np.concatenate(c) for c in zip(*rows.parts, strict=True))
    agent, day, kind, count, points, reason, by = columns
    order = np.lexsort((kind, day, agent))
    n = len(agent)
    texts = pa.array(rows.texts, pa.string())
    return pa.table(
        {
            "adjustment_id": _ids("J", n, max(6, len(str(n)))),
            "agent_id": _take(ag.ids, agent[order]),
            "date": pa.array((clock.first_day + day[order]).astype(np.int32)).cast(pa.date32()),
            "kind": _take(texts, kind[order]),
            "count": pa.array(count[order], mask=np.isnan(count[order])),
            "points": pa.array(points[order], mask=np.isnan(points[order])),
            "reason": _take(texts, reason[order]),
            "entered_by": _take(texts, by[order]),
        }
    )


# Targets the demo knows how to set: counts (summed over a team, group or the center) and
# ratios (pooled). A scorecard targeting another metric gets no demo target for it.
COUNT_TARGETS = ("sales_amount", "leads", "callbacks", "sessions")
RATIO_TARGETS = ("aov", "inquiry_conversion", "resolution_rate")
ALWAYS_TARGETED = ("sales_amount", "leads", "aov", "callbacks")
# A supervisor sets an agent's count target from the group's mean and from what the agent
# usually achieves (geometric mean of the two, HISTORY_WEIGHT on the agent's own record).
HISTORY_WEIGHT = 0.5


def _targets(
    rng: np.random.Generator,
    ag: _Agents,
    legs: _Legs,
    valid: np.ndarray,
    lead: np.ndarray,
    resolved: np.ndarray,
    sales: np.ndarray,
    month: str,
    days: int,
    needs: Needs,
) -> pa.Table:
    """Targets near what the agents achieve, so achievement spreads with skill.

    Counts: each agent's target is the geometric mean of its group's mean and its own usual
    output (this month's, scaled to a full month for a leaver: targets are set before anyone
    leaves) × U(0.95, 1.15); a team's, group's and the
    center's are the sums of their agents' targets (the pooled figure's own target). Ratios:
    the pooled figure of the team, group or center × U(0.97, 1.04) (AOV U(0.94, 1.08)); AOV
    also per agent (its
    group's AOV × U(0.95, 1.15)). Rates are fractions, AOV in whole tens, sales in hundreds.
    """
    # sales: per agent, paid amount and paid orders credited, converted and consulting
    # customers.
    acc = legs.agent >= 0

    def per_agent(mask: np.ndarray) -> np.ndarray:
        return np.bincount(legs.agent[mask & acc], minlength=ag.n).astype(float)

    resolvable = legs.group != PRESALES
    counts = {
        "sales_amount": sales[0],
        "leads": per_agent(lead),
        "callbacks": per_agent(legs.origin == 1),
        "sessions": per_agent(np.ones(len(acc), bool)),
    }
    ratios = {
        "aov": (sales[0], sales[1]),
        "inquiry_conversion": (sales[2], sales[3]),
        "resolution_rate": (per_agent(resolved & resolvable), per_agent(resolvable)),
    }
    digits = {"sales_amount": -2, "aov": -1, "inquiry_conversion": 3, "resolution_rate": 3}
    wanted = [m for m in (*ALWAYS_TARGETED, *needs.target_metrics) if m in counts or m in ratios]
    metrics = list(dict.fromkeys(wanted))
    teams = np.array(ag.table["team"].to_pylist(), dtype=object)
    team_names = list(dict.fromkeys(teams.tolist()))
    scopes: list[tuple[str, np.ndarray]] = (
        [(f"team:{t}", teams == t) for t in team_names]
        + [(f"group:{vocab.GROUPS[g]}", ag.group == g) for g in range(3)]
        + [("center", np.ones(ag.n, bool))]
    )
    rows: list[tuple[str, str, float]] = []
    agent_scope = [f"agent:{a}" for a in ag.ids.to_pylist()]
    for metric in metrics:
        nd = digits.get(metric, 0)
        if metric in counts or metric == "aov":
            values = counts.get(metric)
            target = np.full(ag.n, np.nan)
            f = rng.uniform(0.95, 1.15, ag.n)
            for g in range(3):
                members = ag.group == g
                if metric == "aov":
                    num, den = ratios["aov"]
                    mean = num[members].sum() / den[members].sum() if den[members].sum() else 0
                else:
                    mean = values[members].mean() if members.any() else 0  # type: ignore[index]
                if mean <= 0:
                    continue
                usual = mean
                if values is not None:
                    full = values[members] * days / np.maximum(ag.left_day[members], 1)
                    usual = np.where(full > 0, full, mean) ** HISTORY_WEIGHT * mean ** (
                        1 - HISTORY_WEIGHT
                    )
                target[members] = np.round(usual * f[members], nd)
            rows += [
                (agent_scope[a], metric, float(target[a]))
                for a in range(ag.n)
                if not np.isnan(target[a])
            ]
        # Rates are set within a few percent of what the scope achieves (AOV a bit wider).
        f = (
            rng.uniform(0.94, 1.08, len(scopes))
            if metric == "aov"
            else rng.uniform(0.97, 1.04, len(scopes))
        )
        for (scope, members), factor in zip(scopes, f, strict=True):
            if metric in counts:
                total = np.nansum(target[members])
                if total > 0:
                    rows.append((scope, metric, float(np.round(total, nd))))
                continue
            num, den = ratios[metric]
            if den[members].sum() > 0 and num[members].sum() > 0:
                value = num[members].sum() / den[members].sum() * factor
                rows.append(
                    (
                        scope,
                        metric,
                        float(np.round(min(value, 0.995) if metric != "aov" else value, nd)),
                    )
                )
    return pa.table(
        {
            "scope": pa.array([r[0] for r in rows]),
            "period": pa.array([month] * len(rows)),
            "metric": pa.array([r[1] for r in rows]),
            "target": pa.array([float(r[2]) for r in rows]),
        }
    )
