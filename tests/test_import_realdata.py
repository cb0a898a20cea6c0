"""Real data (/work/shared/realdata, see SOURCE.md) converted to contract files and imported.

Every expected figure is counted straight from the source files with the csv module, not from
the converter's output.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from conftest import count
from cskpi.config import Config
from cskpi.ingest.importer import run_import
from cskpi.store.base import Store
from realdata import BANK, BANK_TZ, TWCS, write_bank, write_twcs

pytestmark = pytest.mark.skipif(
    not (BANK.exists() and TWCS.exists()), reason="real data not present in /work/shared/realdata"
)
LIMIT = 2000


def seconds(clock: str) -> int:
    h, m, s = (int(p) for p in clock.split(":"))
    return h * 3600 + m * 60 + s


def scalar(store: Store, sql: str):
    return store.fetchall(sql)[0][0]


def test_bank_calls(store: Store, tmp_path: Path) -> None:
    with BANK.open(newline="") as handle:
        source = list(csv.DictReader(handle, delimiter="\t"))[:LIMIT]
    happened = [r for r in source if r["ser_start"].strip() != "0:00:00"]
    servers = {r["server"].strip() for r in source} - {"NO_SERVER"}
    expected = {
        "sessions": len({r["call_id"] for r in source}),
        "accepted": len(happened),
        "queued": sum(r["q_start"] != "0:00:00" for r in source),
        "abandoned": sum(r["outcome"] == "HANG" for r in source),
        "with_agent": sum(r["server"].strip() != "NO_SERVER" for r in source),
        "agents": len(servers),
        "served_seconds": sum(int(r["ser_time"]) for r in happened),
    }
    assert expected["sessions"] == LIMIT

    result = run_import(store, [write_bank(tmp_path / "bank", LIMIT)], Config(timezone=BANK_TZ))
    assert result.rejects == []
    assert result.summaries["sessions"].inserted == expected["sessions"]
    assert result.summaries["agents"].inserted == expected["agents"]
    got = {
        "sessions": count(store, "sessions"),
        "accepted": count(store, "sessions", "WHERE accepted_at IS NOT NULL"),
        "queued": count(store, "sessions", "WHERE queued_at IS NOT NULL"),
        "abandoned": count(store, "sessions", "WHERE abandoned_at IS NOT NULL"),
        "with_agent": count(store, "sessions", "WHERE agent_id IS NOT NULL"),
        "agents": count(store, "agents"),
        "served_seconds": int(
            scalar(
                store,
                "SELECT SUM(EPOCH(ended_at) - EPOCH(accepted_at)) FROM sessions "
                "WHERE accepted_at IS NOT NULL",
            )
        ),
    }
    assert got == expected
    assert count(store, "session_facts") == expected["sessions"]

    # times: Israel local (UTC+2 in February) stored as UTC, with the wall time as twin
    first = source[0]
    wall = datetime.strptime(first["date"] + " " + first["vru_entry"], "%y%m%d %H:%M:%S")
    [(created, created_local)] = store.fetchall(
        f"SELECT created_at, created_at_local FROM sessions WHERE session_id = '{first['call_id']}'"
    )
    assert created_local == wall
    assert (created_local - created).total_seconds() == 2 * 3600


def test_twitter_threads(store: Store, tmp_path: Path) -> None:
    raw = TWCS.read_bytes()
    # the csv module ends records at a bare '\r' too: read with '\n' as the only terminator
    with TWCS.open(encoding="utf-8", newline="\n") as handle:
        text = handle.read().replace("\r", "\ue000")
    source = list(csv.DictReader(text.split("\n")))
    ids = {r["tweet_id"] for r in source}
    roots = [
        r
        for r in source
        if not r["in_response_to_tweet_id"]
        or str(int(float(r["in_response_to_tweet_id"]))) not in ids
    ]
    expected = {
        "messages": len(source),
        "customer": sum(r["inbound"] == "True" for r in source),
        "agent": sum(r["inbound"] == "False" for r in source),
        "sessions": len(roots),
        "brands": len({r["author_id"] for r in source if r["inbound"] == "False"}),
    }
    assert expected["messages"] == 5000

    result = run_import(store, [write_twcs(tmp_path / "twcs")], Config())
    assert result.rejects == []
    got = {
        "messages": count(store, "messages"),
        "customer": count(store, "messages", "WHERE sender = 'customer'"),
        "agent": count(store, "messages", "WHERE sender = 'agent'"),
        "sessions": count(store, "sessions"),
        "brands": int(
            scalar(store, "SELECT COUNT(DISTINCT split_part(agent_id, '/', 1)) FROM messages")
        ),
    }
    assert got == expected
    assert count(store, "session_facts") == expected["sessions"]

    # the text with bare carriage returns survives byte for byte
    start = raw.index(b"@AskPayPal \r\rI just love the start of email")
    end = raw.index(b",", raw.index(b"https://t.co", start))
    tweet = raw[start:end].decode("utf-8")
    [(content,)] = store.fetchall(
        "SELECT content FROM messages WHERE content LIKE '@AskPayPal %I just love the start%'"
    )
    assert content == tweet
    # times: "Tue Oct 31 22:10:47 +0000 2017" is UTC
    [(sent_at,)] = store.fetchall("SELECT sent_at FROM messages WHERE message_id = '1'")
    assert sent_at == datetime(2017, 10, 31, 22, 10, 47)
