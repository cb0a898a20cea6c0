"""Store helpers the cycle modules share: the tables, the clock, canonical JSON, row locks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cskpi.cycle.schema import DDL
from cskpi.store.base import Store

# Row locks where the backend has them; DuckDB serialises writers itself (a conflicting
# transaction fails at commit), and every state change also checks `rev` (optimistic).
FOR_UPDATE = {"postgres": " FOR UPDATE"}
FOR_SHARE = {"postgres": " FOR SHARE"}


def ensure_tables(store: Store) -> None:
    """Create the cycle tables if the store does not have them yet (idempotent, once per
    open store)."""
    if getattr(store, "_cycle_ready", False):
        return
    with store.transaction():
        for statement in DDL:
            store.execute(statement)
        if not store.fetchall("SELECT 1 FROM cycle_audit_head WHERE id = 1"):
            store.execute("INSERT INTO cycle_audit_head (id, seq, row_hash) VALUES (1, 0, '')")
    store._cycle_ready = True  # type: ignore[attr-defined]


def for_update(store: Store, statement: str) -> str:
    """`statement` (a SELECT) taking row locks on backends that have them."""
    return statement + FOR_UPDATE.get(store.dialect, "")


def for_share(store: Store, statement: str) -> str:
    """`statement` (a SELECT) holding its rows still until commit (a concurrent state change
    waits, and vice versa) on backends that have row locks."""
    return statement + FOR_SHARE.get(store.dialect, "")


def now() -> str:
    """UTC now as ISO text (kept as text so the audit hash is the same on every backend)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
