"""The audit log: append-only and hash-chained.

Every row's hash is sha256(previous row's hash + canonical JSON of the row without its own
hash), so editing, inserting or deleting any row breaks the chain from there on;
:func:`verify` recomputes it. The head row (last sequence number and hash) is locked by each
append, which serialises writers; a missing tail shows up as a head that no row matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cskpi.cycle.db import canonical, ensure_tables, for_update, now
from cskpi.store.base import Store

COLUMNS = (
    "seq",
    "at_utc",
    "actor",
    "action",
    "scorecard",
    "period",
    "agent_id",
    "subject",
    "before_value",
    "after_value",
    "reason",
    "prev_hash",
)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    body = {k: row.get(k) for k in COLUMNS}
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def append(
    store: Store,
    *,
    actor: str,
    action: str,
    scorecard: str | None = None,
    period: str | None = None,
    agent_id: str | None = None,
    subject: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> int:
    """Append one row (inside the caller's transaction, if any); returns its sequence number."""
    ensure_tables(store)
    with store.transaction():
        ((seq, prev),) = store.fetchall(
            for_update(store, "SELECT seq, row_hash FROM cycle_audit_head WHERE id = 1")
        )
        row = {
            "seq": int(seq) + 1,
            "at_utc": now(),
            "actor": actor,
            "action": action,
            "scorecard": scorecard,
            "period": period,
            "agent_id": agent_id,
            "subject": subject,
            "before_value": None if before is None else canonical(before),
            "after_value": None if after is None else canonical(after),
            "reason": reason,
            "prev_hash": prev or "",
        }
        digest = row_hash(row["prev_hash"], row)
        names = ", ".join((*COLUMNS, "row_hash"))
        marks = ", ".join("?" for _ in (*COLUMNS, "row_hash"))
        store.execute(
            f"INSERT INTO cycle_audit ({names}) VALUES ({marks})",
            (*(row[k] for k in COLUMNS), digest),
        )
        store.execute(
            "UPDATE cycle_audit_head SET seq = ?, row_hash = ? WHERE id = 1", (row["seq"], digest)
        )
    return int(row["seq"])


def rows(
    store: Store,
    scorecard: str | None = None,
    period: str | None = None,
    agent_id: str | None = None,
) -> list[dict[str, Any]]:
    """Audit rows in order, optionally for one scorecard, period or agent."""
    ensure_tables(store)
    where, params = [], []
    for column, value in (("scorecard", scorecard), ("period", period), ("agent_id", agent_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    names = (*COLUMNS, "row_hash")
    found = store.fetchall(
        f"SELECT {', '.join(names)} FROM cycle_audit{clause} ORDER BY seq", tuple(params)
    )
    return [dict(zip(names, r, strict=True)) for r in found]


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`: ``bad_seq`` is the first row that fails (None: intact)."""

    rows: int
    bad_seq: int | None = None
    problem: str | None = None  # hash | link | sequence | head

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def verify(store: Store) -> Verdict:
    """Recompute the chain; the first row whose link or hash does not hold is named."""
    chain = rows(store)
    prev = ""
    for expected, row in enumerate(chain, start=1):
        if int(row["seq"]) != expected:
            return Verdict(len(chain), int(row["seq"]), "sequence")
        if (row["prev_hash"] or "") != prev:
            return Verdict(len(chain), expected, "link")
        if row_hash(prev, row) != row["row_hash"]:
            return Verdict(len(chain), expected, "hash")
        prev = row["row_hash"]
    ((seq, head),) = store.fetchall("SELECT seq, row_hash FROM cycle_audit_head WHERE id = 1")
    if int(seq) != len(chain) or (head or "") != prev:
        return Verdict(len(chain), int(seq), "head")
    return Verdict(len(chain))
