"""A straightforward, vectorised pandas implementation of cskpi's message-dependent figures.

This is the comparison point for `bench_metrics.py`: the same figures as
`cskpi.metrics.engine.compute` (metrics.md), computed from the raw contract Parquet files with
pandas groupby / merge / cumsum only (no Python loop over rows). It covers the figures that
depend on the message log and the session legs, plus ratings, queue and the main business
figures:

- response pairs per leg: messages ordered by (sent_at, message_id) inside a session, the
  customer turn of a message = number of manual agent messages before it; a turn opens at its
  first customer message and closes at its manual agent message; response =
  close - max(open, accepted_at); first response = the first customer turn's response;
- workload and speed: sessions, valid_sessions, callbacks, leads, phone_minutes,
  message_ratio, first_response_time, avg_response_time, reply_rate, avg_session_duration,
  acw_time, aht;
- quality: transfer_rate, invalid_rate (+ inbound / callback), resolution_rate, kb_usage,
  satisfaction_score, good_rating_rate, bad_rating_rate, rating_participation;
- queue (group dimension only, as in cskpi): connection_rate, avg_queue_time,
  avg_abandon_time, abandon_rate, queue_rate;
- business: sales_amount, aov, items_per_customer, refund_rate, inquiry_conversion.

Not covered (they do not depend on the messages and are cheap in both): first-contact
resolution, peak concurrency, agent states / attendance / QA / headcount figures.

Usage: `compute_all(folder, "2026-10")` → {"agent_day": DataFrame, "group_month": DataFrame};
columns are the dimension, `period`, then one column per metric (floats; message_ratio as a
[a, b, 1.0] list), like cskpi's output.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

MANUAL_SOURCES = ["manual", "canned", "kb"]
KB_SOURCES = ["canned", "kb"]

METRICS = [
    "sessions",
    "valid_sessions",
    "callbacks",
    "leads",
    "phone_minutes",
    "message_ratio",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "avg_session_duration",
    "acw_time",
    "aht",
    "transfer_rate",
    "invalid_rate",
    "invalid_rate_inbound",
    "invalid_rate_callback",
    "resolution_rate",
    "kb_usage",
    "satisfaction_score",
    "good_rating_rate",
    "bad_rating_rate",
    "rating_participation",
    "connection_rate",
    "avg_queue_time",
    "avg_abandon_time",
    "abandon_rate",
    "queue_rate",
    "sales_amount",
    "aov",
    "items_per_customer",
    "refund_rate",
    "inquiry_conversion",
]
QUEUE_METRICS = {
    "connection_rate",
    "avg_queue_time",
    "avg_abandon_time",
    "abandon_rate",
    "queue_rate",
}


def month_bounds(period: str, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[first local midnight, next month's first local midnight) in UTC, for `YYYY-MM`."""
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)

    def utc(day: date) -> pd.Timestamp:
        return pd.Timestamp(datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))).tz_convert("UTC")

    return utc(first), utc(nxt)


def _local_day(ts: pd.Series, tz: str) -> pd.Series:
    """UTC timestamps → local midnight (naive datetime64), kept as a datetime for speed."""
    return ts.dt.tz_convert(tz).dt.tz_localize(None).dt.floor("D")


