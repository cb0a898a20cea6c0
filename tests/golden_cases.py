"""Hand-made golden cases for the metric catalog: small tables with every figure worked out.

Each ``case_*`` function returns ``(tables, expected)``:

- ``tables``: contract tables (data-contract.md) as pandas DataFrames; timestamps tz-aware
  UTC, flags in the nullable ``boolean`` dtype.
- ``expected``: ``{"start": date, "end": date, "tz": str, "thresholds": dict | None,
  "by": {"agent" | "group" | "center": {dimension value: {metric: value}}},
  "absent": {by: [metric keys that must not be reported at that level]}}``. Only the
  metrics listed are checked; every listed value is worked out by hand in the comments
  (local times are Asia/Shanghai, UTC+8). ``None`` means "must be null".

They are used by ``tests/test_reference_metrics.py`` against the reference implementation
and are meant to be reused, unchanged, as golden cases for the real engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd

TZ = "Asia/Shanghai"
Tables = dict[str, pd.DataFrame]
Expected = dict[str, Any]
Case = tuple[Tables, Expected]

TIMESTAMP_COLUMNS = {
    "created_at",
    "queued_at",
    "accepted_at",
    "ended_at",
    "abandoned_at",
    "sent_at",
    "started_at",
    "rated_at",
    "paid_at",
    "refunded_at",
    "reviewed_at",
    "clock_in",
    "clock_out",
}
BOOL_COLUMNS = {"transferred_out", "resolved", "agent_offline", "invited", "fake"}
OCT = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31), "tz": TZ}
NOV = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30), "tz": TZ}


def local(text: str) -> pd.Timestamp:
    """'2026-10-12 10:00:05' in Asia/Shanghai -> tz-aware UTC Timestamp."""
    return pd.Timestamp(text, tz=TZ).tz_convert("UTC")


def frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """Rows -> DataFrame with contract dtypes: UTC timestamps, nullable booleans.

    Local time strings in timestamp columns are converted with :func:`local`.
    """
    cols = list(columns or [])
    for row in rows:
        cols += [c for c in row if c not in cols]
    df = pd.DataFrame([{c: row.get(c) for c in cols} for row in rows], columns=cols)
    for col in cols:
        if col in TIMESTAMP_COLUMNS:
            df[col] = pd.to_datetime(
                [local(v) if isinstance(v, str) else v for v in df[col]], utc=True
            )
        elif col in BOOL_COLUMNS:
            df[col] = df[col].astype("boolean")
    return df


def _msg(mid: str, sid: str, sender: str, at: str, source: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"message_id": mid, "session_id": sid, "sender": sender, "sent_at": at}
    row["source"] = source if source else ("manual" if sender == "agent" else None)
    return row


# ------------------------------------------------------------------------------------------
# 1. Response pairs, valid/invalid legs, phone leg, queue figures (one day, one agent)
# ------------------------------------------------------------------------------------------


def case_response_pairs() -> Case:
    """Agent A1 on 2026-10-12 (local), six accepted legs and one abandoned request.

    S1 web, accepted 10:00:30, ended 10:10:30 (600 s), queued 10:00:00 (waited 30 s):
      10:00:05 customer   (before acceptance: the turn opens here ...)
      10:00:10 system     (welcome: neither opens nor closes)
      10:00:20 agent/auto (auto reply: never a response)
      10:00:40 agent/manual -> response = 10:00:40 - max(10:00:05, 10:00:30) = 10 s
      10:01:00 customer   (opens turn 2)
      10:01:10 customer   (turn already open)
      10:01:15 bot
      10:01:30 agent/canned -> 30 s
      10:02:00 customer, 10:02:05 agent/kb -> 5 s
      10:05:00 customer   -> unanswered at the end
      tags "lead;price" -> a lead (valid leg with tag `lead`)
    S2 web, accepted 10:05:00, ended 10:12:00 (420 s): customer 10:05:00, agent 10:05:20
      -> 20 s. Overlaps S1 -> peak_concurrency 2. tags "leadership" -> not a lead.
    S3 web, 12:00-12:03 (180 s): customer 12:00:10, system 12:00:15 -> invalid, first turn
      unanswered (no first_response contribution). tags "lead" but invalid -> not a lead.
    S4 phone, created 12:58, accepted 13:00, ended 13:20 (1200 s), no messages: neither
      valid nor invalid; 20 phone minutes; waited 120 s > 60 -> queued.
    S5 wechat callback, 14:00-14:02 (120 s): agent manual 14:00:05 only -> invalid callback.
    S6 web, 15:00-15:01 (60 s), agent_offline: customer 15:00:10 only -> invalid, and
      left out of reply_rate.
    S7 web, created/queued 16:00:00, abandoned 16:01:30 (90 s), never accepted.

    Agent A1 (= center for leg figures):
      sessions 6; valid 2 (S1, S2); callbacks 1; leads 1; phone_minutes 20.
      avg_response_time = (10 + 30 + 5 + 20) / 4 = 16.25
      first_response_time = (10 + 20) / 2 = 15
      reply_rate = replied {S1, S2} / with customer msg, not offline {S1, S2, S3} = 2/3
      invalid_rate = {S3, S5, S6} / with messages {S1, S2, S3, S5, S6} = 3/5
      invalid_rate_inbound = {S3, S6} / {S1, S2, S3, S6} = 0.5; _callback = 1/1
      message_ratio: customer 8 (S1 5, S2 1, S3 1, S6 1), manual agent 5
        (S1 3, S2 1, S5 1), system+bot+auto 4 (S1 3, S3 1) -> [2.0, 1.25, 1.0]
      kb_usage = {S1} / {S1, S2} = 0.5
      avg_session_duration = (600 + 420 + 180 + 1200 + 120 + 60) / 6 = 430
      daily_sessions = 6 sessions / 1 worked day = 6; phone_minutes_per_day = 20
      transferred_out, acw_seconds, resolved absent -> transfer_rate, acw_time, aht,
      resolution_rate null; no agent_states -> online_hours, sessions_per_hour null;
      no ratings -> satisfaction_score null.
    Center queue figures (requests S1..S7 = 7, by created_at):
      connection_rate = 6/7; avg_queue_time = S1 only = 30; abandon_rate = 1/7;
      avg_abandon_time = 90; queue_rate = {S4 120 s, S7 90 s} / 7 = 2/7.
    """
    day = "2026-10-12 "
    sessions = frame(
        [
            {
                "session_id": "S1",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C1",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "10:00:00",
                "queued_at": day + "10:00:00",
                "accepted_at": day + "10:00:30",
                "ended_at": day + "10:10:30",
                "agent_offline": False,
                "tags": "lead;price",
            },
            {
                "session_id": "S2",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C2",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "10:05:00",
                "accepted_at": day + "10:05:00",
                "ended_at": day + "10:12:00",
                "tags": "leadership",
            },
            {
                "session_id": "S3",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C3",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "12:00:00",
                "accepted_at": day + "12:00:00",
                "ended_at": day + "12:03:00",
                "tags": "lead",
            },
            {
                "session_id": "S4",
                "channel": "phone",
                "origin": "inbound",
                "customer_id": "C4",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "12:58:00",
                "accepted_at": day + "13:00:00",
                "ended_at": day + "13:20:00",
            },
            {
                "session_id": "S5",
                "channel": "wechat",
                "origin": "callback",
                "customer_id": "C5",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "14:00:00",
                "accepted_at": day + "14:00:00",
                "ended_at": day + "14:02:00",
            },
            {
                "session_id": "S6",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C6",
                "agent_id": "A1",
                "group": "售前",
                "created_at": day + "15:00:00",
                "accepted_at": day + "15:00:00",
                "ended_at": day + "15:01:00",
                "agent_offline": True,
            },
            {
                "session_id": "S7",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C7",
                "agent_id": None,
                "group": "售前",
                "created_at": day + "16:00:00",
                "queued_at": day + "16:00:00",
                "abandoned_at": day + "16:01:30",
            },
        ]
    )
    messages = frame(
        [
            _msg("m01", "S1", "customer", day + "10:00:05"),
            _msg("m02", "S1", "system", day + "10:00:10"),
            _msg("m03", "S1", "agent", day + "10:00:20", "auto"),
            _msg("m04", "S1", "agent", day + "10:00:40", "manual"),
            _msg("m05", "S1", "customer", day + "10:01:00"),
            _msg("m06", "S1", "customer", day + "10:01:10"),
            _msg("m07", "S1", "bot", day + "10:01:15"),
            _msg("m08", "S1", "agent", day + "10:01:30", "canned"),
            _msg("m09", "S1", "customer", day + "10:02:00"),
            _msg("m10", "S1", "agent", day + "10:02:05", "kb"),
            _msg("m11", "S1", "customer", day + "10:05:00"),
            _msg("m12", "S2", "customer", day + "10:05:00"),
            _msg("m13", "S2", "agent", day + "10:05:20"),
            _msg("m14", "S3", "customer", day + "12:00:10"),
            _msg("m15", "S3", "system", day + "12:00:15"),
            _msg("m16", "S5", "agent", day + "14:00:05"),
            _msg("m17", "S6", "customer", day + "15:00:10"),
        ]
    )
    leg_figures: dict[str, Any] = {
        "sessions": 6,
        "valid_sessions": 2,
        "callbacks": 1,
        "leads": 1,
        "phone_minutes": 20,
        "phone_minutes_per_day": 20,
        "avg_response_time": 16.25,
        "first_response_time": 15,
        "reply_rate": 2 / 3,
        "invalid_rate": 3 / 5,
        "invalid_rate_inbound": 0.5,
        "invalid_rate_callback": 1.0,
        "message_ratio": [2.0, 1.25, 1.0],
        "kb_usage": 0.5,
        "avg_session_duration": 430,
        "peak_concurrency": 2,
        "daily_sessions": 6,
        "transfer_rate": None,
        "acw_time": None,
        "aht": None,
        "resolution_rate": None,
        "online_hours": None,
        "sessions_per_hour": None,
        "satisfaction_score": None,
        "fcr_rate": 1.0,  # six single-leg inbound/callback chains, nobody came back
    }
    # fcr_rate: inbound conversations S1, S2, S3, S4, S6 (S5 is a callback, not counted);
    # C1..C6 are all different customers and nobody returns -> 5/5 = 1.0.
    center = {
        **leg_figures,
        "connection_rate": 6 / 7,
        "avg_queue_time": 30,
        "abandon_rate": 1 / 7,
        "avg_abandon_time": 90,
        "queue_rate": 2 / 7,
    }
    expected = {
        **OCT,
        "thresholds": None,
        "by": {"agent": {"A1": leg_figures}, "center": {None: center}},
        "absent": {"agent": ["connection_rate", "queue_rate", "abandon_rate"]},
    }
    return {"sessions": sessions, "messages": messages}, expected


# ------------------------------------------------------------------------------------------
# 2. Month boundary in Asia/Shanghai
# ------------------------------------------------------------------------------------------


def _month_boundary_tables() -> Tables:
    """B1 accepted 2026-10-31 23:30 local (= 15:30 UTC Oct 31) -> October.
    B2 accepted 2026-11-01 00:10 local (= 16:10 UTC *Oct 31*) -> November.
    Idle state 2026-10-31 23:00 -> 2026-11-01 01:00 local: 1 h in each month.
    QA review 2026-10-31 23:59 local (98, pass) -> October; 2026-11-01 00:01 (80) -> November.
    """
    sessions = frame(
        [
            {
                "session_id": "B1",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C1",
                "agent_id": "A1",
                "group": "售前",
                "created_at": "2026-10-31 23:30:00",
                "accepted_at": "2026-10-31 23:30:00",
                "ended_at": "2026-10-31 23:40:00",
            },
            {
                "session_id": "B2",
                "channel": "web",
                "origin": "inbound",
                "customer_id": "C2",
                "agent_id": "A1",
                "group": "售前",
                "created_at": "2026-11-01 00:10:00",
                "accepted_at": "2026-11-01 00:10:00",
                "ended_at": "2026-11-01 00:20:00",
            },
        ]
    )
    messages = frame(
        [
            _msg("b1", "B1", "customer", "2026-10-31 23:30:00"),
            _msg("b2", "B1", "agent", "2026-10-31 23:30:12"),
            _msg("b3", "B2", "customer", "2026-11-01 00:10:00"),
            _msg("b4", "B2", "agent", "2026-11-01 00:10:08"),
        ]
    )
    states = frame(
        [
            {
                "agent_id": "A1",
                "state": "idle",
                "started_at": "2026-10-31 23:00:00",
                "ended_at": "2026-11-01 01:00:00",
            }
        ]
    )
    reviews = frame(
        [
            {
                "review_id": "R1",
                "session_id": "B1",
                "agent_id": "A1",
                "reviewer": "qa1",
                "reviewed_at": "2026-10-31 23:59:00",
                "score": 98,
                "mode": "post",
            },
            {
                "review_id": "R2",
                "session_id": "B2",
                "agent_id": "A1",
                "reviewer": "qa1",
                "reviewed_at": "2026-11-01 00:01:00",
                "score": 80,
                "mode": "post",
            },
        ]
    )
    return {
        "sessions": sessions,
        "messages": messages,
        "agent_states": states,
        "qa_reviews": reviews,
    }


def case_month_boundary_october() -> Case:
    """October: only B1. avg/first response 12 s; duration 600 s; online 1 h (23:00-24:00);
    sessions_per_hour 1/1; worked days {Oct 31} -> daily_sessions 1; QA 1/1 pass."""
    figures = {
        "sessions": 1,
        "avg_response_time": 12,
        "first_response_time": 12,
        "avg_session_duration": 600,
        "online_hours": 1.0,
        "sessions_per_hour": 1.0,
        "daily_sessions": 1.0,
        "work_rate": 1.0,
        "qa_pass_rate": 1.0,
    }
    expected = {**OCT, "thresholds": None, "by": {"agent": {"A1": figures}}}
    return _month_boundary_tables(), expected


def case_month_boundary_november() -> Case:
    """November: only B2 (although its UTC date is Oct 31). Response 8 s; online 1 h
    (00:00-01:00); QA 0/1 pass (80 < 97)."""
    figures = {
        "sessions": 1,
        "avg_response_time": 8,
        "first_response_time": 8,
        "avg_session_duration": 600,
        "online_hours": 1.0,
        "sessions_per_hour": 1.0,
        "daily_sessions": 1.0,
        "qa_pass_rate": 0.0,
    }
    expected = {
        **NOV,
        "thresholds": None,
        "by": {"agent": {"A1": figures}, "center": {None: figures}},
    }
    return _month_boundary_tables(), expected


# ------------------------------------------------------------------------------------------
# 3. Transfer chain, FCR with a return visit and a callback, ACW
# ------------------------------------------------------------------------------------------


def _leg(
    sid: str,
    agent: str | None,
    group: str,
    customer: str | None,
    start: str,
    end: str,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "session_id": sid,
        "channel": "web",
        "origin": "inbound",
        "customer_id": customer,
        "agent_id": agent,
        "group": group,
        "created_at": start,
        "accepted_at": start,
        "ended_at": end,
    }
    row.update(extra)
    return row


def case_transfer_fcr() -> Case:
    """Agents A1 (售前) and A2 (售后), October 2026, no messages table.

    T1 A1 C1 10-05 09:00-09:10, transferred_out, acw 30 s
    T2 A2 C1 prev=T1, created 09:10, accepted 09:11, ended 09:30, resolved, acw 60 s
    T3 A1 C1 10-06 09:00-09:05  (C1 is back 23.5 h after T2 ended)
    U1 A1 C2 10-05 14:00-14:10
    U2 A1 C2 callback 10-06 10:00-10:05  (a callback 19 h 50 min after U1 ended)
    V1 A2 C3 10-05 15:00-15:10
    V2 A2 C3 created 10-06 15:10:01 (24 h + 1 s after V1 ended), 15:11-15:20, resolved
    W1 A2 (no customer) 10-07 10:00-10:10

    Conversations (inbound roots only; the U2 callback is not an inquiry):
      T1→T2: last leg T2 (A2), window (10-05 09:30, 10-06 09:30]; T3 created 09:00 -> NOT
        resolved.  T3 (A1): resolved.  U1 (A1): callback U2 inside the window -> NOT
        resolved.  V1 (A2): V2 starts 1 s after the window -> resolved.  V2 (A2): resolved.
        W1: unknown customer -> not counted.
      fcr_rate A1 = {T3} / {T3, U1} = 0.5; A2 = {V1, V2} / {T1→T2, V1, V2} = 2/3;
      center 3/5 = 0.6; by group 售前 0.5, 售后 2/3.
    transfer_rate: A1 legs T1, T3, U1, U2 -> 1/4; A2 legs T2, V1, V2, W1 -> 0/4;
      center 1/8.
    resolution_rate (over legs with `resolved` filled in): T1 False, T2 True, V1 False,
      V2 True, W1 False, the rest empty -> A1 0/1 = 0; A2 {T2, V2} / 4 = 0.5;
      center 2/5 = 0.4.
    acw_time: A1 30 (T1 only); A2 60 (T2 only); center 45.
    aht: A1 T1 600 + 30 = 630; A2 T2 1140 + 60 = 1200; center (630 + 1200)/2 = 915.
    Queue (center): requests = all but the transfer leg T2 = 7, all accepted -> 1.0.
    No messages table -> valid_sessions, reply_rate null.
    """
    d5, d6, d7 = "2026-10-05 ", "2026-10-06 ", "2026-10-07 "
    rows = [
        _leg(
            "T1",
            "A1",
            "售前",
            "C1",
            d5 + "09:00:00",
            d5 + "09:10:00",
            transferred_out=True,
            acw_seconds=30,
            resolved=False,
        ),
        _leg(
            "T2",
            "A2",
            "售后",
            "C1",
            d5 + "09:11:00",
            d5 + "09:30:00",
            created_at=d5 + "09:10:00",
            previous_session_id="T1",
            resolved=True,
            acw_seconds=60,
        ),
        _leg("T3", "A1", "售前", "C1", d6 + "09:00:00", d6 + "09:05:00"),
        _leg("U1", "A1", "售前", "C2", d5 + "14:00:00", d5 + "14:10:00"),
        _leg("U2", "A1", "售前", "C2", d6 + "10:00:00", d6 + "10:05:00", origin="callback"),
        _leg("V1", "A2", "售后", "C3", d5 + "15:00:00", d5 + "15:10:00", resolved=False),
        _leg(
            "V2",
            "A2",
            "售后",
            "C3",
            d6 + "15:11:00",
            d6 + "15:20:00",
            created_at=d6 + "15:10:01",
            resolved=True,
        ),
        _leg("W1", "A2", "售后", None, d7 + "10:00:00", d7 + "10:10:00", resolved=False),
    ]
    sessions = frame(
        rows,
        columns=["session_id", "transferred_out", "resolved", "acw_seconds", "previous_session_id"],
    )
    agents = frame(
        [
            {"agent_id": "A1", "name": "甲", "group": "售前"},
            {"agent_id": "A2", "name": "乙", "group": "售后"},
        ]
    )
    a1 = {
        "sessions": 4,
        "callbacks": 1,
        "fcr_rate": 0.5,
        "transfer_rate": 0.25,
        "resolution_rate": 0.0,
        "acw_time": 30,
        "aht": 630,
        "valid_sessions": None,
        "reply_rate": None,
    }
    a2 = {
        "sessions": 4,
        "callbacks": 0,
        "fcr_rate": 2 / 3,
        "transfer_rate": 0.0,
        "resolution_rate": 0.5,
        "acw_time": 60,
        "aht": 1200,
    }
    center = {
        "sessions": 8,
        "fcr_rate": 0.6,
        "transfer_rate": 0.125,
        "resolution_rate": 0.4,
        "acw_time": 45,
        "aht": 915,
        "connection_rate": 1.0,
        "queue_rate": 0.0,
        "abandon_rate": None,  # abandoned_at column absent
    }
    expected = {
        **OCT,
        "thresholds": None,
        "by": {
            "agent": {"A1": a1, "A2": a2},
            "group": {
                "售前": {"fcr_rate": 0.5, "transfer_rate": 0.25, "connection_rate": 1.0},
                "售后": {"fcr_rate": 2 / 3, "transfer_rate": 0.0, "sessions": 4},
            },
            "center": {None: center},
        },
    }
    return {"sessions": sessions, "agents": agents}, expected


def case_transfer_fcr_48h_window() -> Case:
    """Same tables with fcr_window_hours = 48: V2 (24 h + 1 s after V1) now makes V1
    unresolved -> A2 = {V2} / 3 = 1/3, center = {T3, V2} / 5 = 0.4. A1 unchanged 0.5."""
    tables, _ = case_transfer_fcr()
    expected = {
        **OCT,
        "thresholds": {"fcr_window_hours": 48},
        "by": {
            "agent": {"A1": {"fcr_rate": 0.5}, "A2": {"fcr_rate": 1 / 3}},
            "center": {None: {"fcr_rate": 0.4}},
        },
    }
    return tables, expected


# ------------------------------------------------------------------------------------------
# 4. Ratings, QA, states, attendance, turnover
# ------------------------------------------------------------------------------------------


def case_ratings_qa_states_attendance() -> Case:
    """October 2026. Agents A1 (售前), A2 (售后), A3 (售前, left_on 2026-10-16).

    Legs of A1 on 10-05: R1 10:00-10:10, R2 10:20-10:30, R3 10:40-10:50 valid (customer at
    start, agent +10 s); R4 11:00-11:05 invalid (customer only).
    Ratings: R1 5★, R2 2★, R4 4★ (invalid leg, still a rating), R3 invited with no stars.
      satisfaction_score = (5 + 2 + 4) / 3 / 5 × 100 = 73.33…; good (≥4) = 2/3;
      bad (≤2) = 1/3; rating_participation = rated valid {R1, R2} / valid {R1, R2, R3} = 2/3.
    QA of A1: 98 realtime (qa1, 10-05), 97 post (qa1, 10-05), 90 post (qa2, 10-06), and
      50 on 2026-11-01 00:30 local (November, ignored).
      qa_pass_rate = 2/3 (97 passes: ≥ mark); realtime_qa_share = 1/3;
      qa_per_reviewer_day (center) = 3 reviews / {(qa1, 10-05), (qa2, 10-06)} = 1.5.
    States of A1 on 10-05: idle 09:00-16:00 (7 h), busy 16:00-16:30, away 16:30-17:00,
      offline from 17:00 (open). online 8 h; work_rate 7/8; busy_share = away_share = 1/16.
      sessions_per_hour = 4 / 8 = 0.5; worked days {10-05} -> daily_sessions 4,
      online_hours_per_day 8.
    Attendance of A1 (shift 09:00-18:00): 10-05 in 09:00:00 (on time: not *after*),
      out 17:59 -> early leave; 10-06 in 09:01 -> late, out 18:00; 10-07 absent_days 1;
      10-08 leave_days 1; 11-02 in 09:30 (November, ignored).
      late 1, early_leave 1, absent_days 1, leave_days 1.
    Turnover: A3 leaves on 10-16. Daily headcount 3 on 10-01..10-15 (15 days), 2 on
      10-16..10-31 (16 days): mean = 77/31; turnover = 1 / (77/31) = 31/77.
      Group 售前 (A1, A3): mean 46/31 -> 31/46; 售后: 0 / 1 = 0.
    """
    day = "2026-10-05 "
    legs = [
        _leg("R1", "A1", "售前", "C1", day + "10:00:00", day + "10:10:00"),
        _leg("R2", "A1", "售前", "C2", day + "10:20:00", day + "10:30:00"),
        _leg("R3", "A1", "售前", "C3", day + "10:40:00", day + "10:50:00"),
        _leg("R4", "A1", "售前", "C4", day + "11:00:00", day + "11:05:00"),
    ]
    messages = frame(
        [
            _msg("r1c", "R1", "customer", day + "10:00:00"),
            _msg("r1a", "R1", "agent", day + "10:00:10"),
            _msg("r2c", "R2", "customer", day + "10:20:00"),
            _msg("r2a", "R2", "agent", day + "10:20:10"),
            _msg("r3c", "R3", "customer", day + "10:40:00"),
            _msg("r3a", "R3", "agent", day + "10:40:10"),
            _msg("r4c", "R4", "customer", day + "11:00:00"),
        ]
    )
    ratings = frame(
        [
            {"session_id": "R1", "rated_at": day + "10:11:00", "stars": 5, "invited": True},
            {"session_id": "R2", "rated_at": day + "10:31:00", "stars": 2, "invited": True},
            {"session_id": "R3", "rated_at": None, "stars": None, "invited": True},
            {"session_id": "R4", "rated_at": day + "11:06:00", "stars": 4, "invited": True},
        ]
    )
    ratings["stars"] = ratings["stars"].astype("Int64")
    reviews = frame(
        [
            {
                "review_id": "Q1",
                "session_id": "R1",
                "agent_id": "A1",
                "reviewer": "qa1",
                "reviewed_at": day + "15:00:00",
                "score": 98,
                "mode": "realtime",
            },
            {
                "review_id": "Q2",
                "session_id": "R2",
                "agent_id": "A1",
                "reviewer": "qa1",
                "reviewed_at": day + "16:00:00",
                "score": 97,
                "mode": "post",
            },
            {
                "review_id": "Q3",
                "session_id": "R3",
                "agent_id": "A1",
                "reviewer": "qa2",
                "reviewed_at": "2026-10-06 09:00:00",
                "score": 90,
                "mode": "post",
            },
            {
                "review_id": "Q4",
                "session_id": "R4",
                "agent_id": "A1",
                "reviewer": "qa2",
                "reviewed_at": "2026-11-01 00:30:00",
                "score": 50,
                "mode": "post",
            },
        ]
    )
    states = frame(
        [
            {
                "agent_id": "A1",
                "state": "idle",
                "started_at": day + "09:00:00",
                "ended_at": day + "16:00:00",
            },
            {
                "agent_id": "A1",
                "state": "busy",
                "started_at": day + "16:00:00",
                "ended_at": day + "16:30:00",
            },
            {
                "agent_id": "A1",
                "state": "away",
                "started_at": day + "16:30:00",
                "ended_at": day + "17:00:00",
            },
            {
                "agent_id": "A1",
                "state": "offline",
                "started_at": day + "17:00:00",
                "ended_at": None,
            },
        ]
    )
    nine, six = dt.time(9, 0), dt.time(18, 0)
    attendance = frame(
        [
            {
                "agent_id": "A1",
                "date": dt.date(2026, 10, 5),
                "scheduled_start": nine,
                "scheduled_end": six,
                "clock_in": "2026-10-05 09:00:00",
                "clock_out": "2026-10-05 17:59:00",
                "leave": "none",
                "leave_days": 0,
                "absent_days": 0,
            },
            {
                "agent_id": "A1",
                "date": dt.date(2026, 10, 6),
                "scheduled_start": nine,
                "scheduled_end": six,
                "clock_in": "2026-10-06 09:01:00",
                "clock_out": "2026-10-06 18:00:00",
                "leave": "none",
                "leave_days": 0,
                "absent_days": 0,
            },
            {
                "agent_id": "A1",
                "date": dt.date(2026, 10, 7),
                "scheduled_start": nine,
                "scheduled_end": six,
                "clock_in": None,
                "clock_out": None,
                "leave": "none",
                "leave_days": 0,
                "absent_days": 1,
            },
            {
                "agent_id": "A1",
                "date": dt.date(2026, 10, 8),
                "scheduled_start": nine,
                "scheduled_end": six,
                "clock_in": None,
                "clock_out": None,
                "leave": "personal",
                "leave_days": 1,
                "absent_days": 0,
            },
            {
                "agent_id": "A1",
                "date": dt.date(2026, 11, 2),
                "scheduled_start": nine,
                "scheduled_end": six,
                "clock_in": "2026-11-02 09:30:00",
                "clock_out": "2026-11-02 18:00:00",
                "leave": "none",
                "leave_days": 0,
                "absent_days": 0,
            },
        ]
    )
    hired = dt.date(2026, 1, 1)
    agents = frame(
        [
            {"agent_id": "A1", "group": "售前", "hired_on": hired, "left_on": None},
            {"agent_id": "A2", "group": "售后", "hired_on": hired, "left_on": None},
            {
                "agent_id": "A3",
                "group": "售前",
                "hired_on": hired,
                "left_on": dt.date(2026, 10, 16),
            },
        ]
    )
    a1 = {
        "sessions": 4,
        "valid_sessions": 3,
        "satisfaction_score": 11 / 15 * 100,
        "good_rating_rate": 2 / 3,
        "bad_rating_rate": 1 / 3,
        "rating_participation": 2 / 3,
        "qa_pass_rate": 2 / 3,
        "realtime_qa_share": 1 / 3,
        "online_hours": 8.0,
        "online_hours_per_day": 8.0,
        "work_rate": 0.875,
        "busy_share": 0.0625,
        "away_share": 0.0625,
        "sessions_per_hour": 0.5,
        "daily_sessions": 4.0,
        "late_count": 1,
        "early_leave_count": 1,
        "absent_days": 1,
        "leave_days": 1,
    }
    center = {
        **a1,
        "qa_per_reviewer_day": 1.5,
        "turnover_rate": 31 / 77,
    }
    tables = {
        "sessions": frame(legs),
        "messages": messages,
        "ratings": ratings,
        "qa_reviews": reviews,
        "agent_states": states,
        "attendance": attendance,
        "agents": agents,
    }
    expected = {
        **OCT,
        "thresholds": None,
        "by": {
            "agent": {"A1": a1},
            "group": {
                "售前": {"turnover_rate": 31 / 46, "satisfaction_score": 11 / 15 * 100},
                "售后": {"turnover_rate": 0.0},
            },
            "center": {None: center},
        },
        "absent": {"agent": ["turnover_rate", "qa_per_reviewer_day"]},
    }
    return tables, expected


# ------------------------------------------------------------------------------------------
# 5. Orders: attribution window, fake and silent orders, conversion, targets
# ------------------------------------------------------------------------------------------


def case_orders() -> Case:
    """October 2026, all legs inbound web; valid = customer message + agent reply.

    L1 A1 C1 10-10 10:00-10:30 valid   window [10-10 10:00, 10-12 10:30]
    L2 A1 C2 10-10 11:00-11:10 valid   window [.., 10-12 11:10]
    L3 A2 C3 10-10 09:00-09:10 valid   window [.., 10-12 09:10]
    L4 A1 C3 10-10 13:00-13:10 valid   window [.., 10-12 13:10]
    L5 A2 C5 10-20 10:00-10:05 INVALID (customer message only)
    L6 A1 C6 10-21 10:00-10:05 valid, no order

    O1 C1 created 10-11 12:00, paid 10-11, 100, 2 items -> in L1's window -> A1
    O2 C1 created 10-12 11:00 (after L1's window), paid, 50 -> silent, not credited
    O3 C2 fake, paid, 999 -> excluded everywhere
    O4 C3 created 10-10 14:00, paid, 80, 1 item, refunded 80 -> in L3's and L4's windows;
       latest valid leg = L4 -> A1
    O5 C4 agent_id=A2, created/paid 10-15, 60, 3 items -> A2 (and silent: C4 never consulted)
    O6 C1 created 10-11 13:00, never paid -> ignored
    O7 C5 created/paid 10-20, 40 -> L5 is invalid -> silent, not credited
    O8 C2 created 10-10 15:00 (in L2's window), paid 2026-11-01 00:30 local -> not
       October sales, but C2 did convert

    A1: sales 100 + 80 = 180; paying customers {C1, C3} -> aov 90; items 3/2 = 1.5;
        refund_rate 1/2; inquiry_conversion = {C1, C2, C3} / {C1, C2, C3, C6} = 0.75
    A2: sales 60; aov 60; items 3; refund_rate 0; inquiry_conversion = {C3} / {C3} = 1.0
    Center: sales 240; paying {C1, C3, C4} -> aov 80; items 6/3 = 2; refund_rate 1/3;
        inquiry_conversion 3/4; silent_sales = O2 50 + O5 60 + O7 40 = 150
    consult_rate: inbound customers {C1, C2, C3, C5, C6} / visitors 100 + 100 (the
        November row is outside) = 5/200 = 0.025
    targets: agent:A1 2026-10 sales_amount 200 -> 0.9; center 2026-10 sales_amount 300
        -> 0.8; agent:A1 2026-11 ignored; agent:A2 2026-10 leads 10 -> leads is null (no
        tags column) -> null.
    """
    d = "2026-10-"
    legs = [
        _leg("L1", "A1", "售前", "C1", d + "10 10:00:00", d + "10 10:30:00"),
        _leg("L2", "A1", "售前", "C2", d + "10 11:00:00", d + "10 11:10:00"),
        _leg("L3", "A2", "售后", "C3", d + "10 09:00:00", d + "10 09:10:00"),
        _leg("L4", "A1", "售前", "C3", d + "10 13:00:00", d + "10 13:10:00"),
        _leg("L5", "A2", "售后", "C5", d + "20 10:00:00", d + "20 10:05:00"),
        _leg("L6", "A1", "售前", "C6", d + "21 10:00:00", d + "21 10:05:00"),
    ]
    msgs = []
    for leg in legs:
        msgs.append(
            _msg(leg["session_id"] + "c", leg["session_id"], "customer", leg["accepted_at"])
        )
        if leg["session_id"] != "L5":
            at = (pd.Timestamp(leg["accepted_at"]) + pd.Timedelta(seconds=10)).isoformat(sep=" ")
            msgs.append(_msg(leg["session_id"] + "a", leg["session_id"], "agent", at))

    def order(
        oid: str, cust: str, created: str, paid: str | None, amount: float, items: int, **extra: Any
    ) -> dict[str, Any]:
        row = {
            "order_id": oid,
            "customer_id": cust,
            "agent_id": None,
            "created_at": created,
            "paid_at": paid,
            "amount": amount,
            "items": items,
            "refunded_amount": None,
            "fake": False,
        }
        row.update(extra)
        return row

    orders = frame(
        [
            order("O1", "C1", d + "11 12:00:00", d + "11 12:05:00", 100, 2),
            order("O2", "C1", d + "12 11:00:00", d + "12 11:05:00", 50, 1),
            order("O3", "C2", d + "10 12:00:00", d + "10 12:01:00", 999, 9, fake=True),
            order(
                "O4",
                "C3",
                d + "10 14:00:00",
                d + "10 14:01:00",
                80,
                1,
                refunded_amount=80,
                refunded_at=d + "12 09:00:00",
            ),
            order("O5", "C4", d + "15 09:00:00", d + "15 09:05:00", 60, 3, agent_id="A2"),
            order("O6", "C1", d + "11 13:00:00", None, 70, 1),
            order("O7", "C5", d + "20 10:10:00", d + "20 10:15:00", 40, 1),
            order("O8", "C2", d + "10 15:00:00", "2026-11-01 00:30:00", 30, 1),
        ]
    )
    visits = frame(
        [
            {"date": dt.date(2026, 10, 10), "channel": "web", "visitors": 100},
            {"date": dt.date(2026, 10, 20), "channel": "web", "visitors": 100},
            {"date": dt.date(2026, 11, 1), "channel": "web", "visitors": 500},
        ]
    )
    targets = frame(
        [
            {"scope": "agent:A1", "period": "2026-10", "metric": "sales_amount", "target": 200},
            {"scope": "center", "period": "2026-10", "metric": "sales_amount", "target": 300},
            {"scope": "agent:A1", "period": "2026-11", "metric": "sales_amount", "target": 100},
            {"scope": "agent:A2", "period": "2026-10", "metric": "leads", "target": 10},
        ]
    )
    a1 = {
        "sales_amount": 180,
        "aov": 90,
        "items_per_customer": 1.5,
        "refund_rate": 0.5,
        "inquiry_conversion": 0.75,
        "target_achievement:sales_amount": 0.9,
    }
    a2 = {
        "sales_amount": 60,
        "aov": 60,
        "items_per_customer": 3.0,
        "refund_rate": 0.0,
        "inquiry_conversion": 1.0,
        "leads": None,
        "target_achievement:leads": None,
    }
    center = {
        "sales_amount": 240,
        "aov": 80,
        "items_per_customer": 2.0,
        "refund_rate": 1 / 3,
        "inquiry_conversion": 0.75,
        "silent_sales": 150,
        "consult_rate": 0.025,
        "target_achievement:sales_amount": 0.8,
    }
    tables = {
        "sessions": frame(legs),
        "messages": frame(msgs),
        "orders": orders,
        "visits": visits,
        "targets": targets,
    }
    expected = {
        **OCT,
        "thresholds": None,
        "by": {"agent": {"A1": a1, "A2": a2}, "center": {None: center}},
        "absent": {"agent": ["silent_sales", "consult_rate"]},
    }
    return tables, expected


# ------------------------------------------------------------------------------------------
# 6. Empty denominators and absent inputs -> null, never 0
# ------------------------------------------------------------------------------------------


def _one_phone_leg() -> pd.DataFrame:
    return frame(
        [
            _leg(
                "P1",
                "A1",
                "售前",
                None,
                "2026-10-03 09:00:00",
                "2026-10-03 09:05:00",
                channel="phone",
            ),
        ]
    )


def case_no_messages_table() -> Case:
    """One phone leg, 300 s, and nothing else: no messages, states, ratings, orders tables.

    Counts are known (sessions 1, phone_minutes 5); everything message-, state-, rating-,
    QA-, attendance- or order-based is null; fcr_rate null (no known customer).
    """
    figures = {
        "sessions": 1,
        "phone_minutes": 5,
        "avg_session_duration": 300,
        "valid_sessions": None,
        "reply_rate": None,
        "avg_response_time": None,
        "first_response_time": None,
        "invalid_rate": None,
        "message_ratio": None,
        "kb_usage": None,
        "leads": None,
        "online_hours": None,
        "work_rate": None,
        "sessions_per_hour": None,
        "satisfaction_score": None,
        "rating_participation": None,
        "qa_pass_rate": None,
        "late_count": None,
        "absent_days": None,
        "sales_amount": None,
        "inquiry_conversion": None,
        "fcr_rate": None,
        "transfer_rate": None,
    }
    expected = {**OCT, "thresholds": None, "by": {"agent": {"A1": figures}}}
    return {"sessions": _one_phone_leg()}, expected


def case_phone_leg_only() -> Case:
    """The same phone leg with an (empty) messages table: the leg has no messages, so it is
    neither valid nor invalid. valid_sessions 0 (a count), every message ratio null."""
    messages = frame([], columns=["message_id", "session_id", "sender", "sent_at", "source"])
    figures = {
        "sessions": 1,
        "valid_sessions": 0,
        "invalid_rate": None,
        "invalid_rate_inbound": None,
        "reply_rate": None,
        "first_response_time": None,
        "avg_response_time": None,
        "kb_usage": None,
        "message_ratio": None,
        "avg_session_duration": 300,
        "peak_concurrency": 1,
    }
    expected = {**OCT, "thresholds": None, "by": {"agent": {"A1": figures}}}
    return {"sessions": _one_phone_leg(), "messages": messages}, expected


def case_empty_period() -> Case:
    """November for the October-only phone leg: the center has no facts. Counts are 0,
    averages and rates null; no agent appears."""
    messages = frame([], columns=["message_id", "session_id", "sender", "sent_at", "source"])
    center = {
        "sessions": 0,
        "valid_sessions": 0,
        "avg_session_duration": None,
        "reply_rate": None,
        "connection_rate": None,
        "queue_rate": None,
        "daily_sessions": None,
        "peak_concurrency": None,
    }
    expected = {**NOV, "thresholds": None, "by": {"agent": {}, "center": {None: center}}}
    return {"sessions": _one_phone_leg(), "messages": messages}, expected


# ------------------------------------------------------------------------------------------
# Concurrency across midnight and the month's end
# ------------------------------------------------------------------------------------------


def _concurrency_tables() -> Tables:
    """Agent A1, legs (local time):
    K1 10-31 23:50 -> 11-01 00:30   K2 10-31 23:55 -> 11-01 00:05
    K3 11-01 00:05 -> 00:20         K4 11-01 00:10 -> 00:15         K5 11-01 00:15 -> 00:40
    Open when each is accepted (accepted_at <= t < ended_at, itself included):
    K1 {K1} 1; K2 {K1,K2} 2; K3 {K1,K3} 2 (K2 ends at 00:05, so it is closed then);
    K4 {K1,K3,K4} 3; K5 {K1,K3,K5} 3 (K4 ends at 00:15).
    October's peak is 2; November's is 3: K1, accepted in October, is still open on Nov 1
    (counting only November's legs would give 2)."""
    sessions = frame([
        _leg("K1", "A1", "售前", None, "2026-10-31 23:50:00", "2026-11-01 00:30:00"),
        _leg("K2", "A1", "售前", None, "2026-10-31 23:55:00", "2026-11-01 00:05:00"),
        _leg("K3", "A1", "售前", None, "2026-11-01 00:05:00", "2026-11-01 00:20:00"),
        _leg("K4", "A1", "售前", None, "2026-11-01 00:10:00", "2026-11-01 00:15:00"),
        _leg("K5", "A1", "售前", None, "2026-11-01 00:15:00", "2026-11-01 00:40:00"),
    ])
    return {"sessions": sessions}


def case_concurrency_october() -> Case:
    figures = {"sessions": 2, "peak_concurrency": 2}
    expected = {**OCT, "thresholds": None,
                "by": {"agent": {"A1": figures}, "center": {None: figures}}}
    return _concurrency_tables(), expected


def case_concurrency_november() -> Case:
    figures = {"sessions": 3, "peak_concurrency": 3}
    expected = {**NOV, "thresholds": None,
                "by": {"agent": {"A1": figures}, "center": {None: figures}}}
    return _concurrency_tables(), expected


ALL_CASES: dict[str, Callable[[], Case]] = {
    "response_pairs": case_response_pairs,
    "month_boundary_october": case_month_boundary_october,
    "month_boundary_november": case_month_boundary_november,
    "transfer_fcr": case_transfer_fcr,
    "transfer_fcr_48h_window": case_transfer_fcr_48h_window,
    "ratings_qa_states_attendance": case_ratings_qa_states_attendance,
    "orders": case_orders,
    "no_messages_table": case_no_messages_table,
    "phone_leg_only": case_phone_leg_only,
    "empty_period": case_empty_period,
    "concurrency_october": case_concurrency_october,
    "concurrency_november": case_concurrency_november,
}
