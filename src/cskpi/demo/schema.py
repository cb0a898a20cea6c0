"""The Arrow schema of every contract table, as the demo generator produces it.

Column names and order follow `data-contract.md`. Timestamps are UTC microseconds, dates are
`date32`, `time` columns are `HH:MM:SS` strings, money is `decimal128(12, 2)`.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(12, 2)

CONTRACT_SCHEMAS: dict[str, pa.Schema] = {
    "agents": pa.schema(
        [
            ("agent_id", pa.string()),
            ("name", pa.string()),
            ("group", pa.string()),
            ("team", pa.string()),
            ("role", pa.string()),
            ("level", pa.string()),
            ("hired_on", pa.date32()),
            ("left_on", pa.date32()),
            ("max_concurrency", pa.int32()),
        ]
    ),
    "sessions": pa.schema(
        [
            ("session_id", pa.string()),
            ("channel", pa.string()),
            ("origin", pa.string()),
            ("customer_id", pa.string()),
            ("agent_id", pa.string()),
            ("group", pa.string()),
            ("created_at", TS),
            ("queued_at", TS),
            ("accepted_at", TS),
            ("ended_at", TS),
            ("abandoned_at", TS),
            ("transferred_out", pa.bool_()),
            ("previous_session_id", pa.string()),
            ("acw_seconds", pa.float64()),
            ("resolved", pa.bool_()),
            ("agent_offline", pa.bool_()),
            ("tags", pa.string()),
        ]
    ),
    "messages": pa.schema(
        [
            ("message_id", pa.string()),
            ("session_id", pa.string()),
            ("sender", pa.string()),
            ("agent_id", pa.string()),
            ("sent_at", TS),
            ("source", pa.string()),
            ("content", pa.string()),
        ]
    ),
    "agent_states": pa.schema(
        [
            ("agent_id", pa.string()),
            ("state", pa.string()),
            ("started_at", TS),
            ("ended_at", TS),
        ]
    ),
    "ratings": pa.schema(
        [
            ("session_id", pa.string()),
            ("rated_at", TS),
            ("stars", pa.int32()),
            ("comment", pa.string()),
            ("invited", pa.bool_()),
        ]
    ),
    "orders": pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("agent_id", pa.string()),
            ("created_at", TS),
            ("paid_at", TS),
            ("amount", MONEY),
            ("items", pa.int32()),
            ("refunded_amount", MONEY),
            ("refunded_at", TS),
            ("fake", pa.bool_()),
            ("deposit_amount", MONEY),
        ]
    ),
    "visits": pa.schema(
        [("date", pa.date32()), ("channel", pa.string()), ("visitors", pa.int64())]
    ),
    "qa_reviews": pa.schema(
        [
            ("review_id", pa.string()),
            ("session_id", pa.string()),
            ("agent_id", pa.string()),
            ("reviewer", pa.string()),
            ("reviewed_at", TS),
            ("score", pa.float64()),
            ("mode", pa.string()),
            ("violations", pa.string()),
        ]
    ),
    "attendance": pa.schema(
        [
            ("agent_id", pa.string()),
            ("date", pa.date32()),
            ("scheduled_start", pa.string()),
            ("scheduled_end", pa.string()),
            ("clock_in", TS),
            ("clock_out", TS),
            ("leave", pa.string()),
            ("leave_days", pa.float64()),
            ("absent_days", pa.float64()),
        ]
    ),
    "adjustments": pa.schema(
        [
            ("adjustment_id", pa.string()),
            ("agent_id", pa.string()),
            ("date", pa.date32()),
            ("kind", pa.string()),
            ("count", pa.float64()),
            ("points", pa.float64()),
            ("reason", pa.string()),
            ("entered_by", pa.string()),
        ]
    ),
    "targets": pa.schema(
        [
            ("scope", pa.string()),
            ("period", pa.string()),
            ("metric", pa.string()),
            ("target", pa.float64()),
        ]
    ),
}

# Allowed values of every enum column (the contract's, not only those the demo uses).
ENUMS: dict[tuple[str, str], frozenset[str]] = {
    ("agents", "role"): frozenset({"presales", "aftersales", "vip", "general"}),
    ("agents", "level"): frozenset({"junior", "intermediate", "senior"}),
    ("sessions", "channel"): frozenset(
        {"web", "app", "wechat", "weibo", "email", "phone", "other"}
    ),
    ("sessions", "origin"): frozenset({"inbound", "callback"}),
    ("messages", "sender"): frozenset({"customer", "agent", "system", "bot"}),
    ("messages", "source"): frozenset({"manual", "canned", "kb", "auto"}),
    ("agent_states", "state"): frozenset({"idle", "busy", "away", "offline"}),
    ("qa_reviews", "mode"): frozenset({"realtime", "post"}),
    ("attendance", "leave"): frozenset({"none", "personal", "sick", "annual", "other"}),
}

# Metadata key under which a table carries the center's time zone (used by `write_folder`).
TZ_METADATA_KEY = b"cskpi.tz"