def _seconds(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds()


def _read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{table}.parquet", columns=columns)


# --- per-leg facts from the message log ------------------------------------------------------


def leg_facts(sessions: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """One row per session (in `sessions` order): message counts and response figures."""
    n = len(sessions)
    sid = pd.Index(sessions["session_id"]).get_indexer(messages["session_id"])
    m = pd.DataFrame(
        {
            "sid": sid,
            "sent_at": messages["sent_at"],
            "message_id": messages["message_id"],
            "is_customer": messages["sender"] == "customer",
            "is_agent": messages["sender"] == "agent",
            "is_machine_sender": messages["sender"].isin(["system", "bot"]),
            "is_manual_source": messages["source"].isin(MANUAL_SOURCES),
            "is_auto": messages["source"] == "auto",
            "is_kb_source": messages["source"].isin(KB_SOURCES),
        }
    )
    m = m[m["sid"] >= 0]  # messages of unknown sessions (cskpi quarantines them)
    m["is_manual"] = m["is_agent"] & m["is_manual_source"]
    m = m.sort_values(["sid", "sent_at", "message_id"], ignore_index=True)

    # turn = manual agent messages before this one, inside the session
    manual = m["is_manual"].astype(np.int64)
    m["turn"] = manual.groupby(m["sid"]).cumsum() - manual

    counts = (
        pd.DataFrame(
            {
                "customer_messages": m["is_customer"],
                "manual_messages": m["is_manual"],
                "system_messages": m["is_machine_sender"],
                "auto_messages": m["is_agent"] & m["is_auto"],
                "kb_messages": m["is_agent"] & m["is_kb_source"],
            }
        )
        .groupby(m["sid"])
        .sum()
    )

    # one row per (session, turn): when it opened (first customer message) and closed
    turn_rows = pd.DataFrame(
        {
            "sid": m["sid"],
            "turn": m["turn"],
            "opened_at": m["sent_at"].where(m["is_customer"]),
            "closed_at": m["sent_at"].where(m["is_manual"]),
        }
    )
    turns = turn_rows.groupby(["sid", "turn"], sort=True).agg(
        opened_at=("opened_at", "min"), closed_at=("closed_at", "min")
    )
    turns = turns.reset_index()
    accepted = sessions["accepted_at"].to_numpy()[turns["sid"].to_numpy()]
    accepted = pd.Series(accepted, index=turns.index)
    start = turns["opened_at"].where(turns["opened_at"] >= accepted, accepted)
    response = _seconds(turns["closed_at"], start).clip(lower=0)
    response = response.where(
        turns["opened_at"].notna() & turns["closed_at"].notna() & accepted.notna()
    )
    turns["response"] = response
    per_session = turns.groupby("sid").agg(
        response_seconds_sum=("response", "sum"), response_pairs=("response", "count")
    )
    first = turns[turns["opened_at"].notna()].drop_duplicates("sid")  # sorted by turn
    first_response = first.set_index("sid")["response"]

    out = pd.DataFrame(index=pd.RangeIndex(n))
    for column in counts.columns:
        out[column] = counts[column].reindex(out.index, fill_value=0).astype(np.int64)
    out["has_messages"] = out.index.isin(counts.index)
    out["response_seconds_sum"] = per_session["response_seconds_sum"].reindex(out.index)
    out["response_pairs"] = (
        per_session["response_pairs"].reindex(out.index, fill_value=0).astype(np.int64)
    )
    out["first_response_seconds"] = first_response.reindex(out.index)
    return out


# --- the figures ------------------------------------------------------------------------------


def _ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    num = num.fillna(0.0).astype("float64")
    den = den.fillna(0.0).astype("float64")
    return (num / den * scale).where(den > 0)


def _triple(a: pd.Series, b: pd.Series, c: pd.Series) -> pd.Series:
    a, b, c = (s.fillna(0.0).astype("float64") for s in (a, b, c))
    return pd.Series(
        [[x / z, y / z, 1.0] if z > 0 else None for x, y, z in zip(a, b, c, strict=True)],
        index=a.index,
        dtype="object",
    )  # one small list per output row (not per input row)


def compute_all(
    folder: Path | str, period: str = "2026-10", tz: str = "Asia/Shanghai"
) -> dict[str, pd.DataFrame]:
    folder = Path(folder)
    start, end = month_bounds(period, tz)
    sessions = _read(
        folder,
        "sessions",
        [
            "session_id",
            "channel",
            "origin",
            "customer_id",
            "agent_id",
            "group",
            "created_at",
            "queued_at",
            "accepted_at",
            "ended_at",
            "abandoned_at",
            "transferred_out",
            "previous_session_id",
            "acw_seconds",
            "resolved",
            "agent_offline",
            "tags",
        ],
    )
    messages = _read(
        folder, "messages", ["message_id", "session_id", "sender", "sent_at", "source"]
    )
    facts = leg_facts(sessions, messages)
    del messages
    s = pd.concat([sessions, facts], axis=1)
    s["agent_offline"] = s["agent_offline"].fillna(False).astype(bool)

    # -- legs: accepted in the period, on the local day of accepted_at
    legs = s[s["accepted_at"].notna() & (s["accepted_at"] >= start) & (s["accepted_at"] < end)]
    duration = _seconds(legs["ended_at"], legs["accepted_at"])
    valid = (legs["customer_messages"] > 0) & (legs["manual_messages"] > 0)
    invalid = legs["has_messages"] & ~valid
    inbound = legs["origin"] == "inbound"
    callback = legs["origin"] == "callback"
    base = ~legs["agent_offline"] & (legs["customer_messages"] > 0)
    tags = ";" + legs["tags"].fillna("").str.replace(" ", "", regex=False) + ";"
    is_lead = valid & tags.str.contains(";lead;", regex=False)
    acw = legs["acw_seconds"]
    leg_rows = pd.DataFrame(
        {
            "agent_id": legs["agent_id"],
            "group": legs["group"],
            "day": _local_day(legs["accepted_at"], tz),
            "sessions": 1,
            "valid": valid,
            "callbacks": callback,
            "leads": is_lead,
            "phone_seconds": duration.where(legs["channel"] == "phone", 0.0),
            "customer_messages": legs["customer_messages"],
            "agent_messages": legs["manual_messages"],
            "machine_messages": legs["system_messages"] + legs["auto_messages"],
            "first_response_sum": legs["first_response_seconds"],
            "first_responses": legs["first_response_seconds"].notna(),
            "response_sum": legs["response_seconds_sum"],
            "response_pairs": legs["response_pairs"],
            "replied": base & (legs["manual_messages"] > 0),
            "reply_base": base,
            "duration_sum": duration,
            "durations": duration.notna(),
            "acw_sum": acw,
            "acws": acw.notna(),
            "handle_sum": duration + acw,
            "handles": duration.notna() & acw.notna(),
            "transferred": legs["transferred_out"].fillna(False).astype(bool),
            "invalid": invalid,
            "with_messages": legs["has_messages"],
            "invalid_inbound": invalid & inbound,
            "with_messages_inbound": legs["has_messages"] & inbound,
            "invalid_callback": invalid & callback,
            "with_messages_callback": legs["has_messages"] & callback,
            "resolved": legs["resolved"].fillna(False).astype(bool),
            "resolved_base": legs["resolved"].notna(),
            "valid_with_kb": valid & (legs["kb_messages"] > 0),
        }
    )

    # -- ratings on the rated leg's agent and day
    ratings = _read(folder, "ratings", ["session_id", "stars"])
    ratings = ratings[ratings["stars"].notna()]
    rated = ratings.merge(
        pd.DataFrame(
            {
                "session_id": legs["session_id"],
                "agent_id": legs["agent_id"],
                "group": legs["group"],
                "day": leg_rows["day"],
                "valid": valid,
            }
        ),
        on="session_id",
    )
    rating_rows = pd.DataFrame(
        {
            "agent_id": rated["agent_id"],
            "group": rated["group"],
            "day": rated["day"],
            "ratings": 1,
            "stars_sum": rated["stars"].astype("float64"),
            "good": rated["stars"] >= 4,
            "bad": rated["stars"] <= 2,
            "rated_valid": rated["valid"],
        }
    )

    # -- requests reaching the center (first legs), on the local day of created_at
    r = s[s["previous_session_id"].isna() & (s["created_at"] >= start) & (s["created_at"] < end)]
    accepted = r["accepted_at"].notna()
    abandoned = r["abandoned_at"].notna() & ~accepted
    waited_from = r["queued_at"].fillna(r["created_at"])
    wait = _seconds(r["accepted_at"].fillna(r["abandoned_at"]), waited_from)
    queue = _seconds(r["accepted_at"], r["queued_at"])
    abandon = _seconds(r["abandoned_at"], waited_from).where(abandoned)
    request_rows = pd.DataFrame(
        {
            "group": r["group"],
            "requests": 1,
            "connected": accepted,
            "queue_sum": queue,
            "queued": queue.notna(),
            "abandoned": abandoned,
            "abandon_sum": abandon,
            "abandon_timed": abandon.notna(),
            "long_waits": wait.fillna(0) > 60,
        }
    )

    # -- business: valid legs with a customer, their attribution windows, paid orders
    vl = s[
        s["accepted_at"].notna()
        & (s["customer_messages"] > 0)
        & (s["manual_messages"] > 0)
        & s["customer_id"].notna()
    ]
    vl = pd.DataFrame(
        {
            "session_id": vl["session_id"],
            "agent_id": vl["agent_id"],
            "group": vl["group"],
            "customer_id": vl["customer_id"],
            "accepted_at": vl["accepted_at"],
            "window_end": vl["ended_at"].fillna(vl["accepted_at"]) + pd.Timedelta(hours=48),
        }
    )
    orders = _read(
        folder,
        "orders",
        [
            "order_id",
            "customer_id",
            "agent_id",
            "created_at",
            "paid_at",
            "amount",
            "items",
            "refunded_amount",
            "refunded_at",
            "fake",
        ],
    )
    orders = orders[~orders["fake"].fillna(False).astype(bool)]
    orders = orders.assign(
        amount=orders["amount"].astype("float64"),
        refunded_amount=orders["refunded_amount"].astype("float64"),
    )
    # inquiry conversion: legs of the period whose customer placed a later-paid order in the window
    vl_period = vl[(vl["accepted_at"] >= start) & (vl["accepted_at"] < end)]
    paid_any = orders[orders["paid_at"].notna() & orders["customer_id"].notna()]
    pairs = vl_period.merge(paid_any[["customer_id", "created_at"]], on="customer_id", how="inner")
    pairs = pairs[
        (pairs["created_at"] >= pairs["accepted_at"]) & (pairs["created_at"] <= pairs["window_end"])
    ]
    converted = vl_period["session_id"].isin(pairs["session_id"])
    conversion_rows = pd.DataFrame(
        {
            "agent_id": vl_period["agent_id"],
            "group": vl_period["group"],
            "day": _local_day(vl_period["accepted_at"], tz),
            "customer_id": vl_period["customer_id"],
            "converted_customer": vl_period["customer_id"].where(converted),
        }
    )
    # credited sales: paid in the period; order's agent, else the latest valid leg's agent
    paid = orders[
        orders["paid_at"].notna() & (orders["paid_at"] >= start) & (orders["paid_at"] < end)
    ]
    cand = paid[["order_id", "customer_id", "created_at"]].merge(
        vl[["customer_id", "session_id", "agent_id", "group", "accepted_at", "window_end"]],
        on="customer_id",
    )
    cand = cand[
        (cand["created_at"] >= cand["accepted_at"]) & (cand["created_at"] <= cand["window_end"])
    ]
    best = cand.sort_values(
        ["order_id", "accepted_at", "session_id"], ascending=[True, False, False]
    ).drop_duplicates("order_id")
    credited = paid.merge(
        best[["order_id", "agent_id", "group"]].rename(
            columns={"agent_id": "leg_agent", "group": "leg_group"}
        ),
        on="order_id",
        how="left",
    )
    credited = credited[credited["agent_id"].notna() | credited["leg_agent"].notna()]
    agents = _read(folder, "agents", ["agent_id", "group"]).rename(columns={"group": "agent_group"})
    credited = credited.assign(credit_agent=credited["agent_id"].fillna(credited["leg_agent"]))
    credited = credited.merge(
        agents, left_on="credit_agent", right_on="agent_id", how="left", suffixes=("", "_a")
    )
    by_order_agent = credited["agent_id"].notna()
    order_rows = pd.DataFrame(
        {
            "agent_id": credited["credit_agent"],
            "group": credited["agent_group"].where(by_order_agent, credited["leg_group"]),
            "day": _local_day(credited["paid_at"], tz),
            "sales": credited["amount"],
            "payer": credited["customer_id"].fillna("order:" + credited["order_id"]),
            "items": credited["items"].astype("float64"),
            "paid_orders": 1,
            "refunded": (credited["refunded_amount"].fillna(0) > 0)
            | credited["refunded_at"].notna(),
        }
    )

    out = {}
    for name, keys in (("agent_day", ["agent_id", "day"]), ("group_month", ["group"])):
        legs_g = (
            leg_rows.drop(columns=[c for c in ("agent_id", "group", "day") if c not in keys])
            .groupby(keys)
            .sum(min_count=1)
        )
        legs_g = legs_g.fillna(0.0)
        rat_g = (
            rating_rows.drop(columns=[c for c in ("agent_id", "group", "day") if c not in keys])
            .groupby(keys)
            .sum()
        )
        conv_g = conversion_rows.groupby(keys).agg(
            customers=("customer_id", "nunique"), converted=("converted_customer", "nunique")
        )
        ord_g = order_rows.groupby(keys).agg(
            sales=("sales", "sum"),
            payers=("payer", "nunique"),
            items=("items", "sum"),
            paid_orders=("paid_orders", "sum"),
            refunded=("refunded", "sum"),
        )
        frames = [legs_g, rat_g, conv_g, ord_g]
        if keys == ["group"]:
            frames.append(request_rows.groupby(keys).sum())
        g = pd.concat(frames, axis=1, join="outer")
        f = pd.DataFrame(index=g.index)
        z = g.fillna(0.0)
        f["sessions"] = z["sessions"]
        f["valid_sessions"] = z["valid"]
        f["callbacks"] = z["callbacks"]
        f["leads"] = z["leads"]
        f["phone_minutes"] = z["phone_seconds"] / 60
        f["message_ratio"] = _triple(
            z["customer_messages"], z["agent_messages"], z["machine_messages"]
        )
        f["first_response_time"] = _ratio(z["first_response_sum"], z["first_responses"])
        f["avg_response_time"] = _ratio(z["response_sum"], z["response_pairs"])
        f["reply_rate"] = _ratio(z["replied"], z["reply_base"])
        f["avg_session_duration"] = _ratio(z["duration_sum"], z["durations"])
        f["acw_time"] = _ratio(z["acw_sum"], z["acws"])
        f["aht"] = _ratio(z["handle_sum"], z["handles"])
        f["transfer_rate"] = _ratio(z["transferred"], z["sessions"])
        f["invalid_rate"] = _ratio(z["invalid"], z["with_messages"])
        f["invalid_rate_inbound"] = _ratio(z["invalid_inbound"], z["with_messages_inbound"])
        f["invalid_rate_callback"] = _ratio(z["invalid_callback"], z["with_messages_callback"])
        f["resolution_rate"] = _ratio(z["resolved"], z["resolved_base"])
        f["kb_usage"] = _ratio(z["valid_with_kb"], z["valid"])
        f["satisfaction_score"] = _ratio(z["stars_sum"], z["ratings"], 20.0)
        f["good_rating_rate"] = _ratio(z["good"], z["ratings"])
        f["bad_rating_rate"] = _ratio(z["bad"], z["ratings"])
        f["rating_participation"] = _ratio(z["rated_valid"], z["valid"])
        if keys == ["group"]:
            f["connection_rate"] = _ratio(z["connected"], z["requests"])
            f["avg_queue_time"] = _ratio(z["queue_sum"], z["queued"])
            f["avg_abandon_time"] = _ratio(z["abandon_sum"], z["abandon_timed"])
            f["abandon_rate"] = _ratio(z["abandoned"], z["requests"])
            f["queue_rate"] = _ratio(z["long_waits"], z["requests"])
        f["sales_amount"] = z["sales"]
        f["aov"] = _ratio(z["sales"], z["payers"])
        f["items_per_customer"] = _ratio(z["items"], z["payers"])
        f["refund_rate"] = _ratio(z["refunded"], z["paid_orders"])
        f["inquiry_conversion"] = _ratio(z["converted"], z["customers"])
        f = f.reset_index()
        if "day" in f.columns:
            f.insert(1, "period", f.pop("day").dt.strftime("%Y-%m-%d"))
        else:
            f.insert(1, "period", period)
        out[name] = f
    return out


# --- agreement with cskpi ---------------------------------------------------------------------


def compare(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> dict[str, object]:
    """Max relative difference per metric between pandas (`ours`) and cskpi (`theirs`), rows
    matched on keys; a value null on one side only counts as a mismatch. cskpi also has rows
    that only its other sources make (agent-days with online time but no leg): they are
    counted in `rows_only_in_cskpi` and not compared."""
    metrics = [c for c in ours.columns if c not in keys and c in theirs.columns]
    a = ours.astype({k: "object" for k in keys})
    b = theirs[[*keys, *metrics]].astype({k: "object" for k in keys})
    joined = a.merge(b, on=keys, how="outer", suffixes=("_pd", "_cs"), indicator=True)
    only_cskpi = int((joined["_merge"] == "right_only").sum())
    only_pandas = int((joined["_merge"] == "left_only").sum())
    joined = joined[joined["_merge"] != "right_only"]
    worst: dict[str, float] = {}
    null_mismatch: dict[str, int] = {}
    for metric in metrics:
        x, y = joined[f"{metric}_pd"], joined[f"{metric}_cs"]
        if metric == "message_ratio":
            x = x.map(lambda v: v[0] + 10 * v[1] if isinstance(v, list | tuple) else np.nan)
            y = y.map(lambda v: v[0] + 10 * v[1] if isinstance(v, list | tuple) else np.nan)
        x = pd.to_numeric(x, errors="coerce").astype("float64")
        y = pd.to_numeric(y, errors="coerce").astype("float64")
        both = x.notna() & y.notna()
        null_mismatch[metric] = int((x.isna() != y.isna()).sum())
        denom = np.maximum(np.abs(y[both]), 1e-9)
        worst[metric] = float((np.abs(x[both] - y[both]) / denom).max()) if both.any() else 0.0
    return {
        "rows": len(joined),
        "rows_only_in_cskpi": only_cskpi,
        "rows_only_in_pandas": only_pandas,
        "max_rel_diff": max(worst.values(), default=0.0),
        "worst_metric": max(worst, key=worst.get) if worst else None,
        "null_mismatches": sum(null_mismatch.values()),
        "per_metric": worst,
        "null_mismatch_per_metric": {k: v for k, v in null_mismatch.items() if v},
    }


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys
    import time as _time

    t0 = _time.perf_counter()
    result = compute_all(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "2026-10")
    print({k: v.shape for k, v in result.items()}, f"{_time.perf_counter() - t0:.2f}s")
