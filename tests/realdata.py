"""Converters from the real data in /work/shared/realdata (see its SOURCE.md) to contract files.

- anonymous_bank: a bank call center's call log (February 1999). One call = one phone session
  leg: created_at = vru_entry, queued_at = q_start, accepted_at = ser_start, ended_at = ser_exit,
  abandoned_at (outcome HANG) = q_exit, or vru_exit when the call never queued; agent = server.
  `0:00:00` means "did not happen".
- twcs: customer-support tweets. A thread (a tweet and every reply under it, by
  in_response_to_tweet_id) is one session; customer = the inbound author; agent = the brand's
  signed agent (`-Becky`, `^JK` -> `<brand>/Becky`) or the brand handle.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

REALDATA = Path("/work/shared/realdata")
BANK = REALDATA / "anonymous_bank" / "anonymous_bank_1999_02_mtpa.tsv"
TWCS = REALDATA / "twcs" / "twcs_first5000.csv"
BANK_TZ = "Asia/Jerusalem"  # the call center's local time (UTC+2 in February)
NEVER = "0:00:00"

SESSION_COLUMNS = [
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
]


def read_bank(limit: int) -> list[dict[str, str]]:
    with BANK.open(encoding="ascii", newline="") as handle:
        rows = []
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.append({k: v.strip() for k, v in row.items()})
            if len(rows) == limit:
                break
    return rows


def _bank_time(day: str, clock: str) -> str:
    """`990201` + `7:02:47` -> `1999-02-01T07:02:47` (local time, no offset)."""
    hours, minutes, seconds = (int(p) for p in clock.split(":"))
    return f"19{day[:2]}-{day[2:4]}-{day[4:6]}T{hours:02d}:{minutes:02d}:{seconds:02d}"


def write_bank(folder: Path, limit: int = 2000) -> Path:
    """agents.csv and sessions.csv (extra columns: priority, outcome) from the first calls."""
    folder.mkdir(parents=True, exist_ok=True)
    calls = read_bank(limit)
    servers = sorted({c["server"] for c in calls if c["server"] != "NO_SERVER"})
    with (folder / "agents.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["agent_id", "name", "group"])
        writer.writerows([s, s.title(), "bank"] for s in servers)
    with (folder / "sessions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*SESSION_COLUMNS, "priority", "outcome"])
        for c in calls:
            day = c["date"]

            def at(clock: str, day: str = day) -> str:
                return "" if clock == NEVER else _bank_time(day, clock)

            abandoned = ""
            if c["outcome"] == "HANG":
                abandoned = at(c["q_exit"]) or at(c["vru_exit"])
            writer.writerow(
                [
                    c["call_id"],
                    "phone",
                    "inbound",
                    "" if c["customer_id"] == "0" else c["customer_id"],
                    "" if c["server"] == "NO_SERVER" else c["server"],
                    c["type"],
                    at(c["vru_entry"]),
                    at(c["q_start"]),
                    at(c["ser_start"]),
                    at(c["ser_exit"]),
                    abandoned,
                    c["priority"],
                    c["outcome"],
                ]
            )
    return folder


# --- twcs -----------------------------------------------------------------------------------

CR = "\ue000"  # stands in for a bare carriage return while the csv module reads
SIGNATURE = re.compile(r"(?:^|\s)[-^~]\s?([A-Z][A-Za-z]{0,14})\s*$")


def read_tweets() -> list[dict[str, str]]:
    """The tweets, with '\\n' as the only line terminator (one text holds a bare '\\r')."""
    text = TWCS.read_bytes().decode("utf-8").replace("\r", CR)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        for key, value in row.items():
            row[key] = value.replace(CR, "\r")
    return rows


def tweet_time(text: str) -> str:
    return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").isoformat()


def tweet_agent(tweet: dict[str, str]) -> str:
    signed = SIGNATURE.search(tweet["text"])
    return f"{tweet['author_id']}/{signed.group(1)}" if signed else tweet["author_id"]


def _parent(tweet: dict[str, str], ids: set[str]) -> str | None:
    raw = tweet["in_response_to_tweet_id"]
    parent = str(int(float(raw))) if raw else None
    return parent if parent in ids else None


def write_twcs(folder: Path) -> Path:
    """agents.csv, sessions.csv and messages.csv from the tweets."""
    folder.mkdir(parents=True, exist_ok=True)
    tweets = read_tweets()
    by_id = {t["tweet_id"]: t for t in tweets}
    ids = set(by_id)

    def root(tweet: dict[str, str]) -> str:
        while (parent := _parent(tweet, ids)) is not None:
            tweet = by_id[parent]
        return tweet["tweet_id"]

    threads: dict[str, list[dict[str, str]]] = {}
    for t in tweets:
        t["at"] = tweet_time(t["created_at"])
        threads.setdefault(root(t), []).append(t)

    agents: dict[str, str] = {}
    with (folder / "sessions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*SESSION_COLUMNS, "platform"])
        for root_id, thread in threads.items():
            thread.sort(key=lambda t: (datetime.fromisoformat(t["at"]), int(t["tweet_id"])))
            customers = [t for t in thread if t["inbound"] == "True"]
            brand = [t for t in thread if t["inbound"] != "True"]
            agent = tweet_agent(brand[0]) if brand else ""
            writer.writerow(
                [
                    f"T{root_id}",
                    "other",
                    "inbound" if thread[0]["inbound"] == "True" else "callback",
                    customers[0]["author_id"] if customers else "",
                    agent,
                    brand[0]["author_id"] if brand else "",
                    thread[0]["at"],
                    "",
                    brand[0]["at"] if brand else "",
                    thread[-1]["at"],
                    "",
                    "twitter",
                ]
            )
    with (folder / "messages.csv").open("w", encoding="utf-8", newline="") as handle:
        # QUOTE_ALL: with "\n" as terminator the csv module would leave a bare "\r" unquoted,
        # and every CSV reader (rightly) ends the record there.
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["message_id", "session_id", "sender", "agent_id", "sent_at", "content"])
        for root_id, thread in threads.items():
            for t in thread:
                inbound = t["inbound"] == "True"
                agent = "" if inbound else tweet_agent(t)
                if agent:
                    agents[agent] = t["author_id"]
                writer.writerow(
                    [
                        t["tweet_id"],
                        f"T{root_id}",
                        "customer" if inbound else "agent",
                        agent,
                        t["at"],
                        t["text"],
                    ]
                )
    with (folder / "agents.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["agent_id", "group"])
        writer.writerows(sorted(agents.items()))
    return folder
