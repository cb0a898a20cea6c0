"""Concurrency kept per leg: an import that adds or moves legs recounts the other legs of the
agents concerned, so the peak equals a recount from scratch; an older store gains the column."""

from __future__ import annotations

from pathlib import Path

from cskpi.config import Config
from cskpi.ingest.importer import run_import
from cskpi.metrics.concurrency import refresh_concurrency
from cskpi.metrics.engine import compute
from cskpi.store.base import Store, open_store

HEADER = "session_id,agent_id,channel,created_at,accepted_at,ended_at\n"


def leg(sid: str, agent: str, start: str, end: str) -> str:
    return f"{sid},{agent},web,2026-10-05T{start}:00,2026-10-05T{start}:00,2026-10-05T{end}:00\n"


def counts(store: Store) -> dict[str, int | None]:
    return dict(store.fetchall("SELECT session_id, concurrent_legs FROM session_facts"))


def peaks(store: Store) -> dict[str, object]:
    frame = compute(store, Config(), by=["agent"], period="2026-10",
                    metrics=["peak_concurrency"])
    return dict(zip(frame["agent_id"], frame["peak_concurrency"], strict=True))


def import_text(store: Store, folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    result = run_import(store, [path], Config(), table="sessions")
    assert not result.rejects


def test_later_imports_recount_the_agents_other_legs(store: Store, tmp_path: Path) -> None:
    # 1st import: A1 has L1 09:00-09:30 and L2 09:40-09:50 (never together); A2 has M1.
    import_text(store, tmp_path, "first.csv", HEADER + leg("L1", "A1", "09:00", "09:30")
                + leg("L2", "A1", "09:40", "09:50") + leg("M1", "A2", "09:00", "10:00"))
    assert counts(store) == {"L1": 1, "L2": 1, "M1": 1}
    assert peaks(store) == {"A1": 1, "A2": 1}

    # 2nd import: L0 08:50-09:45 for A1 overlaps both, so L1 and L2 are recounted although
    # this import does not name them: at 09:00 {L0, L1} = 2, at 09:40 {L0, L2} = 2.
    import_text(store, tmp_path, "second.csv", HEADER + leg("L0", "A1", "08:50", "09:45"))
    assert counts(store) == {"L0": 1, "L1": 2, "L2": 2, "M1": 1}
    assert peaks(store) == {"A1": 2, "A2": 1}

    # 3rd import: L0 moves to A2. A1's legs are alone again (1 each); L0 starts before M1
    # (1), and is open when M1 starts at 09:00 (2).
    import_text(store, tmp_path, "third.csv", HEADER + leg("L0", "A2", "08:50", "09:45"))
    assert counts(store) == {"L0": 1, "L1": 1, "L2": 1, "M1": 2}
    assert peaks(store) == {"A1": 1, "A2": 2}

    # The same as counting every leg again from scratch.
    scoped = counts(store)
    with store.transaction():
        refresh_concurrency(store)
    assert counts(store) == scoped


def test_store_without_the_column_gains_it(tmp_path: Path) -> None:
    """A store made before concurrency was kept per leg: opening it adds and fills it."""
    db = tmp_path / "old.duckdb"
    store = open_store(db)
    import_text(store, tmp_path, "legs.csv", HEADER + leg("L1", "A1", "09:00", "09:30")
                + leg("L2", "A1", "09:10", "09:20"))
    store.execute("ALTER TABLE session_facts DROP COLUMN concurrent_legs")
    store.close()
    store = open_store(db)
    try:
        assert counts(store) == {"L1": 1, "L2": 2}
        assert peaks(store) == {"A1": 2}
    finally:
        store.close()
